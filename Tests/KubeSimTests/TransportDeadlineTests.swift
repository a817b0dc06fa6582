// SPDX-License-Identifier: Apache-2.0

import Foundation
import KubeAPI
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A server that accepts the TCP connection (the kernel does, from the listen backlog) but never answers
/// the TLS ClientHello: the request's deadline must cover the handshake, so the call fails with a timeout
/// instead of hanging (the hang seen under load after this fix's absence; a request timeout used to start
/// only once the request was written).
@Suite("KubeAPI transport deadlines")
struct TransportDeadlineTests {
    @Test func aStalledTLSHandshakeTimesOut() async throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(bound == 0 && listen(fd, 8) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))

        var configuration = ClientConfiguration(server: "https://127.0.0.1:\(port)")
        configuration.insecureSkipTLSVerify = true
        let client = try KubeClient(configuration: configuration, initialBackoff: 0.05, requestTimeout: 1)
        let started = Date()
        do {
            _ = try await client.get("anything")
            Issue.record("a server that never answers returned a response")
        } catch let error as KubeAPIError {
            #expect(error.code == .timeout || error.code == .transport, "\(error)")
        }
        // Liveness, not performance: without the deadline on the handshake this call never returned.
        // (Retries with backoff under a loaded test run took 35 s once; the hang this guards against is unbounded.)
        #expect(Date().timeIntervalSince(started) < 120, "took \(Date().timeIntervalSince(started)) s")
        await client.shutdown()
    }
}
