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

    /// The address, shape and type of the images (`which` 0) or the masks (1); a NULL address and
    /// no axes when the batch has no masks.
    /// - Throws: ``ABIFailure`` for another `which`.
    func tensor(_ which: Int32) throws -> (address: UnsafeRawPointer?, shape: [Int], type: DataType?) {
        switch which {
        case 0:
            // Safety: the bytes are in the batch's pooled buffer, a heap allocation that stays put
            // and alive as long as `batch` (held by this handle) holds it; C callers are told the
            // address is valid until they release the handle.
            return (batch.withImageBytes { $0.baseAddress }, batch.imageShape, batch.imageType)
        case 1:
            guard let shape = batch.maskShape, let type = batch.maskType else { return (nil, [], nil) }
            return (batch.withMaskBytes { $0.baseAddress }, shape, type)
        default:
            throw ABIFailure.argument("which is \(which); use 0 (images) or 1 (masks)")
        }
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

/// `mifa_batch_tensor`: the address, shape and type of the batch's images or masks.
@_cdecl("mifa_batch_tensor")
public func mifa_batch_tensor(_ batch: OpaquePointer?, _ which: Int32, _ data: UnsafeMutablePointer<UnsafeRawPointer?>?,
                              _ shape: UnsafeMutablePointer<Int64>?, _ capacity: Int32, _ ndim: UnsafeMutablePointer<Int32>?,
                              _ dtype: UnsafeMutablePointer<Int32>?) -> Int32 {
    abiCall {
        let data = try output(data, "data"), ndim = try output(ndim, "ndim"), dtype = try output(dtype, "dtype")
        data.pointee = nil
        ndim.pointee = 0
        dtype.pointee = 0
        let handle = try HandleRegistry.shared.object(batch, as: BatchHandle.self, "batch")
        let tensor = try handle.tensor(which)
        guard tensor.shape.count <= Int(capacity) else {
            throw ABIFailure.argument("shape has room for \(capacity) axes; the tensor has \(tensor.shape.count) (pass MIFA_MAX_DIMS)")
        }
        if !tensor.shape.isEmpty {
            let shape = try output(shape, "shape")
            for (axis, extent) in tensor.shape.enumerated() { shape[axis] = Int64(extent) }
        }
        data.pointee = tensor.address
        ndim.pointee = Int32(tensor.shape.count)
        dtype.pointee = tensor.type.flatMap { ABIDataType.codes[$0] } ?? 0
    }
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

/// `mifa_batch_position`: the batch's epoch and number in it, as two integers.
@_cdecl("mifa_batch_position")
public func mifa_batch_position(_ batch: OpaquePointer?, _ epoch: UnsafeMutablePointer<Int64>?, _ index: UnsafeMutablePointer<Int64>?) -> Int32 {
    abiCall {
        let epoch = try output(epoch, "epoch"), index = try output(index, "index")
        let handle = try HandleRegistry.shared.object(batch, as: BatchHandle.self, "batch")
        epoch.pointee = Int64(handle.batch.epoch)
        index.pointee = Int64(handle.batch.index)
    }
}
