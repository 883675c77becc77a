import BatchLoader
import PackageLoading
import Foundation
import MIFACore

/// The configuration `mifa_loader_create` takes: one JSON object, every key but `inputs`, `patch`
/// and `batch_size` optional (the defaults are `BatchLoaderConfiguration`'s). Keys are listed in
/// include/mifakit.h; an unknown key is an error, so a misspelt setting is never ignored.
struct LoaderSettings: Decodable {
    /// One dataset: a MIFA package, an OME-Zarr image or a folder of them, with its weight.
    struct Input: Decodable {
        var path: String
        var weight: Double?
    }
    /// Normalisation of float32 images.
    struct Normalize: Decodable {
        var mean: [Float]
        var std: [Float]
    }

    var inputs: [Input]
    var patch: [Int]?
    var batchSize: Int
    var sampler: String?
    var samplesPerEpoch: Int?
    var overlap: [Int]?
    var foregroundFraction: Double?
    var balanceClasses: Bool?
    var patches: [[JSONPatchEntry]]?
    var level: Int?
    var label: String?
    var annotations: [String]?
    var images: [String]?
    var splits: [String]?
    var workers: Int?
    var prefetch: Int?
    var readAhead: Int?
    var seed: UInt64?
    var memoryBudget: Int?
    var dtype: String?
    var channels: [Int]?
    var normalize: Normalize?
    var flips: Bool?
    var rotations: Bool?
    var crop: [Int]?
    var dropLast: Bool?
    var shuffle: Bool?
    var rank: Int?
    var worldSize: Int?

    /// The configuration's keys, as include/mifakit.h lists them.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case inputs, patch, batchSize = "batch_size", sampler, samplesPerEpoch = "samples_per_epoch", overlap
        case foregroundFraction = "foreground_fraction", balanceClasses = "balance_classes", patches, level, label, annotations
        case images, splits, workers, prefetch, readAhead = "read_ahead", seed, memoryBudget = "memory_budget", dtype, channels
        case normalize, flips, rotations, crop, dropLast = "drop_last", shuffle, rank, worldSize = "world_size"
    }

    static let keys = Set(CodingKeys.allCases.map(\.rawValue))

    /// One entry of a `patches` list: an image (by position among all sources, or by id) or a coordinate.
    enum JSONPatchEntry: Decodable {
        case number(Int)
        case name(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) {
                self = .number(value)
            } else {
                self = .name(try container.decode(String.self))
            }
        }
    }

    /// Parses `json`.
    /// - Throws: ``ABIFailure`` for malformed JSON or unknown keys; `DecodingError` for values of the wrong type.
    static func parse(_ json: String) throws -> LoaderSettings {
        let value: JSONValue
        do {
            value = try JSONParser.parse(json)
        } catch let error as CoreError {
            throw ABIFailure.argument("the configuration is not valid JSON: \(error.message) (line \(error.context.line ?? 1), column \(error.context.column ?? 1))")
        }
        guard let object = value.objectValue else {
            throw ABIFailure.argument("the configuration is \(value.kindDescription), not a JSON object")
        }
        let unknown = Set(object.keys).subtracting(keys)
        guard unknown.isEmpty else {
            throw ABIFailure.argument("unknown configuration keys \(unknown.sorted().joined(separator: ", ")); the keys are \(keys.sorted().joined(separator: ", "))",
                                      pointer: "/" + (unknown.sorted().first ?? ""))
        }
        return try JSONValueDecoder().decode(LoaderSettings.self, from: value)
    }

    /// The loader these settings describe, with each source's image id and path.
    /// - Throws: ``ABIFailure`` and ``BatchLoaderError`` for settings out of range; the libraries'
    ///   errors when an input cannot be opened.
    func makeLoader() throws -> (loader: BatchLoader, imageIDs: [String], paths: [String]) {
        guard !inputs.isEmpty else { throw ABIFailure.argument("inputs is empty; give at least one package, image or folder", pointer: "/inputs") }
        let level = self.level ?? 0
        guard level >= 0 else { throw ABIFailure.argument("level must be 0 or more; found \(level)", pointer: "/level") }
        var datasets: [(sources: [SampleSource], weight: Double)] = []
        var imageIDs: [String] = [], paths: [String] = []
        var seen = Set<String>()
        for (k, input) in inputs.enumerated() {
            let weight = input.weight ?? 1
            guard weight.isFinite, weight > 0 else {
                throw ABIFailure.argument("the weight of input \(k) must be a positive number; found \(weight)", pointer: "/inputs/\(k)/weight")
            }
            try PackageHandle.checkExists(input.path, pointer: "/inputs/\(k)/path")
            let (kind, all) = try SampleIndex.sources(input: input.path, level: level, label: label, annotationSets: annotations, splits: splits)
            var sources: [SampleSource] = []
            for source in all {
                let id = kind == .package ? source.name : PackageHandle.imageID(path: source.name)
                seen.insert(id)
                guard images.map({ $0.contains(id) }) ?? true else { continue }
                sources.append(source)
                imageIDs.append(id)
                paths.append(kind == .package ? input.path + "/images/" + id : source.name)
            }
            if !sources.isEmpty { datasets.append((sources, weight)) }
        }
        if let images {
            let missing = images.filter { !seen.contains($0) }
            guard missing.isEmpty else {
                throw ABIFailure(status: .notFound, code: "not-found",
                                 message: "images names images the inputs do not have: \(missing.joined(separator: ", ")); they have \(seen.sorted().joined(separator: ", "))",
                                 context: ErrorContext(pointer: "/images"))
            }
            guard !datasets.isEmpty else { throw ABIFailure.argument("images is empty", pointer: "/images") }
        }
        let index = try SampleIndex(datasets: datasets)
        let sampler = try makeSampler(index: index, imageIDs: imageIDs)
        var c = BatchLoaderConfiguration(batchSize: batchSize)
        if let seed { c.seed = seed }
        c.shuffle = shuffle ?? (sampler is GridPatchSampler || sampler is WholeImageSampler ? false : true)
        c.rank = rank
        c.worldSize = worldSize
        if let workers { c.workers = workers }
        c.readAhead = readAhead
        if let prefetch { c.prefetch = prefetch }
        if let memoryBudget { c.memoryBudget = memoryBudget }
        switch dtype ?? "native" {
        case "native": c.imageType = .native
        case "float32": c.imageType = .float32
        case let other: throw ABIFailure.argument("dtype is '\(other)'; the loader delivers the images' own type (native) or float32", pointer: "/dtype")
        }
        c.normalization = normalize.map { Normalization(mean: $0.mean, std: $0.std) }
        c.channels = channels
        c.dropLast = dropLast ?? false
        c.augmentation = AugmentationOptions(flips: flips ?? false, rotations: rotations ?? false, crop: crop)
        return (try BatchLoader(index: index, sampler: sampler, configuration: c), imageIDs, paths)
    }

    /// The sampler named by `sampler`.
    /// - Throws: ``ABIFailure`` and ``BatchLoaderError`` for bad sampler settings.
    private func makeSampler(index: SampleIndex, imageIDs: [String]) throws -> any PatchSampler {
        let name = sampler ?? "random"
        if name == "whole" { return WholeImageSampler() }
        guard let patch, (2...3).contains(patch.count), patch.allSatisfy({ $0 >= 1 }) else {
            throw ABIFailure.argument("patch must be 2 or 3 positive sizes ([y, x] or [z, y, x]); found \(patch.map { "\($0)" } ?? "none")", pointer: "/patch")
        }
        let samples = samplesPerEpoch ?? 64 * index.sources.count
        guard samples >= 1 else { throw ABIFailure.argument("samples_per_epoch must be at least 1; found \(samples)", pointer: "/samples_per_epoch") }
        switch name {
        case "random":
            return UniformPatchSampler(patch: patch, samplesPerEpoch: samples)
        case "label_aware":
            return try LabelAwarePatchSampler(patch: patch, samplesPerEpoch: samples, foregroundFraction: foregroundFraction ?? 0.5,
                                              balanceClasses: balanceClasses ?? false, index: index)
        case "grid":
            return try GridPatchSampler(patch: patch, overlap: overlap ?? [Int](repeating: 0, count: patch.count))
        case "list":
            guard let patches else { throw ABIFailure.argument("the list sampler needs patches: [[image, y, x], ...]", pointer: "/patches") }
            let shape = patch.count == 2 ? [1] + patch : patch
            let requests = try patches.enumerated().map { k, entry -> PatchRequest in
                guard entry.count == patch.count + 1 else {
                    throw ABIFailure.argument("patch \(k) needs \(patch.count + 1) values [image, \(patch.count == 2 ? "y, x" : "z, y, x")]", pointer: "/patches/\(k)")
                }
                var coordinates: [Int] = []
                for value in entry.dropFirst() {
                    guard case .number(let n) = value else { throw ABIFailure.argument("patch \(k) has a coordinate that is not an integer", pointer: "/patches/\(k)") }
                    coordinates.append(n)
                }
                let source: Int
                switch entry[0] {
                case .number(let n): source = n
                case .name(let id):
                    guard let found = imageIDs.firstIndex(of: id) else {
                        throw ABIFailure(status: .notFound, code: "not-found", message: "patch \(k) names image '\(id)', which the loader does not read",
                                         context: ErrorContext(pointer: "/patches/\(k)/0"))
                    }
                    source = found
                }
                return PatchRequest(source: source, origin: patch.count == 2 ? [0] + coordinates : coordinates, shape: shape)
            }
            return try PatchListSampler(requests: requests, index: index)
        default:
            throw ABIFailure.argument("sampler is '\(name)'; use random, label_aware, grid, whole or list", pointer: "/sampler")
        }
    }
}
