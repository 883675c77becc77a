import Foundation

/// One annotation format: its names, how it recognises its files, how it reads and writes them and
/// what it cannot carry. A new format is one type conforming to this, in one file with its
/// ``AnnotationFormat`` constant, and one line in ``AnnotationFormatRegistry``; nothing else
/// dispatches on formats.
protocol AnnotationFormatHandler: Sendable {
    /// The name used on the command line (`--from`, `--to`) and in messages.
    var name: String { get }
    /// Other names `--from` and `--to` accept for it.
    var aliases: [String] { get }
    /// The label image file format, for formats that are label images.
    var maskFileFormat: MaskFileFormat? { get }
    /// Whether it keeps the parent links of tracks (lineage).
    var keepsLineage: Bool { get }
    /// The MIFA annotation type (its term, such as `point_annotations`) a file of this format most
    /// likely holds, when nothing else says; `nil` when the format holds many kinds alike.
    var typicalAnnotationType: String? { get }

    /// How strongly this format claims an existing input; `nil` when it does not.
    /// - Throws: ``AnnotationError`` when the input must be read to tell and cannot be.
    func claim(input: AnnotationInputProbe) throws -> AnnotationFormatClaim?
    /// How strongly this format claims an output path (lowercased); `nil` when it does not.
    func claim(output lowercasedPath: String) -> AnnotationFormatClaim?
    /// Reads a file or folder of this format.
    /// - Throws: ``AnnotationError`` from the format's reader.
    func read(_ path: String, options: ConversionOptions) throws -> AnnotationReadResult
    /// Adds what this format cannot carry of `document` to `tally` (overlaps of drawn label images
    /// and lost lineage are added by ``Converter``).
    func losses(of document: AnnotationDocument, options: ConversionOptions, into tally: inout LossTally)
    /// Whether the format can hold `annotation` at all (what is kept after a lossy conversion was allowed).
    func keeps(_ annotation: Annotation) -> Bool
    /// Writes `document` and returns the files written.
    /// - Throws: ``AnnotationError`` from the format's writer.
    func write(_ document: AnnotationDocument, to output: String, job: AnnotationWriteJob) throws -> [String]
}

extension AnnotationFormatHandler {
    var aliases: [String] { [] }
    var maskFileFormat: MaskFileFormat? { nil }
    var typicalAnnotationType: String? { nil }
    func claim(output lowercasedPath: String) -> AnnotationFormatClaim? { nil }
    func keeps(_ annotation: Annotation) -> Bool { true }
}

/// How strongly a format claims a path; the strongest claim wins, and of equal claims the format
/// registered first.
enum AnnotationFormatClaim: Int, Comparable {
    /// The path could be this format when no other format says more (`.json` as COCO).
    case fallback
    /// The path's name says this format (`.geojson`, a folder of `.txt` labels).
    case name
    /// The content says this format (a `.json` file holding features, a folder with `res_track.txt`).
    case content

    static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// An existing input as formats look at it to claim it.
struct AnnotationInputProbe {
    /// The path as given.
    let path: String
    /// The path lowercased.
    let lowercased: String
    /// The names in the folder, or `nil` for a file.
    let folderNames: [String]?

    /// Whether the input is a file with one of the extensions (lowercase, no dot).
    func isFile(withExtension extensions: [String]) -> Bool {
        folderNames == nil && extensions.contains { lowercased.hasSuffix(".\($0)") }
    }

    /// Whether the input is a folder holding a file with one of the extensions (lowercase, no dot).
    func isFolder(holding extensions: [String]) -> Bool {
        folderNames?.contains { extensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) } ?? false
    }

    /// The first `count` bytes of the file, as text.
    /// - Throws: ``AnnotationError`` `.io` when it cannot be read.
    func head(_ count: Int) throws -> String {
        String(decoding: try FileBytes.read(path).prefix(count), as: UTF8.self)
    }
}

/// What a format's writer is given beside the document.
struct AnnotationWriteJob {
    /// The input's format.
    var source: AnnotationFormat
    /// The input path (named by errors that find no file of their own).
    var input: String
    /// The conversion's options.
    var options: ConversionOptions
    /// The label images drawn before writing, for label image formats.
    var rendered: [RenderedMask]
}
