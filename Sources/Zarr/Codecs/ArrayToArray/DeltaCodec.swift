public import MIFACore

/// `numcodecs.delta` (v2 filter id `delta`): stores the first element and then the difference of
/// each element from the one before it, in memory order; decoding is a running sum.
///
/// ```json
/// {"id": "delta", "dtype": "<i4"}                                    (v2 filter)
/// {"name": "numcodecs.delta", "configuration": {"dtype": "<i4"}}     (v3)
/// ```
/// Integers wrap around as NumPy's do; floats add in the same left-to-right order as NumPy's
/// `cumsum`, so results are bit-identical. `astype` must equal `dtype`.
/// See https://numcodecs.readthedocs.io/en/stable/filter/delta.html.
public struct DeltaCodec: ArrayToArrayCodec {
    /// The element type the filter works in.
    public let dataType: ZarrDataType
    private let dtypeText: String

    /// Reads `dtype` (a NumPy type string or a v3 name) and `astype` (must be the same type).
    /// - Throws: ``ZarrError`` `.invalidMetadata` for unknown types, `.unsupportedExtension` when
    ///   `astype` differs from `dtype`.
    public init(_ configuration: CodecConfiguration) throws {
        let text = try configuration.string("dtype")
        guard let type = ZarrDataType.parseV2(text)?.0 ?? ZarrDataType(v3Name: text) else {
            throw configuration.error("'dtype' \"\(text)\" is not a supported type", member: "dtype")
        }
        if let astype = configuration["astype"], !astype.isNull {
            let astypeText = try configuration.string("astype")
            let astypeType = ZarrDataType.parseV2(astypeText)?.0 ?? ZarrDataType(v3Name: astypeText)
            guard astypeType == type else {
                throw configuration.error("'astype' \"\(astypeText)\" differs from 'dtype'; converting types in a filter is not supported",
                                          member: "astype", kind: .unsupportedExtension)
            }
        }
        switch type {
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float16, .float32, .float64: break
        default: throw configuration.error("delta works on integers and floats, not \(type)", member: "dtype")
        }
        dataType = type
        dtypeText = text
    }

    /// `numcodecs.delta`.
    public var name: String { "numcodecs.delta" }

    /// `{"dtype": ...}`.
    public var configuration: JSONObject { ["dtype": .string(dtypeText)] }

    /// Checks that the chunk has the filter's type.
    /// - Throws: ``ZarrError`` `.invalidMetadata` otherwise.
    public func bind(to decoded: ChunkRepresentation) throws -> any BoundArrayToArrayCodec {
        guard decoded.dataType == dataType else {
            throw ZarrError(.invalidMetadata, "delta filter works on \(dataType) but the chunk holds \(decoded.dataType)")
        }
        return Bound(encoded: decoded, dataType: dataType)
    }

    struct Bound: BoundArrayToArrayCodec {
        let encoded: ChunkRepresentation
        let dataType: ZarrDataType
        var permutation: [Int]? { nil }

        func decodeInPlace(_ buffer: UnsafeMutableRawBufferPointer) throws { transform(buffer, encode: false) }

        func encodeInPlace(_ buffer: UnsafeMutableRawBufferPointer) throws { transform(buffer, encode: true) }

        /// Differences (encoding) or running sums (decoding) in the filter's type: integers wrap, floats round.
        private func transform(_ buffer: UnsafeMutableRawBufferPointer, encode: Bool) {
            switch dataType {
            case .int8: encode ? Self.differences(buffer, Int8.self, &-) : Self.runningSum(buffer, Int8.self, &+)
            case .int16: encode ? Self.differences(buffer, Int16.self, &-) : Self.runningSum(buffer, Int16.self, &+)
            case .int32: encode ? Self.differences(buffer, Int32.self, &-) : Self.runningSum(buffer, Int32.self, &+)
            case .int64: encode ? Self.differences(buffer, Int64.self, &-) : Self.runningSum(buffer, Int64.self, &+)
            case .uint8: encode ? Self.differences(buffer, UInt8.self, &-) : Self.runningSum(buffer, UInt8.self, &+)
            case .uint16: encode ? Self.differences(buffer, UInt16.self, &-) : Self.runningSum(buffer, UInt16.self, &+)
            case .uint32: encode ? Self.differences(buffer, UInt32.self, &-) : Self.runningSum(buffer, UInt32.self, &+)
            case .uint64: encode ? Self.differences(buffer, UInt64.self, &-) : Self.runningSum(buffer, UInt64.self, &+)
            case .float16: encode ? Self.differences(buffer, Float16.self, -) : Self.runningSum(buffer, Float16.self, +)
            case .float32: encode ? Self.differences(buffer, Float.self, -) : Self.runningSum(buffer, Float.self, +)
            case .float64: encode ? Self.differences(buffer, Double.self, -) : Self.runningSum(buffer, Double.self, +)
            default: break  // refused in init
            }
        }

        private static func runningSum<T: BitwiseCopyable>(_ buffer: UnsafeMutableRawBufferPointer, _: T.Type, _ add: (T, T) -> T) {
            let values = buffer.bindMemory(to: T.self)
            guard values.count > 1 else { return }
            var sum = values[0]
            for i in 1..<values.count {
                sum = add(sum, values[i])
                values[i] = sum
            }
        }

        private static func differences<T: BitwiseCopyable>(_ buffer: UnsafeMutableRawBufferPointer, _: T.Type, _ subtract: (T, T) -> T) {
            let values = buffer.bindMemory(to: T.self)
            guard values.count > 1 else { return }
            var previous = values[0]
            for i in 1..<values.count {
                let current = values[i]
                values[i] = subtract(current, previous)
                previous = current
            }
        }
    }
}
