import Testing
@testable import MIFACore

@Suite struct DataTypeTests {
    @Test func sizesAndKinds() {
        #expect(DataType.allCases.map(\.byteSize) == [1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 4, 8])
        #expect(DataType.int16.isSignedInteger && DataType.int16.isInteger)
        #expect(DataType.uint64.isUnsignedInteger && !DataType.uint64.isFloatingPoint)
        #expect(!DataType.bool.isInteger)
        #expect(DataType.float32.isFloatingPoint && DataType.float16.isFloatingPoint && Float16.dataType == .float16)
        #expect(UInt16.dataType == .uint16 && Double.dataType == .float64 && Bool.dataType == .bool)
    }

    @Test func numpyTypeStringsRoundTrip() {
        for type in DataType.allCases {
            for endianness in [Endianness.little, .big] {
                let text = type.numpyTypeString(endianness)
                let parsed = DataType.parseNumpyTypeString(text)
                #expect(parsed?.0 == type, "\(text)")
                if type.byteSize > 1 { #expect(parsed?.1 == endianness, "\(text)") }
            }
        }
        #expect(DataType.uint16.numpyTypeString(.big) == ">u2")
        #expect(DataType.bool.numpyTypeString() == "|b1")
        #expect(DataType.parseNumpyTypeString(">f2")! == (.float16, .big))
        #expect(DataType.parseNumpyTypeString("<c8") == nil)
        #expect(DataType.parseNumpyTypeString("") == nil)
        #expect(DataType.parseNumpyTypeString("<u") == nil)
    }
}
