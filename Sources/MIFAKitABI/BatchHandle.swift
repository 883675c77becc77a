import Annotations
import BatchLoader
import Foundation
import MIFACore

/// A delivered batch behind a `mifa_batch` handle. Holding it holds the batch's pooled buffer;
/// destroying the handle (when no other reference remains) returns the buffer to the loader's pool.
///
/// Thread safety: the batch is immutable and `Sendable`; the sample document is built once under
/// a ``LockedState``. Hence `Sendable`.
final class BatchHandle: Sendable {
    let batch: Batch
    let sources: SourceNames
    private let samples = LockedState<[UInt8]?>(nil)

    init(batch: Batch, sources: SourceNames) {
        self.batch = batch
        self.sources = sources
    }

    /// Writes what C needs to use the batch without another call into `view`, a
    /// `mifa_batch_view` (see ``BatchViewLayout``): the images, the masks (no axes and a NULL
    /// address without masks), the epoch and the batch's number in it.
    func write(to view: UnsafeMutableRawPointer) {
        // Safety: the bytes are in the batch's pooled buffer, a heap allocation that stays put and
        // alive as long as `batch` (held by this handle) holds it; C callers are told the addresses
        // are valid until they release the handle.
        BatchViewLayout.write(address: batch.withImageBytes { $0.baseAddress }, shape: batch.imageShape, type: batch.imageType,
                              to: view + BatchViewLayout.imageOffset)
        if let shape = batch.maskShape, let type = batch.maskType {
            BatchViewLayout.write(address: batch.withMaskBytes { $0.baseAddress }, shape: shape, type: type,
                                  to: view + BatchViewLayout.maskOffset)
        }
        view.storeBytes(of: Int64(batch.epoch), toByteOffset: BatchViewLayout.epochOffset, as: Int64.self)
        view.storeBytes(of: Int64(batch.index), toByteOffset: BatchViewLayout.indexOffset, as: Int64.self)
    }

    /// The samples of the batch as a JSON array (see `mifa_batch_samples` in include/mifakit.h).
    /// - Throws: `EncodingError` for a coordinate that is not finite (not expected: the loader
    ///   delivers finite geometry), rather than writing a number JSON cannot hold.
    func samplesJSON() throws -> [UInt8] {
        if let done = samples.withLock({ $0 }) { return done }
        var list: [JSONValue] = []
        for k in batch.samples.indices {
            let request = batch.requests[k], augmentation = batch.augmentations[k]
            let source = sources.sources[request.source]
            let origin = zip(request.origin, augmentation.cropOrigin).map(+)
            let shape = [batch.imageShape.count == 5 ? batch.imageShape[2] : 1] + batch.imageShape.suffix(2)
            var region = (0..<3).map { [origin[$0], origin[$0] + shape[$0]] }
            if source.axes.z == nil { region.removeFirst() }
            var entry: JSONObject = [
                "image_id": .string(sources.imageIDs[request.source]), "path": .string(sources.paths[request.source]),
                "level": Self.json(source.level), "t": Self.json(request.t), "region": .array(region.map { .array($0.map(Self.json)) }),
                "sample": Self.json(batch.samples[k]),
                "augmentation": ["flip_x": .bool(augmentation.flipX), "flip_y": .bool(augmentation.flipY), "quarter_turns": Self.json(augmentation.quarterTurns)],
            ]
            var boxes: [JSONValue] = [], points: [JSONValue] = [], polygons: [JSONValue] = []
            for annotation in batch.annotations[k] {
                var item: JSONObject = ["annotation": Self.json(annotation.annotation)]
                let origins = source.annotationOrigins
                if origins.indices.contains(annotation.annotation) {
                    let from = origins[annotation.annotation]
                    item["set"] = from.set.map(JSONValue.string) ?? .null
                    item["id"] = from.id.map(Self.json) ?? .null
                }
                item["category"] = annotation.categoryID.map(Self.json) ?? .null
                item["track"] = annotation.trackID.map { .number(JSONNumber($0)) } ?? .null
                switch annotation.shape {
                case .box(let b):
                    item["box"] = try Self.json([b.x, b.y, b.width, b.height])
                    boxes.append(.object(item))
                case .point(let p):
                    item["point"] = try Self.json([p.x, p.y])
                    points.append(.object(item))
                case .polygon(let rings):
                    item["polygon"] = .array(try rings.map { .array(try $0.map { try Self.json([$0.x, $0.y]) }) })
                    polygons.append(.object(item))
                }
            }
            entry["boxes"] = .array(boxes)
            entry["points"] = .array(points)
            entry["polygons"] = .array(polygons)
            list.append(.object(entry))
        }
        let bytes = JSONWriter.bytes(of: .array(list))
        samples.withLock { $0 = bytes }
        return bytes
    }

    /// An identifier as a JSON value: a number or a string.
    static func json(_ id: Identifier) -> JSONValue {
        switch id {
        case .int(let value): .number(JSONNumber(value))
        case .string(let value): .string(value)
        }
    }

    /// An integer as a JSON number.
    static func json(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }

    /// Coordinates as a JSON list of numbers.
    /// - Throws: `EncodingError` for a value that is not finite.
    static func json(_ values: [Double]) throws -> JSONValue {
        .array(try values.map { value in
            guard let number = JSONNumber(value) else {
                throw EncodingError.invalidValue(value, EncodingError.Context(codingPath: [], debugDescription: "a coordinate of \(value) cannot be written as JSON"))
            }
            return .number(number)
        })
    }
}

/// `mifa_batch_release`: gives the batch back (its buffer returns to the pool once unused).
@_cdecl("mifa_batch_release")
public func mifa_batch_release(_ batch: OpaquePointer?) -> Int32 {
    abiCall { try HandleRegistry.shared.remove(batch, as: BatchHandle.self, "batch") }
}

/// `mifa_batch_samples`: what each sample of the batch is, as JSON.
@_cdecl("mifa_batch_samples")
public func mifa_batch_samples(_ batch: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    abiCall {
        let target = try output(out, "out")
        target.pointee = nil
        target.pointee = try cString(try HandleRegistry.shared.object(batch, as: BatchHandle.self, "batch").samplesJSON())
    }
}
