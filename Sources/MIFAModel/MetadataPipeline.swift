import MIFACore

/// The single path from a parsed document (JSON or YAML, as ``JSONValue``) to a normalised
/// ``MIFADocument`` and its ``ValidationReport``:
/// detect the kind -> reshape publications keyed by DOI -> decode leniently -> normalise ->
/// validate -> translate every pointer back to the document as written and add line numbers.
struct MetadataPipeline {
    static let studyKeys = Study.CodingKeys.allCases.map(\.rawValue).filter { $0 != "authors" }
    static let annotationKeys = AnnotationSet.CodingKeys.allCases.map(\.rawValue).filter { $0 != "authors" }
    static let versionKeys = VersionMetadata.CodingKeys.allCases.map(\.rawValue)

    /// The kind of document `value` is; the same rule as the `if`/`then` chain of the JSON Schema.
    static func detectKind(_ value: JSONValue) -> MIFADocument.Kind {
        guard case .object(let object) = value else { return .combined }
        if object.contains(key: "study") || object.contains(key: "images") || object.contains(key: "annotations")
            || object["version"]?.objectValue != nil
        {
            return .combined
        }
        if studyKeys.contains(where: object.contains(key:)) { return .study }
        if annotationKeys.contains(where: object.contains(key:)) { return .annotations }
        if versionKeys.contains(where: object.contains(key:)) { return .version }
        return .combined
    }

    static func run(_ value: JSONValue, positions: JSONSourceMap) -> (document: MIFADocument, kind: MIFADocument.Kind, report: ValidationReport) {
        let kind = detectKind(value)
        var issues: [ValidationIssue] = []
        var map = JSONPointerMap()
        var tree = value
        let studyBase = ModuleBases(kind: kind).study
        if kind == .combined || kind == .study {
            reshapePublications(in: &tree, studyBase: studyBase, map: &map, issues: &issues)
        }

        // Decode leniently, collecting every type problem.
        let decoder = JSONValueDecoder(options: .lenient)
        var document = MIFADocument()
        var problems: [JSONDecodingProblem] = []
        do {
            switch kind {
            case .combined:
                let result = try decoder.decodeCollectingProblems(MIFADocument.self, from: tree, pointerMap: map)
                (document, problems, map) = (result.value, result.problems, result.pointerMap)
            case .study:
                let result = try decoder.decodeCollectingProblems(Study.self, from: tree, pointerMap: map)
                (document.study, problems, map) = (result.value, result.problems, result.pointerMap)
            case .annotations:
                let result = try decoder.decodeCollectingProblems(AnnotationSet.self, from: tree, pointerMap: map)
                (document.annotations, problems, map) = ([result.value], result.problems, result.pointerMap)
            case .version:
                let result = try decoder.decodeCollectingProblems(VersionMetadata.self, from: tree, pointerMap: map)
                (document.version, problems, map) = (result.value, result.problems, result.pointerMap)
            }
        } catch {
            // The model types are all-optional, so lenient decoding does not throw; keep going regardless.
            issues.append(ValidationIssue(.error, .invalidValue, at: .root, message: "the document cannot be read: \(error)"))
        }
        issues += problems.map(issue(for:))

        var normalizer = MetadataNormalizer()
        normalizer.normalize(&document, kind: kind)
        let translatedMap = map
        var validator = MetadataValidator(kind: kind, translate: { translatedMap.sourcePointer(for: $0) })
        validator.validate(document)
        for var issue in normalizer.issues + validator.issues {
            issue.pointer = map.sourcePointer(for: issue.pointer)
            issues.append(issue)
        }
        return (document, kind, ValidationReport(issues: finish(issues, positions: positions)))
    }

    /// Drops issues that only restate a type error above them, and adds line numbers.
    static func finish(_ issues: [ValidationIssue], positions: JSONSourceMap) -> [ValidationIssue] {
        let typeErrors = issues.filter { $0.code == .wrongType || $0.code == .invalidValue }.map(\.pointer)
        let errorPointers = Set(issues.filter { $0.severity == .error }.map(\.pointer))
        var result: [ValidationIssue] = []
        for var issue in issues {
            let isTypeError = issue.code == .wrongType || issue.code == .invalidValue
            if !isTypeError, issue.severity == .error, typeErrors.contains(where: { issue.pointer.hasPrefix($0) }) { continue }
            if issue.severity == .info, issue.code == .blankValue || issue.code == .wrappedInList, errorPointers.contains(issue.pointer) {
                continue
            }
            issue.position = positions.nearestPosition(of: issue.pointer)
            result.append(issue)
        }
        return result
    }

    /// The issue for a problem noticed while decoding.
    static func issue(for problem: JSONDecodingProblem) -> ValidationIssue {
        let pointer = problem.pointer
        switch problem.kind {
        case .typeMismatch(let expected, let found):
            let field = pointer.lastToken.map { "'\($0)'" } ?? "the document"
            return ValidationIssue(
                .error, .wrongType, at: pointer, message: "\(field) has the wrong type", expected: expected, found: found,
                suggestion: typeSuggestion(expected: expected, found: found))
        case .invalidValue(let message):
            return ValidationIssue(.error, .invalidValue, at: pointer, message: message)
        case .unknownKey(let key, let known):
            let suggestion = TextSimilarity.closest(to: key, among: known).map { "did you mean '\($0)'?" }
            return ValidationIssue(
                .warning, .unknownKey, at: pointer, message: "'\(key)' is not a MIFA field here; it is ignored and not written out",
                expected: known.isEmpty ? nil : "one of " + known.joined(separator: ", "), suggestion: suggestion, changesDocument: true)
        case .wrappedInList:
            return ValidationIssue(
                .info, .wrappedInList, at: pointer, message: "a single value where a list is expected; read as a list of one",
                changesDocument: true)
        case .nullListElement:
            return ValidationIssue(.info, .blankValue, at: pointer, message: "blank list entry left out", changesDocument: true)
        case .nullMember:
            return ValidationIssue(.info, .blankValue, at: pointer, message: "blank value (null) read as absent", changesDocument: true)
        }
    }

    static func typeSuggestion(expected: String, found: String) -> String? {
        if expected == "a string", found.hasPrefix("number ") || found.hasPrefix("boolean ") {
            return "write it as text, in quotes: \"\(found.split(separator: " ", maxSplits: 1).last ?? "")\""
        }
        if expected == "an object", found.hasPrefix("string ") { return "write the fields of the entry as a mapping" }
        return nil
    }

    /// Publications given as an object keyed by DOI (as the Archive's JSON Schema has it) become a
    /// list, each entry taking its DOI from the key when it does not state one.
    static func reshapePublications(in tree: inout JSONValue, studyBase: JSONPointer, map: inout JSONPointerMap, issues: inout [ValidationIssue]) {
        let pointer = studyBase.appending("publications")
        guard case .object(let publications)? = pointer.resolve(in: tree) else { return }
        let fields = Set(Publication.CodingKeys.allCases.map(\.rawValue))
        guard !publications.isEmpty, !publications.keys.contains(where: fields.contains) else { return }
        var list: [JSONValue] = []
        var tokens: [String] = []
        for member in publications.members where !member.value.isNull {
            var entry = member.value
            if case .object(var object) = entry, object["publication_doi"] == nil || object["publication_doi"] == .null {
                object["publication_doi"] = .string(member.key)
                entry = .object(object)
            }
            list.append(entry)
            tokens.append(member.key)
        }
        tree.replace(at: pointer, with: .array(list))
        map.recordElementSources(of: pointer, sourceTokens: tokens)
        issues.append(
            ValidationIssue(
                .info, .publicationsKeyedByDOI, at: pointer, message: "publications given as an object keyed by DOI; read as a list",
                changesDocument: true))
    }
}

extension JSONValue {
    /// Replaces the value at `pointer` (which must exist, through objects only).
    mutating func replace(at pointer: JSONPointer, with value: JSONValue) {
        guard let first = pointer.tokens.first else {
            self = value
            return
        }
        guard case .object(var object) = self, var child = object[first] else { return }
        child.replace(at: JSONPointer(tokens: Array(pointer.tokens.dropFirst())), with: value)
        object[first] = child
        self = .object(object)
    }
}
