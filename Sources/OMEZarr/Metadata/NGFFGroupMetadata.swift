public import MIFACore
public import Zarr

/// The OME-NGFF metadata of one Zarr group: which version, where its keys live, and what the group is.
///
/// 0.5 keeps everything under `attributes.ome` of a Zarr v3 group, with `ome.version = "0.5"`;
/// 0.4 keeps it directly in the `.zattrs` of a Zarr v2 group, with `version` inside each block
/// (`multiscales[0].version`, `image-label.version`, `plate.version`, `well.version`).
/// See https://ngff.openmicroscopy.org/0.4/ and https://ngff.openmicroscopy.org/0.5/.
public struct NGFFGroupMetadata: Sendable, Hashable {
    /// The version.
    public var version: NGFFVersion
    /// The group's whole attributes: the document the official schemas validate.
    public var attributes: JSONObject
    /// The object that holds the OME-NGFF keys: ``attributes`` (0.4) or `attributes.ome` (0.5).
    public var metadata: JSONObject
    /// The metadata document, for messages: `<store>/<path>/zarr.json` or `.zattrs`.
    public var file: String

    /// The kinds of document the group holds (image, label, plate, well, bioformats2raw, series).
    public var kinds: [NGFFDocumentKind] { NGFFValidator(version: version).kinds(of: .object(attributes)) }

    /// The label names of a `labels` group, if this is one.
    public var labelNames: [String]? { metadata["labels"]?.arrayValue?.compactMap(\.stringValue) }

    /// The pointer of the metadata object: `/` (0.4) or `/ome` (0.5).
    public var metadataPointer: JSONPointer { version == .v05 ? JSONPointer.root.appending("ome") : .root }

    /// Finds the OME-NGFF metadata in a group's attributes.
    /// - Returns: `nil` when the attributes carry none.
    /// - Throws: ``OMEZarrError`` `.unsupported` for versions other than 0.4 and 0.5 (0.1-0.3 and
    ///   0.6 drafts), naming the version found.
    public static func detect(attributes: JSONObject, format: ZarrFormat, file: String) throws -> NGFFGroupMetadata? {
        let keys = ["multiscales", "image-label", "labels", "plate", "well", "bioformats2raw.layout", "series", "omero"]
        if let ome = attributes["ome"]?.objectValue {
            let declared = ome["version"]?.stringValue
            if let declared, declared != "0.5" {
                throw OMEZarrError(.unsupported, "OME-NGFF version \(declared) is not supported; MIFAKit reads 0.4 and 0.5", file: file, pointer: JSONPointer(tokens: ["ome", "version"]))
            }
            if format == .v2 && declared == nil { return nil }
            return NGFFGroupMetadata(version: .v05, attributes: attributes, metadata: ome, file: file)
        }
        guard keys.contains(where: { attributes.contains(key: $0) }) else { return nil }
        let candidates: [(JSONValue?, JSONPointer)] = [
            (attributes["multiscales"]?[0]?["version"], JSONPointer(tokens: ["multiscales", "0", "version"])),
            (attributes["image-label"]?["version"], JSONPointer(tokens: ["image-label", "version"])),
            (attributes["plate"]?["version"], JSONPointer(tokens: ["plate", "version"])),
            (attributes["well"]?["version"], JSONPointer(tokens: ["well", "version"])),
        ]
        for (value, pointer) in candidates {
            guard let declared = value?.stringValue else { continue }
            guard declared == "0.4" else {
                let hint = ["0.1", "0.2", "0.3"].contains(declared) ? "; convert it to 0.4 or 0.5 first (for example with ome-zarr-py)" : ""
                throw OMEZarrError(.unsupported, "OME-NGFF version \(declared) is not supported; MIFAKit reads 0.4 and 0.5\(hint)", file: file, pointer: pointer)
            }
            break
        }
        if format == .v3 {
            throw OMEZarrError(.unsupported, "the Zarr v3 group keeps OME-NGFF keys outside 'ome' (a 0.5 draft layout); OME-NGFF 0.5 keeps them under attributes.ome", file: file, pointer: .root)
        }
        return NGFFGroupMetadata(version: .v04, attributes: attributes, metadata: attributes, file: file)
    }

    /// Reads the metadata of the group at `path`.
    /// - Returns: `nil` when the group has no OME-NGFF metadata.
    /// - Throws: ``OMEZarrError`` `.storage` when there is no group (or an array) or it cannot be read;
    ///   `.unsupported` as ``detect(attributes:format:file:)``.
    public static func read(_ store: any ZarrStore, path: String) throws -> NGFFGroupMetadata? {
        let group = try OMEZarrError.wrapping("cannot open the Zarr group '\(path.isEmpty ? "/" : path)'") { try ZarrGroup.open(store, path: path) }
        return try detect(attributes: group.attributes, format: group.metadata.format, file: documentName(store, path: path, format: group.metadata.format))
    }

    /// `<store>/<path>/zarr.json` or `.zattrs`.
    static func documentName(_ store: any ZarrStore, path: String, format: ZarrFormat) -> String {
        let name = format == .v3 ? "zarr.json" : ".zattrs"
        return [store.location, path, name].filter { !$0.isEmpty }.joined(separator: "/")
    }

    /// Validates the group as one kind.
    public func validate(as kind: NGFFDocumentKind, strict: Bool = false) -> NGFFValidationReport {
        NGFFValidator.validate(.object(attributes), as: kind, version: version, strict: strict)
    }
}
