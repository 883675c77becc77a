import Foundation
import MIFACore

/// Reading and writing whole files for the annotation formats.
enum FileBytes {
    /// The largest annotation file read whole (4 GiB: COCO files of whole-slide datasets reach
    /// a few GB).
    static let maximumBytes = 1 << 32

    /// The bytes of the regular file at `path` (a FIFO or device is refused before it can block).
    /// - Throws: ``AnnotationError`` `.io` naming the file, `.unsupported` over ``maximumBytes``.
    static func read(_ path: String) throws -> [UInt8] {
        do {
            return try RegularFile.contents(of: path, limit: maximumBytes, followingLinks: true)
        } catch let error as CoreError {
            throw AnnotationError(error.kind == .tooLarge ? .unsupported : .io, error.message, context: error.context)
        }
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
