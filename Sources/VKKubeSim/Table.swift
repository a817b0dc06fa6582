// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI

/// `meta.k8s.io/v1` Table rendering of CSRs as the apiserver's printers produce it (columns NAME, AGE,
/// SIGNERNAME, REQUESTOR, REQUESTEDDURATION, CONDITION), computed at request time.
enum CSRTable {
    static var columns: [[String: Any]] { [
        ["name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a namespace.", "priority": 0],
        ["name": "Age", "type": "string", "format": "", "description": "CreationTimestamp is a timestamp representing the server time when this object was created.", "priority": 0],
        ["name": "SignerName", "type": "string", "format": "", "description": "Requested signer for the request.", "priority": 0],
        ["name": "Requestor", "type": "string", "format": "", "description": "Name of the user which created the request.", "priority": 0],
        ["name": "RequestedDuration", "type": "string", "format": "", "description": "Requested duration of the certificate.", "priority": 0],
        ["name": "Condition", "type": "string", "format": "", "description": "Approval and issuance state.", "priority": 0],
    ] }

    static func condition(_ csr: CertificateSigningRequestObject) -> String {
        var text = csr.isDenied ? "Denied" : (csr.isApproved ? "Approved" : "Pending")
        if csr.isFailed { text += ",Failed" }
        if csr.isIssued { text += ",Issued" }
        return text
    }

    static func row(_ csr: CertificateSigningRequestObject, now: Date) -> [String: Any] {
        let age = csr.metadata.creationTimestamp.map { humanDuration(now.timeIntervalSince($0)) } ?? "<unknown>"
        let cells: [Any] = [
            csr.metadata.name ?? "", age, csr.spec.signerName ?? "<none>", csr.spec.username ?? "",
            csr.spec.expirationSeconds.map { humanDuration(TimeInterval($0)) } ?? "<none>", condition(csr),
        ]
        var metadata: [String: Any] = ["name": csr.metadata.name ?? "", "resourceVersion": csr.metadata.resourceVersion ?? ""]
        if let uid = csr.metadata.uid { metadata["uid"] = uid }
        if let created = csr.metadata.creationTimestamp { metadata["creationTimestamp"] = KubeJSON.format(created) }
        return ["cells": cells, "object": ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata]]
    }

    static func table(_ items: [CertificateSigningRequestObject], resourceVersion: String, now: Date) -> Data {
        let object: [String: Any] = [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": ["resourceVersion": resourceVersion],
            "columnDefinitions": columns, "rows": items.map { row($0, now: now) },
        ]
        return (try? AnyJSON.data(object)) ?? Data()
    }

    /// apimachinery `duration.HumanDuration`.
    static func humanDuration(_ interval: TimeInterval) -> String {
        // Clamped before the conversion: Int(_:) traps on a non-finite or out-of-range Double.
        let seconds = interval.isFinite ? Int(max(min(interval, 1e15), -1e15)) : -2
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { let s = seconds % 60; return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 { let m = minutes % 60; return m == 0 ? "\(hours)h" : "\(hours)h\(m)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 192 { let h = hours % 24; return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h" }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 { let d = (hours / 24) % 365; return d == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(d)d" }
        return "\(hours / 24 / 365)y"
    }
}

/// The discovery, version and OpenAPI documents kubectl 1.32 needs (legacy JSON discovery).
enum Discovery {
    static let version = #"{"major":"1","minor":"32","gitVersion":"v1.32.4","gitCommit":"0","gitTreeState":"clean","buildDate":"2025-01-01T00:00:00Z","goVersion":"go1.23","compiler":"gc","platform":"linux/amd64"}"#

    static func api(_ address: String) -> String {
        #"{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"\#(address)"}]}"#
    }

    static let apiV1 = #"{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace","verbs":["create","delete","get","list"],"shortNames":["ns"]},{"name":"secrets","singularName":"secret","namespaced":true,"kind":"Secret","verbs":["create","delete","deletecollection","get","list","patch","update","watch"]}]}"#

    /// The API groups: rbac.authorization.k8s.io only when the emulator authorizes with RBAC.
    static func apis(rbac: Bool) -> String { rbac ? apisWithRBAC : apisWithoutRBAC }

    static let apisWithRBAC = #"{"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"certificates.k8s.io","versions":[{"groupVersion":"certificates.k8s.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"certificates.k8s.io/v1","version":"v1"}},{"name":"authorization.k8s.io","versions":[{"groupVersion":"authorization.k8s.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"authorization.k8s.io/v1","version":"v1"}},{"name":"rbac.authorization.k8s.io","versions":[{"groupVersion":"rbac.authorization.k8s.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"rbac.authorization.k8s.io/v1","version":"v1"}}]}"#

    static let apisWithoutRBAC = #"{"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"certificates.k8s.io","versions":[{"groupVersion":"certificates.k8s.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"certificates.k8s.io/v1","version":"v1"}},{"name":"authorization.k8s.io","versions":[{"groupVersion":"authorization.k8s.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"authorization.k8s.io/v1","version":"v1"}}]}"#

    static let rbacGroup = #"{"kind":"APIGroup","apiVersion":"v1","name":"rbac.authorization.k8s.io","versions":[{"groupVersion":"rbac.authorization.k8s.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"rbac.authorization.k8s.io/v1","version":"v1"}}"#

    static let rbacResources = #"{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"rbac.authorization.k8s.io/v1","resources":[{"name":"clusterrolebindings","singularName":"clusterrolebinding","namespaced":false,"kind":"ClusterRoleBinding","verbs":["create","delete","get","list","patch","update"]},{"name":"clusterroles","singularName":"clusterrole","namespaced":false,"kind":"ClusterRole","verbs":["create","delete","get","list","patch","update"]},{"name":"rolebindings","singularName":"rolebinding","namespaced":true,"kind":"RoleBinding","verbs":["create","delete","get","list","patch","update"]},{"name":"roles","singularName":"role","namespaced":true,"kind":"Role","verbs":["create","delete","get","list","patch","update"]}]}"#

    static let authorizationGroup = #"{"kind":"APIGroup","apiVersion":"v1","name":"authorization.k8s.io","versions":[{"groupVersion":"authorization.k8s.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"authorization.k8s.io/v1","version":"v1"}}"#

    static let authorizationResources = #"{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"authorization.k8s.io/v1","resources":[{"name":"selfsubjectaccessreviews","singularName":"selfsubjectaccessreview","namespaced":false,"kind":"SelfSubjectAccessReview","verbs":["create"]},{"name":"subjectaccessreviews","singularName":"subjectaccessreview","namespaced":false,"kind":"SubjectAccessReview","verbs":["create"]}]}"#

    static let group = #"{"kind":"APIGroup","apiVersion":"v1","name":"certificates.k8s.io","versions":[{"groupVersion":"certificates.k8s.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"certificates.k8s.io/v1","version":"v1"}}"#

    static let resources = #"{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"certificates.k8s.io/v1","resources":[{"name":"certificatesigningrequests","singularName":"certificatesigningrequest","namespaced":false,"kind":"CertificateSigningRequest","verbs":["create","delete","deletecollection","get","list","patch","update","watch"],"shortNames":["csr"]},{"name":"certificatesigningrequests/approval","singularName":"","namespaced":false,"kind":"CertificateSigningRequest","verbs":["get","patch","update"]},{"name":"certificatesigningrequests/status","singularName":"","namespaced":false,"kind":"CertificateSigningRequest","verbs":["get","patch","update"]}]}"#

    static let openAPIIndex = #"{"paths":{"apis/certificates.k8s.io/v1":{"serverRelativeURL":"/openapi/v3/apis/certificates.k8s.io/v1?hash=0123456789ABCDEF"}}}"#

    static let openAPIGroup = #"{"openapi":"3.0.0","info":{"title":"Kubernetes","version":"v1.32.0"},"paths":{"/apis/certificates.k8s.io/v1/certificatesigningrequests/{name}":{"patch":{"x-kubernetes-group-version-kind":{"group":"certificates.k8s.io","version":"v1","kind":"CertificateSigningRequest"},"x-kubernetes-action":"patch","parameters":[{"name":"fieldValidation","in":"query","schema":{"type":"string"}}],"responses":{"200":{"description":"OK"}}}}},"components":{"schemas":{}}}"#
}
