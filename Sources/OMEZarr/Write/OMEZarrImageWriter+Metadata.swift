import MIFACore
import Zarr

extension OMEZarrImageWriter {
    /// The multiscale description of what was written.
    public var multiscale: Multiscale {
        var details: JSONObject = ["method": "MIFAKit OMEZarrImageWriter", "reduction": .string(reduction.rawValue)]
        if reduction == .mean { details["rounding"] = "nearest, ties to even" }
        let halved = levelScales.count > 1 ? (0..<shape.count).filter { levelScales[1][$0] != levelScales[0][$0] } : []
        details["downsampled_axes"] = .array(halved.map { .string(axes[$0].name) })
        details["factor"] = 2
        return Multiscale(
            name: options.name ?? label?.name ?? "image", axes: axes,
            datasets: levelScales.enumerated().map { MultiscaleDataset(path: "\($0.offset)", scale: $0.element, translation: levelTranslations?[$0.offset]) },
            type: reduction.rawValue, metadata: .object(details))
    }

    /// The group attributes: the multiscales, `omero` for intensity images, `image-label` for
    /// labels; under `ome` with `version` for 0.5. Validated with the strict rules first.
    /// - Throws: ``OMEZarrError`` `.invalidMetadata` when they break a rule.
    func groupAttributes(statistics: PlaneStatistics) throws -> JSONObject {
        let version = options.version
        var metadata = JSONObject()
        if version == .v05 { metadata["version"] = .string(version.rawValue) }
        metadata["multiscales"] = [multiscale.json(version: version)]
        if let label {
            let colors = label.colors ?? Self.automaticColors(statistics: statistics, properties: label.properties)
            let imageLabel = ImageLabelMetadata(colors: colors, properties: label.properties, sourceImage: "../../")
            metadata["image-label"] = imageLabel.json(version: version)
        } else {
            metadata["omero"] = (omero ?? automaticOmero(statistics: statistics)).json
        }
        let attributes: JSONObject = version == .v05 ? ["ome": .object(metadata)] : metadata
        let validator = NGFFValidator(version: version, strict: true)
        for kind in label == nil ? [NGFFDocumentKind.image] : [.image, .label] {
            let report = validator.validate(.object(attributes), as: kind)
            if let problem = report.errors.first {
                throw OMEZarrError(.invalidMetadata, "the metadata about to be written breaks the OME-NGFF \(version) rules at \(problem.pointer): \(problem.message)")
            }
        }
        return attributes
    }

    /// One colour per label value found (background transparent), or per property when given.
    static func automaticColors(statistics: PlaneStatistics, properties: [JSONObject]?) -> [LabelColor] {
        if let properties {
            return properties.compactMap { $0["label-value"]?.numberValue?.int64Value }.map(LabelColor.automatic(for:))
        }
        let values = statistics.labelValues.isEmpty ? [0] : statistics.labelValues.sorted()
        return values.map(LabelColor.automatic(for:))
    }

    /// Display settings from the data: one channel per index of the channel axis, the type's range
    /// as `min`/`max` (the data's for floats) and the data's range as `start`/`end`.
    func automaticOmero(statistics: PlaneStatistics) -> OmeroMetadata {
        let channelAxis = axes.firstIndex { $0.type == .channel }
        let count = channelAxis.map { shape[$0] } ?? 1
        let palette = count == 1 ? ["FFFFFF"] : ["FF0000", "00FF00", "0000FF", "FF00FF", "00FFFF", "FFFF00", "FFFFFF"]
        let typeRange = Self.typeRange(dataType)
        let channels = (0..<count).map { index -> OmeroChannel in
            let range = statistics.ranges[index] ?? (0, 0)
            let limits = typeRange ?? (Swift.min(range.min, 0), range.max)
            let name = channelLabels.flatMap { $0.indices.contains(index) && !$0[index].isEmpty ? $0[index] : nil }
            return OmeroChannel(label: name ?? (count == 1 ? (options.name ?? "channel 0") : "channel \(index)"), color: palette[index % palette.count],
                                window: OmeroWindow(min: limits.0, max: limits.1, start: range.min, end: range.max))
        }
        return OmeroMetadata(channels: channels, model: count == 1 ? "greyscale" : "color", defaultT: 0,
                             defaultZ: axes.firstIndex { $0.name == "z" }.map { shape[$0] / 2 } ?? 0)
    }

    /// The value range of an integer type (`bool`: 0 and 1); `nil` for floats.
    static func typeRange(_ type: DataType) -> (Double, Double)? {
        func range<T: FixedWidthInteger>(_: T.Type) -> (Double, Double) { (Double(T.min), Double(T.max)) }
        return type == .bool ? (0, 1) : (type.elementType as? any FixedWidthInteger.Type).map { range($0) }
    }

    /// Adds the finished label's name to its labels group.
    func registerLabel(_ label: LabelSettings) throws {
        try OMEZarrError.wrapping("cannot list the label in '\(label.labelsGroupPath)'") {
            let group = try ZarrGroup.open(store, path: label.labelsGroupPath)
            let version = options.version
            var metadata = version == .v05 ? (group.attributes["ome"]?.objectValue ?? JSONObject()) : group.attributes
            var names = metadata["labels"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if !names.contains(label.name) { names.append(label.name) }
            metadata["labels"] = .array(names.map(JSONValue.string))
            var attributes = group.attributes
            if version == .v05 {
                metadata["version"] = .string(version.rawValue)
                attributes["ome"] = .object(metadata)
            } else {
                attributes = metadata
            }
            _ = try group.settingAttributes(attributes)
        }
    }
}
