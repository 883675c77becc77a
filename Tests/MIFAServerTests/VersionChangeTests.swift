import Annotations
import DatasetPackage
import Foundation
import MIFACore
import MIFAServer
import Testing
import TestSupport

/// `/api/versions/<from>/<to>/images/<id>/changes` and the pages that draw it: random edits of a
/// vector set (objects removed, moved, moved to the other image, added) between two versions, and
/// the changed objects the server answers per image are exactly those edits, with their shapes.
@Suite struct VersionChangeTests {
    /// A square object of side 4 with id `id` at (`x`, `y`) on `image`.
    struct Square: Hashable {
        var id: Int64, image: String, x: Double, y: Double

        var annotation: Annotation {
            Annotation(id: .int(id), imageID: .string(image),
                       value: .geometry(.polygon(Polygon(exterior: Ring(flat: [x, y, x + 4, y, x + 4, y + 4, x, y + 4, x, y])))))
        }
    }

    /// One expected feature: the change, the version whose shape it is, the object and the image.
    struct Expected: Hashable, Comparable {
        var change: String, version: String, id: Int64, image: String, x: Double, y: Double
        static func < (a: Expected, b: Expected) -> Bool { (a.image, a.id, a.version) < (b.image, b.id, b.version) }
    }

    static func randomSquare(_ id: Int64, _ random: inout SeededGenerator) -> Square {
        Square(id: id, image: Bool.random(using: &random) ? "img1" : "img2",
               x: Double(Int.random(in: 0..<20, using: &random)), y: Double(Int.random(in: 0..<12, using: &random)))
    }

    static func makeVersion(_ version: String, _ squares: [Square], in root: String) throws {
        var document = ServerFixture.cells()
        document.annotations = squares.map(\.annotation)
        let file = (root as NSString).deletingLastPathComponent + "/v\(version).geojson"
        try GeoJSONWriter.write(document, to: file)
        try VersionMaker.make(VersionRequest(version: version, changes: "random edits", edits: [.setAnnotations(set: "cells", file: file)],
                                             timestamp: "2026-01-0\(version)T00:00:00Z"), in: DatasetPackage.open(root))
    }

    /// The features of a changes answer as ``Expected`` values (the position from the first corner).
    static func features(_ bytes: [UInt8]) throws -> [Expected] {
        let collection = try JSONParser.parse(bytes)
        #expect(collection["type"]?.stringValue == "FeatureCollection")
        return try (collection["features"]?.arrayValue ?? []).map { feature in
            let properties = feature["properties"]
            let corner = feature["geometry"]?["coordinates"]?[0]?[0]
            guard let change = properties?["change"]?.stringValue, let version = properties?["version"]?.stringValue,
                  let id = feature["id"]?.numberValue?.int64Value, let image = properties?["image"]?.stringValue,
                  let x = corner?[0]?.numberValue?.doubleValue, let y = corner?[1]?.numberValue?.doubleValue else {
                throw ServerError(.badRequest, "a changed-object feature lacks change, version, id, image or coordinates: \(feature)")
            }
            #expect(properties?["set"]?.stringValue == "cells")
            return Expected(change: change, version: version, id: id, image: image, x: x, y: y)
        }
    }

    @Test(arguments: 1...8) func changedObjectsAreTheEditsOnEachImage(seed: UInt64) async throws {
        try await ServerFixture.withServer { client, root in
            var random = SeededGenerator(seed: seed)
            let before = (1...Int64.random(in: 1...10, using: &random)).map { Self.randomSquare($0, &random) }
            var after: [Square] = []
            var expected: [Expected] = []
            func feature(_ change: String, _ version: String, _ square: Square) -> Expected {
                Expected(change: change, version: version, id: square.id, image: square.image, x: square.x, y: square.y)
            }
            for square in before {
                switch Int.random(in: 0..<4, using: &random) {
                case 0: after.append(square)
                case 1: expected.append(feature("removed", "2", square))
                default:
                    var moved = Self.randomSquare(square.id, &random)
                    if moved == square { moved.x = moved.x == 0 ? 1 : 0 }
                    after.append(moved)
                    expected += [feature("changed", "2", square), feature("changed", "3", moved)]
                }
            }
            for id in Int64(before.count + 1)...Int64(before.count + Int.random(in: 1...4, using: &random)) {
                let square = Self.randomSquare(id, &random)
                after.append(square)
                expected.append(feature("added", "3", square))
            }
            try Self.makeVersion("2", before, in: root)
            try Self.makeVersion("3", after.shuffled(using: &random), in: root)
            for image in ["img1", "img2"] {
                try await client.execute(uri: "/api/versions/2/3/images/\(image)/changes", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "application/geo+json")
                    let answered = try Self.features(Array(response.body.readableBytesView))
                    #expect(answered.sorted() == expected.filter { $0.image == image }.sorted(), "seed \(seed), image \(image)")
                }
            }
            // The version page links each image with changed objects to its viewer, with the counts.
            try await client.execute(uri: "/versions/2/3", method: .get) { response in
                let text = String(buffer: response.body)
                for image in Set(expected.map(\.image)) {
                    let on = expected.filter { $0.image == image }
                    let counts = [("added", "3"), ("removed", "2"), ("changed", "3")].map { change, version in
                        "<td>\(on.filter { $0.change == change && $0.version == version }.count)</td>"
                    }.joined()
                    #expect(text.contains("href=\"/versions/2/3/images/\(image)\">\(image)</a></td>\(counts)"), "seed \(seed): \(text)")
                }
            }
            try await client.execute(uri: "/versions/2/3/images/img1", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("data-from=\"2\" data-to=\"3\""))
            }
        }
    }

    @Test func unknownVersionsAndImagesAreNotFound() async throws {
        try await ServerFixture.withServer { client, _ in
            for uri in ["/api/versions/1/9/images/img1/changes", "/api/versions/1/1/images/img9/changes", "/versions/0/1/images/img1", "/versions/1/1/images/img9"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                }
            }
            try await client.execute(uri: "/api/versions/1/1/images/img1/changes", method: .get) { response in
                let answered = try Self.features(Array(response.body.readableBytesView))
                #expect(answered.isEmpty)
            }
        }
    }
}
