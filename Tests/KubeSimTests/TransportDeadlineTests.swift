// SPDX-License-Identifier: Apache-2.0

import Foundation
import VKKubeAPI
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
    /// Liveness, not performance: without the deadline on the handshake this call never returned. The time
    /// limit is the hang guard (a full two-core run once starved the retries for 122 s, so no wall-clock
    /// bound is asserted); the error code proves the deadline, not a refused connection, ended the call.
    @Test(.timeLimit(.minutes(5))) func aStalledTLSHandshakeTimesOut() async throws {
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
        let client = try KubeClient(configuration: configuration, maximumAttempts: 1, requestTimeout: 1)
        do {
            _ = try await client.get("anything")
            Issue.record("a server that never answers returned a response")
        } catch let error as KubeAPIError {
            #expect(error.code == .timeout, "the deadline ended the call: \(error)")
        }
        await client.shutdown()
    }
}
