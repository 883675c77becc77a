public import MIFACore
public import Zarr

/// A description of any OME-Zarr group as one JSON value: what it is (image, label image, labels
/// group, plate, well, bioformats2raw container), its version, whether it is valid (with every issue
/// and its JSON pointer), and, for images, the axes, levels (shape, chunks, shards, type, scale,
/// translation), channels and labels; for plates, the rows, columns, wells and the first field
/// (every well and field checked).
///
/// This is what `mifa omezarr info --json` prints. Problems become `issues` with severity `error`
/// rather than exceptions, so that broken data is described too.
public enum OMEZarrSummary {
    /// The most series, wells or labels described in detail.
    public static let detailLimit = 16

    /// Describes the group at `path`.
    /// - Throws: ``OMEZarrError`` `.storage` only when there is no Zarr group at all.
    public static func describe(_ store: any ZarrStore, path: String = "") throws -> JSONValue {
        let group = try OMEZarrError.wrapping("no Zarr group at '\(path.isEmpty ? store.location : path)'") { try ZarrGroup.open(store, path: path) }
        var object: JSONObject = ["path": .string(path.isEmpty ? store.location : "\(store.location)/\(path)"),
                                  "zarr_format": .number(JSONNumber(group.metadata.format.rawValue))]
        var issues: [NGFFIssue] = []
        func fail(_ error: any Error, _ place: String = "") {
            let message = (error as? any MIFAError).map { "\($0.context.isEmpty ? "" : "\($0.context): ")\($0.message)" } ?? "\(error)"
            issues.append(NGFFIssue(.error, .unreadable, message, context: ErrorContext(file: place.isEmpty ? nil : place, pointer: "")))
        }
        let metadata: NGFFGroupMetadata?
        do {
            metadata = try NGFFGroupMetadata.detect(attributes: group.attributes, format: group.metadata.format,
                                                    file: NGFFGroupMetadata.documentName(store, path: path, format: group.metadata.format))
        } catch {
            fail(error)
            metadata = nil
        }
        guard let metadata else {
            object["kind"] = "zarr-group"
            object["ome_zarr"] = false
            if issues.isEmpty {
                issues.append(NGFFIssue(.error, .notOMEZarr, at: .root, "the group has no OME-NGFF metadata (no multiscales, labels, plate, well or bioformats2raw.layout)"))
            }
            object["issues"] = .array(issues.map(\.json))
            object["valid"] = false
            return .object(object)
        }
        object["ome_zarr"] = true
        object["ngff_version"] = .string(metadata.version.rawValue)
        let kinds = metadata.kinds
        for kind in kinds {
            issues += metadata.validate(as: kind).issues
        }
        if kinds.contains(.image) {
            object["kind"] = kinds.contains(.label) ? "label-image" : "image"
            do {
                let image = try OMEZarrImage.open(store, path: path)
                object["image"] = imageSummary(image)
                issues += image.warnings.filter { warning in !issues.contains { $0.message == warning.message } }
                if !kinds.contains(.label) {
                    var labels: [JSONValue] = []
                    for name in try image.labelNames().prefix(detailLimit) {
                        do {
                            let label = try image.openLabel(name)
                            var entry = imageSummary(label).objectValue ?? JSONObject()
                            entry["name"] = .string(name)
                            labels.append(.object(entry))
                        } catch {
                            fail(error, "labels/\(name)")
                            labels.append(["name": .string(name), "error": .string("\(error)")])
                        }
                    }
                    object["labels"] = .array(labels)
                }
            } catch {
                fail(error)
            }
        } else if let names = metadata.labelNames {
            object["kind"] = "labels"
            object["labels"] = .array(names.map(JSONValue.string))
        } else if kinds.contains(.plate) {
            object["kind"] = "plate"
            object["plate"] = plateSummary(store, path: path, plate: Plate(json: metadata.metadata["plate"] ?? nil), fail: fail, report: { issues.append($0) })
        } else if kinds.contains(.well) {
            object["kind"] = "well"
            let well = Well(json: metadata.metadata["well"] ?? nil)
            object["well"] = ["fields": .array(well.images.map { ["path": .string($0.path), "acquisition": $0.acquisition.map { .number(JSONNumber($0)) } ?? .null] })]
        } else if kinds.contains(.bioformats2raw) || kinds.contains(.series) {
            object["kind"] = kinds.contains(.bioformats2raw) ? "bioformats2raw" : "series"
            object["series"] = seriesSummary(store, path: path, metadata: metadata, fail: fail)
        } else {
            object["kind"] = "ome-group"
        }
        object["issues"] = .array(issues.map(\.json))
        object["valid"] = .bool(!issues.contains { $0.severity == .error })
        return .object(object)
    }

    /// Axes, levels, channels and label metadata of an image.
    static func imageSummary(_ image: OMEZarrImage) -> JSONValue {
        func numbers(_ values: [Int]) -> JSONValue { .array(values.map { .number(JSONNumber($0)) }) }
        func reals(_ values: [Double]) -> JSONValue { .array(values.map { JSONNumber($0).map(JSONValue.number) ?? .null }) }
        var object: JSONObject = [
            "name": image.multiscale.name.map(JSONValue.string) ?? .null,
            "axes": .array(image.axes.map(\.json)),
            "levels": .array(image.levels.map { level in
                var entry: JSONObject = ["path": .string(level.path), "shape": numbers(level.shape), "chunks": numbers(level.chunkShape),
                                         "data_type": .string(level.array.dataType.v3Name), "scale": reals(level.pixelSize),
                                         "translation": reals(level.origin)]
                if let shards = level.shardShape { entry["shards"] = numbers(shards) }
                if let names = level.array.metadata.dimensionNames { entry["dimension_names"] = .array(names.map { $0.map(JSONValue.string) ?? .null }) }
                return .object(entry)
            }),
            "multiscale_type": image.multiscale.type.map(JSONValue.string) ?? .null,
        ]
        if let omero = image.omero { object["omero"] = omero.json }
        if let label = image.imageLabel {
            object["image_label"] = label.json(version: image.version)
        }
        return .object(object)
    }

    /// Rows, columns, wells, acquisitions, and the first field of the first well; every problem
    /// of every well and field is reported (`report`), each with the `path` of the group its
    /// `pointer` points into, as metadata validation reports every problem of one document.
    static func plateSummary(_ store: any ZarrStore, path: String, plate: Plate, fail: (any Error, String) -> Void, report: (NGFFIssue) -> Void) -> JSONValue {
        var object: JSONObject = [
            "name": plate.name.map(JSONValue.string) ?? .null,
            "rows": .array(plate.rows.map(JSONValue.string)), "columns": .array(plate.columns.map(JSONValue.string)),
            "wells": .array(plate.wells.map { .string($0.path) }),
            "acquisitions": .array(plate.acquisitions.map { ["id": .number(JSONNumber($0.id)), "name": $0.name.map(JSONValue.string) ?? .null] }),
            "field_count": plate.fieldCount.map { .number(JSONNumber($0)) } ?? .null,
        ]
        func issue(_ code: NGFFIssueCode, _ group: String, _ message: String) -> NGFFIssue {
            NGFFIssue(.error, code, message, context: ErrorContext(file: group, pointer: ""))
        }
        for well in plate.wells {
            let wellPath = path.isEmpty ? well.path : "\(path)/\(well.path)"
            let metadata: NGFFGroupMetadata
            do {
                guard let found = try NGFFGroupMetadata.read(store, path: wellPath), found.kinds.contains(.well) else {
                    report(issue(.wellMissing, well.path, "the plate lists well \(well.path), but that group has no 'well' metadata; add it, or remove the well from plate.wells"))
                    continue
                }
                metadata = found
            } catch {
                fail(error, well.path)
                continue
            }
            for var finding in metadata.validate(as: .well).issues {
                finding.context.file = well.path
                report(finding)
            }
            let fields = Well(json: metadata.metadata["well"] ?? nil).images
            if let count = plate.fieldCount, fields.count > count {
                report(issue(.fieldCount, well.path, "well \(well.path) has \(fields.count) fields, more than the plate's field_count \(count)"))
            }
            for field in fields {
                let fieldPath = "\(well.path)/\(field.path)"
                do {
                    guard let image = try NGFFGroupMetadata.read(store, path: "\(wellPath)/\(field.path)"), image.kinds.contains(.image) else {
                        report(issue(.fieldMissing, fieldPath, "the well lists field \(field.path), but \(fieldPath) has no 'multiscales' image metadata"))
                        continue
                    }
                    let findings = image.validate(as: .image).issues
                    for var finding in findings {
                        finding.context.file = fieldPath
                        report(finding)
                    }
                    guard !findings.contains(where: { $0.severity == .error }) else { continue }
                    let opened = try OMEZarrImage.open(store, path: "\(wellPath)/\(field.path)")
                    if object["first_field"] == nil {
                        var summary = imageSummary(opened).objectValue ?? JSONObject()
                        summary["path"] = .string(fieldPath)
                        object["first_field"] = .object(summary)
                    }
                } catch {
                    fail(error, fieldPath)
                }
            }
        }
        return .object(object)
    }

    /// The images of a bioformats2raw container: `OME/` `series` when present, else `0`, `1`, ...
    static func seriesSummary(_ store: any ZarrStore, path: String, metadata: NGFFGroupMetadata, fail: (any Error, String) -> Void) -> JSONValue {
        func child(_ name: String) -> String { path.isEmpty ? name : "\(path)/\(name)" }
        var names = metadata.metadata["series"]?.arrayValue?.compactMap(\.stringValue)
        if names == nil, let ome = try? NGFFGroupMetadata.read(store, path: child("OME")) {
            names = ome.metadata["series"]?.arrayValue?.compactMap(\.stringValue)
        }
        if names == nil {
            names = []
            var index = 0
            while index < detailLimit, (try? ZarrGroup.open(store, path: child("\(index)"))) != nil {
                names?.append("\(index)")
                index += 1
            }
        }
        var result: [JSONValue] = []
        for name in (names ?? []).prefix(detailLimit) {
            do {
                var summary = imageSummary(try OMEZarrImage.open(store, path: child(name))).objectValue ?? JSONObject()
                summary["path"] = .string(name)
                result.append(.object(summary))
            } catch {
                fail(error, name)
            }
        }
        return .array(result)
    }
}
