import DatasetPackage
import Hummingbird
import HummingbirdCore
import MIFACore
import OMEZarr
import RasterIO
import Rendering

/// The JSON documents of `/api/` (described in `Resources/openapi.json`).
enum API {
    /// `/api/images`: every image with its levels, axes, channels, planes and annotation layers.
    static func images(_ view: PackageView) throws -> JSONValue {
        .array(try view.imageIDs.map { try image(view, $0) })
    }

    /// One image's entry of `/api/images`.
    static func image(_ view: PackageView, _ id: String) throws -> JSONValue {
        let renderer = try view.renderer(id)
        let image = renderer.image
        let levels: [JSONValue] = image.levels.map { level in
            [
                "path": .string(level.path), "shape": .array(level.shape.map { .number(JSONNumber($0)) }),
                "chunks": .array(level.chunkShape.map { .number(JSONNumber($0)) }),
                "dtype": .string(level.dataType?.rawValue ?? String(describing: level.array.dataType)),
            ]
        }
        let channels: [JSONValue] = renderer.channels.map { display in
            let label = image.omero?.channels.indices.contains(display.channel) == true ? image.omero?.channels[display.channel].label : nil
            return [
                "index": .number(JSONNumber(display.channel)), "label": label.map(JSONValue.string) ?? .null, "color": .string(display.color.hex),
                "window": [.init(floatLiteral: display.start), .init(floatLiteral: display.end)],
                "active": .bool(renderer.activeChannels.contains(display.channel)),
            ]
        }
        let labels: [JSONValue] = renderer.labels.map { layer in
            let colors: [JSONValue] = layer.colors.sorted { $0.key < $1.key }.map { value, color in
                ["value": .number(JSONNumber(value)), "rgba": .array([color.red, color.green, color.blue, color.alpha].map { .number(JSONNumber(Int($0))) })]
            }
            return ["name": .string(layer.name), "colors": .array(colors)]
        }
        let sets: [JSONValue] = renderer.vectors.map { layer in
            ["id": .string(layer.name), "color": .string(layer.color.hex), "objects": .number(JSONNumber(layer.annotations.count))]
        }
        let (tCount, zCount) = renderer.planeCounts, plane = renderer.defaultPlane
        return [
            "id": .string(id), "axes": .array(image.axes.map { .string($0.name) }), "levels": .array(levels),
            "channels": .array(channels), "planes": ["t": .number(JSONNumber(tCount)), "z": .number(JSONNumber(zCount))],
            "default_plane": ["t": .number(JSONNumber(plane.t)), "z": .number(JSONNumber(plane.z))],
            "labels": .array(labels), "sets": .array(sets), "tile_size": 256,
        ]
    }

    /// `/api/sets`: every annotation set with its kind, images and number of objects (a vector
    /// set's from its index: the same reads whatever its number of objects).
    static func sets(_ view: PackageView) throws -> JSONValue {
        var result: [String: JSONValue] = [:]
        for set in view.vectorSets {
            let perImage = try view.objectKinds(set)
            let kinds = Set(perImage.values.flatMap(\.keys)).sorted()
            let objects = perImage.values.reduce(0) { $0 + $1.values.reduce(0, +) }
            result[set] = [
                "id": .string(set), "kind": "vector", "types": .array(kinds.map(JSONValue.string)), "objects": .number(JSONNumber(objects)),
                "images": .array(perImage.keys.sorted().map(JSONValue.string)),
                "color": .string(view.color(ofSet: set).hex),
            ]
        }
        for (set, images) in view.labelSets {
            if case .object(var existing)? = result[set] {
                existing["kind"] = "vector+labels"
                existing["label_images"] = .array(images.sorted().map(JSONValue.string))
                result[set] = .object(existing)
            } else {
                result[set] = ["id": .string(set), "kind": "labels", "types": ["mask"], "images": .array(images.sorted().map(JSONValue.string)), "label_images": .array(images.sorted().map(JSONValue.string))]
            }
        }
        return .array(result.keys.sorted().map { result[$0]! })
    }

    /// `/api/versions`: the version records from the first version to the current one.
    static func versions(_ view: PackageView) throws -> JSONValue {
        let records = try view.snapshot.package.lineage()
        return .array(try records.map { try JSONParser.parse($0.canonicalJSON()) })
    }

    /// `/api/versions/<from>/<to>/images/<id>/label-changes`: per label set of the image whose
    /// label objects differ between the versions, the label values added, removed and changed.
    /// - Throws: as `PackageView.changedLabels(from:to:on:)`.
    static func labelChanges(_ view: PackageView, from old: String, to new: String, on id: String) throws -> JSONValue {
        let sets = try view.changedLabels(from: old, to: new, on: id).map { change -> JSONValue in
            let values = { (list: [Int64]) in JSONValue.array(list.map { .number(JSONNumber($0)) }) }
            return ["set": .string(change.set), "added": values(change.added), "removed": values(change.removed), "changed": values(change.changed)]
        }
        return ["from": .string(old), "to": .string(new), "image": .string(id), "sets": .array(sets)]
    }

    /// `/api/versions/<from>/<to>/images/<id>/label-changes/at?x=&y=[&t=&z=]`: the changed label
    /// objects under one full-resolution pixel, with their set, value, kind of change and version
    /// (the viewer's hover on label changes).
    /// - Throws: as `PackageView.changedLabels(from:to:on:x:y:t:z:)`; ``ServerError`` `.badRequest`
    ///   when `x` or `y` is missing or not an integer.
    static func labelChangesAt(_ view: PackageView, from old: String, to new: String, on id: String, query: FlatDictionary<Substring, Substring>) throws -> JSONValue {
        guard let x = try query.integer("x"), let y = try query.integer("y") else {
            throw ServerError(.badRequest, "give the pixel as ?x=<column>&y=<row> (full-resolution pixels of image '\(id)')")
        }
        let objects = try view.changedLabels(from: old, to: new, on: id, x: x, y: y, t: query.integer("t"), z: query.integer("z"))
        return [
            "from": .string(old), "to": .string(new), "image": .string(id), "x": .number(JSONNumber(x)), "y": .number(JSONNumber(y)),
            "objects": .array(objects.map { ["set": .string($0.set), "value": .number(JSONNumber($0.value)), "change": .string($0.change), "version": .string($0.version)] }),
        ]
    }

    /// `/api/versions/<from>/<to>/diff`: what differs between two versions of the package's chain.
    /// - Throws: ``ServerError`` `.notFound` naming the versions there are, for a version outside the chain.
    static func diff(_ view: PackageView, from old: String, to new: String) throws -> VersionDiff {
        try view.checkVersions(old, new)
        return try view.snapshot.package.diff(from: old, to: new)
    }

    /// `/api/images/<id>/region?level=&region=&format=npy|png`: the pixels of a region of a level,
    /// as `.npy` (every axis, the level's type) or as a PNG drawn by the renderer (its `y` and `x`
    /// ranges; the plane and channels from `t`, `z`, `channels`).
    static func region(_ view: PackageView, image id: String, query: FlatDictionary<Substring, Substring>) throws -> Response {
        let renderer = try view.renderer(id)
        let image = renderer.image
        let level = try query.integer("level") ?? 0
        guard image.levels.indices.contains(level) else {
            throw ServerError(.badRequest, "level \(level) does not exist; image '\(id)' has levels 0...\(image.levels.count - 1)")
        }
        let shape = image.levels[level].shape
        let region: Region
        do {
            region = try Region(parsing: query["region"].map(String.init) ?? "", shape: shape)
        } catch {
            throw ServerError(.badRequest, "bad region: \(error); give NumPy-style slices for axes \(image.axes.map(\.name)) of shape \(shape)", underlying: error)
        }
        guard region.elementCount <= ImageRenderer.maximumPixels else {
            throw ServerError(.badRequest, "the region [\(region)] has \(region.elementCount) elements, more than the \(ImageRenderer.maximumPixels) served at once; ask for a smaller one")
        }
        switch query["format"] ?? "npy" {
        case "npy":
            let pixels = try image.read(level: level, region: region)
            return Routes.bytes(NPYFile.encode(pixels), type: "application/octet-stream")
        case "png":
            guard let y = image.axisIndex("y"), let x = image.axisIndex("x") else {
                throw ServerError(.badRequest, "image '\(id)' has no y and x axes to draw")
            }
            let options = try Routes.renderOptions(query, defaultLayers: false)
            let picture = try renderer.render(level: level, y: region.ranges[y], x: region.ranges[x], options: options)
            return Routes.bytes(try picture.png(compressionLevel: 3), type: "image/png")
        default:
            throw ServerError(.badRequest, "'format' is npy or png, not '\(query["format"] ?? "")'")
        }
    }
}
