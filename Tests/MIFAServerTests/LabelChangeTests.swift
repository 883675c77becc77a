import DatasetPackage
import Foundation
import MIFACore
import MIFAServer
import OMEZarr
import RasterIO
import Testing
import TestSupport
import Zarr

/// `/api/versions/<from>/<to>/images/<id>/label-changes` and the change tiles: random label images
/// for version 2 of img1's `nuclei` set, and the values answered and the colours drawn are those
/// the two label arrays imply, computed here from their pixels.
@Suite struct LabelChangeTests {
    /// img1's `nuclei` labels in version 1 (``ServerFixture/writeImage(_:seed:label:)``).
    static func versionOne() -> [UInt8] {
        var labels = [UInt8](repeating: 0, count: 16 * 24)
        for y in 2..<6 { for x in 3..<9 { labels[y * 24 + x] = 1 } }
        for y in 9..<14 { for x in 12..<20 { labels[y * 24 + x] = 2 } }
        return labels
    }

    /// Labels 1, 2 kept, moved or dropped and labels 3, 4 maybe drawn, as random rectangles over version 1's.
    static func randomLabels(_ random: inout SeededGenerator) -> [UInt8] {
        var labels = versionOne()
        for value in UInt8(1)...4 {
            switch Int.random(in: 0..<3, using: &random) {
            case 0: continue
            case 1: for i in labels.indices where labels[i] == value { labels[i] = 0 }
            default:
                for i in labels.indices where labels[i] == value { labels[i] = 0 }
                let y = Int.random(in: 0..<12, using: &random), x = Int.random(in: 0..<18, using: &random)
                for r in y..<(y + 4) { for c in x..<(x + 6) { labels[r * 24 + c] = value } }
            }
        }
        return labels
    }

    /// The values added, removed and changed from `old` to `new` (a value changes when its pixels differ).
    static func expectedChanges(_ old: [UInt8], _ new: [UInt8]) -> (added: [Int64], removed: [Int64], changed: [Int64]) {
        func pixels(_ labels: [UInt8]) -> [UInt8: Set<Int>] {
            var result: [UInt8: Set<Int>] = [:]
            for (i, value) in labels.enumerated() where value != 0 { result[value, default: []].insert(i) }
            return result
        }
        let before = pixels(old), after = pixels(new)
        let sorted = { (values: [UInt8]) in values.sorted().map(Int64.init) }
        return (sorted(after.keys.filter { before[$0] == nil }), sorted(before.keys.filter { after[$0] == nil }),
                sorted(before.keys.filter { after[$0] != nil && after[$0] != before[$0] }))
    }

    @Test(arguments: 1...6) func labelChangesAreThoseOfTheTwoArraysAndDrawnWhereTheirPixelsAre(seed: UInt64) async throws {
        try await ServerFixture.withServer { client, root in
            var random = SeededGenerator(seed: seed)
            let old = Self.versionOne(), new = Self.randomLabels(&random)
            let relabel = VersionEdit.custom { staging in
                let image = try OMEZarrImage.open(DirectoryStore(root: staging.path("images/img1")))
                _ = try image.addLabel(name: "nuclei", AnyNDArray(NDArray<UInt8>(shape: [16, 24], elements: new)),
                                       options: OMEZarrWriteOptions(levels: 2, chunks: [8, 8], overwrite: true))
            }
            try VersionMaker.make(VersionRequest(version: "2", changes: "relabel", edits: [relabel], timestamp: "2026-01-02T00:00:00Z"),
                                  in: DatasetPackage.open(root))
            let expected = Self.expectedChanges(old, new)
            let changed = !(expected.added.isEmpty && expected.removed.isEmpty && expected.changed.isEmpty)
            try await client.execute(uri: "/api/versions/1/2/images/img1/label-changes", method: .get) { response in
                #expect(response.status == .ok)
                let sets = try JSONParser.parse(Array(response.body.readableBytesView))["sets"]?.arrayValue ?? []
                #expect(sets.count == (changed ? 1 : 0), "seed \(seed)")
                if let set = sets.first {
                    let values = { (key: String) in set[key]?.arrayValue?.compactMap { $0.numberValue?.int64Value } ?? [] }
                    #expect(set["set"]?.stringValue == "nuclei")
                    #expect(values("added") == expected.added && values("removed") == expected.removed && values("changed") == expected.changed, "seed \(seed)")
                }
            }
            // Removed and changed where version 1 has them, then added and changed where version 2 has them.
            let colors: [String: [UInt8]] = ["added": [0x00, 0xC8, 0x53, 255], "removed": [0xFF, 0x17, 0x44, 255], "changed": [0xFF, 0x91, 0x00, 255]]
            var drawn = [[UInt8]](repeating: [0, 0, 0, 0], count: 16 * 24)
            for i in drawn.indices {
                if expected.removed.contains(Int64(old[i])) { drawn[i] = colors["removed"]! }
                if expected.changed.contains(Int64(old[i])) { drawn[i] = colors["changed"]! }
                if expected.added.contains(Int64(new[i])) { drawn[i] = colors["added"]! }
                if expected.changed.contains(Int64(new[i])) { drawn[i] = colors["changed"]! }
            }
            try await client.execute(uri: "/api/versions/1/2/tiles/img1/0/0/0.png", method: .get) { response in
                #expect(response.status == .ok)
                let picture = try PNGFile.decode(Array(response.body.readableBytesView))
                #expect(picture.shape == [16, 24, 4], "an overlay with transparent pixels is RGBA")
                let pixels = Array(picture.array.typed(as: UInt8.self)?.elements ?? [])
                let colours = stride(from: 0, to: pixels.count, by: 4).map { Array(pixels[$0..<($0 + 4)]) }
                #expect(colours.count == drawn.count)
                let wrong = colours.indices.filter { colours[$0][3] == 0 ? drawn[$0][3] != 0 : colours[$0] != drawn[$0] }
                #expect(wrong.isEmpty, "seed \(seed): pixels \(wrong.prefix(5)) drawn \(wrong.prefix(5).map { colours[$0] }), expected \(wrong.prefix(5).map { drawn[$0] })")
            }
            try await client.execute(uri: "/api/versions/1/2/tiles/img1/0/0/0.png?changes=added", method: .get) { response in
                let picture = try PNGFile.decode(Array(response.body.readableBytesView))
                let pixels = Array(picture.array.typed(as: UInt8.self)?.elements ?? [])
                let samples = picture.shape.count == 3 ? picture.shape[2] : 1
                let opaque = (0..<(16 * 24)).filter { samples == 4 ? pixels[$0 * 4 + 3] != 0 : true }
                #expect(opaque.count == new.filter { expected.added.contains(Int64($0)) }.count, "seed \(seed): only the added objects")
            }
            // Under a pixel (the viewer's hover): version 1's object there if removed or changed, then version 2's if added or changed.
            for _ in 0..<24 {
                let y = Int.random(in: 0..<16, using: &random), x = Int.random(in: 0..<24, using: &random), i = y * 24 + x
                var wanted: [String] = []
                for (value, version, kinds) in [(Int64(old[i]), "1", [("removed", expected.removed), ("changed", expected.changed)]),
                                                (Int64(new[i]), "2", [("added", expected.added), ("changed", expected.changed)])] where value != 0 {
                    for (kind, values) in kinds where values.contains(value) { wanted.append("nuclei \(value) \(kind) \(version)") }
                }
                try await client.execute(uri: "/api/versions/1/2/images/img1/label-changes/at?x=\(x)&y=\(y)", method: .get) { response in
                    #expect(response.status == .ok)
                    let objects = try JSONParser.parse(Array(response.body.readableBytesView))["objects"]?.arrayValue ?? []
                    let got = objects.map { object in
                        ["set", "value", "change", "version"].map { object[$0]?.stringValue ?? object[$0]?.numberValue.map { "\($0)" } ?? "?" }.joined(separator: " ")
                    }
                    #expect(got == wanted, "seed \(seed), pixel (\(x), \(y))")
                }
            }
        }
    }

    @Test func unknownVersionsImagesAndKindsAreRefused() async throws {
        try await ServerFixture.withServer { client, _ in
            for (uri, status) in [("/api/versions/1/9/images/img1/label-changes", 404), ("/api/versions/1/1/images/img9/label-changes", 404),
                                  ("/api/versions/1/1/tiles/img1/0/0/0.png?changes=moved", 400), ("/api/versions/1/1/tiles/img1/0/5/0.png", 400),
                                  ("/api/versions/1/1/tiles/img1/0/0/x.png", 400), ("/api/versions/1/9/images/img1/label-changes/at?x=0&y=0", 404),
                                  ("/api/versions/1/1/images/img1/label-changes/at?x=0", 400), ("/api/versions/1/1/images/img1/label-changes/at?x=a&y=0", 400)] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status.code == status, "\(uri)") }
            }
            try await client.execute(uri: "/api/versions/1/1/images/img1/label-changes", method: .get) { response in
                let answer = try JSONParser.parse(Array(response.body.readableBytesView))
                #expect(answer["sets"]?.arrayValue?.isEmpty == true)
            }
        }
    }
}
