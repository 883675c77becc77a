import MIFACore
import Testing
@testable import Zarr

@Suite struct ZarrErrorTests {
    @Test func describesItsPlace() {
        let error = ZarrError(.corruptChunk, "blosc header says 4096 bytes, chunk needs 8192",
                              context: ErrorContext(file: "image.zarr/0", key: "c/0/1", offset: 4))
        #expect(error.code == "corrupt-chunk")
        #expect(error.description == "image.zarr/0 key 'c/0/1' byte 4: blosc header says 4096 bytes, chunk needs 8192")
    }
}
