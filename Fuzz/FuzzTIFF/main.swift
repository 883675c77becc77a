// libFuzzer target for the TIFF reader: every input is opened from memory and read page by page
// and as a stack. Thrown errors are the expected outcome for malformed input; a crash, a sanitizer
// report, a leak or a timeout is a bug. `make fuzz` builds it with -DFUZZING (libFuzzer supplies
// `main`); a plain build replays the files given as arguments, e.g. a crash input to debug it.
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
    return 0
}

#if FUZZING
/// libFuzzer's driver (`int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*cb)(const uint8_t *, size_t))`),
/// linked in by -sanitize=fuzzer but declared in no module. For these arguments (three pointers,
/// an `int` result) the Swift and C calling conventions agree on x86-64 and arm64.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The program's entry point in fuzzing builds. SwiftPM links executables with `main` aliased to
/// `FuzzTIFF_main`, which a library-mode (-parse-as-library) build does not emit, and so libFuzzer's
/// own `main` is never linked; define the entry point here and hand over to libFuzzer's driver.
@_cdecl("FuzzTIFF_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzOne(data, size) }
}
#else
import Foundation

/// Replays each file named on the command line through ``fuzzOne(_:_:)`` and returns the count.
func replayArguments() -> Int {
    var count = 0
    for path in CommandLine.arguments.dropFirst() {
        guard let data = FileManager.default.contents(atPath: path) else {
            print("cannot read \(path)")
            exit(1)
        }
        _ = data.withUnsafeBytes { raw in fuzzOne(raw.bindMemory(to: UInt8.self).baseAddress, raw.count) }
        count += 1
    }
    print("ok \(count) files")
    return count
}

// A global initialiser, not a statement: plain builds run it as the program, while the library-mode
// parse of fuzzing builds (-parse-as-library) accepts it and never evaluates it.
let replayed = replayArguments()
#endif
