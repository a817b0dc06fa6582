// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import FileIO
import X509

package struct VerifyCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Build and validate a certificate chain (RFC 5280 basics, name constraints, signatures).",
        discussion: """
            CERT may hold the leaf followed by intermediates. Trust anchors come from --ca, or with \
            --self-signed the certificate itself; otherwise the system bundle ($SSL_CERT_FILE or \
            /etc/ssl/certs/ca-certificates.crt). Exit status 0 valid, 1 invalid, 2 input error.
            """
    )

    @Argument(help: "Certificate file (leaf first, then any intermediates).")
    var cert: String

    @Option(help: "Trust anchors (PEM bundle).")
    var ca: String?

    @Flag(name: .customLong("self-signed"), help: "Trust the certificate itself (for self-signed serving certificates).")
    var selfSigned = false

    @Option(help: "Validate at this RFC 3339 time instead of now.")
    var at: String?

    @Flag(help: "Print JSON.")
    var json = false

    package func run() throws {
        let certificates = try loadCertificates(cert)
        let leaf = certificates[0]
        var anchors: [Certificate] = []
        if selfSigned { anchors.append(leaf) }
        if let ca {
            anchors += try loadCertificates(ca)
        } else if !selfSigned {
            let system = ProcessEnvironment.value("SSL_CERT_FILE") ?? "/etc/ssl/certs/ca-certificates.crt"
            anchors += try loadCertificates(system)
        }
        let policy = ChainVerifier.Policy(time: try parseTime(at))
        let outcome = ChainVerifier(trustAnchors: anchors, intermediates: Array(certificates.dropFirst())).verify(leaf, policy: policy)
        if json {
            print(JSONValue.object([
                ("file", .string(cert)), ("valid", .bool(outcome.isValid)),
                ("chain", .array(outcome.chain.map { .string($0.subject.rfc2253) })),
                ("error", JSONValue(outcome.failure)),
            ]).serialized())
        } else if outcome.isValid {
            print("OK: \(cert)")
            for (i, c) in outcome.chain.enumerated() { print("  \(i): \(c.subject.rfc2253)") }
        } else {
            print("FAILED: \(cert): \(outcome.failure ?? "invalid")")
        }
        if !outcome.isValid { throw ExitCode(1) }
    }
}
