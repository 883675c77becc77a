import DatasetPackage
import MIFACore
import Zarr

extension Pages {
    /// `/versions/<from>/<to>`: what changed between two versions of the package, as `mifa diff`
    /// reports it: files, annotation objects per set, credit and metadata pointers.
    static func versionChanges(_ view: PackageView, from old: String, to new: String, prefix: String, token: String?) throws -> String {
        let diff = try API.diff(view, from: old, to: new)
        let query = tokenQuery(token)
        var body = "<h1>Changes \(escape(old)) → \(escape(new))</h1>"
        body += "<p><a href=\"\(prefix)/api/versions/\(escape(S3Signer.uriEncode(old)))/\(escape(S3Signer.uriEncode(new)))/diff\(query)\">as JSON</a></p>"
        if diff.isEmpty { body += "<p id=\"no-changes\">The two versions do not differ.</p>" }
        body += "<h2>Files</h2>" + list(id: "files", [("added", diff.files.added), ("removed", diff.files.removed), ("modified", diff.files.modified)])
        body += "<h2>Annotation objects</h2><table id=\"objects\"><tr><th>set</th><th>added</th><th>removed</th><th>changed</th><th>paired by IoU</th></tr>"
        for set in diff.annotations.keys.sorted() {
            guard let changes = diff.annotations[set] else { continue }
            let cells = [changes.added, changes.removed, changes.changed].map { names in
                "<td title=\"\(escape(names.prefix(200).joined(separator: ", ")))\">\(names.count)</td>"
            }.joined()
            body += "<tr><td>\(escape(set))</td>\(cells)<td>\(changes.matchedByIoU)</td></tr>"
        }
        body += "</table><h2>Changed objects on the images</h2>" + (try changedImages(view, diff: diff, from: old, to: new, prefix: prefix, query: query))
        body += "<h2>Credit</h2>"
        body += list(id: "credit", [("credited", diff.credit.added.map(AnnotatorCredit.display)), ("no longer credited", diff.credit.removed.map(AnnotatorCredit.display))])
        body += "<h2>Metadata (mifa.json)</h2>"
        body += list(id: "metadata", [("added", diff.metadata.added), ("removed", diff.metadata.removed), ("changed", diff.metadata.changed)])
        return frame(title: "\(view.name): \(old) → \(new)", prefix: prefix, token: token, body: body)
    }

    /// A table of the images with vector or label objects added, removed or changed, each linked
    /// to the viewer drawing them. Label objects are counted from the diff, which names them
    /// `<image>:<value>` per label set whose files under `images/<image>/labels/` changed.
    private static func changedImages(_ view: PackageView, diff: VersionDiff, from old: String, to new: String, prefix: String, query: String) throws -> String {
        let byImage = try view.changedObjects(from: old, to: new)
        var labelSets: [String: Set<String>] = [:]
        for path in diff.files.added + diff.files.removed + diff.files.modified {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if parts.count >= 5, parts[0] == PackageLayout.images, parts[2] == "labels" { labelSets[parts[1], default: []].insert(parts[3]) }
        }
        var counts: [String: [Int]] = [:]
        for (image, features) in byImage {
            func count(_ change: String, version: String) -> Int {
                features.filter { $0["properties"]?["change"]?.stringValue == change && $0["properties"]?["version"]?.stringValue == version }.count
            }
            counts[image] = [count("added", version: new), count("removed", version: old), count("changed", version: new)]
        }
        for (image, sets) in labelSets {
            for set in sets {
                guard let changes = diff.annotations[set] else { continue }
                let mine = [changes.added, changes.removed, changes.changed].map { $0.filter { $0.hasPrefix(image + ":") }.count }
                guard mine.contains(where: { $0 > 0 }) else { continue }
                counts[image] = zip(counts[image] ?? [0, 0, 0], mine).map { $0 + $1 }
            }
        }
        guard !counts.isEmpty else { return "<p id=\"no-changed-images\">No vector or label object differs on any image.</p>" }
        var html = "<table id=\"changed-images\"><tr><th>image</th><th>added</th><th>removed</th><th>changed</th></tr>"
        for image in counts.keys.sorted() {
            let link = "\(prefix)/versions/\(S3Signer.uriEncode(old))/\(S3Signer.uriEncode(new))/images/\(S3Signer.uriEncode(image))\(query)"
            html += "<tr><td><a class=\"changed-image\" href=\"\(escape(link))\">\(escape(image))</a></td>"
            html += (counts[image] ?? []).map { "<td>\($0)</td>" }.joined() + "</tr>"
        }
        return html + "</table>"
    }

    /// A definition list of named groups of entries, the first 200 of each shown.
    private static func list(id: String, _ groups: [(String, [String])]) -> String {
        var html = "<dl id=\"\(id)\">"
        for (name, entries) in groups {
            let shown = entries.prefix(200).map { "<code>\(escape($0))</code>" }.joined(separator: " ")
            let more = entries.count > 200 ? " … \(entries.count - 200) more (the JSON lists all)" : ""
            html += "<dt>\(escape(name)) (\(entries.count))</dt><dd>\(entries.isEmpty ? "none" : shown + more)</dd>"
        }
        return html + "</dl>"
    }
}
