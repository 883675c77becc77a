import MIFACore

/// An element type the pyramid builder can reduce: the mean of up to 8 values with the rounding
/// ``PyramidReduction/mean`` documents, and the comparisons the other reductions need.
protocol PyramidPixel: NDArrayElement, Comparable {
    /// The mean of `count` (1...8) values, rounded to the type, ties to even.
    static func average(_ values: UnsafePointer<Self>, _ count: Int) -> Self
    /// The mean of four values (the common full 2×2 block).
    static func average4(_ a: Self, _ b: Self, _ c: Self, _ d: Self) -> Self
    /// Whether the value is the zero (background) value.
    var isZeroValue: Bool { get }
    /// The value as a label value, when it is an integer that fits `Int64`.
    var labelKey: Int64? { get }
}

extension PyramidPixel {
    static func average4(_ a: Self, _ b: Self, _ c: Self, _ d: Self) -> Self {
        withUnsafeTemporaryAllocation(of: Self.self, capacity: 4) { buffer in
            buffer[0] = a; buffer[1] = b; buffer[2] = c; buffer[3] = d
            return average(UnsafePointer(buffer.baseAddress!), 4)
        }
    }

    /// The most frequent of `count` values; ties go to non-zero, then to the smaller value.
    @inline(__always)
    static func mode(_ values: UnsafePointer<Self>, _ count: Int) -> Self {
        var best = values[0]
        var bestCount = 0
        for i in 0..<count {
            let candidate = values[i]
            var occurrences = 0
            for j in 0..<count where values[j] == candidate { occurrences += 1 }
            if occurrences > bestCount || (occurrences == bestCount && preferred(candidate, over: best)) {
                best = candidate
                bestCount = occurrences
            }
        }
        return best
    }

    /// Whether `a` wins a tie against `b`: non-zero over zero, then the smaller value.
    @inline(__always)
    static func preferred(_ a: Self, over b: Self) -> Bool {
        if a.isZeroValue != b.isZeroValue { return !a.isZeroValue }
        return a < b
    }

    /// The reduction of `count` values.
    @inline(__always)
    static func reduce(_ values: UnsafePointer<Self>, _ count: Int, _ reduction: PyramidReduction) -> Self {
        switch reduction {
        case .mean: return average(values, count)
        case .nearest: return values[0]
        case .mode: return mode(values, count)
        case .min:
            var result = values[0]
            for i in 1..<count where values[i] < result { result = values[i] }
            return result
        case .max:
            var result = values[0]
            for i in 1..<count where values[i] > result { result = values[i] }
            return result
        }
    }
}

/// `floor(sum / count)` rounded to the nearest integer, ties to even, for a 64-bit sum.
@inline(__always)
func roundedQuotient(_ sum: Int64, _ count: Int64) -> Int64 {
    var quotient = sum / count
    var remainder = sum % count
    if remainder < 0 {
        quotient -= 1
        remainder += count
    }
    if 2 * remainder > count || (2 * remainder == count && quotient & 1 != 0) { quotient += 1 }
    return quotient
}

extension PyramidPixel where Self: FixedWidthInteger {
    var isZeroValue: Bool { self == 0 }
    var labelKey: Int64? { Int64(exactly: self) }

    static func average(_ values: UnsafePointer<Self>, _ count: Int) -> Self {
        if Self.bitWidth <= 32 {
            var sum: Int64 = 0
            for i in 0..<count { sum += Int64(values[i]) }
            return Self(truncatingIfNeeded: roundedQuotient(sum, Int64(count)))
        }
        // 64-bit: sum quotients and remainders separately so nothing overflows.
        let n = Self(count)
        var quotient: Self = 0
        var remainder: Self = 0
        for i in 0..<count {
            var q = values[i] / n
            var r = values[i] % n
            if r < 0 {
                q -= 1
                r += n
            }
            quotient += q
            remainder += r
        }
        quotient += remainder / n
        remainder %= n
        if 2 * remainder > n || (2 * remainder == n && quotient & 1 != 0) { quotient += 1 }
        return quotient
    }

    @inline(__always)
    static func average4(_ a: Self, _ b: Self, _ c: Self, _ d: Self) -> Self {
        if Self.bitWidth <= 32 {
            let sum = Int64(a) + Int64(b) + Int64(c) + Int64(d)
            var quotient = sum >> 2
            let remainder = sum & 3
            if remainder > 2 || (remainder == 2 && quotient & 1 != 0) { quotient += 1 }
            return Self(truncatingIfNeeded: quotient)
        }
        return withUnsafeTemporaryAllocation(of: Self.self, capacity: 4) { buffer in
            buffer[0] = a; buffer[1] = b; buffer[2] = c; buffer[3] = d
            return average(UnsafePointer(buffer.baseAddress!), 4)
        }
    }
}

extension Int8: PyramidPixel {}
extension Int16: PyramidPixel {}
extension Int32: PyramidPixel {}
extension Int64: PyramidPixel {}
extension UInt8: PyramidPixel {}
extension UInt16: PyramidPixel {}
extension UInt32: PyramidPixel {}
extension UInt64: PyramidPixel {}

extension PyramidPixel where Self: BinaryFloatingPoint {
    var isZeroValue: Bool { self == 0 }
    var labelKey: Int64? { nil }

    /// The mean of types narrower than `Double` (float16, float32): summed in double precision,
    /// where their sums cannot overflow, and rounded once to the type.
    static func narrowMean(_ values: UnsafePointer<Self>, _ count: Int) -> Self {
        var sum = 0.0
        for i in 0..<count { sum += Double(values[i]) }
        return Self(sum / Double(count))
    }
}

extension Float16: PyramidPixel {
    static func average(_ values: UnsafePointer<Float16>, _ count: Int) -> Float16 { narrowMean(values, count) }
}

extension Float: PyramidPixel {
    static func average(_ values: UnsafePointer<Float>, _ count: Int) -> Float { narrowMean(values, count) }

    @inline(__always)
    static func average4(_ a: Float, _ b: Float, _ c: Float, _ d: Float) -> Float {
        Float((Double(a) + Double(b) + Double(c) + Double(d)) * 0.25)
    }
}

extension Double: PyramidPixel {
    static func average(_ values: UnsafePointer<Double>, _ count: Int) -> Double {
        var sum = 0.0
        for i in 0..<count { sum += values[i] }
        if sum.isFinite { return sum / Double(count) }
        var scaled = 0.0
        for i in 0..<count { scaled += values[i] / Double(count) }
        return scaled
    }
}
