import MIFACore
import Testing
@testable import OMEZarr
import Zarr

@Suite struct ReaderTests {
    /// A small 0.5 or 0.4 image `czyx` with 3 levels in a memory store.
    static func image(_ version: NGFFVersion = .v05, translation: [Double]? = nil) throws -> (MemoryStore, NDArray<UInt16>) {
        let data = TestData.random([2, 4, 32, 48], seed: 9) { UInt16.random(in: 0...4095, using: &$0) }
        let store = MemoryStore()
        let writer = try OMEZarrImageWriter(store: store, shape: data.shape, dataType: .uint16,
                                            axes: [.channel(), .space("z", unit: "micrometer"), .space("y", unit: "micrometer"), .space("x", unit: "micrometer")],
                                            scale: [1, 2, 0.5, 0.5], translation: translation,
                                            options: OMEZarrWriteOptions(version: version, levels: 3, chunks: [1, 16, 16]))
        try writer.write(AnyNDArray(data))
        try writer.finish()
        return (store, data)
    }

    /// Rewrites the image group's attributes through a JSON edit of the OME metadata object.
    static func editMetadata(_ store: MemoryStore, path: String = "", _ edit: (inout JSONObject) -> Void) throws {
        let group = try ZarrGroup.open(store, path: path)
        var attributes = group.attributes
        if var ome = attributes["ome"]?.objectValue {
            edit(&ome)
            attributes["ome"] = .object(ome)
        } else {
            edit(&attributes)
        }
        _ = try group.settingAttributes(attributes)
    }

    static func editMultiscale(_ store: MemoryStore, _ edit: (inout JSONObject) -> Void) throws {
        try editMetadata(store) { metadata in
            var multiscale = metadata["multiscales"]![0]!.objectValue!
            edit(&multiscale)
            metadata["multiscales"] = [.object(multiscale)]
        }
    }

    @Test(arguments: NGFFVersion.allCases)
    func levelsAndRegions(version: NGFFVersion) throws {
        let (store, data) = try Self.image(version, translation: [0, 10, 100, 200])
        let image = try OMEZarrImage.open(store)
        #expect(image.levels.count == 3)
        #expect(image.levels.map(\.shape) == [[2, 4, 32, 48], [2, 4, 16, 24], [2, 4, 8, 12]])
        #expect(image.levels[0].chunkShape == [1, 1, 16, 16])
        #expect(image.levels[1].origin == [0, 10, 100.25, 200.25])
        #expect(image.levels[2].origin == [0, 10, 100.75, 200.75])
        #expect(image.warnings.isEmpty)
        let region = Region([1..<2, 0..<4, 3..<17, 5..<40])
        #expect(try image.read(UInt16.self, region: region) == data.copy(region: region))
        // Pixel i is centred on index i: rows 3..<17 cover indices [2.5, 16.5), i.e. y 100 + 0.5 * that.
        let box = try image.physicalRegion(of: region)
        #expect(box == PhysicalRegion(lower: [0.5, 9, 101.25, 202.25], upper: [1.5, 17, 108.25, 219.75]))
        let (read, pixels) = try image.read(level: 0, physical: box)
        #expect(read == region)
        #expect(pixels.typed(as: UInt16.self) == (try data.copy(region: region)))
        #expect(try image.pixelRegion(of: box, level: 1) == Region([1..<2, 0..<4, 1..<9, 2..<20]))
        #expect(try image.map(region, fromLevel: 0, toLevel: 1) == Region([1..<2, 0..<4, 1..<9, 2..<20]))
        #expect(try image.map(Region([0..<1, 0..<1, 2..<4, 6..<8]), fromLevel: 1, toLevel: 0) == Region([0..<1, 0..<1, 4..<8, 12..<16]))
        #expect(try image.map([0, 0, 3, 5], fromLevel: 0, toLevel: 2) == [0, 0, 0.375, 0.875])
        #expect(try image.physicalPoint([0, 1, 2, 4], level: 2) == [0, 12, 104.75, 208.75])
        #expect(try image.transform(fromLevel: 2, toLevel: 0) == AxisAlignedTransform(scale: [1, 1, 4, 4], translation: [0, 0, 1.5, 1.5]))
        // A point covers the pixel it lies in.
        #expect(try image.pixelRegion(of: PhysicalRegion(lower: [0, 10, 100.2, 200.3], upper: [0, 10, 100.2, 200.3])) == Region([0..<1, 0..<1, 0..<1, 1..<2]))
        #expect(throws: OMEZarrError.self) { try image.read(level: 3) }
        #expect(throws: OMEZarrError.self) { try image.read(level: 0, region: Region([0..<1, 0..<1, 0..<33, 0..<1])) }
        #expect(throws: OMEZarrError.self) { try image.read(level: 0, physical: PhysicalRegion(lower: [0, 0, 0, .nan], upper: [1, 1, 1, 1])) }
        #expect(throws: OMEZarrError.self) { try image.read(level: 0, physical: PhysicalRegion(lower: [0, 0, 0, 0], upper: [1, 1, 1, 1])) }
        #expect(throws: OMEZarrError.self) { try image.read(Float.self, level: 0) }
    }

    @Test func missingLevelIsReported() throws {
        let (store, _) = try Self.image()
        for key in try store.list(prefix: "1/") { try store.delete(key) }
        let error = try #require(throws: OMEZarrError.self) { try OMEZarrImage.open(store) }
        #expect(error.kind == .missingLevel)
        #expect(error.message.contains("level 1 ('1')"))
        #expect(error.context.pointer == "/ome/multiscales/0/datasets/1/path")
    }

    @Test(arguments: NGFFVersion.allCases)
    func axesThatDisagreeWithTheArrays(version: NGFFVersion) throws {
        let (store, _) = try Self.image(version)
        try Self.editMultiscale(store) { multiscale in
            multiscale["axes"] = [["name": "z", "type": "space"], ["name": "y", "type": "space"], ["name": "x", "type": "space"]]
            multiscale["datasets"] = .array((0..<3).map { ["path": .string("\($0)"), "coordinateTransformations": [["type": "scale", "scale": [1, 1, 1]]]] })
        }
        let error = try #require(throws: OMEZarrError.self) { try OMEZarrImage.open(store) }
        #expect(error.kind == .axesMismatch)
        #expect(error.message.contains("4 dimensions"))
    }

    @Test func dimensionNamesThatDisagree() throws {
        let (store, _) = try Self.image()
        try Self.editMultiscale(store) { multiscale in
            multiscale["axes"] = [["name": "c", "type": "channel"], ["name": "z", "type": "space"], ["name": "row", "type": "space"], ["name": "x", "type": "space"]]
        }
        let error = try #require(throws: OMEZarrError.self) { try OMEZarrImage.open(store) }
        #expect(error.kind == .axesMismatch)
        #expect(error.message.contains("dimension_names"))
    }

    @Test func brokenTransformations() throws {
        let cases: [(JSONValue, OMEZarrError.Code)] = [
            ([["type": "scale", "scale": [1, 1, 1]]], .invalidTransformation),            // 3 values for 4 axes
            ([["type": "scale", "scale": [1, 1, 0, 1]]], .invalidTransformation),         // zero scale
            ([["type": "translation", "translation": [1, 1, 1, 1]]], .invalidMetadata),   // no scale
            ([["type": "scale", "scale": [1, 1, 1, 1]], ["type": "scale", "scale": [1, 1, 1, 1]]], .invalidMetadata),
            ([["type": "translation", "translation": [0, 0, 0, 0]], ["type": "scale", "scale": [1, 1, 1, 1]]], .invalidMetadata),
            ([["type": "scale", "scale": ["1", 1, 1, 1]]], .invalidMetadata),
            ([["type": "affine", "affine": [1, 1, 1, 1]]], .invalidMetadata),
            ([["type": "scale", "path": "scales/0"]], .invalidMetadata),
        ]
        for (transformations, code) in cases {
            let (store, _) = try Self.image()
            try Self.editMultiscale(store) { multiscale in
                var datasets = multiscale["datasets"]!.arrayValue!
                var first = datasets[0].objectValue!
                first["coordinateTransformations"] = transformations
                datasets[0] = .object(first)
                multiscale["datasets"] = .array(datasets)
            }
            let error = try #require(throws: OMEZarrError.self, "\(transformations)") { try OMEZarrImage.open(store) }
            #expect(error.kind == code, "\(transformations): \(error)")
            #expect(error.context.pointer?.hasPrefix("/ome/multiscales/0") ?? false, "\(error)")
        }
    }

    @Test func notAnImage() throws {
        let store = MemoryStore()
        try ZarrGroup.create(store, attributes: ["ome": ["version": "0.5", "plate": ["rows": [["name": "A"]], "columns": [["name": "1"]], "wells": [["path": "A/1", "rowIndex": 0, "columnIndex": 0]]]]])
        let error = try #require(throws: OMEZarrError.self) { try OMEZarrImage.open(store) }
        #expect(error.kind == .notOMEZarr)
        #expect(error.message.contains("plate"))
        let plain = MemoryStore()
        try ZarrGroup.create(plain)
        #expect((try #require(throws: OMEZarrError.self) { try OMEZarrImage.open(plain) }).kind == .notOMEZarr)
        let old = MemoryStore()
        try ZarrGroup.create(old, format: .v2, attributes: ["multiscales": [["version": "0.3", "axes": ["y", "x"], "datasets": [["path": "0"]]]]])
        #expect((try #require(throws: OMEZarrError.self) { try OMEZarrImage.open(old) }).kind == .unsupported)
        let nothing = MemoryStore()
        #expect((try #require(throws: OMEZarrError.self) { try OMEZarrImage.open(nothing) }).kind == .storage)
    }

    @Test func garbageMetadataNeverCrashes() throws {
        let values: [JSONValue] = [
            nil, 1, "x", [], [1], [["axes": 1]], [["axes": [], "datasets": []]], [["axes": [["name": 1]], "datasets": [["path": 1]]]],
        ]
        for value in values {
            let (store, _) = try Self.image()
            try Self.editMetadata(store) { $0["multiscales"] = value }
            #expect(throws: OMEZarrError.self, "\(value)") { try OMEZarrImage.open(store) }
        }
    }

    @Test func hugeScaleIsABrokenTransformation() throws {
        let (store, _) = try Self.image()
        let text = """
            {"zarr_format": 3, "node_type": "group", "attributes": {"ome": {"version": "0.5", "multiscales": [{"axes": [
            {"name": "c", "type": "channel"}, {"name": "z", "type": "space"}, {"name": "y", "type": "space"}, {"name": "x", "type": "space"}],
            "datasets": [{"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [1, 1, 1e400, 1]}]}]}]}}}
            """
        try store.set(StoreKey("zarr.json"), Array(text.utf8))
        let error = try #require(throws: OMEZarrError.self) { try OMEZarrImage.open(store) }
        #expect(error.kind == .invalidMetadata || error.kind == .invalidTransformation)
    }
}
