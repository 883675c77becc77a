import DatasetPackage
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

    /// The sources of one input (`mifa bench`'s inputs, the C ABI's loader sources): a MIFA package's
    /// images (named by their image ids, with the label image of `label` and the vector annotations
    /// of `annotationSets`, `nil`: every set; with `splits`, the images in those splits), or the
    /// OME-Zarr images of `input` (named by their paths, with the label image `label` where they
    /// have it; annotation sets and splits need a package). Images at URLs are read within `http`.
    /// - Throws: ``BatchLoaderError`` `.invalidConfiguration` when `input` is none of these or
    ///   annotation sets are asked of images; and as ``sources(package:level:labelSet:annotationSets:splits:)``
    ///   and ``init(paths:level:labelName:http:)``.
    public static func sources(input: String, level: Int = 0, label: String? = nil,
                               annotationSets: [String]? = nil, splits: [String]? = nil,
                               http: HTTPLimits = .default) throws -> (kind: InputKind, sources: [SampleSource]) {
        // A package is read as one however damaged, so its own error is reported.
        if DatasetPackage.isPackage(at: input) {
            return (.package, try sources(package: input, level: level, labelSet: label, annotationSets: annotationSets, splits: splits))
        }
        if let splits, !splits.isEmpty {
            throw BatchLoaderError(.invalidConfiguration, "a split (\(splits.joined(separator: ", "))) chooses the images of a MIFA package by the split its mifa.json gives them; this input is not a package, so give only the images of the split you mean",
                                   context: ErrorContext(file: input))
        }
        if let annotationSets, !annotationSets.isEmpty {
            throw BatchLoaderError(.invalidConfiguration, "vector annotation sets (\(annotationSets.joined(separator: ", "))) are read from MIFA packages; this input is not one",
                                   context: ErrorContext(file: input))
        }
        let (kind, paths) = try imagePaths(input, http: http)
        return (kind, try SampleIndex(paths: paths, level: level, labelName: label, http: http).sources)
    }

    /// The OME-Zarr images of `input`: the image itself, a package's `images/*`, or a folder's
    /// children that are OME-Zarr images (sorted by name); URLs are opened within `http`.
    /// - Throws: ``BatchLoaderError`` `.invalidConfiguration` (naming `input`) when it does not exist
    ///   or is none of these; the error of an image that cannot be opened (see `isImage(_:)`).
    public static func imagePaths(_ input: String, http: HTTPLimits = .default) throws -> (kind: InputKind, paths: [String]) {
        let files = FileManager.default
        guard StoreURL.isRemote(input) || files.fileExists(atPath: input) else {
            throw BatchLoaderError(.invalidConfiguration, "no such file or folder", context: ErrorContext(file: input))
        }
        if try isImage(input, http: http) { return (.image, [input]) }
        let base = input.count > 1 && input.hasSuffix("/") ? String(input.dropLast()) : input
        let folder = files.fileExists(atPath: base + "/images") ? base + "/images" : base
        let children: [String]
        do {
            children = try files.contentsOfDirectory(atPath: folder).sorted()
        } catch {
            throw BatchLoaderError(.invalidConfiguration, "the folder cannot be listed: \(error.localizedDescription)",
                                   context: ErrorContext(file: folder), underlying: error)
        }
        let images = try children.map { folder + "/" + $0 }.filter { try isImage($0, http: http) }
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
        let lower = path.lowercased()
        if StoreURL.isRemote(path) || lower.hasSuffix(".zip") || lower.hasSuffix(".ozx") { return true }
        return ["zarr.json", ".zattrs", ".zgroup", ".zarray"].contains { FileManager.default.fileExists(atPath: path + "/" + $0) }
    }
}
