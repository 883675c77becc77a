import ArgumentParser
import Foundation
import MIFACore
import MIFAModel

/// `mifa demo`: the end-to-end story on `Samples/`, told as the jobs of an annotator, a curator and
/// an ML developer. Every step after the first two is a `mifa` command, shown as typed and run in
/// this process, so the demo is also a tour of the command line.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the end-to-end demo on the Samples/ folder.",
        discussion: """
            An annotator's first metadata draft is checked (every problem at once) and corrected; the \
            nuclei sample (images, instance masks, COCO and QuPath GeoJSON, a file list) is packed into \
            a MIFA package; a curator validates and audits it; the annotator publishes a corrected \
            version that keeps everyone's credit (dropping credit is refused); the curator sees the \
            diff and exports the package; annotations are converted between formats; an ML developer \
            streams mini-batches from it. Run `make samples` first (make demo does). Files go to a \
            temporary folder unless --output is given.
            """)

    @Option(help: ArgumentHelp("The Samples folder (default: ./Samples, or the one next to this build).", valueName: "dir"))
    var samples: String?

    @Option(help: ArgumentHelp("Keep the files the demo writes in this folder (it must not hold an earlier demo's package).", valueName: "dir"))
    var output: String?

    func run() throws {
        let samplesDirectory = try locateSamples()
        let work = try prepareOutput()
        defer { if output == nil { try? FileSystem.removeTree(work) } }
        let story = DemoStory(samples: samplesDirectory + "/nuclei", work: work)

        print("MIFAKit demo — the nuclei sample in \(DemoStory.shown(samplesDirectory + "/nuclei"))")
        print("\nTHE ANNOTATOR describes the dataset")
        try curatorChecksDraft(story.samples)
        try annotatorFixesSheet(story.samples)
        try story.annotatorPacks()
        print("\nTHE CURATOR checks the package")
        try story.curatorAudits()
        print("\nTHE ANNOTATOR publishes a correction")
        try story.annotatorCorrects()
        print("\nTHE CURATOR reviews the new version and publishes it")
        try story.curatorReviews()
        print("\nTHE ML DEVELOPER trains on it")
        try story.developerStreams()
        print("\nDone. Files were written to \(output ?? "a temporary folder (removed); keep them with --output DIR").")
    }

    // MARK: - The metadata steps

    private func curatorChecksDraft(_ nuclei: String) throws {
        let path = nuclei + "/drafts/mifa-draft.yaml"
        print("1. The first draft of the metadata sheet is checked: \(DemoStory.shown(path))")
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

    private func annotatorFixesSheet(_ nuclei: String) throws {
        let path = nuclei + "/mifa.yaml"
        print("\n2. The corrected sheet: \(DemoStory.shown(path))")
        let loaded = try MetadataReader.read(contentsOf: path)
        guard loaded.report.isValid else {
            throw InvalidInput(message: "\(path): the sample metadata should be valid but has \(loaded.report.count(.error)) errors; run `mifa validate \(path)`")
        }
        let document = loaded.document
        print("   valid MIFA: \"\(document.study?.title ?? "?")\"")
        print("   \(document.study?.authors?.count ?? 0) authors, \(document.images?.count ?? 0) images, "
              + "\(document.annotations?.count ?? 0) annotation sets with "
              + "\(document.annotations?.reduce(0) { $0 + ($1.fileMetadata?.count ?? 0) } ?? 0) file-level records, "
              + "version \(document.version?.version ?? "?")")
        let normalised = loaded.report.issues.filter(\.changesDocument)
        print("   \(normalised.count) values normalised on reading (license \(document.study?.license ?? "?"), bare ORCID iDs and DOIs, single values as lists)")
        print("   annotators credited: \(document.creditedAnnotators.map(DemoStory.name).joined(separator: ", "))")
    }

    // MARK: - Helpers

    private func locateSamples() throws -> String {
        if let samples {
            guard FileSystem.resolvedKind(of: samples + "/nuclei/mifa.yaml") != nil else {
                throw InvalidInput(message: "\(samples) is not a Samples folder: it has no nuclei/mifa.yaml")
            }
            return try requireGenerated(samples)
        }
        var candidates = [FileManager.default.currentDirectoryPath + "/Samples"]
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("Samples").path)
            directory = directory.deletingLastPathComponent()
        }
        guard let found = candidates.first(where: { FileSystem.resolvedKind(of: $0 + "/nuclei/mifa.yaml") != nil }) else {
            throw InvalidInput(message: "cannot find the Samples folder (looked in \(candidates[0]) and next to the mifa binary); pass --samples DIR")
        }
        return try requireGenerated(found)
    }

    /// The sample images are generated, not committed: say how to make them.
    private func requireGenerated(_ samples: String) throws -> String {
        guard FileSystem.resolvedKind(of: samples + "/nuclei/images/IM1.tif") != nil else {
            throw InvalidInput(message: "\(samples)/nuclei has no images yet: run `make samples` (or `.venv/bin/python Samples/generate_samples.py`) first")
        }
        return samples
    }

    private func prepareOutput() throws -> String {
        let directory = output ?? FileManager.default.temporaryDirectory.appendingPathComponent("mifa-demo-\(UUID().uuidString)").path
        try FileSystem.createDirectories(directory)
        return directory
    }

    /// The message up to its first parenthesis: the demo shows the gist, `mifa validate` the rest.
    private func firstClause(_ message: String) -> String {
        message.split(separator: " (", maxSplits: 1).first.map(String.init) ?? message
    }
}
