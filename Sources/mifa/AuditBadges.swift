import DatasetPackage
import Foundation
import MIFACore

/// The badges `mifa audit --badges DIR` writes: each as `<name>.svg` (a flat badge) and
/// `<name>.json` (the shields.io endpoint format: schemaVersion, label, message, color).
///
/// Rules: `audit` is the verdict (pass: brightgreen, warnings: yellow, fail: red); `agreement` is
/// the lowest matched-object F1 over the pairs of sets the audit compared (>= 0.9 brightgreen,
/// >= 0.7 yellow, else red; not written when no two sets share an image); `annotators` is how many
/// people the current version credits; `versions` is the length of the version chain (both blue);
/// `metadata`, `rembi`, `coverage` and `annotations` are the audit's quality indicators
/// (`QualityIndicators`: MIFA fields filled, images with every REMBI section, declared coverage
/// found, sets without errors) as whole percentages rounded down (>= 90% brightgreen, >= 70%
/// yellow, else red; "not measured" in lightgrey when nothing was counted).
/// Contributor badges (``contributors(_:)``): one per person `mifa credits` lists.
struct AuditBadge: Encodable, Equatable {
    var schemaVersion = 1
    var label: String
    var message: String
    var color: String

    /// The badges of a report; `credited` is the number of people the current version credits.
    static func badges(_ report: AuditReport, credited: Int?) -> [(name: String, badge: AuditBadge)] {
        let verdict = report.counts.errors > 0 ? ("fail", "red") : report.counts.warnings > 0 ? ("warnings", "yellow") : ("pass", "brightgreen")
        var result = [("audit", AuditBadge(label: "MIFA audit", message: verdict.0, color: verdict.1))]
        if let lowest = report.agreement.compactMap(\.f1).min() {
            let color = lowest >= 0.9 ? "brightgreen" : lowest >= 0.7 ? "yellow" : "red"
            result.append(("agreement", AuditBadge(label: "annotator agreement", message: String(format: "F1 %.2f", lowest), color: color)))
        }
        if let credited { result.append(("annotators", AuditBadge(label: "annotators", message: "\(credited) credited", color: "blue"))) }
        result.append(("versions", AuditBadge(label: "versions", message: "\(report.counts.versions)", color: "blue")))
        let indicators = report.indicators
        for (name, label, share) in [("metadata", "MIFA metadata", indicators.metadata), ("rembi", "REMBI", indicators.rembi),
                                     ("coverage", "declared coverage", indicators.coverage), ("annotations", "valid annotation sets", indicators.annotationValidity)] {
            result.append((name, share.value.map { value in
                let percent = share.met * 100 / share.of
                return AuditBadge(label: label, message: "\(percent)%", color: value >= 0.9 ? "brightgreen" : value >= 0.7 ? "yellow" : "red")
            } ?? AuditBadge(label: label, message: "not measured", color: "lightgrey")))
        }
        return result
    }

    /// One badge per person of `history.people`, named `contributor-<ORCID iD>` (else
    /// `contributor-<name>`, lower case, runs of other characters than letters and digits as `-`):
    /// label their name, message `<N> object(s), <V> version(s)` in blue, N the objects they
    /// created and changed over all their contributions (as `mifa credits --json` counts them,
    /// per-object annotators included) and V the distinct versions they contributed to.
    static func contributors(_ history: CreditHistory) -> [(name: String, badge: AuditBadge)] {
        history.people.map { person in
            let objects = person.contributions.reduce(0) { $0 + $1.created + $1.changed }
            let versions = Set(person.contributions.map(\.version)).count
            let slug = person.orcid ?? person.name.lowercased().split { !($0.isLetter || $0.isNumber) || !$0.isASCII }.joined(separator: "-")
            let message = "\(objects) object\(objects == 1 ? "" : "s"), \(versions) version\(versions == 1 ? "" : "s")"
            return ("contributor-\(slug)", AuditBadge(label: person.name, message: message, color: "blue"))
        }
    }

    /// The badge as a flat SVG (text widths estimated at 7 px a character).
    var svg: String {
        let colors = ["brightgreen": "#4c1", "yellow": "#dfb317", "red": "#e05d44", "blue": "#007ec6"]
        let left = 10 + 7 * label.count, right = 10 + 7 * message.count
        func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(left + right)" height="20" role="img" aria-label="\(escaped(label)): \(escaped(message))">
              <title>\(escaped(label)): \(escaped(message))</title>
              <rect width="\(left)" height="20" fill="#555"/>
              <rect x="\(left)" width="\(right)" height="20" fill="\(colors[color] ?? "#555")"/>
              <g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
                <text x="\(left / 2)" y="14">\(escaped(label))</text>
                <text x="\(left + right / 2)" y="14">\(escaped(message))</text>
              </g>
            </svg>

            """
    }

    /// Writes every badge of `report`, and those of `history`'s contributors, into `folder` (created if needed).
    static func write(_ report: AuditReport, credited: Int?, history: CreditHistory?, to folder: String) throws {
        try FileSystem.createDirectories(folder)
        for (name, badge) in badges(report, credited: credited) + (history.map(contributors) ?? []) {
            try AtomicFile.write(badge.svg.utf8, to: "\(folder)/\(name).svg", durable: false)
            try AtomicFile.write(CanonicalJSON.encode(badge), to: "\(folder)/\(name).json", durable: false)
        }
    }
}
