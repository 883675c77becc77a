import TestSupport
import MIFACore
@testable import OMEZarr
import Zarr

enum TestData {
    /// A random array.
    static func random<T: NDArrayElement>(_ shape: [Int], seed: UInt64, _ make: (inout SeededGenerator) -> T) -> NDArray<T> {
        var generator = SeededGenerator(seed: seed)
        var array = NDArray<T>(shape: shape)
        for i in array.elements.indices { array.elements[i] = make(&generator) }
        return array
    }

    /// A label image of `count` random rectangles (values 1...count) on background.
    static func labels(_ shape: [Int], count: Int, seed: UInt64) -> NDArray<UInt16> {
        var generator = SeededGenerator(seed: seed)
        var array = NDArray<UInt16>(shape: shape)
        let height = shape[shape.count - 2], width = shape[shape.count - 1]
        let planes = array.count / (height * width)
        for value in 1...count {
            let y0 = Int.random(in: 0..<height, using: &generator), x0 = Int.random(in: 0..<width, using: &generator)
            let h = Int.random(in: 1...Swift.max(1, height / 4), using: &generator), w = Int.random(in: 1...Swift.max(1, width / 4), using: &generator)
            let p0 = Int.random(in: 0..<planes, using: &generator)
            for p in p0..<Swift.min(planes, p0 + 3) {
                for y in y0..<Swift.min(height, y0 + h) {
                    for x in x0..<Swift.min(width, x0 + w) { array.elements[(p * height + y) * width + x] = UInt16(value) }
                }
            }
        }
        return array
    }

    /// The reference reduction of one level into the next, written independently of the writer:
    /// blocks of 2 along `halved` axes, mean rounded half to even, or mode with ties to non-zero then smaller.
    static func reduce<T: NDArrayElement & BinaryInteger>(_ array: NDArray<T>, halved: Set<Int>, mode: Bool) -> NDArray<T> {
        let shape = array.shape.enumerated().map { halved.contains($0.offset) ? ($0.element + 1) / 2 : $0.element }
        var result = NDArray<T>(shape: shape)
        var index = [Int](repeating: 0, count: shape.count)
        for linear in 0..<result.count {
            var rest = linear
            for axis in shape.indices.reversed() { index[axis] = rest % shape[axis]; rest /= shape[axis] }
            var values: [Int64] = []
            var offsets: [[Int]] = [[]]
            for axis in shape.indices {
                let choices = halved.contains(axis) ? [2 * index[axis], 2 * index[axis] + 1].filter { $0 < array.shape[axis] } : [index[axis]]
                offsets = offsets.flatMap { prefix in choices.map { prefix + [$0] } }
            }
            for source in offsets { values.append(Int64(array[source])) }
            let value: Int64
            if mode {
                let counts = Dictionary(values.map { ($0, 1) }, uniquingKeysWith: +)
                value = counts.max { a, b in
                    if a.value != b.value { return a.value < b.value }
                    if (a.key == 0) != (b.key == 0) { return a.key == 0 }
                    return a.key > b.key
                }!.key
            } else {
                let sum = values.reduce(0, +), n = Int64(values.count)
                var q = sum / n, r = sum % n
                if r < 0 { q -= 1; r += n }
                if 2 * r > n || (2 * r == n && q % 2 != 0) { q += 1 }
                value = q
            }
            result[index] = T(value)
        }
        return result
    }
}
