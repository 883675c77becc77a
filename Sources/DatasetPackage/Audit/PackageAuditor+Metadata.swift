import Annotations
import MIFACore
import MIFAModel
import OMEZarr

extension AuditRun {
    /// The metadata (validity, license, ORCID iDs, credit) and the annotation coverage it declares
    /// against what the package holds.
    mutating func checkMetadataAndCoverage(_ manifest: Manifest) {
        let measured = measureCoverage(manifest)
        guard manifest.files[PackageLayout.metadata] != nil else {
            add(.error, .metadataInvalid, path: PackageLayout.metadata, "the package has no mifa.json; write the MIFA metadata and add it with `mifa version`")
            return
        }
        let loaded: LoadedMetadata
        do {
            let bytes = try package.reader.read(PackageLayout.metadata, limit: MetadataReader.maximumFileBytes)
            loaded = try MetadataReader.read(bytes: bytes, format: .json, file: PackageLayout.metadata)
        } catch let error as any MIFAError {
            add(.error, .metadataInvalid, path: PackageLayout.metadata, pointer: error.context.pointer, "mifa.json cannot be read: \(error.message)")
            return
        } catch {
            add(.error, .metadataInvalid, path: PackageLayout.metadata, "mifa.json cannot be read: \(error)")
            return
        }
        for issue in loaded.report.issues where issue.severity != .info {
            let pointer = issue.pointer.isRoot ? nil : issue.pointer.description
            if issue.code == .invalidORCID || issue.code == .orcidCheckDigit {
                add(.error, .orcidInvalid, path: PackageLayout.metadata, pointer: pointer, issue.detailedMessage)
            } else if issue.pointer.description != "/study/license" || issue.code != .missingRequired {
                add(issue.severity == .error ? .error : .warning, issue.severity == .error ? .metadataInvalid : .metadataWarning,
                    path: PackageLayout.metadata, pointer: pointer, issue.detailedMessage)
            }
        }
        checkLicense(loaded.document.study?.license)
        compareCoverage(loaded.document, measured: measured)
        metadataShares = (QualityIndicators.metadata(loaded.document), QualityIndicators.rembi(loaded.document, imageIDs: imageIDs))
        checkSplits(loaded.document, manifest: manifest)
        // A source image missing from the package is reported once, as such, not also as invalid metadata.
        let missing = Set(findings.filter { $0.code == .sourceImageMissing && $0.path == PackageLayout.metadata }.compactMap(\.pointer))
        findings.removeAll { ($0.code == .metadataInvalid || $0.code == .metadataWarning) && $0.pointer.map(missing.contains) == true }
    }

    private mutating func checkLicense(_ license: String?) {
        guard let license, !license.allSatisfy(\.isWhitespace) else {
            add(.error, .licenseMissing, path: PackageLayout.metadata, pointer: "/study/license",
                "the dataset has no license, so nobody may reuse it; set study.license to an SPDX id such as CC-BY-4.0 or CC0-1.0")
            return
        }
        guard let spdx = SPDXLicense.license(caseInsensitiveID: SPDXLicense.normalizedID(for: license) ?? license) else {
            // Not an SPDX id (the metadata validator reports that); "none" and the like also mean no reuse.
            let normalized = license.lowercased().filter { $0.isLetter || $0 == " " }
            if ["none", "noassertion", "proprietary", "all rights reserved", "no license", "unlicensed"].contains(normalized) {
                add(.warning, .licenseRestrictive, path: PackageLayout.metadata, pointer: "/study/license",
                    "the license '\(license)' grants no reuse, which keeps the dataset out of training sets; CC-BY-4.0 or CC0-1.0 allow reuse with or without attribution")
            }
            return
        }
        let parts = spdx.id.split(separator: "-")
        if spdx.forbidsCommercialUse || parts.contains("ND") {
            let what = [spdx.forbidsCommercialUse ? "commercial use" : nil, parts.contains("ND") ? "derivative works" : nil].compactMap { $0 }.joined(separator: " and ")
            add(.warning, .licenseRestrictive, path: PackageLayout.metadata, pointer: "/study/license",
                "the license \(spdx.id) forbids \(what), which keeps the dataset out of many training sets; CC-BY-4.0 or CC0-1.0 allow reuse with or without attribution")
        }
    }

    /// Images with annotations per set, read from the package's files.
    private mutating func measureCoverage(_ manifest: Manifest) -> [String: Int] {
        checkFormatVersion()
        var images = Set<String>()
        var labelSets: [String: Set<String>] = [:]
        var vectorSets: [String] = []
        for path in manifest.files.keys {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if parts[0] == PackageLayout.images, parts.count >= 3 {
                images.insert(parts[1])
                if parts.count >= 5, parts[2] == "labels" { labelSets[parts[3], default: []].insert(parts[1]) }
            } else if parts[0] == PackageLayout.annotations, parts.count == 3, parts[2] == PackageLayout.annotationFileName {
                vectorSets.append(parts[1])
            }
        }
        imageIDs = images.sorted(by: byteOrder)
        for id in imageIDs {
            checkImage(PackageLayout.image(id), manifest: manifest, kind: .image)
        }
        for (set, images) in labelSets {
            for id in images { checkImage(PackageLayout.label(set, of: id), manifest: manifest, kind: .label) }
        }
        var sets: [String: AuditReport.SetCoverage] = [:]
        for (set, annotated) in labelSets {
            var counts: [String: Int] = [:]
            for image in annotated.sorted(by: byteOrder) {
                if let count = countLabelObjects(PackageLayout.label(set, of: image)) { counts[image] = count }
            }
            sets[set] = AuditReport.SetCoverage(kind: "labels", images: annotated.sorted(by: byteOrder), objectsPerImage: counts, objects: counts.values.reduce(0, +))
        }
        var perImage: [String: Int] = [:]
        for set in vectorSets.sorted(by: byteOrder) {
            let counts = countObjects(set, images: images, manifest: manifest)
            var entry = sets[set] ?? AuditReport.SetCoverage(kind: "vector", images: [], objectsPerImage: [:], objects: 0)
            if sets[set] != nil { entry.kind = "vector+labels" }
            entry.objectsPerImage.merge(counts, uniquingKeysWith: +)
            entry.objects = entry.objectsPerImage.values.reduce(0, +)
            entry.images = Set(entry.images).union(counts.keys).sorted(by: byteOrder)
            sets[set] = entry
            for (image, count) in counts { perImage[image, default: 0] += count }
        }
        for (set, entry) in sets where entry.images.isEmpty {
            add(.warning, .empty, path: PackageLayout.annotationFile(set), "the annotation set \(set) holds no objects; remove it or add its annotations")
        }
        let annotated = Set(sets.values.flatMap(\.images))
        coverage.sets = sets
        coverage.annotatedImages = annotated.sorted(by: byteOrder)
        coverage.unannotatedImages = imageIDs.filter { !annotated.contains($0) }
        return perImage
    }

    /// An image (or label image) folder holds an OME-Zarr 0.5 group whose metadata validates.
    private mutating func checkImage(_ folder: String, manifest: Manifest, kind: NGFFDocumentKind) {
        let file = "\(folder)/zarr.json"
        let what = kind == .label ? "label image" : "image"
        guard manifest.files[file] != nil else {
            add(.error, .imageInvalid, path: folder, "\(folder)/ has no zarr.json, so it is not an OME-Zarr \(what); re-create it with `mifa pack`")
            return
        }
        let group: JSONValue
        do {
            group = try JSONParser.parse(package.reader.read(file, limit: 64 << 20), file: file)
        } catch {
            add(.error, .imageInvalid, path: file, "\(file) cannot be read as JSON (\(error)), so the \(what) cannot be opened; if it is damaged, re-create it with `mifa pack`")
            return
        }
        let report = NGFFValidator.validate(group["attributes"] ?? .object(JSONObject()), as: kind, version: .v05)
        if let issue = report.errors.first {
            let more = report.errors.count > 1 ? " (and \(report.errors.count - 1) more problem(s))" : ""
            add(.error, .imageInvalid, path: file, pointer: "/attributes\(issue.pointer.isRoot ? "" : issue.pointer.description)",
                "the OME-Zarr 0.5 metadata of this \(what) is invalid: \(issue.message)\(more); re-create it with `mifa pack`")
        }
    }

    /// The most objects the audit counts in one label image (1,048,576): a label image of noise
    /// has about one object per pixel, and a set of them all would grow with the image.
    static let maximumCountedObjects = 1 << 20

    /// The number of objects (distinct non-zero values) of the label image in `folder`, read in row
    /// bands so that memory stays bounded; `nil` (and a finding) when it cannot be read or holds
    /// more than ``maximumCountedObjects``.
    private mutating func countLabelObjects(_ folder: String) -> Int? {
        do {
            let image = try OMEZarrImage.open(package.reader.store(), path: folder)
            let shape = image.shape
            guard shape.count >= 2 else { return 0 }
            let rowBytes = shape.enumerated().filter { $0.offset != shape.count - 2 }.reduce(8) { $0 * max($1.element, 1) }
            let band = max(1, (64 << 20) / rowBytes)
            var values = Set<Int64>()
            var row = 0
            while row < shape[shape.count - 2] {
                var ranges = shape.map { 0..<$0 }
                ranges[shape.count - 2] = row..<min(row + band, shape[shape.count - 2])
                var previous: Int64 = 0
                // An object's pixels come in runs along a row: one insertion per run, not per pixel.
                for value in try LabelSetComparison.values(image.read(region: Region(ranges))) where value != previous {
                    previous = value
                    guard value != 0, values.insert(value).inserted, values.count > Self.maximumCountedObjects else { continue }
                    add(.warning, .imageInvalid, path: folder, "the label image holds more than \(Self.maximumCountedObjects) objects (distinct non-zero values), which the audit does not count: is it a label image (one value per object), not intensities or noise?")
                    return nil
                }
                row += band
            }
            return values.count
        } catch {
            add(.error, .imageInvalid, path: folder, "the label image cannot be read: \(error); re-create it with `mifa pack`")
            return nil
        }
    }

    /// The width and height of an image's full-resolution level; `nil` when it cannot be opened
    /// (reported by the image checks).
    private func imageSize(_ id: String) -> (width: Double, height: Double)? {
        guard let image = try? OMEZarrImage.open(package.reader.store(), path: PackageLayout.image(id)), image.shape.count >= 2 else { return nil }
        return (Double(image.shape[image.shape.count - 1]), Double(image.shape[image.shape.count - 2]))
    }

    /// Objects per image of a vector set; features naming no image of the package are reported, and
    /// so are objects outside their image and outlines without area.
    private mutating func countObjects(_ set: String, images: Set<String>, manifest: Manifest) -> [String: Int] {
        let path = PackageLayout.annotationFile(set)
        let document: AnnotationDocument
        let bytes: [UInt8]
        do {
            bytes = try package.reader.read(path)
            document = try GeoJSONReader.read(bytes: bytes, file: path).document
        } catch let error as any MIFAError {
            add(.error, .annotationsUnreadable, path: path, pointer: error.context.pointer, "\(error.message); rewrite the set from its source with `mifa pack`")
            return [:]
        } catch {
            add(.error, .annotationsUnreadable, path: path, "\(error)")
            return [:]
        }
        checkAnnotationIndex(set, geojson: bytes, document: document, manifest: manifest)
        do {
            _ = try ObjectAnnotator.annotators(of: document, file: path)
        } catch let error as PackageError {
            add(.error, .annotatorInvalid, path: path, "\(error.message); per-object annotators are written \"First Last <ORCID>\" (ObjectAnnotator)")
        } catch {
            add(.error, .annotatorInvalid, path: path, "\(error)")
        }
        let only: String? = document.images.count == 1 ? document.images[0].id.description : images.count == 1 ? images.first : nil
        var counts: [String: Int] = [:]
        var missing: [String: Int] = [:]
        var outside: [(index: Int, image: String)] = []
        var degenerate: [Int] = []
        var sizes: [String: (width: Double, height: Double)?] = [:]
        for (index, annotation) in document.annotations.enumerated() {
            guard let image = annotation.imageID?.description ?? only else {
                add(.error, .sourceImageMissing, path: path, pointer: "/features/\(index)/properties/image_id",
                    "feature \(index) names no source image and the set has several images; give each feature an image_id")
                continue
            }
            guard images.contains(image) else {
                missing[image, default: 0] += 1
                continue
            }
            counts[image, default: 0] += 1
            guard case .geometry(let geometry) = annotation.value, let box = geometry.boundingBox else { continue }
            if sizes[image] == nil { sizes[image] = imageSize(image) }
            if let size = sizes[image] ?? nil, box.x < 0 || box.y < 0 || box.x + box.width > size.width || box.y + box.height > size.height {
                outside.append((index, image))
            }
            if geometry.isAreal, geometry.area < 1e-6 { degenerate.append(index) }
        }
        if let first = outside.first {
            add(.warning, .annotationOutsideImage, path: path, pointer: "/features/\(first.index)",
                "\(outside.count) object(s) of set \(set) reach outside their image (the first: feature \(first.index) on '\(first.image)'); coordinates are pixels of the full-resolution image, origin at its top-left corner: fix or clip them")
        }
        if let first = degenerate.first {
            add(.warning, .annotationDegenerate, path: path, pointer: "/features/\(first)",
                "\(degenerate.count) outline(s) of set \(set) enclose no area (the first: feature \(first)): a click or a collapsed polygon, not an object; remove them or redraw them")
        }
        for (image, count) in missing.sorted(by: { byteOrder($0.key, $1.key) }) {
            add(.error, .sourceImageMissing, path: path, pointer: "/features",
                "\(count) object(s) of set \(set) name the source image '\(image)', which the package does not have (no images/\(image)/); add the image or fix the image_id")
        }
        return counts
    }
}
