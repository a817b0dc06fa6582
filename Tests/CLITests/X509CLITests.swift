// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing

/// The X.509 commands driven as a user would, with OpenSSL as the judge of what they produce, and
/// OpenSSL-made certificates as the inputs lint must fail.
@Suite("vkcert CLI: csr, cert, lint, verify, inspect", .serialized)
struct X509CLITests {
    /// A CA, a node key, a CSR and a certificate signed from it, made by vkcert.
    struct PKI {
        let dir: TemporaryDirectory
        init() async throws {
            dir = try TemporaryDirectory()
            try await X509CLITests.ok(["key", "generate", "--out", dir.path("ca.key")])
            try await X509CLITests.ok(["cert", "ca", "--key", dir.path("ca.key"), "--subject", "CN=vkcert test CA,O=vkcert", "--out", dir.path("ca.pem")])
            try await X509CLITests.ok(["key", "generate", "--out", dir.path("node.key")])
            try await X509CLITests.ok([
                "csr", "create", "--key", dir.path("node.key"), "--node", "node-1", "--ip", "10.0.0.7", "--ip", "fd00::7",
                "--dns", "node-1.cluster.local", "--out", dir.path("node.csr"),
            ])
            try await X509CLITests.ok([
                "cert", "sign", "--csr", dir.path("node.csr"), "--ca-cert", dir.path("ca.pem"), "--ca-key", dir.path("ca.key"),
                "--out", dir.path("node.pem"),
            ])
        }
    }

    static func ok(_ arguments: [String]) async throws {
        let result = try await Run.vkcert(arguments)
        #expect(result.status == 0, "vkcert \(arguments.joined(separator: " ")): \(result.stderrText)")
    }

    @Test func opensslAcceptsWhatWeIssue() async throws {
        let pki = try await PKI()
        defer { pki.dir.cleanup() }
        let req = try await Run.openssl(["req", "-in", pki.dir.path("node.csr"), "-verify", "-noout", "-text"])
        #expect(req.status == 0 && req.stderrText.contains("verify OK"), "\(req.stderrText)")
        #expect(req.stdoutText.contains("Subject: O = system:nodes, CN = system:node:node-1"))
        #expect(req.stdoutText.contains("DNS:node-1.cluster.local, IP Address:10.0.0.7, IP Address:FD00:0:0:0:0:0:0:7"))

        let verify = try await Run.openssl(["verify", "-CAfile", pki.dir.path("ca.pem"), pki.dir.path("node.pem")])
        #expect(verify.status == 0 && verify.stdoutText.contains(": OK"), "\(verify.stdoutText)\(verify.stderrText)")
        let text = try await Run.openssl(["x509", "-in", pki.dir.path("node.pem"), "-noout", "-text"]).stdoutText
        for expected in [
            "Subject: O = system:nodes, CN = system:node:node-1", "Issuer: O = vkcert, CN = vkcert test CA",
            "DNS:node-1.cluster.local, IP Address:10.0.0.7, IP Address:FD00:0:0:0:0:0:0:7",
            "X509v3 Key Usage: critical", "Digital Signature, Key Encipherment", "TLS Web Server Authentication",
            "X509v3 Basic Constraints: critical", "CA:FALSE", "X509v3 Authority Key Identifier", "sha256WithRSAEncryption",
        ] {
            #expect(text.contains(expected), "openssl -text lacks \(expected)")
        }
        // Our own verify and lint agree.
        try await Self.ok(["verify", pki.dir.path("node.pem"), "--ca", pki.dir.path("ca.pem")])
        try await Self.ok(["lint", pki.dir.path("node.pem"), "--node", "node-1", "--ip", "10.0.0.7", "--ip", "fd00::7", "--dns", "node-1.cluster.local"])
        try await Self.ok(["lint", pki.dir.path("node.csr"), "--node", "node-1", "--ip", "10.0.0.7"])
        // The CA is what openssl calls a CA.
        let caText = try await Run.openssl(["x509", "-in", pki.dir.path("ca.pem"), "-noout", "-text"]).stdoutText
        #expect(caText.contains("CA:TRUE") && caText.contains("Certificate Sign, CRL Sign"))
    }

    @Test func selfSignedVerifiesWithPartialChain() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try await Self.ok(["key", "generate", "--out", dir.path("k")])
        try await Self.ok(["cert", "selfsign", "--key", dir.path("k"), "--node", "vk-node", "--ip", "192.0.2.10", "--days", "365", "--out", dir.path("c.pem")])
        let verify = try await Run.openssl(["verify", "-CAfile", dir.path("c.pem"), "-partial_chain", dir.path("c.pem")])
        #expect(verify.status == 0, "\(verify.stdoutText)\(verify.stderrText)")
        let dates = try await Run.openssl(["x509", "-in", dir.path("c.pem"), "-noout", "-startdate", "-enddate", "-dateopt", "iso_8601"]).stdoutText
        #expect(dates.contains("notAfter=\(Calendar.current.component(.year, from: Date()) + 1)-"), "\(dates)")
        try await Self.ok(["verify", dir.path("c.pem"), "--self-signed"])
        try await Self.ok(["lint", dir.path("c.pem"), "--node", "vk-node", "--ip", "192.0.2.10"])
    }

    /// Certificates made by OpenSSL that each break one kubelet-serving rule: lint must fail and name it.
    @Test("lint names the broken rule", arguments: [
        ("/O=system:nodes/CN=node-1", ["-addext", "subjectAltName=IP:10.0.0.7"], "subject-common-name"),
        ("/O=system:masters/CN=system:node:node-1", ["-addext", "subjectAltName=IP:10.0.0.7"], "subject-organization"),
        ("/O=system:nodes/CN=system:node:node-1", ["-addext", "subjectAltName=IP:10.0.0.8"], "san-ip"),
        ("/O=system:nodes/CN=system:node:node-1", ["-addext", "subjectAltName=IP:10.0.0.7,email:a@b.example"], "san-forbidden-type"),
        ("/O=system:nodes/CN=system:node:node-1", ["-addext", "subjectAltName=IP:10.0.0.7", "-addext", "keyUsage=critical,digitalSignature,keyCertSign"], "key-usage"),
        ("/O=system:nodes/CN=system:node:node-1", ["-addext", "subjectAltName=IP:10.0.0.7", "-addext", "extendedKeyUsage=clientAuth"], "extended-key-usage"),
        ("/O=system:nodes/CN=system:node:node-1", ["-addext", "subjectAltName=IP:10.0.0.7", "-addext", "basicConstraints=critical,CA:TRUE"], "basic-constraints"),
        ("/O=system:nodes/CN=system:node:node-1", ["-addext", "subjectAltName=IP:10.0.0.7", "-sha1"], "signature-algorithm"),
        ("/O=system:nodes/CN=system:node:node-1", ["-addext", "subjectAltName=IP:10.0.0.7", "RSA1024"], "key-strength"),
        ("/O=system:nodes/CN=system:node:node-1", ["-addext", "subjectAltName=IP:10.0.0.7", "EXPIRED"], "validity"),
        ("/O=system:nodes/CN=system:node:node-1", ["-addext", "subjectAltName=IP:10.0.0.7", "EXPIRING"], "validity-remaining"),
    ])
    func lintFailsOpenSSLCertificates(subject: String, options: [String], rule: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let bits = options.contains("RSA1024") ? "1024" : "2048"
        var args = ["req", "-x509", "-newkey", "rsa:\(bits)", "-nodes", "-keyout", dir.path("k"), "-out", dir.path("c.pem"), "-subj", subject, "-days", "365"]
        args += options.filter { !["RSA1024", "EXPIRED", "EXPIRING"].contains($0) }
        if !options.contains(where: { $0.hasPrefix("keyUsage") }) { args += ["-addext", "keyUsage=critical,digitalSignature,keyEncipherment"] }
        if !options.contains(where: { $0.hasPrefix("extendedKeyUsage") }) { args += ["-addext", "extendedKeyUsage=serverAuth"] }
        if !options.contains(where: { $0.hasPrefix("basicConstraints") }) { args += ["-addext", "basicConstraints=critical,CA:FALSE"] }
        let made = try await Run.openssl(args)
        try #require(made.status == 0, "\(made.stderrText)")
        var lint = ["lint", dir.path("c.pem"), "--node", "node-1", "--ip", "10.0.0.7", "--json"]
        if options.contains("EXPIRED") { lint += ["--at", "2099-01-01T00:00:00Z"] }
        if options.contains("EXPIRING") {
            // 355 days from now: inside the 30-day warning window, not expired.
            let at = Date().addingTimeInterval(355 * 86_400)
            let formatter = ISO8601DateFormatter()
            lint += ["--at", formatter.string(from: at)]
        }
        let result = try await Run.vkcert(lint)
        let object = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        let findings = object?["findings"] as? [[String: Any]] ?? []
        let rules = findings.map { $0["rule"] as? String ?? "" }
        #expect(rules.contains(rule), "expected rule \(rule), got \(rules)")
        if rule == "validity-remaining" {
            #expect(result.status == 0, "a warning alone must not fail lint")
            #expect(rules == ["validity-remaining"], "\(rules)")
        } else {
            #expect(result.status == 1, "lint must fail: \(result.stdoutText)")
        }
    }

    @Test func inspectReportsEachBrokenItemAndContinues() async throws {
        let pki = try await PKI()
        defer { pki.dir.cleanup() }
        let good = try String(contentsOfFile: pki.dir.path("node.pem"), encoding: .utf8)
        let ca = try String(contentsOfFile: pki.dir.path("ca.pem"), encoding: .utf8)
        // Block 1 is a certificate whose DER is cut short (re-encoded in base64 so the PEM itself is fine).
        let caDER = try await Run.openssl(["x509", "-in", pki.dir.path("ca.pem"), "-outform", "DER"]).stdout
        let truncated = caDER.prefix(caDER.count - 10).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        let bundle = good + "-----BEGIN CERTIFICATE-----\n" + truncated + "\n-----END CERTIFICATE-----\n" + ca
        let file = pki.dir.url.appendingPathComponent("bundle.pem")
        try bundle.write(to: file, atomically: true, encoding: .utf8)
        let result = try await Run.vkcert(["inspect", file.path, pki.dir.path("node.csr"), pki.dir.path("node.key"), "--json"])
        #expect(result.status == 1)
        #expect(result.stderrText.contains("bundle.pem: block 1"), "\(result.stderrText)")
        #expect(result.stderrText.contains("byte offset"), "\(result.stderrText)")
        let array = try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]] ?? []
        #expect(array.map { $0["kind"] as? String ?? "" } == ["certificate", "certificate", "error", "csr", "privateKey"])
        #expect(array[3]["signatureValid"] as? Bool == true)
        #expect(array[4]["format"] as? String == "pkcs8")
        #expect((array[1]["index"] as? Int) == 2)
    }

    @Test func verifyRefusesAForeignCA() async throws {
        let pki = try await PKI()
        defer { pki.dir.cleanup() }
        try await Self.ok(["key", "generate", "--out", pki.dir.path("other.key")])
        try await Self.ok(["cert", "ca", "--key", pki.dir.path("other.key"), "--subject", "CN=vkcert test CA,O=vkcert", "--out", pki.dir.path("other.pem")])
        let result = try await Run.vkcert(["verify", pki.dir.path("node.pem"), "--ca", pki.dir.path("other.pem")])
        #expect(result.status == 1 && result.stdoutText.contains("FAILED"), "\(result.stdoutText)")
        let expired = try await Run.vkcert(["verify", pki.dir.path("node.pem"), "--ca", pki.dir.path("ca.pem"), "--at", "2090-01-01T00:00:00Z"])
        #expect(expired.status == 1 && expired.stdoutText.contains("expired"), "\(expired.stdoutText)")
    }

    @Test func usageErrors() async throws {
        let pki = try await PKI()
        defer { pki.dir.cleanup() }
        let cases: [([String], String)] = [
            (["csr", "create", "--key", pki.dir.path("node.key"), "--node", "Node_1", "--out", pki.dir.path("x")], "--node"),
            (["csr", "create", "--key", pki.dir.path("node.key"), "--node", "n", "--ip", "10.0.0.300", "--out", pki.dir.path("x")], "--ip"),
            (["cert", "ca", "--key", pki.dir.path("node.key"), "--subject", "CN", "--out", pki.dir.path("x")], "--subject"),
            (["cert", "sign", "--csr", pki.dir.path("node.csr"), "--ca-cert", pki.dir.path("ca.pem"), "--ca-key", pki.dir.path("node.key"), "--out", pki.dir.path("x")], "does not belong"),
            (["cert", "sign", "--csr", pki.dir.path("node.pem"), "--ca-cert", pki.dir.path("ca.pem"), "--ca-key", pki.dir.path("ca.key"), "--out", pki.dir.path("x")], "no certificate request"),
            (["verify", pki.dir.path("node.key")], "no certificate"),
            (["lint", pki.dir.path("node.pem"), "--node", "n", "--at", "yesterday"], "--at"),
        ]
        for (arguments, mention) in cases {
            let result = try await Run.vkcert(arguments)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderrText)")
            #expect(result.stderrText.contains(mention), "\(arguments): \(result.stderrText)")
        }
        #expect(!FileManager.default.fileExists(atPath: pki.dir.path("x")))
    }
}
