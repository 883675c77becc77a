import Foundation
import MIFACore

/// Reading and writing whole files, and listing folders, for the annotation formats.
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

    /// The names in the folder `folder`, sorted by their bytes (see `FileSystem.entries(of:)`).
    /// - Throws: ``AnnotationError`` `.io` naming the folder when it is not there or cannot be
    ///   listed (a folder that cannot be read is not taken for an empty one).
    static func names(in folder: String) throws -> [String] {
        let names: [String]?
        do {
            names = try FileSystem.entries(of: folder)
        } catch {
            throw AnnotationError(.io, error.message, context: error.context)
        }
        guard let names else {
            throw AnnotationError(.io, "'\(folder)' is not a folder (or is not there)", context: ErrorContext(file: folder))
        }
        return names
    }
}
