// SPDX-License-Identifier: Apache-2.0

import VKCertManager
import VKDER
import FoundationEssentials
import Glibc
import VKHash
import VKKubeAPI
import Logging
import Synchronization
import VKX509

/// The reviews the kubelet's webhook authenticator and authorizer send (KubeClient in production).
public protocol KubeletReviewer: Sendable {
    func review(token: String, audiences: [String]?) async throws -> TokenReview.Status
    func review(access: SubjectAccessReview) async throws -> SubjectAccessReview.Status
}

extension KubeClient: KubeletReviewer {}

/// Authentication and authorization of each call to the kubelet API, as the kubelet's InstallAuthFilter
/// (pkg/kubelet/server/server.go) does: authenticate (client certificate verified against the client CA:
/// CN = user, O = groups; else a bearer token through a TokenReview; else anonymous when allowed; else
/// 401 "Unauthorized"), then authorize the request's attributes (``KubeletRequestAttributes``) through a
/// SubjectAccessReview — 403 "Forbidden (user=…, verb=…, resource=nodes, subresource=…)" when not
/// allowed, 500 "Authorization error (…)" when the review fails. Decisions and token reviews are cached
/// for the policy's TTLs (as the kubelet's webhook cache), at most `cacheLimit` entries each.
public final class KubeletAccessControl: Sendable {
    public let policy: KubeletAccessPolicy
    public let node: String
    let reviewer: (any KubeletReviewer)?
    let logger: Logger
    let clock: @Sendable () -> Date
    let decisions = ExpiringCache<Bool>(limit: cacheLimit)
    let tokens = ExpiringCache<TokenReview.User?>(limit: cacheLimit)
    static let cacheLimit = 4096

    public struct User: Sendable, Hashable {
        public let name: String
        public let uid: String
        public let groups: [String]
        public let extra: [String: [String]]

        public init(name: String, uid: String = "", groups: [String], extra: [String: [String]] = [:]) {
            self.name = name
            self.uid = uid
            self.groups = groups
            self.extra = extra
        }
    }

    public enum Verdict: Sendable, Equatable {
        case allow(User)
        /// The status and plain-text body the kubelet answers with.
        case deny(status: Int, message: String)
    }

    public init(policy: KubeletAccessPolicy, node: String, reviewer: (any KubeletReviewer)?, logger: Logger,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.policy = policy
        self.node = node
        self.reviewer = reviewer
        self.logger = logger
        self.clock = clock
    }

    /// The verdict for one request: `clientCertificate` is the DER of the verified peer certificate (nil
    /// when none was sent), `authorization` the Authorization header, `target` the request-target.
    public func check(clientCertificate: [UInt8]?, authorization: String?, method: String, target: String) async -> Verdict {
        guard let user = await authenticate(clientCertificate: clientCertificate, authorization: authorization) else {
            return .deny(status: 401, message: "Unauthorized")
        }
        let attributes = KubeletRequestAttributes(method: method, path: Self.path(of: target))
        return await authorize(user, attributes)
    }

    // MARK: authentication

    func authenticate(clientCertificate: [UInt8]?, authorization: String?) async -> User? {
        if let der = clientCertificate {
            // A certificate for another purpose from the same CA (another node's kubelet-serving one) is no
            // client credential, as in the kubelet's x509 authenticator.
            guard let certificate = try? Certificate(derEncoded: der), certificate.extensions.extendedKeyUsage?.allowsClientAuthentication ?? true,
                  let name = certificate.subject.commonNames.first, !name.isEmpty else { return nil }
            return User(name: name, groups: certificate.subject.organizations + ["system:authenticated"])
        }
        if let token = Self.bearerToken(authorization) {
            guard policy.webhookAuthentication, let reviewer else { return nil }
            return await reviewToken(token, reviewer)
        }
        return policy.anonymous ? User(name: "system:anonymous", groups: ["system:unauthenticated"]) : nil
    }

    /// "Bearer <token>", the scheme case-insensitive, as k8s.io/apiserver's bearertoken authenticator.
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingSpacesAndTabs
        return token.isEmpty ? nil : token
    }

    func reviewToken(_ token: String, _ reviewer: any KubeletReviewer) async -> User? {
        // Keyed by the token's digest: the cache holds no credential.
        let key = Hex.encode(HashAlgorithm.sha256.hash(Array(token.utf8)))
        let now = clock()
        if let cached = tokens.value(for: key, now: now) { return cached.map(Self.user) }
        do {
            let status = try await reviewer.review(token: token, audiences: nil)
            let user = status.authenticated == true ? status.user : nil
            tokens.insert(user, for: key, expires: now.addingTimeInterval(policy.tokenCacheTTL), now: now)
            return user.map(Self.user)
        } catch {
            // Not cached: the next request asks again.
            logger.warning("TokenReview failed; the request is refused as unauthenticated", metadata: ["reason": "\(error)"])
            return nil
        }
    }

    static func user(_ reviewed: TokenReview.User) -> User {
        User(name: reviewed.username ?? "", uid: reviewed.uid ?? "", groups: reviewed.groups ?? [], extra: reviewed.extra ?? [:])
    }

    // MARK: authorization

    func authorize(_ user: User, _ attributes: KubeletRequestAttributes) async -> Verdict {
        let described = "user=\(user.name), verb=\(attributes.verb), resource=nodes, subresource=\(attributes.subresource)"
        guard policy.authorization == .webhook else { return .allow(user) }
        guard let reviewer else { return .deny(status: 500, message: "Authorization error (\(described))") }
        let key = ([user.name, user.uid, attributes.verb, attributes.subresource] + user.groups.sorted()
            + user.extra.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.joined(separator: ","))" }).joined(separator: "\u{0}")
        let now = clock()
        let allowed: Bool
        if let cached = decisions.value(for: key, now: now) {
            allowed = cached
        } else {
            let review = SubjectAccessReview(user: user.name, uid: user.uid.isEmpty ? nil : user.uid, groups: user.groups, extra: user.extra.isEmpty ? nil : user.extra,
                                             attributes: .init(verb: attributes.verb, version: "v1", resource: "nodes", subresource: attributes.subresource, name: node))
            do {
                let status = try await reviewer.review(access: review)
                allowed = status.allowed && status.denied != true
                let ttl = allowed ? policy.cacheAuthorizedTTL : policy.cacheUnauthorizedTTL
                decisions.insert(allowed, for: key, expires: now.addingTimeInterval(ttl), now: now)
            } catch {
                logger.error("SubjectAccessReview failed", metadata: ["request": "\(described)", "reason": "\(error)"])
                return .deny(status: 500, message: "Authorization error (\(described))")
            }
        }
        return allowed ? .allow(user) : .deny(status: 403, message: "Forbidden (\(described))")
    }

    /// The request-target's path, percent-decoded (as Go's URL.Path), without the query.
    package static func path(of target: String) -> String {
        let raw = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target
        return raw.removingPercentEscapes ?? raw
    }
}
