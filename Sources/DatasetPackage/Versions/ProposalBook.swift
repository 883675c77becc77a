import Foundation
import MIFACore

/// Every proposal, rejection and flag of a package with its status (`mifa log`): a proposal is
/// `open`, `accepted as <version>` (a version of the current lineage names it) or `rejected`; a flag
/// is `open` or `resolved by <id>`.
public struct ProposalBook: Codable, Sendable, Hashable {
    /// One stored record with its id and status.
    public struct Entry<Record: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
        /// The record's id (its file name without `.json`).
        public var id: String
        /// The status (see ``ProposalBook``); for reviews, `reject`; for resolutions, `resolution`.
        public var status: String
        /// The record as stored.
        public var record: Record
    }

    /// Proposals, oldest first.
    public var proposals: [Entry<ProposalRecord>]
    /// Rejections, oldest first.
    public var reviews: [Entry<ReviewRecord>]
    /// Flags and resolutions, oldest first.
    public var flags: [Entry<FlagRecord>]

    /// The proposals nobody has accepted or rejected yet.
    public var openProposals: [Entry<ProposalRecord>] { proposals.filter { $0.status == "open" } }
    /// The flags no resolution names.
    public var openFlags: [Entry<FlagRecord>] { flags.filter { $0.status == "open" } }
}

extension DatasetPackage {
    /// The ids of the stored records of a kind (files `<id>.json` of its folder), sorted; none
    /// where the package cannot be listed (over HTTP).
    /// - Throws: ``PackageError`` `.io`.
    public func sideRecordIDs(_ kind: SideRecordKind) throws -> [String] {
        let names = try reader.names(in: kind.folder) ?? []
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Reads one record, checking that its id is the digest of its bytes.
    /// - Throws: ``PackageError`` `.invalidArgument` for an unknown id, `.digestMismatch` for a
    ///   record edited after it was written, `.malformed`, `.io`.
    public func sideRecord<Record: Decodable>(_ kind: SideRecordKind, _ id: String, as type: Record.Type) throws -> (record: Record, sha256: SHA256Digest) {
        let file = path(kind.file(id))
        guard kind.isID(id), try reader.isFile(kind.file(id)) else {
            let known = (try? sideRecordIDs(kind)) ?? []
            throw PackageError(.invalidArgument, "the package has no \(kind.rawValue) '\(id)'; it has \(known.isEmpty ? "none" : known.joined(separator: ", "))", context: ErrorContext(file: file))
        }
        let bytes = try reader.read(kind.file(id), limit: 64 << 20)
        guard kind.id(of: bytes) == id else {
            throw PackageError(.digestMismatch, "the \(kind.rawValue) record was edited after it was written: its SHA-256 \(SHA256Digest(of: bytes).hex) does not start with its id's digits; restore the original", context: ErrorContext(file: file))
        }
        return (try PackageJSON.decode(Record.self, from: bytes, file: file), SHA256Digest(of: bytes))
    }

    /// Writes a new record of a kind and returns its id. The caller holds the package's write lock.
    /// - Throws: ``PackageError`` `.io`.
    func writeSideRecord<Record: Encodable>(_ kind: SideRecordKind, _ record: Record) throws -> String {
        let bytes = try CanonicalJSON.encode(record)
        let id = kind.id(of: bytes)
        try PackageFileSystem.createDirectories(path(kind.folder))
        try write(bytes, to: path(kind.file(id)))
        return id
    }

    /// Every proposal, rejection and flag with its status, checked against the current lineage
    /// (`chain`, when the caller has read it already: over a network every record is a request).
    /// - Throws: ``PackageError`` for a record that cannot be read or was edited (`mifa audit` lists them all).
    public func proposalBook(lineage chain: [VersionRecord]? = nil) throws -> ProposalBook {
        var accepted: [String: String] = [:]
        for record in try chain ?? lineage() {
            if let proposal = record.proposal { accepted[proposal.id] = record.version }
        }
        let reviews = try sideRecordIDs(.review).map { id in
            ProposalBook.Entry(id: id, status: "reject", record: try sideRecord(.review, id, as: ReviewRecord.self).record)
        }
        let proposals = try sideRecordIDs(.proposal).map { id in
            let record = try sideRecord(.proposal, id, as: ProposalRecord.self).record
            let status = accepted[id].map { "accepted as \($0)" } ?? (reviews.contains { $0.record.proposal == id } ? "rejected" : "open")
            return ProposalBook.Entry(id: id, status: status, record: record)
        }
        let flagRecords = try sideRecordIDs(.flag).map { id in (id, try sideRecord(.flag, id, as: FlagRecord.self).record) }
        let flags = flagRecords.map { id, record in
            let resolution = flagRecords.first { $0.1.resolves == id }
            return ProposalBook.Entry(id: id, status: record.resolves != nil ? "resolution" : resolution.map { "resolved by \($0.0)" } ?? "open", record: record)
        }
        let byTime: (String, String) -> Bool = { (PackageClock.date($0) ?? .distantPast) < (PackageClock.date($1) ?? .distantPast) }
        return ProposalBook(
            proposals: proposals.sorted { byTime($0.record.timestamp, $1.record.timestamp) },
            reviews: reviews.sorted { byTime($0.record.timestamp, $1.record.timestamp) },
            flags: flags.sorted { byTime($0.record.timestamp, $1.record.timestamp) })
    }
}
