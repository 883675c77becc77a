import ArgumentParser
import BatchLoader
import PackageLoading
import Foundation
import MIFACore
import OMEZarr
import Zarr

/// `mifa bench <package|ome-zarr|folder>... [--weights W,...] [--patch 256,256] [--batch 32] [--threads N]
/// [--read-ahead N] [--prefetch N] [--seed S] [--epochs E] [--step-ms MS] [--label L] [--set S ...] [--split NAME ...]
/// [--save-batches DIR [--save-count N]] [--json]`: runs the batch loader and reports its speed.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run the streaming batch loader over OME-Zarr images and report throughput, consumer wait, cache hit rate and peak memory.",
        discussion: """
            Inputs are OME-Zarr images (paths, or http(s):// and s3:// URLs read with range requests within \
            --http-timeout and --http-max-body), folders of them, or MIFA packages (their images/ folder); each \
            input is one dataset, and with --weights a patch comes from a dataset with probability \
            proportional to its weight (then from one of its images uniformly). Random patches are read \
            for --epochs epochs of --samples patches each. With --step-ms the consumer sleeps that long \
            per batch (a simulated training step). The digest hashes every batch delivered, in order, so \
            two runs can be compared; the worker threads hash the patches, so the consumer does not. CPU \
            time is the process's user + system time.

            --split NAME reads only the images of a package that its mifa.json puts in that split \
            (train, validation, test, ...; repeatable). --label names a label image every image should \
            have: one no image has (or a vector annotation set) is refused; images without it are named \
            on stderr (their masks are background). A patch larger than an image along an axis is \
            padded with zeros there, and stderr names those images; a 3-D patch (z,y,x) over 2-D \
            images is refused. Vector annotations that patches cannot carry (lines, ...) are counted on \
            stderr. A chunk that cannot be read ends the run with exit 1: an epoch is never reported \
            complete when it is not.

            --save-batches DIR writes the first --save-count delivered batches for inspection, batch k (from 000) as \
            DIR/batch-NNN-images.npy ([B, C, (Z,) Y, X], native type or float32), DIR/batch-NNN-masks.npy \
            ([B, (Z,) Y, X], with --label) and DIR/batch-NNN.json: for each patch its image, time point, \
            origin [z, y, x] and shape in the image's pixels (level --level), and its annotations in \
            patch pixel coordinates (x right, y down, origin at the patch's top-left corner): \
            {"box": [x, y, width, height]}, {"point": [x, y]} or {"polygon": [ring, ...]} with rings \
            of [x, y], each with "set" (its annotation set) and "source_id" (its id there: the GeoJSON \
            feature id, which is the COCO id for annotations packed from COCO). With NumPy and matplotlib: imshow(images[i, 0]), contour(masks[i]), and a \
            Rectangle per box draw a grid of patches. Saving happens on the consumer's thread and \
            counts in its time.
            """)

    @Argument(help: "OME-Zarr images (paths, http(s):// or s3:// URLs), folders of OME-Zarr images, or MIFA packages; each one a dataset.")
    var inputs: [String]

    @Option(help: "One positive weight per input, comma-separated (default: all 1).")
    var weights: String?

    @Option(help: "Patch extent: y,x (2-D) or z,y,x (3-D).")
    var patch = "256,256"

    @Option(help: "Patches per batch.")
    var batch = 32

    @Option(name: [.customLong("threads"), .customLong("workers")],
            help: "Threads decoding chunks and assembling patches (--workers is an alias).")
    var threads = 2

    @Option(name: .customLong("read-ahead"),
            help: "Chunk reads in flight ahead of the workers, on threads of their own (0: workers read their chunks themselves; default: for images read over the network (http(s)://, s3://) sized as it runs by Little's law, the chunks the workers decode per second times the time a read takes, at most what a quarter of the budget's cache share holds; else 0).")
    var readAhead: Int?

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

    @Option(name: .customLong("patch-list"), help: "A JSON file of the patches to read instead of random ones: an array of [image, y, x] (or [image, z, y, x]) origins, image counting the images of all inputs in order; one epoch is the list.")
    var patchList: String?

    @Option(help: "Pyramid level to sample.")
    var level = 0

    @Option(help: "Label image to load as masks (at least one image must have it).")
    var label: String?

    @Option(
        name: [.customLong("set"), .customLong("annotations")],
        help: ArgumentHelp("For a MIFA package: the vector annotation sets whose boxes, points and polygons each patch carries (repeatable; default: every set; --annotations is an alias).", valueName: "SET"))
    var annotationSets: [String] = []

    @Option(
        name: .customLong("split"),
        help: ArgumentHelp("For a MIFA package: read only the images its mifa.json puts in this split (train, validation, test, ...; repeatable).", valueName: "NAME"))
    var splits: [String] = []

    @Option(name: .customLong("budget-mb"), help: "The loader's memory budget in MiB.")
    var budgetMB = 1024

    @Flag(help: "Deliver float32 images instead of the native type.")
    var float32 = false

    @Option(name: .customLong("save-batches"), help: "Write the first batches as .npy images and masks plus a JSON file of annotations to this folder (created).")
    var saveBatches: String?

    @Option(name: .customLong("save-count"), help: "How many batches --save-batches writes.")
    var saveCount = 4

    @Flag(name: .long, help: "Print one JSON document on stdout.")
    var json = false

    @OptionGroup var http: HTTPOptions

    func validate() throws {
        guard batch >= 1, threads >= 1, prefetch >= 1, epochs >= 1, budgetMB >= 1, (readAhead ?? 0) >= 0 else {
            throw ValidationError("--batch, --threads, --prefetch, --epochs and --budget-mb must be at least 1; --read-ahead at least 0")
        }
        guard stepMs.isFinite, (0...Self.maximumStepMs).contains(stepMs) else {
            throw ValidationError("--step-ms takes a number of milliseconds from 0 to \(Int(Self.maximumStepMs)) (an hour), not \(stepMs)")
        }
        guard budgetMB <= Int.max >> 20 else { throw ValidationError("--budget-mb \(budgetMB) is more bytes than this machine can address") }
        guard let shape = patchShape else { throw ValidationError("--patch takes 2 or 3 positive integers such as 256,256") }
        // The loader checks the bytes of a batch against the images; here only that the numbers can be multiplied at all.
        let (pixels, overflow) = shape.reduce((1, false)) { product, extent in
            let (next, overflow) = product.0.multipliedReportingOverflow(by: extent)
            return (next, product.1 || overflow)
        }
        guard !overflow, !pixels.multipliedReportingOverflow(by: batch).overflow else {
            throw ValidationError("--patch \(patch) with --batch \(batch) is more pixels than this machine can address; give a smaller patch or batch")
        }
        if let samples, samples < 1 { throw ValidationError("--samples must be at least 1") }
        guard saveCount >= 1 else { throw ValidationError("--save-count must be at least 1") }
        if weights != nil {
            guard let w = weightValues, w.count == inputs.count else {
                throw ValidationError("--weights takes one positive number per input (\(inputs.count)), such as 3,1")
            }
        }
    }

    /// The longest simulated training step, in milliseconds: an hour.
    static let maximumStepMs = 3_600_000.0

    var weightValues: [Double]? {
        guard let weights else { return nil }
        let values = weights.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard values.allSatisfy({ ($0 ?? 0) > 0 && $0!.isFinite }) else { return nil }
        return values.map { $0! }
    }

    var patchShape: [Int]? {
        let values = patch.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (2...3).contains(values.count), values.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return values.map { $0! }
    }

    func run() throws {
        let weightList = weightValues ?? [Double](repeating: 1, count: inputs.count)
        var datasets: [(sources: [SampleSource], weight: Double)] = []
        for (input, weight) in zip(inputs, weightList) {
            let sources = try SampleIndex.sources(input: input, level: level, label: label,
                                                  annotationSets: annotationSets.isEmpty ? nil : annotationSets,
                                                  splits: splits.isEmpty ? nil : splits, http: http.limits).sources
            if sources.isEmpty {
                throw InvalidInput(message: "\(input): no image is in split \(splits.joined(separator: ", ")); give a split the package's images are in")
            }
            datasets.append((sources, weight))
        }
        let index = try SampleIndex(datasets: datasets)
        let imageCount = index.sources.count
        let sampler: any PatchSampler = try patchList.map { try Self.listSampler($0, patch: patchShape!, index: index) }
            ?? UniformPatchSampler(patch: patchShape!, samplesPerEpoch: samples ?? 64 * imageCount)
        let config = BatchLoaderConfiguration(batchSize: batch, seed: seed, workers: threads, readAhead: readAhead, prefetch: prefetch,
                                              memoryBudget: budgetMB << 20, imageType: float32 ? .float32 : .native, digests: true)
        let loader = try BatchLoader(index: index, sampler: sampler, configuration: config)
        // A --read-ahead the budget cannot hold is refused by the loader; its default is turned off: said.
        if loader.readAheadRequested > 0, loader.readAheadConcurrency == 0 {
            let needed = (loader.readAheadMinimumBudget + (1 << 20) - 1) >> 20
            Self.note("the images are read over the network, but --budget-mb \(budgetMB) leaves no room to read chunks ahead, so each chunk is fetched when a worker needs it (slow with latency); give --budget-mb \(needed) or more")
        }
        // What is not read as the user may think is said on stderr, not only in the report.
        let unlabelled = index.imagesWithoutLabel
        if let label, !unlabelled.isEmpty {
            Self.note("\(unlabelled.count) of \(imageCount) images have no label image '\(label)', so their masks are all background (0): \(unlabelled.joined(separator: ", ")); give only images that have it (for a package, --split) to train on annotated images only")
        }
        let padded = patchList == nil ? index.imagesSmaller(than: patchShape!) : []
        if !padded.isEmpty {
            Self.note("the patch \(patch) is larger than \(padded.count) image(s) along some axis, so their patches are padded with zeros there: \(padded.joined(separator: ", ")); give a patch no larger than the smallest image to read no padding")
        }
        let notCarried = index.annotationsNotCarried
        if !notCarried.isEmpty {
            Self.note("\(notCarried.reduce(0) { $0 + $1.count }) vector annotation(s) are lines or other kinds that patches do not carry (they carry boxes, points and polygons): \(notCarried.map { "\($0.count) of \($0.source)" }.joined(separator: ", ")); leave their set out with --set, or convert them to polygons")
        }
        let saver = try saveBatches.map { try BatchSaver(folder: $0, count: saveCount, index: index) }
        var digest = BatchDigest()
        var batches = 0, patches = 0
        let cpuStart = Self.cpuSeconds()
        let start = Date()
        for epoch in 0..<epochs {
            let iterator = try loader.batches(epoch: epoch)
            while let next = try iterator.nextBatch() {
                digest.add(next.digest)
                try saver?.save(next, number: batches)
                batches += 1
                patches += next.samples.count
                if stepMs > 0 { Thread.sleep(forTimeInterval: stepMs / 1000) }
            }
        }
        let seconds = Date().timeIntervalSince(start)
        let cpu = Self.cpuSeconds() - cpuStart
        let load = Self.loadAverage()
        let m = loader.metrics
        func value(_ x: some Encodable) throws -> JSONValue { try JSONValue(encoding: x) }
        let report: JSONObject = [
            "images": try value(imageCount),
            "image_names": try value(index.sources.map(\.name)),
            "patch": try value(patchShape!),
            "batch_size": try value(batch),
            "threads": try value(threads),
            "read_ahead": try value(loader.readAheadConcurrency),
            "prefetch": try value(prefetch),
            "splits": try value(splits),
            "images_without_label": try value(unlabelled),
            "padded_images": try value(padded),
            "annotations_not_carried": try value(Dictionary(notCarried.map { ($0.source, $0.count) }, uniquingKeysWith: +)),
            "seed": try value(seed),
            "epochs": try value(epochs),
            "step_ms": try value(stepMs),
            "batches": try value(batches),
            "patches": try value(patches),
            "seconds": try value(seconds),
            "patches_per_second": try value(Double(patches) / max(seconds, 1e-9)),
            "cpu_seconds": try value(cpu),
            "patches_per_cpu_second": try value(Double(patches) / max(cpu, 1e-9)),
            "load_average": try value(load),
            "consumer_wait_seconds": try value(m.consumerWaitSeconds),
            "consumer_wait_fraction": try value(m.consumerWaitSeconds / max(seconds, 1e-9)),
            "cache_hit_rate": try value(m.cacheHitRate),
            "cache_hits": try value(m.cacheHits),
            "shared_loads": try value(m.sharedLoads),
            "cache_misses": try value(m.cacheMisses),
            "chunks_decoded": try value(m.chunksDecoded),
            "chunks_read_ahead": try value(m.chunksReadAhead),
            "most_reads_in_flight": try value(m.mostReadsInFlight),
            "bytes_read": try value(m.bytesRead),
            "producer_memory_wait_seconds": try value(m.producerMemoryWaitSeconds),
            "peak_memory_bytes": try value(m.peakMemoryBytes),
            "memory_budget_bytes": try value(m.memoryBudget),
            "digest": try value(String(format: "%016llx", digest.value)),
        ]
        if json {
            print(String(decoding: JSONWriter.bytes(of: .object(report), sortingKeys: true), as: UTF8.self))
        } else {
            print("images \(imageCount), patch \(patch), batch \(batch), threads \(threads), read-ahead \(loader.readAheadConcurrency), prefetch \(prefetch), epochs \(epochs)")
            print(String(format: "%d batches, %d patches in %.3f s: %.1f patches/s; CPU %.3f s (%.1f patches per CPU second); load average %.2f",
                         batches, patches, seconds, Double(patches) / max(seconds, 1e-9), cpu, Double(patches) / max(cpu, 1e-9), load))
            print(String(format: "consumer waited %.3f s (%.1f%%); cache hit rate %.1f%%; %d chunks decoded (%d read ahead, at most %d reads in flight), %d bytes read",
                         m.consumerWaitSeconds, 100 * m.consumerWaitSeconds / max(seconds, 1e-9), 100 * m.cacheHitRate, m.chunksDecoded,
                         m.chunksReadAhead, m.mostReadsInFlight, m.bytesRead))
            print("peak memory \(m.peakMemoryBytes) bytes of a \(m.memoryBudget)-byte budget; digest \(String(format: "%016llx", digest.value))")
        }
    }

    /// The sampler of a `--patch-list` file.
    /// - Throws: ``InvalidInput`` naming the file and the entry that is not `[image, (z,) y, x]`;
    ///   ``BatchLoaderError`` for images or shapes the index does not have.
    static func listSampler(_ path: String, patch: [Int], index: SampleIndex) throws -> PatchListSampler {
        guard let kind = FileSystem.resolvedKind(of: path) else {
            throw InvalidInput(message: "--patch-list \(path): no such file; give a JSON file of [image, y, x] (or [image, z, y, x]) origins")
        }
        guard kind != .directory else {
            throw InvalidInput(message: "--patch-list \(path): is a folder; give a JSON file of [image, y, x] (or [image, z, y, x]) origins")
        }
        let data = try RegularFile.contents(of: path, limit: 1 << 30, followingLinks: true)
        let value = try JSONParser.parse(data, file: path)
        let shape = patch.count == 2 ? [1] + patch : patch
        guard let entries = value.arrayValue else { throw InvalidInput(message: "\(path): expected a JSON array of [image, y, x] entries") }
        let requests = try entries.enumerated().map { i, entry in
            let numbers = entry.arrayValue?.compactMap { $0.numberValue?.intValue } ?? []
            guard numbers.count == patch.count + 1, numbers.count == entry.arrayValue?.count else {
                throw InvalidInput(message: "\(path): entry \(i) must be \(patch.count + 1) integers [image, \(patch.count == 2 ? "y, x" : "z, y, x")]")
            }
            let origin = patch.count == 2 ? [0] + numbers.dropFirst() : Array(numbers.dropFirst())
            return PatchRequest(source: numbers[0], origin: origin, shape: shape)
        }
        return try PatchListSampler(requests: requests, index: index)
    }

    /// Writes `text` to stderr as a note: what the run does that the user may not expect.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data("mifa bench: note: \(text)\n".utf8))
    }

    /// User + system CPU seconds of this process so far (all threads).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// The 1-minute load average (0 where the system does not say).
    static func loadAverage() -> Double {
        var values = [Double](repeating: 0, count: 3)
        return getloadavg(&values, 3) > 0 ? values[0] : 0
    }
}
