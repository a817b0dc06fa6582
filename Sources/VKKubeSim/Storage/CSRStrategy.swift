// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import VKKubeAPI

extension CertificateSigningRequestObject: StoredObject {}

/// certificates.k8s.io/v1 CertificateSigningRequests as the apiserver's registry treats them
/// (pkg/registry/certificates/certificates/strategy.go: csrStrategy, csrStatusStrategy,
/// csrApprovalStrategy; validation in pkg/apis/certificates/validation): cluster-scoped, any name,
/// `spec.signerName` as a field label; on create the status is wiped (the requester's identity is stamped
/// by CSRStore, which knows the user); a PUT on the object changes metadata only; `/status` and
/// `/approval` are transforms with their own rules.
enum CSRStrategy {
    static let strategy: ResourceStrategy<CertificateSigningRequestObject> = {
        var strategy = ResourceStrategy<CertificateSigningRequestObject>(
            resource: "certificatesigningrequests", group: "certificates.k8s.io", kind: "CertificateSigningRequest", namespaced: false,
            prepareForCreate: { csr in
                csr.kind = "CertificateSigningRequest"
                csr.apiVersion = "certificates.k8s.io/v1"
                csr.status = CSRStatus()
            },
            // csrStrategy.PrepareForUpdate: spec and status are kept from storage.
            prepareForUpdate: { csr, old in
                let (labels, annotations) = (csr.metadata.labels, csr.metadata.annotations)
                let meta = csr.metadata
                csr = old
                csr.metadata.labels = labels
                csr.metadata.annotations = annotations
                csr.metadata.name = meta.name
            },
            validateCreate: { CSRValidation.validateCreate($0) },
            validateUpdate: { _, _ in [] }
        )
        strategy.nameRule = .unchecked
        strategy.fieldValue = { csr, field in field == "spec.signerName" ? (csr.spec.signerName ?? "") : nil }
        return strategy
    }()

    /// csrApprovalStrategy: only the conditions are taken (timestamps filled), spec and certificate kept.
    static func approval(now: Date) -> (_ old: CertificateSigningRequestObject, _ new: CertificateSigningRequestObject) throws(APIStatus) -> CertificateSigningRequestObject {
        { (old, new) throws(APIStatus) in
            var result = old
            let conditions = stampConditions(new.status?.conditions ?? [], old: old.status?.conditions ?? [], now: now)
            let causes = CSRValidation.validateConditions(old: old.status?.conditions ?? [], new: conditions)
            guard causes.isEmpty else { throw APIStatus.invalid(old.metadata.name ?? "", causes) }
            result.status = CSRStatus(conditions: conditions, certificate: old.status?.certificate)
            result.metadata.labels = new.metadata.labels ?? old.metadata.labels
            result.metadata.annotations = new.metadata.annotations ?? old.metadata.annotations
            return result
        }
    }

    /// csrStatusStrategy: spec kept; Approved/Denied may not be added or changed, Failed may be added, the
    /// certificate may be set once (ValidateCertificateSigningRequestStatusUpdate).
    static func status(now: Date) -> (_ old: CertificateSigningRequestObject, _ new: CertificateSigningRequestObject) throws(APIStatus) -> CertificateSigningRequestObject {
        { (old, new) throws(APIStatus) in
            var result = old
            let oldConditions = old.status?.conditions ?? []
            let conditions = stampConditions(new.status?.conditions ?? [], old: oldConditions, now: now)
            var causes = CSRValidation.validateConditions(old: oldConditions, new: conditions)
            for type in [CSRCondition.approved, CSRCondition.denied] {
                let before = oldConditions.first { $0.type == type }
                let after = conditions.first { $0.type == type }
                if before == nil && after != nil {
                    causes.append(.init(reason: "FieldValueForbidden", message: "Forbidden: updates may not add a condition of type \"\(type)\"", field: "status.conditions"))
                } else if let before, let after, before.status != after.status || before.reason != after.reason || before.message != after.message {
                    causes.append(.init(reason: "FieldValueForbidden", message: "Forbidden: updates may not modify a condition of type \"\(type)\"", field: "status.conditions"))
                }
            }
            let oldCertificate = old.status?.certificate ?? Data()
            let newCertificate = new.status?.certificate ?? Data()
            if !oldCertificate.isEmpty && newCertificate != oldCertificate {
                causes.append(.init(reason: "FieldValueForbidden", message: "Forbidden: updates may not modify existing certificate content", field: "status.certificate"))
            }
            causes += CSRValidation.validateCertificate(newCertificate)
            guard causes.isEmpty else { throw APIStatus.invalid(old.metadata.name ?? "", causes) }
            result.status = CSRStatus(conditions: conditions, certificate: newCertificate.isEmpty ? nil : newCertificate)
            return result
        }
    }

    /// Fills missing timestamps: lastUpdateTime = now when zero; lastTransitionTime copied from an old
    /// condition with the same type and status, else now.
    static func stampConditions(_ conditions: [CSRCondition], old: [CSRCondition], now: Date) -> [CSRCondition] {
        conditions.map { c in
            var c = c
            if c.lastUpdateTime == nil { c.lastUpdateTime = now }
            if c.lastTransitionTime == nil {
                c.lastTransitionTime = old.first { $0.type == c.type && $0.status == c.status }?.lastTransitionTime ?? now
            }
            return c
        }
    }
}
