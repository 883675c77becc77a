import ArgumentParser
import DatasetPackage

/// The content changes of `mifa version` and `mifa propose`: new metadata, annotation sets added,
/// replaced or removed.
struct VersionEditOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A new metadata file (mifa.yaml or mifa.json) replacing mifa.json.", valueName: "FILE"))
    var metadata: String?

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Add or replace annotation sets: SET=FILE (COCO, GeoJSON, masks, CSV, CTC, YOLO); masks for a raster set replace its label images.", valueName: "SET=FILE"))
    var annotations: [String] = []

    @Option(name: .customLong("remove-annotations"), parsing: .upToNextOption, help: ArgumentHelp("Remove vector annotation sets.", valueName: "SET"))
    var removeAnnotations: [String] = []

    func validate() throws {
        for entry in annotations where !entry.contains("=") || entry.hasPrefix("=") || entry.hasSuffix("=") {
            throw ValidationError("--annotations takes SET=FILE, not '\(entry)'")
        }
    }

    /// The edits, in the order they apply: metadata, removals, then annotation sets.
    var edits: [VersionEdit] {
        var edits: [VersionEdit] = []
        if let metadata { edits.append(.replaceMetadata(file: metadata)) }
        for set in removeAnnotations { edits.append(.removeAnnotations(set: set)) }
        for entry in annotations {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            edits.append(.setAnnotations(set: parts[0], file: parts[1]))
        }
        return edits
    }
}
