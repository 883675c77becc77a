import TestSupport
import Annotations
import DatasetPackage
import Foundation
import Hummingbird
import MIFACore
import MIFAModel
import MIFAServer
import NIOCore
import OMEZarr
import RasterIO
import Rendering
import Testing
import Zarr

/// A package with two 16 x 24 images (img1 with a `nuclei` label image in red and blue), a `cells`
/// vector set (one square on img1, two on img2) and its metadata, built with the package core.
enum ServerFixture {
    static let metadata = """
        {"study": {"title": "Tiny nuclei", "description": "Synthetic nuclei.", "license": "CC-BY-4.0",
          "keywords": ["nucleus"], "funding_statement": "None.", "link_url": ["https://example.org"],
          "authors": [{"author_first_name": "Josiah", "author_last_name": "Carberry"}]},
         "images": [{"id": "img1", "path": "images/img1"}, {"id": "img2", "path": "images/img2"}],
         "annotations": [{"annotation_overview": "Nuclei", "annotation_type": ["segmentation_mask"], "annotation_method": "manual",
                          "authors": [{"author_first_name": "Ada", "author_last_name": "Lovelace"}]}],
         "version": {"version": "1", "timestamp": "2026-01-01T00:00:00Z"}}
        """

    static func writeImage(_ folder: String, seed: UInt16, label: Bool) throws {
        let store = try DirectoryStore(root: folder, create: true)
        let pixels = try NDArray<UInt16>(shape: [16, 24], elements: (0..<(16 * 24)).map { UInt16($0 % 97) &+ seed })
        let writer = try OMEZarrImageWriter(store: store, shape: [16, 24], dataType: .uint16, options: OMEZarrWriteOptions(levels: 2, chunks: [8, 8]))
        try writer.write(AnyNDArray(pixels))
        let image = try writer.finish()
        if label {
            var labels = NDArray<UInt8>(shape: [16, 24])
            for y in 2..<6 { for x in 3..<9 { labels[[y, x]] = 1 } }
            for y in 9..<14 { for x in 12..<20 { labels[[y, x]] = 2 } }
            _ = try image.addLabel(name: "nuclei", AnyNDArray(labels), colors: [
                LabelColor(labelValue: 1, rgba: [255, 0, 0, 255]), LabelColor(labelValue: 2, rgba: [0, 0, 255, 255]),
            ])
        }
    }

    static func cells() -> AnnotationDocument {
        func square(_ x: Double, _ y: Double, _ image: String, _ id: Int64) -> Annotation {
            Annotation(id: .int(id), imageID: .string(image), value: .geometry(.polygon(Polygon(exterior: Ring(flat: [x, y, x + 4, y, x + 4, y + 4, x, y + 4, x, y])))))
        }
        return AnnotationDocument(
            images: [ImageReference(id: "img1", width: 24, height: 16), ImageReference(id: "img2", width: 24, height: 16)],
            annotations: [square(1, 1, "img1", 1), square(2, 2, "img2", 2), square(10, 8, "img2", 3)])
    }

    /// Makes the package in a new temporary folder and returns its path; `extra` adds files to
    /// the staging folder, `cells` replaces the `cells` set.
    static func makePackage(cells document: AnnotationDocument = cells(), extra: (String) throws -> Void = { _ in }) throws -> String {
        let folder = NSTemporaryDirectory() + "serve-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = try DatasetPackage.create(at: "\(folder)/pkg", build: { staging in
            try writeImage("\(staging)/images/img1", seed: 1, label: true)
            try writeImage("\(staging)/images/img2", seed: 5, label: false)
            try extra(staging)
            try FileManager.default.createDirectory(atPath: "\(staging)/annotations/cells", withIntermediateDirectories: true)
            // As `mifa pack` writes a set: grouped by image, with its index (package format 2).
            let (geojson, index) = try AnnotationIndex.encode(document, file: PackageLayout.annotationFile("cells"))
            try Data(geojson).write(to: URL(fileURLWithPath: "\(staging)/\(PackageLayout.annotationFile("cells"))"))
            try Data(index).write(to: URL(fileURLWithPath: "\(staging)/\(PackageLayout.annotationIndex("cells"))"))
            let loaded = try MetadataReader.read(bytes: Array(metadata.utf8), format: .json, file: "mifa.json")
            try Data(try loaded.document.canonicalJSON()).write(to: URL(fileURLWithPath: "\(staging)/mifa.json"))
        }, makeRecord: { context in
            VersionRecord(version: "1", timestamp: "2026-01-01T00:00:00Z", changes: "first", previousVersion: nil, previousRecordSHA256: nil,
                          manifestSHA256: context.fileListSHA256, fileCount: 0, totalBytes: 0,
                          creditedAnnotators: [Author(authorFirstName: "Ada", authorLastName: "Lovelace")],
                          changeSummary: ChangeSummary(files: context.fileChanges))
        })
        return "\(folder)/pkg"
    }

    /// Runs `body` with a test client of a server of a new package (see ``makePackage()``) and the package's path.
    static func withServer(token: String? = nil, _ body: @Sendable (ResponderClient, String) async throws -> Void) async throws {
        let root = try makePackage()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let server = try PackageServer(path: root, configuration: ServerConfiguration(token: token))
        try await ResponderClient.run(server.responder()) { client in try await body(client, root) }
    }
}

@Suite struct ServerTests {
    @Test func apiListsImagesAndSets() async throws {
        try await ServerFixture.withServer { client, _ in
            try await client.execute(uri: "/api/images", method: .get) { response in
                #expect(response.status == .ok)
                let images = try JSONParser.parse(Array(response.body.readableBytesView))
                #expect(images.arrayValue?.compactMap { $0["id"]?.stringValue } == ["img1", "img2"])
                #expect(images[0]?["labels"]?[0]?["name"]?.stringValue == "nuclei")
                #expect(images[0]?["levels"]?.arrayValue?.count == 2)
            }
            try await client.execute(uri: "/api/sets", method: .get) { response in
                let sets = try JSONParser.parse(Array(response.body.readableBytesView))
                #expect(sets.arrayValue?.compactMap { $0["id"]?.stringValue } == ["cells", "nuclei"])
            }
            try await client.execute(uri: "/api/openapi.json", method: .get) { response in
                let document = try JSONParser.parse(Array(response.body.readableBytesView))
                #expect(document["openapi"]?.stringValue == "3.1.0")
            }
        }
    }

    @Test func annotationsAreOnlyThoseOfTheImage() async throws {
        try await ServerFixture.withServer { client, _ in
            try await client.execute(uri: "/api/images/img2/annotations?set=cells", method: .get) { response in
                #expect(response.status == .ok)
                let collection = try JSONParser.parse(Array(response.body.readableBytesView))
                #expect(collection["features"]?.arrayValue?.count == 2)
            }
            try await client.execute(uri: "/api/images/img9/annotations?set=cells", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/images/img1/annotations?set=nope", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test func tileOverlayIsTheLabelColourExactlyWhereTheLabelIsNonZero() async throws {
        try await ServerFixture.withServer { client, root in
            let labels = try OMEZarrImage.open(path: "\(root)/images/img1").openLabel("nuclei").read(UInt8.self, level: 0)
            try await client.execute(uri: "/api/tiles/img1/0/0/0.png?labels=nuclei", method: .get) { response in
                #expect(response.status == .ok)
                let picture = try PNGFile.decode(Array(response.body.readableBytesView))
                let pixels = picture.array.typed(as: UInt8.self)!
                #expect(picture.shape == [16, 24, 3], "an opaque picture in colour is written as RGB")
                for y in 0..<16 {
                    for x in 0..<24 {
                        let rgb = [pixels[[y, x, 0]], pixels[[y, x, 1]], pixels[[y, x, 2]]]
                        switch labels[[y, x]] {
                        case 1: #expect(rgb == [255, 0, 0])
                        case 2: #expect(rgb == [0, 0, 255])
                        default: #expect(rgb[0] == rgb[1] && rgb[1] == rgb[2])
                        }
                    }
                }
            }
            try await client.execute(uri: "/api/tiles/img1/0/5/0.png", method: .get) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/tiles/img1/0/0/x.png", method: .get) { #expect($0.status == .badRequest) }
        }
    }

    @Test func regionAsNPYMatchesTheArray() async throws {
        try await ServerFixture.withServer { client, root in
            let expected = try OMEZarrImage.open(path: "\(root)/images/img1").read(level: 1, region: Region([0..<4, 2..<9]))
            try await client.execute(uri: "/api/images/img1/region?level=1&region=0:4,2:9&format=npy", method: .get) { response in
                #expect(response.status == .ok)
                let decoded = try NPYFile.decode(Array(response.body.readableBytesView))
                #expect(decoded == expected)
            }
            try await client.execute(uri: "/api/images/img1/region?level=1&region=0:99", method: .get) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/images/img1/region?format=png&region=0:8,0:8", method: .get) { response in
                #expect(response.headers[.contentType] == "image/png")
            }
        }
    }

    @Test func filesWithRangesAndCORS() async throws {
        try await ServerFixture.withServer { client, root in
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(root)/images/img1/zarr.json")))
            try await client.execute(uri: "/files/images/img1/zarr.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Array(response.body.readableBytesView) == bytes)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                #expect(response.headers[.acceptRanges] == "bytes")
            }
            try await client.execute(uri: "/files/images/img1/zarr.json", method: .get, headers: [.range: "bytes=2-11"]) { response in
                #expect(response.status == .partialContent)
                #expect(Array(response.body.readableBytesView) == Array(bytes[2...11]))
                #expect(response.headers[.contentRange] == "bytes 2-11/\(bytes.count)")
            }
            try await client.execute(uri: "/files/images/img1/zarr.json", method: .get, headers: [.range: "bytes=-5"]) { response in
                #expect(Array(response.body.readableBytesView) == Array(bytes.suffix(5)))
            }
            try await client.execute(uri: "/files/images/img1/zarr.json", method: .get, headers: [.range: "bytes=\(bytes.count)-"]) { response in
                #expect(response.status == .rangeNotSatisfiable)
                #expect(response.headers[.contentRange] == "bytes */\(bytes.count)")
            }
            try await client.execute(uri: "/files/images/img1/zarr.json", method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[.contentLength] == String(bytes.count))
            }
        }
    }

    @Test func nothingOutsideThePackageAndNoWrites() async throws {
        try await ServerFixture.withServer { client, root in
            try "secret".write(toFile: "\((root as NSString).deletingLastPathComponent)/secret.txt", atomically: true, encoding: .utf8)
            for uri in ["/files/../secret.txt", "/files/images/../../secret.txt", "/files/images%2Fimg1%2Fzarr.json", "/files/images/img1/%2e%2e/%2e%2e/mifa.json", "/files/%00"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .badRequest || response.status == .notFound, "\(uri): \(response.status)")
                    #expect(!String(buffer: response.body).contains("secret\""), "\(uri)")
                }
            }
            try await client.execute(uri: "/files/.mifa-lock", method: .get) { #expect($0.status == .notFound) }
            // A symbolic link planted in the package is not followed.
            try FileManager.default.createSymbolicLink(atPath: "\(root)/images/img1/link.json", withDestinationPath: "\(root)/mifa.json")
            try await client.execute(uri: "/files/images/img1/link.json", method: .get) { #expect($0.status == .notFound) }
            for method in [HTTPRequest.Method.post, .put, .delete, .patch] {
                try await client.execute(uri: "/files/mifa.json", method: method) { response in
                    #expect(response.status == .methodNotAllowed)
                    #expect(response.headers[.allow] == "GET, HEAD, OPTIONS")
                }
            }
        }
    }

    @Test func tokenIsEnforcedWhenSet() async throws {
        try await ServerFixture.withServer(token: "s3cret") { client, _ in
            try await client.execute(uri: "/api/images", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/images?token=wrong", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/images?token=s3cret", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/images", method: .get, headers: [.authorization: "Bearer s3cret"]) { #expect($0.status == .ok) }
        }
    }

    @Test func aFolderServesEachPackageUnderItsName() async throws {
        let root = try ServerFixture.makePackage()
        let folder = (root as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try PackageServer(path: folder)
        #expect(!server.catalog.isSinglePackage && server.catalog.names == ["pkg"])
        try await ResponderClient.run(server.responder()) { client in
            try await client.execute(uri: "/", method: .get) { #expect(String(buffer: $0.body).contains("/packages/pkg/")) }
            try await client.execute(uri: "/packages/pkg/api/images", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/packages/pkg/images/img1", method: .get) { #expect(String(buffer: $0.body).contains("data-prefix=\"/packages/pkg\"")) }
            try await client.execute(uri: "/packages/pkg/files/mifa.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Array(response.body.readableBytesView) == (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(root)/mifa.json")))))
            }
            try await client.execute(uri: "/packages/pkg/files/../../pkg/mifa.json", method: .get) { #expect($0.status == .badRequest || $0.status == .notFound) }
            try await client.execute(uri: "/packages/nope/api/images", method: .get) { #expect($0.status == .notFound) }
        }
        #expect(throws: ServerError.self) { try PackageServer(path: "\(folder)/missing") }
    }

    /// A second version moves one square of `cells` and adds one; the overview links the change,
    /// and the change page and its JSON say exactly what `diff` says.
    @Test func versionChangesArePagesAndJSON() async throws {
        try await ServerFixture.withServer { client, root in
            var document = ServerFixture.cells()
            document.annotations[0] = Annotation(id: .int(1), imageID: .string("img1"),
                                                 value: .geometry(.polygon(Polygon(exterior: Ring(flat: [5, 5, 9, 5, 9, 9, 5, 9, 5, 5])))))
            document.annotations.append(Annotation(id: .int(4), imageID: .string("img2"),
                                                   value: .geometry(.polygon(Polygon(exterior: Ring(flat: [15, 1, 19, 1, 19, 5, 15, 5, 15, 1]))))))
            let file = (root as NSString).deletingLastPathComponent + "/v2.geojson"
            try GeoJSONWriter.write(document, to: file)
            let package = try DatasetPackage.open(root)
            try VersionMaker.make(VersionRequest(version: "2", changes: "moved one, added one", edits: [.setAnnotations(set: "cells", file: file)],
                                                 timestamp: "2026-01-02T00:00:00Z"), in: package)
            let expected = try package.diff(from: "1", to: "2")
            #expect(expected.annotations["cells"] == ObjectChanges(added: ["4"], changed: ["1"]))
            try await client.execute(uri: "/", method: .get) { response in
                #expect(String(buffer: response.body).contains("href=\"/versions/1/2\""))
            }
            try await client.execute(uri: "/api/versions/1/2/diff", method: .get) { response in
                #expect(response.status == .ok)
                let encoded = try CanonicalJSON.encode(expected)
                #expect(Array(response.body.readableBytesView) == encoded)
            }
            try await client.execute(uri: "/versions/1/2", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(response.status == .ok)
                #expect(text.contains("<td>cells</td><td title=\"4\">1</td><td title=\"\">0</td><td title=\"1\">1</td>"), "\(text)")
                #expect(text.contains("annotations/cells/annotations.geojson"))
            }
            try await client.execute(uri: "/versions/1/9", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("its versions are 1, 2"))
            }
        }
    }

    /// The package's `.zip` export, read in place, is served like its folder: the same API
    /// answers, tiles, metadata and `/files/` bytes with ranges.
    @Test func aZipExportIsServedLikeItsFolder() async throws {
        let root = try ServerFixture.makePackage()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let zip = (root as NSString).deletingLastPathComponent + "/pkg.zip"
        try PackageExporter(opening: root).export(.zip, to: zip)
        let answers = LockedState([String: [[UInt8]]]())
        let uris = ["/api/images", "/api/sets", "/api/versions", "/api/metadata", "/api/images/img2/annotations?set=cells",
                    "/api/tiles/img1/0/0/0.png?labels=nuclei", "/api/images/img1/region?level=1&region=0:8,0:12&format=npy", "/files/mifa.json"]
        for (name, path) in [("folder", root), ("zip", zip)] {
            let server = try PackageServer(path: path)
            #expect(server.catalog.names == ["pkg"], "\(name)")
            try await ResponderClient.run(server.responder()) { client in
                for uri in uris {
                    try await client.execute(uri: uri, method: .get) { response in
                        #expect(response.status == .ok, "\(name) \(uri)")
                        answers.withLock { $0[uri, default: []].append(Array(response.body.readableBytesView)) }
                    }
                }
                try await client.execute(uri: "/files/mifa.json", method: .get, headers: [.range: "bytes=5-14"]) { response in
                    #expect(response.status == .partialContent, "\(name)")
                    answers.withLock { $0["range", default: []].append(Array(response.body.readableBytesView)) }
                }
                try await client.execute(uri: "/", method: .get) { response in
                    #expect(String(buffer: response.body).contains("Tiny nuclei"), "\(name)")
                }
            }
        }
        for (uri, bodies) in answers.withLock({ $0 }) {
            #expect(bodies.count == 2 && bodies[0] == bodies[1] && !bodies[0].isEmpty, "\(uri)")
        }
    }

    @Test func pagesRender() async throws {
        try await ServerFixture.withServer { client, _ in
            for uri in ["/", "/images/", "/images/img1", "/static/viewer.js", "/static/style.css"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .ok, "\(uri)") }
            }
            try await client.execute(uri: "/", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("Tiny nuclei") && text.contains("CC-BY-4.0") && text.contains("Ada Lovelace"))
            }
            try await client.execute(uri: "/images/nope", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/static/..%2Fx", method: .get) { #expect($0.status == .notFound) }
        }
    }
}
