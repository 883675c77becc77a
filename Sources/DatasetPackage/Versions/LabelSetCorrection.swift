import Annotations
import Foundation
import MIFACore
import OMEZarr
import RasterIO
import Zarr

/// A correction of a raster annotation set (`mifa version --annotations SET=<masks>` where SET is a
/// label set of the package): each mask replaces the label image `images/<image>/labels/<SET>/` of
/// the image it is named after, written by the same OME-Zarr label writer `mifa pack` uses, so the
/// loader reads the corrected pixels. `mifa diff` and the version record then list the label objects
/// added, removed and changed (``LabelSetComparison``).
enum LabelSetCorrection {
    /// The images whose staged content has a label image of `set`, sorted.
    /// - Throws: ``PackageError`` `.io`.
    static func labelledImages(of set: String, in staging: VersionStaging) throws -> [String] {
        try staging.imageIDs().filter { FileSystem.kind(of: staging.path(PackageLayout.label(set, of: $0))) == .directory }
    }

    /// Replaces the label images of `set` by the masks at `file` (one mask file, or a folder of
    /// PNG, TIFF or `.npy` masks).
    ///
    /// A mask belongs to the image whose id is its name without extension, or whose source file
    /// (or label source file of this set) had that name when packed (`annotations/files.json`).
    /// - Throws: ``PackageError`` `.invalidInput` naming the mask for a mask that matches no image,
    ///   two masks of one image, pixels that are not integers, or a shape that does not fit the
    ///   image; `.io`. Nothing of the package changes then (the edit works on the staged copy).
    static func apply(set: String, masks file: String, staging: VersionStaging, labelled: [String]) throws {
        let files = try maskFiles(file)
        let imageIDs = try staging.imageIDs()
        let sources = try sourceNames(staging: staging, set: set)
        var done: [String: String] = [:]
        var plan: [(file: String, imageID: String)] = []
        for mask in files {
            let stem = SourceEntry.stem(of: URL(fileURLWithPath: mask).lastPathComponent)
            let candidates = imageIDs.contains(stem) ? [stem] : Array(Set(sources[stem] ?? [])).sorted()
            guard candidates.count == 1, let imageID = candidates.first else {
                let shown = labelled.prefix(12).joined(separator: ", ") + (labelled.count > 12 ? ", ..." : "")
                throw PackageError(
                    .invalidInput,
                    candidates.isEmpty
                        ? "the mask '\(stem)' is named after no image of the package; name each mask after its image (the images with labels of '\(set)': \(shown.isEmpty ? "none" : shown)); nothing was written"
                        : "the mask '\(stem)' could be the mask of several images (\(candidates.joined(separator: ", "))); name it after the image id; nothing was written",
                    context: ErrorContext(file: mask))
            }
            if let other = done[imageID] {
                throw PackageError(.invalidInput, "'\(mask)' and '\(other)' are both masks of image '\(imageID)'; give one mask per image; nothing was written", context: ErrorContext(file: mask))
            }
            done[imageID] = mask
            plan.append((mask, imageID))
        }
        let store = try DirectoryStore(root: staging.root)
        for (mask, imageID) in plan {
            let array: AnyNDArray
            do {
                array = try PixelPlanes.labelArray(try RasterFile.read(path: mask).array, file: mask)
            } catch let error as PackageError {
                throw error
            } catch let error as any MIFAError {
                throw PackageError(.invalidInput, "cannot read the mask: \(error.message)", context: ErrorContext(file: mask), underlying: error)
            }
            // Replace, never write through: the staged files are hard links to the current version's.
            try staging.remove(PackageLayout.label(set, of: imageID))
            do {
                let image = try OMEZarrImage.open(store, path: PackageLayout.image(imageID))
                var options = OMEZarrWriteOptions()
                options.reduction = .mode
                options.overwrite = true
                try image.addLabel(name: set, array, options: options)
            } catch let error as any MIFAError {
                throw PackageError(.invalidInput, "cannot write the mask as the label image '\(set)' of image '\(imageID)': \(error.message)",
                                   context: ErrorContext(file: mask, shape: array.shape), underlying: error)
            }
        }
    }

    /// The mask files at `path`: the file itself, or a folder's PNG, TIFF and `.npy` files (sorted).
    /// - Throws: ``PackageError`` `.invalidInput` for a folder without masks, `.io`.
    static func maskFiles(_ path: String) throws -> [String] {
        guard FileSystem.kind(of: path) == .directory else { return [path] }
        let names = try PackageFileSystem.walkTopLevel(path).filter { name in
            let lower = name.lowercased()
            return !name.hasPrefix(".") && [".png", ".tif", ".tiff", ".npy"].contains { lower.hasSuffix($0) }
        }
        guard !names.isEmpty else {
            throw PackageError(.invalidInput, "the folder holds no masks (PNG, TIFF or .npy label images named after their images)", context: ErrorContext(file: path))
        }
        return names.map { "\(path)/\($0)" }
    }

    /// Source file names (without extension) -> package image ids, from `annotations/files.json`:
    /// the images' own sources and the sources of this set's label images.
    static func sourceNames(staging: VersionStaging, set: String) throws -> [String: [String]] {
        let path = staging.path(IngestedFileIndex.path)
        guard FileSystem.kind(of: path) == .file else { return [:] }
        let index: IngestedFileIndex
        do {
            index = try JSONValueDecoder().decode(IngestedFileIndex.self, from: try JSONParser.parse(try PackageFileSystem.read(path), file: IngestedFileIndex.path))
        } catch let error as PackageError {
            throw error
        } catch {
            throw PackageError(.malformed, "annotations/files.json cannot be read: \(error)", context: ErrorContext(file: IngestedFileIndex.path))
        }
        var names: [String: [String]] = [:]
        for file in index.files where file.role == "image" || (file.role == "label" && file.setID == set) {
            let stem = SourceEntry.stem(of: URL(fileURLWithPath: file.source).lastPathComponent)
            names[stem, default: []] += file.imageIDs
        }
        return names
    }
}
