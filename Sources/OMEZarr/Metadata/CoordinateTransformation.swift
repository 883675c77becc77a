public import MIFACore

/// A `scale` coordinate transformation: one factor per axis, `x' = factor * x`.
///
/// In a multiscale dataset it is the physical size of a pixel (or the time step) along each axis.
/// See https://ngff.openmicroscopy.org/0.5/#trafo-md.
public struct Scale: Sendable, Hashable {
    /// One factor per axis.
    public var factors: [Double]

    /// A scale with the given factors.
    public init(_ factors: [Double]) { self.factors = factors }

    /// The factors, as an ``AxisAlignedTransform``.
    public var transform: AxisAlignedTransform { AxisAlignedTransform(scale: factors) }
}

/// A `translation` coordinate transformation: one offset per axis, `x' = x + offset`.
///
/// See https://ngff.openmicroscopy.org/0.5/#trafo-md.
public struct Translation: Sendable, Hashable {
    /// One offset per axis.
    public var offsets: [Double]

    /// A translation with the given offsets.
    public init(_ offsets: [Double]) { self.offsets = offsets }

    /// The offsets, as an ``AxisAlignedTransform``.
    public var transform: AxisAlignedTransform {
        AxisAlignedTransform(scale: [Double](repeating: 1, count: offsets.count), translation: offsets)
    }
}

/// One element of a `coordinateTransformations` list: OME-NGFF 0.4 and 0.5 allow `scale` and
/// `translation`, applied in list order (exactly one scale, optionally followed by one translation).
///
/// See https://ngff.openmicroscopy.org/0.4/#trafo-md and https://ngff.openmicroscopy.org/0.5/#trafo-md.
public enum CoordinateTransformation: Sendable, Hashable {
    /// Multiply each coordinate.
    case scale(Scale)
    /// Add to each coordinate.
    case translation(Translation)

    /// The number of axes the transformation has values for.
    public var count: Int {
        switch self {
        case .scale(let scale): scale.factors.count
        case .translation(let translation): translation.offsets.count
        }
    }

    /// The transformation as an ``AxisAlignedTransform``.
    public var transform: AxisAlignedTransform {
        switch self {
        case .scale(let scale): scale.transform
        case .translation(let translation): translation.transform
        }
    }

    /// The transformation as metadata, e.g. `{"type": "scale", "scale": [1, 0.5, 0.5]}`.
    public var json: JSONValue {
        func numbers(_ values: [Double]) -> JSONValue { .array(values.map { JSONNumber($0).map(JSONValue.number) ?? .null }) }
        switch self {
        case .scale(let scale): return ["type": "scale", "scale": numbers(scale.factors)]
        case .translation(let translation): return ["type": "translation", "translation": numbers(translation.offsets)]
        }
    }

    /// Reads one transformation.
    /// - Throws: ``OMEZarrError`` `.unsupported` for the `path` form (values in a separate array),
    ///   `.invalidMetadata` for anything but a `scale` or `translation` with a list of numbers.
    init(json: JSONValue, at pointer: JSONPointer, file: String?) throws {
        guard let object = json.objectValue, let type = object["type"]?.stringValue else {
            throw OMEZarrError(.invalidMetadata, "a coordinate transformation must be an object with a string 'type', found \(json.summary)", file: file, pointer: pointer)
        }
        guard type == "scale" || type == "translation" else {
            throw OMEZarrError(.invalidMetadata, "coordinate transformation type '\(type)' is not allowed here; OME-NGFF 0.4 and 0.5 allow 'scale' and 'translation'", file: file, pointer: pointer.appending("type"))
        }
        guard let values = object[type] else {
            if object["path"] != nil {
                throw OMEZarrError(.unsupported, "a '\(type)' given by 'path' (values stored in an array) is not supported; write the values inline", file: file, pointer: pointer.appending("path"))
            }
            throw OMEZarrError(.invalidMetadata, "a '\(type)' transformation needs a '\(type)' list of numbers", file: file, pointer: pointer)
        }
        guard let list = values.arrayValue else {
            throw OMEZarrError(.invalidMetadata, "'\(type)' must be a list of numbers, found \(values.summary)", file: file, pointer: pointer.appending(type))
        }
        var numbers: [Double] = []
        for (index, value) in list.enumerated() {
            guard let number = value.numberValue?.doubleValue else {
                throw OMEZarrError(.invalidMetadata, "'\(type)' values must be finite numbers, found \(value.summary)", file: file, pointer: pointer.appending(type).appending(index: index))
            }
            numbers.append(number)
        }
        self = type == "scale" ? .scale(Scale(numbers)) : .translation(Translation(numbers))
    }

    /// Reads a `coordinateTransformations` list.
    /// - Throws: ``OMEZarrError`` as ``init(json:at:file:)``, `.invalidMetadata` when it is not a list.
    static func list(json: JSONValue, at pointer: JSONPointer, file: String?) throws -> [CoordinateTransformation] {
        guard let items = json.arrayValue else {
            throw OMEZarrError(.invalidMetadata, "coordinateTransformations must be a list, found \(json.summary)", file: file, pointer: pointer)
        }
        return try items.enumerated().map { try CoordinateTransformation(json: $1, at: pointer.appending(index: $0), file: file) }
    }
}

extension Array where Element == CoordinateTransformation {
    /// The list composed in order into one ``AxisAlignedTransform`` of `rank` axes.
    /// - Throws: ``OMEZarrError`` `.invalidTransformation` when an element's length is not `rank`.
    public func composed(rank: Int) throws -> AxisAlignedTransform {
        var result = AxisAlignedTransform(rank: rank)
        for (index, element) in enumerated() {
            guard element.count == rank else {
                throw OMEZarrError(.invalidTransformation, "transformation \(index) has \(element.count) values but the image has \(rank) axes; give one value per axis")
            }
            result = result.then(element.transform)
        }
        return result
    }
}
