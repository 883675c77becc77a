import MIFACore

/// One acquisition (run) of a plate.
public struct PlateAcquisition: Sendable, Hashable {
    /// Identifier, unique within the plate.
    public var id: Int
    /// Name.
    public var name: String?
    /// Most fields of view any well has in this acquisition.
    public var maximumFieldCount: Int?
}

/// One well of a plate: its path `row/column` and the indices of its row and column.
public struct PlateWell: Sendable, Hashable {
    /// The well group's path, `{row name}/{column name}`.
    public var path: String
    /// Index into ``Plate/rows``.
    public var rowIndex: Int
    /// Index into ``Plate/columns``.
    public var columnIndex: Int
}

/// The `plate` metadata of a high-content screening plate.
///
/// See https://ngff.openmicroscopy.org/0.4/#plate-md and https://ngff.openmicroscopy.org/0.5/#plate-md.
public struct Plate: Sendable, Hashable {
    /// The plate's name.
    public var name: String?
    /// Row names, in order.
    public var rows: [String]
    /// Column names, in order.
    public var columns: [String]
    /// The wells that exist.
    public var wells: [PlateWell]
    /// The acquisitions.
    public var acquisitions: [PlateAcquisition]
    /// Most fields of view of any well.
    public var fieldCount: Int?

    /// Reads the block (validated beforehand); entries with wrong types are left out.
    init(json: JSONValue) {
        name = json["name"]?.stringValue
        rows = json["rows"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        columns = json["columns"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        wells = json["wells"]?.arrayValue?.compactMap { item in
            guard let path = item["path"]?.stringValue, let row = item["rowIndex"]?.numberValue?.intValue,
                  let column = item["columnIndex"]?.numberValue?.intValue else { return nil }
            return PlateWell(path: path, rowIndex: row, columnIndex: column)
        } ?? []
        acquisitions = json["acquisitions"]?.arrayValue?.compactMap { item in
            guard let id = item["id"]?.numberValue?.intValue else { return nil }
            return PlateAcquisition(id: id, name: item["name"]?.stringValue, maximumFieldCount: item["maximumfieldcount"]?.numberValue?.intValue)
        } ?? []
        fieldCount = json["field_count"]?.numberValue?.intValue
    }
}

/// One field of view of a well.
public struct WellImage: Sendable, Hashable {
    /// The field's image group path inside the well, e.g. `0`.
    public var path: String
    /// The acquisition it belongs to.
    public var acquisition: Int?
}

/// The `well` metadata: the fields of view of one well.
///
/// See https://ngff.openmicroscopy.org/0.4/#well-md and https://ngff.openmicroscopy.org/0.5/#well-md.
public struct Well: Sendable, Hashable {
    /// The fields of view.
    public var images: [WellImage]

    /// Reads the block (validated beforehand); entries with wrong types are left out.
    init(json: JSONValue) {
        images = json["images"]?.arrayValue?.compactMap { item in
            guard let path = item["path"]?.stringValue else { return nil }
            return WellImage(path: path, acquisition: item["acquisition"]?.numberValue?.intValue)
        } ?? []
    }
}
