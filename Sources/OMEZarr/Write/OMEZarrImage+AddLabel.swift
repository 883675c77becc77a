public import MIFACore
import Zarr

extension OMEZarrImage {
    /// Starts a label image `labels/<name>` of this image, written plane by plane like an image.
    ///
    /// The label image has the image's axes, without the channel axis when `hasChannelAxis` is
    /// false, the same extents, the same number of levels (halving z too when the image's pyramid
    /// does), the image's level-0 scale and translation, `image-label` metadata with `source.image =
    /// "../../"` and colours (one per label value found, or per property), and the ``PyramidReduction/mode``
    /// reduction unless another is given. The image's `labels` group is created when missing, and
    /// lists the label once ``OMEZarrImageWriter/finish()`` has written it.
    /// See https://ngff.openmicroscopy.org/0.5/#labels-md.
    /// - Parameters:
    ///   - name: the label image's name (letters, digits, `-`, `_`, `.`).
    ///   - dataType: an integer type.
    ///   - hasChannelAxis: whether the labels keep the image's channel axis (with extent 1).
    ///   - colors: the colours; `nil` derives them from the data.
    ///   - properties: per label value properties (each with `label-value`).
    ///   - options: chunks, shards (both naming the image's axes, trailing ones if fewer), codec,
    ///     reduction, overwrite; the version and levels are the image's.
    /// - Throws: ``OMEZarrError`` `.invalidLabel` for a non-integer type or a blending reduction,
    ///   `.invalidArgument` for a bad name or an existing label without `overwrite`; `.storage`.
    public func labelWriter(name: String, dataType: DataType, hasChannelAxis: Bool = false, colors: [LabelColor]? = nil,
                            properties: [JSONObject]? = nil, options: OMEZarrWriteOptions = OMEZarrWriteOptions()) throws -> OMEZarrImageWriter {
        guard !name.isEmpty, name != ".", name != "..", name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw OMEZarrError(.invalidArgument, "label name '\(name)' must be letters, digits, '-', '_' or '.'")
        }
        guard dataType.isInteger else {
            throw OMEZarrError(.invalidLabel, "label '\(name)' would hold \(dataType.rawValue); label images must hold integers (uint8...int64)")
        }
        if let properties, properties.contains(where: { $0["label-value"]?.numberValue?.int64Value == nil }) {
            throw OMEZarrError(.invalidArgument, "every label property needs an integer 'label-value'")
        }
        let channel = axes.firstIndex { $0.type == .channel }
        let keep = (0..<rank).filter { hasChannelAxis || $0 != channel }
        let first = levels[0]
        var shape = keep.map { first.shape[$0] }
        if hasChannelAxis, let channel, let position = keep.firstIndex(of: channel) { shape[position] = 1 }
        let translation = first.transform.translation.allSatisfy { $0 == 0 } ? nil : keep.map { first.transform.translation[$0] }
        var labelOptions = options
        // Chunks and shards name the image's trailing axes: expand them to the image, keep the label's axes.
        func project(_ values: [Int]?) -> [Int]? {
            guard let values, values.count <= rank else { return values }
            let full = [Int](repeating: 1, count: rank - values.count) + values
            return keep.map { full[$0] }
        }
        labelOptions.chunks = project(options.chunks)
        labelOptions.shards = project(options.shards)
        labelOptions.version = version
        labelOptions.levels = levels.count
        let zIndex = rank >= 3 && axes[rank - 3].isSpace ? rank - 3 : nil
        labelOptions.downsampleZ = levels.count > 1 && zIndex.map { levels[1].shape[$0] < first.shape[$0] } ?? false
        labelOptions.name = options.name ?? name
        let labelsPath = childPath("labels")
        let existing = try labelNames()
        if existing.contains(name) && !options.overwrite {
            throw OMEZarrError(.invalidArgument, "the image already has a label '\(name)'; pass overwrite to replace it", context: ErrorContext(file: group.file))
        }
        let labelsExists = try OMEZarrError.wrapping("cannot look for the labels group") {
            try store.exists(try StoreKey.joining(labelsPath, version == .v05 ? "zarr.json" : ".zgroup"))
        }
        if !labelsExists {
            try OMEZarrError.wrapping("cannot create the labels group") {
                var attributes = JSONObject()
                if version == .v05 { attributes["ome"] = ["version": .string(version.rawValue), "labels": []] } else { attributes["labels"] = [] }
                try ZarrGroup.create(store, path: labelsPath, format: version.zarrFormat, attributes: attributes)
            }
        }
        return try OMEZarrImageWriter(
            store: store, path: "\(labelsPath)/\(name)", shape: shape, dataType: dataType, axes: keep.map { axes[$0] },
            scale: keep.map { first.transform.scale[$0] }, translation: translation, options: labelOptions,
            label: .init(name: name, colors: colors, properties: properties, labelsGroupPath: labelsPath))
    }

    /// Adds a label image held in memory (see ``labelWriter(name:dataType:hasChannelAxis:colors:properties:options:)``)
    /// and returns it, opened and checked.
    ///
    /// The labels have the image's shape without the channel axis, or with a channel axis of extent 1.
    /// - Throws: ``OMEZarrError`` `.invalidLabel` when the shape does not match the image or the
    ///   pixels are not integers; as ``labelWriter(name:dataType:hasChannelAxis:colors:properties:options:)``.
    @discardableResult
    public func addLabel(name: String, _ labels: AnyNDArray, colors: [LabelColor]? = nil, properties: [JSONObject]? = nil,
                         options: OMEZarrWriteOptions = OMEZarrWriteOptions()) throws -> OMEZarrImage {
        let channel = axes.firstIndex { $0.type == .channel }
        let withoutChannel = (0..<rank).filter { $0 != channel }.map { shape[$0] }
        var withChannel = shape
        if let channel { withChannel[channel] = 1 }
        let hasChannelAxis: Bool
        if labels.shape == withoutChannel {
            hasChannelAxis = false
        } else if channel != nil && labels.shape == withChannel {
            hasChannelAxis = true
        } else {
            throw OMEZarrError(.invalidLabel, "labels of shape \(labels.shape) do not fit the image of shape \(shape) (axes \(axes.map(\.name))); give the image's extents without the channel axis",
                               context: ErrorContext(file: group.file, shape: labels.shape))
        }
        let writer = try labelWriter(name: name, dataType: labels.dataType, hasChannelAxis: hasChannelAxis, colors: colors, properties: properties, options: options)
        try writer.write(labels)
        let label = try writer.finish()
        try label.checkIsLabel(name: name)
        return label
    }
}
