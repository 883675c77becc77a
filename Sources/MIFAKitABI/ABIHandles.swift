import MIFACore

/// The objects behind the C ABI's opaque handles. A handle is the address of its object; the
/// registry holds the object (strongly) until the handle is destroyed, so a handle that was
/// destroyed, never made, or is of another kind is refused with an error instead of being used.
///
/// Thread safety: the table is in a ``LockedState``; the objects guard themselves.
final class HandleRegistry: Sendable {
    private let table = LockedState([UInt: AnyObject]())

    /// The registry of this library (one per process; guarded, so safe to share).
    static let shared = HandleRegistry()

    /// Registers `object` and returns its handle.
    func register(_ object: AnyObject) -> OpaquePointer {
        let address = UInt(bitPattern: Unmanaged.passUnretained(object).toOpaque())
        table.withLock { $0[address] = object }
        return OpaquePointer(bitPattern: address)!
    }

    /// The object of `handle`, if it is a live handle of type `T`.
    /// - Throws: ``ABIFailure`` naming `name` for NULL, unknown or destroyed handles and handles of another kind.
    func object<T: AnyObject>(_ handle: OpaquePointer?, as type: T.Type, _ name: String) throws -> T {
        guard let handle else { throw ABIFailure.argument("\(name) is NULL") }
        let address = UInt(bitPattern: UnsafeRawPointer(handle))
        guard let found = table.withLock({ $0[address] }) else {
            throw ABIFailure.argument("\(name) is not a live handle (never created, or already destroyed)")
        }
        guard let object = found as? T else {
            throw ABIFailure.argument("\(name) is a handle of another kind (\(Swift.type(of: found)), not \(T.self))")
        }
        return object
    }

    /// Forgets `handle`; the object goes when nothing else holds it. Returns it, if it was live and a `T`.
    /// - Throws: as ``object(_:as:_:)``.
    @discardableResult
    func remove<T: AnyObject>(_ handle: OpaquePointer?, as type: T.Type, _ name: String) throws -> T {
        let object = try object(handle, as: T.self, name)
        let address = UInt(bitPattern: UnsafeRawPointer(handle!))
        table.withLock { _ = $0.removeValue(forKey: address) }
        return object
    }

    /// The number of live handles of type `T` (for leak checks).
    func count<T: AnyObject>(of type: T.Type) -> Int {
        table.withLock { $0.values.filter { $0 is T }.count }
    }
}
