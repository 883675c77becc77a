/// A permutation of `[0, count)` that is computed one element at a time: a keyed balanced Feistel
/// network over the smallest even power of two that holds `count`, with cycle walking to stay
/// inside the range. Nothing is materialised, so `permutation[i]` is a pure function of
/// `(key, count, i)` at O(1) memory whatever the size of the epoch.
public struct SamplePermutation: Sendable, Hashable {
    /// How many elements are permuted.
    public let count: Int
    /// The key the round keys derive from.
    public let key: UInt64
    private let halfBits: Int
    private let roundKeys: [UInt64]

    /// The permutation of `[0, count)` for `key`.
    /// - Parameters:
    ///   - count: the number of elements (0 or more).
    ///   - key: any 64-bit value; different keys give unrelated permutations.
    public init(count: Int, key: UInt64) {
        precondition(count >= 0, "a permutation has a non-negative size")
        self.count = count
        self.key = key
        var bits = 2
        while bits < 62 && (1 << bits) < count { bits += 2 }
        halfBits = bits / 2
        var random = SampleRandom(key: key)
        roundKeys = (0..<6).map { _ in random.next() }
    }

    /// The element at position `index` (in `[0, count)`).
    public subscript(index: Int) -> Int {
        precondition(index >= 0 && index < count, "position \(index) is outside [0, \(count))")
        var value = UInt64(index)
        repeat {
            value = encrypt(value)
        } while value >= UInt64(count)
        return Int(value)
    }

    private func encrypt(_ value: UInt64) -> UInt64 {
        let mask: UInt64 = (1 << UInt64(halfBits)) - 1
        var left = value >> UInt64(halfBits)
        var right = value & mask
        for roundKey in roundKeys {
            let next = left ^ (SampleRandom.mix(right ^ roundKey) & mask)
            left = right
            right = next
        }
        return (left << UInt64(halfBits)) | right
    }
}
