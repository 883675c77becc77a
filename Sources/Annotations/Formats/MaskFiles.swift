import MIFACore
import Foundation
import RasterIO

/// Options for reading label images.
public struct MaskReadOptions: Sendable, Hashable {
    /// Instance (one value per object) or semantic (one value per class).
    public var kind: MaskKind
    /// Values that mean "ignore" rather than an object (VOC's -1, `--ignore-label`): their pixels
    /// are read as background and counted in a warning. Any other negative value is refused.
    public var ignoreLabels: Set<Int64>

    /// Options; instance masks by default, no value ignored.
    public init(kind: MaskKind = .instance, ignoreLabels: Set<Int64> = []) {
        self.kind = kind
        self.ignoreLabels = ignoreLabels
    }
}

/// Reads and writes label images as PNG (8/16-bit), TIFF (8/16/32-bit) and `.npy` files through
/// RasterIO: one file per image, or a folder of them.
///
/// A 2-D file is one image; a floating-point one is a probability map (one annotation holding
/// it). A stack (`TYX`, `ZYX`) is read plane by plane: each plane is an image
/// named `<stem>/<axis><index>`, and with a `T` axis each object gets its `frame` and, as in the Cell
/// Tracking Challenge, its label as `trackID`.
public enum MaskFiles {
    /// The file extensions of label images.
    public static let extensions: Set<String> = ["png", "tif", "tiff", "npy"]

    /// Reads one label image file, or every label image in a folder (sorted by name).
    /// - Throws: ``AnnotationError`` `.io` for a missing path or an empty folder, `.invalidArgument`
    ///   for a floating-point image; RasterIO's errors are wrapped with the file name.
    public static func read(path: String, options: MaskReadOptions = MaskReadOptions()) throws -> AnnotationReadResult {
        guard let kind = FileSystem.resolvedKind(of: path) else {
            throw AnnotationError(.io, "'\(path)' does not exist", context: ErrorContext(file: path))
        }
        let files: [String]
        if kind == .directory {
            files = try Self.files(in: path)
            guard !files.isEmpty else {
                throw AnnotationError(.io, "the folder '\(path)' has no .png, .tif, .tiff or .npy files", context: ErrorContext(file: path))
            }
        } else {
            files = [path]
        }
        var document = AnnotationDocument()
        var nextID: Int64 = 1
        var warnings: [AnnotationWarning] = []
        for file in files {
            var ignored: [Int64: Int] = [:]
            let image: RasterImage
            do {
                image = try RasterFile.read(path: file)
            } catch let error as any MIFAError {
                throw AnnotationError(.malformed, "cannot read the label image: \(error.message)", context: ErrorContext(file: file), underlying: error)
            }
            let stem = Self.stem(file)
            for (plane, suffix, frame) in try planes(of: image, file: file) {
                let imageID = Identifier.string(suffix.map { "\(stem)/\($0)" } ?? stem)
                if plane.dataType.isFloatingPoint {
                    // Floating-point planes are probability (or score) maps, kept whole.
                    let map = try ProbabilityMap(plane)
                    document.images.append(ImageReference(id: imageID, fileName: URL(fileURLWithPath: file).lastPathComponent, width: map.width, height: map.height))
                    document.annotations.append(Annotation(id: .int(nextID), imageID: imageID, value: .probabilityMap(map), frame: frame))
                    nextID += 1
                    continue
                }
                let label = try LabelImage(plane)
                document.images.append(ImageReference(id: imageID, fileName: URL(fileURLWithPath: file).lastPathComponent, width: label.width, height: label.height))
                var objects = try label.objects()
                try Self.removeIgnored(&objects, options: options, counts: &ignored, file: file, plane: suffix)
                for var annotation in try LabelImage.annotations(of: objects, kind: options.kind, imageID: imageID) {
                    annotation.id = .int(nextID)
                    nextID += 1
                    if let frame {
                        annotation.frame = frame
                        if options.kind == .instance { annotation.trackID = annotation.properties["label"]?.numberValue?.int64Value }
                    }
                    document.annotations.append(annotation)
                }
            }
            for (value, pixels) in ignored.sorted(by: { $0.key < $1.key }) {
                warnings.append(AnnotationWarning(.ignored, "\(pixels) pixels with the ignore value \(value) were read as background (--ignore-label \(value))", context: ErrorContext(file: file)))
            }
        }
        if options.kind == .semantic {
            let values = Set(document.annotations.compactMap(\.categoryID)).sorted()
            document.categories = values.map { Category(id: $0, name: "class \($0)") }
        }
        return AnnotationReadResult(document: document, warnings: warnings)
    }

    /// Takes the objects of ignored values out of `objects` (adding their pixels to `counts`);
    /// a negative value that is not ignored is refused: it is no object, and reading it as one would
    /// turn VOC's "ignore" regions into objects.
    /// - Throws: ``AnnotationError`` `.invalidArgument` naming the value, its pixels and the file.
    static func removeIgnored(_ objects: inout [LabelObject], options: MaskReadOptions, counts: inout [Int64: Int], file: String, plane: String?) throws {
        guard objects.contains(where: { $0.label < 0 || options.ignoreLabels.contains($0.label) }) else { return }
        var kept: [LabelObject] = []
        kept.reserveCapacity(objects.count)
        for object in objects {
            if options.ignoreLabels.contains(object.label) {
                counts[object.label, default: 0] += object.area
            } else if object.label < 0 {
                let box = object.boundingBox
                throw AnnotationError(
                    .invalidArgument,
                    "the label image holds the negative value \(object.label) (\(object.area) pixels\(plane.map { " in plane \($0)" } ?? ""), the first in row \(Int(box.y))); objects are positive values and 0 is background. If \(object.label) marks pixels to ignore (as -1 does in VOC masks), pass --ignore-label \(object.label) to read them as background",
                    context: ErrorContext(file: file))
            } else {
                kept.append(object)
            }
        }
        objects = kept
    }

    /// The label image files of a folder, sorted by name.
    static func files(in folder: String) throws -> [String] {
        let names = try FileBytes.names(in: folder)
        return names.filter { extensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) && !$0.hasPrefix(".") }
            .sorted().map { folder + "/" + $0 }
    }

    /// A file name without folders and extension.
    static func stem(_ path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    /// The 2-D planes of a raster: `(plane, "t3" or nil, frame)`.
    static func planes(of image: RasterImage, file: String) throws -> [(AnyNDArray, String?, Int?)] {
        let axes = Array(image.axes)
        let shape = image.shape
        if image.axes == "YX" { return [(image.array, nil, nil)] }
        guard image.axes.hasSuffix("YX"), axes.dropLast(2).allSatisfy({ "TZC".contains($0) }) else {
            throw AnnotationError(.invalidArgument, "a label image has axes YX, or leading T, Z or C axes before YX; this one has \(image.axes) (shape \(shape))", context: ErrorContext(file: file, shape: shape))
        }
        let leading = Array(shape.dropLast(2))
        let (height, width) = (shape[shape.count - 2], shape[shape.count - 1])
        let planeCount = leading.reduce(1, *)
        let array = image.array.rowMajor
        var result: [(AnyNDArray, String?, Int?)] = []
        for index in 0..<planeCount {
            var rest = index
            var parts: [String] = []
            var frame: Int?
            for (axis, extent) in zip(axes.dropLast(2), leading).reversed() {
                let value = rest % extent
                rest /= extent
                parts.insert("\(axis.lowercased())\(value)", at: 0)
                if axis == "T" { frame = value }
            }
            result.append((try array.plane(at: index * height * width, height: height, width: width, yStride: width, xStride: 1), parts.joined(separator: "-"), frame))
        }
        return result
    }
}
