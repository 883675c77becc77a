import MIFACore
import Testing
@testable import Zarr

@Suite struct MetadataTests {
    static func v3(_ overrides: [String: JSONValue] = [:], removing: [String] = []) -> JSONValue {
        var object: JSONObject = [
            "zarr_format": 3, "node_type": "array", "shape": [100, 50], "data_type": "uint16",
            "chunk_grid": ["name": "regular", "configuration": ["chunk_shape": [32, 16]]],
            "chunk_key_encoding": ["name": "default", "configuration": ["separator": "/"]],
            "fill_value": 0, "codecs": [["name": "bytes", "configuration": ["endian": "little"]]],
            "attributes": ["answer": 42], "dimension_names": ["y", nil],
        ]
        for (key, value) in overrides { object[key] = value }
        for key in removing { object[key] = nil }
        return .object(object)
    }

    static func v2(_ overrides: [String: JSONValue] = [:]) -> JSONValue {
        var object: JSONObject = [
            "zarr_format": 2, "shape": [10, 20, 30], "chunks": [5, 20, 7], "dtype": "<u2", "compressor": nil,
            "fill_value": 0, "order": "C", "filters": nil,
        ]
        for (key, value) in overrides { object[key] = value }
        return .object(object)
    }

    @Test func parsesV3Array() throws {
        let metadata = try ArrayMetadata.parseV3(Self.v3())
        #expect(metadata.shape == [100, 50])
        #expect(metadata.chunkShape == [32, 16])
        #expect(metadata.gridShape == [4, 4])
        #expect(metadata.dataType == .uint16)
        #expect(metadata.dimensionNames == ["y", nil])
        #expect(metadata.attributes["answer"] == 42)
        #expect(metadata.chunkKeyEncoding.key(for: [3, 1]) == "c/3/1")
        #expect(ChunkKeyEncoding.default(separator: ".").key(for: [3, 1]) == "c.3.1")
        #expect(ChunkKeyEncoding.v2(separator: ".").key(for: [3, 1]) == "3.1")
        #expect(ChunkKeyEncoding.default(separator: "/").key(for: []) == "c")
        #expect(ChunkKeyEncoding.v2(separator: ".").key(for: []) == "0")
        // Writing and reading again gives the same metadata.
        #expect(try ArrayMetadata.parseV3(metadata.v3Document()) == metadata)
    }

    @Test func everyV3DataTypeAndItsFillValues() throws {
        let cases: [(String, JSONValue, [UInt8])] = [
            ("bool", true, [1]), ("int8", -128, [0x80]), ("int16", -2, [0xFE, 0xFF]), ("int32", 7, [7, 0, 0, 0]),
            ("int64", -1, [UInt8](repeating: 0xFF, count: 8)), ("uint8", 255, [255]), ("uint16", 65535, [255, 255]),
            ("uint32", 4_294_967_295, [255, 255, 255, 255]), ("uint64", .number(JSONNumber(UInt64.max)), [UInt8](repeating: 0xFF, count: 8)),
            ("float16", 1.5, [0x00, 0x3E]), ("float32", "NaN", [0x00, 0x00, 0xC0, 0x7F]), ("float32", "0x7fc00001", [0x01, 0x00, 0xC0, 0x7F]),
            ("float64", "-Infinity", [0, 0, 0, 0, 0, 0, 0xF0, 0xFF]), ("float64", 0.5, [0, 0, 0, 0, 0, 0, 0xE0, 0x3F]),
            ("float32", "Infinity", [0, 0, 0x80, 0x7F]), ("complex64", [1, "NaN"], [0, 0, 0x80, 0x3F, 0, 0, 0xC0, 0x7F]),
            ("complex128", [0, -2], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xC0]), ("r16", [1, 2], [1, 2]),
        ]
        for (name, json, bytes) in cases {
            let metadata = try ArrayMetadata.parseV3(Self.v3(["data_type": .string(name), "fill_value": json]))
            #expect(metadata.fillValue.bytes == bytes, "\(name) \(json)")
            let written = metadata.fillValue.json(for: metadata.dataType, format: .v3)
            #expect(try FillValue(json: written, type: metadata.dataType, format: .v3) == metadata.fillValue, "\(name) round trip")
        }
        #expect(FillValue(Float.nan).json(for: .float32, format: .v3) == "NaN")
        #expect(FillValue(Double.infinity).json(for: .float64, format: .v2) == "Infinity")
        for (name, json) in [("uint8", 256), ("int8", -129), ("uint16", -1), ("int32", 1.5), ("bool", "yes"), ("float32", "nan"),
                             ("float32", "0x7fc0"), ("complex64", [1]), ("uint64", 18_446_744_073_709_551_616.0)] as [(String, JSONValue)] {
            let error = #expect(throws: ZarrError.self, "\(name) \(json)") {
                try ArrayMetadata.parseV3(Self.v3(["data_type": .string(name), "fill_value": json]))
            }
            #expect(error?.context.pointer == "/fill_value")
        }
    }

    @Test func everyV2DataType() throws {
        let cases: [(String, ZarrDataType, Endianness)] = [
            ("|b1", .bool, .native), ("|i1", .int8, .native), ("<i2", .int16, .little), (">i4", .int32, .big), ("<i8", .int64, .little),
            ("|u1", .uint8, .native), ("<u2", .uint16, .little), (">u2", .uint16, .big), ("<u4", .uint32, .little), (">u8", .uint64, .big),
            ("<f2", .float16, .little), ("<f4", .float32, .little), (">f8", .float64, .big), ("<c8", .complex64, .little),
            ("<c16", .complex128, .little), ("|V3", .raw(bits: 24), .native),
        ]
        for (text, type, endianness) in cases {
            let parsed = try #require(ZarrDataType.parseV2(text))
            #expect(parsed.0 == type)
            #expect(parsed.1 == endianness)
            let metadata = try ArrayMetadata.parseV2(Self.v2(["dtype": .string(text)]))
            #expect(metadata.dataType == type)
            let bytes = try #require(metadata.codecs.first { $0.name == "bytes" })
            if type.swapUnit > 1 { #expect(bytes.configuration["endian"] == .string(endianness == .big ? "big" : "little")) }
        }
        for bad in ["<U10", "|O", "<M8[ns]", "|S5", "u2", "<x4"] {
            #expect(throws: ZarrError.self, "\(bad)") { try ArrayMetadata.parseV2(Self.v2(["dtype": .string(bad)])) }
        }
        #expect(throws: ZarrError.self) { try ArrayMetadata.parseV2(Self.v2(["dtype": [["a", "<u2"]]])) }
    }

    @Test func v2IsNormalisedIntoTheV3Model() throws {
        let metadata = try ArrayMetadata.parseV2(Self.v2([
            "dtype": ">i4", "order": "F", "fill_value": -5, "dimension_separator": "/",
            "filters": [["id": "delta", "dtype": ">i4"]],
            "compressor": ["id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": -1, "blocksize": 0],
        ]), attributes: ["a": 1])
        #expect(metadata.format == .v2)
        #expect(metadata.codecs.map(\.name) == ["transpose", "delta", "bytes", "blosc"])
        #expect(metadata.codecs[0].configuration["order"] == [2, 1, 0])
        #expect(metadata.storageOrder == .columnMajor)
        #expect(metadata.chunkKeyEncoding == .v2(separator: "/"))
        #expect(metadata.fillValue == FillValue(Int32(-5)))
        #expect(metadata.attributes["a"] == 1)
        // The v2 document written back says the same thing.
        let again = try ArrayMetadata.parseV2(try metadata.v2Document(), attributes: ["a": 1])
        #expect(again == metadata)
        // Autoshuffle becomes byte shuffle for 4-byte elements, bit shuffle for 1-byte ones.
        let chain = try CodecRegistry.standard.chain(metadata.codecs)
        let bound = try chain.bind(to: ChunkRepresentation(shape: [5, 20, 7], dataType: .int32, fillValue: metadata.fillValue))
        #expect((bound.bytesToBytes[0] as? BloscCodec.Bound)?.shuffle == 1)
        let byteChain = try chain.bytesToBytes[0].bind(to: ChunkRepresentation(shape: [4], dataType: .uint8, fillValue: .zero(for: .uint8)))
        #expect((byteChain as? BloscCodec.Bound)?.shuffle == 2)
        // v2 float fill values.
        for (json, value) in [("NaN", Double.nan), ("Infinity", .infinity), ("-Infinity", -.infinity)] as [(JSONValue, Double)] {
            let parsed = try ArrayMetadata.parseV2(Self.v2(["dtype": "<f8", "fill_value": json]))
            let fill = try #require(parsed.fillValue.value(as: Double.self))
            #expect(fill.isNaN == value.isNaN && (value.isNaN || fill == value))
        }
        #expect(try ArrayMetadata.parseV2(Self.v2(["fill_value": nil])).fillValue == FillValue(UInt16(0)))
    }

    @Test func errorsNameTheMemberAndTheFile() throws {
        let cases: [(JSONValue, String)] = [
            (Self.v3(["shape": [-1, 5]]), "/shape/0"),
            (Self.v3(["shape": "big"]), "/shape"),
            (Self.v3(["chunk_grid": ["name": "regular", "configuration": ["chunk_shape": [0, 16]]]]), "/chunk_grid/configuration/chunk_shape/0"),
            (Self.v3(["chunk_grid": ["name": "regular", "configuration": ["chunk_shape": [16]]]]), "/chunk_grid/configuration/chunk_shape"),
            (Self.v3(["data_type": 7]), "/data_type"),
            (Self.v3(["codecs": "bytes"]), "/codecs"),
            (Self.v3(["zarr_format": 2]), "/zarr_format"),
            (Self.v3(removing: ["fill_value"]), ""),
            (Self.v3(["dimension_names": ["y"]]), "/dimension_names"),
            (Self.v3(["chunk_key_encoding": ["name": "default", "configuration": ["separator": "-"]]]), "/chunk_key_encoding/configuration/separator"),
        ]
        for (document, pointer) in cases {
            let error = #expect(throws: ZarrError.self, "\(pointer)") { try ArrayMetadata.parseV3(document, file: "img.zarr/zarr.json") }
            #expect(error?.context.pointer == pointer)
            #expect(error?.context.file == "img.zarr/zarr.json")
        }
        let v2Error = #expect(throws: ZarrError.self) { try ArrayMetadata.parseV2(Self.v2(["chunks": [5, -20, 7]]), file: ".zarray") }
        #expect(v2Error?.context.pointer == "/chunks/1")
        #expect(throws: ZarrError.self) { try ArrayMetadata.parseV2(Self.v2(["order": "K"])) }
        #expect(throws: ZarrError.self) { try ArrayMetadata.parseV2(Self.v2(["shape": [1, 2]])) }
        // Too many elements to address.
        #expect(throws: ZarrError.self) { try ArrayMetadata.parseV3(Self.v3(["shape": [.number(JSONNumber(Int.max)), 3]])) }
        #expect(throws: ZarrError.self) {
            try ArrayMetadata.parseV3(Self.v3(["shape": [.number(JSONNumber(1 << 40)), .number(JSONNumber(1 << 40))], "chunk_grid": ["name": "regular", "configuration": ["chunk_shape": [1, 1]]]]))
        }
    }

    @Test func extensionsThatMustBeUnderstood() throws {
        let unknownMember = #expect(throws: ZarrError.self) { try ArrayMetadata.parseV3(Self.v3(["fancy": ["enabled": true]])) }
        #expect(unknownMember?.kind == .unsupportedExtension)
        #expect(unknownMember?.context.pointer == "/fancy")
        _ = try ArrayMetadata.parseV3(Self.v3(["fancy": ["must_understand": false, "x": 1]]))
        let cases: [JSONValue] = [
            Self.v3(["chunk_grid": ["name": "rectilinear", "configuration": ["chunk_shape": [1]]]]),
            Self.v3(["chunk_key_encoding": ["name": "morton"]]),
            Self.v3(["data_type": ["name": "fixed_length_utf32", "configuration": ["length_bytes": 8]]]),
            Self.v3(["data_type": ["name": "datetime64", "configuration": ["unit": "s"]]]),
            Self.v3(["storage_transformers": [["name": "chunk-manifest"]]]),
        ]
        for document in cases {
            let error = #expect(throws: ZarrError.self) { try ArrayMetadata.parseV3(document) }
            #expect(error?.kind == .unsupportedExtension)
        }
        _ = try ArrayMetadata.parseV3(Self.v3(["storage_transformers": [["name": "x", "must_understand": false]]]))
        // Unknown codecs are refused when the array is opened, before any chunk is read.
        let store = MemoryStore()
        try store.set(try StoreKey("zarr.json"), try CanonicalJSON.encode(Self.v3(["codecs": [["name": "bytes", "configuration": ["endian": "little"]], ["name": "imagecodecs_jpeg2k"]]])))
        let error = #expect(throws: ZarrError.self) { try ZarrArray.open(store) }
        #expect(error?.kind == .unsupportedExtension)
        #expect(error?.context.pointer == "/codecs/1")
        // `string` is understood, but its elements have no fixed size: the `bytes` codec cannot store them.
        try store.set(try StoreKey("zarr.json"), try CanonicalJSON.encode(Self.v3(["data_type": "string", "fill_value": ""])))
        let strings = #expect(throws: ZarrError.self) { try ZarrArray.open(store) }
        #expect(strings?.message.contains("vlen-utf8") == true)
    }

    @Test func groupsAndConsolidatedMetadata() throws {
        let v3: JSONValue = [
            "zarr_format": 3, "node_type": "group", "attributes": ["ome": ["version": "0.5"]],
            "consolidated_metadata": ["kind": "inline", "must_understand": false, "metadata": [
                "0": Self.v3(), "labels": ["zarr_format": 3, "node_type": "group", "attributes": [:]],
            ]],
        ]
        let group = try GroupMetadata.parseV3(v3)
        #expect(group.attributes["ome"]?["version"] == "0.5")
        #expect(group.consolidated?.keys.sorted() == ["0", "labels"])
        #expect(try GroupMetadata.parseV3(group.v3Document()) == group)
        let v2: JSONValue = ["zarr_consolidated_format": 1, "metadata": [
            ".zgroup": ["zarr_format": 2], ".zattrs": ["multiscales": []],
            "0/.zarray": Self.v2(), "0/.zattrs": ["x": 1], "sub/.zgroup": ["zarr_format": 2],
        ]]
        let consolidated = try GroupMetadata.parseV2Consolidated(v2)
        #expect(consolidated.attributes["multiscales"] == [])
        guard case .array(let array)? = consolidated.consolidated?["0"] else { Issue.record("array 0 missing"); return }
        #expect(array.attributes["x"] == 1)
        #expect(consolidated.consolidated?["sub"] != nil)
        #expect(throws: ZarrError.self) { try GroupMetadata.parseV3(["zarr_format": 3, "node_type": "group", "other": 1]) }
    }
}
