// SPDX-License-Identifier: Apache-2.0

import VKDER


/// Lints kubelet serving certificates and CSRs against what the Kubernetes `kubernetes.io/kubelet-serving`
/// signer and the API server's node authorizer require, plus key and hygiene rules an auditor expects.
///
/// Rules (errors unless noted):
/// - `subject-common-name`: exactly one CN, `system:node:<node>`;
/// - `subject-organization`: exactly one O, `system:nodes`, and no other attribute types;
/// - `san-ip` / `san-dns`: every expected IP address and DNS name is in the SAN; `san-missing`: there is a SAN;
/// - `san-forbidden-type`: no email, URI or other SAN forms (the signer refuses them);
/// - `key-usage`: digitalSignature present, nothing beyond digitalSignature / keyEncipherment (RSA);
/// - `extended-key-usage`: serverAuth present and alone;
/// - `basic-constraints`: not a CA;
/// - `key-strength`: RSA ≥ 2048 bits or EC ≥ P-256 (Ed25519 warned, Ed448 refused);
/// - `signature-algorithm`: not SHA-1; `signature`: a CSR's self-signature verifies;
/// - `validity`: not expired, not yet valid; `validity-remaining` (warning): under 30 days left;
/// - `serial-number` (warning): zero, negative or longer than 20 octets;
/// - `name-rdn-order` (warning): a multi-valued RDN whose attributes are not in DER SET OF order;
/// - `der-named-bits` is not checked (tolerated at parse).
public struct KubeletLint: Sendable {
    public var node: String
    public var expectedIPs: [[UInt8]]
    public var expectedDNSNames: [String]
    public var now: DERTime
    public var warningWindow: Int64 = 30 * 86_400

    public init(node: String, expectedIPs: [[UInt8]] = [], expectedDNSNames: [String] = [], now: DERTime = .now()) {
        self.node = node
        self.expectedIPs = expectedIPs
        self.expectedDNSNames = expectedDNSNames
        self.now = now
    }

    public func lint(_ cert: Certificate) -> [LintFinding] {
        var findings = lintCommon(subject: cert.subject, key: cert.publicKey, extensions: cert.extensions, signature: cert.signatureAlgorithm, isCSR: false)
        if now > cert.notAfter {
            findings.append(error("validity", "expired at \(cert.notAfter) (now \(now))"))
        } else if now < cert.notBefore {
            findings.append(error("validity", "not valid before \(cert.notBefore) (now \(now))"))
        } else if cert.notAfter.secondsSinceEpoch - now.secondsSinceEpoch < warningWindow {
            let days = (cert.notAfter.secondsSinceEpoch - now.secondsSinceEpoch) / 86_400
            findings.append(warning("validity-remaining", "expires \(cert.notAfter), \(days) day(s) from now (less than 30)"))
        }
        let serial = cert.serialNumber
        if serial.allSatisfy({ $0 == 0 }) {
            findings.append(warning("serial-number", "serial number is zero"))
        } else if serial.first! & 0x80 != 0 {
            findings.append(warning("serial-number", "serial number is negative"))
        }
        if serial.count > 20 { findings.append(warning("serial-number", "serial number is \(serial.count) octets (RFC 5280 allows 20)")) }
        if !cert.validityEncodingIsCanonical {
            findings.append(warning("validity-encoding", "validity uses GeneralizedTime before 2050 or UTCTime outside 1950–2049 (RFC 5280 §4.1.2.5)"))
        }
        return findings
    }

    public func lint(_ csr: CertificateSigningRequest) -> [LintFinding] {
        var findings = lintCommon(subject: csr.subject, key: csr.publicKey, extensions: csr.extensions, signature: csr.signatureAlgorithm, isCSR: true)
        switch csr.signatureVerdict {
        case .valid: break
        case .invalid: findings.append(error("signature", "the request's signature does not verify with its own key"))
        case .unsupported(let what): findings.append(error("signature", "the request's signature cannot be checked: \(what) is not supported"))
        }
        return findings
    }

    private func error(_ rule: String, _ message: String) -> LintFinding { LintFinding(rule: rule, severity: .error, message: message) }
    private func warning(_ rule: String, _ message: String) -> LintFinding { LintFinding(rule: rule, severity: .warning, message: message) }

    private func lintCommon(subject: DistinguishedName, key: CertificatePublicKey, extensions: Extensions, signature: SignatureAlgorithm, isCSR: Bool) -> [LintFinding] {
        var f: [LintFinding] = []
        let expectedCN = "system:node:\(node)"
        let cns = subject.commonNames
        if cns != [expectedCN] {
            f.append(error("subject-common-name", "CN must be exactly \"\(expectedCN)\", found \(cns.isEmpty ? "none" : cns.map { "\"\($0)\"" }.joined(separator: ", "))"))
        }
        let orgs = subject.organizations
        if orgs != ["system:nodes"] {
            f.append(error("subject-organization", "O must be exactly \"system:nodes\", found \(orgs.isEmpty ? "none" : orgs.map { "\"\($0)\"" }.joined(separator: ", "))"))
        }
        if subject.rdns.contains(where: { !$0.isInDEROrder }) {
            f.append(warning("name-rdn-order", "a multi-valued RDN of the subject is not in DER SET OF order (X.690 §11.6); tolerated, and compared by content"))
        }
        let others = subject.rdns.flatMap(\.attributes).map(\.type).filter { $0 != OID.Attribute.commonName && $0 != OID.Attribute.organizationName }
        if let other = others.first {
            f.append(error("subject-organization", "subject has an attribute other than CN and O: \(other.attributeLabel)"))
        }
        let sans = extensions.subjectAlternativeNames ?? []
        if sans.isEmpty { f.append(error("san-missing", "no subjectAltName: clients connect by IP or DNS name and need it in the SAN")) }
        for ip in expectedIPs where !sans.contains(where: { if case .ipAddress(let a) = $0 { Array(a) == ip } else { false } }) {
            f.append(error("san-ip", "IP address \(IPAddressText.format(ip)) is not in the subjectAltName"))
        }
        for dns in expectedDNSNames where !sans.contains(where: { if case .dns(let d) = $0 { d.lowercased() == dns.lowercased() } else { false } }) {
            f.append(error("san-dns", "DNS name \(dns) is not in the subjectAltName"))
        }
        for name in sans {
            switch name {
            case .dns, .ipAddress: continue
            default: f.append(error("san-forbidden-type", "subjectAltName \(name.text) is not allowed for kubelet serving certificates (DNS and IP only)"))
            }
        }
        if let ku = extensions.keyUsage {
            var allowed: KeyUsage = [.digitalSignature]
            if case .rsa = key.kind { allowed.insert(.keyEncipherment) }
            if !ku.contains(.digitalSignature) { f.append(error("key-usage", "keyUsage lacks digitalSignature")) }
            let extra = KeyUsage(rawValue: ku.rawValue & ~allowed.rawValue)
            if !extra.isEmpty { f.append(error("key-usage", "keyUsage has \(extra.names.joined(separator: ", ")), not allowed for kubelet serving")) }
        } else if !isCSR {
            f.append(error("key-usage", "keyUsage is missing (kubelet serving needs digitalSignature, plus keyEncipherment for RSA)"))
        }
        if let eku = extensions.extendedKeyUsage {
            if !eku.contains(OID.KeyPurpose.serverAuth) { f.append(error("extended-key-usage", "extendedKeyUsage lacks serverAuth")) }
            let extra = eku.names.filter { $0 != "serverAuth" }
            if !extra.isEmpty { f.append(error("extended-key-usage", "extendedKeyUsage has \(extra.joined(separator: ", ")); kubelet serving allows serverAuth only")) }
        } else if !isCSR {
            f.append(error("extended-key-usage", "extendedKeyUsage is missing (serverAuth required)"))
        }
        if extensions.basicConstraints?.isCA == true { f.append(error("basic-constraints", "basicConstraints says CA:TRUE; a serving certificate must not be a CA")) }
        switch key.kind {
        case .rsa:
            if let bits = key.bits, bits < 2048 { f.append(error("key-strength", "RSA key of \(bits) bits (at least 2048 required)")) }
        case .ec:
            break  // P-256 and above: every curve vkcert recognises qualifies.
        case .ed25519:
            // Kubernetes' kubelet-serving validation takes any key Go parses (pkg/apis/certificates/helpers.go,
            // ValidateKubeletServingCSR checks subject, SANs and usages only), and Go's TLS clients verify
            // Ed25519; but the kubelet itself uses ECDSA P-256 and some CSR approvers and older clients do not.
            f.append(warning("key-strength", "Ed25519 key: accepted by Kubernetes and Go clients, but not by every approver or client; ECDSA P-256 is what the kubelet uses"))
        case .ed448:
            f.append(error("key-strength", "Ed448 keys cannot be parsed by Go's crypto/x509, so kube-apiserver refuses such CSRs and clients such certificates"))
        case .unsupported(let reason):
            f.append(error("key-strength", reason))
        }
        if signature.hash == .sha1 { f.append(error("signature-algorithm", "signed with SHA-1 (\(signature.name))")) }
        if case .unknown = signature.kind { f.append(error("signature-algorithm", "unknown signature algorithm \(signature.name)")) }
        return f
    }
}
