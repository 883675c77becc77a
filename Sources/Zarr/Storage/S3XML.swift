import Foundation
import MIFACore

/// The small subset of XML that S3 answers with (ListObjectsV2 results, multipart upload answers,
/// error documents), read into the text of each leaf element with its path, e.g.
/// `ListBucketResult/Contents/Key`.
///
/// Bounded: the input is a response body already held to the transport's limits; nesting deeper
/// than ``maxDepth`` is refused. Declarations, comments, CDATA and processing instructions are
/// handled; attributes are skipped; the five named entities and numeric character references are
/// decoded. Anything malformed throws rather than being guessed at.
struct S3XML {
    /// The deepest nesting accepted.
    static let maxDepth = 16

    /// Each element that holds text, in document order: its path from the root and its text.
    let leaves: [(path: String, text: String)]

    /// Parses `bytes`.
    /// - Throws: ``ZarrError`` `.storeFailure` for malformed XML or nesting beyond ``maxDepth``.
    init(_ bytes: [UInt8], place: String) throws {
        var leaves: [(path: String, text: String)] = []
        var stack: [(name: String, hasChildren: Bool)] = []
        var text: [UInt8] = []
        var index = 0
        func fail(_ why: String) -> ZarrError {
            ZarrError(.storeFailure, "the S3 server sent an XML document that cannot be read (\(why) at byte \(index))",
                      context: ErrorContext(file: place, offset: index))
        }
        func find(_ needle: [UInt8], from start: Int) -> Int? {
            guard needle.count <= bytes.count else { return nil }
            var i = start
            while i + needle.count <= bytes.count {
                if bytes[i] == needle[0] && Array(bytes[i..<(i + needle.count)]) == needle { return i }
                i += 1
            }
            return nil
        }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "<") else {
                text.append(byte)
                index += 1
                continue
            }
            if bytes[index...].starts(with: Array("<![CDATA[".utf8)) {
                guard let end = find(Array("]]>".utf8), from: index + 9) else { throw fail("an unterminated CDATA section") }
                // Kept escaped so that decoding leaves it as written.
                for raw in bytes[(index + 9)..<end] {
                    text += raw == UInt8(ascii: "&") ? Array("&amp;".utf8) : raw == UInt8(ascii: "<") ? Array("&lt;".utf8) : [raw]
                }
                index = end + 3
                continue
            }
            if bytes[index...].starts(with: Array("<!--".utf8)) {
                guard let end = find(Array("-->".utf8), from: index + 4) else { throw fail("an unterminated comment") }
                index = end + 3
                continue
            }
            guard let close = bytes[index...].firstIndex(of: UInt8(ascii: ">")) else { throw fail("an unterminated tag") }
            let tag = bytes[(index + 1)..<close]
            index = close + 1
            if tag.first == UInt8(ascii: "?") || tag.first == UInt8(ascii: "!") { continue }
            if tag.first == UInt8(ascii: "/") {
                let name = String(decoding: tag.dropFirst(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                guard let open = stack.popLast(), open.name == name else { throw fail("a closing tag </\(name)> that closes nothing open") }
                if !open.hasChildren {
                    leaves.append(((stack.map(\.name) + [name]).joined(separator: "/"), try Self.decode(text, fail)))
                }
                text = []
                continue
            }
            let selfClosing = tag.last == UInt8(ascii: "/")
            let nameBytes = (selfClosing ? tag.dropLast() : tag).prefix { ![UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")].contains($0) }
            let name = String(decoding: nameBytes, as: UTF8.self)
            guard !name.isEmpty else { throw fail("a tag without a name") }
            text = []
            if !stack.isEmpty { stack[stack.count - 1].hasChildren = true }
            if selfClosing {
                leaves.append(((stack.map(\.name) + [name]).joined(separator: "/"), ""))
                continue
            }
            guard stack.count < Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth)") }
            stack.append((name, false))
        }
        guard stack.isEmpty else { throw fail("unclosed element <\(stack.last?.name ?? "")>") }
        self.leaves = leaves
    }

    /// The texts of the leaves at `path`, in order.
    func values(_ path: String) -> [String] { leaves.filter { $0.path == path }.map(\.text) }

    /// The text of the first leaf at `path`.
    func value(_ path: String) -> String? { leaves.first { $0.path == path }?.text }

    /// The text with entities and character references decoded.
    private static func decode(_ bytes: [UInt8], _ fail: (String) -> ZarrError) throws -> String {
        guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "&") else {
                out.append(bytes[index])
                index += 1
                continue
            }
            guard let semicolon = bytes[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else { throw fail("an unterminated entity") }
            let entity = String(decoding: bytes[(index + 1)..<semicolon], as: UTF8.self)
            switch entity {
            case "amp": out.append(UInt8(ascii: "&"))
            case "lt": out.append(UInt8(ascii: "<"))
            case "gt": out.append(UInt8(ascii: ">"))
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default:
                let number: UInt32? = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16)
                    : entity.hasPrefix("#") ? UInt32(entity.dropFirst(), radix: 10) : nil
                guard let number, let scalar = Unicode.Scalar(number) else { throw fail("the unknown entity &\(entity);") }
                out += Array(String(Character(scalar)).utf8)
            }
            index = semicolon + 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
