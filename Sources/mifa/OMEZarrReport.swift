import MIFACore

/// The text form of `mifa omezarr info`.
enum OMEZarrReport {
    /// The summary as lines.
    static func text(_ summary: JSONValue, title: String) -> [String] {
        var lines: [String] = []
        let version = summary["ngff_version"]?.stringValue.map { "OME-NGFF \($0)" } ?? "not OME-Zarr"
        let format = summary["zarr_format"]?.numberValue?.literal ?? "?"
        lines.append("\(title): \(summary["kind"]?.stringValue ?? "?") (\(version), Zarr v\(format))")
        if let image = summary["image"] { lines += imageLines(image, indent: "  ") }
        for label in summary["labels"]?.arrayValue ?? [] {
            if let name = label.stringValue {
                lines.append("  label \(name)")
            } else {
                lines.append("  label \(label["name"]?.stringValue ?? "?")")
                lines += imageLines(label, indent: "    ")
            }
        }
        if let plate = summary["plate"] {
            let rows = plate["rows"]?.arrayValue?.count ?? 0, columns = plate["columns"]?.arrayValue?.count ?? 0
            lines.append("  plate        \(plate["name"]?.stringValue ?? "(unnamed)"): \(rows) rows x \(columns) columns, \(plate["wells"]?.arrayValue?.count ?? 0) wells, \(plate["acquisitions"]?.arrayValue?.count ?? 0) acquisitions")
            if let field = plate["first_field"] {
                lines.append("  first field  \(field["path"]?.stringValue ?? "?")")
                lines += imageLines(field, indent: "    ")
            }
        }
        if let well = summary["well"] {
            lines.append("  well         \(well["fields"]?.arrayValue?.count ?? 0) fields: \(well["fields"]?.arrayValue?.compactMap { $0["path"]?.stringValue }.joined(separator: ", ") ?? "")")
        }
        for series in summary["series"]?.arrayValue ?? [] {
            lines.append("  series \(series["path"]?.stringValue ?? "?")")
            lines += imageLines(series, indent: "    ")
        }
        let issues = summary["issues"]?.arrayValue ?? []
        if issues.isEmpty {
            lines.append("  valid        yes")
        } else {
            let errors = issues.filter { $0["severity"] == "error" }.count
            lines.append("  valid        \(errors == 0 ? "yes" : "no"): \(errors) error\(errors == 1 ? "" : "s"), \(issues.count - errors) warning\(issues.count - errors == 1 ? "" : "s")")
            for issue in issues {
                let pointer = issue["pointer"]?.stringValue ?? ""
                let place = [issue["path"]?.stringValue, pointer.isEmpty ? nil : pointer].compactMap { $0 }.joined(separator: " ")
                lines.append("    \(issue["severity"]?.stringValue ?? "?") \(place.isEmpty ? "" : "at \(place): ")\(issue["message"]?.stringValue ?? "")")
            }
        }
        return lines
    }

    /// Axes, levels and channels of an image summary.
    static func imageLines(_ image: JSONValue, indent: String) -> [String] {
        var lines: [String] = []
        func list(_ value: JSONValue?, separator: String = " x ") -> String {
            value?.arrayValue?.map { $0.numberValue?.literal ?? $0.stringValue ?? "-" }.joined(separator: separator) ?? ""
        }
        let axes = image["axes"]?.arrayValue?.map { axis -> String in
            let name = axis["name"]?.stringValue ?? "?"
            let details = [axis["type"]?.stringValue, axis["unit"]?.stringValue].compactMap { $0 }
            return details.isEmpty ? name : "\(name) (\(details.joined(separator: ", ")))"
        } ?? []
        if let name = image["name"]?.stringValue { lines.append("\(indent)name         \(name)") }
        lines.append("\(indent)axes         \(axes.joined(separator: ", "))")
        let type = image["multiscale_type"]?.stringValue.map { ", \($0)" } ?? ""
        let levels = image["levels"]?.arrayValue ?? []
        lines.append("\(indent)levels       \(levels.count)\(type)")
        for level in levels {
            let shards = level["shards"].map { "  shards \(list($0))" } ?? ""
            lines.append("\(indent)  \(level["path"]?.stringValue ?? "?"): \(list(level["shape"]))  \(level["data_type"]?.stringValue ?? "?")  chunks \(list(level["chunks"]))\(shards)  scale \(list(level["scale"], separator: ", "))")
        }
        if let channels = image["omero"]?["channels"]?.arrayValue {
            let names = channels.map { "\($0["label"]?.stringValue ?? "?") #\($0["color"]?.stringValue ?? "?")" }
            lines.append("\(indent)channels     \(names.joined(separator: ", "))")
        }
        if let label = image["image_label"] {
            lines.append("\(indent)image-label  \(label["colors"]?.arrayValue?.count ?? 0) colours, \(label["properties"]?.arrayValue?.count ?? 0) properties, source \(label["source"]?["image"]?.stringValue ?? "-")")
        }
        return lines
    }
}
