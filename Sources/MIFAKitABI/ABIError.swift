import Foundation
import MIFACore

/// The status every C entry point returns (`mifa_status` in include/mifakit.h): 0 is success; any
/// other value is a class of failure, and the last error of the calling thread says which error,
/// where, and how to fix it.
enum ABIStatus: Int32 {
    /// Success.
    case ok = 0
    /// The caller passed something unusable: a null or unknown handle, a malformed configuration,
    /// an out-of-range value, a buffer of the wrong size.
    case invalidArgument = 1
    /// The data is invalid: malformed metadata, a corrupt chunk, an image the loader cannot sample.
    case invalidData = 2
    /// A file, image, level, label or annotation set does not exist.
    case notFound = 3
    /// Reading or writing failed (permissions, a full disk, a failing store).
    case io = 4
    /// The memory budget cannot hold what was asked (or the caller holds every batch buffer).
    case memory = 5
    /// The call does not fit the object's state: a checkpoint of another loader, a cancelled loader.
    case state = 6
    /// An error MIFAKit did not classify (a bug if it happens: please report it).
    case `internal` = 7
}

/// The last error of one thread, as C strings that stay valid until the thread's next failing call
/// (or the thread ends). Owned by the thread's dictionary; frees its strings when replaced.
final class ABILastError: NSObject {
    let status: ABIStatus
    let code: UnsafeMutablePointer<CChar>
    let message: UnsafeMutablePointer<CChar>
    let layer: UnsafeMutablePointer<CChar>
    let file: UnsafeMutablePointer<CChar>?
    let pointer: UnsafeMutablePointer<CChar>?
    let key: UnsafeMutablePointer<CChar>?

    init(status: ABIStatus, code: String, message: String, layer: String, context: ErrorContext) {
        self.status = status
        self.code = strdup(code)
        self.message = strdup(message)
        self.layer = strdup(layer)
        file = context.file.map { strdup($0) }
        pointer = context.pointer.map { strdup($0) }
        key = context.key.map { strdup($0) }
    }

    deinit {
        for text in [code, message, layer, file, pointer, key] { free(text) }
    }

    private static let slot = "org.mifakit.abi.last-error"

    /// The calling thread's last error, if any.
    static var current: ABILastError? {
        Thread.current.threadDictionary[slot] as? ABILastError
    }

    /// Records `error` as the calling thread's last error and returns its status.
    @discardableResult
    static func record(_ error: any Error) -> ABIStatus {
        let last: ABILastError
        switch error {
        case let failure as ABIFailure:
            last = ABILastError(status: failure.status, code: failure.code, message: failure.message, layer: "abi", context: failure.context)
        case let failure as any MIFAError:
            last = ABILastError(status: status(ofCode: failure.code), code: failure.code, message: failure.description,
                                layer: layer(of: failure), context: failure.context)
        case let failure as DecodingError:
            let (message, pointer) = describe(failure)
            last = ABILastError(status: .invalidArgument, code: "invalid-argument", message: message, layer: "abi",
                                context: ErrorContext(pointer: pointer))
        default:
            last = ABILastError(status: .internal, code: "internal", message: String(describing: error), layer: "abi", context: ErrorContext())
        }
        Thread.current.threadDictionary[slot] = last
        return last.status
    }

    /// The status class of a library error code (the codes of every layer's `ErrorCode` enum).
    static func status(ofCode code: String) -> ABIStatus {
        switch code {
        case "invalid-configuration", "invalid-argument", "invalid-region", "shape-mismatch": .invalidArgument
        case "not-found", "not-a-package", "not-ome-zarr", "missing-level", "missing-object": .notFound
        case "io", "store-failure", "storage", "unreadable-file", "read-only": .io
        case "budget-too-small", "too-large": .memory
        case "cancelled", "invalid-checkpoint", "locked": .state
        default: .invalidData
        }
    }

    /// The layer an error comes from: the name of its code type without `ErrorCode`
    /// (`BatchLoader`, `Zarr`, `OMEZarr`, `Package`, ...).
    static func layer(of error: any MIFAError) -> String {
        let type = String(describing: type(of: error))
        guard let open = type.firstIndex(of: "<"), let close = type.lastIndex(of: ">") else { return type }
        let code = type[type.index(after: open)..<close]
        return code.hasSuffix("ErrorCode") ? String(code.dropLast("ErrorCode".count)) : String(code)
    }

    /// A message and a JSON pointer for a configuration that did not decode.
    static func describe(_ error: DecodingError) -> (String, String) {
        func pointer(_ path: [any CodingKey]) -> String {
            path.map { "/" + ($0.intValue.map(String.init) ?? $0.stringValue) }.joined()
        }
        switch error {
        case .typeMismatch(let type, let context):
            return ("expected \(type) at \(pointer(context.codingPath)); \(context.debugDescription)", pointer(context.codingPath))
        case .valueNotFound(let type, let context):
            return ("expected a \(type) at \(pointer(context.codingPath)); found null", pointer(context.codingPath))
        case .keyNotFound(let key, let context):
            let path = context.codingPath + [key]
            return ("the required key '\(key.stringValue)' is missing at \(pointer(context.codingPath))", pointer(path))
        case .dataCorrupted(let context):
            return ("the JSON is malformed: \(context.debugDescription)", pointer(context.codingPath))
        @unknown default:
            return (String(describing: error), "")
        }
    }
}

/// A failure found at the boundary itself (an argument the caller got wrong), with its status.
struct ABIFailure: Error {
    var status: ABIStatus
    var code: String
    var message: String
    var context = ErrorContext()

    /// An invalid argument: `message` names the parameter and what it needs.
    static func argument(_ message: String, pointer: String? = nil) -> ABIFailure {
        ABIFailure(status: .invalidArgument, code: "invalid-argument", message: message, context: ErrorContext(pointer: pointer))
    }
}

/// Runs the body of a C entry point: every thrown error becomes the thread's last error and its
/// status; success returns 0.
func abiCall(_ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return ABIStatus.ok.rawValue
    } catch {
        return ABILastError.record(error).rawValue
    }
}

/// The text of a C string argument.
/// - Throws: ``ABIFailure`` naming `name` when the pointer is null or the bytes are not UTF-8.
func text(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> String {
    guard let pointer else { throw ABIFailure.argument("\(name) is NULL; pass a NUL-terminated UTF-8 string") }
    guard let value = String(validatingCString: pointer) else { throw ABIFailure.argument("\(name) is not valid UTF-8") }
    return value
}

/// The text of an optional C string argument (`nil` for NULL).
/// - Throws: ``ABIFailure`` when the bytes are not UTF-8.
func optionalText(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> String? {
    guard let pointer else { return nil }
    return try text(pointer, name)
}

/// Checks an output pointer and returns it.
/// - Throws: ``ABIFailure`` naming `name` when it is null.
func output<T>(_ pointer: UnsafeMutablePointer<T>?, _ name: String) throws -> UnsafeMutablePointer<T> {
    guard let pointer else { throw ABIFailure.argument("\(name) is NULL; pass where to store the result") }
    return pointer
}

/// A copy of `bytes` as a NUL-terminated C string (`malloc`ed) the caller frees with `mifa_string_free`.
/// - Throws: ``ABIFailure`` (`.memory`) when the allocation fails.
func cString(_ bytes: some Collection<UInt8>) throws -> UnsafeMutablePointer<CChar> {
    guard let raw = malloc(bytes.count + 1) else {
        throw ABIFailure(status: .memory, code: "out-of-memory", message: "cannot allocate \(bytes.count + 1) bytes for a string")
    }
    let result = raw.bindMemory(to: CChar.self, capacity: bytes.count + 1)
    var index = 0
    for byte in bytes {
        result[index] = CChar(bitPattern: byte)
        index += 1
    }
    result[index] = 0
    return result
}
