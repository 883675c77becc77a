import MIFACore

/// A comma-separated table with a header: ``DelimitedTable``'s records (RFC 4180 quoting, line
/// numbers), every row as long as the header.
struct CSVTable {
    /// The header row.
    var header: [String]
    /// The data rows with their 1-based line numbers.
    var rows: [(line: Int, fields: [String])]

    /// Parses CSV text.
    /// - Throws: ``AnnotationError`` `.malformed` for text that is not UTF-8, an unterminated
    ///   quote, no header, or a row with another number of fields than the header, naming the line.
    init(bytes: [UInt8], file: String?) throws {
        let table: DelimitedTable
        do {
            table = try DelimitedTable(bytes: bytes, separator: UInt8(ascii: ","), file: file)
        } catch let error as CoreError {
            throw AnnotationError(.malformed, error.message, context: error.context, underlying: error)
        }
        guard let first = table.records.first else {
            throw AnnotationError(.malformed, "the CSV file is empty; expected a header row", context: ErrorContext(file: file))
        }
        header = first.fields.map { $0.trimmingWhitespace() }
        rows = []
        for record in table.records.dropFirst() {
            guard record.fields.count == header.count else {
                throw AnnotationError(.malformed, "this row has \(record.fields.count) fields but the header has \(header.count)",
                                      context: ErrorContext(file: file, line: record.line))
            }
            rows.append((record.line, record.fields))
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
