import MIFACore

/// The data of a `.npy` being written by ``NPYFile/write(to:dataType:shape:durable:writing:)``:
/// blocks written at their offsets in the data, from any number of threads at once.
public struct NPYDataWriter: Sendable {
    /// The whole file, header included.
    let file: PositionalFileWriter
    /// Where the data starts in the file (the header's size).
    let dataOffset: Int

    /// Bytes of the data.
    public var count: Int { file.size - dataOffset }

    /// Writes `bytes` at byte `offset` of the data.
    /// - Throws: ``RasterIOError`` `.io` naming the file.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        precondition(offset >= 0, "a block before the data")
        try RasterIOError.translatingIO(file.path) { try file.write(bytes, at: dataOffset + offset) }
    }
}
