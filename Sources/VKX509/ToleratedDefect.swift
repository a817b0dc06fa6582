// SPDX-License-Identifier: Apache-2.0

import VKDER

/// A breach of an obligation RFC 5280 (or X.690, X.501, RFC 5758) puts on the *issuer* that the parser
/// tolerates so the object can still be shown, as Go, BoringSSL and webpki tolerate it; the lint's
/// `rfc5280` profile reports every one under its rule, and the chain verifier refuses those that matter
/// to a relying party (see ``ToleratedDefect/Kind/refusedByVerifier``).
///
/// What is *not* here is still a parse error: broken DER framing, a signature algorithm that differs
/// between TBS and outer, non-DER BOOLEANs in the certificate's own fields, bad RSA key parameters,
/// malformed strings other than the `*` below, empty `SIZE (1..MAX)` sequences.
public struct ToleratedDefect: Sendable, Hashable {
    /// The rule each defect is reported under: zlint's lint name where zlint has one (its `e_`/`w_`
    /// prefix states the severity), otherwise a name in zlint's style.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// RFC 5280 §4.1.2.4: the issuer MUST be a non-empty name.
        case issuerEmpty = "e_issuer_field_empty"
        /// RFC 5280 §4.1.2.6: an empty subject needs a subjectAltName …
        case subjectEmptyWithoutSAN = "e_subject_empty_without_san"
        /// … and that subjectAltName MUST be critical.
        case sanNotCriticalWithoutSubject = "e_ext_san_not_critical_without_subject"
        /// X.501: `RelativeDistinguishedName ::= SET SIZE (1..MAX)`; an empty SET (Go and OpenSSL read it).
        case emptyRDN = "e_name_empty_rdn"
        /// RFC 5280 §4.2.2.1: authorityInfoAccess MUST be non-critical.
        case aiaCritical = "e_ext_aia_marked_critical"
        /// RFC 5280 §4.2.1.1: authorityKeyIdentifier MUST be non-critical.
        case akiCritical = "e_ext_authority_key_identifier_critical"
        /// RFC 5280 §4.2.1.2: subjectKeyIdentifier MUST be non-critical.
        case skiCritical = "e_ext_subject_key_identifier_critical"
        /// RFC 5280 §4.2.1.1 (ASN.1 comment): authorityCertIssuer and authorityCertSerialNumber together.
        case akiIssuerSerialMismatch = "e_ext_authority_key_identifier_issuer_serial_mismatch"
        /// RFC 5280 §4.2.1.13: a DistributionPoint MUST NOT consist of only the reasons field.
        case distributionPointIncomplete = "e_distribution_point_incomplete"
        /// X.690 §11.5: basicConstraints encodes the DEFAULT `cA FALSE` (BoringSSL tolerates it: "a lot of
        /// certificates use the broken encoding").
        case basicConstraintsDefaultEncoded = "e_basic_constr_invalid_der"
        /// RFC 5280 §4.2.1.3: at least one keyUsage bit MUST be set.
        case keyUsageWithoutBits = "e_ext_key_usage_without_bits"
        /// RFC 5280 §4.2.1.3: keyUsage has nine bits; bits past decipherOnly are set.
        case keyUsageBitsBeyondDecipherOnly = "e_key_usage_incorrect_length"
        /// X.690 §11.2.2: a named-bit list with trailing zero bits not counted as unused.
        case keyUsageTrailingZeroBits = "e_incorrect_ku_encoding"
        /// … and with whole trailing zero octets.
        case keyUsageTrailingZeroOctets = "e_superfluous_ku_encoding"
        /// RFC 5280 §4.2.1.4: a policy OID MUST NOT appear more than once (the verifier refuses it).
        case duplicatePolicy = "e_ext_cert_policy_duplicate"
        /// RFC 5280 §4.2.1.11: policyConstraints MUST NOT be an empty sequence.
        case policyConstraintsEmpty = "e_ext_policy_constraints_empty"
        /// RFC 5280 §4.2.1.10: maximum MUST be absent (Go parses it and marks the constraint unhandled).
        case nameConstraintMaximum = "e_name_constraint_maximum_not_absent"
        /// RFC 5280 §4.2.1.10: minimum MUST be zero.
        case nameConstraintMinimum = "e_name_constraint_minimum_non_zero"
        /// RFC 5280 §4.2.1.10: at least one of permittedSubtrees and excludedSubtrees MUST be present.
        case nameConstraintEmpty = "e_name_constraint_empty"
        /// A subtree base in a GeneralName form vkcert does not know (Go parses and leaves it unhandled).
        case nameConstraintUnknownForm = "e_name_constraint_unknown_form"
        /// X.680 §41.4: `*` is not in PrintableString (Go allows it for wildcard CNs seen in the wild).
        case printableStringAsterisk = "e_subject_printable_string_badalpha"
        /// RFC 5758 §3.2: ECDSA signature algorithm parameters MUST be absent; explicit NULL seen (mbedTLS and
        /// old encoders; BoringSSL accepts it on purpose, Go ignores it).
        case ecdsaSignatureParameters = "e_ecdsa_signature_parameters_present"
        /// RFC 5280 §4.1.1.3: the signature BIT STRING has unused bits (the verifier refuses it).
        case signatureUnusedBits = "e_signature_value_unused_bits"
        /// RFC 2986 §4.1: a CSR's version is 0 (v1); version 2 was produced by certbot.
        case csrVersion = "e_csr_version_not_v1"

        /// Whether path validation refuses a certificate with this defect. Refused: what changes how a
        /// relying party must read the certificate — empty names without the critical SAN that replaces them,
        /// extensions marked critical against the RFC (x509-limbo expects those chains to fail), duplicate
        /// policies, name and policy constraints that cannot be enforced as written, a signature with unused
        /// bits. Accepted (lint only), as Go and BoringSSL accept them: encodings of DEFAULT values and named
        /// bits, ECDSA NULL parameters, `*` in PrintableString, empty RDN SETs, AKI bookkeeping, CRL
        /// distribution points (vkcert does not fetch CRLs), keyUsage bits vkcert ignores.
        public var refusedByVerifier: Bool {
            switch self {
            case .issuerEmpty, .subjectEmptyWithoutSAN, .sanNotCriticalWithoutSubject, .aiaCritical, .akiCritical, .skiCritical,
                .duplicatePolicy, .nameConstraintEmpty, .nameConstraintMaximum, .nameConstraintMinimum, .nameConstraintUnknownForm,
                .policyConstraintsEmpty, .signatureUnusedBits:
                true
            case .emptyRDN, .akiIssuerSerialMismatch, .distributionPointIncomplete, .basicConstraintsDefaultEncoded,
                .keyUsageWithoutBits, .keyUsageBitsBeyondDecipherOnly, .keyUsageTrailingZeroBits, .keyUsageTrailingZeroOctets,
                .printableStringAsterisk, .ecdsaSignatureParameters, .csrVersion:
                false
            }
        }
    }

    public let kind: Kind
    /// Where: "issuer", "subject", "extensions.authorityInfoAccess", …
    public let field: String
    /// One line saying what was found.
    public let detail: String

    public init(_ kind: Kind, field: String, _ detail: String) {
        self.kind = kind
        self.field = field
        self.detail = detail
    }

    /// `{"rule", "field", "detail"}` as `inspect --json` lists it.
    public var json: JSONValue {
        .object([("rule", .string(kind.rawValue)), ("field", .string(field)), ("detail", .string(detail))])
    }
}
