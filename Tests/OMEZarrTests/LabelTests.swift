import MIFACore
import Testing
@testable import OMEZarr
import Zarr

@Suite struct LabelTests {
    @Test(arguments: NGFFVersion.allCases)
    func addedLabelsRoundTrip(version: NGFFVersion) throws {
        let (store, _) = try ReaderTests.image(version)
        let image = try OMEZarrImage.open(store)
        let labels = TestData.labels([4, 32, 48], count: 20, seed: 5)
        let label = try image.addLabel(name: "nuclei", AnyNDArray(labels))
        #expect(try image.labelNames() == ["nuclei"])
        #expect(label.levels.count == image.levels.count)
        #expect(label.levels.map(\.shape) == [[4, 32, 48], [4, 16, 24], [4, 8, 12]])
        #expect(label.axes.map(\.name) == ["z", "y", "x"])
        #expect(label.levels.map(\.pixelSize) == [[2, 0.5, 0.5], [2, 1, 1], [2, 2, 2]])
        #expect(label.multiscale.type == "mode")
        #expect(label.imageLabel?.sourceImage == "../../")
        let present = Set(labels.elements)
        #expect(Set(label.imageLabel?.colors?.map(\.labelValue) ?? []) == Set(present.map(Int64.init)))
        #expect(label.imageLabel?.colors?.first { $0.labelValue == 0 }?.rgba == [0, 0, 0, 0])
        var expected = labels
        for level in 0..<label.levels.count {
            let pixels = try label.read(UInt16.self, level: level)
            #expect(pixels == expected, "level \(level) differs")
            #expect(Set(pixels.elements).isSubset(of: present))
            expected = TestData.reduce(expected, halved: [1, 2], mode: true)
        }
        let reopened = try image.openLabel("nuclei")
        #expect(reopened.isLabelImage)
        let group = try #require(try NGFFGroupMetadata.read(store, path: "labels/nuclei"))
        #expect(group.validate(as: .label, strict: true).issues.isEmpty)
        #expect(group.validate(as: .image, strict: true).issues.isEmpty)
        let labelsGroup = try #require(try NGFFGroupMetadata.read(store, path: "labels"))
        #expect(labelsGroup.labelNames == ["nuclei"])

        // A second label with properties and a channel axis of extent 1; colours follow the properties.
        let cells = NDArray<UInt8>(shape: [1, 4, 32, 48], repeating: 3)
        let second = try image.addLabel(name: "cells", AnyNDArray(cells), properties: [["label-value": 3, "class": "cell"]])
        #expect(second.axes.map(\.name) == ["c", "z", "y", "x"])
        #expect(second.imageLabel?.colors?.map(\.labelValue) == [3])
        #expect(second.imageLabel?.properties?.first?["class"] == "cell")
        #expect(try image.labelNames() == ["nuclei", "cells"])
        #expect(throws: OMEZarrError.self) { try image.addLabel(name: "cells", AnyNDArray(cells)) }
        try image.addLabel(name: "cells", AnyNDArray(cells), options: OMEZarrWriteOptions(overwrite: true))
        #expect(try image.labelNames() == ["nuclei", "cells"])
    }

    @Test func nonIntegerLabelsAreRefused() throws {
        let (store, _) = try ReaderTests.image()
        let image = try OMEZarrImage.open(store)
        let error = try #require(throws: OMEZarrError.self) { try image.addLabel(name: "bad", AnyNDArray(NDArray<Float>(shape: [4, 32, 48]))) }
        #expect(error.kind == .invalidLabel)
        #expect((try #require(throws: OMEZarrError.self) { try image.addLabel(name: "bad", AnyNDArray(NDArray<UInt8>(shape: [4, 32, 47]))) }).kind == .invalidLabel)
        #expect((try #require(throws: OMEZarrError.self) { try image.addLabel(name: "../x", AnyNDArray(NDArray<UInt8>(shape: [4, 32, 48]))) }).kind == .invalidArgument)
        #expect(throws: OMEZarrError.self) {
            try image.addLabel(name: "blend", AnyNDArray(NDArray<UInt8>(shape: [4, 32, 48])), options: OMEZarrWriteOptions(reduction: .mean))
        }

        // A label image someone else wrote with float pixels opens as an image but not as a label.
        let writer = try OMEZarrImageWriter(store: store, path: "labels/float", shape: [4, 32, 48], dataType: .float32,
                                            axes: [.space("z"), .space("y"), .space("x")], options: OMEZarrWriteOptions(levels: 1))
        try writer.write(AnyNDArray(NDArray<Float>(shape: [4, 32, 48])))
        try writer.finish()
        try ReaderTests.editMetadata(store, path: "labels/float") { $0["image-label"] = ["colors": [["label-value": 1, "rgba": [1, 2, 3, 4]]]] }
        _ = try ZarrGroup.open(store, path: "labels").settingAttributes(["ome": ["version": "0.5", "labels": ["float"]]])
        let float = try #require(throws: OMEZarrError.self) { try image.openLabel("float") }
        #expect(float.kind == .invalidLabel)
        #expect(float.message.contains("float32"))
    }

    @Test func labelColorsAreStable() {
        #expect(LabelColor.automatic(for: 0).rgba == [0, 0, 0, 0])
        #expect(LabelColor.automatic(for: 7) == LabelColor.automatic(for: 7))
        #expect(LabelColor.automatic(for: 7).rgba?[3] == 255)
        #expect(LabelColor.automatic(for: 1).rgba != LabelColor.automatic(for: 2).rgba)
        #expect(LabelColor.automatic(for: -5).rgba?.count == 4)
    }
}

/// The uniqueness check of label colours and properties: its shortcut (distinct integers in the
/// objects' first member) agrees with comparing whole objects.
@Suite struct UniqueItemsTests {
    private static func items(_ json: String) throws -> [JSONValue] {
        guard case .array(let list) = try JSONParser.parse(json) else { return [] }
        return list
    }

    @Test func distinctLabelValuesAndRepeatedObjects() throws {
        #expect(SchemaCheck.firstDuplicate(try Self.items(#"[{"label-value": 1, "a": 2}, {"label-value": 2, "a": 2}]"#)) == nil)
        // The same label value twice, objects that differ elsewhere: not duplicates.
        #expect(SchemaCheck.firstDuplicate(try Self.items(#"[{"label-value": 1, "a": 2}, {"label-value": 1, "a": 3}]"#)) == nil)
        // Equal objects, members in another order and the number spelled differently.
        let repeated = SchemaCheck.firstDuplicate(try Self.items(#"[{"label-value": 1, "a": 2}, {"label-value": 3}, {"a": 2.0, "label-value": 1e0}]"#))
        #expect(repeated.map { [$0.0, $0.1] } == [0, 2])
        // A first member that is not an integer everywhere falls back to whole objects.
        #expect(SchemaCheck.firstDuplicate(try Self.items(#"[{"k": "x"}, {"k": "x"}]"#)).map { [$0.0, $0.1] } == [0, 1])
        #expect(SchemaCheck.firstDuplicate(try Self.items(#"[{"k": 1}, 1, {"k": 1}]"#)).map { [$0.0, $0.1] } == [0, 2])
        #expect(SchemaCheck.firstDuplicate(try Self.items(#"[{"k": 1.5}, {"k": 15e-1}]"#)).map { [$0.0, $0.1] } == [0, 1])
        #expect(SchemaCheck.firstDuplicate([]) == nil)
    }
}
