import ArgumentParser
import MIFACore

/// The `--json` form of a failure: one JSON document on stdout, as every `--json` output is, with
/// the error's stable code, its message and its place (file, line, column, JSON pointer, key, byte
/// offset, shape: whatever is known). The exit code is the same as without `--json`.
///
/// ```json
/// {"error": {"code": "invalid-path", "message": "...", "place": {"file": "pkg/manifest.json", "pointer": "/files/..."}}}
/// ```
struct ErrorDocument: Encodable {
    /// Where the problem is; only the known fields are written.
    struct Place: Encodable {
        var file: String?
        var line: Int?
        var column: Int?
        var pointer: String?
        var key: String?
        var offset: Int?
        var shape: [Int]?

        init(_ context: ErrorContext) {
            (file, line, column, pointer, key, offset, shape) = (context.file, context.line, context.column, context.pointer, context.key, context.offset, context.shape)
        }
    }

    /// The error.
    struct Failure: Encodable {
        var code: String
        var message: String
        var place: Place
    }

    var error: Failure

    /// A library error, an ``InvalidInput`` (`invalid-input`) or a usage error (`usage`).
    init(code: String, message: String, context: ErrorContext = ErrorContext()) {
        error = Failure(code: code, message: message, place: Place(context))
    }

    /// Whether the command line asks for `--json` output (before a `--` that ends the options).
    static func isRequested(by arguments: [String]) -> Bool {
        arguments.prefix { $0 != "--" }.contains("--json")
    }

    /// Prints the document on stdout.
    func print() {
        // Encoding plain strings and numbers cannot fail; if it somehow did, the message is still on stderr.
        if let text = try? CanonicalJSON.string(self) { Swift.print(text, terminator: "") }
    }
}
