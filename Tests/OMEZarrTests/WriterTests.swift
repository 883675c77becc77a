import MIFACore
import TestSupport
import Testing
@testable import OMEZarr
import Zarr

@Suite struct WriterTests {
    static let axes3D: [Axis] = [.space("z", unit: "micrometer"), .space("y", unit: "micrometer"), .space("x", unit: "micrometer")]

    @Test(arguments: NGFFVersion.allCases)
    func pyramidOfMeans(version: NGFFVersion) throws {
        let data = TestData.random([5, 37, 50], seed: 1) { UInt16.random(in: 0...UInt16.max, using: &$0) }
        let store = MemoryStore()
        let writer = try OMEZarrImageWriter(store: store, shape: data.shape, dataType: .uint16, axes: Self.axes3D, scale: [2, 0.5, 0.25],
                                            options: OMEZarrWriteOptions(version: version, levels: 3, chunks: [2, 16, 16]))
        try writer.write(AnyNDArray(data))
        let image = try writer.finish()
        #expect(image.version == version)
        #expect(image.levels.map(\.shape) == [[5, 37, 50], [5, 19, 25], [5, 10, 13]])
        #expect(image.levels.map(\.pixelSize) == [[2, 0.5, 0.25], [2, 1, 0.5], [2, 2, 1]])
        #expect(image.levels.map(\.origin) == [[0, 0, 0], [0, 0.25, 0.125], [0, 0.75, 0.375]])
        #expect(image.axes == Self.axes3D)
        #expect(image.levels[2].chunkShape == [2, 10, 13])
        var expected = data
        for level in 0..<3 {
            #expect(try image.read(UInt16.self, level: level) == expected, "level \(level)")
            expected = TestData.reduce(expected, halved: [1, 2], mode: false)
        }
        let group = try #require(try NGFFGroupMetadata.read(store, path: ""))
        #expect(group.version == version)
        #expect(group.validate(as: .image, strict: true).issues.isEmpty)
        if version == .v05 {
            #expect(image.levels.allSatisfy { $0.array.metadata.dimensionNames == ["z", "y", "x"] })
        } else {
            #expect(image.levels[0].array.metadata.chunkKeyEncoding == .v2(separator: "/"))
        }
        #expect(image.omero?.channels.count == 1)
    }

    @Test func planesInAnyOrderGiveTheSameImage() throws {
        let data = TestData.random([2, 3, 20, 30], seed: 2) { Float.random(in: -1...1, using: &$0) }
        let options = OMEZarrWriteOptions(levels: 2, chunks: [2, 8, 8])
        let axes: [Axis] = [.channel(), .space("z"), .space("y"), .space("x")]
        let inOrder = MemoryStore()
        let writer = try OMEZarrImageWriter(store: inOrder, shape: data.shape, dataType: .float32, axes: axes, options: options)
        try writer.write(AnyNDArray(data))
        let first = try writer.finish()
        let reversed = MemoryStore()
        let backwards = try OMEZarrImageWriter(store: reversed, shape: data.shape, dataType: .float32, axes: axes, options: options)
        for c in (0..<2).reversed() {
            for z in (0..<3).reversed() {
                let plane = try data.copy(region: Region([c..<(c + 1), z..<(z + 1), 0..<20, 0..<30]))
                try backwards.write(plane: plane, at: [c, z])
            }
        }
        let second = try backwards.finish()
        for level in 0..<2 {
            #expect(try first.read(Float.self, level: level) == second.read(Float.self, level: level))
        }
        #expect(first.omero?.channels.count == 2)
    }

    @Test func zDownsamplingWithShards() throws {
        let data = TestData.random([7, 33, 33], seed: 3) { UInt8.random(in: 0...255, using: &$0) }
        let store = MemoryStore()
        let writer = try OMEZarrImageWriter(store: store, shape: data.shape, dataType: .uint8, axes: Self.axes3D,
                                            options: OMEZarrWriteOptions(levels: 3, chunks: [2, 8, 8], shards: [4, 16, 16], downsampleZ: true))
        for z in [3, 0, 6, 1, 2, 5, 4] {
            try writer.write(plane: try data.copy(region: Region([z..<(z + 1), 0..<33, 0..<33])), at: [z])
        }
        let image = try writer.finish()
        #expect(image.levels.map(\.shape) == [[7, 33, 33], [4, 17, 17], [2, 9, 9]])
        #expect(image.levels.map(\.pixelSize) == [[1, 1, 1], [2, 2, 2], [4, 4, 4]])
        #expect(image.levels[0].shardShape == [4, 16, 16])
        var expected = data
        for level in 0..<3 {
            #expect(try image.read(UInt8.self, level: level) == expected, "level \(level)")
            expected = TestData.reduce(expected, halved: [0, 1, 2], mode: false)
        }
    }

    @Test func reductionsPickExistingValues() throws {
        for reduction in [PyramidReduction.nearest, .mode, .min, .max] {
            let data = TestData.labels([40, 40], count: 12, seed: 4)
            let store = MemoryStore()
            let writer = try OMEZarrImageWriter(store: store, shape: data.shape, dataType: .uint16,
                                                options: OMEZarrWriteOptions(levels: 4, reduction: reduction))
            try writer.write(AnyNDArray(data))
            let image = try writer.finish()
            let present = Set(data.elements)
            for level in 1..<4 {
                #expect(Set(try image.read(UInt16.self, level: level).elements).isSubset(of: present), "\(reduction) level \(level)")
            }
            #expect(image.multiscale.type == reduction.rawValue)
        }
    }

    @Test func meanRoundsHalfToEven() {
        let values: [UInt8] = [1, 2, 2, 2]  // 7/4 = 1.75 -> 2
        #expect(values.withUnsafeBufferPointer { UInt8.average($0.baseAddress!, 4) } == 2)
        #expect(UInt8.average4(0, 1, 0, 1) == 0)  // 0.5 -> 0
        #expect(UInt8.average4(1, 2, 1, 2) == 2)  // 1.5 -> 2
        #expect(UInt8.average4(2, 3, 2, 3) == 2)  // 2.5 -> 2
        #expect(Int16.average4(-1, -2, -1, -2) == -2)  // -1.5 -> -2
        #expect(Int16.average4(-2, -3, -2, -3) == -2)  // -2.5 -> -2
        #expect(UInt64.average4(.max, .max, .max - 1, .max - 1) == UInt64.max - 1)  // max - 0.5 -> even
        #expect(Int64.average4(.min, .min, .min, .min) == .min)
        let three: [Int64] = [.max, .max, .max - 2]
        #expect(three.withUnsafeBufferPointer { Int64.average($0.baseAddress!, 3) } == Int64.max - 1)
        #expect(UInt16.mode([0, 0, 5, 5], 4) == 5)
        #expect(UInt16.mode([7, 0, 5, 5], 4) == 5)
        #expect(UInt16.mode([7, 3, 0, 9], 4) == 3)
        #expect(UInt16.mode([0, 0, 0, 9], 4) == 0)
    }

    @Test func missingAndRepeatedPlanesAreRefused() throws {
        let writer = try OMEZarrImageWriter(store: MemoryStore(), shape: [3, 8, 8], dataType: .uint8, axes: Self.axes3D)
        let plane = NDArray<UInt8>(shape: [8, 8])
        try writer.write(plane: plane, at: [1])
        #expect(throws: OMEZarrError.self) { try writer.write(plane: plane, at: [1]) }
        #expect(throws: OMEZarrError.self) { try writer.write(plane: plane, at: [3]) }
        #expect(throws: OMEZarrError.self) { try writer.write(plane: NDArray<UInt8>(shape: [8, 9]), at: [0]) }
        #expect(throws: OMEZarrError.self) { try writer.write(plane: NDArray<UInt16>(shape: [8, 8]), at: [0]) }
        let error = try #require(throws: OMEZarrError.self) { try writer.finish() }
        #expect(error.message.contains("2 of 3 planes were never written"))
    }

    @Test(arguments: 0..<4)
    func givenLevelsAreWrittenAsGiven(seed: UInt64) throws {
        // Random level shapes (any reduction, not only halving), random content per level.
        var rng = SeededGenerator(seed: seed)
        var shapes: [[Int]] = [[Int.random(in: 1...3, using: &rng), Int.random(in: 8...60, using: &rng), Int.random(in: 8...60, using: &rng)]]
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let last = shapes[shapes.count - 1]
            shapes.append([last[0], Swift.max(1, last[1] / Int.random(in: 1...3, using: &rng)), Swift.max(1, last[2] / Int.random(in: 1...3, using: &rng))])
        }
        let data = shapes.enumerated().map { index, shape in
            TestData.random(shape, seed: seed * 10 + UInt64(index)) { UInt16.random(in: 0...UInt16.max, using: &$0) }
        }
        let scale = [2.0, 0.3, 0.7]
        var options = OMEZarrWriteOptions(chunks: [1, 16, 16])
        options.levelShapes = shapes
        let writer = try OMEZarrImageWriter(store: MemoryStore(), shape: shapes[0], dataType: .uint16, axes: Self.axes3D, scale: scale, options: options)
        for (level, array) in data.enumerated().reversed() {
            for z in 0..<array.shape[0] {
                let plane = try NDArray(shape: Array(array.shape.suffix(2)), elements: array.elements[(z * array.shape[1] * array.shape[2])..<((z + 1) * array.shape[1] * array.shape[2])])
                try writer.write(plane: AnyNDArray(plane), at: [z], level: level)
            }
        }
        let image = try writer.finish()
        #expect(image.levels.map(\.shape) == shapes)
        for (level, shape) in shapes.enumerated() {
            #expect(try image.read(UInt16.self, level: level) == data[level], "level \(level)")
            #expect(image.levels[level].pixelSize == (0..<3).map { scale[$0] * (Double(shapes[0][$0]) / Double(shape[$0])) })
        }
    }

    @Test func givenLevelsMustBeComplete() throws {
        var options = OMEZarrWriteOptions()
        options.levelShapes = [[2, 8, 8], [2, 4, 4]]
        let writer = try OMEZarrImageWriter(store: MemoryStore(), shape: [2, 8, 8], dataType: .uint8, axes: Self.axes3D, options: options)
        for z in 0..<2 { try writer.write(plane: AnyNDArray(NDArray<UInt8>(shape: [8, 8])), at: [z], level: 0) }
        try writer.write(plane: AnyNDArray(NDArray<UInt8>(shape: [4, 4])), at: [1], level: 1)
        #expect(throws: OMEZarrError.self) { try writer.write(plane: AnyNDArray(NDArray<UInt8>(shape: [8, 8])), at: [0], level: 1) }
        #expect(throws: OMEZarrError.self) { try writer.write(plane: AnyNDArray(NDArray<UInt8>(shape: [4, 4])), at: [0], level: 2) }
        let error = try #require(throws: OMEZarrError.self) { try writer.finish() }
        #expect(error.message.contains("1 of 2 planes of level 1 were never written"))
        let computed = try OMEZarrImageWriter(store: MemoryStore(), shape: [2, 8, 8], dataType: .uint8, axes: Self.axes3D)
        #expect(throws: OMEZarrError.self) { try computed.write(plane: AnyNDArray(NDArray<UInt8>(shape: [4, 4])), at: [0], level: 1) }
        options.levelShapes = [[2, 8, 8], [2, 9, 4]]
        #expect(throws: OMEZarrError.self) { try OMEZarrImageWriter(store: MemoryStore(), shape: [2, 8, 8], dataType: .uint8, axes: Self.axes3D, options: options) }
        options.levelShapes = [[2, 4, 4]]
        #expect(throws: OMEZarrError.self) { try OMEZarrImageWriter(store: MemoryStore(), shape: [2, 8, 8], dataType: .uint8, axes: Self.axes3D, options: options) }
    }

    @Test func badWriterArgumentsAreRefused() {
        let store = MemoryStore()
        #expect(throws: OMEZarrError.self) { try OMEZarrImageWriter(store: store, shape: [8, 8, 8], dataType: .uint8, axes: [.space("y"), .space("x")]) }
        #expect(throws: OMEZarrError.self) { try OMEZarrImageWriter(store: store, shape: [8, 8], dataType: .uint8, axes: [.space("x"), .space("x")]) }
        #expect(throws: OMEZarrError.self) { try OMEZarrImageWriter(store: store, shape: [8, 8, 8], dataType: .uint8, axes: [.space("y"), .space("x"), .time()]) }
        #expect(throws: OMEZarrError.self) { try OMEZarrImageWriter(store: store, shape: [8, 8], dataType: .uint8, scale: [1, 0]) }
        #expect(throws: OMEZarrError.self) { try OMEZarrImageWriter(store: store, shape: [8, 8], dataType: .uint8, scale: [1]) }
        #expect(throws: OMEZarrError.self) { try OMEZarrImageWriter(store: store, shape: [8, 8], dataType: .bool) }
        #expect(throws: OMEZarrError.self) { try OMEZarrImageWriter(store: store, shape: [8, 8], dataType: .uint8, options: OMEZarrWriteOptions(chunks: [0, 4])) }
        #expect(throws: OMEZarrError.self) {
            try OMEZarrImageWriter(store: store, shape: [8, 8], dataType: .uint8, options: OMEZarrWriteOptions(version: .v04, shards: [8, 8]))
        }
        #expect(throws: OMEZarrError.self) { try OMEZarrImageWriter(store: store, shape: [8, 8], dataType: .uint8, options: OMEZarrWriteOptions(chunks: [4, 4], shards: [6, 6])) }
        #expect(throws: OMEZarrError.self) { try OMEZarrImageWriter(store: store, shape: [8, 8], dataType: .uint8, options: OMEZarrWriteOptions(levels: 0)) }
        #expect(throws: OMEZarrError.self) { try OMEZarrImageWriter(store: store, shape: [0, 8], dataType: .uint8) }
    }
}
