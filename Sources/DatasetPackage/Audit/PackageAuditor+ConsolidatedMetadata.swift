import MIFACore
import Zarr

extension AuditRun {
    /// The root group's consolidated metadata, which zarr-python (and MIFAKit's loader, when it is
    /// current) opens the images from, describes the version: it was made from the `zarr.json`
    /// files the manifest lists, and says of every node what the node's own `zarr.json` says.
    /// A package without it (written before) is not reported.
    mutating func checkConsolidatedMetadata(_ manifest: Manifest) {
        let file = PackageLayout.rootGroup
        let fix = "make a new version (`mifa version <package> --version <id> --changes \"...\"`), which writes it anew from the nodes, or restore zarr.json from a trusted copy"
        let state: DatasetPackage.ConsolidatedMetadata
        do {
            state = try package.consolidatedMetadata(manifest: manifest)
        } catch {
            add(.error, .unreadable, path: file, "the package's zarr.json cannot be read again (\(error)), so its consolidated metadata was not checked")
            return
        }
        switch state {
        case .absent:
            return
        case .stale(let reason):
            add(.error, .consolidatedMetadataStale, path: file, pointer: "/consolidated_metadata",
                "the consolidated metadata does not describe this version: \(reason). zarr-python opens the images from it (mifa reads each node's own zarr.json instead); \(fix)")
        case .current(let nodes):
            let store: any ZarrStore
            do {
                store = try package.reader.store()
            } catch {
                add(.error, .unreadable, path: file, "the package cannot be opened as a Zarr store (\(error)), so its consolidated metadata was not checked against the nodes")
                return
            }
            for path in nodes.keys.sorted(by: byteOrder) {
                let pointer = JSONPointer(tokens: ["consolidated_metadata", "metadata", path]).description
                let own: NodeMetadata
                do {
                    own = try ZarrNode.readMetadata(store, path: path)
                } catch {
                    add(.error, .consolidatedMetadataStale, path: file, pointer: pointer,
                        "the consolidated metadata describes '\(path)', whose own zarr.json cannot be read (\(error)); \(fix)")
                    continue
                }
                guard !Self.describeSameNode(own, nodes[path]!) else { continue }
                add(.error, .consolidatedMetadataStale, path: file, pointer: pointer,
                    "the consolidated metadata of '\(path)' differs from its own \(path)/zarr.json (zarr-python would open the node as the consolidated metadata says); \(fix)")
            }
        }
    }

    /// Whether two metadata documents describe the same node: the same array, or groups of the
    /// same format with the same attributes (a group's consolidated metadata is not compared).
    static func describeSameNode(_ a: NodeMetadata, _ b: NodeMetadata) -> Bool {
        switch (a, b) {
        case (.array(let x), .array(let y)): x == y
        case (.group(let x), .group(let y)): x.format == y.format && x.attributes == y.attributes
        default: false
        }
    }
}
