import MIFACore

/// Reading GeoJSON geometry objects (RFC 7946 §3.1) into ``Geometry``.
enum GeoJSONGeometry {
    static let types: Set<String> = ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"]

    /// Reads a geometry object or `null`; members other than `type`, `coordinates` and
    /// `geometries` (QuPath's `plane`, for one) go into `extras`.
    static func read(_ reader: inout JSONReader, parser: inout GeoJSONParser) throws -> Geometry? {
        var extras = JSONObject()
        return try read(&reader, parser: &parser, extras: &extras)
    }

    /// Reads a geometry object or `null`, keeping its other members in `extras`.
    static func read(_ reader: inout JSONReader, parser: inout GeoJSONParser, extras: inout JSONObject) throws -> Geometry? {
        if reader.readNull() { return nil }
        let pointer = reader.pointer
        var type = reader.firstMemberString(named: "type")
        var geometry: Geometry?
        var deferred: JSONValue?
        var parts: [Geometry]?
        try reader.readObject { reader, key in
            switch key.name {
            case "type":
                let value = try reader.readString()
                guard types.contains(value) else {
                    throw reader.error("\"\(value)\" is not a GeoJSON geometry type; expected one of \(types.sorted().joined(separator: ", "))")
                }
                type = value
            case "coordinates":
                if let type {
                    geometry = try readCoordinates(&reader, type: type, parser: &parser)
                } else {
                    deferred = try reader.readValue()
                }
            case "geometries":
                var collected: [Geometry] = []
                try reader.readArray { reader, _ in
                    if let part = try read(&reader, parser: &parser) { collected.append(part) }
                }
                parts = collected
            default: extras[key.name] = try reader.readValue()
            }
        }
        guard let type else { throw AnnotationError(.malformed, "a geometry needs a \"type\"", context: ErrorContext(file: parser.file, pointer: pointer)) }
        if type == "GeometryCollection" {
            guard let parts else { throw AnnotationError(.malformed, "a GeometryCollection needs \"geometries\"", context: ErrorContext(file: parser.file, pointer: pointer)) }
            return .collection(parts)
        }
        if let deferred {
            // "type" came after "coordinates": read the kept value again, typed.
            var writer = JSONWriter()
            writer.value(deferred)
            let bytes = writer.bytes
            return try JSONReader.readAnnotationJSON(bytes, file: parser.file) { inner in
                inner.path = reader.path + ["coordinates"]
                return try readCoordinates(&inner, type: type, parser: &parser)
            }
        }
        guard let geometry else { throw AnnotationError(.malformed, "a \(type) needs \"coordinates\"", context: ErrorContext(file: parser.file, pointer: pointer)) }
        return geometry
    }

    /// Reads `coordinates` of a geometry of a known type. Positions of mixed depth (2-D and 3-D
    /// in one geometry) are refused unless repairing, which reads the geometry as 2-D.
    static func readCoordinates(_ reader: inout JSONReader, type: String, parser: inout GeoJSONParser) throws -> Geometry {
        var scratch: [Double] = []
        parser.positionDepth = nil
        parser.mixedDepth = nil
        let geometry: Geometry
        switch type {
        case "Point": geometry = .point(try readPosition(&reader, &scratch, parser: &parser))
        case "MultiPoint":
            var points: [Point] = []
            try reader.readArray { reader, _ in points.append(try readPosition(&reader, &scratch, parser: &parser)) }
            geometry = .multiPoint(points)
        case "LineString": geometry = .polyline(try readLine(&reader, &scratch, parser: &parser))
        case "MultiLineString":
            var lines: [Polyline] = []
            try reader.readArray { reader, _ in lines.append(try readLine(&reader, &scratch, parser: &parser)) }
            geometry = .multiPolyline(lines)
        case "Polygon": geometry = .polygon(try readPolygon(&reader, &scratch, parser: &parser))
        case "MultiPolygon":
            var polygons: [Polygon] = []
            try reader.readArray { reader, _ in polygons.append(try readPolygon(&reader, &scratch, parser: &parser)) }
            geometry = .multiPolygon(MultiPolygon(polygons))
        default:
            throw reader.error("\"\(type)\" has no coordinates")
        }
        guard let pointer = parser.mixedDepth else { return geometry }
        parser.repaired(.mixedDepth, pointer: pointer)
        if case .multiPoint(let points) = geometry { return .multiPoint(points.map { Point(x: $0.x, y: $0.y, z: nil) }) }
        return geometry
    }

    /// Reads one position. More than 3 numbers (geojsonhint: "position should not have more than
    /// 3 elements") and a depth other than the geometry's first position are refused unless
    /// repairing, which keeps x, y, z.
    static func readPosition(_ reader: inout JSONReader, _ scratch: inout [Double], parser: inout GeoJSONParser) throws -> Point {
        scratch.removeAll(keepingCapacity: true)
        let pointer = reader.pointer
        try reader.readDoubleArray(into: &scratch)
        guard scratch.count >= 2 else { throw reader.error("a position needs at least x and y, found \(scratch.count) numbers", kind: .invalidGeometry) }
        if scratch.count > 3 {
            guard parser.options.repair else {
                throw AnnotationError(.invalidGeometry, "a position has \(scratch.count) numbers; GeoJSON positions are [x, y] or [x, y, z] (RFC 7946 section 3.1.1, geojsonhint rejects more); pass --repair to keep x, y, z and drop the rest", context: ErrorContext(file: parser.file, pointer: pointer))
            }
            parser.repaired(.extraDimensions, pointer: pointer)
        }
        let depth = min(scratch.count, 3)
        if let first = parser.positionDepth, first != depth, parser.mixedDepth == nil {
            guard parser.options.repair else {
                throw AnnotationError(.invalidGeometry, "this position has \(depth) coordinates but the geometry's first has \(first); positions of one geometry have one depth (2-D or 3-D); pass --repair to read the geometry as 2-D", context: ErrorContext(file: parser.file, pointer: pointer))
            }
            parser.mixedDepth = pointer
        }
        if parser.positionDepth == nil { parser.positionDepth = depth }
        return Point(x: scratch[0], y: scratch[1], z: scratch.count >= 3 ? scratch[2] : nil)
    }

    static func readLine(_ reader: inout JSONReader, _ scratch: inout [Double], parser: inout GeoJSONParser) throws -> Polyline {
        var vertices: [Vertex] = []
        try reader.readArray { reader, _ in vertices.append(try readPosition(&reader, &scratch, parser: &parser).vertex) }
        guard vertices.count >= 2 else { throw reader.error("a LineString needs at least 2 positions, found \(vertices.count)", kind: .invalidGeometry) }
        return Polyline(vertices)
    }

    /// Reads a polygon's rings, fixing the winding with a warning; an unclosed ring is refused
    /// unless repairing (then it is closed and counted).
    static func readPolygon(_ reader: inout JSONReader, _ scratch: inout [Double], parser: inout GeoJSONParser) throws -> Polygon {
        var rings: [Ring] = []
        try reader.readArray { reader, index in
            var vertices: [Vertex] = []
            vertices.reserveCapacity(16)
            try reader.readArray { reader, _ in vertices.append(try readPosition(&reader, &scratch, parser: &parser).vertex) }
            let pointer = reader.pointer
            if vertices.count < 2 || vertices.first != vertices.last {
                guard parser.options.repair else {
                    throw reader.error("ring \(index) is not closed: its last position differs from its first (RFC 7946 section 3.1.6; geojsonhint rejects it); pass --repair to close it", kind: .invalidGeometry)
                }
                parser.repaired(.unclosedRing, pointer: pointer)
            } else if vertices.count < 4 {
                throw reader.error("ring \(index) has \(vertices.count) positions; a closed ring needs at least 4", kind: .invalidGeometry)
            }
            var ring = Ring(vertices)
            if let problem = ring.validityProblem() {
                if parser.options.allowInvalidRings && ring.vertices.count >= 3 {
                    parser.warn(.ignored, "ring \(index) is invalid: \(problem); kept as it is", pointer: pointer)
                } else {
                    throw reader.error("ring \(index) is invalid: \(problem); repair the geometry (e.g. shapely's make_valid, QuPath's Objects > Refine)", kind: .invalidGeometry)
                }
            }
            let wantCounterClockwise = index == 0
            if ring.doubleSignedArea != 0, ring.isCounterClockwise != wantCounterClockwise {
                parser.warn(.winding, "\(index == 0 ? "the outer ring" : "hole \(index)") is wound \(wantCounterClockwise ? "clockwise" : "counter-clockwise"); RFC 7946 asks for \(wantCounterClockwise ? "counter-clockwise outer rings" : "clockwise holes") (numerically), so it was reversed", pointer: pointer)
                ring = ring.reversed
            }
            rings.append(ring)
        }
        guard let exterior = rings.first else { throw reader.error("a Polygon needs at least one ring", kind: .invalidGeometry) }
        return Polygon(exterior: exterior, holes: Array(rings.dropFirst()))
    }
}
