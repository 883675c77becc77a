import Annotations
import MIFACore
import OMEZarr

extension AuditRun {
    /// Inter-annotator agreement (``SetAgreement``) of every pair of annotation sets that annotate
    /// a common image. A set with an object or label image that cannot be read or drawn on its
    /// image's grid is left out of every pair, and an image that cannot be opened or is not one 2-D
    /// plane is left out, each with an `agreement-not-measured` note saying why: no figure is
    /// computed from part of a set.
    mutating func measureAgreement() {
        var sizes: [String: (height: Int, width: Int)] = [:]
        for id in imageIDs {
            let shape: [Int]
            do {
                shape = try OMEZarrImage.open(package.reader.store(), path: PackageLayout.image(id)).shape
            } catch {
                add(.info, .agreementNotMeasured, path: PackageLayout.image(id), "image \(id) cannot be opened (\(error)); agreement is not measured on it")
                continue
            }
            guard shape.count >= 2, shape.dropLast(2).allSatisfy({ $0 == 1 }) else {
                add(.info, .agreementNotMeasured, path: PackageLayout.image(id),
                    "image \(id) has the shape \(shape), not one 2-D plane; agreement between annotation sets is measured on 2-D images only")
                continue
            }
            sizes[id] = (shape[shape.count - 2], shape[shape.count - 1])
        }
        // What each set has to draw, per image: its areal vector objects and its label images.
        var sources: [String: AgreementSource] = [:]
        for (set, entry) in coverage.sets.sorted(by: { byteOrder($0.key, $1.key) }) {
            do {
                var source = AgreementSource()
                if entry.kind.contains("vector") { source.vector = try arealObjects(set, sizes: sizes) }
                if entry.kind.contains("labels") { source.labelImages = Set(entry.images.filter { sizes[$0] != nil }) }
                sources[set] = source
            } catch {
                add(.info, .agreementNotMeasured, path: PackageLayout.annotationSet(set), "annotation set \(set) is left out of the agreement: \(error)")
            }
        }
        // Image by image, so that one image's masks are held at a time (a set's masks over a whole
        // package can be gigabytes); a set that fails on any image is left out of every pair.
        var tallies: [Pair: AnnotationAgreement.Tally] = [:]
        var failedPairs: [Pair: any Error] = [:]
        var leftOut = Set<String>()
        for image in sizes.keys.sorted(by: byteOrder) {
            let drawing = sources.keys.filter { !leftOut.contains($0) && sources[$0]!.mayAnnotate(image) }.sorted(by: byteOrder)
            guard drawing.count > 1 else { continue }
            var masks: [String: [RLE]] = [:]
            for set in drawing {
                do {
                    masks[set] = try self.masks(of: set, sources[set]!, on: image, size: sizes[image]!)
                } catch {
                    leftOut.insert(set)
                    add(.info, .agreementNotMeasured, path: PackageLayout.annotationSet(set), "annotation set \(set) is left out of the agreement: \(error)")
                }
            }
            let present = masks.keys.sorted(by: byteOrder)
            for (position, first) in present.enumerated() {
                for second in present[(position + 1)...] where failedPairs[Pair(first, second)] == nil {
                    do {
                        try tallies[Pair(first, second), default: AnnotationAgreement.Tally()].add(image: image, masks[first]!, masks[second]!)
                    } catch {
                        failedPairs[Pair(first, second)] = error
                    }
                }
            }
        }
        let sets = sources.keys.filter { !leftOut.contains($0) }.sorted(by: byteOrder)
        for (position, first) in sets.enumerated() {
            for second in sets[(position + 1)...] {
                if let error = failedPairs[Pair(first, second)] {
                    add(.info, .agreementNotMeasured, path: PackageLayout.annotations, "the agreement of \(first) and \(second) cannot be measured: \(error)")
                } else if let tally = tallies[Pair(first, second)] {
                    agreement.append(tally.result(first, second))
                }
            }
        }
    }

    /// Two set ids, the first before the second in byte order.
    private struct Pair: Hashable {
        var first: String, second: String
        init(_ first: String, _ second: String) { (self.first, self.second) = (first, second) }
    }

    /// What a set draws for the agreement: its areal vector objects per image, its label images.
    private struct AgreementSource {
        var vector: [String: [Annotation]] = [:]
        var labelImages = Set<String>()

        /// Whether the set may have objects on `image` (a vector object may still draw nothing).
        func mayAnnotate(_ image: String) -> Bool { vector[image] != nil || labelImages.contains(image) }
    }

    /// The areal objects of a vector set, per image of `sizes` they belong to.
    private func arealObjects(_ set: String, sizes: [String: (height: Int, width: Int)]) throws -> [String: [Annotation]] {
        let path = PackageLayout.annotationFile(set)
        let document = try GeoJSONReader.read(bytes: package.reader.read(path), file: path).document
        let image = VectorSetComparison.imageResolver(document)
        var objects: [String: [Annotation]] = [:]
        for annotation in document.annotations where annotation.value.isAreal {
            guard let id = image(annotation)?.description, sizes[id] != nil else { continue }
            objects[id, default: []].append(annotation)
        }
        return objects
    }

    /// The masks of a set on one image: its areal vector objects drawn on the image's grid
    /// (objects of zero area draw nothing; the files check reports them as degenerate), then the
    /// objects of its label image, one mask per label value; `nil` when the set has nothing there
    /// (a label image, even empty, counts as something).
    /// - Throws: what drawing or reading throws; ``PackageError`` `.invalidInput` past
    ///   ``AnnotationAgreement/maximumObjectsPerImage`` objects.
    private func masks(of set: String, _ source: AgreementSource, on image: String, size: (height: Int, width: Int)) throws -> [RLE]? {
        let limit = AnnotationAgreement.maximumObjectsPerImage
        var masks: [RLE] = []
        for annotation in source.vector[image] ?? [] {
            if let rle = try annotation.value.rle(height: size.height, width: size.width, drawing: MaskDrawing(rule: .pixelCenter, fillBoxes: true)), rle.area > 0 {
                masks.append(rle)
            }
        }
        guard masks.count <= limit else {
            throw PackageError(.invalidInput, "it has \(masks.count) objects on image \(image), more than the \(limit) the agreement measures on one image",
                               context: ErrorContext(file: PackageLayout.annotationSet(set)))
        }
        guard !masks.isEmpty || source.labelImages.contains(image) else { return nil }
        if source.labelImages.contains(image) { masks += try labelMasks(set, on: image, size: size, limit: limit - masks.count) }
        return masks
    }

    /// The objects of the label image of `set` on `image`, one mask per label value.
    private func labelMasks(_ set: String, on image: String, size: (height: Int, width: Int), limit: Int) throws -> [RLE] {
        let folder = PackageLayout.label(set, of: image)
        let array = try OMEZarrImage.open(package.reader.store(), path: folder).read(level: 0)
        guard array.shape.dropLast(2).allSatisfy({ $0 == 1 }), array.shape.suffix(2).elementsEqual([size.height, size.width]) else {
            throw PackageError(.invalidInput, "its label image on \(image) has the shape \(array.shape), not the image's \(size.height) x \(size.width) plane",
                               context: ErrorContext(file: folder))
        }
        let plane = try array.bytes().withUnsafeBytes {
            try AnyNDArray(dataType: array.dataType, shape: Array(array.shape.suffix(2)), bytes: $0, order: array.order)
        }
        return try LabelImage(plane).objects(limit: limit).map { try RLE(spans: $0.spans) }
    }
}
