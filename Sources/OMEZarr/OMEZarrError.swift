public import MIFACore

/// An error from the OME-Zarr layer: NGFF metadata, multiscale images, labels, pyramids and TIFF ingest.
///
/// The context names the file (store location and key such as `image.zarr/zarr.json`) and the JSON
/// pointer inside the OME-NGFF metadata (`/ome/multiscales/0/axes/2`), or the array shape. Errors of
/// the layers underneath (Zarr, RasterIO, MIFACore) are wrapped with `underlying` set, keeping
/// their place.
/// See https://ngff.openmicroscopy.org/0.4/ and https://ngff.openmicroscopy.org/0.5/.
public typealias OMEZarrError = LayerError<OMEZarrErrorCode>

/// The codes of ``OMEZarrError``: what went wrong, as a stable code.
public enum OMEZarrErrorCode: String, ErrorCode, CaseIterable {
    /// OME-NGFF metadata that breaks the schema or the specification.
    case invalidMetadata = "invalid-metadata"
    /// A group that carries no OME-NGFF metadata MIFAKit understands.
    case notOMEZarr = "not-ome-zarr"
    /// A multiscale dataset (level) whose array is missing.
    case missingLevel = "missing-level"
    /// Axes that disagree with the dimensions of the arrays.
    case axesMismatch = "axes-mismatch"
    /// A coordinate transformation that cannot be used (wrong length, zero or non-finite scale).
    case invalidTransformation = "invalid-transformation"
    /// A label image that is not what labels must be (integer pixels, matching shape).
    case invalidLabel = "invalid-label"
    /// A region outside a level, or in the wrong number of dimensions.
    case invalidRegion = "invalid-region"
    /// An argument or option that cannot work (chunks, levels, plane indices, ...).
    case invalidArgument = "invalid-argument"
    /// Something valid that MIFAKit does not support (NGFF 0.1-0.3, path-based transformations, ...).
    case unsupported = "unsupported"
    /// A failure of the store, a Zarr array or an input file underneath (see `underlying`).
    case storage = "storage"
}

extension OMEZarrError {
    /// An error at a JSON pointer inside the metadata document `file`.
    init(_ kind: Code, _ message: String, file: String?, pointer: JSONPointer?, shape: [Int]? = nil) {
        self.init(kind, message, context: ErrorContext(file: file, pointer: pointer?.description, shape: shape))
    }

    /// Runs `body`, turning errors of the layers underneath into ``OMEZarrError`` `.storage` (or
    /// `.invalidArgument` for MIFACore shape and region errors) that keep their message, place and
    /// cause; ``OMEZarrError``s pass through unchanged.
    @discardableResult
    static func wrapping<R>(_ what: @autoclosure () -> String, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as OMEZarrError {
            throw error
        } catch let error as any MIFAError {
            let kind: Code = error is CoreError ? .invalidArgument : .storage
            throw OMEZarrError(kind, "\(what()): \(error.message)", context: error.context, underlying: error)
        } catch {
            throw OMEZarrError(.storage, "\(what()): \(error)", underlying: error)
        }
    }
}
