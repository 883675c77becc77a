import MIFACore

/// A COCO `segmentation` as read: polygons (flat coordinate lists) or a run-length encoding.
enum COCOSegmentation {
    case polygons([[Double]])
    case rle(RLE)

    /// Reads a `segmentation` value; `[]` (no segmentation) gives `nil`.
    /// - Throws: ``AnnotationError`` `.malformed`, `.invalidGeometry` or `.invalidRLE` with the
    ///   pointer; `.tooLarge` when an RLE has more rows than `budget` allows tables for.
    static func read(_ reader: inout JSONReader, budget: RasterBudget) throws -> COCOSegmentation? {
        switch try reader.peekKind() {
        case .array:
            var polygons: [[Double]] = []
            try reader.readArray { reader, index in
                var coordinates: [Double] = []
                coordinates.reserveCapacity(32)
                try reader.readDoubleArray(into: &coordinates)
                guard coordinates.count % 2 == 0 else {
                    throw reader.error("polygon \(index) has \(coordinates.count) numbers; a COCO polygon is x, y pairs", kind: .invalidGeometry)
                }
                guard coordinates.count >= 6 else {
                    throw reader.error("polygon \(index) has \(coordinates.count / 2) points; a polygon needs at least 3", kind: .invalidGeometry)
                }
                polygons.append(coordinates)
            }
            return polygons.isEmpty ? nil : .polygons(polygons)
        case .object:
            var size: (Int, Int)?
            var compressed: [UInt8]?
            var counts: [UInt32]?
            var countsPosition = reader.position
            try reader.readObject { reader, key in
                switch key.name {
                case "size":
                    var values: [Double] = []
                    try reader.readDoubleArray(into: &values)
                    guard values.count == 2, values.allSatisfy({ $0 >= 0 && $0 == $0.rounded() && $0 <= Double(Int32.max) }) else {
                        throw reader.error("an RLE \"size\" is [height, width] in whole pixels, found \(values.count) values", kind: .invalidRLE)
                    }
                    size = (Int(values[0]), Int(values[1]))
                case "counts":
                    countsPosition = reader.position
                    if try reader.peekKind() == .string {
                        compressed = Array(try reader.readString().utf8)
                    } else {
                        var values: [Double] = []
                        try reader.readDoubleArray(into: &values)
                        guard values.allSatisfy({ $0 >= 0 && $0 == $0.rounded() && $0 <= Double(UInt32.max) }) else {
                            throw reader.error("uncompressed RLE counts must be whole numbers from 0 to \(UInt32.max)", kind: .invalidRLE)
                        }
                        counts = values.map { UInt32($0) }
                    }
                default: try reader.skipValue()
                }
            }
            guard let (height, width) = size else { throw reader.error("an RLE segmentation needs \"size\": [height, width]", kind: .invalidRLE) }
            do {
                // Row spans and traced outlines keep tables of one entry per row.
                try budget.check("the row tables of a \(width)×\(height) RLE mask", count: height, bytesEach: RasterBudget.bytesPerMaskRow)
                if let compressed { return .rle(try RLE(compressed: compressed, height: height, width: width)) }
                if let counts { return .rle(try RLE(height: height, width: width, counts: counts)) }
            } catch let failure as AnnotationError {
                var located = reader
                located.position = countsPosition
                located.path.append("counts")
                throw located.error(failure.message, kind: failure.kind)
            }
            throw reader.error("an RLE segmentation needs \"counts\"", kind: .invalidRLE)
        default:
            throw reader.typeError("polygons (a list of coordinate lists) or an RLE object")
        }
    }
}
