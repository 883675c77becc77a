// The MIFAKit side of Benchmarks/zarr_bench.py: times full reads, region reads and full writes of
// a uint16 Zarr array in-process (no process start-up in the numbers) and prints one JSON object.
//
//   ZarrBench read <array> [--repeat N] [--threads T]
//   ZarrBench regions <array> <offsets.txt> [--size 256] [--repeat N] [--threads T] [--shard-index-cache-mb M]
//             [--decoded-chunk-cache-mb M]
//   ZarrBench write <data.raw> <out> --shape 4096,4096 --chunks 256,256 [--shards 1024,1024]
//             --codec zstd:3 [--format 3] [--repeat N] [--threads T]
//
// `data.raw` holds the array's uint16 elements, little-endian, C order. Each timing is repeated and
// every run reported; the driver takes the best.
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MIFACore
import Zarr


struct Options {
    var positional: [String] = []
    var values: [String: String] = [:]

    init(_ arguments: [String]) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("--"), index + 1 < arguments.count {
                values[String(argument.dropFirst(2))] = arguments[index + 1]
                index += 2
            } else {
                positional.append(argument)
                index += 1
            }
        }
    }

    func int(_ name: String, _ fallback: Int) -> Int { values[name].flatMap(Int.init) ?? fallback }
    func list(_ name: String) -> [Int]? { values[name].map { $0.split(separator: ",").compactMap { Int($0) } } }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// CPU seconds (user + system, all threads) used by this process so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// CPU seconds of each timed run, in the order of the wall-clock times.
nonisolated(unsafe) var cpuTimes: [Double] = []

func time(_ repeats: Int, _ body: () throws -> Void) rethrows -> [Double] {
    let clock = ContinuousClock()
    var result: [Double] = []
    for _ in 0..<repeats {
        let cpu = cpuSeconds()
        result.append(seconds(try clock.measure(body)))
        cpuTimes.append(cpuSeconds() - cpu)
    }
    return result
}

/// A cheap checksum of the elements (outside the timed part).
func checksum(_ array: NDArray<UInt16>) -> UInt64 {
    array.withUnsafeBytes { raw in
        var total: UInt64 = 0
        for value in raw.bindMemory(to: UInt16.self) { total &+= UInt64(value) }
        return total
    }
}

func run() throws {
    let options = Options(Array(CommandLine.arguments.dropFirst()))
    guard let command = options.positional.first else {
        print("usage: ZarrBench read|regions|write ...")
        exit(2)
    }
    let threads = options.values["threads"].flatMap(Int.init)
    let repeats = options.int("repeat", 3)
    var report: [String: Any] = ["command": command, "threads": threads ?? ProcessInfo.processInfo.activeProcessorCount]
    switch command {
    case "read":
        let array = try ZarrArray.open(try DirectoryStore(root: options.positional[1], readOnly: true))
        var data = NDArray<UInt16>(shape: [0, 0])
        report["seconds"] = try time(repeats) {
            data = try array.read(UInt16.self, concurrency: threads)
        }
        report["checksum"] = checksum(data)
        report["bytes"] = array.shape.reduce(1, *) * 2
    case "regions":
        var array = try ZarrArray.open(try DirectoryStore(root: options.positional[1], readOnly: true))
        // The cache lives across the repeats: the first run fills it, the later ones find it filled.
        if let megabytes = options.values["shard-index-cache-mb"].flatMap(Int.init) {
            array = array.cachingShardIndexes(in: ShardIndexCache(maxBytes: megabytes << 20))
        }
        if let megabytes = options.values["decoded-chunk-cache-mb"].flatMap(Int.init) {
            array = array.cachingDecodedChunks(in: DecodedChunkCache(maxBytes: megabytes << 20))
        }
        let size = options.int("size", 256)
        let offsets = try String(contentsOfFile: options.positional[2], encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",").compactMap { Int($0) } }.filter { $0.count == 2 }
        var checksum: UInt64 = 0
        var batch = NDArray<UInt16>(shape: [size, size])
        report["seconds"] = try time(repeats) {
            checksum = 0
            for offset in offsets {
                let region = Region(origin: offset, shape: [size, size])
                try array.read(region, into: &batch, concurrency: threads)
                checksum &+= UInt64(batch.elements[0]) &+ UInt64(batch.elements[size * size - 1])
            }
        }
        report["checksum"] = checksum
        report["bytes"] = offsets.count * size * size * 2
    case "write":
        guard let shape = options.list("shape"), let chunks = options.list("chunks") else {
            print("write needs --shape and --chunks")
            exit(2)
        }
        let raw = try Data(contentsOf: URL(fileURLWithPath: options.positional[1]))
        let data = try raw.withUnsafeBytes { try NDArray<UInt16>(shape: shape, bytes: $0, endianness: .little) }
        let metadata = try ArrayMetadata.make(
            format: options.int("format", 3) == 2 ? .v2 : .v3, shape: shape, dataType: .uint16, chunks: chunks,
            shards: options.list("shards"), compressor: try ArrayMetadata.Compressor(parsing: options.values["codec"] ?? "zstd:3"))
        let output = options.positional[2]
        report["seconds"] = try time(repeats) {
            try? FileManager.default.removeItem(atPath: output)
            let array = try ZarrArray.create(try DirectoryStore(root: output, create: true), metadata: metadata)
            try array.write(data, concurrency: threads)
        }
        report["bytes"] = data.count * 2
    default:
        print("unknown command \(command)")
        exit(2)
    }
    report["cpu_seconds"] = cpuTimes
    let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("ZarrBench: \(error)\n".utf8))
    exit(1)
}
