// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI

/// Bootstrap-token authentication as kube-apiserver's `--enable-bootstrap-token-auth` does it
/// (plugin/pkg/auth/authenticator/token/bootstrap/bootstrap.go, TokenAuthenticator.AuthenticateToken;
/// field names from k8s.io/cluster-bootstrap token/api): a token `<id>.<secret>` (`[a-z0-9]{6}` and
/// `[a-z0-9]{16}`) is looked up as the Secret `bootstrap-token-<id>` in kube-system, of type
/// `bootstrap.kubernetes.io/token`, whose `token-id` and `token-secret` match, with
/// `usage-bootstrap-authentication: "true"` and an `expiration` (RFC 3339) not yet passed. The user is
/// `system:bootstrap:<id>` in `system:bootstrappers` plus the `auth-extra-groups` (each must be
/// `system:bootstrappers:…`; one that is not makes the token unusable).
enum BootstrapTokens {
    static func user(for token: String, secrets: ObjectStore<Secret>, now: Date) -> UserInfo? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 6, parts[1].count == 16,
              (parts[0] + parts[1]).utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }) else { return nil }
        let id = String(parts[0])
        guard let secret = try? secrets.get(namespace: "kube-system", "bootstrap-token-\(id)"),
              secret.type == Secret.bootstrapTokenType, let data = secret.data else { return nil }
        func value(_ key: String) -> String? { data[key].map { String(decoding: $0, as: UTF8.self) } }
        guard value("token-id") == id, let expected = value("token-secret"),
              constantTimeEqual(Array(expected.utf8), Array(parts[1].utf8)),
              value("usage-bootstrap-authentication") == "true" else { return nil }
        if let expiration = value("expiration") {
            guard let date = KubeJSON.parse(expiration), date > now else { return nil }
        }
        var groups = ["system:bootstrappers"]
        if let extra = value("auth-extra-groups") {
            for group in extra.split(separator: ",").map({ $0.trimmingSpacesAndTabs }) where !group.isEmpty {
                guard isBootstrapGroup(group) else { return nil }
                if !groups.contains(group) { groups.append(group) }
            }
        }
        return UserInfo(username: "system:bootstrap:\(id)", uid: "", groups: groups)
    }

    /// `^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$` (cluster-bootstrap BootstrapGroupPattern).
    static func isBootstrapGroup(_ group: String) -> Bool {
        let prefix = "system:bootstrappers:"
        guard group.hasPrefix(prefix) else { return false }
        let rest = group.utf8.dropFirst(prefix.utf8.count)
        guard !rest.isEmpty, rest.count <= 256, let last = rest.last,
              (last >= 0x61 && last <= 0x7A) || (last >= 0x30 && last <= 0x39) else { return false }
        return rest.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x3A || $0 == 0x2D }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
