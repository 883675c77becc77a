public import MIFACore
public import MIFAModel

/// What differs between two versions of a package: files, objects per annotation set, and credit.
public struct VersionDiff: Codable, Sendable, Hashable {
    /// The older side of the comparison (as given).
    public var from: String
    /// The newer side of the comparison (as given).
    public var to: String
    /// Files added, removed and modified going from ``from`` to ``to``.
    public var files: FileChanges
    /// Objects added, removed and changed per annotation set.
    public var annotations: [String: ObjectChanges]
    /// Annotators credited by ``to`` but not ``from``, and the reverse.
    public var credit: CreditChanges
    /// Where the metadata (`mifa.json`) differs, as JSON pointers; empty when it is the same.
    public var metadata: JSONDifferences

    /// Annotators credited on one side only.
    public struct CreditChanges: Codable, Sendable, Hashable {
        /// Credited by the `to` version only.
        public var added: [Author]
        /// Credited by the `from` version only.
        public var removed: [Author]
    }

    /// Whether the two versions have the same content and credit.
    public var isEmpty: Bool { files.isEmpty && annotations.isEmpty && credit.added.isEmpty && credit.removed.isEmpty && metadata.isEmpty }
}

extension DatasetPackage {
    /// Compares any two versions (adjacent or not, in either order) from their stored file lists and
    /// content, not from the records' summaries.
    /// - Throws: ``PackageError`` `.invalidVersion` for an unknown version, `.missingObject`,
    ///   `.digestMismatch`, `.malformed`, `.io`, and the errors of reading annotations or labels.
    public func diff(from old: String, to new: String) throws -> VersionDiff {
        let before = try VersionContent.version(old, of: self)
        let after = try VersionContent.version(new, of: self)
        let files = FileChanges(from: before.fileList, to: after.fileList)
        let annotations = try AnnotationChanges.between(before, after, files: files, oldName: "\(root)@\(old)", newName: "\(root)@\(new)")
        let oldCredit = try record(old).record.creditedAnnotators
        let newCredit = try record(new).record.creditedAnnotators
        let credit = VersionDiff.CreditChanges(
            added: newCredit.filter { person in !oldCredit.contains { $0.isSamePerson(as: person) } },
            removed: oldCredit.filter { person in !newCredit.contains { $0.isSamePerson(as: person) } })
        var metadata = JSONDifferences()
        if files.modified.contains(PackageLayout.metadata) {
            let file = PackageLayout.metadata
            let before = try JSONParser.parse(before.read(file), file: "\(root)@\(old)/\(file)")
            metadata = before.differences(to: try JSONParser.parse(after.read(file), file: "\(root)@\(new)/\(file)"))
        }
        return VersionDiff(from: old, to: new, files: files, annotations: annotations, credit: credit, metadata: metadata)
    }
}
