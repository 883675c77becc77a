import DatasetPackage
import Foundation
import MIFACore
import Testing

/// Files a package cannot take are named for what they are: a name that is not UTF-8, a symbolic
/// link or a FIFO listed in the file list.
@Suite struct IngestIrregularFileTests {
    func source(_ folder: String) throws -> String {
        let source = "\(folder)/source"
        try IngestFixtures.writeImage(0, "\(source)/a/first.tif")
        try IngestFixtures.writeMask(0, "\(source)/m/x.tif")
        let sets = [IngestFixtures.set(overview: "Masks", types: ["segmentation_mask"], indicator: "metadata_file")]
        try IngestFixtures.write(IngestFixtures.metadata(sets: sets), "\(folder)/mifa.yaml")
        return source
    }

    func failure(_ folder: String, fileList: String?) throws -> PackageError {
        do {
            _ = try PackageIngest(source: "\(folder)/source", package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml", fileList: fileList).run()
        } catch let error as PackageError {
            return error
        }
        Issue.record("packing succeeded")
        return PackageError(.io, "")
    }

    @Test func aNameThatIsNotUTF8IsSaidToBeOne() throws {
        let folder = try temporaryFolder()
        let source = try source(folder)
        // "café.tif" in Latin-1: the é is the single byte 0xE9.
        let name: [UInt8] = Array("\(source)/a/caf".utf8) + [0xE9] + Array(".tif".utf8) + [0]
        let fd = name.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644) }
        #expect(fd >= 0)
        close(fd)
        let error = try failure(folder, fileList: nil)
        #expect(error.kind == .invalidInput)
        #expect(error.message.contains("not UTF-8") && error.message.contains("rename"))
        #expect(!error.message.contains("symbolic link"))
    }

    @Test func aSymbolicLinkOrFIFOInTheFileListIsNamedForWhatItIs() throws {
        let folder = try temporaryFolder()
        let source = try source(folder)
        try FileManager.default.createSymbolicLink(atPath: "\(source)/a/link.tif", withDestinationPath: "\(source)/a/first.tif")
        #expect(mkfifo("\(source)/m/pipe.tif", 0o644) == 0)
        try IngestFixtures.write("files,source_image,annotation_type\nm/x.tif,a/first.tif,segmentation mask\na/link.tif,,\nm/pipe.tif,a/first.tif,segmentation mask\n", "\(folder)/list.csv")
        let error = try failure(folder, fileList: "\(folder)/list.csv")
        #expect(error.message.contains("'a/link.tif' is a symbolic link; a package takes regular files only"))
        #expect(error.message.contains("'m/pipe.tif' is a FIFO, socket or device; a package takes regular files only"))
        #expect(!error.message.contains("not in the source folder"))
    }
}
