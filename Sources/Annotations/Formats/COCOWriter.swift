import MIFACore

/// Options for writing COCO.
public struct COCOWriteOptions: Sendable, Hashable {
    /// How object masks are written.
    public enum Masks: String, Sendable, Hashable, CaseIterable {
        /// Polygons (traced pixel edges, exact under pycocotools' rasterisation) unless the object has
        /// holes, which COCO polygons cannot hold, or is a crowd region; then compressed RLE.
        case polygons
        /// Compressed RLE.
        case rle
    }

    /// How object masks are written.
    public var masks: Masks

    /// Options; masks as RLE by default.
    public init(masks: Masks = .rle) {
        self.masks = masks
    }
}

/// Writes COCO instance annotation files (https://cocodataset.org/#format-data).
///
/// Images, categories and annotations get integer ids (string ids are mapped to integers and kept
/// under `mifa_id`). Masks are written as compressed RLE, or on request as polygons where that is
/// exact (RLE for objects with holes and crowd regions); `area` and `bbox` are computed as pycocotools computes them unless the
/// annotation carries the values it was read with. One image, annotation or category per line.
public enum COCOWriter {
    /// The COCO JSON bytes of a document.
    /// - Throws: ``AnnotationError`` `.unsupported` for content COCO cannot hold (points, lines,
    ///   graphs — list them first with ``Converter/losses(of:to:options:)``), `.invalidArgument` when an
    ///   image size needed for an RLE is unknown.
    public static func encode(_ document: AnnotationDocument, options: COCOWriteOptions = COCOWriteOptions()) throws -> [UInt8] {
        var ids = COCOIdentifiers(document)
        var writer = JSONWriter(capacity: 1 << 20)
        writer.beginObject()
        for key in ["info", "licenses"] {
            if let value = document.properties[key] {
                writer.key(key)
                writer.value(value)
            }
        }
        writer.key("images")
        writer.beginArray()
        for image in ids.images {
            writer.newline()
            writer.beginObject()
            writer.key("id")
            writer.int(ids.image(image.id))
            if let fileName = image.fileName {
                writer.key("file_name")
                writer.string(fileName)
            }
            if let width = image.width, let height = image.height {
                writer.key("width")
                writer.int(Int64(width))
                writer.key("height")
                writer.int(Int64(height))
            }
            var skipped = ["id", "file_name", "width", "height"]
            if case .string = image.id, image.id.intValue == nil {
                writer.key("mifa_id")
                writer.string(image.id.description)
                skipped.append("mifa_id")
            }
            writer.members(of: image.properties, skipping: skipped)
            writer.endObject()
        }
        writer.endArray()
        writer.newline()
        writer.key("annotations")
        writer.beginArray()
        for (index, annotation) in document.annotations.enumerated() {
            writer.newline()
            try writeAnnotation(annotation, index: index, document: document, ids: &ids, options: options, into: &writer)
        }
        writer.endArray()
        writer.newline()
        writer.key("categories")
        writer.beginArray()
        for category in ids.categories {
            writer.newline()
            writer.beginObject()
            writer.key("id")
            writer.int(ids.category(category.id))
            writer.key("name")
            writer.string(category.name)
            if let supercategory = category.supercategory {
                writer.key("supercategory")
                writer.string(supercategory)
            }
            if let color = category.color {
                writer.key("color")
                writer.beginArray()
                for component in color { writer.int(Int64(component)) }
                writer.endArray()
            }
            writer.members(of: category.properties, skipping: ["id", "name", "supercategory", "color"])
            writer.endObject()
        }
        writer.endArray()
        if let tracking = document.tracking, !tracking.tracks.isEmpty {
            writer.newline()
            writer.key("mifa:tracks")
            writer.value(tracking.jsonValue)
        }
        for member in document.properties.members where !["info", "licenses", "images", "annotations", "categories", "mifa:tracks"].contains(member.key) {
            writer.newline()
            writer.key(member.key)
            writer.value(member.value)
        }
        writer.endObject()
        writer.newline()
        return writer.bytes
    }

    /// Writes a document as a COCO file, atomically.
    /// - Throws: ``AnnotationError`` as ``encode(_:options:)``, `.io` when the file cannot be written.
    public static func write(_ document: AnnotationDocument, to path: String, options: COCOWriteOptions = COCOWriteOptions()) throws {
        try FileBytes.write(encode(document, options: options), to: path)
    }

    private static func writeAnnotation(
        _ annotation: Annotation, index: Int, document: AnnotationDocument, ids: inout COCOIdentifiers, options: COCOWriteOptions,
        into writer: inout JSONWriter
    ) throws {
        let image = ids.imageReference(for: annotation)
        let place = ErrorContext(key: annotation.id.map { "annotation \($0)" } ?? "annotation #\(index)")
        let size = image?.size
        writer.beginObject()
        writer.key("id")
        writer.int(ids.annotation(annotation.id, index: index))
        writer.key("image_id")
        writer.int(ids.image(image?.id ?? ids.images[0].id))
        writer.key("category_id")
        writer.int(ids.category(annotation.categoryID ?? COCOIdentifiers.defaultCategory.id))
        var area: Double?
        var box: BoundingBox?
        switch annotation.value {
        case .mask(let rle):
            area = Double(rle.area)
            box = rle.boundingBox
            writer.key("segmentation")
            let polygons = options.masks == .polygons && !annotation.isCrowd ? PixelEdgeTracer.trace(rle) : nil
            if let polygons, !polygons.hasHoles, !polygons.polygons.isEmpty {
                writePolygons(polygons.polygons, into: &writer)
            } else {
                writeRLE(rle, into: &writer)
            }
        case .geometry(let geometry):
            let polygons = geometry.polygons
            guard !polygons.isEmpty else {
                throw AnnotationError(.unsupported, "COCO instances hold areas, boxes and masks, not a \(annotation.value.kindName); convert points with --to napari-points-csv or allow the loss", context: place)
            }
            if polygons.contains(where: { !$0.holes.isEmpty }) || annotation.isCrowd {
                guard let (height, width) = size else {
                    throw AnnotationError(.invalidArgument, "a polygon with holes goes into COCO as an RLE, which needs the image size; give --image WIDTHxHEIGHT", context: place)
                }
                let rle = try RLE(spans: try AnnotationValue.spans(of: polygons, height: height, width: width, rule: document.rasterization))
                area = Double(rle.area)
                box = rle.boundingBox
                writer.key("segmentation")
                writeRLE(rle, into: &writer)
            } else {
                writer.key("segmentation")
                writePolygons(polygons, into: &writer)
                box = geometry.boundingBox
                if let (height, width) = size {
                    area = Double(try RLE.merge(polygons.map { try RLE(polygon: $0.exterior.flat, height: height, width: width) }).area)
                } else {
                    area = geometry.area
                }
            }
        case .box(let value):
            box = value
            area = value.width * value.height
        case .classLabel, .count, .graph, .derived, .probabilityMap:
            throw AnnotationError(.unsupported, "COCO instances hold areas, boxes and masks, not a \(annotation.value.kindName)", context: place)
        }
        writer.key("area")
        if let stored = annotation.properties["area"] { writer.value(stored) } else { writer.double(area ?? 0) }
        writer.key("bbox")
        if let stored = annotation.properties["bbox"] {
            writer.value(stored)
        } else if let box {
            writer.doubles(box.cocoArray)
        } else {
            writer.doubles([0, 0, 0, 0])
        }
        writer.key("iscrowd")
        writer.int(annotation.isCrowd ? 1 : 0)
        if let confidence = annotation.confidence {
            writer.key("score")
            writer.double(confidence)
        }
        if let trackID = annotation.trackID {
            writer.key("track_id")
            writer.int(trackID)
        }
        if let frame = annotation.frame {
            writer.key("frame")
            writer.int(Int64(frame))
        }
        if annotation.isWeak {
            writer.key("weak")
            writer.bool(true)
        }
        var skipped = ["id", "image_id", "category_id", "segmentation", "area", "bbox", "iscrowd", "score", "track_id", "frame", "weak"]
        if case .string = annotation.id, annotation.id?.intValue == nil {
            writer.key("mifa_id")
            writer.string(annotation.id?.description ?? "")
            skipped.append("mifa_id")
        }
        writer.members(of: annotation.properties, skipping: skipped)
        writer.endObject()
    }

    static func writePolygons(_ polygons: [Polygon], into writer: inout JSONWriter) {
        writer.beginArray()
        for polygon in polygons { writer.doubles(polygon.exterior.flat) }
        writer.endArray()
    }

    static func writeRLE(_ rle: RLE, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("size")
        writer.beginArray()
        writer.int(Int64(rle.height))
        writer.int(Int64(rle.width))
        writer.endArray()
        writer.key("counts")
        writer.string(rle.compressedCounts)
        writer.endObject()
    }
}
