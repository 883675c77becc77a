public import MIFACore

/// One image of a TIFF file as tifffile's `TiffFile.series` finds it: pages with the same shape and
/// type, their axes and shape as the file's metadata declares them, and the file's reduced-resolution
/// copies of it as pyramid ``levels``.
///
/// Axis letters are tifffile's: `T` time, `Z` depth, `C` channel, `Y`, `X`, `S` the samples of a
/// pixel, `Q` an axis the file does not name, `I` the pages of a sequence nothing describes, and
/// others a writer may declare (`E`, `R`, `H`, `A`, ...). See ``TIFFFile/series()``.
public struct TIFFSeries: Sendable, Hashable {
    /// The 0-based position among the file's series.
    public var index: Int
    /// How it was found: `shaped` (tifffile's JSON description), `ome` (OME-XML), `imagej`,
    /// `uniform` (all pages alike, nothing describes them) or `generic` (pages grouped by shape).
    public var kind: String
    /// The name the metadata gives it (OME `Image/@Name`, tifffile's `name`), or empty.
    public var name: String
    /// The resolution levels: the full resolution first, then each reduced copy.
    public var levels: [TIFFSeriesLevel]
    /// The physical size of a pixel, a z step and a time step of the full resolution, as the file
    /// declares it for this series: an OME `Image`'s `PhysicalSizeX/Y/Z` and `TimeIncrement` with
    /// their units (as written), or for the first series of other files ``TIFFFile/pixelSize``.
    public var pixelSize: PixelSize?
    /// The channel names the metadata gives (OME `Channel/@Name`, empty for unnamed ones), or empty.
    public var channelNames: [String] = []

    /// The full-resolution level's axes, one letter per axis of ``shape``.
    public var axes: String { levels[0].axes }
    /// The full-resolution level's shape.
    public var shape: [Int] { levels[0].shape }
    /// The element type.
    public var dataType: DataType { levels[0].dataType }

    /// The axes and shape tifffile's `series.axes` and `series.shape` return (see ``reported(level:)``).
    public var squeezed: (axes: String, shape: [Int]) { reported(level: 0) }

    /// The axes and shape of level `index` as tifffile's `series.levels[index]` reports and reads
    /// them: without extents of 1 except `Y` and `X`, but as declared for a `shaped` series
    /// (tifffile does not squeeze the shape its own description gives).
    public func reported(level index: Int) -> (axes: String, shape: [Int]) {
        kind == "shaped" ? (levels[index].axes, levels[index].shape) : levels[index].squeezed
    }

    /// The physical sizes of level `index`: ``pixelSize`` with X, Y and Z each scaled by the full
    /// resolution's extent over the level's (a level of half the width has pixels twice as wide),
    /// as OME and tifffile define the sizes of reduced levels; `nil` when the series declares none.
    public func pixelSize(level index: Int) -> PixelSize? {
        guard var size = pixelSize, levels.indices.contains(index) else { return nil }
        let base = levels[0], level = levels[index]
        func factor(_ letter: Character) -> Double {
            guard let b = base.axes.firstIndex(of: letter), let l = level.axes.firstIndex(of: letter) else { return 1 }
            let full = base.shape[base.axes.distance(from: base.axes.startIndex, to: b)]
            let reduced = level.shape[level.axes.distance(from: level.axes.startIndex, to: l)]
            return reduced > 0 ? Double(full) / Double(reduced) : 1
        }
        size.x = size.x.map { $0 * factor("X") }
        size.y = size.y.map { $0 * factor("Y") }
        size.z = size.z.map { $0 * factor("Z") }
        return size
    }
}

/// One resolution level of a ``TIFFSeries``: its pages and the array they form.
public struct TIFFSeriesLevel: Sendable, Hashable {
    /// The pages (main-chain pages or SubIFDs) in the order their pixels fill the array.
    public var pages: [TIFFPageInfo]
    /// One letter per axis of ``shape``.
    public var axes: String
    /// The array's shape: its element count is that of all ``pages`` together.
    public var shape: [Int]
    /// The element type.
    public var dataType: DataType

    /// A level, whose shape must hold exactly the pages' elements (``TIFFFile/series()`` checks).
    public init(pages: [TIFFPageInfo], axes: String, shape: [Int], dataType: DataType) {
        self.pages = pages
        self.axes = axes
        self.shape = shape
        self.dataType = dataType
    }

    /// The axes and shape without extents of 1, except `Y` and `X`.
    public var squeezed: (axes: String, shape: [Int]) {
        var axes = "", shape: [Int] = []
        for (letter, extent) in zip(self.axes, self.shape) where extent != 1 || letter == "Y" || letter == "X" {
            axes.append(letter)
            shape.append(extent)
        }
        return (axes, shape)
    }
}

/// tifffile's `reshape_axes`: the axes of `newShape` when an array of `shape` with `axes` is
/// reshaped to it; axes that do not carry over become `Q`. `nil` when the sizes differ.
func reshapeAxes(_ axes: String, shape: [Int], newShape: [Int]) -> String? {
    let axes = Array(axes)
    guard axes.count == shape.count, shape.reduce(1, *) == newShape.reduce(1, *) else { return nil }
    if axes.isEmpty, newShape.isEmpty { return "" }
    let difference = Swift.max(0, shape.count - newShape.count)
    let padded = newShape + Array(repeating: 1, count: difference)
    // Python indexing: -1 is the last element.
    func at(_ i: Int) -> Int { shape[i < 0 ? i + shape.count : i] }
    var i = shape.count - 1
    var productNew = 1, productOld = 1
    var result: [Character] = []
    for extent in padded.reversed() {
        productNew *= extent
        while i > 0, shape[i] == 1, extent != 1 { i -= 1 }
        if i >= -shape.count, extent == at(i), productNew == productOld * at(i) {
            productOld *= at(i)
            result.append(axes[i < 0 ? i + axes.count : i])
            i -= 1
        } else {
            result.append("Q")
        }
    }
    return String(result.dropFirst(difference).reversed())
}
