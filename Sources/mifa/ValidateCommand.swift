import ArgumentParser
import MIFACore
import DatasetPackage
import MIFAModel
import Zarr

/// `mifa validate <mifa.json|mifa.yaml|package> [--json] [--write-normalized out.json]`: reads MIFA
/// metadata (JSON, or YAML as the BioImage Archive writes it), normalises it and lists every problem.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check MIFA metadata and list every problem with its place.",
        discussion: """
            Reads a mifa.json or mifa.yaml (a package or dataset folder: its mifa.json or mifa.yaml; \
            for a whole package, files, versions and coverage included, use `mifa audit`), \
            or one of the BioImage Archive's Study_*, Annotations_* or Version_* YAML files. \
            Normalises ORCID iDs, DOIs, licenses and single values given where lists are expected, \
            then checks required fields, types, enums, ORCID check digits, e-mails, SPDX license ids, \
            date-times, DOIs and id uniqueness. Of a package it also checks, as `mifa audit` does, that the \
            root zarr.json's consolidated metadata describes the current version (finding \
            consolidated-metadata-stale, an error). Exit 0: valid (warnings and notes allowed); \
            1: invalid or unreadable; 2: usage error.
            """)

    @Argument(help: "The metadata file (mifa.json, mifa.yaml, Study_*.yaml, ...) or a folder holding mifa.json or mifa.yaml.")
    var path: String

    @Flag(name: .long, help: "Print one JSON document: valid flag, counts, issues and the normalised document.")
    var json = false

    @Option(
        name: .customLong("write-normalized"),
        help: ArgumentHelp("Write the normalised document as canonical JSON to this file (only if it is valid).", valueName: "out.json"))
    var writeNormalized: String?

    func validate() throws {
        if let output = writeNormalized, output == path {
            throw ValidationError("--write-normalized would overwrite the input '\(path)'; choose another file")
        }
    }

    func run() throws {
        let loaded: LoadedMetadata
        let findings: [AuditFinding]?
        do {
            (loaded, findings) = try Self.load(path)
        } catch let error as MetadataError where json {
            print(try CanonicalJSON.string(ValidateFailureOutput(file: error.context.file ?? path, error: error)), terminator: "")
            printError("mifa: error: \(error)")
            throw ExitCode(1)
        }
        let valid = loaded.report.isValid && !(findings ?? []).contains { $0.severity == .error }
        var written: String?
        var notWritten: String?
        if let output = writeNormalized {
            if valid {
                try AtomicFile.write(try loaded.normalizedJSON(), to: output)
                written = output
            } else {
                notWritten = "\(output) not written: the document has errors"
            }
        }
        if json {
            let document = try JSONParser.parse(try loaded.normalizedJSON())
            print(try CanonicalJSON.string(ValidateOutput(loaded: loaded, findings: findings, valid: valid, document: document, written: written)), terminator: "")
        } else {
            printReport(loaded, findings: findings, valid: valid, written: written)
        }
        if let notWritten { printError("mifa: \(notWritten)") }
        if !valid { throw ExitCode(1) }
    }

    /// The metadata at `path`, and for a package the audit's findings about its consolidated
    /// metadata (`nil` for metadata outside a package): a metadata file or package folder read
    /// from disk, or the `mifa.json` of a package read in place (a `.zip`, an `http(s)://` or
    /// `s3://` URL).
    /// - Throws: `MetadataError` as `MetadataReader.read(contentsOf:)`, `PackageError` when a zip
    ///   or URL is not a readable package, or a package cannot be read.
    static func load(_ path: String) throws -> (metadata: LoadedMetadata, findings: [AuditFinding]?) {
        let inPlace = StoreURL.isRemote(path) || PackageReader.isZipFile(path)
        // A zip or URL must be a package; a local path may be one, or a metadata file or dataset folder.
        guard let package = inPlace ? try DatasetPackage.open(path, recovery: .ifUnlocked) : try DatasetPackage.openIfPackage(path, recovery: .ifUnlocked) else {
            return (try MetadataReader.read(contentsOf: path), nil)
        }
        let findings = PackageAuditor().consolidatedMetadataFindings(package)
        guard inPlace else { return (try MetadataReader.read(contentsOf: path), findings) }
        let bytes = try package.reader.read(PackageLayout.metadata, limit: MetadataReader.maximumFileBytes)
        return (try MetadataReader.read(bytes: bytes, format: .json, file: package.path(PackageLayout.metadata)), findings)
    }

    private func printReport(_ loaded: LoadedMetadata, findings: [AuditFinding]?, valid: Bool, written: String?) {
        let report = loaded.report
        let sections: [(ValidationIssue.Severity, String)] = [(.error, "errors"), (.warning, "warnings"), (.info, "notes")]
        for (severity, title) in sections {
            let issues = report.issues(severity)
            guard !issues.isEmpty else { continue }
            print("\(title) (\(issues.count)):")
            if severity == .info {
                printCollapsed(issues)
            } else {
                for issue in issues { print("  \(issue)") }
            }
        }
        let what = loaded.kind == .combined ? "MIFA document" : "\(loaded.kind.rawValue) module"
        let counts = [
            plural(report.count(.error), "error"), plural(report.count(.warning), "warning"), plural(report.count(.info), "note"),
        ].joined(separator: ", ")
        if let findings, !findings.isEmpty {
            print("package (\(findings.count)):")
            for finding in findings { print("  " + AuditCommand.line(finding)) }
        }
        print("\(loaded.file ?? path): \(valid ? "valid" : "invalid") \(what) — \(counts)")
        if let written { print("normalised document written to \(written)") }
    }

    /// Prints notes, at most three of each kind (the rest are counted; `--json` lists them all).
    private func printCollapsed(_ issues: [ValidationIssue]) {
        var order: [String] = []
        var groups: [String: [ValidationIssue]] = [:]
        for issue in issues {
            let key = issue.code.rawValue + "\u{0}" + issue.message
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(issue)
        }
        for key in order {
            let group = groups[key] ?? []
            for issue in group.prefix(3) { print("  \(issue)") }
            if group.count > 3 { print("  ... and \(group.count - 3) more like the above (--json lists them all)") }
        }
    }

    private func plural(_ count: Int, _ word: String) -> String {
        "\(count) \(word)\(count == 1 ? "" : "s")"
    }
}

/// The `--json` output of a readable document.
struct ValidateOutput: Encodable {
    var file: String?
    var format: String
    var kind: String
    var valid: Bool
    var normalized: Bool
    var counts: [String: Int]
    var issues: [ValidationIssue]
    /// The audit's findings about a package's consolidated metadata; absent for metadata outside a package.
    var findings: [AuditFinding]?
    var document: JSONValue
    var written: String?

    init(loaded: LoadedMetadata, findings: [AuditFinding]?, valid: Bool, document: JSONValue, written: String?) {
        file = loaded.file
        format = loaded.format.rawValue
        kind = loaded.kind.rawValue
        self.valid = valid
        self.findings = findings
        normalized = loaded.report.documentWasNormalized
        counts = [
            "errors": loaded.report.count(.error), "warnings": loaded.report.count(.warning), "notes": loaded.report.count(.info),
        ]
        issues = loaded.report.issues
        self.document = document
        self.written = written
    }
}

/// The `--json` output of a file that could not be read as JSON or YAML.
struct ValidateFailureOutput: Encodable {
    struct Failure: Encodable {
        var code: String
        var message: String
        var line: Int?
        var column: Int?
    }

    var file: String
    var valid = false
    var error: Failure

    init(file: String, error: MetadataError) {
        self.file = file
        self.error = Failure(code: error.code, message: error.message, line: error.context.line, column: error.context.column)
    }
}
