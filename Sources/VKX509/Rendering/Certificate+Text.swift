// SPDX-License-Identifier: Apache-2.0

import VKDER

/// Readable text in the spirit of `openssl x509 -text`: the same sections and names, without the hex
/// dumps of moduli and signatures (fingerprints identify the objects).
enum TextRendering {
    static func extensionLines(_ extensions: Extensions) -> [String] {
        var lines: [String] = []
        for ext in extensions.all {
            lines.append("        \(ext.name ?? ext.oid.dotted):\(ext.critical ? " critical" : "")")
            lines.append(contentsOf: describe(ext, extensions).map { "            " + $0 })
        }
        return lines
    }

    static func describe(_ ext: Extension, _ all: Extensions) -> [String] {
        switch ext.oid {
        case OID.Extension.basicConstraints:
            guard let bc = all.basicConstraints else { return [] }
            return ["CA:\(bc.isCA ? "TRUE" : "FALSE")" + (bc.pathLength.map { ", pathlen:\($0)" } ?? "")]
        case OID.Extension.keyUsage: return [all.keyUsage?.names.joined(separator: ", ") ?? ""]
        case OID.Extension.extendedKeyUsage: return [all.extendedKeyUsage?.names.joined(separator: ", ") ?? ""]
        case OID.Extension.subjectAltName: return [(all.subjectAlternativeNames ?? []).map(\.text).joined(separator: ", ")]
        case OID.Extension.subjectKeyIdentifier: return [colonHex(all.subjectKeyIdentifier ?? [])]
        case OID.Extension.authorityKeyIdentifier:
            guard let aki = all.authorityKeyIdentifier else { return [] }
            var out: [String] = []
            if let id = aki.keyIdentifier { out.append("keyid:" + colonHex(id)) }
            if let issuer = aki.authorityCertIssuer { out.append("issuer:" + issuer.map(\.text).joined(separator: ", ")) }
            if let serial = aki.authorityCertSerialNumber { out.append("serial:" + colonHex(serial)) }
            return out
        case OID.Extension.crlDistributionPoints:
            return (all.crlDistributionPoints ?? []).flatMap { ($0.fullName ?? []).map { "Full Name: \($0.text)" } }
        case OID.Extension.authorityInfoAccess:
            return (all.authorityInformationAccess ?? []).map { "\($0.method.name ?? $0.method.dotted) - \($0.location.text)" }
        case OID.Extension.certificatePolicies:
            return (all.certificatePolicies ?? []).map { "Policy: \($0.identifier.dotted)" }
        case OID.Extension.nameConstraints:
            guard let nc = all.nameConstraints else { return [] }
            return nc.permitted.map { "Permitted: \($0.text)" } + nc.excluded.map { "Excluded: \($0.text)" }
        default:
            return ["<\(ext.value.count) bytes> " + Hex.encode(ext.value.prefix(32)) + (ext.value.count > 32 ? "…" : "")]
        }
    }

    static func colonHex(_ bytes: some Collection<UInt8>) -> String {
        bytes.map { hexByte($0) }.joined(separator: ":")
    }

    /// What the parser tolerated, so a reader of the text sees it without running lint.
    static func defectLines(_ defects: [ToleratedDefect]) -> [String] {
        guard !defects.isEmpty else { return [] }
        return ["    Tolerated defects (issuer obligations; `vkcert lint` reports them):"]
            + defects.map { "        [\($0.kind.rawValue)] \($0.field): \($0.detail)\($0.kind.refusedByVerifier ? " — verification refuses it" : "")" }
    }

    static func keyLines(_ key: CertificatePublicKey) -> [String] {
        var lines = ["        Public Key Algorithm: \(key.algorithmName)"]
        if let bits = key.bits { lines.append("            Public-Key: (\(bits) bit)") }
        if let e = key.rsaExponent { lines.append("            Exponent: \(e) (0x\(String(e, radix: 16)))") }
        if let curve = key.curve { lines.append("            ASN1 OID: \(curve.rawValue)") }
        if case .unsupported(let reason) = key.kind { lines.append("            (\(reason))") }
        return lines
    }
}

extension Certificate {
    /// A readable multi-line description.
    public var text: String {
        var lines = [
            "Certificate:",
            "    Version: \(version) (0x\(version - 1))",
            "    Serial Number: \(serialHex)",
            "    Signature Algorithm: \(signatureAlgorithm.name)",
            "    Issuer: \(issuer.rfc2253)",
            "    Validity",
            "        Not Before: \(notBefore)",
            "        Not After : \(notAfter)",
            "    Subject: \(subject.rfc2253)",
            "    Subject Public Key Info:",
        ]
        lines += TextRendering.keyLines(publicKey)
        if !extensions.all.isEmpty {
            lines.append("    X509v3 extensions:")
            lines += TextRendering.extensionLines(extensions)
        }
        lines.append("    SHA256 Fingerprint: \(TextRendering.colonHex(fingerprintSHA256))")
        lines.append("    Self-signed: \(isSelfIssued && isSelfSigned ? "yes" : "no")")
        lines += TextRendering.defectLines(defects)
        return lines.joined(separator: "\n") + "\n"
    }
}

extension CertificateSigningRequest {
    public var text: String {
        var lines = [
            "Certificate Request:",
            "    Subject: \(subject.rfc2253)",
            "    Subject Public Key Info:",
        ]
        lines += TextRendering.keyLines(publicKey)
        if !extensions.all.isEmpty {
            lines.append("    Requested Extensions:")
            lines += TextRendering.extensionLines(extensions)
        }
        lines.append("    Signature Algorithm: \(signatureAlgorithm.name)")
        lines.append("    Signature: \(signatureVerdict == .valid ? "valid" : signatureVerdict == .invalid ? "INVALID" : "unsupported (cannot be checked)")")
        lines += TextRendering.defectLines(defects)
        return lines.joined(separator: "\n") + "\n"
    }
}
