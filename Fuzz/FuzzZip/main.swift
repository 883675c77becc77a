// libFuzzer target for the zip store: the input is a whole zip file. It is written to a temporary
// file, opened as a ZipStore with a 1 MiB read limit, listed, and every entry is read whole and in
// ranges; the same bytes as an object in a memory store (read in place as an HTTP or S3 object is)
// must open, list and read exactly as the file does. Thrown errors are the expected outcome for malformed input; a crash, a sanitizer report,
// a leak, a timeout or an allocation over the fuzzer's limit is a bug, and so is a broken claim:
// a read larger than the limit, a stored entry larger than the file, a range read that disagrees
// with the whole value, or a listed key that does not exist. `make fuzz` builds it with -DFUZZING
// (libFuzzer supplies `main`); a plain build replays the files given as arguments.
import Foundation
import FuzzSupport
import Zarr

/// The read limit the store is opened with.
let maxEntryBytes = 1 << 20

/// One scratch file per process: fuzz inputs are written here before opening.
let scratchPath = FileManager.default.temporaryDirectory.path + "/FuzzZip-\(ProcessInfo.processInfo.processIdentifier).zip"

/// The key of the input as an object in a memory store.
let objectKey = try! StoreKey("input.zip")

/// Checks what the store claims about one entry.
func check(_ store: ZipStore, _ key: StoreKey, fileSize: Int) {
    precondition((try? store.exists(key)) == true, "listed key '\(key)' does not exist")
    guard let whole = try? store.get(key) else { return }
    precondition(whole.count <= maxEntryBytes, "entry '\(key)' returned \(whole.count) bytes, over the \(maxEntryBytes)-byte limit")
    for range: ByteRange in [.range(offset: 1, length: 5), .suffix(length: 3), .from(offset: whole.count / 2)] {
        guard let part = try? store.get(key, range: range) else { continue }
        let (offset, count) = ByteRange.resolve(range, size: whole.count)
        precondition(part == Array(whole[offset..<(offset + count)]), "range \(range) of '\(key)' disagrees with the whole value")
    }
    // Deflate expands at most ~1032:1; a value larger than that could not have come from the file.
    precondition(whole.count <= fileSize * 1032 + 1024, "entry '\(key)' returned \(whole.count) bytes from a \(fileSize)-byte file")
}

/// Feeds one input to the zip store.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    guard FileManager.default.createFile(atPath: scratchPath, contents: Data(bytes: data, count: size)) else {
        fatalError("cannot write \(scratchPath)")
    }
    defer { _ = try? FileManager.default.removeItem(atPath: scratchPath) }
    let object = try? ZipStore(store: MemoryStore([objectKey: Array(UnsafeBufferPointer(start: data, count: size))]), key: objectKey,
                               prefix: "", maxEntryBytes: maxEntryBytes)
    guard let store = try? ZipStore(path: scratchPath, prefix: "", maxEntryBytes: maxEntryBytes) else {
        precondition(object == nil, "the object opens as a zip where the file does not")
        return 0
    }
    guard let object else { preconditionFailure("the file opens as a zip where the object does not") }
    guard let keys = try? store.list(prefix: "") else { return 0 }
    precondition(keys == keys.sorted(), "listing is not sorted")
    precondition((try? object.list(prefix: "")) == keys, "the object lists other keys than the file")
    for key in keys.prefix(64) {
        check(store, key, fileSize: size)
        precondition((try? object.get(key)) == (try? store.get(key)), "entry '\(key)' reads differently from the object and the file")
    }
    _ = try? store.listDirectory(prefix: "")
    return 0
}

#if FUZZING
/// The entry point SwiftPM links as `main`; see ``runLibFuzzer(_:_:_:)``.
@_cdecl("FuzzZip_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzOne(data, size) }
}
#else
// A global initialiser, not a statement: plain builds run it as the program, while the library-mode
// parse of fuzzing builds (-parse-as-library) accepts it and never evaluates it.
let replayedFiles = replayFuzzInputs { data, size in fuzzOne(data, size) }
#endif
