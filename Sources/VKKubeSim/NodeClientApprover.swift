// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI
import VKX509

/// kube-controller-manager's csrapproving controller (pkg/controller/certificates/approver/sarapprove.go,
/// sarApprover.handle and recognizers): a pending `kubernetes.io/kube-apiserver-client-kubelet` request
/// that passes ValidateKubeletClientCSR is approved when a SubjectAccessReview for its requester allows
/// `create` on `certificatesigningrequests/selfnodeclient` (the requester is the node the CN names: a
/// renewal) or `certificatesigningrequests/nodeclient` (anyone so allowed: a bootstrap token). Otherwise
/// it stays pending, as the controller leaves it ("recognized csr … but subject access review was not
/// approved"). Serving requests are never approved by it.
public enum NodeClientApprover {
    static let recognizers: [(subresource: String, selfOnly: Bool, message: String)] = [
        ("selfnodeclient", true, "Auto approving self kubelet client certificate after SubjectAccessReview."),
        ("nodeclient", false, "Auto approving kubelet client certificate after SubjectAccessReview."),
    ]

    public static func attach(to store: CSRStore, authorizer: any Authorizer) {
        store.addObserver { event in
            guard event.type == "ADDED" else { return }
            let csr = event.object
            guard let decision = decide(csr, authorizer: authorizer) else { return }
            var approved = csr
            approved.metadata.resourceVersion = nil
            approved.status = CSRStatus(conditions: (csr.status?.conditions ?? []) + [
                CSRCondition(type: CSRCondition.approved, reason: "AutoApproved", message: decision),
            ])
            _ = try? store.updateApproval(csr.metadata.name!, approved)
        }
    }

    /// The approval message when the controller would approve `csr`, nil when it leaves it.
    static func decide(_ csr: CertificateSigningRequestObject, authorizer: any Authorizer) -> String? {
        guard csr.spec.signerName == KubeletSigner.clientSignerName, !csr.isApproved, !csr.isDenied,
              let request = try? CertificateSigningRequest(pemEncoded: [UInt8](csr.spec.request)),
              KubeletSigner.clientProblem(request, usages: csr.spec.usages ?? []) == nil else { return nil }
        let requester = UserInfo(username: csr.spec.username ?? "", uid: csr.spec.uid ?? "", groups: csr.spec.groups ?? [])
        for recognizer in recognizers {
            if recognizer.selfOnly && requester.username != request.subject.commonNames.first { continue }
            let attributes = RequestAttributes(user: requester, verb: "create", apiGroup: "certificates.k8s.io",
                                               resource: "certificatesigningrequests", subresource: recognizer.subresource)
            if authorizer.authorize(attributes).decision == .allow { return recognizer.message }
        }
        return nil
    }
}
