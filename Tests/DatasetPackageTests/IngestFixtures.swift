import DatasetPackage
import Foundation
import MIFACore
import RasterIO

/// Small sources for the ingest tests, made inside the test run: 64x64 images with a bright square
/// per object, matching instance masks, a COCO file, GeoJSON files, metadata YAML and a file list.
enum IngestFixtures {
    /// The pixels of image `index`: a gradient plus bright squares where its objects are.
    static func image(_ index: Int) throws -> NDArray<UInt16> {
        var elements = [UInt16](repeating: 0, count: 64 * 64)
        for y in 0..<64 { for x in 0..<64 { elements[y * 64 + x] = UInt16(100 * index + x + y) } }
        for (label, box) in boxes(index).enumerated() {
            for y in box.y..<(box.y + box.size) { for x in box.x..<(box.x + box.size) { elements[y * 64 + x] = UInt16(1000 + label) } }
        }
        return try NDArray(shape: [64, 64], elements: elements)
    }

    /// The instance mask of image `index`: label `k + 1` on the k-th square.
    static func mask(_ index: Int) throws -> NDArray<UInt16> {
        var elements = [UInt16](repeating: 0, count: 64 * 64)
        for (label, box) in boxes(index).enumerated() {
            for y in box.y..<(box.y + box.size) { for x in box.x..<(box.x + box.size) { elements[y * 64 + x] = UInt16(label + 1) } }
        }
        return try NDArray(shape: [64, 64], elements: elements)
    }

    /// The objects' squares of image `index`.
    static func boxes(_ index: Int) -> [(x: Int, y: Int, size: Int)] {
        (0..<(2 + index % 2)).map { k in (x: 4 + 18 * k, y: 6 + 5 * index + 10 * k, size: 8 + k) }
    }

    /// A polygon GeoJSON of image `index`'s squares (corner-based pixel coordinates), ids `<prefix>-<k>`.
    static func geojson(_ index: Int, idPrefix: String) -> String {
        let features = boxes(index).enumerated().map { k, box in
            let (x0, y0, x1, y1) = (box.x, box.y, box.x + box.size, box.y + box.size)
            return """
                {"type": "Feature", "id": "\(idPrefix)-\(k)", "geometry": {"type": "Polygon", "coordinates": [[[\(x0), \(y0)], [\(x1), \(y0)], [\(x1), \(y1)], [\(x0), \(y1)], [\(x0), \(y0)]]]}, "properties": {"objectType": "annotation", "classification": {"name": "nucleus"}}}
                """
        }
        return "{\"type\": \"FeatureCollection\", \"features\": [\(features.joined(separator: ", "))]}"
    }

    /// A COCO file with boxes for the given images (file names `img<i>.tif`).
    static func coco(_ indices: [Int], duplicateID: Bool = false) -> String {
        var annotations: [String] = []
        var next = 1
        for index in indices {
            for box in boxes(index) {
                annotations.append("{\"id\": \(duplicateID ? 1 : next), \"image_id\": \(index + 1), \"category_id\": 1, \"bbox\": [\(box.x), \(box.y), \(box.size), \(box.size)], \"area\": \(box.size * box.size), \"iscrowd\": 0}")
                next += 1
            }
        }
        let images = indices.map { "{\"id\": \($0 + 1), \"file_name\": \"img\($0).tif\", \"width\": 64, \"height\": 64}" }
        return """
            {"images": [\(images.joined(separator: ", "))], "categories": [{"id": 1, "name": "nucleus"}], "annotations": [\(annotations.joined(separator: ", "))]}
            """
    }

    /// Metadata YAML with the given annotation sets (each a YAML block of set fields, indented by 4).
    static func metadata(sets: [String], images: String = "") -> String {
        """
        study:
          title: Synthetic nuclei for ingest tests
          description: Fluorescence images of nuclei made for testing nuclear segmentation packaging.
          keywords: [nucleus, segmentation]
          license: CC-BY-4.0
          funding_statement: No funding.
          link_url: [https://example.org/nuclei]
          authors:
            - author_first_name: Josiah
              author_last_name: Carberry
              orcid_id: 0000-0002-1825-0097
        \(images)
        annotations:
        \(sets.map { "  - " + $0.dropFirst(4) }.joined(separator: "\n"))
        version:
          version: "0.9"
          timestamp: 2024-01-01T00:00:00Z

        """
    }

    /// One annotation set's YAML (indented by 4) with an annotator.
    static func set(overview: String, types: [String], indicator: String? = nil, annotator: String = "Ada", files: String = "") -> String {
        var text = """
                annotation_overview: \(overview)
                annotation_type: [\(types.joined(separator: ", "))]
                annotation_method: Drawn by hand and checked by a second annotator.
                authors:
                  - author_first_name: \(annotator)
                    author_last_name: Lovelace
            """
        if let indicator { text += "\n    annotation_source_indicator: \(indicator)" }
        if !files.isEmpty { text += "\n    file_metadata:\n" + files }
        return text
    }

    /// Writes a file, creating folders.
    static func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Writes image `index` as a TIFF (or PNG) at `path`.
    static func writeImage(_ index: Int, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try RasterFile.write(try RasterImage(array: AnyNDArray(try image(index)), axes: "YX"), to: path)
    }

    /// Writes mask `index` as a PNG (or TIFF) at `path`.
    static func writeMask(_ index: Int, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try RasterFile.write(try RasterImage(array: AnyNDArray(try mask(index)), axes: "YX"), to: path)
    }
}
