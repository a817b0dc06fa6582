// SPDX-License-Identifier: Apache-2.0

import VKDER
import FoundationEssentials
import Glibc
import Synchronization
import VKX509

/// The apiserver's authentication chain, reduced to what the certificate flows use, in the order
/// kube-apiserver tries them (k8s.io/apiserver pkg/authentication/request/union: the first authenticator
/// that recognises the request wins; credentials that are presented but wrong are a 401, no credentials
/// at all are the anonymous user):
/// 1. a TLS client certificate that chained to the client CA (the handshake verified the chain; here the
///    subject becomes the user: CN = username, each O = a group, as pkg/authentication/request/x509's
///    CommonNameUserConversion), refused unless its extendedKeyUsage allows client authentication;
/// 2. a bearer token: static tokens (the admin's, nodes'), ServiceAccount tokens minted by the emulator,
///    and bootstrap tokens looked up through `bootstrapTokens`.
/// Every authenticated user is added to `system:authenticated`.
public final class Authenticator: Sendable {
    public enum Result: Sendable, Equatable {
        case authenticated(UserInfo)
        /// No credentials: `system:anonymous` (the apiserver's `--anonymous-auth=true` default).
        case anonymous
        /// Credentials that did not verify: the apiserver answers 401 and does not fall back to anonymous.
        case rejected(reason: String)
    }

    private let tokens: Mutex<[String: UserInfo]>
    /// Resolves `<id>.<secret>` bootstrap tokens (from Secrets; nil when none are served).
    let bootstrapTokens: (@Sendable (String) -> UserInfo?)?

    public init(tokens: [String: UserInfo], bootstrapTokens: (@Sendable (String) -> UserInfo?)? = nil) {
        self.tokens = Mutex(tokens)
        self.bootstrapTokens = bootstrapTokens
    }

    /// Registers another bearer token (a ServiceAccount's, a node's) while serving.
    public func addToken(_ token: String, for user: UserInfo) {
        tokens.withLock { $0[token] = user }
    }

    /// Authenticates one request from its `Authorization` header and the DER of the client certificate
    /// the TLS handshake verified (nil over plain HTTP or when the client sent none).
    public func authenticate(authorization: String?, clientCertificate: [UInt8]?) -> Result {
        if let der = clientCertificate {
            switch Self.user(fromClientCertificate: der) {
            case .success(let user): return .authenticated(user.withAuthenticatedGroup())
            case .failure(let refusal): return .rejected(reason: refusal.reason)
            }
        }
        guard let header = authorization, !header.isEmpty else { return .anonymous }
        // "Bearer" is matched case-insensitively, as pkg/authentication/request/bearertoken does.
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return .anonymous }
        let token = parts[1].trimmingSpacesAndTabs
        // An empty bearer token is no credential at all (bearertoken.go returns "not authenticated", no error).
        guard !token.isEmpty else { return .anonymous }
        if let user = tokens.withLock({ $0[token] }) { return .authenticated(user.withAuthenticatedGroup()) }
        if let user = bootstrapTokens?(token) { return .authenticated(user.withAuthenticatedGroup()) }
        return .rejected(reason: "invalid bearer token")
    }

    /// CN = user, O = groups; an empty CN or a certificate not for client authentication is refused.
    static func user(fromClientCertificate der: [UInt8]) -> Swift.Result<UserInfo, ClientCertificateRefusal> {
        guard let certificate = try? Certificate(derEncoded: der) else { return .failure(.init("client certificate does not parse")) }
        if let usage = certificate.extensions.extendedKeyUsage, !usage.allowsClientAuthentication {
            return .failure(.init("x509: certificate specifies an incompatible key usage"))
        }
        guard let name = certificate.subject.commonNames.first, !name.isEmpty else {
            return .failure(.init("x509: certificate has no common name"))
        }
        return .success(UserInfo(username: name, uid: "", groups: certificate.subject.organizations))
    }

    struct ClientCertificateRefusal: Error, Sendable {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
