import Foundation
import MIFACore

/// Reading and writing whole files for the annotation formats.
enum FileBytes {
    /// The bytes of the file at `path`.
    /// - Throws: ``AnnotationError`` `.io` naming the file.
    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let reason = !exists ? "it does not exist" : isDirectory.boolValue ? "it is a folder" : "it cannot be read"
            throw AnnotationError(.io, "cannot read '\(path)': \(reason)", context: ErrorContext(file: path))
        }
        return [UInt8](data)
    }

    /// Writes `bytes` to `path` atomically.
    /// - Throws: ``AnnotationError`` `.io` naming the file.
    static func write(_ bytes: [UInt8], to path: String) throws {
        do {
            try AtomicFile.write(bytes, to: path)
        } catch {
            throw AnnotationError(.io, "cannot write '\(path)'", context: ErrorContext(file: path), underlying: error)
        }
    }
}
