import MIFAModel

extension AuditRun {
    /// Compares the images and annotation coverage the metadata declares with what the package holds.
    mutating func compareCoverage(_ document: MIFADocument, measured: [String: Int]) {
        let inPackage = Set(imageIDs)
        let annotated = Set(coverage.annotatedImages)
        let file = PackageLayout.metadata
        let listed = (document.images ?? []).enumerated().compactMap { index, image in image.id.map { (index, $0) } }
        if listed.isEmpty {
            if !inPackage.isEmpty {
                add(.warning, .imageNotInMetadata, path: file, pointer: "/images",
                    "mifa.json lists no images while the package has \(inPackage.count); describe each image (id, REMBI sections) under images")
            }
        } else {
            let listedIDs = Set(listed.map(\.1))
            for (index, image) in (document.images ?? []).enumerated() where image.biosample == nil && image.specimen == nil && image.imageAcquisition == nil {
                add(.info, .rembiMissing, path: file, pointer: "/images/\(index)",
                    "the image '\(image.id ?? "#\(index)")' has no REMBI section (biosample, specimen, image_acquisition): a reuser cannot tell what it shows or how it was taken; describe it in mifa.json")
            }
            for (index, id) in listed where !inPackage.contains(id) {
                add(.error, .imageMissing, path: file, pointer: "/images/\(index)/id",
                    "mifa.json describes the image '\(id)' but the package has no images/\(id)/; add the image or remove its entry")
            }
            for id in imageIDs where !listedIDs.contains(id) {
                add(.warning, .imageNotInMetadata, path: PackageLayout.image(id),
                    "the image '\(id)' is not described in mifa.json; add an entry with its id under images")
            }
        }
        var declared = Set<String>()
        let present = Set(coverage.sets.keys)
        // A set is its set_id, else `setN` for annotations[N-1]; a package holding sets named
        // otherwise cannot be mapped, and then declared sets it lacks are not reported.
        let setIDs = document.annotationSetIDs
        let numbered = present.allSatisfy { setIDs.contains($0) || ($0.hasPrefix("set") && Int($0.dropFirst(3)) != nil) }
        for (setIndex, set) in (document.annotations ?? []).enumerated() {
            let setID = setIDs[setIndex]
            if numbered, !present.contains(setID) {
                add(.warning, .empty, path: file, pointer: "/annotations/\(setIndex)",
                    "mifa.json declares annotation set \(setIndex + 1) (\(setID)) but the package holds no annotations for it; add them with `mifa version --annotations \(setID)=FILE`, or remove the declaration")
            }
            coverage.sets[setID]?.declaredImages = Set((set.fileMetadata ?? []).compactMap(\.sourceImageID)).sorted(by: byteOrder)
            for (entryIndex, entry) in (set.fileMetadata ?? []).enumerated() {
                guard let image = entry.sourceImageID else { continue }
                let pointer = "/annotations/\(setIndex)/file_metadata/\(entryIndex)/source_image_id"
                declared.insert(image)
                if !inPackage.contains(image) {
                    add(.error, .sourceImageMissing, path: file, pointer: pointer,
                        "the annotation '\(entry.annotationID ?? "#\(entryIndex)")' names the source image '\(image)', which the package does not have; add the image or fix source_image_id")
                } else if !annotated.contains(image) {
                    add(.warning, .coverageDeclaredNotFound, path: file, pointer: pointer,
                        "the annotation '\(entry.annotationID ?? "#\(entryIndex)")' is declared for image '\(image)', but no annotation set of the package annotates it; add its annotations or remove the entry")
                }
            }
        }
        coverage.declaredAnnotatedImages = declared.sorted(by: byteOrder)
        if declared.isEmpty {
            if !annotated.isEmpty {
                add(.info, .coverageUndeclared, path: file, pointer: "/annotations",
                    "mifa.json has no file_metadata, so the declared coverage cannot be compared with the \(annotated.count) annotated image(s)")
            }
            return
        }
        for image in coverage.annotatedImages where !declared.contains(image) {
            let objects = measured[image].map { " (\($0) objects)" } ?? ""
            add(.warning, .coverageUndeclared, path: PackageLayout.image(image),
                "image '\(image)' has annotations\(objects) that no file_metadata entry of mifa.json declares; add an entry with source_image_id '\(image)'")
        }
    }
}
