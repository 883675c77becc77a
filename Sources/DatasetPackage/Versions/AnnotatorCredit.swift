import Foundation
import MIFACore
public import MIFAModel

/// How a new version's credit follows from the previous version's (MIFA: a new version preserves
/// the credit of the original annotators).
///
/// The annotators of a version are the authors of the annotation sets in its `mifa.json`; the record
/// credits them all. A new annotator (``VersionRequest/annotators``) is credited on the sets the
/// grant names, or, when it names none, on the one set whose objects the version changes (a version
/// that changes several sets, or none, must name them). Each set named must be one whose objects the
/// version adds, removes or changes, and one that `mifa.json` declares (`MIFADocument.annotationSetIDs`:
/// an entry's `set_id`, else `setN` for `annotations[N-1]`): the annotator is added to that set's authors only, so that the metadata keeps
/// crediting them in later versions, and the record keeps who made this version's changes to which
/// set (``VersionRecord/setCredits``). An annotator credited by the previous version whom the new
/// metadata no longer lists is refused, unless the removal is forced with a reason; then it is
/// recorded in `credit_removed`. Removals asked for by name or ORCID iD
/// (``VersionRequest/creditRemovals``) also take the person out of `mifa.json`, and must be forced as well.
public enum AnnotatorCredit {
    /// The outcome for one new version.
    public struct Outcome: Sendable, Hashable {
        /// The metadata with the new annotators added and the removed ones taken out.
        public var document: MIFADocument
        /// Everyone the new version credits: those of the previous version (in its order) that stay,
        /// then the new ones.
        public var credited: [Author]
        /// Removals, with the reason.
        public var removed: [CreditRemoval]
        /// The new annotators per set id (see ``VersionRecord/setCredits``).
        public var setCredits: [String: [Author]]
    }

    /// One `--annotator`: a person, their roles, and the annotation sets they are credited on.
    public struct Grant: Sendable, Hashable {
        /// The annotator (with their roles).
        public var author: Author
        /// The set ids; empty for "the one set this version changes".
        public var sets: [String]

        /// A grant of credit on `sets` (empty: the one set the version changes).
        public init(author: Author, sets: [String] = []) {
            self.author = author
            self.sets = sets
        }
    }

    /// Applies the credit rules.
    /// - Parameters:
    ///   - document: the new version's metadata before credit changes.
    ///   - previous: the annotators the previous version credits.
    ///   - request: the new annotators, the removals, `force` and the reason.
    ///   - changedSets: the ids of the sets whose objects the version adds, removes or changes.
    /// - Throws: ``PackageError`` `.creditRemoved` naming every annotator who would lose credit
    ///   without `force` and a reason; `.invalidArgument` for a removal naming nobody credited, a
    ///   grant naming no set when the version does not change exactly one, or naming a set the
    ///   version does not change or `mifa.json` does not declare.
    public static func apply(to document: MIFADocument, previous: [Author], request: VersionRequest, changedSets: Set<String> = []) throws -> Outcome {
        var document = document
        var explicitlyRemoved: [Author] = []
        for text in request.creditRemovals {
            let matches = previous.filter { matchesPerson($0, text) } + document.creditedAnnotators.filter { matchesPerson($0, text) }
            guard let first = matches.first else {
                let names = previous.map(display).joined(separator: "; ")
                throw PackageError(.invalidArgument, "--remove-credit '\(text)' names nobody credited; credited now: \(names.isEmpty ? "nobody" : names)")
            }
            if !explicitlyRemoved.contains(where: { $0.isSamePerson(as: first) }) { explicitlyRemoved.append(first) }
        }
        if !explicitlyRemoved.isEmpty {
            guard request.force, request.hasReason else {
                throw PackageError(.creditRemoved, "removing the credit of \(explicitlyRemoved.map(display).joined(separator: "; ")) needs --force and --reason TEXT; MIFA asks that versions keep crediting their annotators")
            }
            forEachAnnotationSet(of: &document) { set in
                set.authors = set.authors?.filter { author in !explicitlyRemoved.contains { $0.isSamePerson(as: author) } }
            }
        }
        var setCredits: [String: [Author]] = [:]
        for grant in request.annotators {
            let declared = document.annotationSetIDs
            for set in try sets(of: grant, changedSets: changedSets, declared: declared) {
                let index = declared.firstIndex(of: set)!
                var declared = document.annotations!
                var authors = declared[index].authors ?? []
                if !authors.contains(where: { $0.isSamePerson(as: grant.author) }) { authors.append(grant.author) }
                declared[index].authors = authors
                document.annotations = declared
                if !setCredits[set, default: []].contains(where: { $0.isSamePerson(as: grant.author) }) { setCredits[set, default: []].append(grant.author) }
            }
        }
        let current = document.creditedAnnotators
        let lost = previous.filter { earlier in !current.contains { $0.isSamePerson(as: earlier) } }
        let unasked = lost.filter { person in !explicitlyRemoved.contains { $0.isSamePerson(as: person) } }
        if !unasked.isEmpty, !(request.force && request.hasReason) {
            throw PackageError(
                .creditRemoved,
                "the new metadata no longer credits \(unasked.map(display).joined(separator: "; ")), credited by the previous version; keep them as authors of an annotation set, or pass --force --reason TEXT to remove their credit on record")
        }
        let reason = request.reason ?? ""
        let removed = lost.map { CreditRemoval(annotator: $0, reason: reason) }
        var credited = previous.compactMap { earlier in current.first { $0.isSamePerson(as: earlier) } }
        credited += current.filter { person in !credited.contains { $0.isSamePerson(as: person) } }
        return Outcome(document: document, credited: credited, removed: removed, setCredits: setCredits)
    }

    /// The sets a grant applies to, checked (see ``apply(to:previous:request:changedSets:)``).
    static func sets(of grant: Grant, changedSets: Set<String>, declared: [String]) throws -> [String] {
        let who = display(grant.author)
        let changed = changedSets.sorted()
        let sets: [String]
        if grant.sets.isEmpty {
            guard changed.count == 1 else {
                let what = changed.isEmpty
                    ? "this version adds, removes or changes no annotation object, and credit goes with the annotations a person made; to credit them for existing annotations, list them as authors of those sets in --metadata"
                    : "this version changes \(changed.count) annotation sets (\(changed.joined(separator: ", "))); name the ones they annotated: --annotator \"\(who)=\(changed[0])\""
                throw PackageError(.invalidArgument, "--annotator '\(who)' names no annotation set, and \(what); nothing was written")
            }
            sets = changed
        } else {
            sets = grant.sets
        }
        for set in sets {
            guard changedSets.contains(set) else {
                throw PackageError(
                    .invalidArgument,
                    "--annotator '\(who)' names the set '\(set)', whose objects this version does not change (it changes \(changed.isEmpty ? "none" : changed.joined(separator: ", "))); credit goes with the annotations a person made; nothing was written")
            }
            guard declared.contains(set) else {
                throw PackageError(
                    .invalidArgument,
                    "--annotator '\(who)' names the set '\(set)', which mifa.json does not declare (it declares \(declared.isEmpty ? "none" : declared.joined(separator: ", ")); a set is its set_id, else set<N> for annotations[N-1]), so its authors cannot keep the credit; give --metadata with an entry for the set with \"set_id\": \"\(set)\"; nothing was written")
            }
        }
        return sets
    }

    /// Parses one `--annotator` value: `First Last <orcid>` (see ``parseAnnotator(_:roles:)``),
    /// optionally followed by `=SET[,SET...]`, the set ids the credit applies to.
    /// - Throws: ``PackageError`` `.invalidArgument` for a bad person, an empty or unsafe set id, or an unknown role.
    public static func parseGrant(_ text: String, roles: [String] = [ContributorRole.annotation]) throws -> Grant {
        guard let equals = text.firstIndex(of: "=") else { return Grant(author: try parseAnnotator(text, roles: roles)) }
        let sets = text[text.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        for set in sets where !SafeName.isSafe(set) {
            throw PackageError(.invalidArgument, "annotator '\(text)': '\(set)' is not an annotation set id; write \"First Last <ORCID>=set1,set2\"")
        }
        var unique: [String] = []
        for set in sets where !unique.contains(set) { unique.append(set) }
        return Grant(author: try parseAnnotator(String(text[..<equals]), roles: roles), sets: unique)
    }

    /// Checks roles against the controlled vocabulary (`ContributorRole`) and returns their canonical terms.
    /// - Throws: ``PackageError`` `.invalidArgument` naming the unknown role and the vocabulary.
    public static func parseRoles(_ texts: [String]) throws -> [String] {
        var roles: [String] = []
        for text in texts {
            guard let role = ContributorRole(parsing: text) else {
                throw PackageError(
                    .invalidArgument,
                    "'\(text)' is not a contributor role; use a CRediT role (\(ContributorRole.creditRoles.joined(separator: ", "))), a DataCite contributor type (\(ContributorRole.dataCiteTypes.joined(separator: ", "))) or '\(ContributorRole.annotation)'")
            }
            if !roles.contains(role.term) { roles.append(role.term) }
        }
        return roles
    }

    /// Parses `First Last <orcid>` (the ORCID iD optional, in any accepted form; the last word is
    /// the family name) into an author with `roles` (default `data annotation`), checked and
    /// spelled as the controlled vocabulary has them (see ``parseRoles(_:)``).
    /// - Throws: ``PackageError`` `.invalidArgument` for a missing first or last name, an ORCID iD
    ///   with a wrong check digit, or a role not in the vocabulary.
    public static func parseAnnotator(_ text: String, roles: [String] = [ContributorRole.annotation]) throws -> Author {
        let roles = try parseRoles(roles)
        var namePart = Substring(text)
        var orcid: String?
        if let open = text.firstIndex(of: "<") {
            guard let close = text.lastIndex(of: ">"), close > open, text[text.index(after: close)...].allSatisfy(\.isWhitespace) else {
                throw PackageError(.invalidArgument, "annotator '\(text)': write the ORCID iD in angle brackets at the end, as \"First Last <0000-0002-1825-0097>\"")
            }
            let raw = text[text.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            guard let bare = ORCID.bareForm(of: raw), ORCID.hasValidCheckDigit(bare) else {
                throw PackageError(.invalidArgument, "annotator '\(text)': '\(raw)' is not a valid ORCID iD (16 digits, the last one a MOD 11-2 check digit)")
            }
            orcid = bare
            namePart = text[..<open]
        }
        let words = namePart.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let last = words.last else {
            throw PackageError(.invalidArgument, "annotator '\(text)': give the annotator's name, as \"First Last <0000-0002-1825-0097>\" (or one name for a person known by one)")
        }
        // One word is a mononym, stored as the name (author_last_name) with no given name.
        return Author(authorFirstName: words.count > 1 ? words.dropLast().joined(separator: " ") : nil, authorLastName: last, orcidID: orcid, role: roles)
    }

    /// `First Last (orcid)`, for messages.
    public static func display(_ author: Author) -> String {
        let name = [author.authorFirstName, author.authorLastName].compactMap { $0 }.joined(separator: " ")
        return author.orcidID.map { "\(name) (\($0))" } ?? name
    }

    /// Whether `text` (an ORCID iD in any form, or a `first last` name) names `author`.
    static func matchesPerson(_ author: Author, _ text: String) -> Bool {
        if let orcid = ORCID.bareForm(of: text.trimmingCharacters(in: .whitespaces)) {
            return author.orcidID.flatMap(ORCID.bareForm(of:)) == orcid
        }
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let last = words.last, let name = author.normalizedName else { return false }
        return name == Author(authorFirstName: words.count > 1 ? words.dropLast().joined(separator: " ") : nil, authorLastName: last).normalizedName
    }

    static func forEachAnnotationSet(of document: inout MIFADocument, _ body: (inout AnnotationSet) -> Void) {
        guard var sets = document.annotations else { return }
        for index in sets.indices { body(&sets[index]) }
        document.annotations = sets
    }
}
