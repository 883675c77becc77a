import MIFACore
public import Zarr

/// The package's consolidated metadata: the root `zarr.json` carries the metadata of every Zarr
/// node below it (`images`, each image group, its levels, its labels), inline as zarr-python 3
/// writes it (`consolidated_metadata`, kind `inline`), so that opening every image of a package at
/// a URL costs no request per image. Every writer of a version (``DatasetPackage/create(at:scanner:build:makeRecord:)``,
/// ``PackageTransaction/commit(_:)``, and through them `mifa pack` and `mifa version` to folders and
/// to `s3://`) writes it from the staged nodes, with `attributes.mifa.consolidated_sha256`: the
/// SHA-256 of the list of the `zarr.json` files it was made from (``consolidationDigest(_:)``).
/// A reader trusts the consolidated metadata only when that digest is the one the manifest's
/// entries for those files give (``consolidatedMetadata(manifest:)``); otherwise, and for packages
/// written before, it reads each node's own `zarr.json` as before. `mifa audit` reports
/// consolidated metadata that disagrees with the nodes (``AuditCode/consolidatedMetadataStale``).
extension DatasetPackage {
    /// The name of the digest in the root group's `attributes.mifa`.
    static let consolidationDigestName = "consolidated_sha256"

    /// The root `zarr.json` for the package staged in the folder `staging`: the MIFA attributes of
    /// ``rootGroupJSON`` and the consolidated metadata of every Zarr v3 node below the root, with
    /// their digest. Only a hierarchy that reaches every `zarr.json` of the content is consolidated
    /// (zarr-python refuses consolidated metadata with a node whose parent group it lacks): with a
    /// gap (an `images/` folder without its group, as packages built by hand may have), or a node's
    /// `zarr.json` that is not Zarr metadata, the root group gets none, and readers read each node's
    /// own `zarr.json` as for packages written before (reporting a broken one there; `mifa audit` names it).
    /// - Throws: ``PackageError`` `.io` when the staged files cannot be listed or hashed, or the document encoded.
    static func rootGroup(consolidating staging: String) throws -> [UInt8] {
        let nodes: [String: NodeMetadata]
        do {
            nodes = try ZarrGroup.hierarchy(DirectoryStore(root: staging, readOnly: true)).filter { $0.value.format == .v3 }
        } catch is ZarrError {
            return rootGroupJSON
        }
        let metadataFiles = try PackageFileSystem.walk(staging).filter { $0.kind == .file && $0.path.hasSuffix("/\(PackageLayout.rootGroup)") }.map(\.path)
        guard Set(metadataFiles) == Set(nodes.keys.map { "\($0)/\(PackageLayout.rootGroup)" }) else { return rootGroupJSON }
        var files: [(path: String, sha256: SHA256Digest)] = []
        for relative in metadataFiles {
            files.append((relative, try PackageFileSystem.digest(of: "\(staging)/\(relative)").digest))
        }
        let mifa: JSONObject = [
            "format": .string(PackageLayout.formatName), "version": .string(PackageLayout.formatVersion),
            consolidationDigestName: .string(consolidationDigest(files).hex),
        ]
        do {
            return try CanonicalJSON.encode(GroupMetadata(format: .v3, attributes: ["mifa": .object(mifa)], consolidated: nodes).v3Document())
        } catch {
            throw PackageError(.io, "the root zarr.json of \(staging) cannot be encoded: \(error)", context: ErrorContext(file: "\(staging)/\(PackageLayout.rootGroup)"))
        }
    }

    /// The digest that ties consolidated metadata to the `zarr.json` files it describes: the SHA-256
    /// of one line `<path> <sha256>` per file (package-relative, in byte order of the paths).
    static func consolidationDigest(_ files: [(path: String, sha256: SHA256Digest)]) -> SHA256Digest {
        let lines = files.sorted { byteOrder($0.path, $1.path) }.map { "\($0.path) \($0.sha256.hex)\n" }.joined()
        return SHA256Digest(of: Array(lines.utf8))
    }

    /// What the root group's consolidated metadata is worth for the version `manifest` describes.
    public enum ConsolidatedMetadata: Sendable {
        /// The root group has none (a package written before consolidated metadata).
        case absent
        /// It describes exactly the `zarr.json` files the manifest lists (by their digests): the
        /// metadata of every node below the root, by package-relative path.
        case current([String: NodeMetadata])
        /// It cannot be read, or was made from other `zarr.json` files than the manifest lists.
        case stale(reason: String)
    }

    /// The root group's consolidated metadata, checked against `manifest`'s entries for the
    /// `zarr.json` files below the root (no file is read for that but the root `zarr.json`, read
    /// once when the package was opened).
    /// - Throws: ``PackageError`` `.io` when the root `zarr.json` cannot be read again.
    public func consolidatedMetadata(manifest: Manifest) throws -> ConsolidatedMetadata {
        let file = path(PackageLayout.rootGroup)
        let bytes = try rootGroupBytes ?? reader.read(PackageLayout.rootGroup, limit: PackageLayout.rootGroupSizeLimit)
        // Opening the package parsed this zarr.json already; one that is not JSON has no consolidated metadata to trust.
        guard let document = try? JSONParser.parse(bytes, file: file), let inline = document["consolidated_metadata"], inline != .null else { return .absent }
        let nodes: [String: NodeMetadata]
        do {
            nodes = try GroupMetadata.parseV3(document, file: file).consolidated ?? [:]
        } catch let error as ZarrError {
            return .stale(reason: "its consolidated metadata cannot be read: \(error.message)")
        }
        guard let recorded = document["attributes"]?["mifa"]?[Self.consolidationDigestName]?.stringValue else {
            return .stale(reason: "attributes.mifa.\(Self.consolidationDigestName) is missing, so what the consolidated metadata was made from is unknown")
        }
        let files = manifest.files.filter { $0.key.hasSuffix("/\(PackageLayout.rootGroup)") }.map { (path: $0.key, sha256: $0.value.sha256) }
        guard Self.consolidationDigest(files).hex == recorded else {
            return .stale(reason: "it was made from other zarr.json files than the manifest lists (a version written without it, or files edited since)")
        }
        return .current(nodes)
    }

    /// The store images of the current version are opened from: over the package root, answering
    /// every node's `zarr.json` from the root group's consolidated metadata when it is current for
    /// `manifest` (a `ConsolidatedStore`), else the package's store as it is.
    /// - Throws: ``PackageError`` `.io` when the root `zarr.json` cannot be read or the folder
    ///   cannot be opened as a store.
    public func imageStore(manifest: Manifest) throws -> any ZarrStore {
        let store = try reader.store()
        guard case .current(let nodes) = try consolidatedMetadata(manifest: manifest) else { return store }
        return ConsolidatedStore(base: store, nodes: nodes)
    }
}
