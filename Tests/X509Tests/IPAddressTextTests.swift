// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing
import VKX509

/// IP address text against Python's ipaddress module (RFC 5952 `compressed` form) as the oracle.
@Suite("IP address text")
struct IPAddressTextTests {
    static let samples = [
        "10.0.0.1", "192.168.100.254", "0.0.0.0", "255.255.255.255", "2001:db8::1", "2001:db8:0:0:1:0:0:1", "2001:0db8:0000:0000:0000:0000:0000:0001",
        "fd00::11", "::1", "::", "1::", "2001:db8::8a2e:370:7334", "2001:db8:0:1:1:1:1:1", "1:0:0:2:0:0:0:3", "::ffff:10.0.0.1", "FD00:0:0:0:0:0:0:11",
    ]

    @Test func formatMatchesPythonIpaddress() async throws {
        let script = "import ipaddress,sys\nfor a in sys.argv[1:]: print(ipaddress.ip_address(a).compressed)"
        let result = try await Run.process("python3", ["-c", script] + Self.samples)
        try #require(result.status == 0, "\(result.stderrText)")
        let expected = result.stdoutText.split(separator: "\n").map(String.init)
        try #require(expected.count == Self.samples.count)
        for (sample, oracle) in zip(Self.samples, expected) {
            let bytes = try #require(IPAddressText.parse(sample), "\(sample) does not parse")
            let ours = IPAddressText.format(bytes)
            // Python writes IPv4-mapped addresses as ::ffff:a.b.c.d; RFC 5952 §5 recommends that too, but
            // OpenSSL and Go print them in hex. Compare bytes for that one, text for the rest.
            if sample.contains("ffff:") {
                #expect(IPAddressText.parse(oracle) == bytes)
            } else {
                #expect(ours == oracle, "\(sample): vkcert \(ours), python \(oracle)")
            }
        }
        for bad in ["10.0.0.256", "10.0.0", "01.2.3.4", "1:2:3:4:5:6:7:8:9", "1::2::3", "g::1", ""] {
            #expect(IPAddressText.parse(bad) == nil, "\(bad)")
        }
    }
}
