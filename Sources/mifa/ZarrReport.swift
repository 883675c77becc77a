import MIFACore
import Zarr

/// What `mifa zarr info` says about a node, as a JSON value (the `--json` output) and as text.
enum ZarrReport {
    /// The report of the node at `path`; groups list their children recursively (at most 6 levels).
    /// A child whose metadata uses what MIFAKit does not support (a data type, a codec) is listed
    /// with `"supported": false` and the reason, so the rest of the group is still described.
    /// - Throws: ``ZarrError`` when the node cannot be read, or a child cannot for another reason
    ///   (a store failure).
    static func make(_ store: any ZarrStore, path: String, depth: Int = 0) throws -> JSONValue {
        switch try ZarrNode.readMetadata(store, path: path) {
        case .array:
            return array(try ZarrArray.open(store, path: path))
        case .group(let metadata):
            let group = try ZarrGroup.open(store, path: path)
            var object: JSONObject = ["node_type": "group", "zarr_format": .number(JSONNumber(metadata.format.rawValue)),
                                      "attributes": .object(metadata.attributes)]
            if metadata.consolidated != nil { object["consolidated"] = true }
            var children: [JSONValue] = []
            if depth < 6 {
                for child in try group.children() {
                    var entry: JSONObject
                    do {
                        entry = try make(store, path: group.childPath(child.name), depth: depth + 1).objectValue ?? JSONObject()
                    } catch let error as ZarrError where error.kind == .unsupportedExtension || error.kind == .invalidMetadata {
                        entry = ["supported": false, "reason": .string(error.message), "code": .string(error.code)]
                        if !error.context.isEmpty { entry["place"] = .string(error.context.description) }
                    }
                    entry["name"] = .string(child.name)
                    children.append(.object(entry))
                }
            }
            object["children"] = .array(children)
            return .object(object)
        }
    }

    static func array(_ array: ZarrArray) -> JSONValue {
        let metadata = array.metadata
        func list(_ values: [Int]) -> JSONValue { .array(values.map { .number(JSONNumber($0)) }) }
        var object: JSONObject = [
            "node_type": "array", "zarr_format": .number(JSONNumber(metadata.format.rawValue)), "shape": list(metadata.shape),
            "data_type": .string(metadata.dataType.v3Name), "order": .string(metadata.storageOrder.rawValue),
            "fill_value": metadata.fillValueIsNull ? .null : metadata.fillValue.json(for: metadata.dataType, format: .v3),
            "codecs": .array(array.codecs.descriptions.map(\.json)), "attributes": .object(metadata.attributes),
            "chunk_key_encoding": ["name": .string(metadata.chunkKeyEncoding.name), "separator": .string(String(metadata.chunkKeyEncoding.separator))],
        ]
        if let sharding = array.chain.sharding {
            object["shard_shape"] = list(metadata.chunkShape)
            object["chunk_shape"] = list(sharding.innerChunkShape)
        } else {
            object["chunk_shape"] = list(metadata.chunkShape)
        }
        object["grid_shape"] = list(metadata.gridShape)
        if let names = metadata.dimensionNames { object["dimension_names"] = .array(names.map { $0.map(JSONValue.string) ?? .null }) }
        if metadata.format == .v2 {
            object["dtype"] = .string(v2DataType(metadata))
            if let codec = metadata.dataType.objectCodecName { object["object_codec"] = .string(codec) }
        }
        return .object(object)
    }

    /// The report as indented lines.
    static func text(_ report: JSONValue, title: String, indent: String = "") -> [String] {
        guard let object = report.objectValue else { return [] }
        let format = object["zarr_format"]?.numberValue?.literal ?? "?"
        var lines: [String] = []
        func shape(_ key: String) -> String? {
            object[key]?.arrayValue.map { $0.map { $0.numberValue?.literal ?? "?" }.joined(separator: " x ") }
        }
        if object["supported"] == false {
            lines.append("\(indent)\(title): not supported: \(object["reason"]?.stringValue ?? "?")")
        } else if object["node_type"] == "array" {
            lines.append("\(indent)\(title): Zarr v\(format) array")
            let objectCodec = object["object_codec"]?.stringValue.map { ", dtype |O \($0)" } ?? ""
            lines.append("\(indent)  shape        \(shape("shape") ?? "")  (\(object["data_type"]?.stringValue ?? "?")\(objectCodec))")
            if let shard = shape("shard_shape") { lines.append("\(indent)  shards       \(shard)") }
            lines.append("\(indent)  chunks       \(shape("chunk_shape") ?? "")  (grid \(shape("grid_shape") ?? ""))")
            lines.append("\(indent)  order        \(object["order"]?.stringValue ?? "C")")
            lines.append("\(indent)  fill value   \(describe(object["fill_value"] ?? .null))")
            let codecs = object["codecs"]?.arrayValue?.map(describe) ?? []
            lines.append("\(indent)  codecs       \(codecs.joined(separator: " | "))")
            if let names = object["dimension_names"]?.arrayValue {
                lines.append("\(indent)  dimensions   \(names.map { $0.stringValue ?? "-" }.joined(separator: ", "))")
            }
        } else {
            let consolidated = object["consolidated"] == true ? ", consolidated metadata" : ""
            lines.append("\(indent)\(title): Zarr v\(format) group\(consolidated)")
        }
        if let attributes = object["attributes"]?.objectValue, !attributes.isEmpty {
            lines.append("\(indent)  attributes   \(attributes.keys.joined(separator: ", "))")
        }
        for child in object["children"]?.arrayValue ?? [] {
            lines += text(child, title: child["name"]?.stringValue ?? "?", indent: indent + "  ")
        }
        return lines
    }

    /// A codec as `name(key=value, ...)`, nested chains included.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .object(let object) where object["name"] != nil:
            let name = object["name"]?.stringValue ?? "?"
            guard let configuration = object["configuration"]?.objectValue, !configuration.isEmpty else { return name }
            let parts = configuration.map { member -> String in
                if let list = member.value.arrayValue, list.first?.objectValue?["name"] != nil {
                    return "\(member.key)=[\(list.map(describe).joined(separator: ", "))]"
                }
                return "\(member.key)=\(describe(member.value))"
            }
            return "\(name)(\(parts.joined(separator: ", ")))"
        case .string(let text): return text
        case .number(let number): return number.literal
        case .bool(let flag): return String(flag)
        case .null: return "null"
        case .array(let items): return "[" + items.map(describe).joined(separator: ", ") + "]"
        case .object(let object): return "{" + object.map { "\($0.key): \(describe($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    private static func v2DataType(_ metadata: ArrayMetadata) -> String {
        let big = metadata.codecs.first { $0.name == "bytes" }?.configuration["endian"] == "big"
        return metadata.dataType.v2String(big ? .big : .little)
    }
}
