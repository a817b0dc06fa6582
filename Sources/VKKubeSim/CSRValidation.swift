// SPDX-License-Identifier: Apache-2.0

import VKDER
import FoundationEssentials
import Glibc
import VKKubeAPI
import VKX509

/// The apiserver's CSR validation (k8s pkg/apis/certificates/validation), with its messages.
enum CSRValidation {
    static let keyUsages: Set<String> = [
        "signing", "digital signature", "content commitment", "key encipherment", "key agreement", "data encipherment",
        "cert sign", "crl sign", "encipher only", "decipher only", "any",
    ]
    static let extendedUsages: Set<String> = [
        "server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system", "ipsec tunnel",
        "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc",
    ]
    static let supportedUsagesList = (keyUsages.union(extendedUsages)).sorted().map { "\"\($0)\"" }.joined(separator: ", ")

    typealias Cause = APIStatus.Cause

    static func required(_ field: String) -> Cause { Cause(reason: "FieldValueRequired", message: "Required value", field: field) }
    static func invalid(_ field: String, _ value: String, _ detail: String) -> Cause {
        Cause(reason: "FieldValueInvalid", message: "Invalid value: \(value): \(detail)", field: field)
    }

    /// Create-time checks on spec and metadata.
    static func validateCreate(_ csr: CertificateSigningRequestObject) -> [Cause] {
        var causes: [Cause] = []
        // spec.request: a PEM CERTIFICATE REQUEST whose signature verifies.
        let request = [UInt8](csr.spec.request)
        do {
            let block = try PEM.decodeAll(request)[0]
            guard block.label == PEM.Label.certificateRequest else {
                throw X509Error(.invalidField, "PEM block type must be CERTIFICATE REQUEST")
            }
            let parsed = try CertificateSigningRequest(derEncoded: block.der)
            guard parsed.isSignatureValid else { throw X509Error(.badSignature, "x509: ECDSA verification failure") }
        } catch let error as X509Error {
            causes.append(invalid("spec.request", "[]byte{...}", error.reason))
        } catch {
            causes.append(invalid("spec.request", "[]byte{...}", "\(error)"))
        }
        // spec.usages
        let usages = csr.spec.usages ?? []
        if usages.isEmpty { causes.append(required("spec.usages")) }
        var seen = Set<String>()
        for (i, usage) in usages.enumerated() {
            if !keyUsages.contains(usage) && !extendedUsages.contains(usage) {
                causes.append(Cause(reason: "FieldValueNotSupported", message: "Unsupported value: \"\(usage)\": supported values: \(supportedUsagesList)", field: "spec.usages[\(i)]"))
            }
            if !seen.insert(usage).inserted {
                causes.append(Cause(reason: "FieldValueDuplicate", message: "Duplicate value: \"\(usage)\"", field: "spec.usages[\(i)]"))
            }
        }
        // spec.signerName
        if let signer = csr.spec.signerName, !signer.isEmpty {
            if signer == "kubernetes.io/legacy-unknown" {
                causes.append(invalid("spec.signerName", "\"\(signer)\"", "the legacy signerName is not allowed via this API version"))
            } else if !isQualifiedSignerName(signer) {
                causes.append(invalid("spec.signerName", "\"\(signer)\"", "must be a fully qualified domain and path of the form 'example.com/signer-name'"))
            }
        } else {
            causes.append(required("spec.signerName"))
        }
        if let seconds = csr.spec.expirationSeconds, seconds < 600 {
            causes.append(invalid("spec.expirationSeconds", String(seconds), "may not specify a duration less than 600 seconds (10 minutes)"))
        }
        return causes
    }

    /// `domain/path`: the domain a DNS-1123 subdomain (≤ 253), the whole ≤ 571.
    static func isQualifiedSignerName(_ name: String) -> Bool {
        guard name.count <= 571, let slash = name.firstIndex(of: "/") else { return false }
        let domain = name[..<slash]
        let path = name[name.index(after: slash)...]
        guard !path.isEmpty, domain.count <= 253 else { return false }
        return domain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        }
    }

    /// Condition rules shared by every update: types and statuses present, Approved/Denied/Failed "True",
    /// Approved and Denied exclusive, no duplicate types, no removal of an existing condition.
    static func validateConditions(old: [CSRCondition], new: [CSRCondition]) -> [Cause] {
        var causes: [Cause] = []
        var types = Set<String>()
        for (i, c) in new.enumerated() {
            if c.type.isEmpty { causes.append(required("status.conditions[\(i)].type")) }
            if c.status.isEmpty { causes.append(required("status.conditions[\(i)].status")) }
            if [CSRCondition.approved, CSRCondition.denied, CSRCondition.failed].contains(c.type) && !c.status.isEmpty && c.status != "True" {
                causes.append(Cause(reason: "FieldValueNotSupported", message: "Unsupported value: \"\(c.status)\": supported values: \"True\"", field: "status.conditions[\(i)].status"))
            }
            if !types.insert(c.type).inserted {
                causes.append(Cause(reason: "FieldValueDuplicate", message: "Duplicate value: \"\(c.type)\"", field: "status.conditions[\(i)].type"))
            }
        }
        if types.contains(CSRCondition.approved) && types.contains(CSRCondition.denied) {
            causes.append(Cause(reason: "FieldValueInvalid", message: "Invalid value: \"Approved\": Approved and Denied conditions are mutually exclusive", field: "status.conditions"))
        }
        for c in old where !new.contains(where: { $0.type == c.type }) {
            causes.append(Cause(reason: "FieldValueForbidden", message: "Forbidden: updates may not remove a condition of type \"\(c.type)\"", field: "status.conditions"))
        }
        return causes
    }

    /// `status.certificate`: one or more CERTIFICATE blocks, no headers, each a parsable certificate.
    static func validateCertificate(_ data: Data) -> [Cause] {
        guard !data.isEmpty else { return [] }
        do {
            let blocks = try PEM.decodeAll([UInt8](data))
            for block in blocks {
                guard block.label == PEM.Label.certificate else {
                    return [invalid("status.certificate", "<certificate data>", "only CERTIFICATE PEM blocks are allowed, found \"\(block.label)\"")]
                }
                _ = try Certificate(derEncoded: block.der)
            }
        } catch let error as DERError where error.code == .noPEMBlock {
            return [invalid("status.certificate", "<certificate data>", "must contain at least one CERTIFICATE PEM block")]
        } catch {
            return [invalid("status.certificate", "<certificate data>", "\(error)")]
        }
        return []
    }
}
