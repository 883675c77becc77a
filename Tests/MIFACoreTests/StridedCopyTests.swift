import TestSupport
import MIFACore
import Testing

/// The box copy behind every chunk placement, with and without the prefetching for cold destinations.
@Suite struct StridedCopyTests {
    /// Copies a box out of a C-order source into a larger destination at an offset, as a chunk is
    /// placed into an array, and checks every destination byte.
    @Test(arguments: [false, true]) func boxesLandWhereTheStridesSay(_ cold: Bool) {
        var generator = SeededGenerator(seed: 11)
        for (extent, destinationShape, elementSize) in [([5, 7], [9, 20], 2), ([256, 256], [300, 1024], 2), ([3, 4, 6], [4, 9, 10], 1),
                                                         ([1, 130], [2, 200], 8), ([70, 1], [80, 3], 4), ([2, 3], [2, 3], 2)] {
            let sourceStrides = MemoryOrder.rowMajor.strides(for: extent)
            let destinationStrides = MemoryOrder.rowMajor.strides(for: destinationShape)
            let origin = zip(destinationShape, extent).map { ($0 - $1) / 2 }
            let source = generator.bytes(extent.reduce(1, *) * elementSize)
            var destination = [UInt8](repeating: 0xEE, count: destinationShape.reduce(1, *) * elementSize)
            source.withUnsafeBytes { s in
                destination.withUnsafeMutableBytes { d in
                    StridedCopy.copy(from: s.baseAddress!, sourceStrides: sourceStrides,
                                     to: d.baseAddress! + offset(origin, destinationStrides) * elementSize,
                                     destinationStrides: destinationStrides, extent: extent, elementSize: elementSize, coldDestination: cold)
                }
            }
            var expected = [UInt8](repeating: 0xEE, count: destination.count)
            forEachIndex(extent) { index in
                let from = offset(index, sourceStrides) * elementSize
                let to = offset(zip(index, origin).map(+), destinationStrides) * elementSize
                expected[to..<(to + elementSize)] = source[from..<(from + elementSize)]
            }
            #expect(destination == expected, "extent \(extent) in \(destinationShape)")
        }
    }
}

/// Sum of `index[a] * strides[a]`, written independently of the copy under test.
private func offset(_ index: [Int], _ strides: [Int]) -> Int {
    zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 }
}
