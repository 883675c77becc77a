public import MIFACore

extension RLE {
    /// Encodes a binary mask given as column-major bytes (pycocotools `rleEncode` on a Fortran-ordered
    /// `uint8` array), nonzero meaning foreground.
    ///
    /// pycocotools starts a new run at every change of byte value, so values other than 0 and 1 give
    /// different counts there; here every nonzero byte is foreground.
    /// - Throws: ``AnnotationError`` `.invalidRLE` when the buffer size is not `height * width` or the
    ///   size is too large for COCO.
    public init(columnMajor mask: UnsafeBufferPointer<UInt8>, height: Int, width: Int) throws {
        try RLE.checkSize(height: height, width: width)
        guard mask.count == height * width else {
            throw AnnotationError(.invalidArgument, "a \(height)×\(width) mask needs \(height * width) bytes, not \(mask.count)")
        }
        self.init(unchecked: height, width: width, counts: RLE.runs(of: mask))
    }

    /// Encodes a 2-D mask (`[height, width]`, any memory order); nonzero elements are foreground.
    /// - Throws: ``AnnotationError`` `.invalidArgument` when the array is not 2-D, `.invalidRLE`
    ///   when it has more pixels than COCO's 32-bit counts allow.
    public init<Element: NDArrayElement & Equatable>(mask: NDArray<Element>) throws {
        guard mask.rank == 2 else {
            throw AnnotationError(.invalidArgument, "a mask to run-length encode must be 2-D [height, width], not shape \(mask.shape)", context: ErrorContext(shape: mask.shape))
        }
        let (height, width) = (mask.shape[0], mask.shape[1])
        try RLE.checkSize(height: height, width: width)
        let columnMajor = mask.order == .columnMajor ? mask : mask.reordered(.columnMajor)
        if Element.self == UInt8.self {
            let counts = columnMajor.elements.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: UInt8.self) { RLE.runs(of: $0) }
            }
            self.init(unchecked: height, width: width, counts: counts)
            return
        }
        var counts: [UInt32] = []
        var previous = false
        var run: UInt32 = 0
        for element in columnMajor.elements {
            let value = element != Element.zero
            if value != previous {
                counts.append(run)
                run = 0
                previous = value
            }
            run += 1
        }
        counts.append(run)
        self.init(unchecked: height, width: width, counts: counts)
    }

    /// The runs of zero and nonzero bytes, starting with zeros; skips eight bytes at a time inside runs.
    static func runs(of mask: UnsafeBufferPointer<UInt8>) -> [UInt32] {
        var counts: [UInt32] = []
        counts.reserveCapacity(64)
        guard let base = mask.baseAddress, mask.count > 0 else { return [0] }
        let raw = UnsafeRawPointer(base)
        let n = mask.count
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = 0
        var runStart = 0
        var foreground = false
        while index < n {
            // Skip whole words that continue the current run.
            if foreground {
                while index + 8 <= n {
                    let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    if (word &- ones) & ~word & highs != 0 { break }  // contains a zero byte
                    index += 8
                }
                while index < n && base[index] != 0 { index += 1 }
            } else {
                while index + 8 <= n && raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) == 0 { index += 8 }
                while index < n && base[index] == 0 { index += 1 }
            }
            counts.append(UInt32(index - runStart))
            runStart = index
            foreground.toggle()
        }
        return counts
    }

    /// Decodes into `destination`, column-major, writing 0 and 1 (pycocotools `rleDecode`).
    /// - Precondition: `destination.count == height * width`.
    public func decode(intoColumnMajor destination: UnsafeMutableBufferPointer<UInt8>) {
        precondition(destination.count == pixelCount, "destination holds \(destination.count) bytes, the mask \(pixelCount)")
        guard let base = destination.baseAddress else { return }
        var offset = 0
        var value: UInt8 = 0
        for count in counts {
            let n = Int(count)
            (base + offset).update(repeating: value, count: n)
            offset += n
            value ^= 1
        }
    }

    /// The mask as a `[height, width]` array of 0 and 1 in column-major order, as pycocotools'
    /// `decode` returns it. Call `reordered(.rowMajor)` for C order.
    public func decode() -> NDArray<UInt8> {
        var elements = ContiguousArray<UInt8>(repeating: 0, count: pixelCount)
        elements.withUnsafeMutableBufferPointer { decode(intoColumnMajor: $0) }
        // The element count matches the shape by construction.
        return (try? NDArray(shape: [height, width], elements: elements, order: .columnMajor)) ?? NDArray(shape: [height, width], order: .columnMajor)
    }

    /// Calls `body` with each foreground run as `(start, length)` in column-major pixel indices.
    /// - Throws: whatever `body` throws.
    public func forEachForegroundRun(_ body: (_ start: Int, _ length: Int) throws -> Void) rethrows {
        var offset = 0
        for (index, count) in counts.enumerated() {
            if index % 2 == 1 && count > 0 { try body(offset, Int(count)) }
            offset += Int(count)
        }
    }
}
