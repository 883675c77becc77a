import Foundation

/// A fresh directory under the system's temporary directory, removed with everything in it when
/// the value is released. The one copy every test target uses.
public final class TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates the directory, named `<prefix>-<UUID>`; a test cannot go on without it, so failing
    /// to create it stops the test run with the reason.
    public init(prefix: String = "mifa-tests") {
        path = FileManager.default.temporaryDirectory.path + "/\(prefix)-\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            fatalError("cannot create the test directory \(path): \(error)")
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The path of `name` inside the directory.
    public func file(_ name: String) -> String { "\(path)/\(name)" }
}
