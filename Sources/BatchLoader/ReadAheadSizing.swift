/// How many chunk reads the read stage (``ChunkReadAhead``) keeps in flight when it sizes itself,
/// as it does for images read over the network unless ``BatchLoaderConfiguration/readAhead`` says:
/// Little's law, reads in flight = reads per second wanted × seconds per read, with both measured
/// as the loader runs, so that no number fits one machine or one link only.
///
/// - Reads per second wanted: the chunks the workers read and decode per second of the time they
///   spend on patches outside reads, times the workers: the rate they would take chunks at on this
///   machine, as loaded as it is, if no read ever made them wait.
/// - Seconds per read: the time a read of the stage takes, smoothed as TCP smooths its round trip
///   time (RFC 6298: each new read weighs 1/8), at its lowest so far: the link's own round trip,
///   as BBR's RTprop, not the queueing a saturated server adds. More reads in flight then only
///   wait longer in the server's queue; sized by the current time per read, the reads in flight
///   would chase that queue up to the limit.
///
/// The result is at most ``limit`` (the threads of the read stage: as many reads as half the
/// read-ahead reserve the memory budget gives holds decoded chunks) and at least `initial` (the
/// loader gives a batch's patches; at most ``limit``): the start, which is also the floor. Until
/// the workers have assembled `initial` patches, ``target`` is that start: the first patches'
/// totals are too few to measure (a worker's decodes count as they end, its time when its patch
/// does). The floor is for a fast server: at ~1 ms a read the law asks for fewer reads than a
/// batch has patches, sized for the mean rate, but a batch that opens asks for its patches' chunks
/// at once, and with fewer in flight the workers wait on that burst (over `rclone serve s3`
/// without added latency, sharded images: 742-957 patches/s with the law's few reads against
/// 1688-1936 with 32 in flight).
/// A value type: the read stage keeps it under its lock.
struct ReadAheadSizing: Sendable {
    /// The most reads in flight.
    let limit: Int
    /// The loader's workers (each decodes on a thread of its own).
    let workers: Int
    /// The smoothed duration of a read, in seconds; `nil` before the first.
    private(set) var secondsPerRead: Double?
    /// The lowest ``secondsPerRead`` so far (what the sizing uses); `nil` before the first read.
    private(set) var shortestSecondsPerRead: Double?
    /// The reads in flight wanted now.
    private(set) var target: Int

    /// The patches after which the measurements size ``target``.
    let initial: Int
    /// The fewest reads in flight ``target`` asks for: `initial`, at most ``limit``.
    let floor: Int

    /// Sizing for `workers` workers, at most `limit` reads, `initial` reads until the workers have
    /// assembled `initial` patches.
    init(limit: Int, workers: Int, initial: Int) {
        self.limit = max(limit, 1)
        self.workers = workers
        self.initial = initial
        floor = min(max(initial, 1), self.limit)
        target = floor
    }

    /// Takes the duration of a read that ended (`seconds`) and the workers' totals so far (chunks
    /// read and decoded, nanoseconds spent on patches outside reads, patches), and sizes ``target``
    /// again (Little's law, at least ``floor``).
    mutating func readFinished(seconds: Double, chunksDecoded: Int, workerNanoseconds: Int, patches: Int) {
        let smoothed = secondsPerRead.map { $0 + (seconds - $0) / 8 } ?? seconds
        secondsPerRead = smoothed
        let shortest = min(shortestSecondsPerRead ?? smoothed, smoothed)
        shortestSecondsPerRead = shortest
        if patches >= initial, let reads = Self.readsInFlight(workers: workers, chunksDecoded: chunksDecoded, workerNanoseconds: workerNanoseconds,
                                          secondsPerRead: shortest, limit: limit) {
            target = max(reads, floor)
        }
    }

    /// Little's law: `workers × chunksDecoded / (workerNanoseconds / 10⁹)` reads per second
    /// times `secondsPerRead`, rounded up, between 1 and `limit`; `nil` before the workers have
    /// decoded a chunk and spent time outside reads (nothing to measure yet).
    static func readsInFlight(workers: Int, chunksDecoded: Int, workerNanoseconds: Int, secondsPerRead: Double, limit: Int) -> Int? {
        guard chunksDecoded > 0, workerNanoseconds > 0, secondsPerRead.isFinite, secondsPerRead >= 0 else { return nil }
        let perSecond = Double(workers) * Double(chunksDecoded) * 1e9 / Double(workerNanoseconds)
        let reads = (perSecond * secondsPerRead).rounded(.up)
        return reads >= Double(limit) ? limit : max(Int(reads), 1)
    }
}
