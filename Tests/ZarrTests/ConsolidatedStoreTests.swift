import TestSupport
import MIFACore
import Testing
import Zarr

/// `ConsolidatedStore`: the `zarr.json` of every node below a consolidated group is answered from
/// its metadata (no read of the store), a node it does not list is missing, and everything else
/// (chunks, the group's own zarr.json) is read from the store.
@Suite struct ConsolidatedStoreTests {
    @Test func nodesOpenFromTheConsolidatedMetadataAndChunksFromTheStore() throws {
        let memory = MemoryStore()
        try ZarrGroup.create(memory, path: "data", attributes: ["kind": "root"])
        try ZarrGroup.create(memory, path: "data/labels", attributes: ["labels": ["cells"]])
        let array = try ZarrArray.create(memory, path: "data/labels/cells", metadata: try ArrayMetadata(
            format: .v3, shape: [4], dataType: .uint8, chunkShape: [2], codecs: [TestCodecs.bytes()], attributes: ["k": 1]))
        try array.write(try NDArray<UInt8>(shape: [4], elements: [1, 2, 3, 4]))
        let group = try ZarrGroup.open(memory, path: "data").consolidate()
        let counter = CountingStore(memory)
        let view = ConsolidatedStore(base: counter, root: "data", nodes: try #require(group.metadata.consolidated))

        let opened = try ZarrArray.open(view, path: "data/labels/cells")
        #expect(opened.metadata == array.metadata)
        #expect(try ZarrGroup.open(view, path: "data/labels").attributes == ["labels": ["cells"]])
        #expect(try view.exists(StoreKey("data/labels/zarr.json")))
        // Not listed: missing, without asking the store.
        #expect(try view.get(StoreKey("data/other/zarr.json")) == nil)
        #expect(try !view.exists(StoreKey("data/labels/cells/x/zarr.json")))
        #expect(counter.count == 0, "\(counter.history.map(\.key))")
        // A node it does not list is not found; only Zarr v2's names are looked for in the store.
        #expect(throws: ZarrError.self) { try ZarrArray.open(view, path: "data/missing") }
        #expect(counter.history.map(\.key) == ["data/missing/.zattrs", "data/missing/.zarray", "data/missing/.zgroup"])
        // A range of a served document, as a store returns one.
        let whole = try #require(try view.get(StoreKey("data/labels/cells/zarr.json")))
        #expect(try view.get(StoreKey("data/labels/cells/zarr.json"), range: .suffix(length: 5)) == Array(whole.suffix(5)))
        // Chunks, the group's own zarr.json and keys outside the group come from the store.
        #expect(try opened.read(UInt8.self).elements == [1, 2, 3, 4])
        #expect(try ZarrGroup.open(view, path: "data").attributes["kind"] == "root")
        #expect(counter.count >= 5)
        #expect(throws: ZarrError.self) { try view.set(StoreKey("data/x"), [1]) }
    }

    @Test func theHierarchyIsReadFromTheNodesNotFromConsolidatedMetadata() throws {
        let memory = MemoryStore()
        try ZarrGroup.create(memory)
        try ZarrGroup.create(memory, path: "a")
        try ZarrGroup.open(memory).consolidate()
        try ZarrGroup.create(memory, path: "a/b")
        #expect(try ZarrGroup.hierarchy(memory).keys.sorted() == ["a", "a/b"])
        #expect(try ZarrGroup.open(memory).metadata.consolidated?.keys.sorted() == ["a"])
    }
}
