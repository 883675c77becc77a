#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The CPU time the calling thread has used, to weigh what a decoded chunk cost: unlike wall
/// time, it does not grow when the thread waits for a core on a busy machine.
enum ThreadCPUClock {
    /// CPU nanoseconds used by the calling thread so far (0 if the system cannot tell).
    static func nanoseconds() -> Int {
        var time = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return 0 }
        return Int(time.tv_sec) * 1_000_000_000 + Int(time.tv_nsec)
    }
}
