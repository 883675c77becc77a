import MIFACore
public import Zarr

/// A read-only Zarr store over one version of a package, so that OME-Zarr images and labels of any
/// version (also those kept only in the object store) open with the OMEZarr module. Keys are
/// package-relative paths.
public struct VersionStore: ZarrStore {
    /// The version read.
    public let content: VersionContent
    /// Where the version is, for messages.
    public let location: String

    /// A store over `content`; `location` names it in messages (e.g. `pkg@2`).
    public init(_ content: VersionContent, location: String) {
        self.content = content
        self.location = location
    }

    /// Never writable.
    public var isWritable: Bool { false }

    /// Always `true`: every file is read whole, to be checked against its digest, and a range is
    /// cut from it.
    public var rangesIgnored: Bool { true }

    /// The value of a file of the version, or part of it; `nil` when the version has no such file.
    /// - Throws: `ZarrError` `.storeFailure` wrapping the package error when the file cannot be read.
    public func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
        guard content.contains(key.value) else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try content.read(key.value)
        } catch let error as PackageError {
            throw ZarrError(.storeFailure, "cannot read '\(key.value)' of \(location): \(error.message)", context: ErrorContext(file: location, key: key.value), underlying: error)
        }
        let (offset, count) = ByteRange.resolve(range, size: bytes.count)
        return Array(bytes[offset..<(offset + count)])
    }

    /// Refused: a version is immutable.
    /// - Throws: `ZarrError` `.readOnly`.
    public func set(_ key: StoreKey, _ bytes: [UInt8]) throws { throw refusal(key) }

    /// Refused: a version is immutable.
    /// - Throws: `ZarrError` `.readOnly`.
    public func delete(_ key: StoreKey) throws { throw refusal(key) }

    /// The version's files under `prefix`, sorted.
    /// - Throws: `ZarrError` `.invalidKey` for a path that is not a store key.
    public func list(prefix: String) throws -> [StoreKey] {
        try content.fileList.paths.filter { $0.hasPrefix(prefix) }.map(StoreKey.init)
    }

    private func refusal(_ key: StoreKey) -> ZarrError {
        ZarrError(.readOnly, "\(location) is a stored version and cannot be changed; make a new version with `mifa version`", context: ErrorContext(file: location, key: key.value))
    }
}
