import MIFACore

extension NGFFValidator {
    /// `plate.schema` / `strict_plate.schema`: `columns`, `rows`, `wells` (required), acquisitions,
    /// `field_count`, `name`; strict: `name` (and `version` in 0.4), and each acquisition's `name`
    /// and `maximumfieldcount`. The specification adds: a well's `rowIndex` and `columnIndex` point
    /// into `rows` and `columns`, and its path is `{row name}/{column name}`.
    func validatePlateDocument(_ root: JSONObject, _ check: inout SchemaCheck) {
        guard let (metadata, pointer) = metadataObject(root, &check, requiredKeys: ["plate"]) else { return }
        guard let value = metadata["plate"] else { return }
        let here = pointer.appending("plate")
        guard let plate = check.object(value, here, "'plate'") else { return }
        check.require(["columns", "rows", "wells"], in: plate, here, "'plate'")
        if strict { check.require(["name"], in: plate, here, "'plate'", strict: true) }
        checkVersionMember(plate, here, "'plate'", required: strict, &check)
        if let name = plate["name"] { check.string(name, here.appending("name"), "the plate's 'name'") }
        if let count = plate["field_count"] { check.integer(count, here.appending("field_count"), "'field_count'", exclusiveMinimum: 0) }
        if let acquisitions = plate["acquisitions"], let list = check.array(acquisitions, here.appending("acquisitions"), "'acquisitions'") {
            for (index, item) in list.enumerated() {
                let itemPointer = here.appending("acquisitions").appending(index: index)
                guard let acquisition = check.object(item, itemPointer, "an acquisition") else { continue }
                check.require(["id"], in: acquisition, itemPointer, "the acquisition")
                if strict { check.require(["name", "maximumfieldcount"], in: acquisition, itemPointer, "the acquisition", strict: true) }
                if let id = acquisition["id"] { check.integer(id, itemPointer.appending("id"), "the acquisition 'id'", minimum: 0) }
                if let count = acquisition["maximumfieldcount"] {
                    check.integer(count, itemPointer.appending("maximumfieldcount"), "'maximumfieldcount'", exclusiveMinimum: 0)
                }
                for key in ["name", "description"] {
                    if let text = acquisition[key] { check.string(text, itemPointer.appending(key), "the acquisition '\(key)'") }
                }
                for key in ["starttime", "endtime"] {
                    if let time = acquisition[key] { check.integer(time, itemPointer.appending(key), "'\(key)' (seconds since the epoch)", minimum: 0) }
                }
            }
        }
        let rows = namedList(plate["rows"], here.appending("rows"), "'rows'", &check)
        let columns = namedList(plate["columns"], here.appending("columns"), "'columns'", &check)
        guard let wellsValue = plate["wells"],
              let wells = check.array(wellsValue, here.appending("wells"), "'wells'", minItems: 1, unique: true) else { return }
        for (index, item) in wells.enumerated() {
            let itemPointer = here.appending("wells").appending(index: index)
            guard let well = check.object(item, itemPointer, "a well") else { continue }
            check.require(["path", "rowIndex", "columnIndex"], in: well, itemPointer, "the well")
            var path: String?
            if let value = well["path"], let text = check.string(value, itemPointer.appending("path"), "the well 'path'") {
                let parts = text.split(separator: "/", omittingEmptySubsequences: false)
                if parts.count == 2, parts.allSatisfy({ SchemaCheck.isAlphanumeric(String($0)) }) {
                    path = text
                } else {
                    check.error(.invalidValue, itemPointer.appending("path"), "the well 'path' must be '{row}/{column}' with letters and digits only, found \"\(text)\"")
                }
            }
            let row = well["rowIndex"].flatMap { check.integer($0, itemPointer.appending("rowIndex"), "'rowIndex'", minimum: 0)?.intValue }
            let column = well["columnIndex"].flatMap { check.integer($0, itemPointer.appending("columnIndex"), "'columnIndex'", minimum: 0)?.intValue }
            if let row, let rows, row >= rows.count {
                check.error(.invalidWellReference, itemPointer.appending("rowIndex"), "'rowIndex' \(row) points past the \(rows.count) rows")
            }
            if let column, let columns, column >= columns.count {
                check.error(.invalidWellReference, itemPointer.appending("columnIndex"), "'columnIndex' \(column) points past the \(columns.count) columns")
            }
            if let path, let row, let column, let rows, let columns, row < rows.count, column < columns.count,
               let rowName = rows[row], let columnName = columns[column], path != "\(rowName)/\(columnName)" {
                // 0.5 enforces it (its suite rejects a column-first path); the 0.4 suite accepts one.
                let message = "the well path must be '{row name}/{column name}' = \"\(rowName)/\(columnName)\" for rowIndex \(row) and columnIndex \(column), found \"\(path)\""
                if version == .v05 { check.error(.invalidWellReference, itemPointer.appending("path"), message) } else { check.warning(.invalidWellReference, itemPointer.appending("path"), message) }
            }
        }
    }

    /// `rows` or `columns`: a non-empty unique list of `{name}` with alphanumeric names; returns
    /// the names (`nil` for a malformed entry) when the value is a list.
    private func namedList(_ value: JSONValue?, _ pointer: JSONPointer, _ what: String, _ check: inout SchemaCheck) -> [String?]? {
        guard let value, let items = check.array(value, pointer, what, minItems: 1, unique: true) else { return nil }
        return items.enumerated().map { index, item in
            let here = pointer.appending(index: index)
            guard let object = check.object(item, here, "an entry of \(what)") else { return nil }
            check.require(["name"], in: object, here, "the entry")
            return object["name"].flatMap { check.string($0, here.appending("name"), "the name", alphanumeric: true) }
        }
    }

    /// `well.schema` / `strict_well.schema`: `images` (required), each with an alphanumeric
    /// `path` and an integer `acquisition`; strict 0.4 requires `version`.
    func validateWellDocument(_ root: JSONObject, _ check: inout SchemaCheck) {
        guard let (metadata, pointer) = metadataObject(root, &check, requiredKeys: ["well"]) else { return }
        guard let value = metadata["well"] else { return }
        let here = pointer.appending("well")
        guard let well = check.object(value, here, "'well'") else { return }
        check.require(["images"], in: well, here, "'well'")
        checkVersionMember(well, here, "'well'", required: strict, &check)
        guard let images = well["images"], let list = check.array(images, here.appending("images"), "'images'", minItems: 1, unique: true) else { return }
        for (index, item) in list.enumerated() {
            let itemPointer = here.appending("images").appending(index: index)
            guard let image = check.object(item, itemPointer, "a field of view") else { continue }
            check.require(["path"], in: image, itemPointer, "the field of view")
            if let path = image["path"] { check.string(path, itemPointer.appending("path"), "the field's 'path'", alphanumeric: true) }
            if let acquisition = image["acquisition"] { check.integer(acquisition, itemPointer.appending("acquisition"), "'acquisition'") }
        }
    }

    /// `bf2raw.schema`: `bioformats2raw.layout` is the number 3 (required in 0.5).
    func validateBioformats2RawDocument(_ root: JSONObject, _ check: inout SchemaCheck) {
        guard let (metadata, pointer) = metadataObject(root, &check, requiredKeys: ["bioformats2raw.layout"]) else { return }
        guard let value = metadata["bioformats2raw.layout"] else { return }
        let here = pointer.appending("bioformats2raw.layout")
        if let number = check.number(value, here, "'bioformats2raw.layout'"), number != JSONNumber(3) {
            check.error(.invalidValue, here, "'bioformats2raw.layout' must be 3, found \(number.literal)")
        }
    }

    /// `ome.schema`: `series`, a list of image paths as strings (required in 0.5).
    func validateSeriesDocument(_ root: JSONObject, _ check: inout SchemaCheck) {
        guard let (metadata, pointer) = metadataObject(root, &check, requiredKeys: ["series"]) else { return }
        guard let value = metadata["series"], let list = check.array(value, pointer.appending("series"), "'series'") else { return }
        for (index, item) in list.enumerated() { check.string(item, pointer.appending("series").appending(index: index), "a series path") }
    }
}
