// libFuzzer target for the metadata reader: every input is read as JSON and as YAML, normalised and
// validated; whatever reads must write JSON that reads back, a valid document's normalised form must be
// canonical (valid, of the same kind, and unchanged by reading it again), and the JSON
// parser must round-trip through the canonical writer. Built by `make fuzz` with -DFUZZING; a plain
// build replays the files given as arguments (`FuzzMetadata crash-file ...`).
import MIFACore
import MIFAModel

#if !FUZZING
import Foundation
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    checkMetadataReader(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// Reads `bytes` every way and checks the properties that must hold for any input.
func checkMetadataReader(_ bytes: [UInt8]) {
    for format in MetadataFormat.allCases {
        guard let loaded = try? MetadataReader.read(bytes: bytes, format: format) else { continue }
        guard let written = try? loaded.normalizedJSON() else { fatalError("a loaded document cannot be written as JSON") }
        guard let again = try? MetadataReader.read(bytes: written, format: .json) else {
            fatalError("the normalised JSON does not read back: \(String(decoding: written, as: UTF8.self))")
        }
        // Only valid documents are ever written (`--write-normalized`); theirs must be canonical.
        guard loaded.report.isValid else { continue }
        guard let rewritten = try? again.normalizedJSON(), rewritten == written else {
            fatalError("normalising is not idempotent: \(String(decoding: written, as: UTF8.self))")
        }
        if !again.report.isValid || again.report.documentWasNormalized || again.kind != loaded.kind {
            fatalError("a valid document's normalised form is invalid or not canonical: \(again.report.issues)")
        }
        for issue in loaded.report.issues where issue.severity == .error {
            _ = issue.description
        }
    }
    if let value = try? JSONParser.parse(bytes) {
        if let written = try? CanonicalJSON.encode(value) {
            guard let reparsed = try? JSONParser.parse(written), reparsed == value else {
                fatalError("JSON does not round-trip: \(String(decoding: written, as: UTF8.self))")
            }
        }
    }
}

#if FUZZING
/// libFuzzer's driver (compiler-rt, `FuzzerDriver.cpp`).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The entry point SwiftPM links as `main` (`--defsym main=FuzzMetadata_main`); with
/// `-parse-as-library` there is no top-level code, so it hands over to libFuzzer's driver.
@_cdecl("FuzzMetadata_main")
public func fuzzMetadataMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzOne)
}
#else
/// Replays each file given as an argument and prints `ok N files`. (A declaration rather than
/// statements, so the file also parses in the fuzzing build's library mode.)
let replayedFiles: Int = {
    var count = 0
    for path in CommandLine.arguments.dropFirst() {
        guard let data = FileManager.default.contents(atPath: path) else {
            print("cannot read \(path)")
            exit(1)
        }
        checkMetadataReader([UInt8](data))
        count += 1
    }
    print("ok \(count) files")
    return count
}()
#endif
