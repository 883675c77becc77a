import TestSupport
import MIFACore
import Testing
@testable import Annotations

let qupathExport = """
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "id": "7d0c1b9e-0000-4000-8000-000000000001",
  "geometry": {"type": "Polygon", "coordinates": [[[10, 10], [20, 10], [20, 20], [10, 20], [10, 10]]], "plane": {"c": -1, "z": 2, "t": 0}},
  "properties": {"objectType": "annotation", "name": "Region 1", "color": [255, 0, 0], "isLocked": true,
                 "classification": {"name": "Tumor", "color": [200, 0, 0]},
                 "measurements": {"Area µm^2": 25.50, "Num Detections": 3}}},
 {"type": "Feature", "id": "7d0c1b9e-0000-4000-8000-000000000002",
  "geometry": {"type": "Polygon", "coordinates": [[[1, 1], [5, 1], [5, 5], [1, 5], [1, 1]], [[2, 2], [2, 3], [3, 3], [3, 2], [2, 2]]]},
  "nucleusGeometry": {"type": "Polygon", "coordinates": [[[2, 2], [3, 2], [3, 3], [2, 3], [2, 2]]]},
  "properties": {"objectType": "cell", "classification": {"names": ["Tumor", "Positive"], "color": [1, 2, 3]},
                 "measurements": [{"name": "Nucleus: Area", "value": 4.0}]}}
]}
"""

@Suite("GeoJSON")
struct GeoJSONTests {
    @Test("QuPath's properties are understood and kept on a round trip")
    func qupathRoundTrip() throws {
        let first = try GeoJSONReader.read(bytes: Array(qupathExport.utf8), file: "qupath.geojson")
        #expect(first.warnings.isEmpty)
        let document = first.document
        #expect(document.categories.map(\.name) == ["Tumor", "Tumor: Positive"])
        #expect(document.categories[0].color == [200, 0, 0])
        #expect(document.annotations[0].categoryID == "Tumor")
        #expect(document.annotations[0].properties["measurements"]?["Area µm^2"]?.numberValue?.literal == "25.50")
        #expect(document.annotations[1].properties["mifa:feature"]?["nucleusGeometry"] != nil)
        let written = try GeoJSONWriter.encode(document)
        let again = try GeoJSONReader.read(bytes: written).document
        #expect(again == document)
        #expect(try GeoJSONWriter.encode(again) == written)
        let text = String(decoding: written, as: UTF8.self)
        #expect(text.contains(#""classification":{"names":["Tumor","Positive"],"color":[1,2,3]}"#))
        #expect(text.contains(#""nucleusGeometry":{"type":"Polygon""#))
        #expect(text.contains(#""geometry":{"type":"Polygon","plane":{"c":-1,"z":2,"t":0},"coordinates""#))
    }

    @Test("wrong winding is fixed; unclosed rings are refused, or closed with --repair")
    func windingAndClosure() throws {
        let json = #"{"type":"Polygon","coordinates":[[[0,0],[0,4],[4,4],[4,0]],[[1,1],[3,1],[3,3],[1,3],[1,1]]]}"#
        #expect(throws: AnnotationError.self) { try GeoJSONReader.read(bytes: Array(json.utf8)) }
        let result = try GeoJSONReader.read(bytes: Array(json.utf8), options: GeoJSONReadOptions(repair: true))
        #expect(Set(result.warnings.map(\.code)) == [.unclosedRing, .winding])
        guard case .geometry(.polygon(let polygon)) = result.document.annotations[0].value else { Issue.record("not a polygon"); return }
        #expect(polygon.exterior.signedArea == 16 && polygon.holes[0].signedArea == -4)
    }

    @Test("invalid geometry is an error with the place", arguments: [
        (#"{"type":"Polygon","coordinates":[[[0,0],[4,4],[4,0],[0,4],[0,0]]]}"#, "/coordinates/0", "invalid-geometry"),
        (#"{"type":"Polygon","coordinates":[[[0,0],[4,4],[0,0]]]}"#, "/coordinates/0", "invalid-geometry"),
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1]},"properties":null}]}"#, "/features/0/geometry/coordinates", "invalid-geometry"),
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Blob","coordinates":[1,2]}}]}"#, "/features/0/geometry/type", "malformed"),
        (#"{"type":"Feature","geometry":null,"properties":{"mifa:type":"count"}}"#, "", "malformed"),
    ])
    func invalid(json: String, pointer: String, code: String) {
        do {
            _ = try GeoJSONReader.read(bytes: Array(json.utf8), file: "bad.geojson")
            Issue.record("no error for \(json)")
        } catch let error as AnnotationError {
            #expect(error.code == code, "\(error)")
            #expect(error.context.pointer == pointer, "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("every MIFA type reads back as what it was")
    func mifaTypes() throws {
        let graph = AnnotationGraph(nodes: [.init(id: 1, position: Point(x: 0, y: 0)), .init(id: 2, position: Point(x: 3, y: 4, z: 1))], edges: [.init(from: 1, to: 2)])
        let annotations: [Annotation] = [
            Annotation(id: 1, value: .box(BoundingBox(x: 1, y: 2, width: 3, height: 4)), isWeak: true),
            Annotation(id: 2, value: .geometry(.rectangle(BoundingBox(x: 0, y: 0, width: 2, height: 2)))),
            Annotation(id: 3, value: .geometry(.ellipse(Ellipse(center: Vertex(5, 5), radiusX: 3, radiusY: 2, rotation: 0.5)))),
            Annotation(id: 4, categoryID: "cell", value: .count(Count(12, region: .polygon(Geometry.rectangle(BoundingBox(x: 0, y: 0, width: 9, height: 9)).polygons[0])))),
            Annotation(id: 5, value: .derived(DerivedValue(name: "mean", value: 3.25, unit: "a.u."))),
            Annotation(id: 6, value: .graph(graph)),
            Annotation(id: 7, categoryID: "cell", value: .classLabel, confidence: 0.5),
            Annotation(id: 8, value: .geometry(.point(Point(x: 1.5, y: 2.5))), frame: 3, trackID: 9),
            Annotation(id: 9, value: .geometry(.polyline(Polyline([Vertex(0, 0), Vertex(1, 1)])))),
        ]
        let document = AnnotationDocument(categories: [Category(id: "cell", name: "cell")], annotations: annotations)
        let again = try GeoJSONReader.read(bytes: try GeoJSONWriter.encode(document)).document
        #expect(again.annotations.count == annotations.count)
        for (a, b) in zip(again.annotations, annotations) {
            var a = a
            a.properties["objectType"] = nil
            #expect(a == b)
        }
    }

    @Test("masks go out as traced polygons that rasterise back exactly")
    func masks() throws {
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<40 {
            let (height, width) = (Int.random(in: 1...16, using: &rng), Int.random(in: 1...16, using: &rng))
            let array = randomLabelImage(height: height, width: width, labels: 1, density: 0.5, using: &rng)
            let expected = spans(of: 1, in: array)
            guard expected.count > 0 else { continue }
            let document = AnnotationDocument(annotations: [Annotation(value: .mask(try RLE(spans: expected)))])
            let again = try GeoJSONReader.read(bytes: try GeoJSONWriter.encode(document))
            #expect(again.warnings.isEmpty)
            #expect(try again.document.annotations[0].value.spans(height: height, width: width) == expected)
        }
    }
}
