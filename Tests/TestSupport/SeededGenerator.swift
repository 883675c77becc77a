/// A small deterministic random generator (SplitMix64), so property tests repeat exactly from a
/// seed and a failure names the seed that reproduces it. The one copy every test target uses.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    /// The generator's whole state; two generators with the same state yield the same numbers.
    public var state: UInt64

    /// A generator starting at `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    /// `count` bytes that compress: runs and small noise, like image data.
    public mutating func compressibleBytes(_ count: Int) -> [UInt8] {
        var value = UInt8.random(in: 0...255, using: &self)
        return (0..<count).map { _ in
            if Int.random(in: 0..<8, using: &self) == 0 { value = UInt8.random(in: 0...255, using: &self) }
            return value &+ UInt8.random(in: 0...3, using: &self)
        }
    }
}
