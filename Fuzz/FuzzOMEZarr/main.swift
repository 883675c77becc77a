// libFuzzer target for the OME-Zarr layer: NGFF metadata validation and parsing, opening images whose
// metadata is hostile (OME-XML from TIFF descriptions is RasterIO's, fuzzed by FuzzTIFF). The first byte of an input chooses what
// the rest is: 0 a group's attributes (validated as every document kind, both versions, strict and
// not; detected), 1 the `zarr.json` of a 0.5 image group over fixed small arrays `0` and `1` (opened,
// summarised, levels and a physical box read, labels listed), 2 the `.zattrs` of a 0.4 image group
// over fixed v2 arrays. Thrown errors are the expected outcome for
// malformed input; a crash, a sanitizer report, a leak, a timeout or an allocation over the fuzzer's
// limit is a bug. `make fuzz` builds it with -DFUZZING (libFuzzer supplies `main`); a plain build
// replays the files given as arguments. Seeds: Fuzz/seeds_FuzzOMEZarr.py.
import FuzzSupport
import MIFACore
import OMEZarr
import Zarr

/// A store with the arrays `0` (2x16x16 uint16) and `1` (2x8x8) of an image group in `format`.
func imageStore(_ format: ZarrFormat) -> MemoryStore? {
    let store = MemoryStore()
    for (path, shape) in [("0", [2, 16, 16]), ("1", [2, 8, 8])] {
        guard var metadata = try? ArrayMetadata.make(format: format, shape: shape, dataType: .uint16, chunks: [1, 8, 8], compressor: .none,
                                                     dimensionNames: format == .v3 ? ["c", "y", "x"] : nil) else { return nil }
        if format == .v2 { metadata.chunkKeyEncoding = .v2(separator: "/") }
        guard let array = try? ZarrArray.create(store, path: path, metadata: metadata) else { return nil }
        _ = try? array.write(NDArray<UInt16>(shape: shape, repeating: 3))
    }
    return store
}

/// Opens the image at the store's root and uses it the ways a reader would.
func exercise(_ store: MemoryStore) {
    _ = try? OMEZarrSummary.describe(store)
    guard let image = try? OMEZarrImage.open(store) else { return }
    for level in image.levels.indices where image.levels[level].shape.reduce(1, *) <= 1 << 16 {
        _ = try? image.read(level: level)
        if let box = try? image.physicalRegion(of: Region(shape: image.levels[level].shape), level: level) {
            _ = try? image.read(level: 0, physical: box)
        }
    }
    _ = try? image.labelNames()
    _ = try? image.transform(fromLevel: image.levels.count - 1, toLevel: 0)
}

/// Feeds one input to the OME-Zarr layer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let mode = Int(data[0]) % 4
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch mode {
    case 0:
        guard let document = try? JSONParser.parse(bytes) else { return 0 }
        for version in NGFFVersion.allCases {
            for kind in NGFFDocumentKind.allCases {
                _ = NGFFValidator.validate(document, as: kind, version: version, strict: false)
                _ = NGFFValidator.validate(document, as: kind, version: version, strict: true)
            }
            if let object = document.objectValue {
                _ = try? NGFFGroupMetadata.detect(attributes: object, format: version.zarrFormat, file: "fuzz")
            }
        }
    case 1:
        guard let store = imageStore(.v3), let key = try? StoreKey("zarr.json") else { return 0 }
        try? store.set(key, bytes)
        exercise(store)
    case 2:
        guard let store = imageStore(.v2), let group = try? StoreKey(".zgroup"), let attributes = try? StoreKey(".zattrs") else { return 0 }
        try? store.set(group, Array(#"{"zarr_format":2}"#.utf8))
        try? store.set(attributes, bytes)
        exercise(store)
    default:
        break
    }
    return 0
}

#if FUZZING
/// The entry point SwiftPM links as `main`; see ``runLibFuzzer(_:_:_:)``.
@_cdecl("FuzzOMEZarr_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzOne(data, size) }
}
#else
// A global initialiser, not a statement: plain builds run it as the program, while the library-mode
// parse of fuzzing builds (-parse-as-library) accepts it and never evaluates it.
let replayedFiles = replayFuzzInputs { data, size in fuzzOne(data, size) }
#endif
