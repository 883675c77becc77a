import ArgumentParser
import DatasetPackage
import Foundation
import MIFACore

/// `mifa audit <package> [--json] [--strict]`: checks a package's files, versions, metadata and
/// coverage and lists the findings, errors first.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check a MIFA package: files, version chain, credit, metadata, license, ORCID iDs and coverage.",
        discussion: """
            Finishes or discards an interrupted write first (unless another process is writing), then \
            checks: every file of the manifest present with its SHA-256 and size, nothing unlisted, no \
            symbolic links; the version chain (links, no loop, timestamps increasing, record and file \
            list digests, every earlier version restorable, annotator credit kept); the metadata \
            (validation, license reuse-friendly, ORCID iDs); every annotation's source image present \
            and the coverage mifa.json declares against what the package holds; proposals, reviews \
            and flags (open ones as notes, edited or dangling records as errors). It measures the \
            agreement of every two annotation sets that annotate a common image (--json key \
            agreement): objects are areal vector objects rasterised on the image grid (pixel centres) \
            and label values; two match at IoU >= 0.5, greedily by decreasing IoU; F1 = 2 matched / \
            (objects of both), mean Dice over matched pairs. --badges DIR writes <name>.svg and \
            <name>.json (shields.io endpoint format) for: audit (pass/warnings/fail), agreement (the \
            lowest F1; >= 0.9 green, >= 0.7 yellow, else red; only when sets were compared), \
            annotators (credited by the current version) and versions (the chain's length), and per \
            person of `mifa credits` contributor-<ORCID or name>: "<N> objects, <V> versions", the \
            objects they created and changed and the versions they contributed to. Each finding has a \
            stable code, the file (and JSON pointer) and how to fix it. Exit 0: no errors (and, with \
            --strict, no warnings); 1: findings that fail the audit or not a package; 2: usage error.
            """)

    @Argument(help: "The package: a folder, a .zip made by `mifa export --to zip`, an http(s):// or an s3://bucket/prefix URL.")
    var package: String

    @Flag(name: .long, help: "Print one JSON document: package, version, verdict, counts, findings, coverage, recovered.")
    var json = false

    @Flag(name: .long, help: "Fail (exit 1) on warnings too.")
    var strict = false

    @Option(name: .long, help: ArgumentHelp("Also write badges (SVG and shields.io JSON): audit verdict, lowest agreement F1, annotators credited, versions, one per contributor.", valueName: "DIR"))
    var badges: String?

    func run() throws {
        let report = try PackageAuditor().audit(package)
        if json {
            print(String(decoding: try CanonicalJSON.encode(report), as: UTF8.self), terminator: "")
        } else {
            print(Self.text(report, strict: strict).joined(separator: "\n"))
        }
        if let badges {
            // Opened once for both (over a network each open reads zarr.json and the records again).
            let opened = try report.version.map { version in (version, try DatasetPackage.open(package)) }
            let credited = try opened.map { version, package in try package.record(version).record.creditedAnnotators.count }
            let history = try opened.map { _, package in try package.creditHistory() }
            try AuditBadge.write(report, credited: credited, history: history, to: badges)
        }
        if report.fails(strict: strict) { throw ExitCode(1) }
    }

    /// One finding as the human report shows it: `[code] path#pointer: message`.
    static func line(_ finding: AuditFinding) -> String {
        let place = finding.pointer.map { "\(finding.path)#\($0)" } ?? finding.path
        return "[\(finding.code.rawValue)] \(place): \(finding.message)"
    }

    /// The human report: a header, the findings by severity (at most `shown` of each code), a verdict line.
    static func text(_ report: AuditReport, strict: Bool, shown: Int = 10) -> [String] {
        let counts = report.counts
        var lines = [
            "package  \(report.package)",
            "version  \(report.version ?? "unknown") (\(counts.versions) version\(counts.versions == 1 ? "" : "s") in the chain)",
            "content  \(counts.images) image\(counts.images == 1 ? "" : "s"), \(counts.annotationSets) annotation set\(counts.annotationSets == 1 ? "" : "s"), \(counts.files) files, \(byteCountText(counts.bytes))",
        ]
        for (set, entry) in report.coverage.sets.sorted(by: { $0.key < $1.key }) {
            let declared = entry.declaredImages.isEmpty ? "none declared in mifa.json" : "declared for \(entry.declaredImages.count)"
            lines.append("set      \(set) (\(entry.kind)): \(entry.objects) object\(entry.objects == 1 ? "" : "s") on \(entry.images.count) of \(counts.images) image\(counts.images == 1 ? "" : "s") (\(declared))")
        }
        if !report.coverage.unannotatedImages.isEmpty {
            let shown = report.coverage.unannotatedImages.prefix(5).joined(separator: ", ") + (report.coverage.unannotatedImages.count > 5 ? ", ..." : "")
            lines.append("         \(report.coverage.unannotatedImages.count) image(s) without annotations: \(shown)")
        }
        for entry in report.agreement {
            let f1 = entry.f1.map { String(format: "%.3f", $0) } ?? "-"
            let dice = entry.meanDice.map { String(format: "%.3f", $0) } ?? "-"
            lines.append("agree    \(entry.sets.joined(separator: " vs ")) on \(entry.images.count) image(s): F1 \(f1) (\(entry.matched) of \(entry.objects[0]) and \(entry.objects[1]) objects matched at IoU >= 0.5), mean Dice \(dice)")
        }
        if let recovered = report.recovered { lines.append("recovery \(recovered)") }
        let titles: [(AuditFinding.Severity, String)] = [(.error, "errors"), (.warning, "warnings"), (.info, "notes")]
        for (severity, title) in titles {
            let findings = report.findings(severity)
            guard !findings.isEmpty else { continue }
            lines.append("")
            lines.append("\(title) (\(findings.count)):")
            // At most `shown` findings of each code (a damaged package can have thousands); --json lists them all.
            var shownPerCode: [AuditFinding.Code: Int] = [:]
            for finding in findings {
                shownPerCode[finding.code, default: 0] += 1
                guard shownPerCode[finding.code]! <= shown else { continue }
                lines.append("  " + Self.line(finding))
            }
            for (code, count) in shownPerCode.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where count > shown {
                lines.append("  ... and \(count - shown) more [\(code.rawValue)] (--json lists them all)")
            }
        }
        lines.append("")
        let verdict = report.fails(strict: strict) ? "FAIL" : "PASS"
        lines.append("\(verdict): \(counts.errors) error\(counts.errors == 1 ? "" : "s"), \(counts.warnings) warning\(counts.warnings == 1 ? "" : "s"), \(counts.info) note\(counts.info == 1 ? "" : "s")\(strict ? " (strict)" : "")")
        return lines
    }
}
