import Foundation
import TestSupport
import Testing
@testable import MIFACore

/// Folder trees: made with their parents, walked in byte order, removed without following links.
@Suite struct FileSystemTreeTests {
    @Test func createsWalksAndRemovesATreeWithoutFollowingLinks() throws {
        let temporary = TemporaryDirectory()
        let root = temporary.path + "/a/b/c"
        try FileSystem.createDirectories(root)
        try FileSystem.createDirectories(root)  // a folder already: nothing to do
        #expect(FileSystem.isFolder(root))
        try AtomicFile.write(Array("x".utf8), to: root + "/f.txt")
        // A link out of the tree, to a folder that must survive the removal.
        let outside = temporary.path + "/outside"
        try FileSystem.createDirectories(outside)
        try AtomicFile.write(Array("keep".utf8), to: outside + "/keep.txt")
        #expect(symlink(outside, temporary.path + "/a/b/link") == 0)
        #expect(symlink(temporary.path + "/nothing", temporary.path + "/a/dangling") == 0)

        let walked = try FileSystem.walk(temporary.path + "/a")
        #expect(walked.map(\.path) == ["b", "b/c", "b/c/f.txt", "b/link", "dangling"])
        #expect(walked.first { $0.path == "b/link" }?.kind == .symbolicLink)
        // A user's path follows links; the tree's own queries do not.
        #expect(FileSystem.isFolder(temporary.path + "/a/b/link"))
        #expect(FileSystem.resolvedKind(of: temporary.path + "/a/dangling") == nil)
        #expect(FileSystem.kind(of: temporary.path + "/a/dangling") == .symbolicLink)
        #expect(FileSystem.size(of: root + "/f.txt") == 1)

        try FileSystem.removeTree(temporary.path + "/a")
        #expect(FileSystem.kind(of: temporary.path + "/a") == nil)
        #expect(FileSystem.isFile(outside + "/keep.txt"))
        try FileSystem.removeTree(temporary.path + "/a")  // nothing there: nothing to do
    }

    @Test func aFolderUnderAFileCannotBeMadeAndSaysWhere() throws {
        let temporary = TemporaryDirectory()
        try AtomicFile.write(Array("x".utf8), to: temporary.path + "/file")
        let error = #expect(throws: CoreError.self) { try FileSystem.createDirectories(temporary.path + "/file/sub/dir") }
        #expect(error?.kind == .io)
        #expect(error?.description.contains("/file") == true)
        #expect(throws: CoreError.self) { try FileSystem.walk(temporary.path + "/missing") }
    }
}
