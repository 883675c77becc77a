import MIFACore
public import RasterIO
public import Zarr

/// Converts TIFF files (2-D, z-stacks, multi-channel, time-lapse, ImageJ hyperstacks, OME-TIFF) into
/// an OME-Zarr image with its pyramid, and label TIFFs into its label images, in bounded memory.
///
/// Pages are read one at a time in the output's plane order (t, then c, then z) and streamed
/// through ``OMEZarrImageWriter``, so the memory is one page plus the writer's block of planes (one
/// row of chunks). Axes are those the file declares, read as tifffile reads them (see
/// ``TIFFIngestPlan``). Physical pixel sizes and units come from OME-XML, ImageJ's description or
/// the resolution tags. Every input is planned and checked before anything is written. A series
/// whose planes cross pages (e.g. axes `YXZ`: one page per row) or a contiguous ImageJ stack is
/// read whole, within RasterIO's `ReadLimits`.
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
    ///   - limits: the largest page (or contiguous stack) decoded at once, and the most pages.
    /// - Returns: the written image, opened and checked.
    /// - Throws: as ``TIFFConversion/init(tiff:labels:limits:series:unknownAxis:useTIFFLevels:)`` and ``TIFFConversion/write(to:path:options:labelReduction:)``.
    @discardableResult
    public static func convert(tiff: String, to store: any ZarrStore, path: String = "", labels: [LabelSource] = [],
                               options: OMEZarrWriteOptions = OMEZarrWriteOptions(), labelReduction: PyramidReduction = .mode,
                               limits: ReadLimits = .default) throws -> OMEZarrImage {
        try TIFFConversion(tiff: tiff, labels: labels, limits: limits).write(to: store, path: path, options: options, labelReduction: labelReduction)
    }

    /// Opens a TIFF file.
    static func open(_ path: String, limits: ReadLimits) throws -> TIFFFile {
        try OMEZarrError.wrapping("cannot read the TIFF file \(path)") { try TIFFFile(path: path, limits: limits) }
    }

    /// Calls `body` with every plane of the plan, in C order of its leading axes, reading one page
    /// at a time (each page decoded once) when every plane lies inside one page, and the whole
    /// series (within the file's read limits) when planes cross pages.
    static func stream(_ file: TIFFFile, plan: TIFFIngestPlan, _ body: (AnyNDArray, [Int]) throws -> Void) throws {
        let names = plan.axes.map(\.name)
        let (times, channels, depths) = (plan.extent("t"), plan.extent("c"), plan.extent("z"))
        let whole = plan.streamsPages ? nil : try OMEZarrError.wrapping("cannot read \(file.name)") { try file.read(plan.level) }
        var cached: (page: Int, image: RasterImage)?
        func page(_ index: Int) throws -> RasterImage {
            if let cached, cached.page == index { return cached.image }
            let info = plan.level.pages[index]
            let image = try OMEZarrError.wrapping("cannot read page \(info.index) of \(file.name)") { try file.read(page: info) }
            cached = (index, image)
            return image
        }
        let height = plan.level.shape[plan.yAxis], width = plan.level.shape[plan.xAxis]
        let (yStride, xStride) = (plan.strides[plan.yAxis], plan.strides[plan.xAxis])
        func cut(_ array: AnyNDArray, at offset: Int) throws -> AnyNDArray {
            try OMEZarrError.wrapping("the planes of \(file.name) do not fit its pages") {
                try array.plane(at: offset, height: height, width: width, yStride: yStride, xStride: xStride)
            }
        }
        for t in 0..<times {
            for c in 0..<channels {
                for z in 0..<depths {
                    let offset = plan.offset(t: t, c: c, z: z)
                    let plane: AnyNDArray
                    if let whole {
                        plane = try cut(whole.array, at: offset)
                    } else {
                        let source = try page(offset / plan.pageElements)
                        plane = try cut(source.array, at: offset % plan.pageElements)
                    }
                    var position: [Int] = []
                    for name in names.dropLast(2) { position.append(name == "t" ? t : name == "c" ? c : z) }
                    try body(plane, position)
                }
            }
        }
    }
}
