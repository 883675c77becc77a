import TestSupport
import Testing
@testable import MIFACore

@Suite struct NDArrayTests {
    @Test func rowMajorStridesAndIndexing() throws {
        var a = try NDArray<UInt16>(shape: [2, 3, 4], elements: (0..<24).map(UInt16.init))
        #expect(a.strides == [12, 4, 1])
        #expect(a[1, 2, 3] == 23)
        #expect(a[0, 1, 0] == 4)
        a[1, 0, 2] = 999
        #expect(a.elements[14] == 999)
    }

    @Test func columnMajorStrides() {
        let a = NDArray<Float>(shape: [2, 3, 4], order: .columnMajor)
        #expect(a.strides == [1, 2, 6])
    }

    @Test func unsafeUninitializedShapeTakesWhatTheInitializerWrites() throws {
        let a = try NDArray<Int32>(unsafeUninitializedShape: [3, 4], order: .columnMajor) { buffer in
            #expect(buffer.count == 12)
            for i in buffer.indices { buffer[i] = Int32(i) }
        }
        #expect(a.shape == [3, 4] && a.strides == [1, 3])
        #expect(a[2, 1] == 5)
        let empty = try NDArray<UInt8>(unsafeUninitializedShape: [0, 5]) { #expect($0.count == 0) }
        #expect(empty.count == 0)
        #expect(throws: CoreError.self) { try NDArray<UInt8>(unsafeUninitializedShape: [Int.max, 3]) { _ in Issue.record("called") } }
        struct Stop: Error {}
        #expect(throws: Stop.self) { try NDArray<UInt8>(unsafeUninitializedShape: [2]) { _ in throw Stop() } }
    }

    @Test func repeatingFillsEveryElement() {
        for count in [0, 1, 2, 7, 1000, 4099] {
            #expect(NDArray<Double>(shape: [count], repeating: -1.5).elements.allSatisfy { $0 == -1.5 })
            #expect(NDArray<UInt16>(shape: [count, 1]).elements.allSatisfy { $0 == 0 })
            #expect(NDArray<Bool>(shape: [1, count], repeating: true).elements.allSatisfy { $0 })
            #expect(NDArray<Int8>(shape: [count], repeating: -3).count == count)
        }
    }

    @Test func elementCountRejectsNegativeAndOverflow() {
        #expect(throws: CoreError.self) { try NDArray<UInt8>.elementCount(of: [4, -1]) }
        #expect(throws: CoreError.self) { try NDArray<UInt8>.elementCount(of: [Int.max, 3]) }
        #expect(throws: CoreError.self) { try NDArray<UInt8>(shape: [2, 2], elements: [1, 2, 3]) }
        #expect((try? NDArray<UInt8>.elementCount(of: [0, 1 << 40])) == 0)
    }

    @Test func copyRegionMatchesElementwiseCopy() throws {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<200 {
            let rank = Int.random(in: 1...4, using: &rng)
            let shape = (0..<rank).map { _ in Int.random(in: 1...7, using: &rng) }
            let order: MemoryOrder = Bool.random(using: &rng) ? .rowMajor : .columnMajor
            var source = NDArray<Int32>(shape: shape, order: order)
            for i in 0..<source.count { source.elements[i] = Int32.random(in: .min ... .max, using: &rng) }
            let ranges = shape.map { extent -> Range<Int> in
                let lower = Int.random(in: 0..<extent, using: &rng)
                return lower..<Int.random(in: (lower + 1)...extent, using: &rng)
            }
            let region = Region(ranges)
            let cut = try source.copy(region: region)
            #expect(cut.shape == region.shape)
            forEachIndex(region.shape) { index in
                let sourceIndex = zip(index, region.origin).map(+)
                #expect(cut[index] == source[sourceIndex])
            }
            // Paste into a destination of the other order at a random offset.
            let destinationShape = zip(region.shape, shape).map { $0 + Int.random(in: 0...$1, using: &rng) }
            var destination = NDArray<Int32>(shape: destinationShape, repeating: -1, order: order == .rowMajor ? .columnMajor : .rowMajor)
            let origin = zip(destinationShape, region.shape).map { Int.random(in: 0...($0 - $1), using: &rng) }
            try destination.copy(from: source, region: region, to: origin)
            forEachIndex(destinationShape) { index in
                let inside = zip(index, zip(origin, region.shape)).allSatisfy { i, box in i >= box.0 && i < box.0 + box.1 }
                if inside {
                    let sourceIndex = zip(zip(index, origin).map(-), region.origin).map(+)
                    #expect(destination[index] == source[sourceIndex])
                } else {
                    #expect(destination[index] == -1)
                }
            }
        }
    }

    @Test func copyRejectsRegionsOutside() {
        var a = NDArray<UInt8>(shape: [4, 4])
        let b = NDArray<UInt8>(shape: [2, 2])
        #expect(throws: CoreError.self) { try a.copy(region: Region([0..<5, 0..<4])) }
        #expect(throws: CoreError.self) { try a.copy(from: b, region: Region([0..<2, 0..<2]), to: [3, 3]) }
        #expect(throws: CoreError.self) { try a.copy(from: b, region: Region([0..<2]), to: [0]) }
    }

    @Test func reorderKeepsValues() throws {
        let a = try NDArray<Double>(shape: [3, 5], elements: (0..<15).map(Double.init))
        let f = a.reordered(.columnMajor)
        #expect(f.order == .columnMajor)
        #expect(f[2, 4] == 14)
        #expect(f.elements[1] == 5)
        #expect(f == a)
    }

    @Test func bytesRoundTripInBothByteOrders() throws {
        let a = try NDArray<UInt32>(shape: [2, 2], elements: [1, 0x0102_0304, 0xFFFF_0000, 7])
        let big = a.bytes(endianness: .big)
        #expect(Array(big[4..<8]) == [1, 2, 3, 4])
        let back = try big.withUnsafeBytes { try NDArray<UInt32>(shape: [2, 2], bytes: $0, endianness: .big) }
        #expect(back == a)
        let floats = try NDArray<Float>(shape: [3], elements: [1.5, -0.0, .infinity])
        let roundTrip = try floats.bytes(endianness: .big).withUnsafeBytes { try NDArray<Float>(shape: [3], bytes: $0, endianness: .big) }
        #expect(roundTrip.elements.map(\.bitPattern) == floats.elements.map(\.bitPattern))
        #expect(throws: CoreError.self) { try [UInt8](repeating: 0, count: 5).withUnsafeBytes { try NDArray<UInt32>(shape: [2], bytes: $0) } }
    }

    @Test func anyArrayWrapsEveryType() throws {
        for type in DataType.allCases {
            let zeros = AnyNDArray(zeros: type, shape: [2, 3])
            #expect(zeros.dataType == type)
            #expect(zeros.shape == [2, 3])
            #expect(zeros.bytes().count == 6 * type.byteSize)
            let decoded = try zeros.bytes().withUnsafeBytes { try AnyNDArray(dataType: type, shape: [2, 3], bytes: $0) }
            #expect(decoded == zeros)
        }
        let typed = NDArray<UInt16>(shape: [1], repeating: 5)
        #expect(AnyNDArray(typed).typed(as: UInt16.self) == typed)
        #expect(AnyNDArray(typed).typed(as: Int16.self) == nil)
    }
}

/// Calls `body` with every multi-index of `shape` in row-major order.
func forEachIndex(_ shape: [Int], _ body: ([Int]) -> Void) {
    guard !shape.contains(0) else { return }
    var index = [Int](repeating: 0, count: shape.count)
    while true {
        body(index)
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            if index[axis] < shape[axis] { break }
            index[axis] = 0
            axis -= 1
        }
        if axis < 0 { return }
    }
}
