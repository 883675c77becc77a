import BatchLoader
import Foundation
import MIFACore

/// A loader behind a `mifa_loader` handle: the ``BatchLoader``, the epoch the next iteration reads,
/// where it starts, and the iterator of the epoch being read.
///
/// Thread safety: the mutable state is guarded by `lock` (an `NSLock`), held for the whole of a
/// call, including while `mifa_loader_next` waits for a batch; so calls on one handle run one at a
/// time, from any thread. Hence `@unchecked Sendable`.
final class LoaderHandle: @unchecked Sendable {
    let loader: BatchLoader
    let sources: SourceNames
    private let lock = NSLock()
    private var epoch = 0
    private var start = 0
    private var iterator: BatchIterator?

    init(loader: BatchLoader, sources: SourceNames) {
        self.loader = loader
        self.sources = sources
    }

    deinit { iterator?.cancel() }

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Stops the epoch being read; the next iteration reads `epoch` from its first batch.
    func setEpoch(_ epoch: Int) {
        locked {
            iterator?.cancel()
            iterator = nil
            self.epoch = epoch
            start = 0
        }
    }

    /// Starts reading the epoch: from where a restored state points, else from its first batch.
    /// - Throws: ``BatchLoaderError`` as `BatchLoader.batches(epoch:startingAt:)`.
    func begin() throws {
        try locked {
            iterator?.cancel()
            iterator = nil
            iterator = try loader.batches(epoch: epoch, startingAt: start)
            start = 0
        }
    }

    /// The next batch of the epoch (starting it if need be), or `nil` at its end.
    /// - Throws: as `BatchIterator.nextBatch()`.
    func next() throws -> Batch? {
        try locked {
            if iterator == nil {
                iterator = try loader.batches(epoch: epoch, startingAt: start)
                start = 0
            }
            return try iterator?.nextBatch()
        }
    }

    /// Where the loader is: the seed, the epoch and the batches of it already delivered.
    var checkpoint: LoaderCheckpoint {
        locked { iterator?.checkpoint ?? LoaderCheckpoint(seed: loader.configuration.seed, epoch: epoch, batch: start) }
    }

    /// Continues from `checkpoint`: the next iteration yields exactly the batches that came after it.
    /// - Throws: ``BatchLoaderError`` `.invalidCheckpoint` for another seed, `.invalidConfiguration`
    ///   for a batch outside the epoch.
    func restore(_ checkpoint: LoaderCheckpoint) throws {
        guard checkpoint.seed == loader.configuration.seed else {
            throw BatchLoaderError(.invalidCheckpoint, "the state has seed \(checkpoint.seed); this loader \(loader.configuration.seed)")
        }
        guard (0...loader.batchesPerEpoch).contains(checkpoint.batch) else {
            throw BatchLoaderError(.invalidCheckpoint, "the state is at batch \(checkpoint.batch); an epoch of this loader has \(loader.batchesPerEpoch)")
        }
        locked {
            iterator?.cancel()
            iterator = nil
            epoch = checkpoint.epoch
            start = checkpoint.batch
        }
    }

    /// `mifa_loader_info`'s document.
    struct Info: Encodable {
        var batchesPerEpoch: Int
        var samplesPerEpoch: Int
        var batchSize: Int
        var patchShape: [Int]
        var channels: [Int]
        var imageDtype: String
        var maskDtype: String?
        var rank: Int
        var worldSize: Int
        var seed: UInt64
        var memoryBudget: Int
        var workers: Int
        var prefetch: Int
        var imageIds: [String]
        var paths: [String]
    }

    /// The loader's shape of things as JSON.
    /// - Throws: `EncodingError` (not expected).
    func infoJSON() throws -> [UInt8] {
        let c = loader.configuration
        let info = Info(batchesPerEpoch: loader.batchesPerEpoch, samplesPerEpoch: loader.sampler.sampleCount(in: loader.index),
                        batchSize: c.batchSize, patchShape: loader.patchShape, channels: loader.channels,
                        imageDtype: loader.imageType.rawValue, maskDtype: loader.maskType?.rawValue, rank: loader.rank,
                        worldSize: loader.worldSize, seed: c.seed, memoryBudget: c.memoryBudget, workers: c.workers, prefetch: c.prefetch,
                        imageIds: sources.imageIDs, paths: sources.paths)
        return JSONWriter.bytes(of: try JSONValueEncoder(convertsKeysToSnakeCase: true).encode(info))
    }

    /// The loader's metrics as JSON (`LoaderMetrics`' fields, snake_case, and the cache hit rate).
    /// - Throws: `EncodingError` (not expected).
    func metricsJSON() throws -> [UInt8] {
        let metrics = loader.metrics
        guard case .object(var object) = try JSONValueEncoder(convertsKeysToSnakeCase: true).encode(metrics),
            let hitRate = JSONNumber(metrics.cacheHitRate)
        else {
            throw EncodingError.invalidValue(metrics, EncodingError.Context(codingPath: [], debugDescription: "the loader's metrics are not a JSON object with a finite cache hit rate"))
        }
        object["cache_hit_rate"] = .number(hitRate)
        return JSONWriter.bytes(of: .object(object))
    }
}

/// The image id and path of each source of a loader, by source number, and the sources themselves
/// (for their axes and annotation origins). Immutable; hence `Sendable`.
struct SourceNames: Sendable {
    let imageIDs: [String]
    let paths: [String]
    let sources: [SampleSource]
}

/// The checkpoint's JSON: `{"seed": ..., "epoch": ..., "batch": ...}`.
struct CheckpointJSON: Codable {
    var seed: UInt64
    var epoch: Int
    var batch: Int
}

/// `mifa_loader_create`: a loader from a JSON configuration.
@_cdecl("mifa_loader_create")
public func mifa_loader_create(_ configuration: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    abiCall {
        let target = try output(out, "out")
        target.pointee = nil
        let settings = try LoaderSettings.parse(try text(configuration, "configuration"))
        let (loader, ids, paths) = try settings.makeLoader()
        let handle = LoaderHandle(loader: loader, sources: SourceNames(imageIDs: ids, paths: paths, sources: loader.index.sources))
        target.pointee = HandleRegistry.shared.register(handle)
    }
}

/// `mifa_loader_destroy`: stops the loader's work and destroys its handle.
@_cdecl("mifa_loader_destroy")
public func mifa_loader_destroy(_ loader: OpaquePointer?) -> Int32 {
    abiCall { try HandleRegistry.shared.remove(loader, as: LoaderHandle.self, "loader").setEpoch(0) }
}

/// `mifa_loader_set_epoch`: the epoch the next iteration reads.
@_cdecl("mifa_loader_set_epoch")
public func mifa_loader_set_epoch(_ loader: OpaquePointer?, _ epoch: Int64) -> Int32 {
    abiCall {
        guard epoch >= 0 else { throw ABIFailure.argument("epoch must be 0 or more; found \(epoch)") }
        try HandleRegistry.shared.object(loader, as: LoaderHandle.self, "loader").setEpoch(Int(epoch))
    }
}

/// `mifa_loader_begin`: starts (or restarts) reading the epoch.
@_cdecl("mifa_loader_begin")
public func mifa_loader_begin(_ loader: OpaquePointer?) -> Int32 {
    abiCall { try HandleRegistry.shared.object(loader, as: LoaderHandle.self, "loader").begin() }
}

/// `mifa_loader_next`: the next batch, or NULL at the end of the epoch; `view`, when given, is
/// filled with the batch's tensors and position (cleared at the end of the epoch and on failure).
@_cdecl("mifa_loader_next")
public func mifa_loader_next(_ loader: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?, _ view: UnsafeMutableRawPointer?) -> Int32 {
    abiCall {
        let target = try output(out, "out")
        target.pointee = nil
        if let view { BatchViewLayout.clear(view) }
        let handle = try HandleRegistry.shared.object(loader, as: LoaderHandle.self, "loader")
        guard let batch = try handle.next() else { return }
        let made = BatchHandle(batch: batch, sources: handle.sources)
        if let view { made.write(to: view) }
        target.pointee = HandleRegistry.shared.register(made)
    }
}

/// `mifa_loader_info`: batches per epoch, shapes and types, ranks, image ids, as JSON.
@_cdecl("mifa_loader_info")
public func mifa_loader_info(_ loader: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    abiCall {
        let target = try output(out, "out")
        target.pointee = nil
        target.pointee = try cString(try HandleRegistry.shared.object(loader, as: LoaderHandle.self, "loader").infoJSON())
    }
}

/// `mifa_loader_metrics`: the loader's counters as JSON.
@_cdecl("mifa_loader_metrics")
public func mifa_loader_metrics(_ loader: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    abiCall {
        let target = try output(out, "out")
        target.pointee = nil
        target.pointee = try cString(try HandleRegistry.shared.object(loader, as: LoaderHandle.self, "loader").metricsJSON())
    }
}

/// `mifa_loader_state`: where the loader is, as JSON.
@_cdecl("mifa_loader_state")
public func mifa_loader_state(_ loader: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    abiCall {
        let target = try output(out, "out")
        target.pointee = nil
        let c = try HandleRegistry.shared.object(loader, as: LoaderHandle.self, "loader").checkpoint
        target.pointee = try cString(JSONWriter.bytes(of: try JSONValueEncoder().encode(CheckpointJSON(seed: c.seed, epoch: c.epoch, batch: c.batch))))
    }
}

/// `mifa_loader_restore`: continue from a state `mifa_loader_state` gave.
@_cdecl("mifa_loader_restore")
public func mifa_loader_restore(_ loader: OpaquePointer?, _ state: UnsafePointer<CChar>?) -> Int32 {
    abiCall {
        let handle = try HandleRegistry.shared.object(loader, as: LoaderHandle.self, "loader")
        let json = try JSONValueDecoder().decode(CheckpointJSON.self, from: try JSONParser.parse(try text(state, "state"), file: "state"))
        guard json.epoch >= 0, json.batch >= 0 else { throw ABIFailure.argument("the state's epoch and batch must be 0 or more") }
        try handle.restore(LoaderCheckpoint(seed: json.seed, epoch: json.epoch, batch: json.batch))
    }
}
