import DatasetPackage
import MIFACore
import Rendering
import Zarr

/// The HTML pages: server-rendered, with the viewer's script and the style sheet served from
/// `/static/` (no CDN, no build step).
enum Pages {
    /// The page frame: title, style sheet, navigation, body.
    static func frame(title: String, prefix: String, token: String?, body: String, script: String? = nil) -> String {
        let query = tokenQuery(token)
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
            <link rel="stylesheet" href="\(prefix)/static/style.css\(query)"></head>
            <body data-prefix="\(escape(prefix))" data-token="\(escape(token ?? ""))">
            <nav><a href="\(prefix)/\(query)">Overview</a> <a href="\(prefix)/images/\(query)">Images</a> <a href="\(prefix)/api/openapi.json\(query)">API</a></nav>
            <main>\(body)</main>
            \(script.map { "<script src=\"\(prefix)/static/\($0)\(query)\"></script>" } ?? "")
            </body></html>
            """
    }

    /// `?token=...` when a token is in use, else nothing.
    static func tokenQuery(_ token: String?) -> String {
        guard let token, !token.isEmpty else { return "" }
        return "?token=" + escape(S3Signer.uriEncode(token))
    }

    /// `/` of a folder: the packages served.
    static func catalog(_ catalog: PackageCatalog, token: String?) -> String {
        let items = catalog.names.map { "<li><a href=\"/packages/\(escape($0))/\(tokenQuery(token))\">\(escape($0))</a></li>" }.joined()
        return frame(title: "MIFA packages", prefix: "", token: token, body: "<h1>MIFA packages</h1><ul>\(items)</ul>")
    }

    /// `/`: study, license, annotation sets, audit verdict, versions and credit.
    static func overview(_ view: PackageView, prefix: String, token: String?) throws -> String {
        let metadata = try JSONParser.parse(view.snapshot.package.reader.read(PackageLayout.metadata, limit: 64 << 20))
        let study = metadata["study"]
        var body = "<h1>\(escape(study?["title"]?.stringValue ?? view.name))</h1>"
        if let description = study?["description"]?.stringValue { body += "<p class=\"description\">\(escape(description))</p>" }
        body += "<dl><dt>License</dt><dd id=\"license\">\(escape(study?["license"]?.stringValue ?? "not stated"))</dd>"
        body += "<dt>Version</dt><dd>\(escape(view.snapshot.version))</dd>"
        body += "<dt>Images</dt><dd>\(view.imageIDs.count)</dd>"
        body += "<dt>Audit</dt><dd id=\"audit\" data-src=\"\(prefix)/api/audit\">checking…</dd></dl>"
        let authors = (study?["authors"]?.arrayValue ?? []).map(person)
        if !authors.isEmpty { body += "<h2>Authors</h2><p id=\"authors\">\(authors.map(escape).joined(separator: ", "))</p>" }
        body += "<h2>Annotation sets</h2><table id=\"sets\"><tr><th>set</th><th>kind</th><th>types</th><th>objects</th><th>images</th><th>coverage</th></tr>"
        let declared = metadata["annotations"]?.arrayValue ?? []
        for set in try API.sets(view).arrayValue ?? [] {
            let id = set["id"]?.stringValue ?? ""
            let images = set["images"]?.arrayValue?.count ?? 0
            let index = Int(id.dropFirst(3)).map { $0 - 1 }
            let types = (index.flatMap { declared.indices.contains($0) ? declared[$0]["annotation_type"]?.arrayValue : nil } ?? set["types"]?.arrayValue ?? [])
                .compactMap(\.stringValue)
            let coverage = view.imageIDs.isEmpty ? 0 : 100 * images / view.imageIDs.count
            body += "<tr><td>\(escape(id))</td><td>\(escape(set["kind"]?.stringValue ?? ""))</td><td>\(escape(types.joined(separator: ", ")))</td>"
            body += "<td>\(set["objects"]?.numberValue?.intValue.map(String.init) ?? "–")</td><td>\(images) of \(view.imageIDs.count)</td><td>\(coverage)%</td></tr>"
        }
        body += "</table><h2>Versions and credit</h2><table id=\"versions\"><tr><th>version</th><th>date</th><th>changes</th><th>files</th><th>credited</th></tr>"
        for record in try view.snapshot.package.lineage().reversed() {
            let files = record.changeSummary.files
            var summary = "+\(files.added.count) −\(files.removed.count) ~\(files.modified.count)"
            if let parent = record.previousVersion {
                let link = "\(prefix)/versions/\(S3Signer.uriEncode(parent))/\(S3Signer.uriEncode(record.version))\(tokenQuery(token))"
                summary = "<a class=\"changes\" href=\"\(escape(link))\">\(summary)</a>"
            }
            let credited = record.creditedAnnotators.map { author in
                [author.authorFirstName, author.authorLastName].compactMap { $0 }.joined(separator: " ")
            }
            body += "<tr><td>\(escape(record.version))</td><td>\(escape(record.timestamp))</td><td>\(escape(record.changes))</td><td>\(summary)</td><td>\(escape(credited.joined(separator: ", ")))</td></tr>"
        }
        body += "</table>"
        return frame(title: view.name, prefix: prefix, token: token, body: body, script: "overview.js")
    }

    /// `/images/`: a thumbnail of every image, from its lowest levels.
    static func gallery(_ view: PackageView, prefix: String, token: String?) -> String {
        let query = tokenQuery(token)
        let items = view.imageIDs.map { id in
            "<a class=\"thumb\" href=\"\(prefix)/images/\(escape(id))\(query)\"><img alt=\"\(escape(id))\" src=\"\(prefix)/api/images/\(escape(id))/thumbnail.png\(query)\"><span>\(escape(id))</span></a>"
        }.joined()
        return frame(title: "\(view.name): images", prefix: prefix, token: token, body: "<h1>Images</h1><div id=\"gallery\">\(items)</div>")
    }

    /// `/images/<id>`: the viewer (its script reads `/api/images` and draws tiles and annotations);
    /// with `changes`, `/versions/<from>/<to>/images/<id>`: the objects added, removed and changed
    /// between the two versions drawn instead of the annotation sets.
    static func viewer(_ view: PackageView, image id: String, prefix: String, token: String?, changes: (from: String, to: String)? = nil) throws -> String {
        _ = try view.image(id)
        let title = changes.map { "\(id): changes \($0.from) → \($0.to)" } ?? id
        let versions = changes.map { " data-from=\"\(escape($0.from))\" data-to=\"\(escape($0.to))\"" } ?? ""
        let body = """
            <h1>\(escape(title))</h1>
            <div id="controls"></div>
            <div id="viewport" data-image="\(escape(id))"\(versions)><div id="layers"></div><svg id="shapes" xmlns="http://www.w3.org/2000/svg"></svg></div>
            <p id="status">level –</p><p id="info">hover an object</p>
            """
        return frame(title: "\(view.name): \(id)", prefix: prefix, token: token, body: body, script: "viewer.js")
    }

    /// A person's name from an author entry.
    static func person(_ author: JSONValue) -> String {
        [author["author_first_name"]?.stringValue, author["author_last_name"]?.stringValue].compactMap { $0 }.joined(separator: " ")
    }

    /// Text made safe for HTML content and attribute values.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
