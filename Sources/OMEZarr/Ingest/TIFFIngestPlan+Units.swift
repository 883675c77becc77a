import MIFACore
import RasterIO

extension TIFFIngestPlan {
    /// The physical size of one step along t, z, y and x of a series, and the NGFF unit of each.
    ///
    /// An OME-XML `Image` gives each axis its own size and unit (`PhysicalSizeX/Y/Z` with
    /// `PhysicalSizeXUnit`..., `TimeIncrement` with `TimeIncrementUnit`): each becomes the NGFF
    /// name of that unit (`µm` → `micrometer`, `ms` → `millisecond`, ...). OME's `pixel` and
    /// `reference frame` are not physical units: the size is kept as the scale, without a unit. A
    /// unit NGFF has no name for (`dam`, `thou`, `li`, `ua`, `ly`, `pt`, `das`) or one OME does not
    /// define is refused by name: converting it would change the numbers and leaving it out would
    /// lose the calibration without a word. A size the `Image` does not give stays unknown
    /// (scale 1, no unit); y is not guessed from x.
    ///
    /// Other files (ImageJ's description, resolution tags) have one spatial unit for x, y and z;
    /// ImageJ's `pixel` or an unknown spelling means no calibration, as ImageJ reads it.
    /// - Throws: ``OMEZarrError`` `.unsupported` naming the series, the attribute and the unit.
    static func physicalSizes(of series: TIFFSeries, file: String) throws
        -> (sizes: (t: Double?, z: Double?, y: Double?, x: Double?), units: (t: String?, z: String?, y: String?, x: String?)) {
        guard let size = series.pixelSize else { return ((nil, nil, nil, nil), (nil, nil, nil, nil)) }
        let timeUnit = size.timeInterval == nil ? nil : size.timeUnit.flatMap(Self.timeUnit)
        guard series.kind == "ome" else {
            guard let unit = size.unit.flatMap(Self.spaceUnit) else {
                return ((size.timeInterval, nil, nil, nil), (timeUnit, nil, nil, nil))
            }
            let y = size.y ?? size.x
            return ((size.timeInterval, size.z, y, size.x), (timeUnit, size.z == nil ? nil : unit, y == nil ? nil : unit, size.x == nil ? nil : unit))
        }
        func ngff(_ value: Double?, _ unit: String?, attribute: String, map: (String) -> String?) throws -> String? {
            guard value != nil, let unit, unit != "pixel", unit != "reference frame" else { return nil }
            guard let name = map(unit) else {
                throw OMEZarrError(.unsupported, "series \(series.index) of \(file): \(attribute)Unit=\"\(unit)\" has no OME-NGFF unit name (NGFF takes UDUNITS-2 names such as micrometer, nanometer, second), so the physical size cannot be kept as written; rewrite the OME-XML with a unit NGFF names (e.g. tifffile.tiffcomment) before converting",
                                   context: ErrorContext(file: file))
            }
            return name
        }
        let units = (t: try ngff(size.timeInterval, size.timeUnit, attribute: "TimeIncrement", map: Self.omeTimeUnits),
                     z: try ngff(size.z, size.zUnit, attribute: "PhysicalSizeZ", map: Self.omeSpaceUnits),
                     y: try ngff(size.y, size.yUnit, attribute: "PhysicalSizeY", map: Self.omeSpaceUnits),
                     x: try ngff(size.x, size.unit, attribute: "PhysicalSizeX", map: Self.omeSpaceUnits))
        return ((size.timeInterval, size.z, size.y, size.x), units)
    }

    /// The NGFF (UDUNITS-2) name of an OME `UnitsLength` symbol, or `nil` when NGFF has none.
    static func omeSpaceUnits(_ symbol: String) -> String? {
        let names: [String: String] = [
            "Ym": "yottameter", "Zm": "zettameter", "Em": "exameter", "Pm": "petameter", "Tm": "terameter", "Gm": "gigameter",
            "Mm": "megameter", "km": "kilometer", "hm": "hectometer", "m": "meter", "dm": "decimeter", "cm": "centimeter",
            "mm": "millimeter", "µm": "micrometer", "μm": "micrometer", "nm": "nanometer", "pm": "picometer", "fm": "femtometer",
            "am": "attometer", "zm": "zeptometer", "ym": "yoctometer", "Å": "angstrom", "in": "inch", "ft": "foot", "yd": "yard",
            "mi": "mile", "pc": "parsec",
        ]
        return names[symbol]
    }

    /// The NGFF (UDUNITS-2) name of an OME `UnitsTime` symbol, or `nil` when NGFF has none.
    static func omeTimeUnits(_ symbol: String) -> String? {
        let names: [String: String] = [
            "Ys": "yottasecond", "Zs": "zettasecond", "Es": "exasecond", "Ps": "petasecond", "Ts": "terasecond", "Gs": "gigasecond",
            "Ms": "megasecond", "ks": "kilosecond", "hs": "hectosecond", "s": "second", "ds": "decisecond", "cs": "centisecond",
            "ms": "millisecond", "µs": "microsecond", "μs": "microsecond", "ns": "nanosecond", "ps": "picosecond", "fs": "femtosecond",
            "as": "attosecond", "zs": "zeptosecond", "ys": "yoctosecond", "min": "minute", "h": "hour", "d": "day",
        ]
        return names[symbol]
    }

    /// The UDUNITS-2 name of a spatial unit as ImageJ and the resolution tags spell it; `nil` for
    /// pixels or unknown units.
    public static func spaceUnit(_ text: String) -> String? {
        let units: [String: String] = [
            "micron": "micrometer", "microns": "micrometer", "um": "micrometer", "µm": "micrometer", "μm": "micrometer", "micrometer": "micrometer",
            "\\u00B5m": "micrometer", "nm": "nanometer", "nanometer": "nanometer", "mm": "millimeter", "millimeter": "millimeter",
            "cm": "centimeter", "centimeter": "centimeter", "m": "meter", "meter": "meter", "inch": "inch", "in": "inch",
            "å": "angstrom", "Å": "angstrom", "angstrom": "angstrom", "pm": "picometer", "km": "kilometer",
        ]
        return units[text] ?? units[text.lowercased()]
    }

    /// The UDUNITS-2 name of a time unit as ImageJ spells it; `nil` when unknown.
    public static func timeUnit(_ text: String) -> String? {
        let units: [String: String] = [
            "s": "second", "sec": "second", "second": "second", "seconds": "second", "ms": "millisecond", "msec": "millisecond",
            "millisecond": "millisecond", "µs": "microsecond", "us": "microsecond", "microsecond": "microsecond", "ns": "nanosecond",
            "min": "minute", "minute": "minute", "minutes": "minute", "h": "hour", "hr": "hour", "hour": "hour", "hours": "hour", "d": "day", "day": "day",
        ]
        return units[text] ?? units[text.lowercased()]
    }
}
