// SPDX-License-Identifier: Apache-2.0

import VKDER
import Foundation
import TestSupport
import Testing
import VKX509

/// The system CA bundle (/etc/ssl/certs, 139 real roots) as a real-world corpus, OpenSSL as the oracle.
@Suite("System CA bundle")
struct SystemBundleTests {
    static let files: [String] = {
        let dir = "/etc/ssl/certs"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".pem") }.sorted().map { "\(dir)/\($0)" }
    }()

    @Test func bundleIsPresent() {
        #expect(Self.files.count >= 100, "expected the Debian CA bundle in /etc/ssl/certs (ca-certificates)")
    }

    @Test func everyRootParsesAndVerifiesItsSelfSignature() throws {
        var rsa = 0, ec = 0
        for file in Self.files {
            let text = try Data(contentsOf: URL(fileURLWithPath: file))
            let cert: Certificate
            do {
                cert = try Certificate(pemEncoded: [UInt8](text))
            } catch {
                Issue.record("\(file): \(error)")
                continue
            }
            #expect(cert.isSelfSigned, "\(file): self-signature does not verify (\(cert.signatureAlgorithm.name))")
            #expect(cert.reencoded() == cert.der, "\(file): re-encoding from the parsed fields differs from the input")
            switch cert.publicKey.kind {
            case .rsa: rsa += 1
            case .ec: ec += 1
            default: Issue.record("\(file): unexpected key kind")
            }
        }
        #expect(rsa + ec == Self.files.count)
        print("system bundle: \(rsa) RSA, \(ec) EC roots parsed and self-verified")
    }
}
