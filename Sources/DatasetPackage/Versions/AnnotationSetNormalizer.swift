public import Annotations
import MIFACore
import OMEZarr

/// Turns an annotation document read from any format into the package's normalised vector set:
/// every annotation belongs to an image of the package, and the document lists exactly the images it
/// annotates as `mifa:images` entries `{id: <image_id>, file_name: "images/<image_id>", width, height}`
/// (sizes from the OME-Zarr image), each feature carrying `image_id` when there are several.
///
/// An image of the input is matched to a package image by its id, else by its file name without
/// folders and extension. Annotations without an image belong to the input's only image, else to the
/// package's only image. Anything that does not match is an error naming it.
public enum AnnotationSetNormalizer {
    /// The normalised document.
    /// - Parameters:
    ///   - document: the annotations as read.
    ///   - staging: the staged package content (for its images and their sizes).
    ///   - file: the input file, for messages.
    /// - Throws: ``PackageError`` `.invalidInput` naming the annotation or image that matches no
    ///   image of the package, or the duplicate / dangling id; OMEZarr errors for unreadable images.
    public static func normalize(_ document: AnnotationDocument, staging: VersionStaging, file: String) throws -> AnnotationDocument {
        do {
            try document.validateReferences()
        } catch let error as AnnotationError {
            throw PackageError(.invalidInput, "\(error.message) (in '\(file)')", context: ErrorContext(file: file, key: error.context.key), underlying: error)
        }
        let packageImages = try staging.imageIDs()
        let known = Set(packageImages)
        let listing = packageImages.isEmpty ? "none" : packageImages.joined(separator: ", ")
        var mapped: [Identifier: String] = [:]
        for image in document.images {
            let byID = image.id.description
            let byName = image.fileName.map { _ in image.stem }
            guard let match = known.contains(byID) ? byID : byName.flatMap({ known.contains($0) ? $0 : nil }) else {
                throw PackageError(
                    .invalidInput, "image \(image.id)\(image.fileName.map { " ('\($0)')" } ?? "") of '\(file)' is not an image of the package; the package has: \(listing)",
                    context: ErrorContext(file: file, key: "image \(image.id)"))
            }
            mapped[image.id] = match
        }
        let fallback = document.images.count == 1 ? mapped[document.images[0].id] : packageImages.count == 1 ? packageImages[0] : nil
        var result = document
        var used: [String] = []
        for index in result.annotations.indices {
            let annotation = result.annotations[index]
            let target: String?
            if let image = annotation.imageID {
                target = mapped[image] ?? (known.contains(image.description) ? image.description : nil)
            } else {
                target = fallback
            }
            guard let target else {
                let name = annotation.id.map { "annotation \($0)" } ?? "annotation #\(index)"
                let reason = annotation.imageID.map { "refers to image \($0), which is not an image of the package" } ?? "names no image and the package has several"
                throw PackageError(.invalidInput, "\(name) of '\(file)' \(reason); the package has: \(listing)", context: ErrorContext(file: file, key: name))
            }
            result.annotations[index].imageID = .string(target)
            if !used.contains(target) { used.append(target) }
        }
        result.images = try used.sorted().map { id in
            let image = try OMEZarrImage.open(path: staging.path(PackageLayout.image(id)))
            let shape = image.shape
            return ImageReference(id: .string(id), fileName: PackageLayout.image(id), width: shape[shape.count - 1], height: shape[shape.count - 2])
        }
        return result
    }
}
