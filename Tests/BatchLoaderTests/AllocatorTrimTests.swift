@testable import BatchLoader
import Synchronization
import Testing

@Suite struct AllocatorTrimTests {
    /// The figure is the whole process's, and tests running beside this one free memory while it
    /// touches its pages (CI saw 256 MiB touched and 89 MiB of growth): the growth must show in one
    /// of a few tries. A figure that does not follow the pages (a constant, a file-backed count)
    /// fails every try.
    @Test func residentMemoryIsReadAndFollowsTouchedPages() throws {
        let size = 256 << 20
        var growths: [Int] = []
        for _ in 0..<5 {
            let before = try #require(AllocatorTrim.residentAnonymousBytes())
            #expect(before > 0)
            let block = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 4096)
            for page in stride(from: 0, to: size, by: 4096) { block[page] = 1 }  // fault every page in
            let after = try #require(AllocatorTrim.residentAnonymousBytes())
            block.deallocate()
            growths.append(after - before)
            if after - before >= size / 2 { break }
        }
        #expect(growths.contains { $0 >= size / 2 }, "256 MiB touched, resident anonymous memory grew by \(growths) bytes in \(growths.count) tries")
    }

    @Test func trimsOnlyWhenTheProcessGrewBeyondTheLoadersBytesAndTheSlack() {
        let trims = Atomic<Int>(0)
        let resident = Atomic<Int>(1 << 30)  // the process's figure, as the test sets it
        let roomy = AllocatorTrim(interval: 2, slack: 1 << 40, trim: { trims.add(1, ordering: .relaxed) }, resident: { resident.load(ordering: .relaxed) })
        let tight = AllocatorTrim(interval: 2, slack: 0, trim: { trims.add(1, ordering: .relaxed) }, resident: { resident.load(ordering: .relaxed) })
        for _ in 0..<8 { tight.batchAssembled(held: 0) }  // not grown: no trim
        #expect(trims.load(ordering: .relaxed) == 0)
        resident.add(256 << 20, ordering: .relaxed)
        for _ in 0..<8 { roomy.batchAssembled(held: 0) }  // grew 256 MiB, within the slack
        #expect(trims.load(ordering: .relaxed) == 0)
        for _ in 0..<8 { tight.batchAssembled(held: 0) }  // grew 256 MiB, the loader holds nothing: every check (every 2nd batch) trims
        #expect(trims.load(ordering: .relaxed) == 4)
        trims.store(0, ordering: .relaxed)
        for _ in 0..<8 { tight.batchAssembled(held: 256 << 20) }  // all of it the loader's: no trim
        #expect(trims.load(ordering: .relaxed) == 0)
        let unreadable = AllocatorTrim(interval: 1, slack: 1 << 40, trim: { trims.add(1, ordering: .relaxed) }, resident: { nil })
        unreadable.batchAssembled(held: 0)  // the figure cannot be read: every check trims
        #expect(trims.load(ordering: .relaxed) == 1)
    }
}
