import MIFACore
import Testing
@testable import Zarr

@Suite struct SmokeTests {
    @Test func roundTripV3Zstd() throws {
        let store = MemoryStore()
        let metadata = try ArrayMetadata(shape: [10, 7], dataType: .uint16, chunkShape: [4, 3],
                                         codecs: [CodecDescription(name: "bytes", configuration: ["endian": "little"]),
                                                  CodecDescription(name: "zstd", configuration: ["level": 3])])
        let array = try ZarrArray.create(store, metadata: metadata)
        var data = NDArray<UInt16>(shape: [10, 7])
        for i in 0..<70 { data.elements[i] = UInt16(i * 3) }
        try array.write(data)
        let back = try ZarrArray.open(store).read(UInt16.self)
        #expect(back == data)
        let part = try array.read(UInt16.self, region: Region([2..<9, 1..<6]))
        #expect(part == (try data.copy(region: Region([2..<9, 1..<6]))))
        print(store.snapshot.keys.sorted())
    }
}
