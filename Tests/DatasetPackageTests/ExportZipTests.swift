@testable import DatasetPackage
import Foundation
import Testing
import Zarr

/// The zip writer's zip64 path: more entries than a plain zip can count.
@Suite struct ExportZipTests {
    @Test func manyEntriesUseZip64AndReadBack() throws {
        let folder = try temporaryFolder()
        let writer = try ZipWriter(path: "\(folder)/many.zip")
        let count = 70_000
        for index in 0..<count {
            try writer.add("c/\(index)", [UInt8(index & 0xFF)])
        }
        try writer.finish()
        let store = try ZipStore(path: "\(folder)/many.zip")
        #expect(try store.list(prefix: "").count == count)
        #expect(try store.get(StoreKey("c/69999"), range: nil) == [UInt8(69_999 & 0xFF)])
    }
}
