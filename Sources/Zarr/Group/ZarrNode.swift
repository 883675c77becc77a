import MIFACore

/// Reading and writing node metadata: `zarr.json` (v3) or `.zarray` / `.zgroup` / `.zattrs` (v2).
public enum ZarrNode {
    /// The metadata of the node at `path`: an array or a group, v3 first, then v2.
    ///
    /// A v2 group with `.zmetadata` beside `.zgroup` gets its consolidated metadata.
    /// - Throws: ``ZarrError`` `.notFound` when no metadata document is there, `.invalidMetadata`
    ///   (with file, line and column for JSON syntax errors, or the JSON pointer) for bad metadata.
    public static func readMetadata(_ store: any ZarrStore, path: String) throws -> NodeMetadata {
        try StoreKey.validatePrefix(path)
        let v3Key = try StoreKey.joining(path, "zarr.json")
        if let document = try readJSON(store, v3Key) {
            let file = describe(store, v3Key)
            let nodeType = try MetadataField(document, file: file).member("node_type")
            switch try nodeType.string() {
            case "array": return .array(try ArrayMetadata.parseV3(document, file: file))
            case "group": return .group(try GroupMetadata.parseV3(document, file: file))
            case let other: throw nodeType.fail("node_type must be \"array\" or \"group\", found \"\(other)\"")
            }
        }
        let attributes = try readJSON(store, try StoreKey.joining(path, ".zattrs"))
        let arrayKey = try StoreKey.joining(path, ".zarray")
        if let document = try readJSON(store, arrayKey) {
            return .array(try ArrayMetadata.parseV2(document, attributes: attributes, file: describe(store, arrayKey)))
        }
        let groupKey = try StoreKey.joining(path, ".zgroup")
        if let document = try readJSON(store, groupKey) {
            let consolidatedKey = try StoreKey.joining(path, ".zmetadata")
            if let consolidated = try readJSON(store, consolidatedKey) {
                var group = try GroupMetadata.parseV2Consolidated(consolidated, file: describe(store, consolidatedKey))
                group.attributes = try GroupMetadata.parseV2(document, attributes: attributes, file: describe(store, groupKey)).attributes
                return .group(group)
            }
            return .group(try GroupMetadata.parseV2(document, attributes: attributes, file: describe(store, groupKey)))
        }
        throw ZarrError(.notFound, "no Zarr array or group at '\(path.isEmpty ? "/" : path)' (no zarr.json, .zarray or .zgroup)",
                        context: ErrorContext(file: store.location, key: path))
    }

    /// Writes a node's metadata documents as canonical JSON (two-space indented, sorted keys).
    /// - Throws: ``ZarrError`` `.invalidMetadata` when v2 cannot express the codecs; store errors.
    public static func writeMetadata(_ store: any ZarrStore, path: String, _ metadata: NodeMetadata) throws {
        switch (metadata, metadata.format) {
        case (.array(let array), .v3):
            try store.set(try StoreKey.joining(path, "zarr.json"), try encode(array.v3Document()))
        case (.group(let group), .v3):
            try store.set(try StoreKey.joining(path, "zarr.json"), try encode(group.v3Document()))
        case (.array(let array), .v2):
            try store.set(try StoreKey.joining(path, ".zarray"), try encode(try array.v2Document()))
            try writeV2Attributes(store, path: path, array.attributes)
        case (.group(let group), .v2):
            try store.set(try StoreKey.joining(path, ".zgroup"), try encode(["zarr_format": 2]))
            try writeV2Attributes(store, path: path, group.attributes)
        }
    }

    /// Refuses to create over an existing node unless `overwrite`, in which case everything under
    /// `path` is deleted first.
    /// - Throws: ``ZarrError`` `.invalidMetadata` when a node exists and `overwrite` is false.
    static func prepareForCreate(_ store: any ZarrStore, path: String, overwrite: Bool) throws {
        let names = ["zarr.json", ".zarray", ".zgroup"]
        let existing = try names.contains { try store.exists(try StoreKey.joining(path, $0)) }
        guard existing else { return }
        guard overwrite else {
            throw ZarrError(.invalidMetadata, "a Zarr node already exists at '\(path.isEmpty ? "/" : path)'; pass overwrite to replace it",
                            context: ErrorContext(file: store.location, key: path))
        }
        for key in try store.list(prefix: path.isEmpty ? "" : path + "/") { try store.delete(key) }
    }

    private static func writeV2Attributes(_ store: any ZarrStore, path: String, _ attributes: JSONObject) throws {
        let key = try StoreKey.joining(path, ".zattrs")
        if attributes.isEmpty {
            try store.delete(key)
        } else {
            try store.set(key, try encode(.object(attributes)))
        }
    }

    static func encode(_ value: JSONValue) throws -> [UInt8] {
        do {
            return try CanonicalJSON.encode(value)
        } catch {
            throw ZarrError(.invalidMetadata, "metadata cannot be written as JSON: \(error)")
        }
    }

    static func describe(_ store: any ZarrStore, _ key: StoreKey) -> String {
        "\(store.location)/\(key.value)"
    }

    /// A JSON document from the store, or `nil` when the key is missing.
    /// - Throws: ``ZarrError`` `.invalidMetadata` with line and column for invalid JSON.
    static func readJSON(_ store: any ZarrStore, _ key: StoreKey) throws -> JSONValue? {
        guard let bytes = try store.get(key) else { return nil }
        return try ZarrError.locating(file: describe(store, key), key: nil) {
            try JSONParser.parse(bytes, file: describe(store, key))
        }
    }
}
