import ArgumentParser
import MIFACore

import Foundation

/// The `mifa` command: MIFA metadata, formats, OME-Zarr and packages from the shell.
///
/// Exit codes are the same for every subcommand: 0 success, 1 invalid input (the message names the
/// problem and its place), 2 usage error.
@main
struct MIFA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mifa",
        abstract: "Make bioimage datasets AI-ready: MIFA metadata, annotations, OME-Zarr and packages.",
        discussion: """
            Exit codes: 0 success, 1 invalid input (the message names the file and the place), \
            2 usage error. Commands with --json print one JSON document on stdout.
            """,
        version: MIFAKitVersion.string,
        subcommands: [
            ValidateCommand.self, RasterCommand.self, ZarrCommand.self, OMEZarrCommand.self, ConvertCommand.self,
            PackCommand.self, VersionCommand.self, DiffCommand.self, CheckoutCommand.self, AuditCommand.self, ExportCommand.self,
            BenchCommand.self, DemoCommand.self,
            CreditsCommand.self, LogCommand.self, ProposeCommand.self, ReviewCommand.self, FlagCommand.self,
            PreviewCommand.self, ServeCommand.self,
        ])

    /// Runs the command, mapping failures onto the documented exit codes.
    static func main() {
        // A peer that closes a connection must fail the request, not kill the process: libcurl
        // (HTTP and S3 stores) runs with CURLOPT_NOSIGNAL, as threaded programs must, so it does
        // not ignore SIGPIPE itself, and a TLS write to a closed socket can raise it. (Python
        // ignores SIGPIPE too, so the C ABI behaves the same there.)
        signal(SIGPIPE, SIG_IGN)
        let arguments = Array(CommandLine.arguments.dropFirst())
        let json = ErrorDocument.isRequested(by: arguments)
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let error as any MIFAError {
            printError("mifa: error: \(error)")
            if json { ErrorDocument(code: error.code, message: error.message, context: error.context).print() }
            Foundation.exit(1)
        } catch let failure as InvalidInput {
            printError("mifa: error: \(failure.message)")
            if json { ErrorDocument(code: "invalid-input", message: failure.message).print() }
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            if code == .validationFailure || error is ValidationError {
                printError(fullMessage(for: error))
                if json { ErrorDocument(code: "usage", message: message(for: error)).print() }
                Foundation.exit(2)
            }
            // An ExitCode thrown on purpose by a subcommand (its output is already written), or an
            // unexpected error from a library.
            let message = fullMessage(for: error)
            if !message.isEmpty {
                printError("mifa: error: \(message)")
                if json { ErrorDocument(code: "failure", message: message).print() }
            }
            Foundation.exit(code.rawValue == 0 ? 1 : code.rawValue)
        }
    }
}

/// A failure caused by the user's input that has no more specific error type; exits with code 1.
struct InvalidInput: Error {
    /// What was wrong and where.
    var message: String
}

/// Writes a line to standard error.
func printError(_ text: String) {
    var stderr = StandardError()
    print(text, to: &stderr)
}

/// Standard error as a `TextOutputStream`.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
