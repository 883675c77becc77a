import ArgumentParser
import Foundation
import MIFACore
import MIFAModel
import RasterIO
import Zarr

/// `mifa demo`: the end-to-end story on `Samples/`, told as the jobs of a curator, an annotator and
/// an ML developer. It grows as MIFAKit does.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the end-to-end demo on the Samples/ folder.",
        discussion: """
            Validates a curator's first draft of the nuclei sample's metadata (showing every problem at \
            once) and the corrected sheet, then writes a synthetic nuclei image and its instance mask \
            as TIFF and as Zarr v3 and reads them back. Files go to a temporary folder unless --output \
            is given.
            """)

    @Option(help: ArgumentHelp("The Samples folder (default: ./Samples, or the one next to this build).", valueName: "dir"))
    var samples: String?

    @Option(help: ArgumentHelp("Keep the files the demo writes in this folder.", valueName: "dir"))
    var output: String?

    func run() throws {
        let samplesDirectory = try locateSamples()
        let workDirectory = try prepareOutput()
        defer { if output == nil { try? FileManager.default.removeItem(atPath: workDirectory) } }

        print("MIFAKit demo — samples in \(samplesDirectory)\n")
        try curatorChecksDraft(samplesDirectory)
        let document = try annotatorFixesSheet(samplesDirectory)
        try developerReadsPixels(workDirectory, document: document)
        print("\nDone. Files were written to \(output ?? "a temporary folder (removed); keep them with --output DIR").")
    }

    // MARK: - The steps

    private func curatorChecksDraft(_ samples: String) throws {
        let path = samples + "/nuclei/drafts/mifa-draft.yaml"
        print("1. A curator checks the annotator's first draft: \(relative(path))")
        let loaded = try MetadataReader.read(contentsOf: path)
        let errors = loaded.report.issues(.error)
        print("   \(errors.count) errors found at once, each with its place and a fix:")
        for issue in errors {
            var line = "   - \(issue.pointer)"
            if let position = issue.position { line += " (line \(position.line))" }
            line += ": \(firstClause(issue.message))"
            if let suggestion = issue.suggestion { line += " → \(suggestion)" }
            print(line)
        }
    }

    private func annotatorFixesSheet(_ samples: String) throws -> MIFADocument {
        let path = samples + "/nuclei/mifa.yaml"
        print("\n2. The annotator sends the corrected sheet: \(relative(path))")
        let loaded = try MetadataReader.read(contentsOf: path)
        guard loaded.report.isValid else {
            throw InvalidInput(message: "\(path): the sample metadata should be valid but has \(loaded.report.count(.error)) errors; run `mifa validate \(path)`")
        }
        let document = loaded.document
        let study = document.study
        print("   valid MIFA: \"\(study?.title ?? "?")\"")
        print("   \(study?.authors?.count ?? 0) authors, \(document.images?.count ?? 0) images, "
              + "\(document.annotations?.count ?? 0) annotation set(s) with "
              + "\(document.annotations?.reduce(0) { $0 + ($1.fileMetadata?.count ?? 0) } ?? 0) file-level records (annotation -> source image), "
              + "version \(document.version?.version ?? "?")")
        let normalised = loaded.report.issues.filter(\.changesDocument)
        print("   \(normalised.count) values normalised on reading (license \(study?.license ?? "?"), bare ORCID iDs and DOIs, single values as lists)")
        let annotators = document.creditedAnnotators.map { author in
            let name = [author.authorFirstName, author.authorLastName].compactMap { $0 }.joined(separator: " ")
            return author.orcidID.map { "\(name) (ORCID \($0))" } ?? name
        }
        print("   annotators credited by this version: \(annotators.joined(separator: ", "))")
        return document
    }

    private func developerReadsPixels(_ directory: String, document: MIFADocument) throws {
        let imageID = document.images?.first?.id ?? "IM1"
        print("\n3. An ML developer gets the pixels of \(imageID): a synthetic 1024x1024 nuclei image and its instance mask")
        let sample = SyntheticNuclei(height: 1024, width: 1024, nuclei: 120, seed: 7)

        let tiffPath = directory + "/\(imageID).tif"
        let options = TIFFWriteOptions(compression: .zstd, predictor: true, layout: .tiled(width: 256, height: 256))
        try TIFFFile.write(AnyNDArray(sample.image), to: tiffPath, options: options)
        let readBack = try TIFFFile(path: tiffPath).readStack()
        try expectEqual(readBack.array, AnyNDArray(sample.image), what: "TIFF image")
        print("   TIFF (tiled 256x256, zstd + predictor): \(fileSize(tiffPath)) bytes, read back identical")

        let zarrPath = directory + "/\(imageID).zarr"
        let metadata = try ArrayMetadata.make(
            format: .v3, shape: [1024, 1024], dataType: ZarrDataType(.uint16), chunks: [128, 128], shards: [512, 512],
            compressor: .zstd(level: 3), order: .rowMajor)
        let store = try DirectoryStore(root: zarrPath, create: true)
        let image = try ZarrArray.create(store, path: "image", metadata: metadata, overwrite: true)
        try image.write(sample.image)
        let labels = try ZarrArray.create(store, path: "labels", metadata: metadata, overwrite: true)
        try labels.write(sample.mask)
        print("   Zarr v3 (512x512 shards of 128x128 chunks, zstd): image and mask written to \(relative(zarrPath))")

        let patch = Region([384..<640, 256..<512])
        let imagePatch = try ZarrArray.open(store, path: "image").read(UInt16.self, region: patch)
        let maskPatch = try ZarrArray.open(store, path: "labels").read(UInt16.self, region: patch)
        try expectEqual(AnyNDArray(imagePatch), AnyNDArray(try sample.image.copy(region: patch)), what: "Zarr image patch")
        try expectEqual(AnyNDArray(maskPatch), AnyNDArray(try sample.mask.copy(region: patch)), what: "Zarr mask patch")
        let nuclei = Set(maskPatch.elements).subtracting([0]).count
        print("   a 256x256 training patch [\(patch)] read back identical; it holds parts of \(nuclei) of the \(sample.count) nuclei")
    }

    // MARK: - Helpers

    private func locateSamples() throws -> String {
        if let samples {
            guard FileManager.default.fileExists(atPath: samples + "/nuclei/mifa.yaml") else {
                throw InvalidInput(message: "\(samples) is not a Samples folder: it has no nuclei/mifa.yaml")
            }
            return samples
        }
        var candidates = [FileManager.default.currentDirectoryPath + "/Samples"]
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("Samples").path)
            directory = directory.deletingLastPathComponent()
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/nuclei/mifa.yaml") }) else {
            throw InvalidInput(message: "cannot find the Samples folder (looked in \(candidates[0]) and next to the mifa binary); pass --samples DIR")
        }
        return found
    }

    private func prepareOutput() throws -> String {
        let directory = output ?? FileManager.default.temporaryDirectory.appendingPathComponent("mifa-demo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    private func expectEqual(_ actual: AnyNDArray, _ expected: AnyNDArray, what: String) throws {
        guard actual == expected else {
            throw InvalidInput(message: "\(what) read back differs from what was written (shape \(actual.shape) vs \(expected.shape))")
        }
    }

    private func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    private func relative(_ path: String) -> String {
        let current = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(current) ? String(path.dropFirst(current.count)) : path
    }

    /// The message up to its first parenthesis: the demo shows the gist, `mifa validate` the rest.
    private func firstClause(_ message: String) -> String {
        message.split(separator: " (", maxSplits: 1).first.map(String.init) ?? message
    }
}
