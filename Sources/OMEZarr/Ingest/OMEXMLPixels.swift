import Foundation

/// The `Pixels` element of the OME-XML an OME-TIFF carries in its first `ImageDescription`:
/// dimension order, sizes, physical sizes with units, and channel names.
///
/// Only the first image's `Pixels` is read, with a small attribute scanner (no XML library): the
/// attributes MIFAKit needs are plain `name="value"` pairs. See
/// https://docs.openmicroscopy.org/ome-model/latest/ome-tiff/specification.html.
public struct OMEXMLPixels: Sendable, Hashable {
    /// `DimensionOrder`, e.g. `XYZCT`: the order of the planes, fastest first after X and Y.
    public var dimensionOrder: String
    /// `SizeX`.
    public var sizeX: Int
    /// `SizeY`.
    public var sizeY: Int
    /// `SizeZ`.
    public var sizeZ: Int
    /// `SizeC` (counting the samples of RGB pixels).
    public var sizeC: Int
    /// `SizeT`.
    public var sizeT: Int
    /// `PhysicalSizeX`, `PhysicalSizeY`, `PhysicalSizeZ`.
    public var physicalSize: (x: Double?, y: Double?, z: Double?)
    /// The units of the physical sizes (`µm` when not given, as OME says).
    public var physicalUnit: (x: String, y: String, z: String)
    /// `TimeIncrement` and its unit (`s` when not given).
    public var timeIncrement: Double?
    /// The unit of ``timeIncrement``.
    public var timeUnit: String
    /// The `Name` of each `Channel`, in order (empty names for unnamed channels).
    public var channelNames: [String]

    /// Reads the first `Pixels` element of an OME-XML document; `nil` when the text is no OME-XML
    /// or lacks the sizes and dimension order.
    public init?(xml: String) {
        guard xml.contains("<OME") || xml.contains(":OME"), let pixels = Self.element("Pixels", in: xml) else { return nil }
        let attributes = pixels.attributes
        guard let order = attributes["DimensionOrder"], order.count == 5, order.hasPrefix("XY"), Set(order) == Set("XYZCT"),
              let x = attributes["SizeX"].flatMap({ Int($0) }), let y = attributes["SizeY"].flatMap({ Int($0) }),
              let z = attributes["SizeZ"].flatMap({ Int($0) }), let c = attributes["SizeC"].flatMap({ Int($0) }),
              let t = attributes["SizeT"].flatMap({ Int($0) }), [x, y, z, c, t].allSatisfy({ $0 >= 1 }) else { return nil }
        dimensionOrder = order
        (sizeX, sizeY, sizeZ, sizeC, sizeT) = (x, y, z, c, t)
        func positive(_ key: String) -> Double? { attributes[key].flatMap(Double.init).flatMap { $0.isFinite && $0 > 0 ? $0 : nil } }
        physicalSize = (positive("PhysicalSizeX"), positive("PhysicalSizeY"), positive("PhysicalSizeZ"))
        physicalUnit = (attributes["PhysicalSizeXUnit"] ?? "µm", attributes["PhysicalSizeYUnit"] ?? "µm", attributes["PhysicalSizeZUnit"] ?? "µm")
        timeIncrement = positive("TimeIncrement")
        timeUnit = attributes["TimeIncrementUnit"] ?? "s"
        var names: [String] = []
        var rest = pixels.body
        if let close = rest.range(of: "Pixels>") { rest = String(rest[..<close.lowerBound]) }
        while let channel = Self.element("Channel", in: rest) {
            names.append(channel.attributes["Name"] ?? "")
            rest = channel.body
        }
        channelNames = names
    }

    /// The planes' axes from slowest to fastest, e.g. `TCZ` for `XYZCT`.
    public var planeOrder: String { String(dimensionOrder.dropFirst(2).reversed()) }

    /// Two `Pixels` are equal when every field is.
    public static func == (lhs: OMEXMLPixels, rhs: OMEXMLPixels) -> Bool {
        lhs.dimensionOrder == rhs.dimensionOrder && [lhs.sizeX, lhs.sizeY, lhs.sizeZ, lhs.sizeC, lhs.sizeT] == [rhs.sizeX, rhs.sizeY, rhs.sizeZ, rhs.sizeC, rhs.sizeT]
            && lhs.physicalSize.x == rhs.physicalSize.x && lhs.physicalSize.y == rhs.physicalSize.y && lhs.physicalSize.z == rhs.physicalSize.z
            && lhs.physicalUnit.x == rhs.physicalUnit.x && lhs.physicalUnit.y == rhs.physicalUnit.y && lhs.physicalUnit.z == rhs.physicalUnit.z
            && lhs.timeIncrement == rhs.timeIncrement && lhs.timeUnit == rhs.timeUnit && lhs.channelNames == rhs.channelNames
    }

    /// Hashes the sizes and order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(dimensionOrder)
        hasher.combine([sizeX, sizeY, sizeZ, sizeC, sizeT])
        hasher.combine(channelNames)
    }

    /// The first element named `name` (any namespace prefix): its attributes and the text after its start tag.
    static func element(_ name: String, in text: String) -> (attributes: [String: String], body: String)? {
        let characters = Array(text.unicodeScalars)
        let target = Array(name.unicodeScalars)
        var index = 0
        while index < characters.count {
            guard characters[index] == "<" else { index += 1; continue }
            var start = index + 1
            var nameEnd = start
            while nameEnd < characters.count, !" \t\r\n/>".unicodeScalars.contains(characters[nameEnd]) { nameEnd += 1 }
            var tagName = Array(characters[start..<nameEnd])
            if let colon = tagName.lastIndex(of: ":") { tagName = Array(tagName[(colon + 1)...]) }
            guard tagName == target else { index = nameEnd; continue }
            // Attributes up to the closing '>' (quoted values may contain '>').
            var attributes: [String: String] = [:]
            start = nameEnd
            var cursor = start
            while cursor < characters.count, characters[cursor] != ">" {
                while cursor < characters.count, " \t\r\n/".unicodeScalars.contains(characters[cursor]) { cursor += 1 }
                let keyStart = cursor
                while cursor < characters.count, !"= \t\r\n>".unicodeScalars.contains(characters[cursor]) { cursor += 1 }
                let key = String(String.UnicodeScalarView(characters[keyStart..<cursor]))
                while cursor < characters.count, " \t\r\n".unicodeScalars.contains(characters[cursor]) { cursor += 1 }
                guard cursor < characters.count, characters[cursor] == "=" else {
                    // A bare word (or stray character) without a value: skip it, but never the closing '>'.
                    if cursor == keyStart, cursor < characters.count, characters[cursor] != ">" { cursor += 1 }
                    continue
                }
                cursor += 1
                while cursor < characters.count, " \t\r\n".unicodeScalars.contains(characters[cursor]) { cursor += 1 }
                guard cursor < characters.count, characters[cursor] == "\"" || characters[cursor] == "'" else { continue }
                let quote = characters[cursor]
                cursor += 1
                let valueStart = cursor
                while cursor < characters.count, characters[cursor] != quote { cursor += 1 }
                attributes[key] = unescape(String(String.UnicodeScalarView(characters[valueStart..<Swift.min(cursor, characters.count)])))
                cursor += 1
            }
            let end = Swift.min(cursor + 1, characters.count)
            return (attributes, String(String.UnicodeScalarView(characters[end...])))
        }
        return nil
    }

    /// Replaces the five predefined XML entities.
    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }
}
