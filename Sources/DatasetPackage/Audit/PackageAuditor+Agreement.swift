import Annotations
import MIFACore
import OMEZarr

extension AuditRun {
    /// Inter-annotator agreement (``SetAgreement``) of every pair of annotation sets that annotate
    /// a common image. Sets or images that cannot be read are left out here (the coverage checks
    /// report them as errors); an image whose full-resolution level is not one 2-D plane is left
    /// out with an `agreement-not-measured` note.
    mutating func measureAgreement() {
        var sizes: [String: (height: Int, width: Int)] = [:]
        for id in imageIDs {
            guard let image = try? OMEZarrImage.open(package.reader.store(), path: PackageLayout.image(id)) else { continue }
            let shape = image.shape
            guard shape.count >= 2, shape.dropLast(2).allSatisfy({ $0 == 1 }) else {
                add(.info, .agreementNotMeasured, path: PackageLayout.image(id),
                    "image \(id) has the shape \(shape), not one 2-D plane; agreement between annotation sets is measured on 2-D images only")
                continue
            }
            sizes[id] = (shape[shape.count - 2], shape[shape.count - 1])
        }
        var masks: [String: [String: [RLE]]] = [:]
        for (set, entry) in coverage.sets {
            if entry.kind.contains("vector") { vectorMasks(set, sizes: sizes, into: &masks) }
            if entry.kind.contains("labels") {
                for image in entry.images where sizes[image] != nil {
                    let folder = PackageLayout.label(set, of: image)
                    guard (try? package.reader.isFile("\(folder)/zarr.json")) == true,
                        let array = try? OMEZarrImage.open(package.reader.store(), path: folder).read(level: 0),
                        array.shape.dropLast(2).allSatisfy({ $0 == 1 }), array.shape.suffix(2).elementsEqual([sizes[image]!.height, sizes[image]!.width]),
                        let plane = try? array.bytes().withUnsafeBytes({ try AnyNDArray(dataType: array.dataType, shape: Array(array.shape.suffix(2)), bytes: $0, order: array.order) }),
                        let objects = try? LabelImage(plane).objects()
                    else { continue }
                    masks[set, default: [:]][image, default: []] += objects.compactMap { try? RLE(spans: $0.spans) }
                }
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

    /// The masks of a vector set's areal objects per image, on the image grids in `sizes`.
    private func vectorMasks(_ set: String, sizes: [String: (height: Int, width: Int)], into masks: inout [String: [String: [RLE]]]) {
        let path = PackageLayout.annotationFile(set)
        guard let document = try? GeoJSONReader.read(bytes: package.reader.read(path), file: path).document else { return }
        let image = VectorSetComparison.imageResolver(document)
        for annotation in document.annotations where annotation.value.isAreal {
            guard let id = image(annotation)?.description, let size = sizes[id],
                let rle = try? annotation.value.rle(height: size.height, width: size.width, drawing: MaskDrawing(rule: .pixelCenter, fillBoxes: true)),
                rle.area > 0
            else { continue }
            masks[set, default: [:]][id, default: []].append(rle)
        }
    }
}
