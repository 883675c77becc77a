import Foundation
import MIFACore
public import MIFAModel

/// How a new version's credit follows from the previous version's (MIFA: a new version preserves
/// the credit of the original annotators).
///
/// The annotators of a version are the authors of the annotation sets in its `mifa.json`; the record
/// credits them all. New annotators (``VersionRequest/annotators``) are added to the authors of
/// every annotation set of `mifa.json`, so that the metadata itself keeps crediting them in later
/// versions. An annotator credited by the previous version whom the new metadata no longer lists is
/// refused, unless the removal is forced with a reason; then it is recorded in `credit_removed`.
/// Removals asked for by name or ORCID iD (``VersionRequest/creditRemovals``) also take the person
/// out of `mifa.json`, and must be forced as well.
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
    }

    /// Applies the credit rules.
    /// - Parameters:
    ///   - document: the new version's metadata before credit changes.
    ///   - previous: the annotators the previous version credits.
    ///   - request: the new annotators, the removals, `force` and the reason.
    /// - Throws: ``PackageError`` `.creditRemoved` naming every annotator who would lose credit
    ///   without `force` and a reason; `.invalidArgument` for a removal naming nobody credited, or
    ///   new annotators when the metadata has no annotation set to list them in.
    public static func apply(to document: MIFADocument, previous: [Author], request: VersionRequest) throws -> Outcome {
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
        if !request.annotators.isEmpty {
            guard !(document.annotations ?? []).isEmpty else {
                throw PackageError(.invalidArgument, "mifa.json has no annotation set whose authors could list the new annotators; give --metadata with one")
            }
            forEachAnnotationSet(of: &document) { set in
                var authors = set.authors ?? []
                for annotator in request.annotators where !authors.contains(where: { $0.isSamePerson(as: annotator) }) { authors.append(annotator) }
                set.authors = authors
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
        return Outcome(document: document, credited: credited, removed: removed)
    }

    /// Parses `First Last <orcid>` (the ORCID iD optional, in any accepted form; the last word is
    /// the family name) into an author with the role `data annotation`.
    /// - Throws: ``PackageError`` `.invalidArgument` for a missing first or last name or an ORCID iD
    ///   with a wrong check digit.
    public static func parseAnnotator(_ text: String) throws -> Author {
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
        // Credited through `--annotator`, so their role is annotating (MIFA's role is free text).
        // One word is a mononym, stored as the name (author_last_name) with no given name.
        return Author(authorFirstName: words.count > 1 ? words.dropLast().joined(separator: " ") : nil, authorLastName: last, orcidID: orcid, role: ["data annotation"])
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
