/// An open-addressing hash table from a pixel corner to the first edge that starts there, reused
/// for every component; generation stamps make clearing free.
struct VertexTable {
    private var keys: [UInt64] = []
    private var values: [Int32] = []
    private var stamps: [UInt32] = []
    private var generation: UInt32 = 0
    private var mask = 0
    private var shift: UInt64 = 64

    /// Prepares for up to `count` keys, forgetting every earlier key.
    mutating func reset(capacityFor count: Int) {
        var capacity = 16
        while capacity < count * 2 { capacity <<= 1 }
        if capacity > keys.count {
            keys = [UInt64](repeating: 0, count: capacity)
            values = [Int32](repeating: 0, count: capacity)
            stamps = [UInt32](repeating: 0, count: capacity)
            generation = 0
            mask = capacity - 1
            shift = UInt64(64 - capacity.trailingZeroBitCount)
        }
        generation &+= 1
        if generation == 0 {
            for index in stamps.indices { stamps[index] = 0 }
            generation = 1
        }
    }

    @inline(__always) private func slot(for key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) & mask
    }

    /// The value for `key`, or `-1`.
    @inline(__always) func value(for key: UInt64) -> Int32 {
        var index = slot(for: key)
        while stamps[index] == generation {
            if keys[index] == key { return values[index] }
            index = (index + 1) & mask
        }
        return -1
    }

    /// Stores `value` for `key` if absent and returns `-1`; otherwise returns the stored value.
    @inline(__always) mutating func insert(_ key: UInt64, _ value: Int32) -> Int32 {
        var index = slot(for: key)
        while stamps[index] == generation {
            if keys[index] == key { return values[index] }
            index = (index + 1) & mask
        }
        stamps[index] = generation
        keys[index] = key
        values[index] = value
        return -1
    }

    /// The key of a pixel corner.
    @inline(__always) static func key(_ x: Int32, _ y: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: y)) << 32 | UInt64(UInt32(bitPattern: x))
    }
}
