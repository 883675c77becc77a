import BatchLoader
import PackageLoading
import DatasetPackage
import Foundation
import MIFACore
import MIFAModel
import OMEZarr

/// What `mifa_package_open` opened: a MIFA package, one OME-Zarr image or a folder of them, with
/// its images by id.
///
/// Thread safety: every field is immutable after opening, and the libraries' readers are
/// `Sendable`; hence `Sendable`.
final class PackageHandle: Sendable {
    /// One image of the package.
    struct Image: Sendable {
        var id: String
        var path: String
        var image: OMEZarrImage
    }

    let root: String
    let kind: SampleIndex.InputKind
    let package: DatasetPackage?
    let images: [Image]
    let vectorSets: [String]

    /// Opens `root` (a package, an image, or a folder of images), reading each image's metadata.
    /// - Throws: `PackageError`, `OMEZarrError` or ``BatchLoaderError`` (none of the three).
    init(root: String) throws {
        try Self.checkExists(root)
        self.root = root
        // A package is read as one (a damaged one says what is wrong), not taken for a folder of images.
        if let package = try DatasetPackage.openIfPackage(root, recovery: .ifUnlocked) {
            // Images through the package's own store, wherever it is (a folder, a zip, a URL), and
            // from its consolidated metadata when current: no request per image over a network.
            let manifest = try package.manifest()
            let (ids, sets) = (manifest.fileList.imageIDs, manifest.fileList.vectorSets)
            let store = try package.imageStore(manifest: manifest)
            self.package = package
            kind = .package
            vectorSets = sets
            images = try ids.map { id in
                Image(id: id, path: package.path(PackageLayout.image(id)), image: try OMEZarrImage.open(store, path: PackageLayout.image(id)))
            }
        } else {
            let (kind, paths) = try SampleIndex.imagePaths(root)
            self.kind = kind
            package = nil
            vectorSets = []
            images = try paths.map { path in
                Image(id: Self.imageID(path: path), path: path, image: try OMEZarrImage.open(path: path))
            }
        }
    }

    /// Checks that a local path exists (URLs are left to the stores).
    /// - Throws: ``ABIFailure`` (not found) naming the path.
    static func checkExists(_ path: String, pointer: String? = nil) throws {
        guard path.contains("://") || FileSystem.resolvedKind(of: path) != nil else {
            throw ABIFailure(status: .notFound, code: "not-found", message: "there is no file or folder '\(path)'",
                             context: ErrorContext(file: path, pointer: pointer))
        }
    }

    /// The id of a bare OME-Zarr image: the last component of its path.
    static func imageID(path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return trimmed.split(separator: "/").last.map(String.init) ?? String(trimmed)
    }

    /// The image `id`.
    /// - Throws: ``ABIFailure`` (not found) naming the ids there are.
    func image(_ id: String) throws -> Image {
        guard let found = images.first(where: { $0.id == id }) else {
            throw ABIFailure(status: .notFound, code: "not-found",
                             message: "there is no image '\(id)'; the images are \(images.map(\.id).joined(separator: ", "))",
                             context: ErrorContext(file: root))
        }
        return found
    }

    /// `mifa_package_info`'s document.
    struct Info: Encodable {
        struct AxisInfo: Encodable {
            var name: String
            var type: String?
            var unit: String?
        }
        struct LevelInfo: Encodable {
            var path: String
            var shape: [Int]
            var chunks: [Int]
            var dtype: String?
            var pixelSize: [Double]
            var origin: [Double]
        }
        struct ImageInfo: Encodable {
            var id: String
            var path: String
            var axes: [AxisInfo]
            var levels: [LevelInfo]
            var labels: [String]
        }
        var kind: String
        var root: String
        var images: [ImageInfo]
        var annotationSets: [String]
    }

    /// The package's images and annotation sets as JSON (`snake_case` keys).
    /// - Throws: `OMEZarrError` when an image's labels cannot be listed.
    func infoJSON() throws -> [UInt8] {
        let info = Info(kind: kind.rawValue, root: root, images: try images.map { entry in
            Info.ImageInfo(id: entry.id, path: entry.path,
                           axes: entry.image.axes.map { Info.AxisInfo(name: $0.name, type: $0.type?.rawValue, unit: $0.unit) },
                           levels: entry.image.levels.map {
                               Info.LevelInfo(path: $0.path, shape: $0.shape, chunks: $0.chunkShape, dtype: $0.dataType?.rawValue,
                                              pixelSize: $0.pixelSize, origin: $0.origin)
                           },
                           labels: try entry.image.labelNames())
        }, annotationSets: vectorSets)
        return JSONWriter.bytes(of: try JSONValueEncoder(convertsKeysToSnakeCase: true).encode(info))
    }

    /// The package (for calls that need one).
    /// - Throws: ``ABIFailure`` (`.state`) when this is an image or a folder of images.
    func requirePackage(_ what: String) throws -> DatasetPackage {
        guard let package else {
            throw ABIFailure(status: .state, code: "not-a-package", message: "\(what) belongs to MIFA packages; '\(root)' is \(kind == .image ? "an OME-Zarr image" : "a folder of OME-Zarr images")",
                             context: ErrorContext(file: root))
        }
        return package
    }
}

/// The data type codes of `mifa_dtype` (include/mifakit.h).
enum ABIDataType {
    static let codes: [DataType: Int32] = [.bool: 1, .int8: 2, .int16: 3, .int32: 4, .int64: 5, .uint8: 6, .uint16: 7, .uint32: 8,
                                           .uint64: 9, .float32: 10, .float64: 11, .float16: 12]
}

/// `mifa_package_open`: opens a package, an OME-Zarr image or a folder of them.
@_cdecl("mifa_package_open")
public func mifa_package_open(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    abiCall {
        let target = try output(out, "out")
        target.pointee = nil
        let handle = try PackageHandle(root: try text(path, "path"))
        target.pointee = HandleRegistry.shared.register(handle)
    }
}

/// `mifa_package_close`: destroys a package handle.
@_cdecl("mifa_package_close")
public func mifa_package_close(_ package: OpaquePointer?) -> Int32 {
    abiCall { try HandleRegistry.shared.remove(package, as: PackageHandle.self, "package") }
}

/// `mifa_package_info`: the images and annotation sets as JSON.
@_cdecl("mifa_package_info")
public func mifa_package_info(_ package: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    abiCall {
        let target = try output(out, "out")
        target.pointee = nil
        let handle = try HandleRegistry.shared.object(package, as: PackageHandle.self, "package")
        target.pointee = try cString(try handle.infoJSON())
    }
}

/// `mifa_package_document`: one of the package's JSON documents (metadata, versions, audit).
@_cdecl("mifa_package_document")
public func mifa_package_document(_ package: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                  _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    abiCall {
        let target = try output(out, "out")
        target.pointee = nil
        let handle = try HandleRegistry.shared.object(package, as: PackageHandle.self, "package")
        let which = try text(name, "name")
        switch which {
        case "metadata":
            let package = try handle.requirePackage("metadata")
            // Through the package's reader, wherever the package is (a folder, a zip, a URL).
            target.pointee = try cString(try package.reader.read(PackageLayout.metadata, limit: MetadataReader.maximumFileBytes))
        case "versions":
            target.pointee = try cString(try CanonicalJSON.encode(try handle.requirePackage("the version history").lineage()))
        case "audit":
            _ = try handle.requirePackage("an audit")
            target.pointee = try cString(try CanonicalJSON.encode(try PackageAuditor().audit(handle.root)))
        default:
            throw ABIFailure.argument("name is '\(which)'; use metadata, versions or audit")
        }
    }
}

/// `mifa_package_read`: reads a region of an image (or of its label image) into the caller's buffer.
@_cdecl("mifa_package_read")
public func mifa_package_read(_ package: OpaquePointer?, _ imageID: UnsafePointer<CChar>?, _ label: UnsafePointer<CChar>?,
                              _ level: Int64, _ starts: UnsafePointer<Int64>?, _ stops: UnsafePointer<Int64>?, _ rank: Int64,
                              _ buffer: UnsafeMutableRawPointer?, _ bufferSize: Int64, _ dtype: UnsafeMutablePointer<Int32>?) -> Int32 {
    abiCall {
        let handle = try HandleRegistry.shared.object(package, as: PackageHandle.self, "package")
        var image = try handle.image(try text(imageID, "image_id")).image
        if let name = try optionalText(label, "label") {
            let names = try image.labelNames()
            guard names.contains(name) else {
                throw ABIFailure(status: .notFound, code: "not-found",
                                 message: "the image has no label image '\(name)'; it has \(names.isEmpty ? "none" : names.joined(separator: ", "))",
                                 context: ErrorContext(file: image.path))
            }
            image = try image.openLabel(name)
        }
        guard image.levels.indices.contains(Int(clamping: level)) else {
            throw ABIFailure(status: .notFound, code: "missing-level", message: "level \(level) does not exist; the image has \(image.levels.count) levels",
                             context: ErrorContext(file: image.path))
        }
        let chosen = image.levels[Int(level)]
        guard rank == Int64(chosen.shape.count) else {
            throw ABIFailure.argument("the region has \(rank) axes; the level has \(chosen.shape.count) (\(image.axes.map(\.name).joined(separator: ", ")))")
        }
        guard let starts, let stops else { throw ABIFailure.argument("starts and stops must not be NULL") }
        var ranges: [Range<Int>] = []
        for axis in 0..<chosen.shape.count {
            let start = Int(clamping: starts[axis]), stop = Int(clamping: stops[axis])
            guard 0 <= start, start <= stop, stop <= chosen.shape[axis] else {
                throw ABIFailure(status: .invalidArgument, code: "invalid-region",
                                 message: "axis \(image.axes[axis].name): [\(start), \(stop)) is not inside [0, \(chosen.shape[axis])) of level \(level)",
                                 context: ErrorContext(file: image.path, shape: chosen.shape))
            }
            ranges.append(start..<stop)
        }
        guard let type = chosen.dataType else {
            throw ABIFailure(status: .invalidData, code: "unsupported", message: "level \(level) holds \(chosen.array.dataType), which NumPy cannot take",
                             context: ErrorContext(file: image.path))
        }
        if let dtype { dtype.pointee = ABIDataType.codes[type] ?? 0 }
        let needed = ranges.reduce(type.byteSize) { $0 * $1.count }
        guard Int64(needed) == bufferSize else {
            throw ABIFailure.argument("the buffer has \(bufferSize) bytes; the region needs \(needed) (\(ranges.map { String($0.count) }.joined(separator: " x ")) of \(type.rawValue))")
        }
        guard needed == 0 || buffer != nil else { throw ABIFailure.argument("buffer is NULL") }
        guard needed > 0, let buffer else { return }
        // Chunks decode straight into the caller's buffer (its size checked above): no array, no copy.
        try image.read(level: Int(level), region: Region(ranges), into: UnsafeMutableRawBufferPointer(start: buffer, count: needed))
    }
}
