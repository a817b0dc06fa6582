// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc

/// Who may call the kubelet API, configured as the kubelet's `authentication` and `authorization`
/// (KubeletConfiguration: `x509.clientCAFile`, `webhook.enabled` + `cacheTTL`, `anonymous.enabled`;
/// `mode: Webhook | AlwaysAllow`, `webhook.cacheAuthorizedTTL` / `cacheUnauthorizedTTL`), with the
/// kubelet's defaults from a configuration file: anonymous off, webhook authentication on with a 2-minute
/// cache, webhook authorization with 5 minutes for allowed and 30 seconds for denied decisions.
public struct KubeletAccessPolicy: Sendable, Equatable {
    public enum AuthorizationMode: String, Sendable, Equatable {
        /// Every authenticated caller may do everything (the kubelet's AlwaysAllow; vkcert's behaviour
        /// with only a client CA).
        case alwaysAllow = "AlwaysAllow"
        /// A SubjectAccessReview per request (cached): `nodes/proxy`, `nodes/stats`, `nodes/metrics`, `nodes/log`.
        case webhook = "Webhook"
    }

    /// Callers without credentials become `system:anonymous` in `system:unauthenticated` (then authorized
    /// like anyone else) instead of getting 401.
    public var anonymous = false
    /// Bearer tokens are checked with a TokenReview.
    public var webhookAuthentication = true
    public var tokenCacheTTL: TimeInterval = 120
    public var authorization: AuthorizationMode = .webhook
    public var cacheAuthorizedTTL: TimeInterval = 300
    public var cacheUnauthorizedTTL: TimeInterval = 30

    public init() {}

    /// Whether any decision needs the API server.
    public var needsAPIServer: Bool { webhookAuthentication || authorization == .webhook }
}
