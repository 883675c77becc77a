/// The bytes of one file read at any offset, as a zip file is read in place: a local file
/// (``ReadOnlyFile``, one `pread` per read) or one object in a store (``StoreObjectSource``, one
/// ranged read per read).
protocol ByteSource: Sendable {
    /// The file's path or URL, for messages.
    var name: String { get }
    /// Size in bytes.
    var size: Int { get }
    /// Whether each read is a network request: a reader then asks for a little more in one read
    /// (an entry's local header and its data together) rather than making two.
    var isRemote: Bool { get }
    /// Exactly `count` bytes at `offset`.
    /// - Throws: ``ZarrError`` `.storeFailure` when the range is outside the file or the read fails
    ///   or falls short.
    func read(at offset: Int, count: Int) throws -> [UInt8]
}

extension ReadOnlyFile: ByteSource {
    /// The path.
    var name: String { path }
    /// `false`: reads are `pread`s.
    var isRemote: Bool { false }
}
