public import MIFACore

extension ArrayMetadata {
    /// Parses a v2 `.zarray` document (and the `.zattrs` beside it, if any) into the v3 model
    /// (https://zarr-specs.readthedocs.io/en/latest/v2/v2.0.html#metadata).
    ///
    /// - Throws: ``ZarrError`` `.invalidMetadata` with the JSON pointer of a missing or ill-typed
    ///   member; `.unsupportedExtension` for dtypes outside the core set (strings, objects,
    ///   structured types, dates).
    public static func parseV2(_ document: JSONValue, attributes: JSONValue? = nil, file: String? = nil) throws -> ArrayMetadata {
        let root = MetadataField(document, file: file)
        let format = try root.member("zarr_format")
        guard try format.int() == 2 else { throw format.fail("zarr_format must be 2 in .zarray") }
        let shape = try root.member("shape").intArray()
        let chunksField = try root.member("chunks")
        let chunks = try chunksField.intArray(positive: true)
        guard chunks.count == shape.count else {
            throw chunksField.fail("chunks has \(chunks.count) axes but shape has \(shape.count)")
        }
        let dtypeField = try root.member("dtype")
        if case .array = dtypeField.value {
            throw dtypeField.fail("structured dtype \(dtypeField.value.summary) is not supported", .unsupportedExtension)
        }
        let dtypeText = try dtypeField.string()
        let filterFields = try root.nonNullMember("filters")?.array() ?? []
        let dataType: ZarrDataType
        var endianness = Endianness.native
        if dtypeText == "|O" {
            dataType = try objectType(filters: filterFields, compressor: try root.nonNullMember("compressor"), dtype: dtypeField)
        } else if let (type, order) = ZarrDataType.parseV2(dtypeText) {
            dataType = type
            endianness = order
        } else {
            throw dtypeField.fail("dtype '\(dtypeText)' is not supported; use booleans, integers, floats, complex numbers or variable-length strings (|O with vlen-utf8)", .unsupportedExtension)
        }

        var codecs: [CodecDescription] = []
        let orderField = try root.member("order")
        switch try orderField.string() {
        case "C": break
        case "F":
            if shape.count > 1 {
                codecs.append(CodecDescription(name: "transpose",
                                               configuration: ["order": .array((0..<shape.count).reversed().map { .number(JSONNumber($0)) })],
                                               pointer: orderField.pointer.description))
            }
        case let other: throw orderField.fail("order must be \"C\" or \"F\", found \"\(other)\"")
        }
        // An object array's object codec (a filter) is its array-to-bytes codec; filters after it
        // work on bytes. A fixed-size array gets the `bytes` codec after its filters.
        codecs += try filterFields.map(numcodecsDescription)
        if !dataType.isVariableLength {
            var bytesConfiguration = JSONObject()
            if dataType.swapUnit > 1 { bytesConfiguration["endian"] = .string(endianness == .big ? "big" : "little") }
            codecs.append(CodecDescription(name: "bytes", configuration: bytesConfiguration, pointer: dtypeField.pointer.description))
        }
        if let compressor = try root.nonNullMember("compressor") {
            codecs.append(try numcodecsDescription(compressor))
        }

        let fillValue: FillValue
        if let fillField = try root.nonNullMember("fill_value") {
            do {
                fillValue = try FillValue(json: fillField.value, type: dataType, format: .v2)
            } catch let error as ZarrError {
                throw fillField.fail(error.message)
            }
        } else {
            fillValue = .zero(for: dataType)
        }

        var separator: Character = "."
        if let separatorField = try root.nonNullMember("dimension_separator") {
            let text = try separatorField.string()
            guard text == "." || text == "/" else { throw separatorField.fail("dimension_separator must be \".\" or \"/\", found \"\(text)\"") }
            separator = Character(text)
        }
        var attributeObject = JSONObject()
        if let attributes {
            attributeObject = try MetadataField(attributes, file: file.map { Self.sibling($0, ".zattrs") }).object()
        }
        var metadata = ArrayMetadata(unchecked: .v2, shape: shape, dataType: dataType, chunkShape: chunks,
                                     chunkKeyEncoding: .v2(separator: separator), fillValue: fillValue, codecs: codecs,
                                     attributes: attributeObject, dimensionNames: nil)
        metadata.fillValueIsNull = try root.nonNullMember("fill_value") == nil
        try metadata.validate(file: file)
        return metadata
    }

    /// The v2 `.zarray` document for this array.
    ///
    /// - Throws: ``ZarrError`` `.invalidMetadata` when the codecs cannot be said in v2: a transpose
    ///   other than full reversal, more than one compressor, sharding, or a checksum codec.
    public func v2Document() throws -> JSONValue {
        var codecs = self.codecs[...]
        var order = "C"
        if let first = codecs.first, first.name == "transpose" {
            guard storageOrder == .columnMajor else {
                throw ZarrError(.invalidMetadata, "Zarr v2 stores only C or F order; this transpose is neither")
            }
            order = "F"
            codecs = codecs.dropFirst()
        } else if rank <= 1 {
            order = "C"
        }
        var filters: [JSONValue] = []
        while let codec = codecs.first, codec.name != "bytes" {
            guard codec.name != "sharding_indexed", codec.name != "transpose" else {
                throw ZarrError(.invalidMetadata, "Zarr v2 cannot store the codec '\(codec.name)' here; write a v3 array instead")
            }
            filters.append(Self.numcodecsObject(codec))
            codecs = codecs.dropFirst()
        }
        guard let bytes = codecs.first else {
            throw ZarrError(.invalidMetadata, "Zarr v2 arrays need the plain 'bytes' array-to-bytes codec; sharding needs v3")
        }
        let endianness: Endianness = bytes.configuration["endian"]?.stringValue == "big" ? .big : .little
        codecs = codecs.dropFirst()
        guard codecs.count <= 1 else {
            throw ZarrError(.invalidMetadata, "Zarr v2 takes one compressor, \(codecs.count) bytes-to-bytes codecs were given")
        }
        if let compressor = codecs.first, compressor.name == "crc32c" || compressor.name == "sharding_indexed" {
            throw ZarrError(.invalidMetadata, "Zarr v2 cannot store the codec '\(compressor.name)'; write a v3 array instead")
        }
        var object = JSONObject()
        object["zarr_format"] = 2
        object["shape"] = .array(shape.map { .number(JSONNumber($0)) })
        object["chunks"] = .array(chunkShape.map { .number(JSONNumber($0)) })
        object["dtype"] = .string(dataType.v2String(endianness))
        object["compressor"] = codecs.first.map(Self.numcodecsObject) ?? .null
        object["fill_value"] = fillValueIsNull ? .null : fillValue.json(for: dataType, format: .v2)
        object["order"] = .string(order)
        object["filters"] = filters.isEmpty ? .null : .array(filters)
        object["dimension_separator"] = .string(String(chunkKeyEncoding.separator))
        return .object(object)
    }

    /// The numcodecs ids zarr-python takes for object codecs (`zarr.core.common.OBJECT_CODEC_IDS`).
    static let objectCodecIDs: Set<String> = ["vlen-utf8", "vlen-bytes", "vlen-array", "pickle", "json2", "msgpack2"]

    /// The type of an object (`|O`) array: what its object codec says, found among the filters
    /// and the compressor as zarr-python looks for it (the first object codec id wins).
    /// - Throws: ``ZarrError`` `.unsupportedExtension` for object codecs other than `vlen-utf8` and
    ///   `vlen-bytes`, or an object array without an object codec.
    static func objectType(filters: [MetadataField], compressor: MetadataField?, dtype: MetadataField) throws -> ZarrDataType {
        for field in filters + (compressor.map { [$0] } ?? []) {
            guard let id = try? field.member("id").string(), objectCodecIDs.contains(id) else { continue }
            guard let type = ZarrDataType(objectCodecName: id) else {
                throw field.fail("object codec '\(id)' is not supported; MIFAKit reads object arrays of vlen-utf8 strings and vlen-bytes; rewrite the array with zarr-python as dtype=str", .unsupportedExtension)
            }
            return type
        }
        throw dtype.fail("dtype '|O' (Python objects) needs an object codec among the filters, such as {\"id\": \"vlen-utf8\"}; none is given", .invalidMetadata)
    }

    /// A numcodecs `{"id": ..., ...}` object as a codec description named by its id.
    static func numcodecsDescription(_ field: MetadataField) throws -> CodecDescription {
        var configuration = try field.object()
        let id = try field.member("id").string()
        configuration["id"] = nil
        return CodecDescription(name: id, configuration: configuration, pointer: field.pointer.description)
    }

    /// A codec description as a numcodecs object: v3 names and forms turned into numcodecs ids and
    /// configurations (`numcodecs.zlib` -> `zlib`, blosc shuffle names -> numbers).
    static func numcodecsObject(_ codec: CodecDescription) -> JSONValue {
        var object = JSONObject()
        object["id"] = .string(codec.name.hasPrefix("numcodecs.") ? String(codec.name.dropFirst("numcodecs.".count)) : codec.name)
        for member in codec.configuration { object[member.key] = member.value }
        if codec.name == "blosc" {
            if case .string(let shuffle)? = object["shuffle"] {
                object["shuffle"] = .number(JSONNumber(["noshuffle": 0, "shuffle": 1, "bitshuffle": 2][shuffle] ?? 1))
            }
            object["typesize"] = nil
        }
        return .object(object)
    }

    /// The path of `name` next to `file` (`a/.zarray` -> `a/.zattrs`).
    static func sibling(_ file: String, _ name: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return name }
        return String(file[...slash]) + name
    }
}
