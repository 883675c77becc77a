import CPrefetch

/// The only place that calls the prefetch hint of `CPrefetch`.
///
/// Large copies into a destination that is not in the cache, whose rows lie far apart (a chunk of
/// 256 columns of a 4096-wide uint16 image writes 512 bytes every 8 KiB), wait for every
/// destination line to be read in before it can be written: the hardware prefetchers do not
/// follow a stride that jumps to a new page each row. Asking for the lines of a row a few rows
/// ahead overlaps those reads with the copying (7% less CPU time on a full blosc read).
public enum CacheHints {
    /// Cache lines are assumed to be this long; a longer line only makes some hints redundant.
    public static let lineSize = 64

    /// Asks for every cache line of `byteCount` bytes from `start` to be brought in for writing.
    @inline(__always)
    public static func prefetchForWriting(_ start: UnsafeRawPointer, byteCount: Int) {
        var offset = 0
        while offset < byteCount {
            mifa_prefetch_for_writing(start + offset)
            offset += lineSize
        }
    }
}
