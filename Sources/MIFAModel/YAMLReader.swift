public import MIFACore
import Yams

/// Reads YAML (as the BioImage Archive's curators write MIFA metadata) into `JSONValue`, with
/// the line and column of every value.
///
/// YAML is read as text, the way the MIFA model types it: every scalar becomes a string with its
/// exact text (`version: 1.10` is `"1.10"`, `publication_year: 2021` is `"2021"`), except the YAML
/// null forms (`~`, `null`, `Null`, `NULL` and an empty value), which become `null`; so blank
/// templates read as "nothing filled in". Mapping keys must be scalars.
///
/// Guards against hostile input: libyaml limits nesting to 1000 levels; the converted document is
/// limited in depth and in size after alias expansion ("billion laughs"); and documents that use
/// aliases together with collection keys are refused before parsing, since hashing such keys
/// would expand the aliases.
public enum YAMLReader {
    /// Bounds on what a document may expand to.
    public struct Limits: Sendable, Hashable {
        /// The deepest nesting of lists and mappings.
        public var maximumDepth: Int
        /// The most values (scalars, lists and mappings, counting each alias expansion).
        public var maximumValues: Int
        /// The most UTF-8 bytes of scalar text, counting each alias expansion.
        public var maximumTextBytes: Int

        /// Limits; the defaults scale with the input size so that alias-free documents always fit.
        public init(maximumDepth: Int = 512, maximumValues: Int, maximumTextBytes: Int) {
            self.maximumDepth = maximumDepth
            self.maximumValues = maximumValues
            self.maximumTextBytes = maximumTextBytes
        }

        /// Limits for an input of `byteCount` bytes: 4 values per byte and 16 text bytes per byte,
        /// plus a fixed allowance.
        public static func forInput(byteCount: Int) -> Limits {
            Limits(maximumValues: 100_000 + 4 * byteCount, maximumTextBytes: 1 << 20 + 16 * byteCount)
        }
    }

    /// Parses a YAML document.
    ///
    /// - Parameters:
    ///   - text: the YAML text.
    ///   - file: the file name for errors.
    ///   - limits: bounds on what the document may expand to; `nil` for ``Limits/forInput(byteCount:)``
    ///     of the text's size.
    /// - Returns: the document and where each value starts.
    /// - Throws: ``MetadataError`` `.invalidYAML` with line and column for malformed YAML,
    ///   `.emptyDocument`, or `.tooLarge` when limits are exceeded.
    public static func read(_ text: String, file: String? = nil, limits: Limits? = nil) throws -> (value: JSONValue, positions: JSONSourceMap) {
        let limits = limits ?? .forInput(byteCount: text.utf8.count)
        if YAMLPreScan.mayHashExpandedAliases(text) {
            throw MetadataError(
                .invalidYAML,
                "the document uses YAML aliases (*name) together with explicit or collection mapping keys (? or [..]: or *name:); "
                    + "MIFAKit does not read that combination. Write the keys as plain text",
                context: ErrorContext(file: file))
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw convert(error, file: file, text: text)
        }
        guard let node else {
            throw MetadataError(.emptyDocument, "the file holds no YAML document; expected a mapping of MIFA fields", context: ErrorContext(file: file))
        }
        var converter = YAMLConverter(file: file, limits: limits)
        let value = try converter.convert(node, at: .root, depth: 0)
        return (value, converter.positions)
    }

    /// A `MetadataError` with the place and problem of a Yams error.
    static func convert(_ error: YamlError, file: String?, text: String) -> MetadataError {
        func located(_ problem: String, _ context: YamlError.Context?, _ mark: Mark) -> MetadataError {
            var message = problem
            if let context { message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))" }
            return MetadataError(.invalidYAML, message, context: ErrorContext(file: file, line: mark.line, column: mark.column))
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return located(problem, context, mark)
        case .reader(let problem, let offset, _, _):
            let position = offset.map { characterPosition(of: $0, in: text) }
            return MetadataError(
                .invalidYAML, problem, context: ErrorContext(file: file, line: position?.line, column: position?.column))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return MetadataError(
                .invalidYAML, "the key \(keys) appears twice in one mapping; keep one",
                context: ErrorContext(file: file, line: context.mark.line, column: context.mark.column))
        default:
            return MetadataError(.invalidYAML, "\(error)", context: ErrorContext(file: file))
        }
    }

    /// Line and column of the `offset`-th character of `text`.
    static func characterPosition(of offset: Int, in text: String) -> SourcePosition {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character == "\n" || character == "\r\n" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return SourcePosition(line: line, column: column)
    }
}

/// Converts Yams nodes into JSON values within limits.
struct YAMLConverter {
    let file: String?
    let limits: YAMLReader.Limits
    var positions = JSONSourceMap()
    var values = 0
    var textBytes = 0

    init(file: String?, limits: YAMLReader.Limits) {
        self.file = file
        self.limits = limits
    }

    static let nullForms: Set<String> = ["", "~", "null", "Null", "NULL"]

    mutating func convert(_ node: Node, at pointer: JSONPointer, depth: Int) throws -> JSONValue {
        values += 1
        if values > limits.maximumValues {
            throw tooLarge("more than \(limits.maximumValues) values", node)
        }
        if let mark = node.mark { positions.record(pointer, SourcePosition(line: mark.line, column: mark.column)) }
        switch node {
        case .scalar(let scalar):
            let tag = scalar.tag.rawValue
            if tag == Tag.Name.null.rawValue || (scalar.style == .plain && tag.isEmpty && YAMLConverter.nullForms.contains(scalar.string)) {
                return .null
            }
            textBytes += scalar.string.utf8.count
            if textBytes > limits.maximumTextBytes {
                throw tooLarge("more than \(limits.maximumTextBytes) bytes of text", node)
            }
            return .string(scalar.string)
        case .sequence(let sequence):
            guard depth < limits.maximumDepth else { throw tooDeep(node) }
            var elements: [JSONValue] = []
            elements.reserveCapacity(sequence.count)
            for (index, element) in sequence.enumerated() {
                elements.append(try convert(element, at: pointer.appending(index: index), depth: depth + 1))
            }
            return .array(elements)
        case .mapping(let mapping):
            guard depth < limits.maximumDepth else { throw tooDeep(node) }
            var object = JSONObject()
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    throw MetadataError(
                        .invalidYAML, "a mapping key is a \(keyNode.sequence != nil ? "list" : "mapping"); MIFA keys are plain text",
                        context: context(of: keyNode))
                }
                let key = keyScalar.string
                if object.contains(key: key) {
                    throw MetadataError(.invalidYAML, "the key '\(key)' appears twice in one mapping; keep one", context: context(of: keyNode))
                }
                textBytes += key.utf8.count
                object[key] = try convert(valueNode, at: pointer.appending(key), depth: depth + 1)
            }
            return .object(object)
        case .alias:
            // Yams resolves aliases while composing; an unresolved one cannot occur.
            return .null
        }
    }

    func context(of node: Node) -> ErrorContext {
        ErrorContext(file: file, line: node.mark?.line, column: node.mark?.column)
    }

    func tooLarge(_ what: String, _ node: Node) -> MetadataError {
        MetadataError(
            .tooLarge,
            "the YAML document expands to \(what) (through aliases?); a MIFA document is far smaller. Remove the aliases that repeat large parts",
            context: context(of: node))
    }

    func tooDeep(_ node: Node) -> MetadataError {
        MetadataError(.tooLarge, "lists and mappings are nested more than \(limits.maximumDepth) levels deep", context: context(of: node))
    }
}
