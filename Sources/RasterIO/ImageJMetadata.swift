/// The `key=value` lines ImageJ writes into the first page's `ImageDescription`.
///
/// ImageJ stores a hyperstack as `images` pages in the order channels fastest, then slices, then
/// frames, i.e. the array axes `TZCYX`. See https://imagej.net/ij/developer/source/ij/io/TiffDecoder.java.html
/// and tifffile's `imagej_description`.
public struct ImageJMetadata: Sendable, Hashable {
    /// Every entry as written, values unparsed (units unescaped).
    public var entries: [String: String]

    /// Parses a description that starts with `ImageJ=`; `nil` for any other text.
    public init?(description: String) {
        guard description.hasPrefix("ImageJ=") else { return nil }
        var entries: [String: String] = [:]
        for line in description.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters()
            let value = line[line.index(after: equals)...].trimmingCharacters()
            if !key.isEmpty { entries[key] = Self.unescape(value) }
        }
        self.entries = entries
    }

    /// Metadata with the given entries.
    public init(entries: [String: String]) { self.entries = entries }

    /// `images`: the number of pages the hyperstack has.
    public var images: Int? { int("images") }
    /// `channels`: extent of C.
    public var channels: Int? { int("channels") }
    /// `slices`: extent of Z.
    public var slices: Int? { int("slices") }
    /// `frames`: extent of T.
    public var frames: Int? { int("frames") }
    /// `hyperstack=true`.
    public var isHyperstack: Bool { entries["hyperstack"] == "true" }
    /// `unit`: the spatial unit, e.g. `micron`, `µm`.
    public var unit: String? { entries["unit"] }
    /// `spacing`: the z step in ``unit``.
    public var spacing: Double? { double("spacing") }
    /// `finterval`: the time between frames.
    public var frameInterval: Double? { double("finterval") }
    /// `tunit`: the time unit.
    public var timeUnit: String? { entries["tunit"] }

    /// The non-singleton hyperstack axes it declares, in ImageJ's order `T`, `Z`, `C`, with extents.
    public var declaredAxes: [(axis: Character, extent: Int)] {
        let candidates: [(Character, Int?)] = [("T", frames), ("Z", slices), ("C", channels)]
        return candidates.compactMap { axis, extent -> (axis: Character, extent: Int)? in
            guard let extent, extent > 1 else { return nil }
            return (axis, extent)
        }
    }

    private func int(_ key: String) -> Int? { entries[key].flatMap { Int($0) } }
    private func double(_ key: String) -> Double? { entries[key].flatMap { Double($0) } }

    /// The description ImageJ (and tifffile) would write for a hyperstack of `images` pages with
    /// the given extents, and the physical sizes when known. Non-ASCII characters of the unit are
    /// written as `\uXXXX`, as ImageJ does.
    public static func description(images: Int, channels: Int, slices: Int, frames: Int, isRGB: Bool, pixelSize: PixelSize?) -> String {
        var lines = ["ImageJ=1.11a", "images=\(images)"]
        if channels > 1 { lines.append("channels=\(channels)") }
        if slices > 1 { lines.append("slices=\(slices)") }
        if frames > 1 { lines.append("frames=\(frames)") }
        if images > 1 {
            lines.append("hyperstack=true")
            if !isRGB { lines.append("mode=grayscale") }
            lines.append("loop=false")
        }
        if let unit = pixelSize?.unit { lines.append("unit=\(escape(unit))") }
        if let z = pixelSize?.z { lines.append("spacing=\(z)") }
        if let t = pixelSize?.timeInterval { lines.append("finterval=\(t)") }
        if let unit = pixelSize?.timeUnit { lines.append("tunit=\(escape(unit))") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func escape(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar.isASCII, scalar.value >= 32 {
                result.unicodeScalars.append(scalar)
            } else if scalar.value <= 0xFFFF {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return result
    }

    private static func unescape(_ text: String) -> String {
        guard text.contains("\\u") else { return text }
        var result = ""
        var rest = Substring(text)
        while let range = rest.firstRange(of: "\\u") {
            result += rest[..<range.lowerBound]
            let hex = rest[range.upperBound...].prefix(4)
            if hex.count == 4, let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) {
                result.unicodeScalars.append(scalar)
                rest = rest[rest.index(range.upperBound, offsetBy: 4)...]
            } else {
                result += "\\u"
                rest = rest[range.upperBound...]
            }
        }
        return result + rest
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    fileprivate func trimmingCharacters() -> String {
        var s = self
        while let first = s.first, first == " " || first == "\t" { s = s.dropFirst() }
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
