import MIFACore

/// One object in a store (a `.zip` on an HTTP server or in an S3 bucket) read as a file, through
/// ranged reads (``ZarrStore/get(_:range:)``), so that a zip file is read in place.
///
/// Opening costs one suffix read of ``tailLength`` bytes: the zip's end record, its zip64 locator
/// and record, and usually its whole central directory. Reads inside that tail are answered from
/// it; every other read is one ranged read. No `HEAD` is sent: the object's size is what the
/// suffix read returned when the object is shorter than asked (the whole object is then in hand and
/// no further request is made), and otherwise it is derived from the zip's end, where the end record
/// sits right after the central directory (``ZipArchive/tailStart(of:)``). A zip whose end lies
/// about where it is gets a wrong size: reads that then fall short are refused like a truncated
/// file, and reads stay bounded by the archive's limits.
///
/// A server that ignores `Range` and answers the suffix read with the whole object
/// (``ZarrStore/rangesIgnored``, which a wrapped store answers for the store it wraps) would send
/// the whole zip again for every entry: such an object is refused unless it came whole with that
/// first answer (at most ``tailLength`` bytes), and so is every later read answered whole.
final class StoreObjectSource: ByteSource {
    /// The object's URL (store location and key), for messages.
    let name: String
    /// The object's size.
    let size: Int
    /// `true`: every read outside the tail is a request.
    var isRemote: Bool { true }
    private let store: any ZarrStore
    private let key: StoreKey
    /// The last bytes of the object, read when it was opened, and where they start.
    private let tail: [UInt8]
    private let tailStart: Int

    /// The first read: the longest zip comment (65535 bytes) and the end record (22 bytes).
    static let tailLength = 22 + 65_535

    /// Opens `key` in `store` by reading its last ``tailLength`` bytes.
    /// - Throws: ``ZarrError`` `.notFound` when there is no such object; `.storeFailure` when the
    ///   server ignores byte ranges for an object larger than the tail, or the object's end is not a
    ///   zip's; what the store throws.
    init(store: any ZarrStore, key: StoreKey) throws {
        let location = store.location.hasSuffix("/") ? store.location : store.location + "/"
        let name = location + key.value
        guard let tail = try store.get(key, range: .suffix(length: Self.tailLength)) else {
            throw ZarrError(.notFound, "there is no zip file at '\(name)'; check the URL", context: ErrorContext(file: name))
        }
        let start: Int
        if tail.count < Self.tailLength {
            start = 0
        } else {
            try Self.refuseIgnoredRanges(store, name: name)
            start = try ZipArchive.tailStart(of: tail, name: name)
        }
        self.name = name
        self.store = store
        self.key = key
        self.tail = tail
        self.tailStart = start
        self.size = start + tail.count
    }

    /// Refuses a store that has answered a range request with a whole value (see ``ZarrStore/rangesIgnored``).
    /// - Throws: ``ZarrError`` `.storeFailure` saying to download the file.
    private static func refuseIgnoredRanges(_ store: any ZarrStore, name: String) throws {
        guard store.rangesIgnored else { return }
        throw ZarrError(.storeFailure, "the server does not honour byte ranges (it answered a range request for '\(name)' with the whole file), so a .zip cannot be read in place there; download it and open the local file, or serve it from a server that supports Range requests",
                        context: ErrorContext(file: name))
    }

    /// Exactly `count` bytes at `offset`: from the tail when it holds them, else one ranged read.
    /// - Throws: ``ZarrError`` `.storeFailure` when the range is outside the object or the store
    ///   returns fewer bytes (the object changed or is shorter than its end claims); what the store throws.
    func read(at offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw ZarrError(.storeFailure, "bytes \(offset)..<\(offset + count) are outside the \(size)-byte file '\(name)'",
                            context: ErrorContext(file: name, offset: offset))
        }
        if offset >= tailStart { return Array(tail[(offset - tailStart)..<(offset - tailStart + count)]) }
        guard count > 0 else { return [] }
        guard let bytes = try store.get(key, range: .range(offset: offset, length: count)) else {
            throw ZarrError(.storeFailure, "'\(name)' disappeared while it was read; open it again", context: ErrorContext(file: name, offset: offset))
        }
        try Self.refuseIgnoredRanges(store, name: name)
        guard bytes.count == count else {
            throw ZarrError(.storeFailure, "'\(name)' ended after \(offset + bytes.count) bytes while reading \(count) bytes at byte \(offset); the file is truncated or changed while it was read",
                            context: ErrorContext(file: name, offset: offset + bytes.count))
        }
        return bytes
    }
}
