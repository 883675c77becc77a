import Foundation

/// A value guarded by an `NSLock` (a pthread mutex, which the thread sanitizer understands;
/// `Synchronization.Mutex` on Linux is a bare futex that it reports as racing). Every access goes
/// through ``withLock(_:)``, hence `@unchecked Sendable`.
final class LockedState<State>: @unchecked Sendable {
    private var state: State
    private let lock = NSLock()

    /// Guards `state`.
    init(_ state: State) {
        self.state = state
    }

    /// Runs `body` with exclusive access to the state.
    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
