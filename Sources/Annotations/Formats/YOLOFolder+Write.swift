import Foundation
import MIFACore

extension YOLOFolder {
    /// Writes a YOLO folder: `labels/<image>.txt` for every image (empty for images without
    /// objects), `classes.txt` and a `data.yaml` with the names. Class indices follow the
    /// document's category order; annotations without a category get a class `object`.
    ///
    /// Boxes come from each annotation's box (a mask's pixel box); polygons from each areal part's
    /// outer ring (holes cannot be written). Coordinates are divided by the image size.
    /// - Returns: the files written.
    /// - Throws: ``AnnotationError`` `.invalidArgument` when an image size is unknown, `.io`.
    @discardableResult
    public static func write(_ document: AnnotationDocument, to folder: String, mode: Mode = .auto, imageSize: ImageSize? = nil) throws -> [String] {
        var categories = document.categories
        if document.annotations.contains(where: { $0.categoryID == nil }) { categories.append(COCOIdentifiers.defaultCategory) }
        let classIndex = Dictionary(categories.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        let segments = mode == .segments || (mode == .auto && document.annotations.contains { annotation in
            switch annotation.value {
            case .mask, .probabilityMap: return true
            case .geometry(let geometry): return geometry.isAreal && !isRectangle(geometry)
            default: return false
            }
        })
        var images = document.images
        if images.isEmpty { images = [ImageReference(id: .string("image"))] }
        let imageIndex = Dictionary(images.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var lines = [[String]](repeating: [], count: images.count)
        for annotation in document.annotations {
            let position = annotation.imageID.flatMap { imageIndex[$0] } ?? 0
            let image = images[position]
            let size: ImageSize
            if let width = image.width, let height = image.height {
                size = ImageSize(width: width, height: height)
            } else if case .mask(let rle) = annotation.value {
                size = ImageSize(width: rle.width, height: rle.height)
            } else if let imageSize {
                size = imageSize
            } else {
                throw AnnotationError(.invalidArgument, "YOLO coordinates are fractions of the image size, and the size of image \(image.id) is not known; give --image WIDTHxHEIGHT")
            }
            let (w, h) = (Double(size.width), Double(size.height))
            let classID = String(classIndex[annotation.categoryID ?? COCOIdentifiers.defaultCategory.id] ?? 0)
            if segments, let polygons = outerRings(of: annotation.value) {
                for ring in polygons {
                    let coordinates = ring.vertices.flatMap { [csvNumber($0.x / w), csvNumber($0.y / h)] }
                    lines[position].append(([classID] + coordinates).joined(separator: " "))
                }
            } else if let box = annotation.value.boundingBox {
                let values = [(box.x + box.width / 2) / w, (box.y + box.height / 2) / h, box.width / w, box.height / h]
                lines[position].append(([classID] + values.map(csvNumber)).joined(separator: " "))
            }
        }
        let labels = folder + "/labels"
        try MaskFiles.createFolder(labels)
        var written: [String] = []
        var used = Set<String>()
        for (position, image) in images.enumerated() {
            var name = image.stem.replacingOccurrences(of: "/", with: "_")
            while !used.insert(name).inserted { name += "_" }
            let path = labels + "/" + name + ".txt"
            try FileBytes.write(Array(lines[position].map { $0 + "\n" }.joined().utf8), to: path)
            written.append(path)
        }
        let names = categories.map(\.name)
        try FileBytes.write(Array(names.map { $0 + "\n" }.joined().utf8), to: folder + "/classes.txt")
        let yaml = "# Written by MIFAKit: class names in index order.\nnames:\n" + names.enumerated().map { "  \($0): \(yamlQuoted($1))\n" }.joined()
        try FileBytes.write(Array(yaml.utf8), to: folder + "/data.yaml")
        return written + [folder + "/classes.txt", folder + "/data.yaml"]
    }

    static func isRectangle(_ geometry: Geometry) -> Bool {
        if case .rectangle = geometry { return true }
        return false
    }

    /// The outer rings of a value's areal parts (masks traced).
    static func outerRings(of value: AnnotationValue) -> [Ring]? {
        switch value {
        case .mask(let rle): return PixelEdgeTracer.trace(rle).polygons.map(\.exterior)
        case .geometry(let geometry) where geometry.isAreal: return geometry.polygons.map(\.exterior)
        case .box(let box): return Geometry.rectangle(box).polygons.map(\.exterior)
        default: return nil
        }
    }

    static func yamlQuoted(_ name: String) -> String {
        "'" + name.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
