import MIFACore

/// `versions/objects/sha256/`: content-addressed copies of files that a later version replaced or
/// removed, and of every version's file list, so that any earlier version can be restored bit for bit.
///
/// An object's name is the SHA-256 of its bytes; storing is idempotent and every copy is verified.
public struct ObjectStore: Sendable {
    /// The package root.
    public let packageRoot: String
    /// Where objects are read from.
    let reader: PackageReader

    /// The object store of the package folder `packageRoot`.
    public init(packageRoot: String) {
        self.init(packageRoot: packageRoot, reader: PackageReader(folder: packageRoot))
    }

    /// The object store of the package at `packageRoot` read through `reader` (only a folder's can be written).
    init(packageRoot: String, reader: PackageReader) {
        self.packageRoot = packageRoot
        self.reader = reader
    }

    /// The absolute path of an object.
    public func path(of digest: SHA256Digest) -> String { "\(packageRoot)/\(PackageLayout.object(digest))" }

    /// Whether an object is stored.
    public func contains(_ digest: SHA256Digest) -> Bool { (try? reader.isFile(PackageLayout.object(digest))) ?? false }

    /// Stores bytes under their digest (nothing happens when they are already stored) and returns the digest.
    /// - Throws: ``PackageError`` `.io`.
    @discardableResult
    public func store(_ bytes: [UInt8]) throws -> SHA256Digest {
        let digest = SHA256Digest(of: bytes)
        guard !contains(digest) else { return digest }
        try PackageFileSystem.createDirectories("\(packageRoot)/\(PackageLayout.objects)")
        do {
            try AtomicFile.write(bytes, to: path(of: digest))
        } catch {
            throw PackageError(.io, error.message, context: error.context)
        }
        return digest
    }

    /// Copies the file at `source` into the store, checking that its content has the digest
    /// `expected` (nothing happens when that object is already stored).
    /// - Throws: ``PackageError`` `.digestMismatch` when the file's content is not what the
    ///   manifest recorded (the copy is not kept), `.io` when it cannot be copied.
    public func store(fileAt source: String, expected: SHA256Digest, displayPath: String) throws {
        guard !contains(expected) else { return }
        try PackageFileSystem.copy(source, to: path(of: expected), expected: expected, displayPath: displayPath)
    }

    /// Stores the object `digest` as a placeholder (see `CarriedFiles`) for a file of the same
    /// digest that a partial copy of a package in object storage left there: publishing the change
    /// copies that file to the object's place on the server, checked; nothing is downloaded here
    /// (nothing happens when the object is already stored).
    /// - Throws: ``PackageError`` `.io`.
    func storePlaceholder(_ digest: SHA256Digest) throws {
        guard !contains(digest) else { return }
        try PackageFileSystem.createDirectories("\(packageRoot)/\(PackageLayout.objects)")
        try PackageFileSystem.makePlaceholder(path(of: digest))
    }

    /// The bytes of a stored object, checked against its digest.
    /// - Throws: ``PackageError`` `.missingObject` when it is not stored, `.digestMismatch` when its
    ///   content was altered, `.io` when it cannot be read.
    public func read(_ digest: SHA256Digest) throws -> [UInt8] {
        guard let bytes = try reader.readIfPresent(PackageLayout.object(digest)) else {
            throw PackageError(.missingObject, "the object \(digest.hex) is missing from \(PackageLayout.objects); the version that needs it cannot be restored", context: ErrorContext(file: PackageLayout.object(digest)))
        }
        guard SHA256Digest(of: bytes) == digest else {
            throw PackageError(.digestMismatch, "the object \(digest.hex) does not have the content its name promises; it was altered", context: ErrorContext(file: PackageLayout.object(digest)))
        }
        return bytes
    }
}
