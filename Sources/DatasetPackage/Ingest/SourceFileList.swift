import Foundation
import MIFACore

/// A BioImage Archive style file list (MIFA-MODEL.md, "File lists"): a TSV or CSV table whose
/// first column, `Files`, is a path relative to the dataset folder and whose other columns are
/// attributes of that file. `Source image` and `Annotation type` are read (header match ignores
/// case and treats spaces and underscores alike); every other column is kept as an attribute, and
/// `Split` (the machine-learning split of the file's image) is also read.
///
/// The table is read by MIFACore's `DelimitedTable` (a tab separator when the header line has one,
/// otherwise a comma; RFC 4180 quoting; blank lines skipped); rows may be shorter than the header.
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
        let records: [DelimitedTable.Record]
        do {
            records = try DelimitedTable(bytes: bytes, file: file).records
        } catch let error as CoreError {
            throw PackageError(.invalidInput, error.message, context: error.context, underlying: error)
        }
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
}
