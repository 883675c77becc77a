import Foundation

/// A value guarded by an `NSLock`: a pthread mutex, which the thread sanitizer understands.
/// (`Synchronization.Mutex` is a bare futex on Linux that the sanitizer does not see, so every
/// access under it is reported as a race.) MIFAKit's one lock type; every access goes through
/// ``withLock(_:)``, hence `@unchecked Sendable`.
public final class LockedState<State>: @unchecked Sendable {
    private var state: State
    private let lock = NSLock()

    /// Guards `state`.
    public init(_ state: State) {
        self.state = state
    }

    /// Runs `body` with exclusive access to the state.
    public func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
