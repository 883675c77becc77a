import Foundation

/// Who an author is, for credit: the ORCID iD when there is one, else the normalised name.
///
/// Names are normalised by joining first and last name with one space, folding case and
/// diacritics (`Dörr` and `Dorr` match) and collapsing whitespace.
public enum AuthorIdentity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Identified by a bare ORCID iD.
    case orcid(String)
    /// Identified by a normalised `first last` name.
    case name(String)

    /// `orcid:0000-...` or `name:first last`.
    public var description: String {
        switch self {
        case .orcid(let id): return "orcid:\(id)"
        case .name(let name): return "name:\(name)"
        }
    }
}

extension Author {
    /// The identity used for credit: ``AuthorIdentity/orcid(_:)`` when the author has a well-formed
    /// ORCID iD (in any accepted form), else ``AuthorIdentity/name(_:)``, else `nil` (no name either).
    public var identity: AuthorIdentity? {
        if let orcid = orcidID.flatMap(ORCID.bareForm(of:)) { return .orcid(orcid) }
        return normalizedName.map(AuthorIdentity.name)
    }

    /// `first last`, case- and diacritic-folded with whitespace collapsed; `nil` if both are blank.
    public var normalizedName: String? {
        let joined = [authorFirstName, authorLastName].compactMap { $0 }.joined(separator: " ")
        let folded = joined.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        let words = folded.unicodeScalars.split(whereSeparator: \.isSchemaWhitespace).map { String(String.UnicodeScalarView($0)) }
        return words.isEmpty ? nil : words.joined(separator: " ")
    }

    /// Whether `self` and `other` are the same person: the same ORCID iD when both have one,
    /// otherwise the same normalised name (so an author who gained an ORCID iD between versions is
    /// still recognised).
    public func isSamePerson(as other: Author) -> Bool {
        if let mine = orcidID.flatMap(ORCID.bareForm(of:)), let theirs = other.orcidID.flatMap(ORCID.bareForm(of:)) {
            return mine == theirs
        }
        guard let mine = normalizedName, let theirs = other.normalizedName else { return false }
        return mine == theirs
    }
}

extension MIFADocument {
    /// The annotators the document credits: the authors of all its annotation sets, each person
    /// once (see ``Author/isSamePerson(as:)``), in order of first appearance.
    public var creditedAnnotators: [Author] {
        var result: [Author] = []
        for author in (annotations ?? []).flatMap({ $0.authors ?? [] }) where author.identity != nil {
            if !result.contains(where: { $0.isSamePerson(as: author) }) { result.append(author) }
        }
        return result
    }

    /// The annotators credited by `previous` that this document no longer credits. MIFA asks that a
    /// new version keep crediting every annotator of the version it derives from, so a non-empty
    /// result means credit was lost.
    public func annotatorsMissingCredit(comparedTo previous: MIFADocument) -> [Author] {
        let current = creditedAnnotators
        return previous.creditedAnnotators.filter { earlier in !current.contains { $0.isSamePerson(as: earlier) } }
    }
}
