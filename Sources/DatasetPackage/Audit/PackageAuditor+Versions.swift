import Foundation
import MIFACore
import MIFAModel

extension AuditRun {
    /// The version chain: records readable, links resolving, no loop, timestamps increasing, every
    /// digest matching, every file list stored, every version restorable, credit kept.
    /// `fileListDigest` is the digest of the manifest's file list (canonical JSON), `nil` if it cannot be encoded.
    mutating func checkVersions(_ manifest: Manifest, fileListDigest manifestDigest: SHA256Digest?) {
        var chain: [(record: VersionRecord, sha256: SHA256Digest)] = []
        var seen = Set<String>()
        var next: String? = manifest.version
        var referrer = (path: PackageLayout.manifest, pointer: "/version")
        while let id = next {
            let path = PackageLayout.versionRecord(id)
            guard seen.insert(id).inserted else {
                add(.error, .versionChainBroken, path: referrer.path, pointer: referrer.pointer,
                    "the version chain loops back to version \(id); previous_version links must lead back to the first version. Restore the original record")
                break
            }
            do {
                chain.append(try package.record(id))
            } catch let error as PackageError {
                let code: AuditFinding.Code = error.kind == .invalidVersion ? .versionChainBroken : .versionRecordInvalid
                add(.error, code, path: error.kind == .invalidVersion ? referrer.path : path, pointer: error.kind == .invalidVersion ? referrer.pointer : error.context.pointer,
                    "version \(id): \(error.message). The versions before it cannot be checked; restore \(path)")
                break
            } catch {
                add(.error, .versionRecordInvalid, path: path, "version \(id): \(error)")
                break
            }
            referrer = (path, "/previous_version")
            next = chain.last!.record.previousVersion
        }
        chain.reverse()
        versionCount = chain.count
        let chainIDs = Set(chain.map(\.record.version))
        for id in (try? package.versionIDs()) ?? [] where !chainIDs.contains(id) && seen.count == chain.count {
            add(.warning, .versionOrphan, path: PackageLayout.versionRecord(id),
                "version \(id) is not in the lineage of the current version \(manifest.version); a record no chain reaches was added or left behind. Remove it if it is not meant to be there")
        }
        if let current = chain.last, current.record.version == manifest.version {
            if current.sha256 != manifest.versionRecordSHA256 {
                add(.error, .versionDigestMismatch, path: PackageLayout.versionRecord(manifest.version),
                    "the record of version \(manifest.version) has SHA-256 \(current.sha256.hex) but manifest.json records \(manifest.versionRecordSHA256.hex): the record (or the manifest) was edited. Restore the original record")
            }
            if let digest = manifestDigest, digest != current.record.manifestSHA256 {
                add(.error, .versionDigestMismatch, path: PackageLayout.manifest, pointer: "/files",
                    "the file list in manifest.json (SHA-256 \(digest.hex)) is not the one version \(manifest.version) recorded (\(current.record.manifestSHA256.hex)): manifest.json was edited. Restore it from versions/objects/sha256/\(current.record.manifestSHA256.hex)")
            }
        }
        var previous: (record: VersionRecord, sha256: SHA256Digest, date: Date?)?
        var fileLists: [(version: String, list: FileList)] = []
        var previousList: FileList?
        for (record, sha256) in chain {
            let path = PackageLayout.versionRecord(record.version)
            let date = PackageClock.date(record.timestamp)
            if date == nil {
                add(.error, .versionTimestamp, path: path, pointer: "/timestamp",
                    "the timestamp '\(record.timestamp)' is not an RFC 3339 date-time with offset (e.g. 2026-01-31T12:00:00Z)")
            }
            if let previous {
                if record.previousRecordSHA256 != previous.sha256 {
                    add(.error, .versionDigestMismatch, path: path, pointer: "/previous_record_sha256",
                        "version \(record.version) records \(record.previousRecordSHA256?.hex ?? "no digest") for the record of version \(previous.record.version), whose file has SHA-256 \(previous.sha256.hex): \(PackageLayout.versionRecord(previous.record.version)) was edited. Restore the original record")
                }
                if let date, let before = previous.date, date <= before {
                    add(.error, .versionTimestamp, path: path, pointer: "/timestamp",
                        "version \(record.version) is dated \(record.timestamp), not after version \(previous.record.version) (\(previous.record.timestamp)); versions must be made in time order")
                }
                checkCredit(record, after: previous.record)
            } else if record.previousRecordSHA256 != nil {
                add(.error, .versionDigestMismatch, path: path, pointer: "/previous_record_sha256",
                    "the first version \(record.version) names a previous record digest but no previous version; the record was edited")
            }
            checkORCIDs(record.creditedAnnotators, path: path, pointer: "/credited_annotators")
            let known = record.manifestSHA256 == manifestDigest ? manifest.fileList : nil
            if let list = storedFileList(record, path: path, known: known) {
                fileLists.append((record.version, list))
                checkMetadataCredit(record, list: list)
                checkSetCredits(record, list: list, previous: previous == nil ? FileList() : previousList)
            }
            previousList = fileLists.last?.version == record.version ? fileLists.last?.list : nil
            previous = (record, sha256, date)
        }
        checkRestorable(fileLists, manifest: manifest)
        // Stray objects can only be told apart when every version's file list was read.
        let complete = chain.first?.record.previousVersion == nil && fileLists.count == chain.count
        if complete { checkObjectStore(chain.map(\.record), fileLists.map(\.list)) }
    }

    /// Every file in the object store is one that some version refers to (a file list, or a file of
    /// a version): anything else was put there outside mifa.
    private mutating func checkObjectStore(_ records: [VersionRecord], _ lists: [FileList]) {
        var referenced = Set(records.map(\.manifestSHA256))
        for list in lists { for entry in list.files.values { referenced.insert(entry.sha256) } }
        // A proposal's candidate file list and files are history too (an edited proposal is reported by checkProposals).
        for id in (try? package.sideRecordIDs(.proposal)) ?? [] {
            guard let proposal = try? package.sideRecord(.proposal, id, as: ProposalRecord.self).record else { continue }
            referenced.insert(proposal.manifestSHA256)
            let list = try? FileList.decode(package.objects.read(proposal.manifestSHA256), file: PackageLayout.object(proposal.manifestSHA256))
            for entry in list?.files.values ?? [:].values { referenced.insert(entry.sha256) }
        }
        let names: [String]
        do {
            guard let listed = try package.reader.names(in: PackageLayout.objects) else { return }
            names = listed
        } catch {
            add(.error, .unreadable, path: PackageLayout.objects, "the object store cannot be listed (\(error)), so stray objects cannot be looked for; check its permissions")
            return
        }
        for name in names {
            guard let digest = SHA256Digest(hex: name), digest.hex == name, !referenced.contains(digest) else { continue }
            add(.error, .objectStray, path: "\(PackageLayout.objects)/\(name)",
                "no version or proposal refers to this object: it was put into the object store outside mifa (and could be taken for history). Remove it")
        }
    }

    /// Everyone a version's own `mifa.json` credits as an annotator is credited by that version's
    /// record: the chain of records cannot silently drop someone whom a stored metadata still names.
    private mutating func checkMetadataCredit(_ record: VersionRecord, list: FileList) {
        guard list.files[PackageLayout.metadata] != nil else { return }
        let document: MIFADocument
        do {
            let bytes = try package.contents(of: PackageLayout.metadata, in: list)
            document = try MetadataReader.read(bytes: bytes, format: .json, file: PackageLayout.metadata).document
        } catch {
            // An unreadable or missing mifa.json is reported by the file and restorability checks.
            return
        }
        let path = PackageLayout.versionRecord(record.version)
        for annotator in document.creditedAnnotators where !record.creditedAnnotators.contains(where: { $0.isSamePerson(as: annotator) }) {
            add(.error, .creditMissing, path: path, pointer: "/credited_annotators",
                "\(Self.name(annotator)) is an annotator in the mifa.json of version \(record.version) but its record does not credit them: the record was edited. Restore the original record")
        }
    }

    /// A record's `set_credits` agree with the version's content: each set named has objects that
    /// the version adds, removes or changes (computed from the stored versions, not taken from the
    /// record's summary), and each person named is credited by the record and, for a set that the
    /// version's `mifa.json` declares, listed among its authors. `previous` is the previous
    /// version's file list (empty for the first version), `nil` when it could not be read.
    private mutating func checkSetCredits(_ record: VersionRecord, list: FileList, previous: FileList?) {
        guard let credits = record.setCredits, !credits.isEmpty, let previous else { return }
        let path = PackageLayout.versionRecord(record.version)
        let package = self.package
        let changed: Set<String>
        do {
            let old = VersionContent(fileList: previous) { try package.contents(of: $0, in: previous) }
            let new = VersionContent(fileList: list) { try package.contents(of: $0, in: list) }
            changed = Set(try AnnotationChanges.between(old, new, files: FileChanges(from: previous, to: list), oldName: "\(record.previousVersion ?? "-")", newName: record.version).keys)
        } catch {
            // Unreadable content is reported by the restorability checks.
            return
        }
        let document = list.files[PackageLayout.metadata] == nil ? nil
            : try? MetadataReader.read(bytes: package.contents(of: PackageLayout.metadata, in: list), format: .json, file: PackageLayout.metadata).document
        for set in credits.keys.sorted() {
            let pointer = "/set_credits/\(JSONPointer.escape(set))"
            guard changed.contains(set) else {
                add(.error, .creditSetMismatch, path: path, pointer: pointer,
                    "version \(record.version) credits people on the set '\(set)', whose objects it does not change: the attribution was edited. Restore the original record")
                continue
            }
            // The authors of the set in the version's mifa.json, when it declares the set (setN: annotations[N-1]).
            var authors: [Author]?
            if set.hasPrefix("set"), let number = Int(set.dropFirst(3)), let sets = document?.annotations, number >= 1, number <= sets.count {
                authors = sets[number - 1].authors ?? []
            }
            for (index, person) in credits[set]!.enumerated() {
                let credited = record.creditedAnnotators.contains { $0.isSamePerson(as: person) }
                let listed = authors.map { $0.contains { $0.isSamePerson(as: person) } } ?? true
                if !credited || !listed {
                    add(.error, .creditSetMismatch, path: path, pointer: "\(pointer)/\(index)",
                        "version \(record.version) credits \(Self.name(person)) on the set '\(set)', but \(credited ? "the set's authors in its mifa.json do not list them" : "its credited_annotators do not"): the attribution was edited. Restore the original record")
                }
            }
        }
    }

    /// The stored file list of a version, checked against the record's counts.
    /// `known` is the decoded list when the digest is the manifest's (the object is then only checked, not decoded again).
    private mutating func storedFileList(_ record: VersionRecord, path: String, known: FileList?) -> FileList? {
        let objectPath = PackageLayout.object(record.manifestSHA256)
        do {
            let bytes = try package.objects.read(record.manifestSHA256)
            let list = try known ?? FileList.decode(bytes, file: objectPath)
            if list.files.count != record.fileCount || list.totalBytes != record.totalBytes {
                add(.error, .versionRecordInvalid, path: path, pointer: "/file_count",
                    "version \(record.version) records \(record.fileCount) files of \(record.totalBytes) bytes but its file list has \(list.files.count) files of \(list.totalBytes) bytes; the record was edited")
            }
            return list
        } catch let error as PackageError where error.kind == .invalidPath {
            add(.error, .unsafePath, path: objectPath, pointer: error.context.pointer,
                "the file list of version \(record.version): \(error.message)")
        } catch let error as PackageError {
            add(.error, .objectMissing, path: objectPath,
                "the file list of version \(record.version) (manifest_sha256 \(record.manifestSHA256.hex)): \(error.message)")
        } catch {
            add(.error, .objectMissing, path: objectPath, "the file list of version \(record.version): \(error)")
        }
        return nil
    }

    /// Every file of every earlier version is either unchanged in the tree or stored intact as an object.
    private mutating func checkRestorable(_ lists: [(version: String, list: FileList)], manifest: Manifest) {
        var needed: [SHA256Digest: [(version: String, path: String)]] = [:]
        for (version, list) in lists where version != manifest.version {
            for (path, entry) in list.files {
                // Unchanged since then: the current file is that copy, checked (and reported) with the current files.
                if manifest.files[path]?.sha256 == entry.sha256 || treeDigests[path] == entry.sha256 { continue }
                needed[entry.sha256, default: []].append((version, path))
            }
        }
        let digests = needed.keys.sorted()
        let present = digests.filter(package.objects.contains)
        let results = scanner.hashEach(present.map(PackageLayout.object), from: package.reader)
        var intact = Set<SHA256Digest>()
        for (digest, result) in zip(present, results) {
            if case .success(let entry) = result, entry.sha256 == digest { intact.insert(digest) }
        }
        for digest in digests where !intact.contains(digest) {
            let users = needed[digest]!.sorted { ($0.version, $0.path) < ($1.version, $1.path) }
            let what = present.contains(digest) ? "is altered (its content no longer has that digest)" : "is missing"
            let first = users[0]
            let more = users.count > 1 ? " and \(users.count - 1) more file(s) of earlier versions" : ""
            add(.error, .objectMissing, path: PackageLayout.object(digest),
                "the stored copy of '\(first.path)' of version \(first.version)\(more) \(what), so that version cannot be restored bit for bit. Put the original file back under this name")
        }
    }

    /// Every annotator `previous` credits is credited by `record`, or its removal is recorded.
    private mutating func checkCredit(_ record: VersionRecord, after previous: VersionRecord) {
        let path = PackageLayout.versionRecord(record.version)
        for annotator in previous.creditedAnnotators {
            let kept = record.creditedAnnotators.contains { $0.isSamePerson(as: annotator) }
            let removed = record.creditRemoved.contains { $0.annotator.isSamePerson(as: annotator) }
            if !kept && !removed {
                add(.error, .creditLost, path: path, pointer: "/credited_annotators",
                    "version \(record.version) no longer credits \(Self.name(annotator)), whom version \(previous.version) credits, and records no removal; MIFA asks that new versions keep the credit of earlier annotators. Restore the original record")
            }
        }
        for (index, removal) in record.creditRemoved.enumerated() {
            add(.info, .creditRemoved, path: path, pointer: "/credit_removed/\(index)",
                "version \(record.version) removed the credit of \(Self.name(removal.annotator)) on purpose: \(removal.reason)")
        }
    }

    /// Every ORCID iD given is well formed with a valid check digit.
    mutating func checkORCIDs(_ authors: [Author], path: String, pointer: String) {
        for (index, author) in authors.enumerated() {
            guard let orcid = author.orcidID else { continue }
            let valid = ORCID.bareForm(of: orcid).map(ORCID.hasValidCheckDigit) ?? false
            if !valid {
                add(.error, .orcidInvalid, path: path, pointer: "\(pointer)/\(index)/orcid_id",
                    "the ORCID iD '\(orcid)' of \(Self.name(author)) is not valid (16 digits, the last a MOD 11-2 check digit); look it up on https://orcid.org")
            }
        }
    }

    static func name(_ author: Author) -> String {
        let name = [author.authorFirstName, author.authorLastName].compactMap { $0 }.joined(separator: " ")
        return name.isEmpty ? (author.orcidID ?? "an unnamed annotator") : name
    }
}
