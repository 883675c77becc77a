/// How the elements of an ``NDArray`` are laid out in its storage.
public enum MemoryOrder: String, Sendable, Hashable, Codable {
    /// Last axis varies fastest (C order, NumPy and Zarr default).
    case rowMajor = "C"
    /// First axis varies fastest (Fortran order).
    case columnMajor = "F"

    /// Element strides of a dense array of `shape` in this order: the one stride helper every
    /// module uses (an axis of extent 0 counts as 1, so strides stay positive).
    public func strides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        let axes = self == .rowMajor ? Array(shape.indices.reversed()) : Array(shape.indices)
        for axis in axes {
            strides[axis] = step
            step *= Swift.max(shape[axis], 1)
        }
        return strides
    }
}

/// An N-dimensional array of `Element`s in one contiguous buffer.
///
/// The layout is row-major unless asked otherwise. `NDArray` is a value type with copy-on-write
/// storage, so it can be passed between threads and mutated locally without surprises.
/// Regions of one array are copied into another with ``copy(from:region:to:)``; whole sub-arrays are
/// cut with ``copy(region:)``.
public struct NDArray<Element: NDArrayElement>: Sendable {
    /// Extent per axis.
    public let shape: [Int]
    /// Layout of ``elements``.
    public let order: MemoryOrder
    /// Distance in elements between neighbours along each axis.
    public let strides: [Int]
    /// The elements in ``order``.
    public var elements: ContiguousArray<Element>

    /// An array of the given shape with every element set to `value`.
    ///
    /// - Precondition: every extent is non-negative and the element count fits in `Int`; check
    ///   untrusted shapes first with ``elementCount(of:)``.
    public init(shape: [Int], repeating value: Element = .zero, order: MemoryOrder = .rowMajor) {
        let count: Int
        do { count = try Self.elementCount(of: shape) } catch { preconditionFailure("\(error)") }
        self.shape = shape
        self.order = order
        self.strides = order.strides(for: shape)
        // An empty array is the shared empty storage, whose count must not be written (from two
        // threads at once, that write is a data race).
        self.elements = count == 0 ? [] : ContiguousArray(unsafeUninitializedCapacity: count) { buffer, initialized in
            Self.fill(UnsafeMutableRawBufferPointer(buffer), with: value)
            initialized = count
        }
    }

    /// Sets every element of a dense raw buffer to `value` with byte copies (`memset` for zero
    /// bytes, doubling `memcpy` otherwise): this code is generic and not specialised in client
    /// modules, where an element-by-element loop would go through value witnesses for each element.
    static func fill(_ buffer: UnsafeMutableRawBufferPointer, with value: Element) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        let size = MemoryLayout<Element>.stride
        let isZero = Swift.withUnsafeBytes(of: value) { $0.allSatisfy { $0 == 0 } }
        if isZero {
            base.initializeMemory(as: UInt8.self, repeating: 0, count: buffer.count)
            return
        }
        Swift.withUnsafeBytes(of: value) { base.copyMemory(from: $0.baseAddress!, byteCount: size) }
        var done = size
        while done < buffer.count {
            let step = Swift.min(done, buffer.count - done)
            (base + done).copyMemory(from: base, byteCount: step)
            done += step
        }
    }

    /// An array that takes its elements, in `order`, from a collection.
    ///
    /// - Throws: ``CoreError`` `.shapeMismatch` when the count differs from the shape's element count.
    public init(shape: [Int], elements: some Collection<Element>, order: MemoryOrder = .rowMajor) throws {
        let count = try Self.elementCount(of: shape)
        guard elements.count == count else {
            throw CoreError(.shapeMismatch, "\(elements.count) elements given for shape \(shape), which holds \(count)",
                            context: ErrorContext(shape: shape))
        }
        self.shape = shape
        self.order = order
        self.strides = order.strides(for: shape)
        self.elements = ContiguousArray(elements)
    }

    /// An array of the given shape whose elements `initializer` writes, without a filling pass
    /// first (in the style of `Array(unsafeUninitializedCapacity:initializingWith:)`).
    ///
    /// Use it when every element is about to be overwritten anyway, e.g. by a decoder: filling a
    /// large array first costs a full pass over memory. The buffer holds
    /// ``elementCount(of:)`` elements in `order`; its memory is not initialised.
    ///
    /// - Precondition: `initializer` writes every element before it returns (elements are
    ///   `BitwiseCopyable`, so nothing needs deinitialising, but an element that was never written
    ///   has no defined value). It must not replace the buffer.
    /// - Throws: ``CoreError`` `.shapeMismatch` for a negative extent or an element count that
    ///   overflows (before anything is allocated); whatever `initializer` throws.
    public init(unsafeUninitializedShape shape: [Int], order: MemoryOrder = .rowMajor,
                initializingWith initializer: (inout UnsafeMutableBufferPointer<Element>) throws -> Void) throws {
        let count = try Self.elementCount(of: shape)
        guard count > 0 else {  // the shared empty storage: see init(shape:repeating:order:)
            var empty = UnsafeMutableBufferPointer<Element>(start: nil, count: 0)
            try initializer(&empty)
            self.init(unchecked: shape, order: order, elements: [])
            return
        }
        let elements = try ContiguousArray<Element>(unsafeUninitializedCapacity: count) { buffer, initialized in
            try initializer(&buffer)
            initialized = count
        }
        self.init(unchecked: shape, order: order, elements: elements)
    }

    /// Number of axes.
    public var rank: Int { shape.count }

    /// Number of elements.
    public var count: Int { elements.count }

    /// The element count of a shape, checked for negative extents and overflow.
    ///
    /// Readers call this on shapes that come from file headers before allocating anything.
    /// - Throws: ``CoreError`` `.shapeMismatch` for a negative extent or a count that overflows.
    public static func elementCount(of shape: [Int]) throws -> Int {
        var count = 1
        for extent in shape {
            guard extent >= 0 else {
                throw CoreError(.shapeMismatch, "shape \(shape) has a negative extent", context: ErrorContext(shape: shape))
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw CoreError(.shapeMismatch, "shape \(shape) has more elements than can be addressed", context: ErrorContext(shape: shape))
            }
            count = product
        }
        return count
    }


    /// Position in ``elements`` of the element at a multi-index.
    @inlinable
    public func linearIndex(_ index: [Int]) -> Int {
        precondition(index.count == rank, "index rank \(index.count) does not match array rank \(rank)")
        var offset = 0
        for axis in 0..<rank {
            precondition(index[axis] >= 0 && index[axis] < shape[axis], "index \(index) is outside shape \(shape)")
            offset += index[axis] * strides[axis]
        }
        return offset
    }

    /// The element at a multi-index.
    public subscript(_ index: [Int]) -> Element {
        get { elements[linearIndex(index)] }
        set { elements[linearIndex(index)] = newValue }
    }

    /// The element at a multi-index written as separate arguments, e.g. `array[y, x]`.
    public subscript(_ index: Int...) -> Element {
        get { self[index] }
        set { self[index] = newValue }
    }

    /// The same array with the same shape and values in a different memory order.
    public func reordered(_ newOrder: MemoryOrder) -> NDArray {
        guard newOrder != order, rank > 1 else {
            return NDArray(unchecked: shape, order: newOrder, elements: elements)
        }
        var result = NDArray(shape: shape, repeating: .zero, order: newOrder)
        result.copyUnchecked(from: self, region: Region(shape: shape), to: [Int](repeating: 0, count: rank))
        return result
    }

    /// Builds an array whose elements are already known to match shape and order.
    init(unchecked shape: [Int], order: MemoryOrder, elements: ContiguousArray<Element>) {
        self.shape = shape
        self.order = order
        self.strides = order.strides(for: shape)
        self.elements = elements
    }
}

extension NDArray: Equatable {
    /// Arrays are equal when their shapes and the values at every index are equal, whatever their order.
    public static func == (lhs: NDArray, rhs: NDArray) -> Bool {
        guard lhs.shape == rhs.shape else { return false }
        if lhs.order == rhs.order || lhs.rank <= 1 { return lhs.elements == rhs.elements }
        return lhs.elements == rhs.reordered(lhs.order).elements
    }
}
