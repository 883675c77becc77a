// libFuzzer target for the annotation readers. The first byte chooses the reader: 0 a COCO RLE
// counts string (the next two bytes give the height and width), 1 GeoJSON, 2 COCO JSON. Thrown
// errors are the expected outcome for malformed input; a crash, a sanitizer report, a leak, a
// timeout, or a broken invariant is a bug:
// - a counts string that decodes re-encodes to the same counts, and its mask encodes to them;
// - whatever GeoJSON or COCO reads, its writer writes, and that reads back to as many annotations.
// Built by `make fuzz` with -DFUZZING; a plain build replays the files given as arguments.
import FuzzSupport
import Annotations
import MIFACore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let body = Array(bytes.dropFirst())
    switch bytes[0] % 3 {
    case 0: checkRLE(body)
    case 1: checkGeoJSON(body)
    default: checkCOCO(body)
    }
    return 0
}

/// Decodes a counts string for a small mask and checks the encode/decode invariants.
func checkRLE(_ body: [UInt8]) {
    guard body.count >= 2 else { return }
    let height = Int(body[0] % 64), width = Int(body[1] % 64)
    let text = Array(body.dropFirst(2))
    guard let rle = try? RLE(compressed: text, height: height, width: width) else { return }
    guard rle.compressedCountBytes == text || (try? RLE(compressed: rle.compressedCountBytes, height: height, width: width)) == rle else {
        fatalError("counts do not re-encode: \(String(decoding: text, as: UTF8.self))")
    }
    let mask = rle.decode()
    guard let again = try? RLE(mask: mask), again.area == rle.area, again.boundingBox == rle.boundingBox || rle.counts.contains(0) else {
        fatalError("decode/encode changes the mask: \(String(decoding: text, as: UTF8.self))")
    }
    _ = try? RLE.merge([rle, again], intersect: true)
    _ = try? RLE.iou([rle], [again], crowd: [true])
    _ = PixelEdgeTracer.trace(rle)
}

/// Reads GeoJSON, writes it and reads the result back.
func checkGeoJSON(_ body: [UInt8]) {
    guard let read = try? GeoJSONReader.read(bytes: body, file: "fuzz.geojson") else { return }
    guard let written = try? GeoJSONWriter.encode(read.document) else { return }
    guard let again = try? GeoJSONReader.read(bytes: written, options: GeoJSONReadOptions(allowInvalidRings: true)),
        again.document.annotations.count == read.document.annotations.count
    else { fatalError("written GeoJSON does not read back: \(String(decoding: written.prefix(2000), as: UTF8.self))") }
}

/// Reads COCO, writes it and reads the result back.
func checkCOCO(_ body: [UInt8]) {
    guard let read = try? COCOReader.read(bytes: body, file: "fuzz.json") else { return }
    for annotation in read.document.annotations.prefix(16) {
        guard let image = read.document.images.first(where: { $0.id == annotation.imageID }), let height = image.height, let width = image.width,
            height * width <= 1 << 16
        else { continue }
        _ = try? annotation.value.rle(height: height, width: width, drawing: MaskDrawing(rule: .coco))
    }
    guard let written = try? COCOWriter.encode(read.document) else { return }
    guard let again = try? COCOReader.read(bytes: written), again.document.annotations.count == read.document.annotations.count else {
        fatalError("written COCO does not read back: \(String(decoding: written.prefix(2000), as: UTF8.self))")
    }
}

#if FUZZING
/// The entry point SwiftPM links as `main`; see ``runLibFuzzer(_:_:_:)``.
@_cdecl("FuzzAnnotations_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzOne(data, size) }
}
#else
// A global initialiser, not a statement: plain builds run it as the program, while the library-mode
// parse of fuzzing builds (-parse-as-library) accepts it and never evaluates it.
let replayedFiles = replayFuzzInputs { data, size in fuzzOne(data, size) }
#endif
