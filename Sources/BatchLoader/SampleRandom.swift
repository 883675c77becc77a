/// A counter-based random stream: every value is a pure function of a key and a counter, so each
/// sample can get its own stream from `(seed, epoch, index)` without any shared state.
///
/// The mixer is SplitMix64 (Steele, Lea, Flood 2014), the finaliser Java and NumPy use to seed.
public struct SampleRandom: RandomNumberGenerator, Sendable, Hashable {
    /// The stream's key.
    public let key: UInt64
    /// How many values were drawn.
    public private(set) var counter: UInt64 = 0

    /// A stream keyed by `key`.
    public init(key: UInt64) {
        self.key = key
    }

    /// The stream of one sample: a pure function of the seed, the epoch and the sample's index.
    public init(seed: UInt64, epoch: Int, index: Int) {
        self.init(key: Self.mix(Self.mix(Self.mix(seed ^ 0x5851_F42D_4C95_7F2D) &+ UInt64(truncatingIfNeeded: epoch)) &+ UInt64(truncatingIfNeeded: index)))
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        counter &+= 1
        return Self.mix(key &+ counter &* 0x9E37_79B9_7F4A_7C15)
    }

    /// SplitMix64's finaliser: a bijection on 64-bit values that mixes every bit into every other.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
