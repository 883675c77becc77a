public import MIFACore
public import RasterIO

/// How one series of a TIFF file becomes an OME-Zarr image: the output axes (`t, c, z, y, x`,
/// extents of 1 left out), shape, element type, physical pixel sizes, and where in the series each
/// output plane lies. Nothing but tags is read to make it.
///
/// The series and its axes are RasterIO's `TIFFFile.series()`, which reads them as tifffile does:
/// tifffile's JSON description (`shape`, `axes`), OME-XML (one series per `Image`), ImageJ
/// hyperstacks, or pages that nothing describes. Axis letters map onto NGFF: `T` → t, `Z` → z,
/// `C` and `S` (samples, e.g. RGB) → c, `Y`, `X`. The pages of a sequence nothing names (`I`, or a
/// leading `Q`) are z unless `unknownAxis` says otherwise; any other axis the file does not name
/// (a `Q` elsewhere, or letters such as `E`, `R`, `A`) is refused, naming it. Physical sizes come
/// from the series' own OME-XML `Image` (each axis with its unit as its NGFF name; a unit NGFF has
/// no name for is refused by name, OME's `pixel` kept as a size without a unit; a size not given
/// stays 1 without a unit), or from ImageJ's description or the resolution tags.
public struct TIFFIngestPlan: Sendable {
    /// The output axes.
    public let axes: [Axis]
    /// The output shape.
    public let shape: [Int]
    /// The element type.
    public let dataType: DataType
    /// The physical size of a pixel along each axis (1 where unknown).
    public let scale: [Double]
    /// Channel names, when the file gives them.
    public let channelNames: [String]?
    /// Where the layout came from, e.g. `series 0 (imagej) TZCYX [2, 3, 2, 40, 30]`.
    public let source: String
    /// The series' full-resolution level.
    let level: TIFFSeriesLevel
    /// For each of t, c, z: the series axes it gathers, as (position in the series' shape, extent), slowest first.
    let gathered: [[(axis: Int, extent: Int)]]
    /// Row-major strides of the series' shape, in elements.
    let strides: [Int]
    /// The positions of Y and X in the series' shape.
    let yAxis: Int, xAxis: Int
    /// Elements per page; whether each output plane lies inside one page (so pages can be read one at a time).
    let pageElements: Int
    let streamsPages: Bool

    /// Plans the conversion of series `series` of the TIFF file.
    /// - Parameters:
    ///   - file: the TIFF file.
    ///   - index: the series (see `TIFFFile.series()`), 0 by default.
    ///   - unknownAxis: what the pages of an undescribed sequence are: `t`, `c` or `z` (`nil`: z).
    /// - Throws: ``OMEZarrError`` `.unsupported` for axes that do not become 2 to 5 NGFF axes, naming
    ///   them; `.invalidArgument` for a series that does not exist; `.storage` wrapping RasterIO's
    ///   errors (unreadable, damaged or unsupported files, pages over the read limits).
    public init(file: TIFFFile, series index: Int = 0, unknownAxis: String? = nil) throws {
        try self.init(file: file, series: index, level: 0, unknownAxis: unknownAxis)
    }

    /// Plans the conversion of resolution level `levelIndex` of a series, with the axes, type and
    /// physical sizes of its full resolution (the scale of a reduced level is the writer's to
    /// derive, see `OMEZarrWriteOptions.levelShapes`).
    init(file: TIFFFile, series index: Int, level levelIndex: Int, unknownAxis: String?) throws {
        let chosen = try OMEZarrError.wrapping("cannot read the layout of \(file.name)") { try file.series(index) }
        let level = chosen.levels[levelIndex]
        self.level = level
        dataType = level.dataType
        let letters = Array(level.axes)
        let seriesText = "series \(index) (\(chosen.kind)) of \(file.name) has axes \(level.axes) \(level.shape)"
        // Map every axis of extent > 1 onto t, c, z, y or x.
        let pageAxes = level.pages[0].shape.count
        var targets: [Character: [(axis: Int, extent: Int)]] = [:]
        var yAxis: Int?, xAxis: Int?
        for (position, letter) in letters.enumerated() {
            let extent = level.shape[position]
            var target: Character
            switch letter {
            case "T": target = "t"
            case "Z": target = "z"
            case "C", "S": target = "c"
            case "Y": target = "y"
            case "X": target = "x"
            default:
                if letter == "I" || letter == "Q", position < letters.count - pageAxes {
                    // The pages of a sequence nothing names.
                    target = Character(unknownAxis ?? "z")
                    break
                }
                guard extent == 1 else {
                    throw OMEZarrError(.unsupported, "\(seriesText): axis \(letter) (extent \(extent)) is \(letter == "Q" ? "one the file does not name" : "not one of T, C, Z, Y, X, S"), so it has no place among t, c, z, y, x. Rewrite the file with its axes declared (tifffile: metadata={'axes': ...} with T, C, Z, Y, X, S), or pass --unknown-axis t|c|z if it is the pages of a sequence",
                                       context: ErrorContext(file: file.name, shape: level.shape))
                }
                continue
            }
            if target == "y" { yAxis = position; continue }
            if target == "x" { xAxis = position; continue }
            guard extent > 1 else { continue }
            if target != "c", targets[target] != nil {
                throw OMEZarrError(.unsupported, "\(seriesText): two axes would both be \(target); the file does not say which is which. Pass --unknown-axis with another of t, c, z",
                                   context: ErrorContext(file: file.name, shape: level.shape))
            }
            targets[target, default: []].append((position, extent))
        }
        guard let yAxis, let xAxis, yAxis < xAxis else {
            throw OMEZarrError(.unsupported, "\(seriesText), without Y before X; it is not an image OME-Zarr can hold", context: ErrorContext(file: file.name, shape: level.shape))
        }
        self.yAxis = yAxis
        self.xAxis = xAxis
        var strides = [Int](repeating: 1, count: level.shape.count)
        for axis in stride(from: level.shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * level.shape[axis + 1] }
        self.strides = strides
        pageElements = level.pages[0].shape.reduce(1, *)
        // A plane lies inside one page when Y and X (and nothing slower) are the page's own axes.
        streamsPages = level.shape.reduce(1, *) == level.pages.count * pageElements && (strides[yAxis] * level.shape[yAxis] <= pageElements && pageElements % (strides[yAxis] * level.shape[yAxis]) == 0)
        gathered = ["t", "c", "z"].map { targets[$0] ?? [] }

        // Physical sizes.
        let (sizes, units) = try Self.physicalSizes(of: chosen, file: file.name)
        let names = chosen.channelNames.contains(where: { !$0.isEmpty }) ? chosen.channelNames : nil
        func extent(_ name: Character) -> Int { targets[name]?.reduce(1) { $0 * $1.extent } ?? 1 }
        var axes: [Axis] = [], shape: [Int] = [], scale: [Double] = []
        if extent("t") > 1 { axes.append(.time(unit: units.t)); shape.append(extent("t")); scale.append(sizes.t ?? 1) }
        if extent("c") > 1 { axes.append(.channel()); shape.append(extent("c")); scale.append(1) }
        if extent("z") > 1 { axes.append(.space("z", unit: units.z)); shape.append(extent("z")); scale.append(sizes.z ?? 1) }
        axes.append(.space("y", unit: units.y)); shape.append(level.shape[yAxis]); scale.append(sizes.y ?? 1)
        axes.append(.space("x", unit: units.x)); shape.append(level.shape[xAxis]); scale.append(sizes.x ?? 1)
        self.axes = axes
        self.shape = shape
        self.scale = scale
        self.channelNames = names.flatMap { $0.count == extent("c") ? $0 : nil }
        self.source = "series \(index) (\(chosen.kind)) \(level.axes) \(level.shape)"
        // Every page (or the whole series, when planes cross pages) within the reader's limits,
        // from the tags alone, before anything is written.
        let streams = streamsPages
        try OMEZarrError.wrapping("cannot read \(file.name)") {
            if streams {
                for page in level.pages { _ = try file.decodedBytes(of: page) }
            } else {
                try file.limits.check(claimedShape: level.shape, dataType: level.dataType, file: file.name, key: "series \(index)")
                for page in level.pages { _ = try file.decodedBytes(of: page) }
            }
        }
    }

    /// The number of planes: the product of the extents before y and x.
    public var planeCount: Int { shape.dropLast(2).reduce(1, *) }

    /// The offset, in elements of the whole series, of the first pixel of the output plane at `(t, c, z)`.
    func offset(t: Int, c: Int, z: Int) -> Int {
        var offset = 0
        for (gather, index) in zip(gathered, [t, c, z]) {
            var rest = index
            for (axis, extent) in gather.reversed() {
                offset += (rest % extent) * strides[axis]
                rest /= extent
            }
        }
        return offset
    }

    /// The extent of the output axis named `name` (1 when absent).
    func extent(_ name: String) -> Int { axes.firstIndex { $0.name == name }.map { shape[$0] } ?? 1 }
}
