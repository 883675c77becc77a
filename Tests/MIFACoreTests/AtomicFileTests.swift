import TestSupport
import Foundation
import Testing
@testable import MIFACore

@Suite struct AtomicFileTests {
    @Test func writesAndReplaces() throws {
        let temporary = TemporaryDirectory()
        let dir = temporary.path
        let path = dir + "/a.json"
        try AtomicFile.write(Array("first".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "first")
        try AtomicFile.write([UInt8]("second".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["a.json"])
    }

    @Test func failureLeavesNothingAndNamesThePath() throws {
        let temporary = TemporaryDirectory()
        let dir = temporary.path
        let missing = dir + "/no/such/dir/file.txt"
        let error = #expect(throws: CoreError.self) { try AtomicFile.write(Array("x".utf8), to: missing) }
        #expect(error?.kind == .io)
        #expect(error?.description.contains("file.txt") == true)
        // Renaming onto a directory fails; the directory and its neighbours stay as they were.
        try FileManager.default.createDirectory(atPath: dir + "/target", withIntermediateDirectories: false)
        #expect(throws: CoreError.self) { try AtomicFile.write(Array("x".utf8), to: dir + "/target") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["target"])
    }
}
