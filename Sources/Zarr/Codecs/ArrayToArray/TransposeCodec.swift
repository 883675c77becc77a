public import MIFACore

/// `transpose`: permutes the chunk's axes; encoded axis `j` is decoded axis `order[j]`.
///
/// ```json
/// {"name": "transpose", "configuration": {"order": [2, 1, 0]}}
/// ```
/// Zarr v2 `order: "F"` is read as the full reversal. MIFAKit never moves elements for it: the chunk
/// buffer is read and written with permuted strides.
/// See https://zarr-specs.readthedocs.io/en/latest/v3/codecs/transpose/index.html.
public struct TransposeCodec: ArrayToArrayCodec {
    /// The permutation, or `nil` for the older `"C"`/`"F"` forms until the rank is known.
    public let order: [Int]?
    private let reversed: Bool

    /// A transpose with an explicit permutation.
    public init(order: [Int]) {
        self.order = order
        self.reversed = false
    }

    /// Reads `order`: a permutation list, or `"F"` (reverse) / `"C"` (identity).
    /// - Throws: ``ZarrError`` `.invalidMetadata` when it is neither.
    public init(_ configuration: CodecConfiguration) throws {
        switch configuration["order"] {
        case .array(let items)?:
            let values = items.compactMap { $0.numberValue?.intValue }
            guard values.count == items.count else { throw configuration.error("'order' must be a list of axis numbers", member: "order") }
            order = values
            reversed = false
        case .string("F")?:
            order = nil
            reversed = true
        case .string("C")?:
            order = nil
            reversed = false
        default:
            throw configuration.error("'order' must be a permutation of the axes, such as [1, 0]", member: "order")
        }
    }

    /// `transpose`.
    public var name: String { "transpose" }

    /// `{"order": [...]}`.
    public var configuration: JSONObject {
        if let order { return ["order": .array(order.map { .number(JSONNumber($0)) })] }
        return ["order": .string(reversed ? "F" : "C")]
    }

    /// Checks that `order` is a permutation of the chunk's axes.
    /// - Throws: ``ZarrError`` `.invalidMetadata` otherwise.
    public func bind(to decoded: ChunkRepresentation) throws -> any BoundArrayToArrayCodec {
        let rank = decoded.shape.count
        let permutation = order ?? (reversed ? Array((0..<rank).reversed()) : Array(0..<rank))
        guard permutation.count == rank, permutation.sorted() == Array(0..<rank) else {
            throw ZarrError(.invalidMetadata, "transpose order \(permutation) is not a permutation of \(rank) axes")
        }
        var encoded = decoded
        encoded.shape = permutation.map { decoded.shape[$0] }
        return Bound(encoded: encoded, permutation: permutation)
    }

    struct Bound: BoundArrayToArrayCodec {
        let encoded: ChunkRepresentation
        let permutation: [Int]?
        func decodeInPlace(_ buffer: UnsafeMutableRawBufferPointer) throws {}
        func encodeInPlace(_ buffer: UnsafeMutableRawBufferPointer) throws {}
    }
}
