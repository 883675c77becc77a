import MIFACore

extension PackageExporter {
    /// What to write: one of the export formats, found by name in one registry (``all``); two
    /// formats are equal when their names are.
    public struct Format: Sendable, Hashable, CustomStringConvertible {
        /// What writes the format.
        let handler: any PackageExportFormatHandler

        /// A format written by `handler`.
        init(_ handler: any PackageExportFormatHandler) {
            self.handler = handler
        }

        /// The format called `name`; `nil` for an unknown name.
        public init?(name: String) {
            guard let format = Self.all.first(where: { $0.name == name }) else { return nil }
            self = format
        }

        /// Every format, in the order `mifa export --help` and its errors list them. Adding a
        /// format is one type conforming to `PackageExportFormatHandler`, its constant and one line here.
        public static let all: [Format] = [.zip, .coco, .geojson, .croissant, .citation, .datacite]

        /// The name `mifa export --to` takes.
        public var name: String { handler.name }

        /// The name `mifa export --to` takes.
        public var description: String { name }

        /// Whether it writes one annotation set (and so takes a set and an image to choose from).
        public var writesAnnotationSet: Bool { handler.writesAnnotationSet }

        /// What the progress of an export counts ("files", "label images").
        public var progressUnit: String { handler.progressUnit }

        /// Formats are equal when their names are.
        public static func == (lhs: Format, rhs: Format) -> Bool { lhs.name == rhs.name }

        /// Hashes the name.
        public func hash(into hasher: inout Hasher) { hasher.combine(name) }
    }

    /// What an export is asked for beside the format and the output.
    struct Request {
        /// The version asked for; `nil` for the current one.
        var version: String?
        /// The annotation set; `nil` for the only one.
        var setID: String?
        /// Only this image's objects; `nil` for all.
        var image: String?
    }
}

/// One way `mifa export` writes a package version: a zip, an annotation set, a description or a
/// citation. The exporter checks the output and takes the snapshot; the format writes.
protocol PackageExportFormatHandler: Sendable {
    /// The name `mifa export --to` takes.
    var name: String { get }
    /// Whether it writes one annotation set (takes `--set` and `--image`).
    var writesAnnotationSet: Bool { get }
    /// What its progress counts.
    var progressUnit: String { get }
    /// Writes `snapshot` to `output` (which does not exist yet) and says what was written.
    /// - Throws: ``PackageError`` for what the format cannot write and what reading the snapshot throws.
    func export(_ snapshot: PackageSnapshot, of exporter: PackageExporter, to output: String, request: PackageExporter.Request, progress: (_ done: Int, _ total: Int) -> Void) throws -> PackageExporter.Summary
}

extension PackageExportFormatHandler {
    var writesAnnotationSet: Bool { false }
    /// Formats that report no progress name what they would count.
    var progressUnit: String { "steps" }
}
