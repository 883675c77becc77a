import MIFACore

/// napari's points and tracks tables (https://napari.org/stable/howtos/layers/points.html,
/// https://napari.org/stable/howtos/layers/tracks.html). napari puts pixel centres on integers and
/// lists axes slowest first (`z, y, x`), so coordinates are shifted by 0.5 on the way in and out.
public enum NapariCSV {
    /// Reads a points table: `index,axis-0,axis-1[,axis-2]` (`y, x` or `z, y, x`), and any further
    /// columns (`label` or `class` becomes the category; a `frame` column makes the first axis the
    /// frame of 2-D points; an `image` column names each point's image, and makes the first of
    /// three axes the image's place in a stack; others become properties). A napari Shapes table
    /// (`index,shape-type,vertex-index,axis-0,...`) is read as its shapes (``readShapes(path:)``),
    /// never as loose points.
    /// - Throws: ``AnnotationError`` `.io`, or `.malformed` naming the line.
    public static func readPoints(path: String) throws -> AnnotationReadResult {
        try readPoints(bytes: FileBytes.read(path), file: path)
    }

    /// Reads a points table from memory.
    /// - Throws: ``AnnotationError`` as ``readPoints(path:)``.
    public static func readPoints(bytes: [UInt8], file: String? = nil) throws -> AnnotationReadResult {
        let table = try CSVTable(bytes: bytes, file: file)
        if isShapesHeader(table.header) { return try readShapes(table: table, file: file) }
        let axes = table.header.filter { $0.hasPrefix("axis-") }
        guard axes == ["axis-0", "axis-1"] || axes == ["axis-0", "axis-1", "axis-2"] else {
            throw AnnotationError(.malformed, "a napari points table has columns axis-0, axis-1 (and axis-2 for 3-D); found \(table.header.joined(separator: ","))", context: ErrorContext(file: file, line: 1))
        }
        let axisColumns = axes.compactMap(table.column)
        let classColumn = table.column("label") ?? table.column("class")
        let frameColumn = table.column("frame")
        let imageColumn = table.column("image")
        let indexColumn = table.column("index")
        var document = AnnotationDocument()
        var categories: [String: Identifier] = [:]
        for (line, fields) in table.rows {
            let values = try zip(axes, axisColumns).map { try CSVTable.number(fields[$0.1], column: $0.0, line: line, file: file) }
            var annotation = Annotation(value: .classLabel)
            if let imageColumn {
                // The image a point is on (``encodePoints(_:)`` writes it for points of several images).
                let name = fields[imageColumn].trimmingWhitespace()
                if !name.isEmpty {
                    if !document.images.contains(where: { $0.id == .string(name) }) { document.images.append(ImageReference(id: .string(name), fileName: name)) }
                    annotation.imageID = .string(name)
                }
            }
            let point: Point
            if values.count == 3 && imageColumn != nil && frameColumn == nil {
                // axis-0 is the image's place in the stack, named by the image column.
                point = CoordinateTransform.convert(Point(x: values[2], y: values[1]), from: .center, to: .corner)
            } else if values.count == 3 && frameColumn != nil {
                point = CoordinateTransform.convert(Point(x: values[2], y: values[1]), from: .center, to: .corner)
                // The frame indexes per-frame tables and files: a whole number in the same range as a tracks table's t.
                guard values[0] >= 0, values[0] == values[0].rounded(), values[0] <= 1_000_000 else {
                    throw AnnotationError(.malformed, "axis-0 = \(values[0]) is not a frame index (a whole number from 0 to 1000000)", context: ErrorContext(file: file, line: line))
                }
                annotation.frame = Int(values[0])
            } else if values.count == 3 {
                point = CoordinateTransform.convert(Point(x: values[2], y: values[1], z: values[0]), from: .center, to: .corner)
            } else {
                point = CoordinateTransform.convert(Point(x: values[1], y: values[0]), from: .center, to: .corner)
            }
            annotation.value = .geometry(.point(point))
            if let indexColumn, let index = Int64(fields[indexColumn].trimmingWhitespace()) { annotation.id = .int(index) }
            for (column, name) in table.header.enumerated() where !axes.contains(name) && column != indexColumn && column != frameColumn && column != imageColumn {
                let text = fields[column]
                if column == classColumn {
                    guard !text.isEmpty else { continue }
                    if categories[text] == nil {
                        categories[text] = .string(text)
                        document.categories.append(Category(id: .string(text), name: text))
                    }
                    annotation.categoryID = categories[text]
                } else if let number = JSONNumber(literal: text.trimmingWhitespace()) {
                    annotation.properties[name] = .number(number)
                } else if !text.isEmpty {
                    annotation.properties[name] = .string(text)
                }
            }
            document.annotations.append(annotation)
        }
        return AnnotationReadResult(document: document)
    }

    /// Reads a tracks table: `track_id,t,[z,]y,x` and optionally `parent_track_id` (`-1` or empty
    /// for none). Each row becomes a point with its frame and track; the lineage comes from the
    /// parents.
    /// - Throws: ``AnnotationError`` `.io`, `.malformed` naming the line, or `.invalidTracks`.
    public static func readTracks(path: String) throws -> AnnotationReadResult {
        try readTracks(bytes: FileBytes.read(path), file: path)
    }

    /// Reads a tracks table from memory.
    /// - Throws: ``AnnotationError`` as ``readTracks(path:)``.
    public static func readTracks(bytes: [UInt8], file: String? = nil) throws -> AnnotationReadResult {
        let table = try CSVTable(bytes: bytes, file: file)
        guard let trackColumn = table.column("track_id"), let tColumn = table.column("t"), let yColumn = table.column("y"), let xColumn = table.column("x") else {
            throw AnnotationError(.malformed, "a napari tracks table has columns track_id, t, [z,] y, x; found \(table.header.joined(separator: ","))", context: ErrorContext(file: file, line: 1))
        }
        let zColumn = table.column("z")
        let parentColumn = table.column("parent_track_id")
        var document = AnnotationDocument()
        var spans: [Int64: (start: Int, end: Int, parent: Int64?)] = [:]
        var order: [Int64] = []
        var seen = Set<[Int64]>()
        for (line, fields) in table.rows {
            guard let track = Int64(fields[trackColumn].trimmingWhitespace()) else {
                throw AnnotationError(.malformed, "track_id '\(fields[trackColumn])' is not a whole number", context: ErrorContext(file: file, line: line))
            }
            let t = try CSVTable.number(fields[tColumn], column: "t", line: line, file: file)
            guard t >= 0, t == t.rounded(), t <= 1_000_000 else {
                throw AnnotationError(.malformed, "t = \(t) is not a frame index (a whole number from 0)", context: ErrorContext(file: file, line: line))
            }
            let frame = Int(t)
            guard seen.insert([track, Int64(frame)]).inserted else {
                throw AnnotationError(.invalidTracks, "track \(track) has two rows for frame \(frame)", context: ErrorContext(file: file, line: line))
            }
            let y = try CSVTable.number(fields[yColumn], column: "y", line: line, file: file)
            let x = try CSVTable.number(fields[xColumn], column: "x", line: line, file: file)
            let z = try zColumn.map { try CSVTable.number(fields[$0], column: "z", line: line, file: file) }
            var parent: Int64?
            if let parentColumn {
                let text = fields[parentColumn].trimmingWhitespace()
                if !text.isEmpty, let value = Int64(text), value >= 0, value != track { parent = value }
                else if !text.isEmpty, Int64(text) == nil {
                    throw AnnotationError(.malformed, "parent_track_id '\(text)' is not a whole number", context: ErrorContext(file: file, line: line))
                }
            }
            let point = CoordinateTransform.convert(Point(x: x, y: y, z: z), from: .center, to: .corner)
            document.annotations.append(Annotation(value: .geometry(.point(point)), frame: frame, trackID: track))
            if var span = spans[track] {
                span.start = min(span.start, frame)
                span.end = max(span.end, frame)
                if span.parent == nil { span.parent = parent }
                spans[track] = span
            } else {
                spans[track] = (frame, frame, parent)
                order.append(track)
            }
        }
        let tracking = Tracking(tracks: order.map { Track(id: $0, start: spans[$0]!.start, end: spans[$0]!.end, parent: spans[$0]!.parent) })
        do {
            try tracking.validate(requirePositiveIDs: false)
        } catch var error as AnnotationError {
            error.context.file = file
            throw error
        }
        document.tracking = tracking
        return AnnotationReadResult(document: document)
    }
}
