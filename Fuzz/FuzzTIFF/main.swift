// libFuzzer target for the TIFF reader: every input is opened from memory and read page by page
// and as a stack. Thrown errors are the expected outcome for malformed input; a crash, a sanitizer
// report, a leak or a timeout is a bug. `make fuzz` builds it with -DFUZZING (libFuzzer supplies
// `main`); a plain build replays the files given as arguments, e.g. a crash input to debug it.
import FuzzSupport
import RasterIO

/// Feeds one input to the TIFF reader. Limits are small so that a header may not make it allocate
/// more than the fuzzer's memory budget.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let limits = ReadLimits(maxBytes: 64 << 20, maxPages: 4096)
    guard let file = try? TIFFFile(bytes: bytes, name: "fuzz.tif", limits: limits) else { return 0 }
    _ = try? file.stackLayout()
    _ = try? file.readStack()
    for page in 0..<min(file.pageCount, 64) {
        _ = try? file.readPage(page)
    }
    _ = file.pixelSize
    _ = try? file.series()
    return 0
}

#if FUZZING
/// The entry point SwiftPM links as `main`; see ``runLibFuzzer(_:_:_:)``.
@_cdecl("FuzzTIFF_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzOne(data, size) }
}
#else
// A global initialiser, not a statement: plain builds run it as the program, while the library-mode
// parse of fuzzing builds (-parse-as-library) accepts it and never evaluates it.
let replayedFiles = replayFuzzInputs { data, size in fuzzOne(data, size) }
#endif
