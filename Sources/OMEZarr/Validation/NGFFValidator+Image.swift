import MIFACore

extension NGFFValidator {
    /// `image.schema` / `strict_image.schema`: `multiscales` (required) and `omero`.
    func validateImageDocument(_ root: JSONObject, _ check: inout SchemaCheck) {
        guard let (metadata, pointer) = metadataObject(root, &check, requiredKeys: ["multiscales"]) else { return }
        if version == .v04, !metadata.contains(key: "multiscales") {
            check.error(.missingRequired, pointer, "the attributes are missing the required key 'multiscales'")
        }
        if let value = metadata["multiscales"] {
            let here = pointer.appending("multiscales")
            if let list = check.array(value, here, "'multiscales'", minItems: 1, unique: true) {
                for (index, item) in list.enumerated() { validateMultiscale(item, here.appending(index: index), &check) }
            }
        }
        if let omero = metadata["omero"] { validateOmero(omero, pointer.appending("omero"), &check) }
    }

    /// One `multiscales` entry: `datasets` and `axes` (required), `name`, `version` (0.4),
    /// `coordinateTransformations`; strict: `metadata`, `type`, `name` (and `version` in 0.4).
    func validateMultiscale(_ value: JSONValue, _ pointer: JSONPointer, _ check: inout SchemaCheck) {
        guard let object = check.object(value, pointer, "a multiscales entry") else { return }
        check.require(["datasets", "axes"], in: object, pointer, "the multiscales entry")
        if strict { check.require(["metadata", "type", "name"], in: object, pointer, "the multiscales entry", strict: true) }
        checkVersionMember(object, pointer, "the multiscales entry", required: strict, &check)
        if let name = object["name"] { check.string(name, pointer.appending("name"), "'name'") }
        var axesCount: Int?
        if let axes = object["axes"] { axesCount = validateAxes(axes, pointer.appending("axes"), &check) }
        if let datasets = object["datasets"] {
            let here = pointer.appending("datasets")
            if let list = check.array(datasets, here, "'datasets'", minItems: 1) {
                var scales: [(Int, [Double])] = []
                for (index, item) in list.enumerated() {
                    let itemPointer = here.appending(index: index)
                    guard let dataset = check.object(item, itemPointer, "a dataset") else { continue }
                    check.require(["path", "coordinateTransformations"], in: dataset, itemPointer, "the dataset")
                    if let path = dataset["path"] { check.string(path, itemPointer.appending("path"), "the dataset's 'path'") }
                    if let transforms = dataset["coordinateTransformations"],
                       let scale = validateTransformations(transforms, itemPointer.appending("coordinateTransformations"), axesCount: axesCount, &check) {
                        scales.append((index, scale))
                    }
                }
                for (previous, next) in zip(scales, scales.dropFirst()) where previous.1.count == next.1.count {
                    if zip(previous.1, next.1).contains(where: { $0 > $1 }) {
                        check.warning(.levelOrder, here.appending(index: next.0), "dataset \(next.0) has a smaller scale \(next.1) than dataset \(previous.0) \(previous.1); datasets must be ordered from the highest resolution to the lowest")
                    }
                }
            }
        }
        if let transforms = object["coordinateTransformations"] {
            _ = validateTransformations(transforms, pointer.appending("coordinateTransformations"), axesCount: axesCount, &check)
        }
    }

    /// `axes`: 2 to 5 unique items, each `{name, type}` with a known type or `{name}` with any
    /// other type, 2 or 3 of them spatial; then the specification's order and uniqueness rules.
    /// Returns the number of axes when the list is well-formed.
    func validateAxes(_ value: JSONValue, _ pointer: JSONPointer, _ check: inout SchemaCheck) -> Int? {
        guard let axes = check.array(value, pointer, "'axes'", minItems: 2, maxItems: 5, unique: true) else { return nil }
        let known = ["space", "time", "channel"]
        var wellFormed = true
        var spaceLike = 0
        for (index, axis) in axes.enumerated() {
            let here = pointer.appending(index: index)
            guard let object = axis.objectValue else {
                check.error(.wrongType, here, "an axis must be an object with a 'name', found \(axis.summary)")
                wellFormed = false
                continue
            }
            let name = object["name"], type = object["type"], unit = object["unit"]
            // The schema's `contains`: an object whose name, type and unit, where present, are a
            // string, "space" and a string.
            if name.map({ $0.stringValue != nil }) ?? true, type.map({ $0.stringValue == "space" }) ?? true,
               unit.map({ $0.stringValue != nil }) ?? true {
                spaceLike += 1
            }
            guard let name else {
                check.error(.missingRequired, here, "the axis is missing the required key 'name'")
                wellFormed = false
                continue
            }
            if name.stringValue == nil {
                check.error(.wrongType, here.appending("name"), "the axis name must be a string, found \(name.summary)")
                wellFormed = false
            }
            if let type, type.stringValue == nil {
                check.error(.wrongType, here.appending("type"), "the axis type must be a string (\(known.joined(separator: ", ")) or a custom type), found \(type.summary)")
                wellFormed = false
            }
        }
        if spaceLike < 2 {
            check.error(.invalidAxes, pointer, "the axes must include 2 or 3 axes of type \"space\", found \(spaceLike)")
        } else if spaceLike > 3 {
            check.error(.invalidAxes, pointer, "the axes must include at most 3 axes of type \"space\", found \(spaceLike)")
        }
        guard wellFormed else { return nil }
        let parsed = axes.compactMap { try? Axis(json: $0, at: pointer, file: nil) }
        var seen: [String: Int] = [:]
        for (index, axis) in parsed.enumerated() {
            if let first = seen[axis.name] {
                check.error(.duplicate, pointer.appending(index: index), "axis names must be unique; '\(axis.name)' is also axis \(first)")
            }
            seen[axis.name] = index
        }
        let types = parsed.map(\.type)
        for (label, matches) in [("time", { (t: AxisType?) in t == .time }), ("channel", { $0 == .channel }),
                                 ("custom or untyped", { $0 != .time && $0 != .channel && $0 != .space })] as [(String, (AxisType?) -> Bool)] {
            let count = types.filter(matches).count
            if count > 1 { check.error(.invalidAxes, pointer, "the axes may include at most one \(label) axis, found \(count)") }
        }
        let ranks = parsed.map(\.orderRank)
        if let index = ranks.indices.dropFirst().first(where: { ranks[$0] < ranks[$0 - 1] }) {
            check.error(.invalidAxes, pointer.appending(index: index), "axes must be ordered time, then channel or custom, then space; '\(parsed[index].name)' (\(parsed[index].type?.rawValue ?? "untyped")) comes after '\(parsed[index - 1].name)' (\(parsed[index - 1].type?.rawValue ?? "untyped"))")
        }
        return axes.count
    }

    /// `coordinateTransformations`: a non-empty list of `scale` and `translation` items with
    /// exactly one `scale`; the specification adds: scale first, then at most one translation.
    /// Returns the scale when the list is well-formed.
    func validateTransformations(_ value: JSONValue, _ pointer: JSONPointer, axesCount: Int?, _ check: inout SchemaCheck) -> [Double]? {
        guard let items = check.array(value, pointer, "'coordinateTransformations'", minItems: 1) else { return nil }
        var scaleLike = 0
        var types: [String] = []
        var wellFormed = true
        for (index, item) in items.enumerated() {
            let here = pointer.appending(index: index)
            guard let object = item.objectValue else {
                check.error(.wrongType, here, "a coordinate transformation must be an object, found \(item.summary)")
                wellFormed = false
                continue
            }
            // The schema's `contains`: type (when present) "scale", scale (when present) a list of 2+ numbers.
            if object["type"].map({ $0.stringValue == "scale" }) ?? true, object["scale"].map(Self.isNumberList) ?? true { scaleLike += 1 }
            guard let type = object["type"]?.stringValue, type == "scale" || type == "translation" else {
                let found = object["type"].map { $0.summary } ?? "no type"
                check.error(.invalidTransformations, here, "a coordinate transformation must have type \"scale\" or \"translation\" (OME-NGFF 0.4 and 0.5 allow no others), found \(found)")
                wellFormed = false
                continue
            }
            types.append(type)
            guard let values = object[type] else {
                check.error(.missingRequired, here, "the \(type) transformation is missing the required key '\(type)' (a list of numbers, one per axis)")
                wellFormed = false
                continue
            }
            guard Self.isNumberList(values) else {
                check.error(.wrongType, here.appending(type), "'\(type)' must be a list of at least 2 numbers, found \(values.summary)")
                wellFormed = false
                continue
            }
            if let axesCount, let count = values.arrayValue?.count, count != axesCount {
                check.warning(.invalidTransformations, here.appending(type), "'\(type)' has \(count) values but there are \(axesCount) axes; it must have one value per axis")
            }
        }
        if scaleLike == 0 {
            check.error(.invalidTransformations, pointer, "the coordinate transformations must include a \"scale\" transformation")
        } else if scaleLike > 1 {
            check.error(.invalidTransformations, pointer, "the coordinate transformations must include exactly one \"scale\" transformation, found \(scaleLike)")
        }
        guard wellFormed, scaleLike == 1 else { return nil }
        if types.first != "scale" {
            check.error(.invalidTransformations, pointer, "the \"scale\" transformation must come first, found \(types)")
        } else if types.count > 2 || (types.count == 2 && types[1] != "translation") {
            check.error(.invalidTransformations, pointer, "after the scale there may be one \"translation\" and nothing else, found \(types)")
        }
        return items.first?["scale"]?.arrayValue?.compactMap { $0.numberValue?.doubleValue }
    }

    /// `omero`: an object with `channels`, each with a `window` (`start`, `min`, `end`, `max`
    /// numbers), `label`, `family`, `color` strings and `active` Boolean; 0.4 requires `window` and `color`.
    func validateOmero(_ value: JSONValue, _ pointer: JSONPointer, _ check: inout SchemaCheck) {
        guard let object = check.object(value, pointer, "'omero'") else { return }
        check.require(["channels"], in: object, pointer, "'omero'")
        guard let channelsValue = object["channels"],
              let channels = check.array(channelsValue, pointer.appending("channels"), "'omero.channels'") else { return }
        for (index, item) in channels.enumerated() {
            let here = pointer.appending("channels").appending(index: index)
            guard let channel = check.object(item, here, "an omero channel") else { continue }
            if version == .v04 { check.require(["window", "color"], in: channel, here, "the omero channel") }
            if let window = channel["window"], let windowObject = check.object(window, here.appending("window"), "the channel's 'window'") {
                check.require(["start", "min", "end", "max"], in: windowObject, here.appending("window"), "the channel's 'window'")
                for key in ["start", "min", "end", "max"] {
                    if let number = windowObject[key] { check.number(number, here.appending("window").appending(key), "window '\(key)'") }
                }
            }
            for key in ["label", "family", "color"] {
                if let text = channel[key] { check.string(text, here.appending(key), "the channel's '\(key)'") }
            }
            if let active = channel["active"] { check.boolean(active, here.appending("active"), "the channel's 'active'") }
        }
    }

    /// Whether the value is a list of at least 2 numbers.
    static func isNumberList(_ value: JSONValue) -> Bool {
        guard let items = value.arrayValue, items.count >= 2 else { return false }
        return items.allSatisfy { $0.numberValue != nil }
    }
}
