import MIFACore
public import RasterIO
public import Zarr

/// A TIFF image and its label TIFFs, opened, planned and checked, ready to be written as OME-Zarr.
///
/// Making one reads only tags: every input is checked (readable, an NGFF layout, labels of integers
/// with the image's extents) before anything is written, so bad input leaves the destination
/// untouched. ``write(to:path:options:labelReduction:)`` then streams the pages (see ``TIFFIngest``).
/// A conversion owns open TIFF files: use it from one thread.
public final class TIFFConversion {
    /// The image TIFF's plan.
    public let plan: TIFFIngestPlan
    /// The plans of the series' reduced levels when the TIFF's own pyramid is kept (see
    /// `useTIFFLevels`); empty otherwise.
    public let levelPlans: [TIFFIngestPlan]
    /// Whether the TIFF's own levels are kept (`useTIFFLevels`) rather than a pyramid computed.
    public let keepsTIFFLevels: Bool
    /// The label TIFFs' plans, by label.
    public let labelPlans: [(source: TIFFIngest.LabelSource, plan: TIFFIngestPlan)]
    let file: TIFFFile
    let labelFiles: [TIFFFile]
    let path: String

    /// Opens and checks the image TIFF and its label TIFFs.
    /// - Throws: ``OMEZarrError``: `.storage` for unreadable TIFFs (with RasterIO's file, page and
    ///   tag), `.unsupported` for layouts without an NGFF form, `.invalidLabel` for labels that are
    ///   not integers or do not match the image's axes and extents (without its channels),
    ///   `.invalidArgument` for repeated label names.
    ///
    /// - Parameters:
    ///   - tiff: the image TIFF.
    ///   - labels: label TIFFs to attach.
    ///   - limits: the largest page (or contiguous stack) decoded at once; every page is checked
    ///     against it here, before anything is written.
    ///   - series: the image TIFF's series to convert (see `TIFFFile.series()`); labels use their first.
    ///   - unknownAxis: what the pages of an undescribed sequence are: `t`, `c` or `z` (`nil`: z).
    ///   - useTIFFLevels: keep the series' own reduced levels (SubIFDs or reduced pages, as tifffile's
    ///     `levels` reads them) as the OME-Zarr levels instead of computing a pyramid; labels are
    ///     then refused (their pyramid would not match).
    public init(tiff: String, labels: [TIFFIngest.LabelSource] = [], limits: ReadLimits = .default,
                series: Int = 0, unknownAxis: String? = nil, useTIFFLevels: Bool = false) throws {
        file = try TIFFIngest.open(tiff, limits: limits)
        path = tiff
        plan = try TIFFIngestPlan(file: file, series: series, unknownAxis: unknownAxis)
        keepsTIFFLevels = useTIFFLevels
        if useTIFFLevels {
            guard labels.isEmpty else {
                throw OMEZarrError(.invalidArgument, "labels cannot be attached while keeping the TIFF's own levels: their pyramid would not match the image's; convert without --use-tiff-levels, or attach them later")
            }
            let opened = file
            let count = try OMEZarrError.wrapping("cannot read the layout of \(tiff)") { try opened.series(series).levels.count }
            var reduced: [TIFFIngestPlan] = []
            for index in 1..<Swift.max(count, 1) {
                let levelPlan = try TIFFIngestPlan(file: file, series: series, level: index, unknownAxis: unknownAxis)
                guard levelPlan.axes.map(\.name) == plan.axes.map(\.name) else {
                    throw OMEZarrError(.unsupported, "level \(index) of series \(series) of \(tiff) has axes \(levelPlan.axes.map(\.name)) but the full resolution has \(plan.axes.map(\.name)); its levels do not form one pyramid",
                                       context: ErrorContext(file: tiff, shape: levelPlan.shape))
                }
                reduced.append(levelPlan)
            }
            levelPlans = reduced
        } else {
            levelPlans = []
        }
        guard (2...5).contains(plan.shape.count) else {
            throw OMEZarrError(.unsupported, "\(tiff) has axes \(plan.axes.map(\.name)); OME-Zarr images have 2 to 5", context: ErrorContext(file: tiff))
        }
        guard Set(labels.map(\.name)).count == labels.count else {
            throw OMEZarrError(.invalidArgument, "label names must differ: \(labels.map(\.name))")
        }
        let imageAxes = zip(plan.axes, plan.shape).filter { $0.0.type != .channel }
        var plans: [(TIFFIngest.LabelSource, TIFFIngestPlan)] = []
        var files: [TIFFFile] = []
        for label in labels {
            let labelFile = try TIFFIngest.open(label.path, limits: limits)
            let labelPlan = try TIFFIngestPlan(file: labelFile, unknownAxis: unknownAxis)
            guard labelPlan.dataType.isInteger else {
                throw OMEZarrError(.invalidLabel, "label '\(label.name)' (\(label.path)) holds \(labelPlan.dataType.rawValue) pixels; label images must hold integers (uint8...int64)",
                                   context: ErrorContext(file: label.path))
            }
            let labelAxes = zip(labelPlan.axes, labelPlan.shape)
            guard labelAxes.map(\.0.name) == imageAxes.map(\.0.name), labelAxes.map(\.1) == imageAxes.map(\.1) else {
                throw OMEZarrError(.invalidLabel, "label '\(label.name)' (\(label.path)) has axes \(labelAxes.map { "\($0.0.name)=\($0.1)" }) but the image has \(imageAxes.map { "\($0.0.name)=\($0.1)" }) without its channels; a label TIFF must match the image's extents",
                                   context: ErrorContext(file: label.path, shape: labelPlan.shape))
            }
            plans.append((label, labelPlan))
            files.append(labelFile)
        }
        labelPlans = plans
        labelFiles = files
    }

    /// Writes the image, then each label image, at `path` in `store`.
    /// - Parameters:
    ///   - store: the store to write to.
    ///   - path: the image group's path inside the store; the root by default.
    ///   - options: version, levels, chunks, shards, compressor, reduction of the image (its
    ///     `levelShapes` are the TIFF's when its levels are kept, otherwise computed); the labels
    ///     use the same layout with `labelReduction`.
    ///   - labelReduction: the labels' reduction (``PyramidReduction/mode`` or another that picks values).
    /// - Returns: the written image, opened and checked.
    /// - Throws: ``OMEZarrError`` from reading pages and from ``OMEZarrImageWriter``.
    @discardableResult
    public func write(to store: any ZarrStore, path: String = "", options: OMEZarrWriteOptions = OMEZarrWriteOptions(),
                      labelReduction: PyramidReduction = .mode) throws -> OMEZarrImage {
        var options = options
        options.levelShapes = keepsTIFFLevels ? [plan.shape] + levelPlans.map(\.shape) : nil
        let writer = try OMEZarrImageWriter(store: store, path: path, shape: plan.shape, dataType: plan.dataType, axes: plan.axes,
                                            scale: plan.scale, options: options)
        writer.channelLabels = plan.channelNames
        try TIFFIngest.stream(file, plan: plan) { plane, position in try writer.write(plane: plane, at: position) }
        for (index, levelPlan) in levelPlans.enumerated() {
            try TIFFIngest.stream(file, plan: levelPlan) { plane, position in try writer.write(plane: plane, at: position, level: index + 1) }
        }
        let image = try writer.finish()
        for ((label, labelPlan), labelFile) in zip(labelPlans, labelFiles) {
            var labelOptions = options
            labelOptions.levelShapes = nil
            labelOptions.reduction = labelReduction
            labelOptions.name = label.name
            let labelWriter = try image.labelWriter(name: label.name, dataType: labelPlan.dataType, options: labelOptions)
            try TIFFIngest.stream(labelFile, plan: labelPlan) { plane, position in try labelWriter.write(plane: plane, at: position) }
            try labelWriter.finish()
        }
        return labelPlans.isEmpty ? image : try OMEZarrImage.open(store, path: path)
    }
}
