#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel to back a large, freshly allocated result buffer with transparent huge pages.
///
/// glibc serves every allocation of 32 MiB and more with a fresh `mmap`, so a full read of a large
/// array would otherwise take one page fault per 4 KiB page as the decoders first touch it (8192
/// faults, ~40% of a fast blosc-lz4 read of 32 MiB). With `MADV_HUGEPAGE` one fault maps 2 MiB.
/// Only the 2 MiB-aligned part of the buffer is advised; the call is a hint that changes no data
/// and is skipped where the system has no transparent huge pages (other systems, `never` mode).
enum HugePages {
    /// Buffers smaller than this are left alone: they are usually recycled by malloc.
    static let threshold = 8 << 20

    /// Advises the whole 2 MiB pages inside `buffer` as huge-page candidates.
    static func advise(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        guard buffer.count >= threshold, let base = buffer.baseAddress else { return }
        let page = 2 << 20
        let start = (Int(bitPattern: base) + page - 1) & ~(page - 1)
        let end = (Int(bitPattern: base) + buffer.count) & ~(page - 1)
        guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(pointer, end - start, MADV_HUGEPAGE)
        #endif
    }
}
