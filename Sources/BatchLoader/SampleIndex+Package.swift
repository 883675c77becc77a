import Annotations
public import DatasetPackage
import MIFACore
import OMEZarr

extension SampleIndex {
    /// The images of the MIFA package at `root` as sample sources, each with the label image of
    /// `labelSet` (where the image has one) and the vector annotations of `annotationSets`
    /// (`annotations/<set>/annotations.geojson`; `nil`: every vector set of the package) in its
    /// spatial index, so that patches carry their boxes, points and polygons (each with its
    /// ``AnnotationOrigin``: the set and the id in it). Sources are named after their image ids.
    /// - Throws: `PackageError` when `root` is not a package or a set does not exist,
    ///   `AnnotationError` when an annotation file cannot be read, `OMEZarrError` when an image
    ///   cannot be opened.
    public static func sources(package root: String, level: Int = 0, labelSet: String? = nil, annotationSets: [String]? = nil) throws -> [SampleSource] {
        let package = try DatasetPackage.open(root, recovery: .ifUnlocked)
        let (imageIDs, vectorSets) = try contents(of: package)
        let knownSets = Set(vectorSets)
        var annotationsByImage: [String: [Annotation]] = [:]
        var originsByImage: [String: [AnnotationOrigin]] = [:]
        for setID in annotationSets ?? knownSets.sorted() {
            guard knownSets.contains(setID) else {
                throw PackageError(.invalidArgument, "the package has no vector annotation set '\(setID)'; it has \(knownSets.isEmpty ? "none" : knownSets.sorted().joined(separator: ", "))", context: ErrorContext(file: root))
            }
            let document = try Converter.read(package.path(PackageLayout.annotationFile(setID)), format: .geojson).document
            for annotation in document.annotations {
                guard let imageID = annotation.imageID.map(String.init(describing:)) ?? (document.images.count == 1 ? String(describing: document.images[0].id) : nil) else { continue }
                annotationsByImage[imageID, default: []].append(annotation)
                originsByImage[imageID, default: []].append(AnnotationOrigin(set: setID, id: annotation.id))
            }
        }
        return try imageIDs.map { imageID in
            let image = try OMEZarrImage.open(path: package.path(PackageLayout.image(imageID)))
            let hasLabel = try labelSet.map { try image.labelNames().contains($0) } ?? false
            let source = try SampleSource(image: image, level: level, labelName: hasLabel ? labelSet : nil, name: imageID)
            return annotationsByImage[imageID].map { source.withAnnotations($0, origins: originsByImage[imageID]) } ?? source
        }
    }

    /// The image ids (`images/<id>/zarr.json`) and vector annotation sets
    /// (`annotations/<set>/annotations.geojson`) of the current version of `package`, each sorted as
    /// the manifest lists them.
    /// - Throws: `PackageError` when the manifest cannot be read.
    public static func contents(of package: DatasetPackage) throws -> (imageIDs: [String], vectorSets: [String]) {
        let files = try package.manifest().fileList.paths
        func names(_ folder: String, _ file: String) -> [String] {
            files.compactMap { path -> String? in
                let parts = path.split(separator: "/")
                return parts.count == 3 && parts[0] == folder && parts[2] == file ? String(parts[1]) : nil
            }
        }
        return (names("images", "zarr.json"), Array(Set(names("annotations", "annotations.geojson"))).sorted())
    }
}
