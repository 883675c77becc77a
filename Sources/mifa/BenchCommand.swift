import ArgumentParser
import BatchLoader
import Foundation
import MIFACore
import OMEZarr

/// `mifa bench <package|ome-zarr|folder>... [--patch 256,256] [--batch 32] [--workers N] [--prefetch N]
/// [--seed S] [--epochs E] [--step-ms MS] [--json]`: runs the batch loader and reports its speed.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run the streaming batch loader over OME-Zarr images and report throughput, consumer wait, cache hit rate and peak memory.",
        discussion: """
            Inputs are OME-Zarr images, folders of them, or MIFA packages (their images/ folder). Random \
            patches are read for --epochs epochs of --samples patches each. With --step-ms the consumer \
            sleeps that long per batch (a simulated training step). The digest hashes every batch \
            delivered, in order, so two runs can be compared.
            """)

    @Argument(help: "OME-Zarr images, folders of OME-Zarr images, or MIFA packages.")
    var inputs: [String]

    @Option(help: "Patch extent: y,x (2-D) or z,y,x (3-D).")
    var patch = "256,256"

    @Option(help: "Patches per batch.")
    var batch = 32

    @Option(help: "Worker threads reading, decoding and assembling patches.")
    var workers = 2

    @Option(help: "Batches prefetched ahead of the consumer.")
    var prefetch = 2

    @Option(help: "The seed of the sample order and the patch positions.")
    var seed: UInt64 = 0

    @Option(help: "Epochs to run.")
    var epochs = 1

    @Option(help: "Patches per epoch (default: 64 per image).")
    var samples: Int?

    @Option(name: .customLong("step-ms"), help: "Simulated training step per batch, in milliseconds.")
    var stepMs: Double = 0

    @Option(help: "Pyramid level to sample.")
    var level = 0

    @Option(help: "Label image to load as masks, where present.")
    var label: String?

    @Option(name: .customLong("budget-mb"), help: "The loader's memory budget in MiB.")
    var budgetMB = 1024

    @Flag(help: "Deliver float32 images instead of the native type.")
    var float32 = false

    @Flag(name: .long, help: "Print one JSON document on stdout.")
    var json = false

    func validate() throws {
        guard batch >= 1, workers >= 1, prefetch >= 1, epochs >= 1, stepMs >= 0, budgetMB >= 1 else {
            throw ValidationError("--batch, --workers, --prefetch, --epochs and --budget-mb must be at least 1; --step-ms at least 0")
        }
        guard patchShape != nil else { throw ValidationError("--patch takes 2 or 3 positive integers such as 256,256") }
        if let samples, samples < 1 { throw ValidationError("--samples must be at least 1") }
    }

    var patchShape: [Int]? {
        let values = patch.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (2...3).contains(values.count), values.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return values.map { $0! }
    }

    func run() throws {
        let paths = try Self.imagePaths(inputs)
        let index = try SampleIndex(paths: paths, level: level, labelName: label)
        let sampler = UniformPatchSampler(patch: patchShape!, samplesPerEpoch: samples ?? 64 * paths.count)
        let config = BatchLoaderConfiguration(batchSize: batch, seed: seed, workers: workers, prefetch: prefetch,
                                              memoryBudget: budgetMB << 20, imageType: float32 ? .float32 : .native)
        let loader = try BatchLoader(index: index, sampler: sampler, configuration: config)
        var digest = BatchDigest()
        var batches = 0, patches = 0
        let start = Date()
        for epoch in 0..<epochs {
            let iterator = try loader.batches(epoch: epoch)
            while let next = try iterator.nextBatch() {
                digest.add(next.digest)
                batches += 1
                patches += next.samples.count
                if stepMs > 0 { Thread.sleep(forTimeInterval: stepMs / 1000) }
            }
        }
        let seconds = Date().timeIntervalSince(start)
        let m = loader.metrics
        let report: [String: Any] = [
            "images": paths.count, "patch": patchShape!, "batch_size": batch, "workers": workers, "prefetch": prefetch,
            "seed": seed, "epochs": epochs, "step_ms": stepMs, "batches": batches, "patches": patches, "seconds": seconds,
            "patches_per_second": Double(patches) / max(seconds, 1e-9),
            "consumer_wait_seconds": m.consumerWaitSeconds, "consumer_wait_fraction": m.consumerWaitSeconds / max(seconds, 1e-9),
            "cache_hit_rate": m.cacheHitRate, "cache_hits": m.cacheHits, "cache_misses": m.cacheMisses,
            "chunks_decoded": m.chunksDecoded, "bytes_read": m.bytesRead, "producer_memory_wait_seconds": m.producerMemoryWaitSeconds,
            "peak_memory_bytes": m.peakMemoryBytes, "memory_budget_bytes": m.memoryBudget,
            "digest": String(format: "%016llx", digest.value),
        ]
        if json {
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("images \(paths.count), patch \(patch), batch \(batch), workers \(workers), prefetch \(prefetch), epochs \(epochs)")
            print(String(format: "%d batches, %d patches in %.3f s: %.1f patches/s", batches, patches, seconds, Double(patches) / max(seconds, 1e-9)))
            print(String(format: "consumer waited %.3f s (%.1f%%); cache hit rate %.1f%%; %d chunks decoded, %d bytes read",
                         m.consumerWaitSeconds, 100 * m.consumerWaitSeconds / max(seconds, 1e-9), 100 * m.cacheHitRate, m.chunksDecoded, m.bytesRead))
            print("peak memory \(m.peakMemoryBytes) bytes of a \(m.memoryBudget)-byte budget; digest \(String(format: "%016llx", digest.value))")
        }
    }

    /// The OME-Zarr images named by `inputs`: an image itself, a package's `images/*`, or a folder's children.
    static func imagePaths(_ inputs: [String]) throws -> [String] {
        var result: [String] = []
        let files = FileManager.default
        for input in inputs {
            if (try? OMEZarrImage.open(path: input)) != nil {
                result.append(input)
                continue
            }
            let folder = files.fileExists(atPath: input + "/images") ? input + "/images" : input
            let children = (try? files.contentsOfDirectory(atPath: folder))?.sorted() ?? []
            let images = children.map { folder + "/" + $0 }.filter { (try? OMEZarrImage.open(path: $0)) != nil }
            guard !images.isEmpty else {
                throw InvalidInput(message: "\(input): not an OME-Zarr image, a folder of them, or a MIFA package with images/")
            }
            result += images
        }
        return result
    }
}
