import Foundation
import MIFACore

/// The annotation formats `mifa convert` reads and writes (DESIGN.md, "The command-line surface").
public enum AnnotationFormat: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// COCO JSON.
    case coco
    /// GeoJSON (RFC 7946), QuPath's properties understood.
    case geojson
    /// Label image(s) as PNG.
    case maskPNG = "mask-png"
    /// Label image(s) as TIFF.
    case maskTIFF = "mask-tiff"
    /// Label image(s) as NumPy `.npy`.
    case npy
    /// A Cell Tracking Challenge folder.
    case ctc
    /// napari points CSV (reading also takes a napari Shapes CSV, as its shapes).
    case napariPointsCSV = "napari-points-csv"
    /// napari tracks CSV.
    case napariTracksCSV = "napari-tracks-csv"
    /// A YOLO labels folder.
    case yolo

    /// The name used on the command line.
    public var description: String { rawValue }

    /// Whether this is a label image format.
    public var isMask: Bool { self == .maskPNG || self == .maskTIFF || self == .npy }

    /// The label image file format of a mask format.
    public var maskFileFormat: MaskFileFormat? {
        switch self {
        case .maskPNG: .png
        case .maskTIFF: .tiff
        case .npy: .npy
        default: nil
        }
    }

    /// The format of an existing input: by extension, by the first bytes of a `.json` file, by the
    /// files in a folder.
    /// - Throws: ``AnnotationError`` `.io` for a missing path, `.invalidArgument` when the format
    ///   cannot be told (give `--from`).
    public static func detect(input path: String) throws -> AnnotationFormat {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AnnotationError(.io, "'\(path)' does not exist", context: ErrorContext(file: path))
        }
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            if names.contains("res_track.txt") || names.contains("man_track.txt") || names.contains("TRA") { return .ctc }
            if !Set(names).isDisjoint(with: YOLOFolder.classFileNames) || names.contains("labels") || names.contains(where: { $0.hasSuffix(".txt") }) { return .yolo }
            let extensions = Set(names.map { URL(fileURLWithPath: $0).pathExtension.lowercased() })
            if extensions.contains("png") { return .maskPNG }
            if extensions.contains("tif") || extensions.contains("tiff") { return .maskTIFF }
            if extensions.contains("npy") { return .npy }
            throw AnnotationError(.invalidArgument, "cannot tell the format of the folder '\(path)'; give --from", context: ErrorContext(file: path))
        }
        let lower = path.lowercased()
        if lower.hasSuffix(".geojson") { return .geojson }
        if lower.hasSuffix(".png") { return .maskPNG }
        if lower.hasSuffix(".tif") || lower.hasSuffix(".tiff") { return .maskTIFF }
        if lower.hasSuffix(".npy") { return .npy }
        if lower.hasSuffix(".txt") || lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return .yolo }
        if lower.hasSuffix(".csv") {
            let head = String(decoding: (try? FileBytes.read(path))?.prefix(256) ?? [], as: UTF8.self)
            return head.contains("track_id") ? .napariTracksCSV : .napariPointsCSV
        }
        if lower.hasSuffix(".json") {
            let head = String(decoding: (try FileBytes.read(path)).prefix(4096), as: UTF8.self)
            if head.contains("\"FeatureCollection\"") || head.contains("\"Feature\"") { return .geojson }
            return .coco
        }
        throw AnnotationError(.invalidArgument, "cannot tell the format of '\(path)' from its name; give --from (\(allCases.map(\.rawValue).joined(separator: ", ")))", context: ErrorContext(file: path))
    }

    /// The format an output path names: by extension, or `nil` for a folder-like name.
    public static func detect(output path: String) -> AnnotationFormat? {
        let lower = path.lowercased()
        if lower.hasSuffix(".geojson") { return .geojson }
        if lower.hasSuffix(".json") { return .coco }
        if lower.hasSuffix(".png") { return .maskPNG }
        if lower.hasSuffix(".tif") || lower.hasSuffix(".tiff") { return .maskTIFF }
        if lower.hasSuffix(".npy") { return .npy }
        if lower.hasSuffix(".csv") { return lower.contains("track") ? .napariTracksCSV : .napariPointsCSV }
        return nil
    }
}
