public import MIFACore
import Foundation

/// The text formats metadata is read from.
public enum MetadataFormat: String, Sendable, Hashable, CaseIterable {
    /// Strict JSON (RFC 8259), as `mifa.json`.
    case json
    /// YAML, as the BioImage Archive's curators write MIFA metadata.
    case yaml

    /// The format a file name implies: `.json` is JSON, `.yaml`/`.yml` YAML; `nil` otherwise.
    public static func implied(byPath path: String) -> MetadataFormat? {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".json") { return .json }
        if lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") { return .yaml }
        return nil
    }

    /// The format of unnamed bytes: JSON if the first non-whitespace byte opens an object or array.
    public static func sniffed(from bytes: some Collection<UInt8>) -> MetadataFormat {
        let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? .json : .yaml
    }
}

/// Reads MIFA metadata files: the one entry point from bytes on disk to a validated document.
///
/// ```swift
/// let loaded = try MetadataReader.read(contentsOf: "Study_S-BIAD634.yaml")
/// loaded.kind                    // .study
/// loaded.report.isValid          // true
/// for issue in loaded.report.issues { print(issue) }
/// ```
///
/// Problems inside a readable document never throw: they are all in the report. Only a file that
/// cannot be read as JSON or YAML at all throws a ``MetadataError`` naming the file, line and column.
public enum MetadataReader {
    /// The largest metadata file read (64 MiB); metadata is text and far smaller.
    public static let maximumFileBytes = 64 << 20

    /// The metadata file of a package or dataset folder: `mifa.json`, else `mifa.yaml`, else
    /// `mifa.yml`; `nil` if there is none.
    public static func metadataFile(inDirectory directory: String) -> String? {
        for name in ["mifa.json", "mifa.yaml", "mifa.yml"] {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            if let kind = FileSystem.resolvedKind(of: path), kind != .directory { return path }
        }
        return nil
    }

    /// Reads, normalises and validates the metadata file at `path` (or, for a directory, its
    /// ``metadataFile(inDirectory:)``). The format follows the extension, else the content.
    ///
    /// - Throws: ``MetadataError``: `.unreadable` (missing, unreadable, a folder without metadata,
    ///   too large), `.invalidEncoding`, `.invalidJSON` / `.invalidYAML` with line and column,
    ///   `.emptyDocument`, `.tooLarge`.
    public static func read(contentsOf path: String) throws -> LoadedMetadata {
        var file = path
        guard let kind = FileSystem.resolvedKind(of: path) else {
            throw MetadataError(.unreadable, "no such file or folder", context: ErrorContext(file: path))
        }
        if kind == .directory {
            guard let found = metadataFile(inDirectory: path) else {
                throw MetadataError(
                    .unreadable, "the folder has no mifa.json, mifa.yaml or mifa.yml; name the metadata file instead",
                    context: ErrorContext(file: path))
            }
            file = found
        }
        let bytes = try readBytes(file)
        return try read(bytes: bytes, format: MetadataFormat.implied(byPath: file), file: file)
    }

    /// Reads, normalises and validates metadata from bytes.
    ///
    /// - Parameters:
    ///   - bytes: the document, UTF-8.
    ///   - format: JSON or YAML; `nil` to decide from the content.
    ///   - file: the file name to put in errors.
    /// - Throws: ``MetadataError``, as ``read(contentsOf:)`` (except `.unreadable`).
    public static func read(bytes: some Collection<UInt8>, format: MetadataFormat?, file: String? = nil) throws -> LoadedMetadata {
        let bytes = Array(bytes)
        let format = format ?? MetadataFormat.sniffed(from: bytes)
        let (value, positions) = try parse(bytes: bytes, format: format, file: file)
        return load(value, positions: positions, format: format, file: file)
    }

    /// Normalises and validates an already parsed document.
    public static func load(_ value: JSONValue, positions: JSONSourceMap = JSONSourceMap(), format: MetadataFormat = .json, file: String? = nil) -> LoadedMetadata {
        let (document, kind, report) = MetadataPipeline.run(value, positions: positions)
        return LoadedMetadata(file: file, format: format, kind: kind, document: document, report: report, source: value)
    }

    /// Parses bytes into a `JSONValue` with the position of every value, without validating.
    /// - Throws: ``MetadataError`` `.invalidEncoding`, `.invalidJSON`, `.invalidYAML`, `.emptyDocument`, `.tooLarge`.
    public static func parse(bytes: [UInt8], format: MetadataFormat, file: String? = nil) throws -> (value: JSONValue, positions: JSONSourceMap) {
        switch format {
        case .json:
            do {
                return try JSONParser.parseWithPositions(bytes, file: file, options: JSONParser.Options(maximumDepth: 512, recordsPositions: true))
            } catch let error as CoreError {
                let empty = bytes.allSatisfy { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
                throw MetadataError(empty ? .emptyDocument : .invalidJSON, error.message, context: error.context)
            }
        case .yaml:
            var body = bytes[...]
            if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
            guard let text = String(validating: body, as: UTF8.self) else {
                let position = firstInvalidUTF8(in: Array(body))
                throw MetadataError(
                    .invalidEncoding, "the file is not valid UTF-8 text; save it as UTF-8",
                    context: ErrorContext(file: file, line: position.line, column: position.column))
            }
            return try YAMLReader.read(text, file: file)
        }
    }

    static func readBytes(_ path: String) throws -> [UInt8] {
        do {
            return try RegularFile.contents(of: path, limit: maximumFileBytes, followingLinks: true)
        } catch let error as CoreError where error.kind == .tooLarge {
            throw MetadataError(.tooLarge, "\(error.message); metadata files over \(maximumFileBytes) bytes are not read", context: error.context)
        } catch let error as CoreError {
            throw MetadataError(.unreadable, error.message, context: error.context)
        }
    }

    /// Line and column of the first byte that breaks UTF-8.
    static func firstInvalidUTF8(in bytes: [UInt8]) -> SourcePosition {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var line = 1
        var column = 1
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1 && encoded.first == 0x0A {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .error, .emptyInput:
                return SourcePosition(line: line, column: column)
            }
        }
    }
}
