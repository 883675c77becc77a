import MIFACore

/// tifffile's JSON `ImageDescription` (`shaped_description`): `{"shape": [...], "axes": "...", "name": ...}`.
struct ShapedDescription {
    /// `shape`: the shape of the run of pages that starts here.
    var shape: [Int]
    /// `axes`, when given.
    var axes: String?
    /// `name`, or empty.
    var name: String

    /// Parses a description; `nil` when it is not tifffile's JSON or has no valid `shape`.
    init?(_ description: String) {
        guard description.hasPrefix("{"), description.utf8.count <= 1 << 20,
              let value = try? JSONParser.parse(description, options: JSONParser.Options(maximumDepth: 16)),
              let extents = value["shape"]?.arrayValue, extents.count <= 32 else { return nil }
        var shape: [Int] = []
        for extent in extents {
            guard let number = extent.numberValue?.intValue, number >= 0 else { return nil }
            shape.append(number)
        }
        var product = 1
        for extent in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: extent)
            guard !overflow else { return nil }
            product = next
        }
        self.shape = shape
        self.axes = value["axes"]?.stringValue.map { $0.uppercased() }
        self.name = value["name"]?.stringValue ?? ""
    }
}

/// The `Image` elements of the OME-XML an OME-TIFF carries in its first `ImageDescription`, as far
/// as series need them: name, dimension order, sizes, physical sizes with their units, channel
/// names and the first IFD of their `TiffData`.
///
/// A small scanner (no XML library): only start tags and their `name="value"` attributes are read.
/// See https://docs.openmicroscopy.org/ome-model/latest/ome-tiff/specification.html.
struct OMEXMLImages {
    struct Image {
        var name: String
        var dimensionOrder: String
        var sizeX: Int, sizeY: Int, sizeZ: Int, sizeC: Int, sizeT: Int
        /// `TiffData/@IFD` of the first `TiffData`, when given.
        var firstIFD: Int?
        /// `PhysicalSizeX/Y/Z` and `TimeIncrement` with their units as written (OME's defaults `µm`
        /// and `s` where a size is given without a unit); `nil` when the image gives none.
        var pixelSize: PixelSize?
        /// The `Name` of each `Channel`, in order (empty for unnamed channels).
        var channelNames: [String] = []
    }

    var images: [Image]

    /// Reads every `Image`; `nil` when the text is no OME-XML or an image lacks sizes or order.
    init?(xml: String) {
        guard xml.hasPrefix("<?xml") || xml.hasPrefix("<OME"), xml.contains("<OME") || xml.contains(":OME") else { return nil }
        var images: [Image] = []
        var current: Image?
        var name = ""
        for (tag, attributes) in Self.startTags(xml) {
            switch tag {
            case "Image":
                if let current { images.append(current) }
                current = nil
                name = attributes["Name"] ?? ""
            case "Pixels":
                guard let order = attributes["DimensionOrder"], order.count == 5, order.hasPrefix("XY"), Set(order) == Set("XYZCT"),
                      let x = attributes["SizeX"].flatMap({ Int($0) }), let y = attributes["SizeY"].flatMap({ Int($0) }),
                      let z = attributes["SizeZ"].flatMap({ Int($0) }), let c = attributes["SizeC"].flatMap({ Int($0) }),
                      let t = attributes["SizeT"].flatMap({ Int($0) }), [x, y, z, c, t].allSatisfy({ (1...(1 << 31)).contains($0) }),
                      z.multipliedReportingOverflow(by: c * t).overflow == false
                else { return nil }
                current = Image(name: name, dimensionOrder: order, sizeX: x, sizeY: y, sizeZ: z, sizeC: c, sizeT: t)
                current?.pixelSize = Self.pixelSize(attributes)
            case "Channel":
                current?.channelNames.append(attributes["Name"] ?? "")
            case "TiffData":
                if current != nil, current?.firstIFD == nil { current?.firstIFD = attributes["IFD"].flatMap { Int($0) } ?? 0 }
            default:
                break
            }
        }
        if let current { images.append(current) }
        guard !images.isEmpty else { return nil }
        self.images = images
    }

    /// The physical sizes of a `Pixels` element: a size that is not a positive finite number is
    /// taken as absent, a unit is kept as written (OME's default where a size has none).
    static func pixelSize(_ attributes: [String: String]) -> PixelSize? {
        func positive(_ key: String) -> Double? { attributes[key].flatMap(Double.init).flatMap { $0.isFinite && $0 > 0 ? $0 : nil } }
        let (x, y, z, t) = (positive("PhysicalSizeX"), positive("PhysicalSizeY"), positive("PhysicalSizeZ"), positive("TimeIncrement"))
        let size = PixelSize(x: x, y: y, z: z,
                             unit: x == nil ? nil : attributes["PhysicalSizeXUnit"] ?? "µm",
                             yUnit: y == nil ? nil : attributes["PhysicalSizeYUnit"] ?? "µm",
                             zUnit: z == nil ? nil : attributes["PhysicalSizeZUnit"] ?? "µm",
                             timeInterval: t, timeUnit: t == nil ? nil : attributes["TimeIncrementUnit"] ?? "s")
        return size.isEmpty ? nil : size
    }

    /// Replaces the five predefined XML entities and character references (`&#181;`, `&#xB5;`).
    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            guard let semicolon = rest[amp...].prefix(12).firstIndex(of: ";") else {
                result += rest[amp...]
                return result
            }
            let entity = rest[rest.index(after: amp)..<semicolon]
            let named: [Substring: String] = ["lt": "<", "gt": ">", "quot": "\"", "apos": "'", "amp": "&"]
            if let value = named[entity] {
                result += value
            } else if entity.hasPrefix("#"), let code = entity.hasPrefix("#x") || entity.hasPrefix("#X") ? UInt32(entity.dropFirst(2), radix: 16) : UInt32(entity.dropFirst()),
                      let scalar = Unicode.Scalar(code) {
                result.unicodeScalars.append(scalar)
            } else {
                result += rest[amp...semicolon]
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return result + rest
    }

    /// The start tags of `xml` (local names, without namespace prefixes) and their attributes.
    static func startTags(_ xml: String) -> [(String, [String: String])] {
        var result: [(String, [String: String])] = []
        let scalars = Array(xml.unicodeScalars)
        var index = 0
        let space: Set<Unicode.Scalar> = [" ", "\t", "\r", "\n"]
        while index < scalars.count {
            guard scalars[index] == "<", index + 1 < scalars.count, !"/?!".unicodeScalars.contains(scalars[index + 1]) else {
                index += 1
                continue
            }
            var cursor = index + 1
            while cursor < scalars.count, !space.contains(scalars[cursor]), scalars[cursor] != ">", scalars[cursor] != "/" { cursor += 1 }
            var tag = String(String.UnicodeScalarView(scalars[(index + 1)..<cursor]))
            if let colon = tag.lastIndex(of: ":") { tag = String(tag[tag.index(after: colon)...]) }
            var attributes: [String: String] = [:]
            while cursor < scalars.count, scalars[cursor] != ">" {
                while cursor < scalars.count, space.contains(scalars[cursor]) || scalars[cursor] == "/" { cursor += 1 }
                let keyStart = cursor
                while cursor < scalars.count, scalars[cursor] != "=", scalars[cursor] != ">", !space.contains(scalars[cursor]) { cursor += 1 }
                let key = String(String.UnicodeScalarView(scalars[keyStart..<cursor]))
                while cursor < scalars.count, space.contains(scalars[cursor]) { cursor += 1 }
                guard cursor < scalars.count, scalars[cursor] == "=" else {
                    if cursor == keyStart, cursor < scalars.count, scalars[cursor] != ">" { cursor += 1 }
                    continue
                }
                cursor += 1
                while cursor < scalars.count, space.contains(scalars[cursor]) { cursor += 1 }
                guard cursor < scalars.count, scalars[cursor] == "\"" || scalars[cursor] == "'" else { continue }
                let quote = scalars[cursor]
                cursor += 1
                let valueStart = cursor
                while cursor < scalars.count, scalars[cursor] != quote { cursor += 1 }
                attributes[key] = unescape(String(String.UnicodeScalarView(scalars[valueStart..<Swift.min(cursor, scalars.count)])))
                cursor += 1
            }
            result.append((tag, attributes))
            index = cursor + 1
        }
        return result
    }
}
