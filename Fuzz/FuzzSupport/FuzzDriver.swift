// The libFuzzer plumbing every fuzz target shares: handing control to libFuzzer's driver in fuzzing
// builds (-DFUZZING, -sanitize=fuzzer) and replaying files named on the command line in plain builds.
import Foundation

/// One fuzz input: bytes in, 0 out (libFuzzer's `LLVMFuzzerTestOneInput` shape).
public typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

#if FUZZING
/// libFuzzer's driver (`int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*cb)(const uint8_t *, size_t))`),
/// linked in by -sanitize=fuzzer but declared in no module. For these arguments (three pointers,
/// an `int` result) the Swift and C calling conventions agree on x86-64 and arm64.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: FuzzCallback
) -> CInt
#endif

/// Runs libFuzzer on `callback` with the program's arguments.
///
/// Each target calls this from its entry point `@_cdecl("<Target>_main")`: SwiftPM links an
/// executable's `main` as an alias of `<Target>_main`, which a library-mode (-parse-as-library)
/// build does not emit, so libFuzzer's own `main` is never linked.
public func runLibFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ callback: FuzzCallback) -> CInt {
    #if FUZZING
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, callback)
    #else
    fatalError("runLibFuzzer needs a build with -DFUZZING and -sanitize=fuzzer (make fuzz)")
    #endif
}

/// Feeds each file named on the command line to `callback` (plain builds: reproduce a crash input
/// with `<Target> crash-file ...`), prints `ok N files` and returns N. Exits 1 on an unreadable file.
public func replayFuzzInputs(_ callback: FuzzCallback) -> Int {
    var count = 0
    for path in CommandLine.arguments.dropFirst() {
        guard let data = FileManager.default.contents(atPath: path) else {
            print("cannot read \(path)")
            exit(1)
        }
        _ = data.withUnsafeBytes { raw in callback(raw.bindMemory(to: UInt8.self).baseAddress, raw.count) }
        count += 1
    }
    print("ok \(count) files")
    return count
}
