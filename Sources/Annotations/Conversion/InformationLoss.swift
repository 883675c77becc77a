/// Something a conversion cannot carry into the target format.
public struct InformationLoss: Sendable, Hashable, CustomStringConvertible {
    /// What is lost.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Shapes become simpler (polygons to boxes or points, holes dropped, ellipses approximated).
        case shape
        /// Objects are dropped or merged (overlaps in a mask, points in a mask, instances in a
        /// semantic mask).
        case objects
        /// Classes are dropped (several categories into an instance mask).
        case classes
        /// Track links are dropped.
        case tracks
        /// Per-object properties, names or scores are dropped.
        case attributes
    }

    /// What is lost.
    public var kind: Kind
    /// How many annotations (or pixels, as the message says) it concerns.
    public var count: Int
    /// What is lost and why, in words.
    public var message: String

    /// A loss.
    public init(_ kind: Kind, count: Int, _ message: String) {
        self.kind = kind
        self.count = count
        self.message = message
    }

    /// Whether the conversion is refused for it unless lossy conversion is allowed. Dropped
    /// attributes only warn: the objects and their shapes arrive intact.
    public var refusesConversion: Bool { kind != .attributes }

    /// `kind: message`.
    public var description: String { "\(kind.rawValue): \(message)" }
}

/// A simplification asked for explicitly (`mifa convert --reduce`), which counts as consent to the
/// shape loss it implies.
public enum Reduction: String, Sendable, Hashable, CaseIterable {
    /// Every object becomes its bounding box.
    case boxes
    /// Every object becomes its centre point.
    case points
    /// The objects of each image are counted per category.
    case counts
}
