public import Zarr

/// The OME-NGFF (OME-Zarr) specification versions MIFAKit reads and writes.
///
/// 0.4 stores its metadata in `.zattrs` of Zarr v2 groups (https://ngff.openmicroscopy.org/0.4/);
/// 0.5 under `attributes.ome` of Zarr v3 `zarr.json` with `ome.version = "0.5"`, and its arrays carry
/// `dimension_names` (https://ngff.openmicroscopy.org/0.5/).
public enum NGFFVersion: String, Sendable, Hashable, CaseIterable, Codable, Comparable, CustomStringConvertible {
    /// OME-NGFF 0.4 (Zarr v2).
    case v04 = "0.4"
    /// OME-NGFF 0.5 (Zarr v3).
    case v05 = "0.5"

    /// The Zarr format the version lives in.
    public var zarrFormat: ZarrFormat { self == .v04 ? .v2 : .v3 }

    /// The specification's address.
    public var specURL: String { "https://ngff.openmicroscopy.org/\(rawValue)/" }

    /// The version string, `0.4` or `0.5`.
    public var description: String { rawValue }

    /// Orders 0.4 before 0.5.
    public static func < (lhs: NGFFVersion, rhs: NGFFVersion) -> Bool { lhs.rawValue < rhs.rawValue }
}
