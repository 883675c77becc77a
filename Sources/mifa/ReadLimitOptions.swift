import ArgumentParser
import Zarr

/// A size in bytes as users write it: `4096`, `512K`, `16M`, `4G`, `1T` (powers of 1024; an
/// optional `iB` or `B` after the letter is accepted).
struct ByteSize: ExpressibleByArgument {
    /// The size in bytes.
    let bytes: Int

    init?(argument: String) {
        var text = argument.uppercased()
        for suffix in ["IB", "B"] where text.hasSuffix(suffix) && text.count > suffix.count {
            text.removeLast(suffix.count)
            break
        }
        let shifts: [Character: Int] = ["K": 10, "M": 20, "G": 30, "T": 40]
        var shift = 0
        if let last = text.last, let found = shifts[last] {
            shift = found
            text.removeLast()
        }
        guard let value = Int(text), value > 0, value <= Int.max >> shift else { return nil }
        bytes = value << shift
    }
}

/// `--http-timeout` and `--http-max-body`: the bounds on reading from an `http(s)://` or `s3://` URL
/// (``HTTPLimits``; without them its defaults apply).
struct HTTPOptions: ParsableArguments {
    @Option(name: .customLong("http-timeout"),
            help: ArgumentHelp("Seconds an HTTP server may take to answer or may stall a body (default 30; a whole read may take ten times as long).", valueName: "seconds"))
    var timeout: Double?

    @Option(name: .customLong("http-max-body"),
            help: ArgumentHelp("Largest HTTP response body accepted, e.g. 256M or 2G (default 1G).", valueName: "size"))
    var maxBody: ByteSize?

    func validate() throws {
        if let timeout, !(timeout > 0) { throw ValidationError("--http-timeout must be more than 0 seconds") }
    }

    /// The limits these options set.
    var limits: HTTPLimits {
        var limits = timeout.map { HTTPLimits.default.withTimeout($0) } ?? .default
        if let maxBody { limits.maxBodyBytes = maxBody.bytes }
        return limits
    }
}

/// `--max-memory`: the largest array a command that reads whole arrays or regions allocates.
struct MemoryOptions: ParsableArguments {
    @Option(name: .customLong("max-memory"),
            help: ArgumentHelp("Largest array read into memory, e.g. 8G (default 4G); metadata can claim any shape, so larger reads are refused unless raised.", valueName: "size"))
    var maxMemory: ByteSize?

    /// The limit in bytes.
    var bytes: Int { maxMemory?.bytes ?? ZarrArray.defaultMaxReadBytes }
}
