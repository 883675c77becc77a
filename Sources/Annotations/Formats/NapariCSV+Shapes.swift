import Foundation
import MIFACore

extension NapariCSV {
    /// Whether a table header is napari's Shapes layout (it has `shape-type` and `vertex-index`).
    static func isShapesHeader(_ header: [String]) -> Bool {
        header.contains("shape-type") && header.contains("vertex-index")
    }

    /// Reads a napari Shapes table (`index,shape-type,vertex-index,axis-0,axis-1`): each shape as
    /// its geometry, never as loose points. `axis-0, axis-1` are `y, x` with pixel centres on
    /// integers (shifted by 0.5 to the pixel grid of DESIGN.md). `rectangle` becomes a rectangle
    /// (a polygon when rotated), `ellipse` (the four corners of its bounding box) an ellipse,
    /// `polygon` a polygon, `path` and `line` a polyline. The shape's `index` is its id.
    /// - Throws: ``AnnotationError`` `.io`; `.malformed` naming the line for a missing column, a
    ///   value that is not a number, an unknown shape type, a shape too short for its type, or a
    ///   3-D table (napari writes `axis-2` for shapes in a volume; give them as GeoJSON per plane).
    public static func readShapes(path: String) throws -> AnnotationReadResult {
        try readShapes(bytes: FileBytes.read(path), file: path)
    }

    /// Reads a napari Shapes table from memory.
    /// - Throws: ``AnnotationError`` as ``readShapes(path:)``.
    public static func readShapes(bytes: [UInt8], file: String? = nil) throws -> AnnotationReadResult {
        try readShapes(table: try CSVTable(bytes: bytes, file: file), file: file)
    }

    static func readShapes(table: CSVTable, file: String?) throws -> AnnotationReadResult {
        let axes = table.header.filter { $0.hasPrefix("axis-") }
        guard let indexColumn = table.column("index"), let typeColumn = table.column("shape-type"), let vertexColumn = table.column("vertex-index"),
              let yColumn = table.column("axis-0"), let xColumn = table.column("axis-1")
        else {
            throw AnnotationError(.malformed, "a napari shapes table has columns index, shape-type, vertex-index, axis-0, axis-1; found \(table.header.joined(separator: ","))", context: ErrorContext(file: file, line: 1))
        }
        guard axes == ["axis-0", "axis-1"] else {
            throw AnnotationError(.unsupported, "this napari shapes table has \(axes.count) axes (\(axes.joined(separator: ","))); only 2-D shapes (axis-0 = y, axis-1 = x) are read: export each plane's shapes, or convert them to GeoJSON first", context: ErrorContext(file: file, line: 1))
        }
        var order: [Int64] = []
        var shapes: [Int64: (type: String, line: Int, vertices: [(Int, Vertex)])] = [:]
        for (line, fields) in table.rows {
            let context = ErrorContext(file: file, line: line)
            guard let index = Int64(fields[indexColumn].trimmingWhitespace()) else {
                throw AnnotationError(.malformed, "index '\(fields[indexColumn])' is not a whole number", context: context)
            }
            guard let vertex = Int(fields[vertexColumn].trimmingWhitespace()), vertex >= 0 else {
                throw AnnotationError(.malformed, "vertex-index '\(fields[vertexColumn])' is not a whole number from 0", context: context)
            }
            let type = fields[typeColumn].trimmingWhitespace()
            let y = try CSVTable.number(fields[yColumn], column: "axis-0", line: line, file: file)
            let x = try CSVTable.number(fields[xColumn], column: "axis-1", line: line, file: file)
            let corner = CoordinateTransform.convert(Point(x: x, y: y), from: .center, to: .corner)
            if shapes[index] == nil {
                order.append(index)
                shapes[index] = (type, line, [])
            } else if shapes[index]!.type != type {
                throw AnnotationError(.malformed, "shape \(index) is '\(shapes[index]!.type)' on line \(shapes[index]!.line) but '\(type)' here; a shape has one shape-type", context: context)
            }
            shapes[index]!.vertices.append((vertex, corner.vertex))
        }
        var document = AnnotationDocument()
        for index in order {
            let shape = shapes[index]!
            let context = ErrorContext(file: file, line: shape.line)
            let vertices = shape.vertices.sorted { $0.0 < $1.0 }.map(\.1)
            let geometry: Geometry
            switch shape.type {
            case "rectangle":
                guard vertices.count == 4 else { throw AnnotationError(.malformed, "rectangle \(index) has \(vertices.count) vertices; napari writes its 4 corners", context: context) }
                let xs = Set(vertices.map(\.x)), ys = Set(vertices.map(\.y))
                if xs.count <= 2 && ys.count <= 2 {
                    geometry = .rectangle(BoundingBox(x: xs.min()!, y: ys.min()!, width: xs.max()! - xs.min()!, height: ys.max()! - ys.min()!))
                } else {
                    geometry = .polygon(Polygon(exterior: Ring(vertices).oriented(counterClockwise: true)))
                }
            case "ellipse":
                guard vertices.count == 4 else { throw AnnotationError(.malformed, "ellipse \(index) has \(vertices.count) vertices; napari writes the 4 corners of its bounding box", context: context) }
                let center = Vertex(vertices.map(\.x).reduce(0, +) / 4, vertices.map(\.y).reduce(0, +) / 4)
                let (a, b, c) = (vertices[0], vertices[1], vertices[2])
                let width = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
                let height = ((c.x - b.x) * (c.x - b.x) + (c.y - b.y) * (c.y - b.y)).squareRoot()
                let rotation = atan2(b.y - a.y, b.x - a.x)
                let upright = abs(rotation.remainder(dividingBy: .pi / 2)) < 1e-12
                // An upright ellipse keeps its axes on x and y; its box's first edge may run along either.
                let alongX = abs(b.y - a.y) <= abs(b.x - a.x)
                geometry = upright
                    ? .ellipse(Ellipse(center: center, radiusX: (alongX ? width : height) / 2, radiusY: (alongX ? height : width) / 2))
                    : .ellipse(Ellipse(center: center, radiusX: width / 2, radiusY: height / 2, rotation: rotation))
            case "polygon":
                guard vertices.count >= 3 else { throw AnnotationError(.malformed, "polygon \(index) has \(vertices.count) vertices; a polygon needs 3", context: context) }
                geometry = .polygon(Polygon(exterior: Ring(vertices).oriented(counterClockwise: true)))
            case "path", "line":
                guard vertices.count >= 2 else { throw AnnotationError(.malformed, "\(shape.type) \(index) has \(vertices.count) vertex; it needs 2", context: context) }
                geometry = .polyline(Polyline(vertices))
            default:
                throw AnnotationError(.malformed, "shape-type '\(shape.type)' is not one of napari's (rectangle, ellipse, polygon, path, line)", context: context)
            }
            document.annotations.append(Annotation(id: .int(index), value: .geometry(geometry)))
        }
        return AnnotationReadResult(document: document)
    }
}
