public import MIFACore

extension ArrayMetadata {
    /// The members a v3 array `zarr.json` may have; others must be marked `"must_understand": false`.
    static let v3ArrayMembers: Set<String> = [
        "zarr_format", "node_type", "shape", "data_type", "chunk_grid", "chunk_key_encoding", "fill_value",
        "codecs", "attributes", "storage_transformers", "dimension_names",
    ]

    /// Parses a v3 array `zarr.json` document
    /// (https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#array-metadata).
    ///
    /// - Throws: ``ZarrError`` `.invalidMetadata` with the JSON pointer of a missing or ill-typed
    ///   member; `.unsupportedExtension` for a data type, chunk grid, chunk key encoding, storage
    ///   transformer or top-level member that must be understood and is not.
    public static func parseV3(_ document: JSONValue, file: String? = nil) throws -> ArrayMetadata {
        let root = MetadataField(document, file: file)
        let format = try root.member("zarr_format")
        guard try format.int() == 3 else { throw format.fail("zarr_format must be 3 in zarr.json") }
        let nodeType = try root.member("node_type")
        guard try nodeType.string() == "array" else { throw nodeType.fail("node_type must be \"array\" for an array") }
        try root.refuseUnknownMembers(known: v3ArrayMembers)

        let shape = try root.member("shape").intArray()
        let dataType = try parseDataType(try root.member("data_type"))

        let grid = try root.member("chunk_grid")
        let gridName = try grid.member("name")
        guard try gridName.string() == "regular" else {
            throw gridName.fail("chunk grid '\(try gridName.string())' is not supported; only \"regular\" is", .unsupportedExtension)
        }
        let chunkShapeField = try grid.member("configuration").member("chunk_shape")
        let chunkShape = try chunkShapeField.intArray(positive: true)
        guard chunkShape.count == shape.count else {
            throw chunkShapeField.fail("chunk_shape has \(chunkShape.count) axes but shape has \(shape.count)")
        }

        let encodingField = try root.member("chunk_key_encoding")
        let encodingName = try encodingField.member("name")
        let separatorField = try encodingField.optionalMember("configuration")?.optionalMember("separator")
        let separator = try separatorField.map { field -> Character in
            let text = try field.string()
            guard text == "/" || text == "." else { throw field.fail("separator must be \"/\" or \".\", found \"\(text)\"") }
            return Character(text)
        }
        let encoding: ChunkKeyEncoding
        switch try encodingName.string() {
        case "default": encoding = .default(separator: separator ?? "/")
        case "v2": encoding = .v2(separator: separator ?? ".")
        case let other: throw encodingName.fail("chunk key encoding '\(other)' is not supported", .unsupportedExtension)
        }

        let fillField = try root.member("fill_value")
        let fillValue: FillValue
        do {
            fillValue = try FillValue(json: fillField.value, type: dataType, format: .v3)
        } catch let error as ZarrError {
            throw fillField.fail(error.message)
        }

        let codecs = try root.member("codecs").array().map(parseCodec)
        guard !codecs.isEmpty else { throw try root.member("codecs").fail("codecs must name at least the array-to-bytes codec") }

        let attributes = try root.optionalMember("attributes").map { try $0.object() } ?? JSONObject()
        if let transformers = try root.optionalMember("storage_transformers") {
            for transformer in try transformers.array() {
                if let flag = try transformer.optionalMember("must_understand"), try flag.bool() == false { continue }
                let name = (try? transformer.member("name").string()) ?? transformer.value.summary
                throw transformer.fail("storage transformer '\(name)' is not supported", .unsupportedExtension)
            }
        }
        var dimensionNames: [String?]?
        if let namesField = try root.nonNullMember("dimension_names") {
            let names = try namesField.array().map { item -> String? in item.value.isNull ? nil : try item.string() }
            guard names.count == shape.count else {
                throw namesField.fail("dimension_names has \(names.count) entries but the array has \(shape.count) axes")
            }
            dimensionNames = names
        }
        var metadata = ArrayMetadata(unchecked: .v3, shape: shape, dataType: dataType, chunkShape: chunkShape,
                                     chunkKeyEncoding: encoding, fillValue: fillValue, codecs: codecs,
                                     attributes: attributes, dimensionNames: dimensionNames)
        try metadata.validate(file: file)
        metadata.format = .v3
        return metadata
    }

    /// The v3 `zarr.json` document for this array.
    public func v3Document() -> JSONValue {
        var object = JSONObject()
        object["zarr_format"] = 3
        object["node_type"] = "array"
        object["shape"] = .array(shape.map { .number(JSONNumber($0)) })
        object["data_type"] = .string(dataType.v3Name)
        object["chunk_grid"] = [
            "name": "regular",
            "configuration": ["chunk_shape": .array(chunkShape.map { .number(JSONNumber($0)) })],
        ]
        object["chunk_key_encoding"] = [
            "name": .string(chunkKeyEncoding.name),
            "configuration": ["separator": .string(String(chunkKeyEncoding.separator))],
        ]
        object["fill_value"] = fillValue.json(for: dataType, format: .v3)
        object["codecs"] = .array(codecs.map(\.json))
        object["attributes"] = .object(attributes)
        if let dimensionNames {
            object["dimension_names"] = .array(dimensionNames.map { $0.map(JSONValue.string) ?? .null })
        }
        object["storage_transformers"] = []
        return .object(object)
    }

    /// A data type given as a name or as `{"name": ...}`.
    static func parseDataType(_ field: MetadataField) throws -> ZarrDataType {
        let name: String
        if case .object = field.value {
            name = try field.member("name").string()
        } else {
            name = try field.string()
        }
        guard let type = ZarrDataType(v3Name: name) else {
            throw field.fail("data type '\(name)' is not supported; MIFAKit reads the core types (bool, int8-64, uint8-64, float16/32/64, complex64/128, r*), string and variable_length_bytes",
                             .unsupportedExtension)
        }
        return type
    }

    /// A codec given as `{"name": ..., "configuration": {...}}` or as a bare name.
    static func parseCodec(_ field: MetadataField) throws -> CodecDescription {
        if case .string(let name) = field.value {
            return CodecDescription(name: name, pointer: field.pointer.description)
        }
        let name = try field.member("name").string()
        let configuration = try field.optionalMember("configuration").map { try $0.object() } ?? JSONObject()
        return CodecDescription(name: name, configuration: configuration, pointer: field.pointer.description)
    }

    /// Metadata whose parts the caller validates.
    init(unchecked format: ZarrFormat, shape: [Int], dataType: ZarrDataType, chunkShape: [Int], chunkKeyEncoding: ChunkKeyEncoding,
         fillValue: FillValue, codecs: [CodecDescription], attributes: JSONObject, dimensionNames: [String?]?) {
        self.format = format
        self.shape = shape
        self.dataType = dataType
        self.chunkShape = chunkShape
        self.chunkKeyEncoding = chunkKeyEncoding
        self.fillValue = fillValue
        self.codecs = codecs
        self.attributes = attributes
        self.dimensionNames = dimensionNames
    }
}
