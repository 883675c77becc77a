import MIFACore

extension NGFFValidator {
    /// `label.schema` / `strict_label.schema`: the `image-label` block (required in 0.5; strict
    /// requires `colors`, and `version` in 0.4).
    func validateLabelDocument(_ root: JSONObject, _ check: inout SchemaCheck) {
        guard let (metadata, pointer) = metadataObject(root, &check, requiredKeys: ["image-label"]) else { return }
        guard let value = metadata["image-label"] else { return }
        let here = pointer.appending("image-label")
        guard let label = check.object(value, here, "'image-label'") else { return }
        if strict { check.require(["colors"], in: label, here, "'image-label'", strict: true) }
        checkVersionMember(label, here, "'image-label'", required: strict, &check)
        var colorValues: [JSONNumber] = []
        if let colors = label["colors"], let list = check.array(colors, here.appending("colors"), "'colors'", minItems: 1, unique: true) {
            for (index, item) in list.enumerated() {
                let itemPointer = here.appending("colors").appending(index: index)
                guard let color = check.object(item, itemPointer, "a colour") else { continue }
                check.require(["label-value"], in: color, itemPointer, "the colour")
                if let value = color["label-value"], let number = check.number(value, itemPointer.appending("label-value"), "'label-value'") {
                    colorValues.append(number)
                }
                if let rgba = color["rgba"], let channels = check.array(rgba, itemPointer.appending("rgba"), "'rgba'", minItems: 4, maxItems: 4) {
                    for (channel, component) in channels.enumerated() {
                        let componentPointer = itemPointer.appending("rgba").appending(index: channel)
                        guard let number = check.integer(component, componentPointer, "an rgba component", minimum: 0) else { continue }
                        if SchemaCheck.compare(number, 255) > 0 {
                            check.error(.invalidValue, componentPointer, "an rgba component must be at most 255, found \(number.literal)")
                        }
                    }
                }
            }
            if let (first, second) = SchemaCheck.firstDuplicate(colorValues.map(JSONValue.number)) {
                check.warning(.duplicate, here.appending("colors").appending(index: second), "label value \(colorValues[second].literal) has a colour twice (also colour \(first)); give each label value one colour")
            }
        }
        var propertyValues: [JSONNumber] = []
        if let properties = label["properties"],
           let list = check.array(properties, here.appending("properties"), "'properties'", minItems: 1, unique: true) {
            for (index, item) in list.enumerated() {
                let itemPointer = here.appending("properties").appending(index: index)
                guard let property = check.object(item, itemPointer, "a property entry") else { continue }
                check.require(["label-value"], in: property, itemPointer, "the property entry")
                if let value = property["label-value"], let number = check.integer(value, itemPointer.appending("label-value"), "'label-value'") {
                    propertyValues.append(number)
                }
            }
        }
        if !colorValues.isEmpty, !propertyValues.isEmpty, Set(colorValues) != Set(propertyValues) {
            check.warning(.labelValuesMismatch, here, "'colors' and 'properties' describe different label values; ome-zarr-models requires the same set in both")
        }
        if let source = label["source"], let object = check.object(source, here.appending("source"), "'source'"),
           let image = object["image"] {
            check.string(image, here.appending("source").appending("image"), "'source.image'")
        }
    }
}
