import MIFACore
import OMEZarr
import RasterIO
import Zarr

/// An image file of the source, opened and checked (headers only where the format allows), ready to
/// be written as an OME-Zarr 0.5 image of the package.
///
/// TIFF files stream page by page through ``OMEZarr/TIFFConversion``; PNG files are read whole
/// (a PNG is one plane, RGB samples become channels); `.npy` arrays are read whole; OME-Zarr
/// folders are copied plane by plane from their full-resolution level. So one image is in memory at
/// most a plane (TIFF, OME-Zarr) or itself (PNG, `.npy`).
struct ImageSource {
    /// The `y, x` extents of the image.
    var height: Int
    var width: Int
    /// The shape of a label image of this image: the image's extents without its channel axis.
    var labelShape: [Int]
    let path: String
    let kind: SourceEntry.Kind

    /// Opens and checks an image.
    /// - Throws: ``PackageError`` `.invalidInput` naming the file when it cannot be read as an image.
    init(path: String, kind: SourceEntry.Kind) throws {
        self.path = path
        self.kind = kind
        do {
            let (axes, shape) = try Self.layout(path: path, kind: kind)
            height = shape[shape.count - 2]
            width = shape[shape.count - 1]
            labelShape = zip(axes, shape).filter { $0.0 != "c" }.map(\.1)
        } catch let error as PackageError {
            throw error
        } catch let error as any MIFAError {
            throw PackageError(.invalidInput, "cannot read the image: \(error.message)", context: ErrorContext(file: path), underlying: error)
        }
    }

    /// The OME-Zarr axis names and shape the image will have.
    private static func layout(path: String, kind: SourceEntry.Kind) throws -> (axes: [String], shape: [Int]) {
        if kind == .omeZarr {
            let image = try OMEZarrImage.open(path: path)
            return (image.axes.map(\.name), image.shape)
        }
        switch try RasterFile.format(ofFileAt: path) {
        case .tiff:
            let plan = try TIFFConversion(tiff: path).plan
            return (plan.axes.map(\.name), plan.shape)
        case .png:
            let info = try PNGFile.info(path: path)
            return info.channels == 1 ? (["y", "x"], [info.height, info.width]) : (["c", "y", "x"], [info.channels, info.height, info.width])
        case .npy:
            let image = try RasterFile.read(path: path)
            let (axes, shape, _) = try planes(of: image)
            return (axes, shape)
        }
    }

    /// Writes the image at `imagePath` of `store`.
    /// - Returns: the written image.
    /// - Throws: ``PackageError`` `.invalidInput` wrapping reader and writer errors, naming the file.
    func write(to store: any ZarrStore, imagePath: String, options: OMEZarrWriteOptions) throws -> OMEZarrImage {
        do {
            if kind == .omeZarr { return try copyOMEZarr(to: store, imagePath: imagePath, options: options) }
            switch try RasterFile.format(ofFileAt: path) {
            case .tiff:
                return try TIFFConversion(tiff: path).write(to: store, path: imagePath, options: options)
            case .png, .npy:
                let (axes, shape, planes) = try Self.planes(of: try RasterFile.read(path: path))
                let writer = try OMEZarrImageWriter(store: store, path: imagePath, shape: shape, dataType: planes[0].dataType,
                                                    axes: axes.map { $0 == "c" ? Axis.channel() : Axis.space($0) }, options: options)
                for (index, plane) in planes.enumerated() { try writer.write(plane: plane, at: shape.count == 2 ? [] : [index]) }
                return try writer.finish()
            }
        } catch let error as PackageError {
            throw error
        } catch let error as any MIFAError {
            throw PackageError(.invalidInput, "cannot convert the image: \(error.message)", context: ErrorContext(file: path), underlying: error)
        }
    }

    /// An OME-Zarr image's full resolution, plane by plane, into a new 0.5 image.
    private func copyOMEZarr(to store: any ZarrStore, imagePath: String, options: OMEZarrWriteOptions) throws -> OMEZarrImage {
        let source = try OMEZarrImage.open(path: path)
        let shape = source.shape
        let leading = Array(shape.dropLast(2))
        let count = leading.reduce(1, *)
        var writer: OMEZarrImageWriter?
        for index in 0..<count {
            var rest = index
            var position = [Int](repeating: 0, count: leading.count)
            for axis in leading.indices.reversed() {
                position[axis] = rest % leading[axis]
                rest /= leading[axis]
            }
            let region = Region(origin: position + [0, 0], shape: [Int](repeating: 1, count: leading.count) + shape.suffix(2))
            let plane = try source.read(level: 0, region: region)
            if writer == nil {
                writer = try OMEZarrImageWriter(store: store, path: imagePath, shape: shape, dataType: plane.dataType, axes: source.axes,
                                                scale: source.levels[0].transform.scale, options: options)
            }
            try writer!.write(plane: plane, at: position)
        }
        return try writer!.finish()
    }

    /// A PNG or `.npy` raster as OME-Zarr axes, shape and `[y, x]` planes: `YX` as is, `YXS`/`SYX`
    /// (RGB) with the samples as channels.
    static func planes(of image: RasterImage) throws -> (axes: [String], shape: [Int], planes: [AnyNDArray]) {
        let shape = image.shape
        switch image.axes {
        case "YX":
            return (["y", "x"], shape, [image.array])
        case "YXS", "SYX":
            let interleaved = image.axes == "YXS"
            let (height, width, samples) = interleaved ? (shape[0], shape[1], shape[2]) : (shape[1], shape[2], shape[0])
            var planes: [AnyNDArray] = []
            for sample in 0..<samples {
                planes.append(try PixelPlanes.sample(sample, of: image.array, height: height, width: width, samples: samples, interleaved: interleaved))
            }
            return (["c", "y", "x"], [samples, height, width], planes)
        default:
            throw PackageError(.invalidInput, "an image with axes \(image.axes) (shape \(shape)) is not supported from PNG or .npy; give it as a TIFF or OME-Zarr")
        }
    }
}
