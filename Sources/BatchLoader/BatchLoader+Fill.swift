import MIFACore

extension BatchLoader {
    /// Reads the patch of `request` into slot `slot` of a batch buffer: its image (each selected
    /// channel, converted and normalised) and its mask; zeros where the box leaves the image; then
    /// the sample's augmentation, applied to the image, the mask and the annotations alike.
    /// Returns the annotations and the augmentation.
    func fill(slot: Int, request: PatchRequest, random: SampleRandom, storage: BatchStorage,
              isCancelled: @escaping @Sendable () -> Bool) throws -> ([PatchAnnotation], PatchAugmentation) {
        let source = index.sources[request.source]
        let reader = PatchReader(cache: cache, budget: budget, counters: counters, isCancelled: isCancelled)
        let base = storage.buffer.baseAddress!
        let pixels = patchShape.reduce(1, *)
        let imageSlot = base + slot * imagePatchBytes
        imageSlot.initializeMemory(as: UInt8.self, repeating: 0, count: imagePatchBytes)
        let conversion = PixelConversion(from: source.dataType, to: imageType)
        for (k, channel) in channels.enumerated() {
            let destination = imageSlot + k * pixels * imageType.byteSize
            try reader.read(request, channel: channel, array: source.image, arrayID: request.source * 2, axes: source.axes,
                            conversion: conversion, outputSize: imageType.byteSize, into: destination)
            if let normalization = configuration.normalization {
                let (mean, std) = normalization.parameters(k)
                let values = destination.assumingMemoryBound(to: Float.self)
                let scale = 1 / std
                for i in 0..<pixels { values[i] = (values[i] - mean) * scale }
            }
        }
        if let maskType {
            let maskSlot = base + configuration.batchSize * imagePatchBytes + slot * maskPatchBytes
            maskSlot.initializeMemory(as: UInt8.self, repeating: 0, count: maskPatchBytes)
            if let label = source.label, let axes = source.labelAxes {
                try reader.read(request, channel: 0, array: label, arrayID: request.source * 2 + 1, axes: axes,
                                conversion: PixelConversion(from: maskType, to: maskType), outputSize: maskType.byteSize, into: maskSlot)
            }
        }
        let (depth, height, width) = (patchShape[0], patchShape[1], patchShape[2])
        var stream = SampleRandom(key: SampleRandom.mix(random.key ^ 0xF11B))
        let augmentation = PatchAugmentation.draw(configuration.augmentation, height: height, width: width, random: &stream)
        augmentation.apply(to: imageSlot, planes: channels.count * depth, height: height, width: width, elementSize: imageType.byteSize)
        if let maskType {
            let maskSlot = base + configuration.batchSize * imagePatchBytes + slot * maskPatchBytes
            augmentation.apply(to: maskSlot, planes: depth, height: height, width: width, elementSize: maskType.byteSize)
        }
        var annotations: [PatchAnnotation] = []
        if let index = source.annotations {
            let rect = ClipRect(x0: Double(request.origin[2]), y0: Double(request.origin[1]),
                                x1: Double(request.origin[2] + width), y1: Double(request.origin[1] + height))
            annotations = index.query(rect, t: request.t).map { augmentation.apply($0, height: height, width: width) }
        }
        return (annotations, augmentation)
    }

    /// Wraps a finished buffer as a ``Batch``.
    func makeBatch(epoch: Int, index: Int, storage: BatchStorage, samples: [Int], requests: [PatchRequest], randoms: [SampleRandom],
                   annotations: [[PatchAnnotation]], augmentations: [PatchAugmentation]) -> Batch {
        let b = samples.count
        let spatial = patchShape[0] == 1 ? Array(patchShape.dropFirst()) : patchShape
        return Batch(epoch: epoch, index: index, samples: samples, requests: requests, randoms: randoms,
                     annotations: annotations, augmentations: augmentations,
                     imageShape: [b, channels.count] + spatial, imageType: imageType,
                     maskShape: maskType == nil ? nil : [b] + spatial, maskType: maskType, storage: storage,
                     imageByteCount: b * imagePatchBytes, maskByteCount: maskType == nil ? 0 : b * maskPatchBytes,
                     maskOffset: configuration.batchSize * imagePatchBytes)
    }
}
