// libFuzzer target for the metadata reader: every input is read as JSON and as YAML, normalised and
// validated; whatever reads must write JSON that reads back, a valid document's normalised form must be
// canonical (valid, of the same kind, and unchanged by reading it again), and the JSON
// parser must round-trip through the canonical writer. Built by `make fuzz` with -DFUZZING; a plain
// build replays the files given as arguments (`FuzzMetadata crash-file ...`).
import FuzzSupport
import MIFACore
import MIFAModel

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
/// The entry point SwiftPM links as `main`; see ``runLibFuzzer(_:_:_:)``.
@_cdecl("FuzzMetadata_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzOne(data, size) }
}
#else
// A global initialiser, not a statement: plain builds run it as the program, while the library-mode
// parse of fuzzing builds (-parse-as-library) accepts it and never evaluates it.
let replayedFiles = replayFuzzInputs { data, size in fuzzOne(data, size) }
#endif
