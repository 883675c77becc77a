import TestSupport
import Foundation
import MIFACore
@testable import RasterIO

/// Random elements of any type: integers over their whole range, floats as finite values of all
/// magnitudes (including negative zero and subnormals), booleans as 0/1.
func randomArray(_ dataType: DataType, shape: [Int], using rng: inout SeededGenerator, order: MemoryOrder = .rowMajor) -> AnyNDArray {
    let count = shape.reduce(1, *)
    var bytes = [UInt8](repeating: 0, count: count * dataType.byteSize)
    for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
    switch dataType {
    case .bool:
        for i in bytes.indices { bytes[i] &= 1 }
    case .float32:
        for i in 0..<count {
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            let finite = value.isFinite ? value : Float(i)
            withUnsafeBytes(of: finite) { for j in 0..<4 { bytes[i * 4 + j] = $0[j] } }
        }
    case .float64:
        for i in 0..<count {
            let value = Double(bitPattern: rng.next())
            let finite = value.isFinite ? value : Double(i)
            withUnsafeBytes(of: finite) { for j in 0..<8 { bytes[i * 8 + j] = $0[j] } }
        }
    default:
        break
    }
    return bytes.withUnsafeBytes { try! AnyNDArray(dataType: dataType, shape: shape, bytes: $0, endianness: .native, order: order) }
}

/// Whether two arrays have the same type, shape and element bits (NaN-safe), whatever their order.
func sameElements(_ a: AnyNDArray, _ b: AnyNDArray) -> Bool {
    a.dataType == b.dataType && a.shape == b.shape && a.rowMajor.bytes() == b.rowMajor.bytes()
}

/// Runs `body` and returns the RasterIOError it throws, or nil if it throws nothing or another error.
func rasterError(_ body: () throws -> Void) -> RasterIOError? {
    do {
        try body()
        return nil
    } catch let error as RasterIOError {
        return error
    } catch {
        return nil
    }
}

/// Little-endian helpers to craft TIFF bytes by hand.
struct TIFFBuilder {
    var bytes: [UInt8] = []
    mutating func u16(_ v: Int) { bytes += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    mutating func u32(_ v: Int) { for i in 0..<4 { bytes.append(UInt8((v >> (8 * i)) & 0xFF)) } }

    /// A classic little-endian, uncompressed, single-strip gray TIFF with the given header values and pixel bytes.
    static func gray(width: Int, height: Int, bits: Int = 8, stripBytes: Int? = nil, pixels: [UInt8], compression: Int = 1, extraEntries: [(Int, Int, Int, Int)] = []) -> [UInt8] {
        var b = TIFFBuilder()
        b.bytes += [0x49, 0x49]
        b.u16(42)
        b.u32(8)
        var entries: [(Int, Int, Int, Int)] = [
            (256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, bits), (259, 3, 1, compression), (262, 3, 1, 1),
            (273, 4, 1, 0), (277, 3, 1, 1), (278, 4, 1, height), (279, 4, 1, stripBytes ?? pixels.count),
        ] + extraEntries
        entries.sort { $0.0 < $1.0 }
        let ifdSize = 2 + entries.count * 12 + 4
        let dataOffset = 8 + ifdSize
        b.u16(entries.count)
        for (tag, type, count, value) in entries {
            b.u16(tag)
            b.u16(type)
            b.u32(count)
            let v = tag == 273 ? dataOffset : value
            if type == 3 { b.u16(v); b.u16(0) } else { b.u32(v) }
        }
        b.u32(0)
        b.bytes += pixels
        return b.bytes
    }
}
