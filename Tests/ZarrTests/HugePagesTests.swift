import Testing
@testable import Zarr

/// The huge-page hint for large results.
@Suite struct HugePagesTests {
    @Test func hugePageAdviceKeepsTheData() {
        for (count, offset) in [(9 << 20, 0), (9 << 20, 12345), (1 << 20, 0), (0, 0)] {
            var bytes = [UInt8](repeating: 7, count: count + offset)
            bytes.withUnsafeMutableBytes { HugePages.advise(UnsafeMutableRawBufferPointer(rebasing: $0[offset...])) }
            #expect(bytes.allSatisfy { $0 == 7 })
        }
    }
}
