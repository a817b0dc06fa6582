// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import VKDER
import VKRSA
import VKX509

package struct CSRCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "csr",
        abstract: "Create PKCS#10 certificate signing requests.",
        subcommands: [Create.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a kubelet-serving CSR (CN=system:node:<node>, O=system:nodes, SAN = --ip/--dns).",
            discussion: "Signed with the key's usual algorithm (sha256WithRSAEncryption, ecdsa-with-SHA256/384, Ed25519); like kubelet's own requests it carries no KU/EKU (they come from spec.usages)."
        )

        @Option(help: "The private key to sign with (RSA, ECDSA P-256/P-384 or Ed25519).")
        var key: String

        @OptionGroup var identity: NodeOptions

        @Option(help: "Where to write the PEM request.")
        var out: String

        func run() throws {
            let (node, ips, dns) = try identity.resolved()
            let privateKey = try LoadedKey.loadPrivate(key)
            let csr = try reportingInputErrors(about: key) {
                try CSRBuilder.kubeletServing(node: node, ipAddresses: ips, dnsNames: dns).sign(with: privateKey)
            }
            try writeOutput(out, Array(csr.pemRepresentation.utf8), mode: 0o644)
        }
    }
}

package struct CertCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Issue certificates: self-signed kubelet serving, a CA, or signed from a CSR.",
        subcommands: [SelfSign.self, CA.self, Sign.self]
    )

    static func validity(days: Int) throws -> (DERTime, DERTime) {
        guard (1...36_500).contains(days) else { throw CLIFailure.input("--days must be between 1 and 36500, not \(days)") }
        let now = DERTime.now()
        // Backdated five minutes, as the Kubernetes signer does, to tolerate clock skew.
        return (now.adding(seconds: -300), now.adding(seconds: Int64(days) * 86_400))
    }

    struct SelfSign: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "selfsign",
            abstract: "Self-signed kubelet serving certificate (KU digitalSignature, plus keyEncipherment for RSA; EKU serverAuth; CA:false)."
        )

        @Option(help: "The private key (RSA, ECDSA P-256/P-384 or Ed25519).")
        var key: String

        @OptionGroup var identity: NodeOptions

        @Option(help: "Validity in days.")
        var days = 365

        @Option(help: "Where to write the PEM certificate.")
        var out: String

        func run() throws {
            let (node, ips, dns) = try identity.resolved()
            let privateKey = try LoadedKey.loadPrivate(key)
            let (notBefore, notAfter) = try CertCommand.validity(days: days)
            try reportingInputErrors(about: key) {
                let publicKey = privateKey.publicKey
                var builder = CertificateBuilder(subject: .kubeletNode(node), publicKey: publicKey, notBefore: notBefore, notAfter: notAfter)
                builder.addSubjectAltNames(dns.map { .dns($0) } + ips.map { .ipAddress($0[...]) })
                CertificateProfile.kubeletServing.apply(to: &builder, authorityKeyIdentifier: CertificateBuilder.keyIdentifier(publicKey))
                let cert = try builder.selfSign(with: privateKey)
                try writeOutput(out, Array(cert.pemRepresentation.utf8), mode: 0o644)
            }
        }
    }

    struct CA: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ca",
            abstract: "Self-signed CA certificate (CA:true critical, KU keyCertSign+cRLSign+digitalSignature, SKI)."
        )

        @Option(help: "The CA's private key (RSA, ECDSA P-256/P-384 or Ed25519).")
        var key: String

        @Option(help: "Subject, most specific first: \"CN=My CA,O=Example,C=DE\".")
        var subject: String

        @Option(help: "Validity in days.")
        var days = 3650

        @Option(help: "Where to write the PEM certificate.")
        var out: String

        func run() throws {
            let name: DistinguishedName
            do {
                name = try DistinguishedName(parsing: subject)
            } catch let error as X509Error {
                throw CLIFailure.input("--subject: \(error.reason)")
            }
            let privateKey = try LoadedKey.loadPrivate(key)
            let (notBefore, notAfter) = try CertCommand.validity(days: days)
            try reportingInputErrors(about: key) {
                var builder = CertificateBuilder(subject: name, publicKey: privateKey.publicKey, notBefore: notBefore, notAfter: notAfter)
                CertificateProfile.ca.apply(to: &builder, authorityKeyIdentifier: nil)
                let cert = try builder.selfSign(with: privateKey)
                try writeOutput(out, Array(cert.pemRepresentation.utf8), mode: 0o644)
            }
        }
    }

    enum ProfileOption: String, ExpressibleByArgument, CaseIterable {
        case kubeletServing = "kubelet-serving"
        case client
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sign",
            abstract: "Issue a certificate for a CSR with a CA certificate and key.",
            discussion: """
                The CSR's signature must verify and the CA key must match the CA certificate, which must be a \
                CA within its validity period. Subject and SANs come from the CSR; KU/EKU/basicConstraints from \
                --profile; SKI and AKI are set. As the Kubernetes signer does, notAfter never passes the CA's own \
                notAfter: it is clamped, with a warning on stderr.
                """
        )

        @Option(help: "The certificate signing request (PEM or DER).")
        var csr: String

        @Option(name: .customLong("ca-cert"), help: "The CA certificate.")
        var caCert: String

        @Option(name: .customLong("ca-key"), help: "The CA's private key (RSA, ECDSA P-256/P-384 or Ed25519).")
        var caKey: String

        @Option(help: "Validity in days.")
        var days = 365

        @Option(help: "kubelet-serving (serverAuth) or client (clientAuth).")
        var profile: ProfileOption = .kubeletServing

        @Option(help: "Where to write the PEM certificate.")
        var out: String

        func run() throws {
            let csrBytes = try readInput(csr, what: "CSR file")
            let (items, errors) = loadItems(csr, bytes: csrBytes)
            if let first = errors.first { throw CLIFailure.input(first) }
            guard case .csr(let request)? = items.first?.1 else { throw CLIFailure.input("\(csr): holds no certificate request") }
            switch request.signatureVerdict {
            case .valid: break
            case .invalid: throw CLIFailure.input("\(csr): the request's signature does not verify")
            case .unsupported(let what): throw CLIFailure.input("\(csr): the request's signature cannot be checked (\(what) is not supported)")
            }
            let ca = try loadCertificates(caCert)[0]
            let key = try LoadedKey.loadPrivate(caKey)
            guard ca.publicKey.spki == key.publicKey.spki else {
                throw CLIFailure.input("\(caKey): this key does not belong to the CA certificate \(caCert)")
            }
            guard ca.extensions.basicConstraints?.isCA == true else { throw CLIFailure.input("\(caCert): not a CA certificate (basicConstraints cA is not TRUE)") }
            var (notBefore, notAfter) = try CertCommand.validity(days: days)
            // As kube-controller-manager's signer (PermissiveSigningPolicy.apply): an expired issuer signs
            // nothing, and no certificate outlives its issuer.
            guard notBefore < ca.notAfter, DERTime.now() < ca.notAfter else {
                throw CLIFailure.input("\(caCert): the signer has expired (notAfter \(ca.notAfter)); refusing to issue")
            }
            guard ca.notBefore <= DERTime.now() else {
                throw CLIFailure.input("\(caCert): the signer is not valid yet (notBefore \(ca.notBefore)); refusing to issue")
            }
            if notAfter > ca.notAfter {
                notAfter = ca.notAfter
                printError("vkcert: warning: notAfter clamped to the issuer's notAfter \(ca.notAfter) (\(caCert)); --days \(days) would outlive the CA")
            }
            try reportingInputErrors(about: csr) {
                var builder = CertificateBuilder(subject: request.subject, publicKey: request.publicKey, notBefore: notBefore, notAfter: notAfter)
                builder.addSubjectAltNames(request.extensions.subjectAlternativeNames ?? [])
                let authorityKeyID = ca.extensions.subjectKeyIdentifier.map(Array.init) ?? CertificateBuilder.keyIdentifier(ca.publicKey)
                (profile == .client ? CertificateProfile.client : .kubeletServing).apply(to: &builder, authorityKeyIdentifier: authorityKeyID)
                let cert = try builder.sign(issuer: ca.subject, issuerKey: key)
                try writeOutput(out, Array(cert.pemRepresentation.utf8), mode: 0o644)
            }
        }
    }
}
