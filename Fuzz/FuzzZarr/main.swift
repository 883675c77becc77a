// libFuzzer target for the Zarr engine: metadata parsing and chunk decoding. The first byte of an
// input chooses what the rest is: 0 a v3 `zarr.json` (parsed, opened, and read when small), 1 a v2
// `.zarray`, 2 a group document (v3 with consolidated metadata, or v2 `.zmetadata`), 3 and up a
// stored chunk or shard for one of the fixed arrays in `chunkArrays` and `stringChunkArrays`
// (read whole and in a region).
// Thrown errors are the expected outcome for malformed input; a crash, a sanitizer report, a leak,
// a timeout or an allocation over the fuzzer's limit is a bug. `make fuzz` builds it with
// -DFUZZING (libFuzzer supplies `main`); a plain build replays the files given as arguments.
import FuzzSupport
import MIFACore
import Zarr

/// Arrays whose chunks the fuzzer feeds: 16x16 uint16 (then 16x16 strings, ``stringChunkArrays``),
/// one chunk (or shard) `c/0/0`. The seeds script (Fuzz/seeds_FuzzZarr.py) writes chunks for
/// exactly these codecs with zarr-python.
let chunkArrays: [String] = [
    #"[{"name":"bytes","configuration":{"endian":"little"}},{"name":"blosc","configuration":{"cname":"lz4","clevel":5,"shuffle":"shuffle","typesize":2,"blocksize":0}}]"#,
    #"[{"name":"bytes","configuration":{"endian":"little"}},{"name":"zstd","configuration":{"level":3,"checksum":false}}]"#,
    #"[{"name":"bytes","configuration":{"endian":"little"}},{"name":"gzip","configuration":{"level":5}}]"#,
    #"[{"name":"bytes","configuration":{"endian":"little"}},{"name":"numcodecs.zlib","configuration":{"level":1}}]"#,
    #"[{"name":"bytes","configuration":{"endian":"little"}},{"name":"zstd","configuration":{"level":3,"checksum":true}},{"name":"crc32c"}]"#,
    #"[{"name":"sharding_indexed","configuration":{"chunk_shape":[8,8],"codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"zstd","configuration":{"level":3,"checksum":false}}],"index_codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"crc32c"}],"index_location":"end"}}]"#,
    #"[{"name":"sharding_indexed","configuration":{"chunk_shape":[8,8],"codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"blosc","configuration":{"cname":"zstd","clevel":5,"shuffle":"bitshuffle","typesize":2,"blocksize":0}}],"index_codecs":[{"name":"bytes","configuration":{"endian":"little"}}],"index_location":"start"}}]"#,
    #"[{"name":"transpose","configuration":{"order":[1,0]}},{"name":"numcodecs.delta","configuration":{"dtype":"<u2"}},{"name":"bytes","configuration":{"endian":"big"}},{"name":"blosc","configuration":{"cname":"zstd","clevel":3,"shuffle":"noshuffle","typesize":2,"blocksize":0}}]"#,
]

/// String arrays (`vlen-utf8`, fill value "f") whose chunks the fuzzer feeds after ``chunkArrays``.
let stringChunkArrays: [String] = [
    #"[{"name":"vlen-utf8","configuration":{}},{"name":"zstd","configuration":{"level":3,"checksum":false}}]"#,
    #"[{"name":"sharding_indexed","configuration":{"chunk_shape":[8,8],"codecs":[{"name":"vlen-utf8","configuration":{}}],"index_codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"crc32c"}],"index_location":"end"}}]"#,
]

/// The `zarr.json` of chunk array `index` (uint16 arrays first, then string arrays).
func chunkArrayDocument(_ index: Int) -> [UInt8] {
    let isString = index >= chunkArrays.count
    let codecs = isString ? stringChunkArrays[index - chunkArrays.count] : chunkArrays[index]
    return Array("""
        {"zarr_format":3,"node_type":"array","shape":[16,16],"data_type":"\(isString ? "string" : "uint16")",
         "chunk_grid":{"name":"regular","configuration":{"chunk_shape":[16,16]}},
         "chunk_key_encoding":{"name":"default"},"fill_value":\(isString ? "\"f\"" : "7"),"codecs":
        """.utf8) + Array((codecs + "}").utf8)
}

/// Reads an array's first chunk and a region when its chunks are small enough for the fuzzer.
func exercise(_ store: MemoryStore) {
    guard let array = try? ZarrArray.open(store), array.chain.decoded.byteCount <= 1 << 20,
          array.shape.reduce(1, { $0.multipliedReportingOverflow(by: Swift.max($1, 1)).partialValue }) <= 1 << 20,
          array.chain.decoded.elementCount <= 1 << 20 else { return }
    let chunkRegion = Region(zip(array.shape, array.readChunkShape).map { 0..<Swift.min($0, $1) })
    switch array.dataType {
    case .string:
        _ = try? array.readStrings(chunkRegion)
        _ = try? array.readStrings()
    case .variableBytes:
        _ = try? array.readByteStrings()
    default:
        _ = try? array.readBytes(chunkRegion, concurrency: 1)
        _ = try? array.readBytes(concurrency: 2)
    }
}

/// Feeds one input to the engine.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let mode = Int(data[0])
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let store = MemoryStore()
    switch mode {
    case 0:
        guard let key = try? StoreKey("zarr.json") else { return 0 }
        try? store.set(key, bytes)
        _ = try? ZarrNode.readMetadata(store, path: "")
        if let group = try? ZarrGroup.open(store) { _ = try? group.children() }
        // Give it a chunk so that decoding runs with the parsed codecs.
        if let chunk = try? StoreKey("c/0/0") { try? store.set(chunk, Array(bytes.suffix(64))) }
        exercise(store)
    case 1:
        guard let key = try? StoreKey(".zarray"), let chunk = try? StoreKey("0.0") else { return 0 }
        try? store.set(key, bytes)
        try? store.set(chunk, Array(bytes.suffix(64)))
        if let metadata = try? ZarrNode.readMetadata(store, path: ""), case .array(let array) = metadata {
            _ = try? array.v2Document()
        }
        exercise(store)
    case 2:
        guard let group = try? StoreKey("zarr.json"), let v2Group = try? StoreKey("g/.zgroup"),
              let consolidated = try? StoreKey("g/.zmetadata") else { return 0 }
        try? store.set(group, bytes)
        try? store.set(v2Group, Array(#"{"zarr_format":2}"#.utf8))
        try? store.set(consolidated, bytes)
        if let root = try? ZarrGroup.open(store) { _ = try? root.children() }
        if let sub = try? ZarrGroup.open(store, path: "g") { _ = try? sub.children() }
    default:
        let index = (mode - 3) % (chunkArrays.count + stringChunkArrays.count)
        guard let key = try? StoreKey("zarr.json"), let chunk = try? StoreKey("c/0/0") else { return 0 }
        try? store.set(key, chunkArrayDocument(index))
        try? store.set(chunk, bytes)
        guard let array = try? ZarrArray.open(store) else {
            fatalError("chunk array \(index) does not open")
        }
        if array.dataType == .string {
            _ = try? array.readStrings()
            _ = try? array.readStrings(Region([3..<12, 5..<9]))
            return 0
        }
        _ = try? array.readBytes(concurrency: 1)
        _ = try? array.readBytes(Region([3..<12, 5..<9]), concurrency: 2)
        // A partial write reads, updates and re-encodes the damaged chunk, or fails cleanly.
        _ = try? array.writeBytes([UInt8](repeating: 1, count: 8), shape: [2, 2], at: [1, 1])
    }
    return 0
}

#if FUZZING
/// The entry point SwiftPM links as `main`; see ``runLibFuzzer(_:_:_:)``.
@_cdecl("FuzzZarr_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzOne(data, size) }
}
#else
// A global initialiser, not a statement: plain builds run it as the program, while the library-mode
// parse of fuzzing builds (-parse-as-library) accepts it and never evaluates it.
let replayedFiles = replayFuzzInputs { data, size in fuzzOne(data, size) }
#endif
