extension RLE {
    /// COCO's compressed counts string (pycocotools `rleToString`).
    ///
    /// Each count (from the fourth on, its difference to the count two before) is cut into 5-bit
    /// groups, least significant first; bit `0x20` marks "more groups follow" and, on the last group,
    /// bit `0x10` is the sign; each group is written as the character `group + 48`.
    /// Example: `[5, 2, 2, 2, 2, 2, 5]` is `"5220003"`.
    public var compressedCounts: String {
        String(decoding: compressedCountBytes, as: UTF8.self)
    }

    /// ``compressedCounts`` as ASCII bytes.
    public var compressedCountBytes: [UInt8] {
        // A 32-bit count (or difference) takes at most 7 characters.
        counts.withUnsafeBufferPointer { source in
            [UInt8](unsafeUninitializedCapacity: source.count * 7 + 1) { buffer, written in
                var p = 0
                for i in 0..<source.count {
                    var x = Int64(source[i])
                    if i > 2 { x -= Int64(source[i - 2]) }
                    var more = true
                    while more {
                        var c = UInt8(truncatingIfNeeded: x & 0x1f)
                        x >>= 5
                        more = (c & 0x10) != 0 ? x != -1 : x != 0
                        if more { c |= 0x20 }
                        buffer[p] = c &+ 48
                        p += 1
                    }
                }
                written = p
            }
        }
    }

    /// Decodes COCO's compressed counts string (pycocotools `rleFrString`).
    ///
    /// - Parameters:
    ///   - compressed: the `counts` string of a COCO RLE.
    ///   - height: the mask's rows (`size[0]`).
    ///   - width: the mask's columns (`size[1]`).
    /// - Throws: ``AnnotationError`` `.invalidRLE` when a character is outside `0`...`o` (48...111),
    ///   the string ends inside a value, a value needs more than 35 bits, a count comes out negative or
    ///   above 2³²−1, or the counts do not add up to `height * width`. The message gives the
    ///   character position. (pycocotools reads such strings without complaint and returns garbage.)
    public init(compressed: some Collection<UInt8>, height: Int, width: Int) throws {
        let bytes = Array(compressed)
        self = try bytes.withUnsafeBufferPointer { try RLE(compressedBuffer: $0, height: height, width: width) }
    }

    /// Decodes a compressed counts string held in a buffer (the concrete, fast path).
    init(compressedBuffer compressed: UnsafeBufferPointer<UInt8>, height: Int, width: Int) throws {
        try RLE.checkSize(height: height, width: width)
        var counts: [UInt32] = []
        counts.reserveCapacity(compressed.count / 2 + 1)
        var total: UInt64 = 0
        var position = 0
        var index = 0
        let end = compressed.count
        while index != end {
            var x: Int64 = 0
            var k: Int64 = 0
            var more = true
            let valueStart = position
            while more {
                guard index != end else {
                    throw AnnotationError(.invalidRLE, "the counts string ends inside the value that starts at character \(valueStart); its last character has the 'more follows' bit (0x20) set")
                }
                let byte = compressed[index]
                guard byte >= 48, byte <= 111 else {
                    throw AnnotationError(.invalidRLE, "character \(position) of the counts string is \(RLE.describe(byte)); COCO counts use only the characters '0' to 'o' (ASCII 48 to 111)")
                }
                guard k < 7 else {
                    throw AnnotationError(.invalidRLE, "the value that starts at character \(valueStart) of the counts string has more than 7 groups; a COCO count fits in 35 bits")
                }
                let c = Int64(byte - 48)
                x |= (c & 0x1f) << (5 * k)
                more = (c & 0x20) != 0
                index += 1
                position += 1
                k += 1
                if !more && (c & 0x10) != 0 { x |= -1 << (5 * k) }
            }
            if counts.count > 2 { x += Int64(counts[counts.count - 2]) }
            guard x >= 0, x <= Int64(UInt32.max) else {
                throw AnnotationError(.invalidRLE, "count \(counts.count) (the value that starts at character \(valueStart)) decodes to \(x), outside 0...\(UInt32.max); the string is damaged")
            }
            counts.append(UInt32(x))
            total += UInt64(x)
        }
        guard total == UInt64(height * width) else {
            throw AnnotationError(.invalidRLE, "the counts string decodes to \(counts.count) runs covering \(total) pixels, but size [\(height), \(width)] has \(height * width); the size or the string is wrong")
        }
        self.init(unchecked: height, width: width, counts: counts)
    }

    /// Decodes a compressed counts string given as text.
    /// - Throws: ``AnnotationError`` `.invalidRLE`, as ``init(compressed:height:width:)``.
    public init(compressed: String, height: Int, width: Int) throws {
        var text = compressed
        self = try text.withUTF8 { try RLE(compressedBuffer: $0, height: height, width: width) }
    }

    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}
