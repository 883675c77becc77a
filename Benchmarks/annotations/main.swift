// AnnotationsBench: runs one MIFAKit annotation operation on a file and prints one JSON line with
// its results and the seconds it took in-process (file reading excluded unless the operation is a
// load). Driven by Benchmarks/annotations_bench.py, which runs pycocotools, rasterio and Python's
// json on the same data in the same run; Tests/Interop uses `iou` and `merge` to compare results
// with pycocotools exactly.
//
//   AnnotationsBench encode STACK.npy         uint8 (N, H, W) masks -> compressed counts
//   AnnotationsBench decode COCO.json         every RLE annotation decoded to a column-major mask
//   AnnotationsBench frpoly COCO.json         every polygon rasterised (pycocotools' rleFrPoly)
//   AnnotationsBench merge COCO.json [--intersect]   the masks of each image merged
//   AnnotationsBench iou DT.json GT.json      IoU of every detection with every ground truth (per image 1)
//   AnnotationsBench trace LABELS.npy         label image -> polygons (pixel edges)
//   AnnotationsBench load COCO.json           read and index a COCO file
//   AnnotationsBench decode-strings RLES.json  [{"size": [h, w], "counts": "..."}] parsed and decoded
//   AnnotationsBench merge-strings GROUPS.json [[rle, ...], ...] parsed, merged, written as strings
//   AnnotationsBench frpoly-list POLYS.json   {"height": h, "width": w, "polygons": [[x, y, ...], ...]}
import Annotations
import Foundation
import MIFACore
import RasterIO

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("AnnotationsBench: \(message)\n".utf8))
    exit(1)
}

func emit(_ timing: Timing, _ object: [String: Any]) {
    var object = object
    object["seconds"] = timing.wall
    object["cpu"] = timing.cpu
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { fail("cannot encode the result") }
    print(String(decoding: data, as: UTF8.self))
}

/// CPU seconds this process has used (user + system, all threads).
func cpuSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Wall-clock and CPU seconds of one measured operation.
struct Timing {
    var wall: Double
    var cpu: Double

    static func + (lhs: Timing, rhs: Timing) -> Timing { Timing(wall: lhs.wall + rhs.wall, cpu: lhs.cpu + rhs.cpu) }
}

func seconds(_ body: () throws -> Void) rethrows -> Timing {
    let cpu = cpuSeconds()
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Timing(wall: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpu: cpuSeconds() - cpu)
}

/// The RLE masks of a COCO file, in annotation order, with their crowd flags.
func masks(_ path: String) throws -> (masks: [RLE], crowd: [Bool], byImage: [[RLE]]) {
    let document = try COCOReader.read(path: path).document
    var result: [RLE] = []
    var crowd: [Bool] = []
    var byImage: [Identifier: [RLE]] = [:]
    for annotation in document.annotations {
        guard let image = document.images.first(where: { $0.id == annotation.imageID }), let height = image.height, let width = image.width,
            let rle = try annotation.value.rle(height: height, width: width, drawing: MaskDrawing(rule: .coco))
        else { continue }
        result.append(rle)
        crowd.append(annotation.isCrowd)
        byImage[image.id, default: []].append(rle)
    }
    return (result, crowd, document.images.compactMap { byImage[$0.id] })
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first, arguments.count >= 2 else { fail("usage: AnnotationsBench encode|decode|frpoly|merge|iou|trace|load FILE...") }
do {
    switch command {
    case "encode":
        guard case .uint8(let stack) = try NPYFile.read(path: arguments[1]), stack.rank == 3 else { fail("encode takes a uint8 (N, H, W) .npy") }
        let (n, h, w) = (stack.shape[0], stack.shape[1], stack.shape[2])
        // pycocotools encodes Fortran-ordered masks; give MIFAKit the same layout.
        let columnMajor = (0..<n).map { index -> ContiguousArray<UInt8> in
            var plane = ContiguousArray<UInt8>(repeating: 0, count: h * w)
            for y in 0..<h { for x in 0..<w { plane[x * h + y] = stack.elements[(index * h + y) * w + x] } }
            return plane
        }
        var strings: [String] = []
        var rles: [RLE] = []
        let time = try seconds {
            rles = try columnMajor.map { plane in try plane.withUnsafeBufferPointer { try RLE(columnMajor: $0, height: h, width: w) } }
        }
        let textTime = seconds { strings = rles.map(\.compressedCounts) }
        emit(time + textTime, ["counts": strings])
    case "decode":
        let (list, _, _) = try masks(arguments[1])
        var total = 0
        let time = seconds {
            for rle in list {
                let decoded = rle.decode()
                total &+= Int(decoded.elements.last ?? 0)
            }
        }
        emit(time, ["masks": list.count, "checksum": total])
    case "frpoly":
        let document = try COCOReader.read(path: arguments[1]).document
        var jobs: [([Double], Int, Int)] = []
        for annotation in document.annotations {
            guard case .geometry(let geometry) = annotation.value, let image = document.images.first(where: { $0.id == annotation.imageID }),
                let height = image.height, let width = image.width
            else { continue }
            for polygon in geometry.polygons { jobs.append((polygon.exterior.flat, height, width)) }
        }
        var strings: [String] = []
        let time = try seconds { strings = try jobs.map { try RLE(polygon: $0.0, height: $0.1, width: $0.2).compressedCounts } }
        emit(time, ["counts": strings])
    case "merge":
        let intersect = arguments.contains("--intersect")
        let (_, _, groups) = try masks(arguments[1])
        var strings: [String] = []
        let time = try seconds { strings = try groups.map { try RLE.merge($0, intersect: intersect).compressedCounts } }
        emit(time, ["counts": strings])
    case "iou":
        guard arguments.count >= 3 else { fail("iou takes DT.json GT.json") }
        let detections = try masks(arguments[1]).masks
        let truth = try masks(arguments[2])
        var matrix: [[Double]] = []
        let time = try seconds { matrix = try RLE.iou(detections, truth.masks, crowd: truth.crowd) }
        emit(time, ["iou": matrix])
    case "trace":
        let labels = try LabelImage(NPYFile.read(path: arguments[1]))
        var traced: [TracedLabel] = []
        let time = try seconds { traced = try PixelEdgeTracer.trace(labels) }
        let areas = traced.map { ["label": $0.label, "area": $0.shape.area, "parts": $0.shape.polygons.count] as [String: Any] }
        emit(time, ["labels": traced.count, "objects": areas])
    case "load":
        var result: AnnotationReadResult?
        let time = try seconds {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: arguments[1]))
            result = try COCOReader.read(bytes: [UInt8](bytes), file: arguments[1])
        }
        emit(time, ["annotations": result?.document.annotations.count ?? 0, "images": result?.document.images.count ?? 0])
    case "decode-strings", "merge-strings":
        let data = try Data(contentsOf: URL(fileURLWithPath: arguments[1]))
        guard let json = try JSONSerialization.jsonObject(with: data) as? [Any] else { fail("expected a JSON list") }
        func rle(_ value: Any) -> (counts: [UInt8], height: Int, width: Int) {
            guard let object = value as? [String: Any], let size = object["size"] as? [Int], let counts = object["counts"] as? String else { fail("bad RLE") }
            return (Array(counts.utf8), size[0], size[1])
        }
        if command == "decode-strings" {
            let items = json.map(rle)
            var checksum = 0
            let time = try seconds {
                for item in items {
                    let mask = try RLE(compressed: item.counts, height: item.height, width: item.width).decode()
                    checksum &+= Int(mask.elements.last ?? 0)
                }
            }
            emit(time, ["masks": items.count, "checksum": checksum])
        } else {
            let groups = json.map { ($0 as? [Any] ?? []).map(rle) }
            var strings: [String] = []
            let time = try seconds {
                strings = try groups.map { group in
                    try RLE.merge(group.map { try RLE(compressed: $0.counts, height: $0.height, width: $0.width) }).compressedCounts
                }
            }
            emit(time, ["counts": strings])
        }
    case "frpoly-list":
        let data = try Data(contentsOf: URL(fileURLWithPath: arguments[1]))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any], let height = object["height"] as? Int,
            let width = object["width"] as? Int, let polygons = object["polygons"] as? [[Double]]
        else { fail("expected {height, width, polygons}") }
        var strings: [String] = []
        let time = try seconds { strings = try polygons.map { try RLE(polygon: $0, height: height, width: width).compressedCounts } }
        emit(time, ["counts": strings])
    default:
        fail("unknown command \(command)")
    }
} catch {
    fail("\(error)")
}
