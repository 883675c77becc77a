import Foundation

/// A value guarded by an `NSLock`: a pthread mutex, which the thread sanitizer understands.
/// (`Synchronization.Mutex` is a bare futex on Linux that the sanitizer does not see, so every
/// access under it is reported as a race; the batch loader made the same choice.) Every access
/// goes through ``withLock(_:)``, hence `@unchecked Sendable`.
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
