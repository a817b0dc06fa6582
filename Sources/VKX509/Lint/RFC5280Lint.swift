// SPDX-License-Identifier: Apache-2.0

import VKDER

/// The structural obligations RFC 5280 (with X.690, X.501, RFC 5758, RFC 2986) puts on whoever issued a
/// certificate or CSR: `vkcert lint --profile rfc5280`. Rules are named as zlint names them where zlint has
/// the rule (the prefix gives the severity: `e_` error, `w_` warning, `n_` notice), in zlint's style
/// otherwise.
///
/// Two sources: every ``ToleratedDefect`` the parser recorded (the issuer obligations it tolerates so the
/// object can be shown), and the checks below, which need the parsed object as a whole:
/// - serial: `e_serial_number_not_positive`, `e_serial_number_longer_than_20_octets`;
/// - time encoding: `e_wrong_time_format_pre2050` (GeneralizedTime before 2050 or UTCTime outside 1950–2049);
///   `n_validity_before_1950` (a notice: dates such as year 0000, well encoded, rarely meant);
/// - CA shape: `e_basic_constraints_not_critical`, `e_ext_key_usage_cert_sign_without_ca`,
///   `e_ext_subject_key_identifier_missing_ca`, `e_path_len_constraint_improperly_included`,
///   `e_ext_name_constraints_not_in_ca`, `e_ext_name_constraints_not_critical`;
/// - `e_ext_authority_key_identifier_no_key_identifier` (not self-issued, AKI without keyIdentifier or absent);
/// - `e_cert_unique_identifier_version_not_2_or_3` is a parse error already; `w_cert_unique_identifier_present`;
/// - `w_ext_key_usage_not_critical`; `e_name_rdn_order` (multi-valued RDN not in DER SET OF order);
/// - `w_ext_unknown_critical` (an extension vkcert does not process is critical: verification refuses it);
/// - `e_rsa_key_too_small` (< 2048 bits, as the Kubernetes signers and CA/B Forum require);
/// - `w_signature_sha1`; `n_signature_unsupported` (the algorithm cannot be checked here);
/// - CSRs: `e_csr_signature_invalid` (its self-signature does not verify).
public struct RFC5280Lint: Sendable {
    public init() {}

    public func lint(_ cert: Certificate) -> [LintFinding] {
        var f = cert.defects.map(Self.finding)
        func add(_ rule: String, _ field: String?, _ message: String) {
            f.append(LintFinding(rule: rule, severity: LintFinding.Severity(zlintName: rule), field: field, message: message))
        }
        let serial = cert.serialNumber
        if serial.allSatisfy({ $0 == 0 }) || serial.first.map({ $0 & 0x80 != 0 }) == true {
            add("e_serial_number_not_positive", "serialNumber", "the serial number is \(serial.allSatisfy { $0 == 0 } ? "zero" : "negative") (RFC 5280 §4.1.2.2: a positive integer)")
        }
        if serial.count > 20 {
            add("e_serial_number_longer_than_20_octets", "serialNumber", "the serial number is \(serial.count) octets (RFC 5280 §4.1.2.2: at most 20)")
        }
        if !cert.validityEncodingIsCanonical {
            add("e_wrong_time_format_pre2050", "validity", "validity uses GeneralizedTime before 2050 or UTCTime outside 1950–2049 (RFC 5280 §4.1.2.5)")
        }
        for (field, time) in [("validity.notBefore", cert.notBefore), ("validity.notAfter", cert.notAfter)] where time.components.year < 1950 {
            // Correctly encoded (UTCTime cannot hold it) and parsed like any date; BoringSSL's chain tests use
            // year 0000 for "valid since forever". Worth a look, not an error.
            add("n_validity_before_1950", field, "\(field.dropFirst("validity.".count)) is in year \(time.components.year) (GeneralizedTime, as RFC 5280 §4.1.2.5 requires before 1950)")
        }
        if cert.issuerUniqueID != nil || cert.subjectUniqueID != nil {
            add("w_cert_unique_identifier_present", "uniqueIdentifiers", "unique identifiers are present; RFC 5280 §4.1.2.8 says CAs SHOULD NOT generate them")
        }
        let ext = cert.extensions
        let isCA = ext.basicConstraints?.isCA == true
        if isCA, ext[OID.Extension.basicConstraints]?.critical == false {
            add("e_basic_constraints_not_critical", "extensions.basicConstraints", "a CA certificate's basicConstraints MUST be critical (RFC 5280 §4.2.1.9)")
        }
        if let ku = ext.keyUsage, ku.contains(.keyCertSign), !isCA {
            add("e_ext_key_usage_cert_sign_without_ca", "extensions.keyUsage", "keyCertSign is set but basicConstraints does not say cA TRUE (RFC 5280 §4.2.1.3)")
        }
        if isCA, ext.subjectKeyIdentifier == nil {
            add("e_ext_subject_key_identifier_missing_ca", "extensions", "a CA certificate MUST carry subjectKeyIdentifier (RFC 5280 §4.2.1.2)")
        }
        if let bc = ext.basicConstraints, bc.pathLength != nil, !(bc.isCA && ext.keyUsage?.contains(.keyCertSign) != false) {
            add("e_path_len_constraint_improperly_included", "extensions.basicConstraints", "pathLenConstraint is present although the certificate is not a CA that may sign certificates (RFC 5280 §4.2.1.9)")
        }
        if let nc = ext[OID.Extension.nameConstraints] {
            if !isCA { add("e_ext_name_constraints_not_in_ca", "extensions.nameConstraints", "nameConstraints appears in a certificate that is not a CA (RFC 5280 §4.2.1.10)") }
            if !nc.critical { add("e_ext_name_constraints_not_critical", "extensions.nameConstraints", "nameConstraints MUST be critical (RFC 5280 §4.2.1.10)") }
        }
        if !cert.isSelfIssued {
            if ext.authorityKeyIdentifier?.keyIdentifier == nil {
                add("e_ext_authority_key_identifier_no_key_identifier", "extensions.authorityKeyIdentifier",
                    ext.authorityKeyIdentifier == nil ? "authorityKeyIdentifier is missing (RFC 5280 §4.2.1.1: MUST be included unless self-signed)"
                        : "authorityKeyIdentifier has no keyIdentifier (RFC 5280 §4.2.1.1)")
            }
        }
        if let ku = ext[OID.Extension.keyUsage], !ku.critical {
            add("w_ext_key_usage_not_critical", "extensions.keyUsage", "keyUsage SHOULD be critical (RFC 5280 §4.2.1.3)")
        }
        f += common(subject: cert.subject, key: cert.publicKey, extensions: ext, signature: cert.signatureAlgorithm)
        return f
    }

    public func lint(_ csr: CertificateSigningRequest) -> [LintFinding] {
        var f = csr.defects.map(Self.finding)
        switch csr.signatureVerdict {
        case .valid: break
        case .invalid:
            f.append(LintFinding(rule: "e_csr_signature_invalid", severity: .error, field: "signature", message: "the request's signature does not verify with its own key"))
        case .unsupported(let what):
            f.append(LintFinding(rule: "n_signature_unsupported", severity: .notice, field: "signature", message: "the self-signature cannot be checked here: \(what) is not supported"))
        }
        f += common(subject: csr.subject, key: csr.publicKey, extensions: csr.extensions, signature: csr.signatureAlgorithm)
        return f
    }

    private func common(subject: DistinguishedName, key: CertificatePublicKey, extensions: Extensions, signature: SignatureAlgorithm) -> [LintFinding] {
        var f: [LintFinding] = []
        func add(_ rule: String, _ field: String?, _ message: String) {
            f.append(LintFinding(rule: rule, severity: LintFinding.Severity(zlintName: rule), field: field, message: message))
        }
        if subject.rdns.contains(where: { !$0.isInDEROrder }) {
            add("e_name_rdn_order", "subject", "a multi-valued RDN is not in DER SET OF order (X.690 §11.6); compared by content")
        }
        for oid in extensions.unhandledCritical {
            add("w_ext_unknown_critical", "extensions", "critical extension \(oid.name ?? oid.dotted) is not processed by vkcert: path validation refuses the certificate")
        }
        if case .rsa = key.kind, let bits = key.bits, bits < 2048 {
            add("e_rsa_key_too_small", "subjectPublicKeyInfo", "RSA key of \(bits) bits (at least 2048)")
        }
        if case .unsupported(let reason) = key.kind {
            add("n_key_unsupported", "subjectPublicKeyInfo", "\(reason); the key is shown, not used")
        }
        if signature.hash == .sha1 { add("w_signature_sha1", "signatureAlgorithm", "signed with SHA-1 (\(signature.name))") }
        if case .unknown = signature.kind {
            add("n_signature_unsupported", "signatureAlgorithm", "signature algorithm \(signature.name) is not supported: no signature made with it can be checked here")
        }
        return f
    }

    static func finding(_ defect: ToleratedDefect) -> LintFinding {
        LintFinding(rule: defect.kind.rawValue, severity: LintFinding.Severity(zlintName: defect.kind.rawValue), field: defect.field, message: defect.detail)
    }
}
