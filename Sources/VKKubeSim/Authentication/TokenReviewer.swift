// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI

/// `authentication.k8s.io/v1` TokenReview, as pkg/registry/authentication/tokenreview's REST.Create
/// answers it: the token is run through the server's token authenticators (static and ServiceAccount
/// tokens, bootstrap tokens); the answer says whether it authenticated and as whom (with
/// `system:authenticated`), or carries the authenticator's error. Client certificates play no part.
enum TokenReviewer {
    static func review(_ body: [UInt8], authenticator: Authenticator?) throws(APIStatus) -> TokenReview {
        var review: TokenReview
        do {
            review = try JSONDecoder().decode(TokenReview.self, from: Data(body))
        } catch {
            throw APIStatus.badRequest("the body of the request could not be decoded as a TokenReview: \(AccessReview.BodyError.describe(error))")
        }
        guard !review.spec.token.isEmpty else { throw APIStatus.badRequest("token is required for TokenReview in authentication") }
        switch authenticator?.authenticate(authorization: "Bearer " + review.spec.token, clientCertificate: nil) ?? .anonymous {
        case .authenticated(let user):
            review.status = TokenReview.Status(authenticated: true, user: TokenReview.User(username: user.username, uid: user.uid, groups: user.groups))
        case .rejected(let reason):
            review.status = TokenReview.Status(authenticated: false, user: nil, error: reason)
        case .anonymous:
            review.status = TokenReview.Status(authenticated: false, user: nil)
        }
        review.status?.audiences = review.spec.audiences
        return review
    }
}
