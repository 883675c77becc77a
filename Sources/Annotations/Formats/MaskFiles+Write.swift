import Foundation
import MIFACore
import RasterIO

/// The label image file formats.
public enum MaskFileFormat: String, Sendable, Hashable, CaseIterable {
    /// PNG, 8 or 16 bits (up to 65535 labels).
    case png
    /// TIFF, 8, 16 or 32 bits, Deflate-compressed.
    case tiff
    /// NumPy `.npy`.
    case npy

    /// The file extension.
    public var fileExtension: String { self == .tiff ? "tif" : rawValue }
}

extension MaskFiles {
    /// Writes rendered label images: one mask to the file `path` (or into it when it is a folder),
    /// several into the folder `path` (created), one `<image stem>.<ext>` file each.
    ///
    /// - Returns: the files written.
    /// - Throws: ``AnnotationError`` `.unsupported` for a PNG with labels above 65535, `.io` when a
    ///   file or folder cannot be written.
    @discardableResult
    public static func write(_ masks: [RenderedMask], to path: String, format: MaskFileFormat) throws -> [String] {
        var targets: [String] = []
        if masks.count == 1 && !FileSystem.isFolder(path) && !path.hasSuffix("/") {
            targets = [path]
        } else {
            try createFolder(path)
            var used = Set<String>()
            for mask in masks {
                var name = mask.image.stem.replacingOccurrences(of: "/", with: "_")
                if name.isEmpty { name = "image" }
                var candidate = name
                var counter = 1
                while !used.insert(candidate).inserted {
                    counter += 1
                    candidate = "\(name)-\(counter)"
                }
                targets.append(path + (path.hasSuffix("/") ? "" : "/") + candidate + "." + format.fileExtension)
            }
        }
        for (mask, target) in zip(masks, targets) {
            try writeOne(mask.labels, to: target, format: format)
        }
        return targets
    }

    /// Writes one label image.
    /// - Throws: ``AnnotationError`` as ``write(_:to:format:)``.
    public static func writeOne(_ labels: LabelImage, to path: String, format: MaskFileFormat) throws {
        var array = labels.array
        if case .bool(let a) = array {
            array = .uint8(try NDArray(shape: a.shape, elements: a.elements.map { $0 ? UInt8(1) : 0 }, order: a.order))
        }
        do {
            switch format {
            case .png:
                guard array.dataType == .uint8 || array.dataType == .uint16 else {
                    throw AnnotationError(.unsupported, "a PNG holds at most 65535 labels (16 bits) but this mask needs \(array.dataType.rawValue); write mask-tiff instead", context: ErrorContext(file: path))
                }
                try PNGFile.write(array, to: path)
            case .tiff:
                try TIFFFile.write(RasterImage(array: array, axes: "YX"), to: path, options: TIFFWriteOptions(compression: .deflate))
            case .npy:
                try NPYFile.write(array, to: path)
            }
        } catch let error as AnnotationError {
            throw error
        } catch let error as any MIFAError {
            throw AnnotationError(.io, "cannot write the label image: \(error.message)", context: ErrorContext(file: path), underlying: error)
        }
    }

    static func createFolder(_ path: String) throws {
        do throws(CoreError) {
            try FileSystem.createDirectories(path)
        } catch {
            throw AnnotationError(.io, "cannot create the folder '\(path)'", context: ErrorContext(file: path), underlying: error)
        }
    }
}
