import MIFACore
public import MIFAModel

/// Who is credited for what in a package, version by version (`mifa credits`).
///
/// Everything about objects is computed from the stored versions, never taken from the records or
/// the input: each version's annotation sets are compared with the previous version's object by
/// object (``AnnotationChanges``, the comparison `mifa diff` makes), so an object's
/// ``ObjectProvenance/createdIn`` is the version whose content first has it (again, after a
/// removal) and ``ObjectProvenance/lastChangedIn`` the last version whose content changes it.
/// Objects are followed by id (vector objects' ids, `<image>:<value>` for label objects); objects
/// without ids are only counted, since their names (`#<index>`) are positions.
///
/// Who made a version's changes to a set is the record's ``VersionRecord/setCredits``; records made
/// before per-set credit do not have it, and for them the set's authors in that version's
/// `mifa.json` that the previous version's did not list are taken (``VersionCredit/derived``).
/// An object whose source names its annotator (``ObjectAnnotator``) is credited to that person
/// (``SetCredit/objectAnnotators``, ``ObjectProvenance/annotator``); the set's credited people are
/// credited for the version's other objects and for its removals.
public struct CreditHistory: Codable, Sendable, Hashable {
    /// The version the history runs up to.
    public var version: String
    /// Each version of the lineage, first to ``version``.
    public var versions: [VersionCredit]
    /// Everyone ``version`` credits, in the record's order, then the annotators named by objects
    /// (``ObjectAnnotator``) who are not among them, in order of first appearance.
    public var people: [PersonCredit]
    /// Per set id, per object id: where the object was made and last changed (objects of ``version`` only).
    public var objects: [String: [String: ObjectProvenance]]
}

/// One version's credit: who is credited on which set, and what the version did to each set.
public struct VersionCredit: Codable, Sendable, Hashable {
    /// The version id.
    public var version: String
    /// When it was made.
    public var timestamp: String
    /// What changed, in its maker's words.
    public var changes: String
    /// Per set id: who is credited for the version's changes, and the objects created, changed and removed.
    public var sets: [String: SetCredit]
    /// Whether ``sets``' credited people were derived from `mifa.json` (a record without `set_credits`).
    public var derived: Bool
    /// Credit removed on purpose by this version.
    public var creditRemoved: [CreditRemoval]
    /// The proposal this version accepted (its author is credited in ``sets``); `nil` for a direct version.
    public var proposal: ProposalAcceptance?

    enum CodingKeys: String, CodingKey {
        case version, timestamp, changes, sets, derived, proposal
        case creditRemoved = "credit_removed"
    }
}

/// What one version did to one annotation set, and who is credited for it.
public struct SetCredit: Codable, Sendable, Hashable {
    /// The people credited for the version's changes to the set.
    public var credited: [Author]
    /// Objects the version added.
    public var created: Int
    /// Objects the version changed.
    public var changed: Int
    /// Objects the version removed.
    public var removed: Int
    /// The annotators the created and changed objects name themselves (``ObjectAnnotator``), with
    /// their counts, in order of first appearance; `nil` when no object names one. The objects
    /// counted here are credited to them, the others to ``credited``.
    public var objectAnnotators: [ObjectAnnotatorCount]?

    /// The credit of one set in one version.
    public init(credited: [Author], created: Int, changed: Int, removed: Int, objectAnnotators: [ObjectAnnotatorCount]? = nil) {
        self.credited = credited
        self.created = created
        self.changed = changed
        self.removed = removed
        self.objectAnnotators = objectAnnotators
    }

    enum CodingKeys: String, CodingKey {
        case credited, created, changed, removed
        case objectAnnotators = "object_annotators"
    }
}

/// The objects of one set in one version that name one annotator.
public struct ObjectAnnotatorCount: Codable, Sendable, Hashable {
    /// The annotator, as the objects name them.
    public var annotator: Author
    /// Objects the version added that name them.
    public var created: Int
    /// Objects the version changed that name them.
    public var changed: Int

    /// A count of objects of one annotator.
    public init(annotator: Author, created: Int, changed: Int) {
        self.annotator = annotator
        self.created = created
        self.changed = changed
    }
}

/// One credited person: who, their roles, the sets they are an author of, and their contributions.
public struct PersonCredit: Codable, Sendable, Hashable {
    /// `First Last`.
    public var name: String
    /// The bare ORCID iD, if known.
    public var orcid: String?
    /// Their roles, from every set that lists them (vocabulary terms where recognised, see `ContributorRole`).
    public var roles: [String]
    /// The set ids whose authors list them in the last version's `mifa.json`.
    public var sets: [String]
    /// The version-and-set pairs they are credited for, with the objects created, changed and removed there.
    public var contributions: [Contribution]

    /// What a person is credited for in one version on one set.
    public struct Contribution: Codable, Sendable, Hashable {
        /// The version.
        public var version: String
        /// The set id.
        public var set: String
        /// Objects created.
        public var created: Int
        /// Objects changed.
        public var changed: Int
        /// Objects removed.
        public var removed: Int

        /// A contribution.
        public init(version: String, set: String, created: Int, changed: Int, removed: Int) {
            self.version = version
            self.set = set
            self.created = created
            self.changed = changed
            self.removed = removed
        }
    }
}

/// Where one object comes from.
public struct ObjectProvenance: Codable, Sendable, Hashable {
    /// The version that made the object (the last time it appeared).
    public var createdIn: String
    /// The last version that changed it (``createdIn`` if none did since).
    public var lastChangedIn: String
    /// The annotator the object names (``ObjectAnnotator``), as ``lastChangedIn`` has it; `nil` when
    /// it names none (it is then credited to its set's annotators).
    public var annotator: Author?

    /// An object's provenance.
    public init(createdIn: String, lastChangedIn: String, annotator: Author? = nil) {
        self.createdIn = createdIn
        self.lastChangedIn = lastChangedIn
        self.annotator = annotator
    }

    enum CodingKeys: String, CodingKey {
        case createdIn = "created_in"
        case lastChangedIn = "last_changed_in"
        case annotator
    }
}

extension DatasetPackage {
    /// The credit history up to `version` (default: the current version).
    /// - Throws: ``PackageError`` `.invalidVersion` for a version not in the current lineage,
    ///   `.missingObject`, `.digestMismatch`, `.malformed`, `.io`, and the errors of reading annotations or labels.
    public func creditHistory(upTo version: String? = nil) throws -> CreditHistory {
        var chain = try lineage()
        if let version {
            guard let index = chain.firstIndex(where: { $0.version == version }) else {
                throw PackageError(.invalidVersion, "version '\(version)' is not in the lineage of the current version (\(chain.map(\.version).joined(separator: ", ")))", context: ErrorContext(file: root))
            }
            chain = Array(chain[...index])
        }
        var versions: [VersionCredit] = []
        var objects: [String: [String: ObjectProvenance]] = [:]
        var previous: (content: VersionContent, metadata: MIFADocument?, version: String)?
        for record in chain {
            let content = try VersionContent.version(record.version, of: self)
            let before = previous?.content ?? VersionContent(fileList: FileList()) { path in
                throw PackageError(.invalidPath, "the version has no file '\(path)'", context: ErrorContext(file: path))
            }
            let changes = try AnnotationChanges.between(
                before, content, files: FileChanges(from: before.fileList, to: content.fileList),
                oldName: "\(root)@\(previous?.version ?? "-")", newName: "\(root)@\(record.version)")
            var counts: [String: [ObjectAnnotatorCount]] = [:]
            for (set, change) in changes {
                let path = PackageLayout.annotationFile(set)
                let named = try AnnotationChanges.document(path, in: content).map { try ObjectAnnotator.annotators(of: $0, file: "\(root)@\(record.version)/\(path)") } ?? [:]
                var known = objects[set] ?? [:]
                for id in change.removed where !id.hasPrefix("#") { known[id] = nil }
                for id in change.added where !id.hasPrefix("#") { known[id] = ObjectProvenance(createdIn: record.version, lastChangedIn: record.version, annotator: named[id]) }
                for id in change.changed where !id.hasPrefix("#") {
                    known[id, default: ObjectProvenance(createdIn: record.version, lastChangedIn: record.version)].lastChangedIn = record.version
                    known[id]!.annotator = named[id]
                }
                objects[set] = known.isEmpty ? nil : known
                counts[set] = Self.count(named, created: change.added, changed: change.changed)
            }
            let metadata = try Self.metadata(of: content)
            let credited = record.setCredits ?? Self.gainedAuthors(metadata, after: previous?.metadata)
            var sets: [String: SetCredit] = [:]
            for set in Set(changes.keys).union(credited.keys) {
                let change = changes[set] ?? ObjectChanges()
                sets[set] = SetCredit(
                    credited: credited[set] ?? [], created: change.added.count, changed: change.changed.count, removed: change.removed.count,
                    objectAnnotators: counts[set].flatMap { $0.isEmpty ? nil : $0 })
            }
            versions.append(VersionCredit(
                version: record.version, timestamp: record.timestamp, changes: record.changes, sets: sets, derived: record.setCredits == nil,
                creditRemoved: record.creditRemoved, proposal: record.proposal))
            previous = (content, metadata, record.version)
        }
        let last = chain.last!
        var everyone = last.creditedAnnotators
        for version in versions {
            for set in version.sets.keys.sorted() {
                for count in version.sets[set]!.objectAnnotators ?? [] where !everyone.contains(where: { $0.isSamePerson(as: count.annotator) }) {
                    everyone.append(count.annotator)
                }
            }
        }
        let people = everyone.map { person in Self.person(person, versions: versions, metadata: previous?.metadata) }
        return CreditHistory(version: last.version, versions: versions, people: people, objects: objects)
    }

    /// Per annotator that objects name, how many of `created` and `changed` name them.
    static func count(_ named: [String: Author], created: [String], changed: [String]) -> [ObjectAnnotatorCount] {
        var result: [ObjectAnnotatorCount] = []
        func add(_ name: String, created: Int, changed: Int) {
            guard let author = named[name] else { return }
            if let index = result.firstIndex(where: { $0.annotator.isSamePerson(as: author) }) {
                result[index].created += created
                result[index].changed += changed
            } else {
                result.append(ObjectAnnotatorCount(annotator: author, created: created, changed: changed))
            }
        }
        for name in created { add(name, created: 1, changed: 0) }
        for name in changed { add(name, created: 0, changed: 1) }
        return result
    }

    /// A version's `mifa.json`, or `nil` when it has none.
    /// - Throws: the reader's errors when it is there but cannot be read or parsed: credit read
    ///   from it must not silently become "none".
    static func metadata(of content: VersionContent) throws -> MIFADocument? {
        guard content.contains(PackageLayout.metadata) else { return nil }
        return try MetadataReader.read(bytes: content.read(PackageLayout.metadata), format: .json, file: PackageLayout.metadata).document
    }

    /// Per declared set id (``MIFADocument/annotationSetIDs``), the authors `document` lists that `previous` did not.
    static func gainedAuthors(_ document: MIFADocument?, after previous: MIFADocument?) -> [String: [Author]] {
        var result: [String: [Author]] = [:]
        let earlierSets = Dictionary(zip(previous?.annotationSetIDs ?? [], previous?.annotations ?? []), uniquingKeysWith: { first, _ in first })
        for (id, set) in zip(document?.annotationSetIDs ?? [], document?.annotations ?? []) {
            let earlier = earlierSets[id]?.authors ?? []
            let gained = (set.authors ?? []).filter { author in author.identity != nil && !earlier.contains { $0.isSamePerson(as: author) } }
            if !gained.isEmpty { result[id] = gained }
        }
        return result
    }

    static func person(_ author: Author, versions: [VersionCredit], metadata: MIFADocument?) -> PersonCredit {
        var sets: [String] = []
        var roles: [String] = []
        for (id, set) in zip(metadata?.annotationSetIDs ?? [], metadata?.annotations ?? []) {
            for listed in set.authors ?? [] where listed.isSamePerson(as: author) {
                sets.append(id)
                for role in listed.role ?? [] {
                    let term = ContributorRole(parsing: role)?.term ?? role
                    if !roles.contains(term) { roles.append(term) }
                }
            }
        }
        for role in author.role ?? [] {
            let term = ContributorRole(parsing: role)?.term ?? role
            if !roles.contains(term) { roles.append(term) }
        }
        var contributions: [PersonCredit.Contribution] = []
        for version in versions {
            for set in version.sets.keys.sorted() {
                let credit = version.sets[set]!
                let named = credit.objectAnnotators ?? []
                let own = named.first { $0.annotator.isSamePerson(as: author) }
                var item = PersonCredit.Contribution(version: version.version, set: set, created: own?.created ?? 0, changed: own?.changed ?? 0, removed: 0)
                if credit.credited.contains(where: { $0.isSamePerson(as: author) }) {
                    // The set's credited people made the objects that name no annotator, and the removals.
                    item.created += credit.created - named.reduce(0) { $0 + $1.created }
                    item.changed += credit.changed - named.reduce(0) { $0 + $1.changed }
                    item.removed = credit.removed
                } else if own == nil {
                    continue
                }
                contributions.append(item)
            }
        }
        let name = [author.authorFirstName, author.authorLastName].compactMap { $0 }.joined(separator: " ")
        return PersonCredit(name: name, orcid: author.orcidID.flatMap(ORCID.bareForm(of:)), roles: roles, sets: sets, contributions: contributions)
    }
}
