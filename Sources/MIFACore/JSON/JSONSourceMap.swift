/// A place in a text file: 1-based line and column (columns count Unicode scalars).
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column, in Unicode scalars from the start of the line.
    public var column: Int

    /// A position from its line and column.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }

    /// Orders by line, then column.
    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// Where each value of a parsed document starts in its text: JSON pointer -> line and column.
///
/// Filled by ``JSONParser`` when asked to record positions, and by the YAML reader of `MIFAModel`.
/// Used to add a line number to problems that are found later, by pointer.
public struct JSONSourceMap: Sendable, Hashable {
    private var positions: [JSONPointer: SourcePosition] = [:]

    /// An empty map.
    public init() {}

    /// Records where the value at `pointer` starts (the first record for a pointer wins).
    public mutating func record(_ pointer: JSONPointer, _ position: SourcePosition) {
        if positions[pointer] == nil { positions[pointer] = position }
    }

    /// The number of recorded values.
    public var count: Int { positions.count }

    /// Where the value at `pointer` starts, if recorded.
    public func position(of pointer: JSONPointer) -> SourcePosition? {
        positions[pointer]
    }

    /// Where the value at `pointer` starts or, when it is absent from the document (a missing
    /// member), where its nearest enclosing value starts.
    public func nearestPosition(of pointer: JSONPointer) -> SourcePosition? {
        var current: JSONPointer? = pointer
        while let candidate = current {
            if let position = positions[candidate] { return position }
            current = candidate.parent
        }
        return nil
    }
}
