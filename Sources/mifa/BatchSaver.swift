import Annotations
import BatchLoader
import Foundation
import MIFACore
import RasterIO

/// Writes delivered batches for inspection (`mifa bench --save-batches`): per batch k,
/// `batch-NNN-images.npy`, `batch-NNN-masks.npy` (when there are masks) and `batch-NNN.json` with each
/// patch's place and its annotations in patch pixel coordinates.
struct BatchSaver {
    /// One patch of `batch-NNN.json`.
    struct Patch: Encodable {
        var sample: Int
        var image: String
        var t: Int
        var origin: [Int]
        var shape: [Int]
        var augmentation: Augmentation
        var annotations: [Shape]
    }

    /// The augmentation a patch got.
    struct Augmentation: Encodable {
        var flipX: Bool
        var flipY: Bool
        var quarterTurns: Int
        var cropOrigin: [Int]

        enum CodingKeys: String, CodingKey {
            case flipX = "flip_x", flipY = "flip_y", quarterTurns = "quarter_turns", cropOrigin = "crop_origin"
        }
    }

    /// One annotation: exactly one of `box`, `point`, `polygon` is set. `set` is the annotation set
    /// it came from and `source_id` its id there (a number or a string, as the package stores it).
    struct Shape: Encodable {
        var annotation: Int
        var category: String?
        var track: Int64?
        var set: String?
        var sourceID: SourceID?
        var box: [Double]?
        var point: [Double]?
        var polygon: [[[Double]]]?

        enum CodingKeys: String, CodingKey {
            case annotation, category, track, set, box, point, polygon
            case sourceID = "source_id"
        }
    }

    /// An annotation's id as JSON: a number for an integer id, else a string.
    struct SourceID: Encodable {
        var id: Identifier

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch id {
            case .int(let value): try container.encode(value)
            case .string(let value): try container.encode(value)
            }
        }
    }

    /// `batch-NNN.json`.
    struct Document: Encodable {
        var epoch: Int
        var batch: Int
        var imageShape: [Int]
        var maskShape: [Int]?
        var patches: [Patch]

        enum CodingKeys: String, CodingKey {
            case epoch, batch, patches, imageShape = "image_shape", maskShape = "mask_shape"
        }
    }

    let folder: String
    let count: Int
    let names: [String]

    /// A saver of the first `count` batches into `folder` (created if missing).
    /// - Throws: ``InvalidInput`` when `folder` exists and is not a folder, or cannot be created.
    init(folder: String, count: Int, index: SampleIndex) throws {
        if let kind = FileSystem.resolvedKind(of: folder), kind != .directory {
            throw InvalidInput(message: "--save-batches \(folder): the path exists and is not a folder; give the name of a new or existing folder, or remove the file")
        }
        do throws(CoreError) {
            try FileSystem.createDirectories(folder)
        } catch {
            throw InvalidInput(message: "--save-batches \(folder): \(error.message); check that its parent is a writable folder")
        }
        self.folder = folder
        self.count = count
        names = index.sources.map(\.name)
    }

    /// Writes `batch` as the `number`-th delivered batch if it is among the first ``count``.
    /// - Throws: ``RasterIOError`` or ``CoreError`` when a file cannot be written.
    func save(_ batch: Batch, number: Int) throws {
        guard number < count else { return }
        let stem = folder + "/" + String(format: "batch-%03d", number)
        let images = try batch.withImageBytes { try AnyNDArray(dataType: batch.imageType, shape: batch.imageShape, bytes: $0, endianness: .native) }
        try NPYFile.write(images, to: stem + "-images.npy")
        if let maskShape = batch.maskShape, let maskType = batch.maskType {
            let masks = try batch.withMaskBytes { try AnyNDArray(dataType: maskType, shape: maskShape, bytes: $0, endianness: .native) }
            try NPYFile.write(masks, to: stem + "-masks.npy")
        }
        let patches = batch.samples.indices.map { k in
            let r = batch.requests[k], a = batch.augmentations[k]
            return Patch(sample: batch.samples[k], image: names[r.source], t: r.t, origin: r.origin, shape: r.shape,
                         augmentation: Augmentation(flipX: a.flipX, flipY: a.flipY, quarterTurns: a.quarterTurns, cropOrigin: a.cropOrigin),
                         annotations: batch.annotations[k].map(Self.shape))
        }
        let document = Document(epoch: batch.epoch, batch: batch.index, imageShape: batch.imageShape, maskShape: batch.maskShape, patches: patches)
        try AtomicFile.write(try CanonicalJSON.encode(document), to: stem + ".json")
    }

    static func shape(_ a: PatchAnnotation) -> Shape {
        var s = Shape(annotation: a.annotation, category: a.categoryID?.description, track: a.trackID, set: a.set, sourceID: a.sourceID.map(SourceID.init))
        switch a.shape {
        case .box(let b): s.box = [b.x, b.y, b.width, b.height]
        case .point(let p): s.point = [p.x, p.y]
        case .polygon(let rings): s.polygon = rings.map { $0.map { [$0.x, $0.y] } }
        }
        return s
    }
}
