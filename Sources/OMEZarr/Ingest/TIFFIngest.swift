import MIFACore
import RasterIO
public import Zarr

/// Converts TIFF files (2-D, z-stacks, multi-channel, time-lapse, ImageJ hyperstacks, OME-TIFF) into
/// an OME-Zarr image with its pyramid, and label TIFFs into its label images, in bounded memory.
///
/// Pages are read one at a time in the output's plane order (t, then c, then z) and streamed
/// through ``OMEZarrImageWriter``, so the memory is one page plus the writer's block of planes (one
/// row of chunks; with RGB pages, one per sample). Physical pixel sizes and units come from OME-XML,
/// ImageJ's description or the resolution tags. Every input is planned and checked before anything
/// is written. A contiguous ImageJ stack (one directory for many images) is read whole, within
/// RasterIO's `ReadLimits`.
public enum TIFFIngest {
    /// A label TIFF to attach: its name under `labels/` and its path.
    public struct LabelSource: Sendable, Hashable {
        /// The label image's name.
        public var name: String
        /// The TIFF file.
        public var path: String

        /// A label source.
        public init(name: String, path: String) {
            self.name = name
            self.path = path
        }
    }

    /// Converts `tiff` into an OME-Zarr image at `path` in `store`, with `labels` attached: a
    /// ``TIFFConversion`` (which checks every input first) written at once.
    /// - Parameters:
    ///   - tiff: the TIFF file to convert.
    ///   - store: the store to write to.
    ///   - path: the image group's path inside the store; the root by default.
    ///   - labels: label TIFFs to attach under `labels/`, each with its name.
    ///   - options: version, levels, chunks, shards, compressor, reduction of the image; the labels
    ///     use the same layout with `labelReduction`.
    ///   - labelReduction: the labels' reduction (``PyramidReduction/mode`` or another that picks values).
    /// - Returns: the written image, opened and checked.
    /// - Throws: as ``TIFFConversion/init(tiff:labels:)`` and ``TIFFConversion/write(to:path:options:labelReduction:)``.
    @discardableResult
    public static func convert(tiff: String, to store: any ZarrStore, path: String = "", labels: [LabelSource] = [],
                               options: OMEZarrWriteOptions = OMEZarrWriteOptions(), labelReduction: PyramidReduction = .mode) throws -> OMEZarrImage {
        try TIFFConversion(tiff: tiff, labels: labels).write(to: store, path: path, options: options, labelReduction: labelReduction)
    }

    /// Opens a TIFF file.
    static func open(_ path: String) throws -> TIFFFile {
        try OMEZarrError.wrapping("cannot read the TIFF file \(path)") { try TIFFFile(path: path) }
    }

    /// Calls `body` with every plane of the plan, in C order of its leading axes (for RGB pages,
    /// all samples of one page before the next page), each page decoded once.
    static func stream(_ file: TIFFFile, plan: TIFFIngestPlan, _ body: (AnyNDArray, [Int]) throws -> Void) throws {
        let names = plan.axes.map(\.name)
        let (times, channels, depths) = (plan.extent("t"), plan.extent("c"), plan.extent("z"))
        let whole = plan.readsWholeStack ? try OMEZarrError.wrapping("cannot read \(file.name)") { try file.readStack() } : nil
        var cached: (page: Int, image: RasterImage)?
        func page(_ index: Int) throws -> RasterImage {
            if let cached, cached.page == index { return cached.image }
            let image = try OMEZarrError.wrapping("cannot read page \(index) of \(file.name)") { try file.readPage(index) }
            cached = (index, image)
            return image
        }
        let samples = plan.samples
        for t in 0..<times {
            for channelGroup in 0..<(channels / samples) {
                for z in 0..<depths {
                    for sample in 0..<samples {
                        let c = channelGroup * samples + sample
                        let plane: AnyNDArray
                        if let whole {
                            let index = plan.pageDimensions.reduce(0) { partial, dimension in
                                partial * dimension.extent + (dimension.letter == "T" ? t : dimension.letter == "Z" ? z : channelGroup)
                            }
                            plane = try extract(whole.array, pageIndex: index, plan: plan, sample: sample)
                        } else {
                            let source = plan.source(t: t, c: c, z: z)
                            plane = try extract(try page(source.page).array, pageIndex: 0, plan: plan, sample: source.sample)
                        }
                        var position: [Int] = []
                        for name in names.dropLast(2) { position.append(name == "t" ? t : name == "c" ? c : z) }
                        try body(plane, position)
                    }
                }
            }
        }
    }

    /// The `[y, x]` plane of one sample of the `pageIndex`-th page held in `array` (a page, or a whole stack).
    static func extract(_ array: AnyNDArray, pageIndex: Int, plan: TIFFIngestPlan, sample: Int) throws -> AnyNDArray {
        let height = plan.shape[plan.shape.count - 2], width = plan.shape[plan.shape.count - 1]
        let samples = plan.samples
        let pageSize = height * width * samples
        func slice<T: NDArrayElement>(_ typed: NDArray<T>) throws -> AnyNDArray {
            if samples == 1, typed.shape == [height, width], typed.order == .rowMajor { return AnyNDArray(typed) }
            let start = pageIndex * pageSize
            guard start + pageSize <= typed.count else {
                throw OMEZarrError(.storage, "the TIFF holds \(typed.count) values, too few for page \(pageIndex) of \(height)x\(width)x\(samples)")
            }
            let elements = typed.elements
            if samples == 1 {
                return AnyNDArray(try NDArray(shape: [height, width], elements: elements[start..<(start + pageSize)]))
            }
            if plan.planarSamples {
                let offset = start + sample * height * width
                return AnyNDArray(try NDArray(shape: [height, width], elements: elements[offset..<(offset + height * width)]))
            }
            var plane = NDArray<T>(shape: [height, width])
            plane.elements.withUnsafeMutableBufferPointer { out in
                elements.withUnsafeBufferPointer { source in
                    for i in 0..<(height * width) { out[i] = source[start + i * samples + sample] }
                }
            }
            return AnyNDArray(plane)
        }
        switch array {
        case .bool(let a): return try slice(a)
        case .int8(let a): return try slice(a)
        case .int16(let a): return try slice(a)
        case .int32(let a): return try slice(a)
        case .int64(let a): return try slice(a)
        case .uint8(let a): return try slice(a)
        case .uint16(let a): return try slice(a)
        case .uint32(let a): return try slice(a)
        case .uint64(let a): return try slice(a)
        case .float32(let a): return try slice(a)
        case .float64(let a): return try slice(a)
        }
    }
}
