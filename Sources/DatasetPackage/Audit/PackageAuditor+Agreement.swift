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
        var masks: [String: [String: [RLE]]] = [:]
        for (set, entry) in coverage.sets.sorted(by: { byteOrder($0.key, $1.key) }) {
            do {
                if entry.kind.contains("vector") { try vectorMasks(set, sizes: sizes, into: &masks) }
                if entry.kind.contains("labels") {
                    for image in entry.images.sorted() {
                        guard let size = sizes[image] else { continue }
                        masks[set, default: [:]][image, default: []] += try labelMasks(set, on: image, size: size)
                    }
                }
            } catch {
                masks[set] = nil
                add(.info, .agreementNotMeasured, path: PackageLayout.annotationSet(set), "annotation set \(set) is left out of the agreement: \(error)")
            }
        }
        let sets = masks.keys.sorted(by: byteOrder)
        for (position, first) in sets.enumerated() {
            for second in sets[(position + 1)...] where !Set(masks[first]!.keys).isDisjoint(with: masks[second]!.keys) {
                do {
                    agreement.append(try AnnotationAgreement.agreement(first, masks[first]!, second, masks[second]!))
                } catch {
                    add(.info, .agreementNotMeasured, path: PackageLayout.annotations, "the agreement of \(first) and \(second) cannot be measured: \(error)")
                }
            }
        }
    }

    /// The masks of a vector set's areal objects per image, on the image grids in `sizes`
    /// (objects of zero area draw nothing; the files check reports them as degenerate).
    private func vectorMasks(_ set: String, sizes: [String: (height: Int, width: Int)], into masks: inout [String: [String: [RLE]]]) throws {
        let path = PackageLayout.annotationFile(set)
        let document = try GeoJSONReader.read(bytes: package.reader.read(path), file: path).document
        let image = VectorSetComparison.imageResolver(document)
        for annotation in document.annotations where annotation.value.isAreal {
            guard let id = image(annotation)?.description, let size = sizes[id] else { continue }
            if let rle = try annotation.value.rle(height: size.height, width: size.width, drawing: MaskDrawing(rule: .pixelCenter, fillBoxes: true)), rle.area > 0 {
                masks[set, default: [:]][id, default: []].append(rle)
            }
        }
    }

    /// The objects of the label image of `set` on `image`, one mask per label value.
    private func labelMasks(_ set: String, on image: String, size: (height: Int, width: Int)) throws -> [RLE] {
        let folder = PackageLayout.label(set, of: image)
        let array = try OMEZarrImage.open(package.reader.store(), path: folder).read(level: 0)
        guard array.shape.dropLast(2).allSatisfy({ $0 == 1 }), array.shape.suffix(2).elementsEqual([size.height, size.width]) else {
            throw PackageError(.invalidInput, "its label image on \(image) has the shape \(array.shape), not the image's \(size.height) x \(size.width) plane",
                               context: ErrorContext(file: folder))
        }
        let plane = try array.bytes().withUnsafeBytes {
            try AnyNDArray(dataType: array.dataType, shape: Array(array.shape.suffix(2)), bytes: $0, order: array.order)
        }
        return try LabelImage(plane).objects().map { try RLE(spans: $0.spans) }
    }
}
