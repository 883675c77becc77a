import Foundation
import MIFACore
import Testing
import TestSupport
@testable import Zarr

/// An HTTP store reuses its kept-alive connections: as many requests in flight as before open no
/// new connection (each new one costs a round trip more, 20 ms over the remote loader benchmark's link).
@Suite struct HTTPStoreConnectionTests {
    /// `count` reads of `key` from `store`, all at once (each on a thread of its own).
    private static func readAtOnce(_ store: HTTPStore, _ key: StoreKey, count: Int) throws -> [Int] {
        let sizes = LockedState<[Int]>([])
        let failures = LockedState<[String]>([])
        let group = DispatchGroup()
        for _ in 0..<count {
            group.enter()
            Thread {
                do {
                    let bytes = try store.get(key, range: nil)
                    sizes.withLock { $0.append(bytes?.count ?? -1) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
                group.leave()
            }.start()
        }
        group.wait()
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        return sizes.withLock { $0 }
    }

    @Test(.enabled(if: NginxServer.isAvailable, "nginx is not installed (apt-get install nginx-light)"))
    func requestsInFlightReuseTheConnectionsOfEarlierOnes() throws {
        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.file("served"), withIntermediateDirectories: true)
        // 24 KiB under /slow/: 16 KiB at once, the rest half a second later, so the reads overlap.
        let bytes = Data((0..<(24 << 10)).map { UInt8($0 % 251) })
        _ = FileManager.default.createFile(atPath: directory.file("served/chunk"), contents: bytes)
        _ = chmod(directory.path, 0o755)
        let server = try NginxServer(serving: directory.file("served"))
        defer { server.stop() }
        let store = try HTTPStore(url: server.baseURL + "/slow")
        let inFlight = 32
        for round in 0..<2 {
            #expect(try Self.readAtOnce(store, StoreKey("chunk"), count: inFlight) == Array(repeating: bytes.count, count: inFlight), "round \(round)")
        }
        // The second round took the connections the first left open (a pool of 16 idle handles
        // kept only half of them, and the second round opened 16 more).
        let connections = try server.connectionsServed()
        #expect(connections <= inFlight, "\(connections) connections for two rounds of \(inFlight) reads at once")
    }
}
