import MIFACore

/// A comma-separated table (RFC 4180: quoted fields may hold commas, quotes and line breaks).
struct CSVTable {
    /// The header row.
    var header: [String]
    /// The data rows with their 1-based line numbers.
    var rows: [(line: Int, fields: [String])]

    /// Parses CSV text.
    /// - Throws: ``AnnotationError`` `.malformed` for an unterminated quote or a row with another
    ///   number of fields than the header, naming the line.
    init(bytes: [UInt8], file: String?) throws {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw AnnotationError(.malformed, "the CSV file is not UTF-8 text", context: ErrorContext(file: file))
        }
        var records: [(Int, [String])] = []
        var field = ""
        var fields: [String] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let scalar = pending { pending = nil; return scalar }
            return iterator.next()
        }
        var sawAny = false
        while let scalar = next() {
            sawAny = true
            if inQuotes {
                if scalar == "\"" {
                    if let following = next() {
                        if following == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = following }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty: inQuotes = true
            case ",":
                fields.append(field)
                field = ""
            case "\r": continue
            case "\n":
                fields.append(field)
                field = ""
                if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
                fields = []
                line += 1
                recordLine = line
            default: field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw AnnotationError(.malformed, "a quoted field is not closed", context: ErrorContext(file: file, line: recordLine)) }
        if sawAny && (!field.isEmpty || !fields.isEmpty) {
            fields.append(field)
            records.append((recordLine, fields))
        }
        guard let first = records.first else { throw AnnotationError(.malformed, "the CSV file is empty; expected a header row", context: ErrorContext(file: file)) }
        header = first.1.map { $0.trimmingWhitespace() }
        rows = []
        for (line, fields) in records.dropFirst() {
            guard fields.count == header.count else {
                throw AnnotationError(.malformed, "this row has \(fields.count) fields but the header has \(header.count)", context: ErrorContext(file: file, line: line))
            }
            rows.append((line, fields))
        }
    }

    /// The index of a column, or `nil`.
    func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// The number in a field, or an error naming the line and column.
    static func number(_ text: String, column: String, line: Int, file: String?) throws -> Double {
        guard let value = Double(text.trimmingWhitespace()), value.isFinite else {
            throw AnnotationError(.malformed, "column \(column) holds '\(text.prefix(40))', expected a finite number", context: ErrorContext(file: file, line: line))
        }
        return value
    }

    /// A field written for CSV: quoted when it holds a comma, quote or line break.
    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingQuotes() + "\""
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }

    func replacingQuotes() -> String {
        var result = ""
        for character in self {
            result.append(character)
            if character == "\"" { result.append("\"") }
        }
        return result
    }
}

/// Formats a number for CSV: whole numbers without a fraction, others in the shortest exact form.
func csvNumber(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 9e15 { return String(Int64(value)) }
    return value.description
}
