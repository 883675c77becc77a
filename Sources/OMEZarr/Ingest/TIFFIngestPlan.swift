public import MIFACore
public import RasterIO

/// How the pages of a TIFF file become the planes of an OME-Zarr image: the output axes
/// (`t, c, z, y, x`, singletons left out), shape, element type, physical pixel sizes, and which page
/// (and sample) holds each plane. Nothing but tags is read to make it.
///
/// The layout comes from OME-XML (`DimensionOrder`, sizes, `PhysicalSize*`) when the first page
/// carries it and it matches the pages, otherwise from RasterIO's `TIFFStackLayout`:
/// ImageJ hyperstacks (`TZCYX`, pages channel-fastest) with ImageJ's `unit`, `spacing` and
/// `finterval`, or plain page stacks (`ZYX`) with the resolution tags. The samples of RGB pages
/// become channels.
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
    /// Where the layout came from, e.g. `ImageJ hyperstack TZCYX`, `OME-XML XYZCT`, `page stack ZYX`.
    public let source: String
    /// The page axes from slowest to fastest (letters of `TCZ`) with their extents.
    let pageDimensions: [(letter: Character, extent: Int)]
    /// The pages in stack order.
    let pages: [Int]
    /// Samples per pixel and whether they are planar (`SYX`) rather than interleaved (`YXS`).
    let samples: Int
    let planarSamples: Bool
    /// Whether the planes cannot be read page by page (a contiguous ImageJ stack): read the stack whole.
    let readsWholeStack: Bool

    /// Plans the conversion of the TIFF file.
    /// - Throws: ``OMEZarrError`` `.unsupported` for layouts that do not become 2 to 5 NGFF axes;
    ///   `.storage` wrapping RasterIO's errors (unreadable, damaged or unsupported files).
    public init(file: TIFFFile) throws {
        let layout = try OMEZarrError.wrapping("cannot read the layout of \(file.name)") { try file.stackLayout() }
        let first = file.pages[layout.pages[0]]
        let pageAxes = first.axes
        let samples = first.samplesPerPixel
        self.samples = samples
        planarSamples = pageAxes == "SYX"
        let height = first.height, width = first.width
        dataType = layout.dataType
        var unit: String?
        var timeUnit: String?
        var sizes: (x: Double?, y: Double?, z: Double?, t: Double?) = (nil, nil, nil, nil)
        var names: [String]?
        var dimensions: [(Character, Int)] = []
        var description: String
        if !layout.isImageJ, let xml = first.imageDescription, let ome = OMEXMLPixels(xml: xml),
           ome.sizeX == width, ome.sizeY == height, ome.sizeC % samples == 0,
           ome.sizeZ * ome.sizeT * (ome.sizeC / samples) == layout.pages.count {
            dimensions = ome.planeOrder.map { letter in
                (letter, letter == "Z" ? ome.sizeZ : letter == "T" ? ome.sizeT : ome.sizeC / samples)
            }
            sizes = (ome.physicalSize.x, ome.physicalSize.y ?? ome.physicalSize.x, ome.physicalSize.z, ome.timeIncrement)
            unit = Self.spaceUnit(ome.physicalUnit.x)
            timeUnit = Self.timeUnit(ome.timeUnit)
            names = ome.channelNames.count == ome.sizeC && ome.channelNames.contains(where: { !$0.isEmpty }) ? ome.channelNames : nil
            description = "OME-XML \(ome.dimensionOrder)"
        } else {
            let leading = layout.axes.dropLast(pageAxes.count)
            dimensions = zip(leading, layout.shape).map { ($0, $1) }
            if let size = file.pixelSize {
                sizes = (size.x, size.y ?? size.x, size.z, size.timeInterval)
                unit = size.unit.flatMap(Self.spaceUnit)
                timeUnit = size.timeUnit.flatMap(Self.timeUnit)
                if unit == nil { sizes = (nil, nil, nil, sizes.t) }
            }
            description = layout.isImageJ ? "ImageJ hyperstack \(layout.axes)" : "page stack \(layout.axes)"
        }
        guard dimensions.allSatisfy({ "TZC".contains($0.0) }), Set(dimensions.map(\.0)).count == dimensions.count else {
            throw OMEZarrError(.unsupported, "the pages of \(file.name) are arranged as \(layout.axes), which does not map onto t, c, z, y, x",
                               context: ErrorContext(file: file.name, shape: layout.shape))
        }
        pageDimensions = dimensions
        pages = layout.pages
        readsWholeStack = dimensions.reduce(1) { $0 * $1.1 } != layout.pages.count
        func extent(_ letter: Character) -> Int { dimensions.first { $0.0 == letter }?.1 ?? 1 }
        let channels = extent("C") * samples
        var axes: [Axis] = [], shape: [Int] = [], scale: [Double] = []
        if extent("T") > 1 { axes.append(.time(unit: sizes.t == nil ? nil : timeUnit)); shape.append(extent("T")); scale.append(sizes.t ?? 1) }
        if channels > 1 { axes.append(.channel()); shape.append(channels); scale.append(1) }
        if extent("Z") > 1 { axes.append(.space("z", unit: sizes.z == nil ? nil : unit)); shape.append(extent("Z")); scale.append(sizes.z ?? 1) }
        axes.append(.space("y", unit: sizes.y == nil ? nil : unit)); shape.append(height); scale.append(sizes.y ?? 1)
        axes.append(.space("x", unit: sizes.x == nil ? nil : unit)); shape.append(width); scale.append(sizes.x ?? 1)
        self.axes = axes
        self.shape = shape
        self.scale = scale
        self.channelNames = names.map { $0.count == channels ? $0 : [] }.flatMap { $0.isEmpty ? nil : $0 }
        self.source = description
    }

    /// The number of planes: the product of the extents before y and x.
    public var planeCount: Int { shape.dropLast(2).reduce(1, *) }

    /// The extent of the output axis named `name` (1 when absent).
    func extent(_ name: String) -> Int { axes.firstIndex { $0.name == name }.map { shape[$0] } ?? 1 }

    /// The page (position in ``pages``' order) and sample holding the output plane at `(t, c, z)`.
    func source(t: Int, c: Int, z: Int) -> (page: Int, sample: Int) {
        let values: [Character: Int] = ["T": t, "C": c / samples, "Z": z]
        var index = 0
        for (letter, extent) in pageDimensions { index = index * extent + (values[letter] ?? 0) }
        return (pages[Swift.min(index, pages.count - 1)], c % samples)
    }

    /// The UDUNITS-2 name of a spatial unit as TIFF writers spell it; `nil` for pixels or unknown units.
    public static func spaceUnit(_ text: String) -> String? {
        let units: [String: String] = [
            "micron": "micrometer", "microns": "micrometer", "um": "micrometer", "µm": "micrometer", "μm": "micrometer", "micrometer": "micrometer",
            "\\u00B5m": "micrometer", "nm": "nanometer", "nanometer": "nanometer", "mm": "millimeter", "millimeter": "millimeter",
            "cm": "centimeter", "centimeter": "centimeter", "m": "meter", "meter": "meter", "inch": "inch", "in": "inch",
            "å": "angstrom", "Å": "angstrom", "angstrom": "angstrom", "pm": "picometer", "km": "kilometer",
        ]
        return units[text] ?? units[text.lowercased()]
    }

    /// The UDUNITS-2 name of a time unit as TIFF writers spell it; `nil` when unknown.
    public static func timeUnit(_ text: String) -> String? {
        let units: [String: String] = [
            "s": "second", "sec": "second", "second": "second", "seconds": "second", "ms": "millisecond", "msec": "millisecond",
            "millisecond": "millisecond", "µs": "microsecond", "us": "microsecond", "microsecond": "microsecond", "ns": "nanosecond",
            "min": "minute", "minute": "minute", "minutes": "minute", "h": "hour", "hr": "hour", "hour": "hour", "hours": "hour", "d": "day", "day": "day",
        ]
        return units[text] ?? units[text.lowercased()]
    }
}
