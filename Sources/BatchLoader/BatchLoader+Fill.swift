import MIFACore

extension BatchLoader {
    /// Reads the patch of `request` (its crop, with a crop augmentation) into slot `slot` of a batch
    /// buffer: its image (each selected channel, converted and normalised) and its mask; zeros where
    /// the box leaves the image; then the sample's flips and rotation, applied to the image, the mask
    /// and the annotations alike.
    /// `use` is the patch's place in the cache's schedule, if it has one.
    /// Returns the annotations, the augmentation and (with ``BatchLoaderConfiguration/digests``) the patch's hash.
    func fill(slot: Int, request: PatchRequest, random: SampleRandom, storage: BatchStorage, use: ChunkUse? = nil,
              isCancelled: @escaping @Sendable () -> Bool) throws -> FilledPatch {
        let source = index.sources[request.source]
        let (depth, height, width) = (patchShape[0], patchShape[1], patchShape[2])
        let (request, augmentation) = readRequest(request, random: random)
        let reader = PatchReader(cache: cache, buffers: chunkBuffers, budget: budget, counters: counters, isCancelled: isCancelled, use: use)
        let base = storage.buffer.baseAddress!
        let pixels = patchShape.reduce(1, *)
        let imageSlot = base + slot * imagePatchBytes
        // Zeros only where the box leaves the image; inside, every byte is written below.
        let e = source.extents
        let inside = zip(request.origin, request.shape).enumerated().allSatisfy { k, box in
            box.0 >= 0 && box.0 + box.1 <= [e.z, e.y, e.x][k]
        }
        if !inside { imageSlot.initializeMemory(as: UInt8.self, repeating: 0, count: imagePatchBytes) }
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
            if !inside || source.label == nil { maskSlot.initializeMemory(as: UInt8.self, repeating: 0, count: maskPatchBytes) }
            if let label = source.label, let axes = source.labelAxes {
                try reader.read(request, channel: 0, array: label, arrayID: request.source * 2 + 1, axes: axes,
                                conversion: PixelConversion(from: maskType, to: maskType), outputSize: maskType.byteSize, into: maskSlot)
            }
        }
        augmentation.apply(to: imageSlot, planes: channels.count * depth, height: height, width: width, elementSize: imageType.byteSize)
        if let maskType {
            let maskSlot = base + configuration.batchSize * imagePatchBytes + slot * maskPatchBytes
            augmentation.apply(to: maskSlot, planes: depth, height: height, width: width, elementSize: maskType.byteSize)
        }
        var annotations: [PatchAnnotation] = []
        if let index = source.annotations {
            let rect = ClipRect(x0: Double(request.origin[2]), y0: Double(request.origin[1]),
                                x1: Double(request.origin[2] + width), y1: Double(request.origin[1] + height))
            let origins = source.annotationOrigins
            annotations = index.query(rect, t: request.t).map { found in
                var a = augmentation.apply(found, height: height, width: width)
                if origins.indices.contains(a.annotation) {
                    a.set = origins[a.annotation].set
                    a.sourceID = origins[a.annotation].id
                }
                return a
            }
        }
        var digest: UInt64?
        if configuration.digests {
            let maskSlot = base + configuration.batchSize * imagePatchBytes + slot * maskPatchBytes
            digest = Batch.patchDigest(image: UnsafeRawBufferPointer(start: imageSlot, count: imagePatchBytes),
                                       mask: UnsafeRawBufferPointer(start: maskSlot, count: maskPatchBytes))
        }
        return FilledPatch(annotations: annotations, augmentation: augmentation, digest: digest)
    }

    /// The box a patch reads (its crop, with a crop augmentation) and the sample's augmentation.
    func readRequest(_ request: PatchRequest, random: SampleRandom) -> (PatchRequest, PatchAugmentation) {
        var stream = SampleRandom(key: SampleRandom.mix(random.key ^ 0xF11B))
        let augmentation = PatchAugmentation.draw(configuration.augmentation, sampled: request.shape, shape: patchShape, random: &stream)
        return (augmentation.cropped(request, to: patchShape), augmentation)
    }

    /// Wraps a finished buffer as a ``Batch``.
    func makeBatch(epoch: Int, index: Int, storage: BatchStorage, samples: [Int], requests: [PatchRequest], randoms: [SampleRandom],
                   patches: [FilledPatch]) -> Batch {
        let b = samples.count
        let spatial = patchShape[0] == 1 ? Array(patchShape.dropFirst()) : patchShape
        return Batch(epoch: epoch, index: index, samples: samples, requests: requests, randoms: randoms,
                     annotations: patches.map(\.annotations), augmentations: patches.map(\.augmentation),
                     imageShape: [b, channels.count] + spatial, imageType: imageType,
                     maskShape: maskType == nil ? nil : [b] + spatial, maskType: maskType, storage: storage,
                     patchDigests: configuration.digests ? patches.map { $0.digest ?? 0 } : nil,
                     imageByteCount: b * imagePatchBytes, maskByteCount: maskType == nil ? 0 : b * maskPatchBytes,
                     maskOffset: configuration.batchSize * imagePatchBytes)
    }
}

/// What a worker made of one patch besides its pixels.
struct FilledPatch: Sendable {
    /// The patch's annotations, in patch coordinates, clipped and augmented.
    var annotations: [PatchAnnotation] = []
    /// The augmentation it got.
    var augmentation = PatchAugmentation()
    /// The hash of its image and mask, when the loader computes digests.
    var digest: UInt64?
}
