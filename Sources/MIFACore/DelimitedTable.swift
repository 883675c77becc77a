/// The records of a comma- or tab-separated table, each with the line it starts on: the one
/// reader behind every CSV and TSV MIFAKit reads (napari CSVs, points, file lists), so the same
/// file parses the same way in every command.
///
/// The rules (RFC 4180, plus what spreadsheets write): a UTF-8 byte order mark is skipped; a
/// record ends at `\n`, `\r\n` or a lone `\r`; a field that starts with `"` is quoted and may hold
/// separators, quotes (doubled, `""`) and line breaks; characters after a closing quote are kept
/// in the field; lines that are empty or hold only spaces and tabs (no quotes) are skipped. Records may have
/// any number of fields: whether a short or long row is an error is the caller's rule, which
/// knows its header.
///
/// The scan works on UTF-8 bytes: separators, quotes and line ends are ASCII, and no byte of a
/// multi-byte UTF-8 sequence is ASCII, so splitting bytes splits characters exactly.
public struct DelimitedTable: Sendable {
    /// One record: its fields and the 1-based line it starts on.
    public struct Record: Sendable, Hashable {
        /// The 1-based line of the record's first character.
        public var line: Int
        /// The fields, unquoted, as written (not trimmed).
        public var fields: [String]
    }

    /// The records, the header (if the format has one) first.
    public var records: [Record]
    /// The separator the table was read with.
    public var separator: UInt8

    /// Reads a table from its bytes.
    /// - Parameters:
    ///   - bytes: the table's bytes (UTF-8, an optional byte order mark first).
    ///   - separator: the field separator; `nil` chooses a tab when the first line holds one and a
    ///     comma otherwise.
    ///   - file: the file the bytes came from, for errors.
    /// - Throws: ``CoreError`` `.malformedTable` when the bytes are not UTF-8 text or a quoted field
    ///   is never closed (naming the line where it opened).
    public init(bytes: some Collection<UInt8>, separator: UInt8? = nil, file: String? = nil) throws {
        var body = Array(bytes)[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard String(validating: body, as: UTF8.self) != nil else {
            throw CoreError(.malformedTable, "the table is not UTF-8 text; save it as UTF-8 CSV or TSV", context: ErrorContext(file: file))
        }
        let firstLine = body.prefix { $0 != 0x0A && $0 != 0x0D }
        let separator = separator ?? (firstLine.contains(0x09) ? 0x09 : 0x2C)
        self.separator = separator
        self.records = try Self.scan(body, separator: separator, file: file)
    }

    private static func scan(_ bytes: ArraySlice<UInt8>, separator: UInt8, file: String?) throws -> [Record] {
        let quote: UInt8 = 0x22, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var fieldStarted = false
        var inQuotes = false
        var recordQuoted = false
        var line = 1, recordLine = 1, quoteLine = 1
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldStarted = false
        }
        func endRecord() {
            endField()
            let blank = !recordQuoted && fields.count == 1 && fields[0].allSatisfy { $0 == " " || $0 == "\t" }
            if !blank { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
            recordQuoted = false
        }
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            if inQuotes {
                if byte == quote {
                    if index < bytes.endIndex && bytes[index] == quote {
                        field.append(quote)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    // A line break inside a quoted field is kept; \r\n counts as one line.
                    if byte == lf || (byte == cr && (index == bytes.endIndex || bytes[index] != lf)) { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case quote where !fieldStarted:
                inQuotes = true
                recordQuoted = true
                fieldStarted = true
                quoteLine = line
            case separator:
                endField()
            case lf, cr:
                if byte == cr && index < bytes.endIndex && bytes[index] == lf { index += 1 }
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(byte)
                fieldStarted = true
            }
        }
        if inQuotes {
            throw CoreError(.malformedTable, "a quoted field opened on this line is never closed", context: ErrorContext(file: file, line: quoteLine))
        }
        if fieldStarted || !fields.isEmpty { endRecord() }
        return records
    }
}
