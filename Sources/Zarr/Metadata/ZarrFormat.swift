/// The Zarr specification version of a node: 2 (https://zarr-specs.readthedocs.io/en/latest/v2/v2.0.html)
/// or 3 (https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html).
public enum ZarrFormat: Int, Sendable, Hashable, CaseIterable {
    /// `.zarray` / `.zgroup` / `.zattrs`.
    case v2 = 2
    /// `zarr.json`.
    case v3 = 3
}
