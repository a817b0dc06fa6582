// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc

/// The two reviews a kubelet makes for callers of its API (webhook authentication and authorization):
/// both are non-mutating creates, so they are retried like reads.
extension KubeClient {
    /// POST /apis/authentication.k8s.io/v1/tokenreviews: who the bearer token belongs to.
    public func review(token: String, audiences: [String]? = nil) async throws -> TokenReview.Status {
        let body = try KubeJSON.encoder().encode(TokenReview(token: token, audiences: audiences))
        let answer = try Self.decode(TokenReview.self, try await call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", body: body, idempotent: true))
        return answer.status ?? TokenReview.Status(authenticated: false, user: nil)
    }

    /// POST /apis/authorization.k8s.io/v1/subjectaccessreviews: whether the user may do what it asks.
    public func review(access: SubjectAccessReview) async throws -> SubjectAccessReview.Status {
        let body = try KubeJSON.encoder().encode(access)
        let answer = try Self.decode(SubjectAccessReview.self, try await call("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", body: body, idempotent: true))
        guard let status = answer.status else { throw KubeAPIError(.decoding, "the SubjectAccessReview answer has no status") }
        return status
    }
}
