import MIFACore

/// The content of one version of a package, readable file by file: a stored version (its files
/// come from the package tree or the object store) or a staged tree that is about to become one.
///
/// Every read is checked against the file list's digest, so comparisons between versions never
/// see a file that was changed outside mifa.
public struct VersionContent: Sendable {
    /// The version's files.
    public let fileList: FileList
    private let reader: @Sendable (String) throws -> [UInt8]

    /// Content with a file list and a function reading a package-relative path.
    public init(fileList: FileList, read: @escaping @Sendable (String) throws -> [UInt8]) {
        self.fileList = fileList
        self.reader = read
    }

    /// A stored version of `package` (see ``DatasetPackage/contents(of:in:)``).
    /// - Throws: ``PackageError`` `.invalidVersion` for an unknown version, `.missingObject`, `.malformed`, `.io`.
    public static func version(_ version: String, of package: DatasetPackage) throws -> VersionContent {
        let list = try package.fileList(of: version)
        return VersionContent(fileList: list) { try package.contents(of: $0, in: list) }
    }

    /// A tree at `root` (a staging folder) whose files `fileList` lists.
    public static func tree(_ root: String, fileList: FileList) -> VersionContent {
        VersionContent(fileList: fileList) { relative in
            guard let entry = fileList.files[relative] else {
                throw PackageError(.invalidPath, "the version has no file '\(relative)'", context: ErrorContext(file: relative))
            }
            let bytes = try PackageFileSystem.read("\(root)/\(relative)")
            guard SHA256Digest(of: bytes) == entry.sha256 else {
                throw PackageError(.digestMismatch, "'\(relative)' changed while the version was being made", context: ErrorContext(file: relative))
            }
            return bytes
        }
    }

    /// The bytes of a file of the version, checked against its digest.
    /// - Throws: ``PackageError`` `.invalidPath` for a path the version does not have, `.missingObject`,
    ///   `.digestMismatch`, `.io`.
    public func read(_ relative: String) throws -> [UInt8] { try reader(relative) }

    /// Whether the version has the file.
    public func contains(_ relative: String) -> Bool { fileList.files[relative] != nil }
}
