import Foundation
import MIFACore
import OMEZarr
public import Zarr

extension SampleIndex {
    /// What one input of a loader is: a MIFA package, one OME-Zarr image, or a folder of them.
    public enum InputKind: String, Sendable, Hashable {
        /// A MIFA package (its `images/`, labels and vector annotation sets).
        case package
        /// One OME-Zarr image.
        case image
        /// A folder of OME-Zarr images (or a folder with an `images/` folder of them).
        case folder
    }

    /// The OME-Zarr images of `input`: the image itself, a package's `images/*`, or a folder's
    /// children that are OME-Zarr images (sorted by name); URLs are opened within `http`.
    /// - Throws: ``BatchLoaderError`` `.invalidConfiguration` (naming `input`) when it does not exist
    ///   or is none of these; the error of an image that cannot be opened (see `isImage(_:)`).
    public static func imagePaths(_ input: String, http: HTTPLimits = .default) throws -> (kind: InputKind, paths: [String]) {
        guard StoreURL.isRemote(input) || FileSystem.exists(input) else {
            throw BatchLoaderError(.invalidConfiguration, "no such file or folder", context: ErrorContext(file: input))
        }
        if try isImage(input, http: http) { return (.image, [input]) }
        let base = input.count > 1 && input.hasSuffix("/") ? String(input.dropLast()) : input
        let folder = FileSystem.exists(base + "/images") ? base + "/images" : base
        let listed: [String]?
        do {
            listed = try FileSystem.entries(of: folder)
        } catch {
            throw BatchLoaderError(.invalidConfiguration, error.message, context: error.context, underlying: error)
        }
        let images = try (listed ?? []).map { folder + "/" + $0 }.filter { try isImage($0, http: http) }
        guard !images.isEmpty else {
            throw BatchLoaderError(.invalidConfiguration, "not an OME-Zarr image, a folder of them, or a MIFA package with images/",
                                   context: ErrorContext(file: input))
        }
        return (.folder, images)
    }

    /// Whether `path` opens as an OME-Zarr image; `false` for what is no image at all (a plain
    /// folder, a file, a plate).
    /// - Throws: the error of an image that cannot be opened (damaged metadata, a shape too large,
    ///   an unreadable store), so its cause is reported rather than "not an image".
    static func isImage(_ path: String, http: HTTPLimits = .default) throws -> Bool {
        do {
            _ = try OMEZarrImage.open(path: path, http: http)
            return true
        } catch let error as OMEZarrError where error.kind == .notOMEZarr {
            return false
        } catch let error as OMEZarrError where error.kind == .storage && !looksLikeZarr(path) {
            // A file or folder that is not a Zarr store at all.
            return false
        }
    }

    /// Whether `path` holds Zarr metadata at its root (or is a remote URL or a zip, which only opening can tell).
    static func looksLikeZarr(_ path: String) -> Bool {
        if StoreURL.isRemote(path) || ZipStore.isZipLocation(path) { return true }
        return ["zarr.json", ".zattrs", ".zgroup", ".zarray"].contains { FileSystem.exists(path + "/" + $0) }
    }
}
