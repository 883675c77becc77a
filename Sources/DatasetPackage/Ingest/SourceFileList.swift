import Foundation
import MIFACore

/// A BioImage Archive style file list (MIFA-MODEL.md, "File lists"): a TSV or CSV table whose
/// first column, `Files`, is a path relative to the dataset folder and whose other columns are
/// attributes of that file. `Source image` and `Annotation type` are read (header match ignores
/// case and treats spaces and underscores alike); every other column is kept as an attribute, and
/// `Split` (the machine-learning split of the file's image) is also read.
///
/// The separator is a tab when the header line has one, otherwise a comma. Fields may be quoted
/// with `"` (a doubled `""` is a quote); blank lines are skipped.
public struct SourceFileList: Sendable {
    /// One row: a file and what the table says about it.
    public struct Row: Sendable, Hashable {
        /// The 1-based line of the row in the table.
        public var line: Int
        /// The `Files` value: a path relative to the source folder.
        public var path: String
        /// The `Source image` value, if the column exists and the cell is not blank.
        public var sourceImage: String?
        /// The source images the `Source image` cell names: one, or several separated by commas
        /// (a COCO or GeoJSON file that annotates several images).
        public var sourceImages: [String] {
            (sourceImage ?? "").split(separator: ",").map { SourceFileList.normalizedPath($0.trimmingCharacters(in: .whitespaces)) }.filter { !$0.isEmpty }
        }
        /// The `Annotation type` value, if the column exists and the cell is not blank.
        public var annotationType: String?
        /// Every other column, in table order, with blank cells left out.
        public var attributes: [Attribute]
        /// The `Split` value (train, validation, test, or any named split), if the column exists and
        /// the cell is not blank; it is also kept as an attribute.
        public var split: String? {
            attributes.first { SourceFileList.headerKey($0.name) == "split" }?.value
        }
    }

    /// A column value kept as a file attribute.
    public struct Attribute: Sendable, Hashable, Codable {
        /// The column header as written.
        public var name: String
        /// The cell.
        public var value: String

        /// An attribute.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The file the table was read from.
    public var file: String
    /// The data rows.
    public var rows: [Row]

    /// The largest file list read (64 MiB).
    public static let maximumBytes = 64 << 20

    /// Reads a file list.
    /// - Throws: ``PackageError`` `.invalidInput` naming the file and line: unreadable, not UTF-8,
    ///   no `Files` column, a row with more cells than the header, an unterminated quote, a path
    ///   listed twice or leaving the folder.
    public init(contentsOf path: String) throws {
        let bytes = try PackageFileSystem.read(path, limit: Self.maximumBytes, followingLinks: true)
        try self.init(bytes: bytes, file: path)
    }

    /// Parses a file list from its bytes.
    /// - Throws: as ``init(contentsOf:)``.
    public init(bytes: [UInt8], file: String) throws {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let text = String(validating: body, as: UTF8.self) else {
            throw PackageError(.invalidInput, "the file list is not UTF-8 text; save it as UTF-8 TSV or CSV", context: ErrorContext(file: file))
        }
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r\n" }
        let separator: Character = firstLine.contains("\t") ? "\t" : ","
        let records = try Self.records(text, separator: separator, file: file)
        guard let header = records.first else {
            throw PackageError(.invalidInput, "the file list is empty; its first line must be a header starting with 'Files'", context: ErrorContext(file: file, line: 1))
        }
        let keys = header.fields.map(Self.headerKey)
        guard let filesColumn = keys.firstIndex(of: "files") else {
            throw PackageError(.invalidInput, "the header has no 'Files' column (found \(header.fields.map { "'\($0)'" }.joined(separator: ", "))); the first column must be 'Files', a path relative to the source folder", context: ErrorContext(file: file, line: header.line))
        }
        let sourceColumn = keys.firstIndex(of: "source image")
        let typeColumn = keys.firstIndex(of: "annotation type")
        var seen: [String: Int] = [:]
        var rows: [Row] = []
        for record in records.dropFirst() {
            guard record.fields.count <= header.fields.count else {
                throw PackageError(.invalidInput, "the row has \(record.fields.count) cells but the header has \(header.fields.count) columns", context: ErrorContext(file: file, line: record.line))
            }
            func cell(_ column: Int?) -> String? {
                guard let column, column < record.fields.count else { return nil }
                let value = record.fields[column].trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
            guard let rawPath = cell(filesColumn) else {
                throw PackageError(.invalidInput, "the row has no value in the 'Files' column", context: ErrorContext(file: file, line: record.line))
            }
            let path = Self.normalizedPath(rawPath)
            do {
                try PackageLayout.checkRelativePath(path)
            } catch {
                throw PackageError(.invalidInput, "'\(rawPath)' is not a path inside the source folder (no leading '/', no '..')", context: ErrorContext(file: file, line: record.line))
            }
            if let first = seen[path] {
                throw PackageError(.invalidInput, "'\(path)' is listed twice (first on line \(first)); list each file once", context: ErrorContext(file: file, line: record.line))
            }
            seen[path] = record.line
            let attributes = header.fields.indices.filter { $0 != filesColumn && $0 != sourceColumn && $0 != typeColumn }
                .compactMap { column in cell(column).map { Attribute(name: header.fields[column].trimmingCharacters(in: .whitespaces), value: $0) } }
            rows.append(Row(line: record.line, path: path, sourceImage: cell(sourceColumn).map(Self.normalizedPath), annotationType: cell(typeColumn), attributes: attributes))
        }
        self.file = file
        self.rows = rows
    }

    /// A header cell as compared (also an attribute's name): lower case, underscores as spaces, runs of spaces as one, trimmed.
    public static func headerKey(_ text: String) -> String {
        text.lowercased().replacingOccurrences(of: "_", with: " ").split(separator: " ").joined(separator: " ")
    }

    /// A path with `./` prefixes and backslashes (Windows spreadsheets) normalised.
    static func normalizedPath(_ text: String) -> String {
        var path = text.replacingOccurrences(of: "\\", with: "/")
        while path.hasPrefix("./") { path.removeFirst(2) }
        return path
    }

    /// The records of the table with their first line numbers.
    static func records(_ text: String, separator: Character, file: String) throws -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var quoteLine = 1
        var characters = Array(text)[...]
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty) { records.append((recordLine, fields)) }
            fields = []
            field = ""
        }
        while let character = characters.popFirst() {
            if inQuotes {
                if character == "\"" {
                    if characters.first == "\"" { field.append("\""); characters.removeFirst() } else { inQuotes = false }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty:
                inQuotes = true
                quoteLine = line
            case separator:
                fields.append(field)
                field = ""
            case "\n", "\r\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(character)
            }
        }
        if inQuotes {
            throw PackageError(.invalidInput, "a quoted cell opened here is never closed", context: ErrorContext(file: file, line: quoteLine))
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
