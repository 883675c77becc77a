import Dispatch

/// A value computed on another thread while the caller does other work (the audit lists the tree
/// while it decodes the manifest, and encodes the file list while it hashes).
final class BackgroundValue<Value: Sendable>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: Result<Value, any Error>?

    /// Starts `work` on a global queue.
    init(_ work: @escaping @Sendable () throws -> Value) {
        DispatchQueue.global().async(group: group) { [self] in
            result = Result(catching: work)
        }
    }

    /// Waits for the value (the group's wait orders the write before this read).
    /// - Throws: what `work` threw.
    func value() throws -> Value {
        group.wait()
        return try result!.get()
    }
}
