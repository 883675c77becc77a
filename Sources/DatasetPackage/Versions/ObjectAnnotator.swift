public import Annotations
import MIFACore
public import MIFAModel

/// The annotator of one object, where its source names one (per-object credit, issue 19).
///
/// The package keeps every object's source properties in its set's GeoJSON (digested in the
/// manifest like every file), and the annotator is read from them, in the first of these places
/// that holds a non-empty value:
/// - `annotator`: a column of a points or boxes CSV table, a GeoJSON Feature property or a COCO
///   annotation member;
/// - `attributes.annotator`: a CVAT attribute named `annotator` (CVAT's COCO export writes an
///   annotation's attributes, `occluded` and the label's own, in its `attributes` object);
/// - `metadata.annotator`: a key of QuPath's per-object metadata, which QuPath's GeoJSON export
///   writes as the string map `properties.metadata`. QuPath has no annotator field of its own (its
///   objects carry `objectType`, `classification`, `name`, `color`, `isLocked`, `measurements` and
///   `metadata`); a project names annotators with this key (`object.metadata["annotator"] = ...`).
///
/// The value is written as for `--annotator`: `First Last <ORCID>`, the ORCID iD optional
/// (``AnnotatorCredit/parseAnnotator(_:roles:)``). An empty value is none (CVAT writes unset text
/// attributes as ""). Places naming different people, a value that is not text and a bad ORCID
/// iD are errors. Objects without an annotator are credited to their set's annotators.
public enum ObjectAnnotator {
    /// The property paths read, in order.
    public static let places: [[String]] = [["annotator"], ["attributes", "annotator"], ["metadata", "annotator"]]

    /// The annotator `annotation` names, or `nil`.
    /// - Parameters:
    ///   - annotation: the object, with the properties its source carried.
    ///   - object: the object's name in messages (its id, or `#<index>`).
    ///   - file: the file it was read from, for messages.
    /// - Throws: ``PackageError`` `.malformed` naming the file, the object and the property for a
    ///   value that is not text, not a person, or disagrees with another place.
    public static func annotator(of annotation: Annotation, object: String, file: String) throws -> Author? {
        var found: (author: Author, place: String)?
        for path in places {
            var value: JSONValue? = annotation.properties[path[0]]
            for key in path.dropFirst() { value = value?[key] }
            guard let value, value != .null else { continue }
            let place = "properties." + path.joined(separator: ".")
            let context = ErrorContext(file: file, key: "object \(object) \(place)")
            guard let text = value.stringValue else {
                throw PackageError(.malformed, "the annotator of object \(object) (\(place)) is not text; write \"First Last <ORCID>\"", context: context)
            }
            guard !text.allSatisfy(\.isWhitespace) else { continue }
            let author: Author
            do {
                author = try AnnotatorCredit.parseAnnotator(text)
            } catch let error as PackageError {
                throw PackageError(.malformed, "object \(object), \(place): \(error.message)", context: context)
            }
            if let earlier = found {
                guard earlier.author.isSamePerson(as: author) else {
                    throw PackageError(.malformed, "object \(object) names two annotators: '\(AnnotatorCredit.display(earlier.author))' (\(earlier.place)) and '\(AnnotatorCredit.display(author))' (\(place))", context: context)
                }
            } else {
                found = (author, place)
            }
        }
        return found?.author
    }

    /// The annotators `document` names, by object name (id, else `#<index>`, as ``VectorSetComparison`` names objects).
    /// - Throws: the errors of ``annotator(of:object:file:)``.
    public static func annotators(of document: AnnotationDocument, file: String) throws -> [String: Author] {
        var result: [String: Author] = [:]
        for (index, annotation) in document.annotations.enumerated() {
            let name = annotation.id?.description ?? "#\(index)"
            if let author = try annotator(of: annotation, object: name, file: file) { result[name] = author }
        }
        return result
    }
}
