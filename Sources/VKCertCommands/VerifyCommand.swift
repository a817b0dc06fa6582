// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import VKFileIO
import VKX509

package struct VerifyCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Build and validate a certificate chain (RFC 5280 basics, name constraints, signatures).",
        discussion: """
            CERT may hold the leaf followed by intermediates. Trust anchors come from --ca, or with \
            --self-signed the certificate itself (whose self-signature must verify); otherwise the \
            system bundle ($SSL_CERT_FILE or /etc/ssl/certs/ca-certificates.crt).

            As OpenSSL does by default, only the self-signed certificates of a bundle are trust \
            anchors; the others serve as intermediates, so the path runs up to a self-signed root and \
            every CA's constraints on the way apply (a root's name constraints cannot be skipped by \
            listing its intermediate). --partial-chain makes every listed certificate an anchor \
            (OpenSSL's -partial_chain).

            Path building is bounded: at most 100 signature checks, 64 complete candidate paths and \
            10 certificates per path; --json reports the counts. Exit status 0 valid, 1 invalid, \
            2 input error.
            """
    )

    @Argument(help: "Certificate file (leaf first, then any intermediates).")
    var cert: String

    @Option(help: "Trust anchors (PEM bundle).")
    var ca: String?

    @Flag(name: .customLong("self-signed"), help: "Trust the certificate itself (for self-signed serving certificates).")
    var selfSigned = false

    @Flag(name: .customLong("partial-chain"), help: "Treat every certificate of the trust bundle as an anchor, self-signed or not.")
    var partialChain = false

    @Option(help: "Validate at this RFC 3339 time instead of now.")
    var at: String?

    @Flag(help: "Print JSON.")
    var json = false

    package func run() throws {
        let certificates = try loadCertificates(cert)
        let leaf = certificates[0]
        var anchors: [Certificate] = []
        var intermediates = Array(certificates.dropFirst())
        if selfSigned { anchors.append(leaf) }
        var bundle: [Certificate] = []
        if let ca {
            bundle = try loadCertificates(ca)
        } else if !selfSigned {
            bundle = try loadCertificates(ProcessEnvironment.value("SSL_CERT_FILE") ?? "/etc/ssl/certs/ca-certificates.crt")
        }
        for candidate in bundle {
            if partialChain || (candidate.isSelfIssued && candidate.isSelfSigned) {
                anchors.append(candidate)
            } else {
                intermediates.append(candidate)
            }
        }
        let policy = ChainVerifier.Policy(time: try parseTime(at))
        var outcome = ChainVerifier(trustAnchors: anchors, intermediates: intermediates).verify(leaf, policy: policy)
        if selfSigned, outcome.chain == [leaf], !leaf.isSelfSigned {
            // Trusting the certificate itself trusts its key, not bytes someone may have altered.
            outcome = outcome.failing("the self-signature does not verify with the certificate's own key")
        }
        if json {
            print(JSONValue.object([
                ("file", .string(cert)), ("valid", .bool(outcome.isValid)),
                ("chain", .array(outcome.chain.map { .string($0.subject.rfc2253) })),
                ("error", JSONValue(outcome.failure)),
                ("signatureChecks", .int(outcome.signatureChecks)), ("candidatePaths", .int(outcome.candidatePaths)),
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
