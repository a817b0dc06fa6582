// SPDX-License-Identifier: Apache-2.0

import VKConformance
import VKDER
import Foundation
import TestSupport
import Testing
import VKX509

/// Every contract field of `inspect --json` against what OpenSSL reports, live, for each system root.
@Suite("inspect JSON equals what OpenSSL reports")
struct OpenSSLOracleTests {
    @Test("every system root", arguments: SystemBundleTests.files)
    func systemRoot(file: String) async throws {
        let text = try Data(contentsOf: URL(fileURLWithPath: file))
        let cert = try Certificate(pemEncoded: [UInt8](text))
        let result = try await Run.openssl([
            "x509", "-in", file, "-noout", "-serial", "-subject", "-issuer", "-nameopt", "RFC2253,-esc_msb",
            "-dates", "-dateopt", "iso_8601", "-fingerprint", "-sha256", "-text",
        ])
        try #require(result.status == 0, "\(result.stderrText)")
        let facts = OpenSSLFacts(text: result.stdoutText)
        let json = cert.json(file: file, index: 0)
        #expect(facts.differences(from: json).isEmpty, "\(file): \(facts.differences(from: json))")
        // And the JSON is valid JSON for a standard parser.
        #expect(try JSONSerialization.jsonObject(with: Data(json.serialized().utf8)) is [String: Any])
    }

    /// The oracle comparison can fail: a changed field is reported.
    @Test func differencesAreDetected() async throws {
        let file = SystemBundleTests.files[0]
        let cert = try Certificate(pemEncoded: [UInt8](try Data(contentsOf: URL(fileURLWithPath: file))))
        let result = try await Run.openssl(["x509", "-in", file, "-noout", "-serial", "-subject", "-issuer", "-nameopt", "RFC2253,-esc_msb", "-dates", "-dateopt", "iso_8601", "-fingerprint", "-sha256", "-text"])
        let tampered = result.stdoutText.replacingOccurrences(of: "subject=", with: "subject=X")
        #expect(OpenSSLFacts(text: tampered).differences(from: cert.json(file: file, index: 0)).count == 1)
    }
}
