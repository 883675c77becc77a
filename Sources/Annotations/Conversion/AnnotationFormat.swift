import Foundation
import MIFACore

/// An annotation format `mifa convert` reads and writes (DESIGN.md, "The command-line surface"),
/// found by name or alias in the registry of formats (`AnnotationFormatRegistry`, each format one
/// file under `Formats/`); two formats are equal when their names are.
public struct AnnotationFormat: Sendable, Hashable, CustomStringConvertible {
    /// What reads, writes and recognises the format.
    let handler: any AnnotationFormatHandler

    /// A format handled by `handler`.
    init(_ handler: any AnnotationFormatHandler) {
        self.handler = handler
    }

    /// The registered format called `name` or one of its aliases; `nil` for an unknown name.
    public init?(name: String) {
        guard let format = AnnotationFormatRegistry.byName[name] else { return nil }
        self = format
    }

    /// Every format, in the order `--help` and errors list them.
    public static var all: [AnnotationFormat] { AnnotationFormatRegistry.formats }

    /// The names of every format, comma-separated, for help texts and errors.
    public static var nameList: String { all.map(\.name).joined(separator: ", ") }

    /// The name used on the command line.
    public var name: String { handler.name }

    /// Other names the command line accepts for it.
    public var aliases: [String] { handler.aliases }

    /// The name used on the command line.
    public var description: String { name }

    /// Whether this is a label image format.
    public var isMask: Bool { maskFileFormat != nil }

    /// The label image file format of a mask format.
    public var maskFileFormat: MaskFileFormat? { handler.maskFileFormat }

    /// The MIFA annotation type (its term, such as `point_annotations`) a file of this format most
    /// likely holds, when nothing else says; `nil` when the format holds many kinds alike.
    public var typicalAnnotationType: String? { handler.typicalAnnotationType }

    /// Formats are equal when their names are.
    public static func == (lhs: AnnotationFormat, rhs: AnnotationFormat) -> Bool { lhs.name == rhs.name }

    /// Hashes the name.
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// The format of an existing input: by extension, by the first bytes of a `.json` file, by the
    /// files in a folder.
    /// - Throws: ``AnnotationError`` `.io` for a missing path or a folder that cannot be listed,
    ///   `.invalidArgument` when the format cannot be told (give `--from`).
    public static func detect(input path: String) throws -> AnnotationFormat {
        guard let kind = FileSystem.resolvedKind(of: path) else {
            throw AnnotationError(.io, "'\(path)' does not exist", context: ErrorContext(file: path))
        }
        var names: [String]?
        if kind == .directory {
            names = try FileBytes.names(in: path)
        }
        let probe = AnnotationInputProbe(path: path, lowercased: path.lowercased(), folderNames: names)
        if let format = try strongest(all.map { ($0, try $0.handler.claim(input: probe)) }) { return format }
        if names != nil {
            throw AnnotationError(.invalidArgument, "cannot tell the format of the folder '\(path)'; give --from", context: ErrorContext(file: path))
        }
        throw AnnotationError(.invalidArgument, "cannot tell the format of '\(path)' from its name; give --from (\(nameList))", context: ErrorContext(file: path))
    }

    /// The format an output path names: by extension, or `nil` for a folder-like name.
    public static func detect(output path: String) -> AnnotationFormat? {
        let lower = path.lowercased()
        return strongest(all.map { ($0, $0.handler.claim(output: lower)) })
    }

    /// The format with the strongest claim, the first registered of equal ones.
    private static func strongest(_ claims: [(AnnotationFormat, AnnotationFormatClaim?)]) -> AnnotationFormat? {
        var best: (format: AnnotationFormat, claim: AnnotationFormatClaim)?
        for case let (format, claim?) in claims where best.map({ claim > $0.claim }) ?? true {
            best = (format, claim)
        }
        return best?.format
    }
}
