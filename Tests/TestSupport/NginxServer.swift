import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Zarr

/// A real nginx serving a directory on 127.0.0.1, started for one test and stopped after it.
///
/// `/` serves with range support; `/noranges/` serves the same files with `max_ranges 0`, so nginx
/// answers range requests with the whole file (`200`), like servers that ignore `Range`; every
/// request under `/status500/` and `/status403/` is answered with that status (a failing server,
/// a server that refuses access); `/slow/` serves the same files at 16 KiB/s after their first
/// 16 KiB (so that requests overlap). ``connectionsServed()`` counts the connections it answered on.
public final class NginxServer: @unchecked Sendable {
    static let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// Whether nginx is installed (tests that need it are skipped otherwise).
    public static var isAvailable: Bool { binary != nil }

    /// The port it listens on, on 127.0.0.1.
    public let port: Int
    private let process: Process
    private let workDirectory: TemporaryDirectory

    /// Starts nginx serving the folder `root`.
    /// - Throws: `ZarrError` `.storeFailure` when it does not start.
    public init(serving root: String) throws {
        workDirectory = TemporaryDirectory()
        port = Self.freePort()
        let work = workDirectory.path
        for sub in ["body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"] {
            try FileManager.default.createDirectory(atPath: "\(work)/\(sub)", withIntermediateDirectories: true)
        }
        let user = getuid() == 0 ? "user root root;" : ""
        let config = """
            \(user)
            daemon off;
            worker_processes 1;
            error_log \(work)/logs/error.log;
            pid \(work)/nginx.pid;
            events { worker_connections 64; }
            http {
              log_format connections '$connection';
              access_log \(work)/logs/access.log connections;
              client_body_temp_path \(work)/body;
              proxy_temp_path \(work)/proxy;
              fastcgi_temp_path \(work)/fastcgi;
              uwsgi_temp_path \(work)/uwsgi;
              scgi_temp_path \(work)/scgi;
              default_type application/octet-stream;
              server {
                listen 127.0.0.1:\(port);
                root \(root);
                location /noranges/ { alias \(root)/; max_ranges 0; }
                location /slow/ { alias \(root)/; limit_rate 16k; }
                location /status500/ { return 500; }
                location /status403/ { return 403; }
              }
            }
            """
        try config.write(toFile: "\(work)/nginx.conf", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary!)
        process.arguments = ["-p", work, "-c", "\(work)/nginx.conf", "-e", "\(work)/logs/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until it accepts connections (at most 10 s).
        for _ in 0..<200 {
            if Self.canConnect(port) { return }
            usleep(50_000)
        }
        stop()
        let log = (try? String(contentsOfFile: "\(work)/logs/error.log", encoding: .utf8)) ?? ""
        throw ZarrError(.storeFailure, "nginx did not start on port \(port): \(log)")
    }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The number of connections the requests answered so far came on (nginx logs each request
    /// when it has answered it, with its connection's serial number).
    /// - Throws: when the access log cannot be read.
    public func connectionsServed() throws -> Int {
        let log = try String(contentsOfFile: "\(workDirectory.path)/logs/access.log", encoding: .utf8)
        return Set(log.split(separator: "\n")).count
    }

    /// Stops nginx (also done when the value is released).
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    private static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }
}
