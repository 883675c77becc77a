import Foundation
import TestSupport
import MIFACore
import Testing
@testable import RasterIO

@Suite("NPY")
struct NPYTests {
    @Test("every type × C/F order × byte order round trips", arguments: DataType.allCases)
    func roundTrip(dataType: DataType) throws {
        var rng = SeededGenerator(seed: UInt64(dataType.byteSize) &* 977)
        let directory = TemporaryDirectory()
        for order in [MemoryOrder.rowMajor, .columnMajor] {
            for endianness in [Endianness.little, .big] {
                let array = randomArray(dataType, shape: [3, 5, 2], using: &rng, order: order)
                let bytes = NPYFile.encode(array, endianness: endianness)
                #expect(bytes.count % 64 == array.shape.reduce(dataType.byteSize, *) % 64)
                let decoded = try NPYFile.decode(bytes)
                #expect(decoded.order == order)
                #expect(sameElements(decoded, array))
                let path = directory.file("a.npy")
                try NPYFile.write(array, to: path, endianness: endianness)
                let header = try NPYFile.readHeader(path: path)
                #expect(header.endianness == (dataType.byteSize == 1 ? Endianness.native : endianness))
                #expect(header.fortranOrder == (order == .columnMajor) && header.majorVersion == 1 && header.dataOffset % 64 == 0)
                #expect(sameElements(try NPYFile.read(path: path), array))
            }
        }
    }

    @Test("scalars, vectors, empty arrays and random shapes")
    func shapes() throws {
        var rng = SeededGenerator(seed: 42)
        for shape in [[], [5], [0], [2, 0, 3], [1, 1, 1, 1, 1, 1, 1]] {
            let array = randomArray(.int32, shape: shape, using: &rng)
            #expect(sameElements(try NPYFile.decode(NPYFile.encode(array)), array), "\(shape)")
        }
        for _ in 0..<30 {
            let rank = Int.random(in: 0...5, using: &rng)
            let shape = (0..<rank).map { _ in Int.random(in: 1...6, using: &rng) }
            let type = DataType.allCases.randomElement(using: &rng)!
            let array = randomArray(type, shape: shape, using: &rng, order: Bool.random(using: &rng) ? .rowMajor : .columnMajor)
            #expect(sameElements(try NPYFile.decode(NPYFile.encode(array, endianness: Bool.random(using: &rng) ? .big : .little)), array))
        }
    }

    @Test("files filled in place round trip; a fill that fails leaves no file and an existing one untouched")
    func filledInPlace() throws {
        var rng = SeededGenerator(seed: 1789)
        let directory = TemporaryDirectory()
        let path = directory.file("filled.npy")
        for _ in 0..<30 {
            let rank = Int.random(in: 0...4, using: &rng)
            let shape = (0..<rank).map { _ in Int.random(in: 0...7, using: &rng) }
            let type = DataType.allCases.randomElement(using: &rng)!
            let array = randomArray(type, shape: shape, using: &rng)
            let bytes = array.bytes(endianness: .native)
            try NPYFile.write(to: path, dataType: type, shape: shape, durable: Bool.random(using: &rng)) { data in
                #expect(data.count == bytes.count)
                bytes.withUnsafeBytes { data.copyMemory(from: $0) }
            }
            #expect(sameElements(try NPYFile.read(path: path), array), "\(type) \(shape)")
        }
        let before = try NPYFile.read(path: path)
        struct Failure: Error {}
        #expect(throws: Failure.self) {
            try NPYFile.write(to: path, dataType: .uint16, shape: [64, 64], durable: false) { data in
                data.initializeMemory(as: UInt8.self, repeating: 9)
                throw Failure()
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["filled.npy"])
        #expect(sameElements(try NPYFile.read(path: path), before))
    }

    @Test("headers NumPy and others write: version 2.0 and 3.0, double quotes, Python 2 longs")
    func headerVariants() throws {
        let data: [UInt8] = [1, 0, 2, 0, 3, 0]
        for (major, dictionary) in [(2, "{'descr': '<u2', 'fortran_order': False, 'shape': (3,), }"),
                                    (3, "{\"descr\": \"<u2\", \"fortran_order\": False, \"shape\": (3L,)}"),
                                    (1, "{'shape': (3,), 'fortran_order': False, 'descr': '<u2'}")] {
            var bytes = NPYHeader.magic + [UInt8(major), 0]
            let text = Array((dictionary + "\n").utf8)
            bytes += major == 1 ? [UInt8(text.count), 0] : [UInt8(text.count), 0, 0, 0]
            bytes += text + data
            #expect(try NPYFile.decode(bytes) == .uint16(try NDArray(shape: [3], elements: [1, 2, 3])))
        }
        // A boolean byte other than 0/1 is true, never an invalid Bool.
        var booleans = NPYFile.encode(.bool(NDArray(shape: [2])))
        booleans[booleans.count - 1] = 7
        #expect(try NPYFile.decode(booleans) == .bool(try NDArray(shape: [2], elements: [false, true])))
    }

    @Test("bad .npy files fail with the file and place named")
    func badInput() throws {
        let good = NPYFile.encode(.float32(NDArray(shape: [4, 4])))
        for cut in [0, 3, 7, 9, 40, good.count - 1] {
            let error = rasterError { _ = try NPYFile.decode(Array(good.prefix(cut)), name: "cut.npy") }
            #expect(error?.kind == .truncated, "cut at \(cut): \(String(describing: error))")
            #expect(error?.context.file == "cut.npy")
        }
        func header(_ dictionary: String) -> [UInt8] {
            let text = Array((dictionary + "\n").utf8)
            return NPYHeader.magic + [1, 0, UInt8(text.count), 0] + text + [UInt8](repeating: 0, count: 64)
        }
        #expect(rasterError { _ = try NPYFile.decode(Array("hello, world".utf8)) }?.kind == .wrongFormat)
        #expect(rasterError { _ = try NPYFile.decode(header("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }")) }?.kind == .unsupported)
        #expect(rasterError { _ = try NPYFile.decode(header("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }")) }?.kind == .unsupported)
        #expect(rasterError { _ = try NPYFile.decode(header("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }")) }?.kind == .corrupt)
        #expect(rasterError { _ = try NPYFile.decode(header("{'descr': '<f4', 'shape': (2,), }")) }?.kind == .corrupt)
        #expect(rasterError { _ = try NPYFile.decode(header("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }")) }?.kind == .corrupt)
        let huge = rasterError { _ = try NPYFile.decode(header("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }")) }
        #expect(huge?.kind == .tooLarge || huge?.kind == .corrupt)
        let big = rasterError { _ = try NPYFile.decode(header("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }")) }
        #expect(big?.kind == .tooLarge)
        var rng = SeededGenerator(seed: 8)
        for _ in 0..<300 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...4, using: &rng) { bytes[Int.random(in: 0..<80, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            do { _ = try NPYFile.decode(bytes, name: "flip.npy") } catch let error as RasterIOError { #expect(error.context.file == "flip.npy") }
        }
    }
}
