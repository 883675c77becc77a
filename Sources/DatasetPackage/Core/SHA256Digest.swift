internal import Crypto

/// A SHA-256 digest, written as 64 lowercase hexadecimal digits.
///
/// This file is the only place that calls swift-crypto.
public struct SHA256Digest: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The 32 bytes of the digest.
    public let bytes: [UInt8]

    /// A digest from its 32 bytes.
    /// - Precondition: `bytes.count == 32`.
    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "a SHA-256 digest has 32 bytes")
        self.bytes = bytes
    }

    /// A digest from 64 hexadecimal digits (either case); `nil` for anything else.
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    /// The digest of some bytes.
    public init(of data: some Collection<UInt8>) {
        var hasher = SHA256Hasher()
        hasher.update(data)
        self = hasher.finalize()
    }

    /// The 64 lowercase hexadecimal digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The hexadecimal form.
    public var description: String { hex }

    /// Orders digests by their bytes.
    public static func < (lhs: SHA256Digest, rhs: SHA256Digest) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    /// Decodes the hexadecimal form.
    /// - Throws: `DecodingError.dataCorrupted` for anything but 64 hexadecimal digits.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let digest = SHA256Digest(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a SHA-256 digest of 64 hexadecimal digits, found '\(text)'")
        }
        self = digest
    }

    /// Encodes the hexadecimal form.
    /// - Throws: what the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        case 0x41...0x46: digit - 0x41 + 10
        default: nil
        }
    }
}

/// An incremental SHA-256 computation.
public struct SHA256Hasher {
    private var state = Crypto.SHA256()

    /// A hasher that has seen nothing yet.
    public init() {}

    /// Adds bytes.
    public mutating func update(_ data: some Collection<UInt8>) {
        if let done: Void = data.withContiguousStorageIfAvailable({ state.update(bufferPointer: UnsafeRawBufferPointer($0)) }) {
            return done
        }
        let copy = ContiguousArray(data)
        copy.withUnsafeBytes { state.update(bufferPointer: $0) }
    }

    /// Adds the bytes a raw buffer points at.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        state.update(bufferPointer: buffer)
    }

    /// The digest of everything added.
    public func finalize() -> SHA256Digest {
        SHA256Digest(bytes: Array(state.finalize()))
    }
}
