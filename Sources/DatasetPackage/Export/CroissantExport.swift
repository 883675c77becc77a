import Foundation
public import MIFACore
import MIFAModel
import Zarr

/// An MLCommons Croissant 1.0 description (JSON-LD, http://mlcommons.org/croissant/1.0) of a package
/// version, so that ML dataset tools (mlcroissant, TFDS, Hugging Face, Kaggle) can find and load it.
///
/// Dataset fields come from mifa.json (title, description, license as an SPDX URL, keywords,
/// authors and annotators as creators, the first publication or else a citation text as `citeAs`)
/// and from the version record (version, date). `distribution` lists mifa.json, the root group,
/// each image's `zarr.json` and each vector annotation file as FileObjects with their SHA-256, and
/// each image's OME-Zarr folder (`files/images/<id>`) and each label set (`files/labels/<set>`) as
/// FileSets. `recordSet` has a table of images (id, path, width, height, and the split when
/// mifa.json gives splits, referencing a `cr:Split` record set of the split names; inline data), one per
/// vector set (image_id, geometry type, coordinates, read from the GeoJSON by jsonPath) and one per
/// label set (image_id, path; inline data). Content URLs are relative to the folder the description
/// is written to (`location`, the package folder as seen from there), so mlcroissant loads its
/// records where it was written, outside the package; the dataset's `url` is the package folder.
public enum CroissantExport {
    /// The JSON-LD `@context` of Croissant 1.0, as the specification's examples give it.
    static let context: JSONValue = [
        "@language": "en", "@vocab": "https://schema.org/", "citeAs": "cr:citeAs", "column": "cr:column",
        "conformsTo": "dct:conformsTo", "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
        "data": ["@id": "cr:data", "@type": "@json"], "dataType": ["@id": "cr:dataType", "@type": "@vocab"],
        "dct": "http://purl.org/dc/terms/", "equivalentProperty": "cr:equivalentProperty",
        "examples": ["@id": "cr:examples", "@type": "@json"], "extract": "cr:extract", "field": "cr:field",
        "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject", "fileSet": "cr:fileSet", "format": "cr:format",
        "includes": "cr:includes", "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath", "key": "cr:key",
        "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path", "recordSet": "cr:recordSet",
        "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated", "replace": "cr:replace",
        "samplingRate": "cr:samplingRate", "sc": "https://schema.org/", "separator": "cr:separator", "source": "cr:source",
        "subField": "cr:subField", "transform": "cr:transform",
    ]

    /// The Croissant document of a snapshot.
    /// - Parameters:
    ///   - snapshot: the version described.
    ///   - location: the package folder relative to the folder the description is written to
    ///     (e.g. `../nuclei.mifa`); content URLs start with it. `nil` or empty: the package folder itself.
    ///   - url: the dataset's `url` (where the package lives); `nil` leaves it out.
    /// - Throws: ``PackageError`` `.invalidMetadata` when mifa.json cannot be read, what reading the snapshot throws.
    public static func document(_ snapshot: PackageSnapshot, location: String? = nil, url: String? = nil) throws -> JSONValue {
        let prefix = (location ?? "").isEmpty ? "" : location! + "/"
        let metadata = try snapshot.metadata()
        let record = try snapshot.package.record(snapshot.version).record
        let study = metadata.study ?? Study()
        let folder = snapshot.package.name
        var dataset: [(String, JSONValue)] = [
            ("@context", context), ("@type", "sc:Dataset"),
            ("name", .string(study.title ?? folder)),
            ("description", .string(study.description ?? "A MIFA dataset package of images and annotations.")),
            ("conformsTo", "http://mlcommons.org/croissant/1.0"),
            ("version", .string(record.version)),
            ("datePublished", .string(record.timestamp)),
        ]
        if let license = study.license {
            let id = SPDXLicense.normalizedID(for: license)
            dataset.append(("license", .string(id.map { "https://spdx.org/licenses/\($0).html" } ?? license)))
        }
        if let url { dataset.append(("url", .string(url))) }
        if let keywords = study.keywords, !keywords.isEmpty { dataset.append(("keywords", .array(keywords.map(JSONValue.string)))) }
        // The people a citation names (`mifa export --to citation|datacite`), in the same order.
        let people = PackageCitation.creators(of: metadata, record: record, objectAnnotators: try PackageCitation.objectAnnotators(of: snapshot))
        if let doi = study.publications?.first?.publicationDOI {
            dataset.append(("citeAs", .string("https://doi.org/\(doi)")))
        } else {
            let names = people.map { [$0.authorLastName, $0.authorFirstName].compactMap { $0 }.joined(separator: ", ") }.joined(separator: "; ")
            let year = record.timestamp.prefix(4)
            dataset.append(("citeAs", .string("\(names.isEmpty ? "" : "\(names) ")(\(year)). \(study.title ?? folder). MIFA dataset package, version \(record.version).")))
        }
        if !people.isEmpty { dataset.append(("creator", .array(people.map(person)))) }
        dataset.append(("distribution", .array(try distribution(snapshot, prefix: prefix))))
        dataset.append(("recordSet", .array(recordSets(snapshot, splits: splits(metadata)))))
        return .object(JSONObject(dataset))
    }

    private static func person(_ author: Author) -> JSONValue {
        var members: [(String, JSONValue)] = [("@type", "sc:Person")]
        members.append(("name", .string([author.authorFirstName, author.authorLastName].compactMap { $0 }.joined(separator: " "))))
        if let orcid = author.orcidID.flatMap(ORCID.bareForm(of:)) { members.append(("url", .string("https://orcid.org/\(orcid)"))) }
        if let email = author.email { members.append(("email", .string(email))) }
        return .object(JSONObject(members))
    }

    private static func fileObject(_ path: String, _ entry: ManifestEntry, format: String, description: String, prefix: String) -> JSONValue {
        [
            "@type": "cr:FileObject", "@id": .string(path), "name": .string(path), "description": .string(description),
            "contentUrl": .string(prefix + path), "contentSize": .string("\(entry.bytes) B"), "encodingFormat": .string(format),
            "sha256": .string(entry.sha256.hex),
        ]
    }

    private static func fileSet(_ id: String, includes: String, format: String, description: String) -> JSONValue {
        ["@type": "cr:FileSet", "@id": .string(id), "name": .string(id), "description": .string(description), "encodingFormat": .string(format), "includes": .string(includes)]
    }

    private static func distribution(_ snapshot: PackageSnapshot, prefix: String) throws -> [JSONValue] {
        let files = snapshot.fileList.files
        var entries: [JSONValue] = []
        for (path, description) in [(PackageLayout.metadata, "MIFA metadata: study, images (REMBI), annotation sets, version"),
                                    (PackageLayout.rootGroup, "Zarr v3 root group of the package")] {
            if let entry = files[path] { entries.append(fileObject(path, entry, format: "application/json", description: description, prefix: prefix)) }
        }
        for id in snapshot.imageIDs {
            let path = "\(PackageLayout.image(id))/zarr.json"
            entries.append(fileObject(path, files[path]!, format: "application/json", description: "OME-Zarr 0.5 metadata of image \(id)", prefix: prefix))
            entries.append(fileSet(
                "files/\(PackageLayout.image(id))", includes: "\(prefix)\(PackageLayout.image(id))/**", format: "application/x-zarr",
                description: "OME-Zarr image \(id): multiscale arrays (zarr.json and chunks) and label images"))
        }
        for set in snapshot.vectorSets {
            let path = PackageLayout.annotationFile(set)
            entries.append(fileObject(path, files[path]!, format: "application/json", description: "vector annotations of set \(set) (GeoJSON, pixel coordinates of the full-resolution image)", prefix: prefix))
            let index = PackageLayout.annotationIndex(set)
            if let entry = files[index] {
                entries.append(fileObject(index, entry, format: "application/json", description: "where each image's features of set \(set) are in its GeoJSON (byte ranges; MIFA annotation index)", prefix: prefix))
            }
        }
        for set in snapshot.labelSets.keys.sorted() {
            entries.append(fileSet("files/labels/\(set)", includes: "\(prefix)images/*/labels/\(set)/**", format: "application/x-zarr", description: "label images of set \(set) (OME-Zarr image-label)"))
        }
        return entries
    }

    private static func field(_ recordSet: String, _ name: String, _ type: String, _ description: String, source: JSONValue? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("@type", "cr:Field"), ("@id", .string("\(recordSet)/\(name)")), ("name", .string(name)),
            ("description", .string(description)), ("dataType", .string(type)),
        ]
        if let source { members.append(("source", source)) }
        return .object(JSONObject(members))
    }

    private static func integer(_ value: Int?) -> JSONValue {
        value.map { .number(JSONNumber($0)) } ?? .null
    }

    /// The split of each image that has one (image id -> split name), from mifa.json.
    private static func splits(_ metadata: MIFADocument) -> [String: String] {
        var result: [String: String] = [:]
        for image in metadata.images ?? [] {
            if let id = image.id, let split = image.split { result[id] = split }
        }
        return result
    }

    /// The Croissant URL of a split name: `cr:TrainingSplit`, `cr:ValidationSplit`, `cr:TestSplit`,
    /// or (another name) a URL of this dataset's own.
    private static func splitURL(_ name: String) -> String {
        switch name.lowercased() {
        case "train", "training": "cr:TrainingSplit"
        case "validation", "val", "valid", "dev": "cr:ValidationSplit"
        case "test", "testing": "cr:TestSplit"
        default: "cr:\(name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name)"
        }
    }

    private static func recordSets(_ snapshot: PackageSnapshot, splits: [String: String]) -> [JSONValue] {
        var rows: [JSONValue] = []
        for id in snapshot.imageIDs {
            let size = snapshot.imageSize(id)
            var row: JSONObject = [
                "images/image_id": .string(id), "images/path": .string(PackageLayout.image(id)),
                "images/width": integer(size?.width), "images/height": integer(size?.height),
            ]
            if !splits.isEmpty { row["images/split"] = splits[id].map(JSONValue.string) ?? .null }
            rows.append(.object(row))
        }
        var imageFields: [JSONValue] = [
            field("images", "image_id", "sc:Text", "image id, as annotations name it (source_image_id, image_id)"),
            field("images", "path", "sc:Text", "the OME-Zarr image folder, relative to the package"),
            field("images", "width", "sc:Integer", "width in pixels of the full-resolution level"),
            field("images", "height", "sc:Integer", "height in pixels of the full-resolution level"),
        ]
        var sets: [JSONValue] = []
        if !splits.isEmpty {
            // Croissant 1.0 "Splits": a record set of data type cr:Split that the images reference.
            let names = Set(splits.values).sorted()
            sets.append([
                "@type": "cr:RecordSet", "@id": "splits", "name": "splits", "dataType": "cr:Split",
                "description": "the machine-learning splits of the images (each image is in one)",
                "key": ["@id": "splits/name"],
                "field": [field("splits", "name", "sc:Text", "the split's name"), field("splits", "url", "sc:URL", "the split's Croissant URL")],
                "data": .array(names.map { ["splits/name": .string($0), "splits/url": .string(splitURL($0))] }),
            ])
            var split = field("images", "split", "sc:Text", "the split the image is in (splits/name)")
            if case .object(var members) = split {
                members["references"] = ["field": ["@id": "splits/name"]]
                split = .object(members)
            }
            imageFields.append(split)
        }
        sets.append([
            "@type": "cr:RecordSet", "@id": "images", "name": "images",
            "description": "the images of the package, one OME-Zarr image each",
            "key": ["@id": "images/image_id"],
            "field": .array(imageFields),
            "data": .array(rows),
        ])
        for set in snapshot.vectorSets {
            let name = "annotations/\(set)"
            let file = PackageLayout.annotationFile(set)
            func source(_ path: String) -> JSONValue { ["fileObject": ["@id": .string(file)], "extract": ["jsonPath": .string(path)]] }
            // Only members every feature has become fields, so that every record can be read.
            let features = (try? JSONParser.parse(snapshot.contents(of: file)))?["features"]?.arrayValue ?? []
            var fields: [JSONValue] = []
            if !features.isEmpty, features.allSatisfy({ $0["properties"]?["image_id"]?.stringValue != nil }) {
                fields.append(field(name, "image_id", "sc:Text", "the source image (images/image_id)", source: source("$.features[*].properties.image_id")))
            }
            if !features.isEmpty, features.allSatisfy({ $0["geometry"]?["type"]?.stringValue != nil && $0["geometry"]?["coordinates"] != nil }) {
                fields.append(field(name, "geometry_type", "sc:Text", "the GeoJSON geometry type (Polygon, Point, ...)", source: source("$.features[*].geometry.type")))
                fields.append(field(name, "coordinates", "sc:Float", "the GeoJSON coordinates, x and y in pixels of the full-resolution image (corner-based)", source: source("$.features[*].geometry.coordinates")))
            }
            guard !fields.isEmpty else { continue }
            sets.append([
                "@type": "cr:RecordSet", "@id": .string(name), "name": .string(name),
                "description": .string("the objects of annotation set \(set), one GeoJSON feature each"),
                "field": .array(fields),
            ])
        }
        for (set, images) in snapshot.labelSets.sorted(by: { $0.key < $1.key }) {
            let name = "labels/\(set)"
            let rows: [JSONValue] = images.sorted().map { image in
                ["\(name)/image_id": .string(image), "\(name)/path": .string(PackageLayout.label(set, of: image))]
            }
            sets.append([
                "@type": "cr:RecordSet", "@id": .string(name), "name": .string(name),
                "description": .string("label images of annotation set \(set), one per annotated image"),
                "field": [
                    field(name, "image_id", "sc:Text", "the image the labels annotate"),
                    field(name, "path", "sc:Text", "the OME-Zarr label image folder, relative to the package"),
                ],
                "data": .array(rows),
            ])
        }
        return sets
    }
}

/// A Croissant 1.0 JSON-LD description (``CroissantExport``) whose content URLs lead from the
/// output's folder to the package.
struct CroissantExportFormat: PackageExportFormatHandler {
    let name = "croissant"

    func export(_ snapshot: PackageSnapshot, of exporter: PackageExporter, to output: String, request: PackageExporter.Request, progress: (Int, Int) -> Void) throws -> PackageExporter.Summary {
        // A folder or zip is named relative to the description; a URL as it is.
        let package = exporter.package
        let packageFolder = FileSystem.canonicalPath(package.root) ?? package.root
        let outputFolder = FileSystem.canonicalPath(FileSystem.parent(of: output)) ?? FileSystem.parent(of: output)
        let remote = StoreURL.isRemote(package.root)
        let location = remote ? package.root : PackageExporter.relativePath(from: outputFolder, to: packageFolder)
        let document = try CroissantExport.document(snapshot, location: location, url: remote ? package.root : URL(fileURLWithPath: packageFolder).absoluteString)
        try write(try CanonicalJSON.encode(document), to: output)
        return PackageExporter.Summary(output: output, version: snapshot.version, items: document["distribution"]?.arrayValue?.count ?? 0, counted: "distribution entries")
    }
}

extension PackageExporter.Format {
    /// A Croissant 1.0 JSON-LD description.
    public static let croissant = PackageExporter.Format(CroissantExportFormat())
}
