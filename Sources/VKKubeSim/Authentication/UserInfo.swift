// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc

/// Who made a request, as the apiserver's `user.Info`: a name, a uid and groups.
public struct UserInfo: Sendable, Hashable {
    public var username: String
    public var uid: String
    public var groups: [String]

    public init(username: String, uid: String = UUID().uuidString.lowercased(), groups: [String]) {
        self.username = username
        self.uid = uid
        self.groups = groups
    }

    /// The identity of a node: `system:node:<name>` in `system:nodes`.
    public static func node(_ name: String) -> UserInfo {
        UserInfo(username: "system:node:\(name)", groups: ["system:nodes"])
    }

    /// A ServiceAccount, with the groups the apiserver's serviceaccount authenticator gives it
    /// (k8s.io/apiserver pkg/authentication/serviceaccount: MakeUsername, MakeGroupNames).
    public static func serviceAccount(namespace: String, name: String) -> UserInfo {
        UserInfo(username: "system:serviceaccount:\(namespace):\(name)",
                 groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)"])
    }

    /// What the apiserver calls a request without credentials (k8s.io/apiserver pkg/authentication/request/
    /// anonymous: `system:anonymous` in `system:unauthenticated`).
    public static let anonymous = UserInfo(username: "system:anonymous", uid: "", groups: ["system:unauthenticated"])

    public static let admin = UserInfo(username: "kubernetes-admin", uid: "admin", groups: ["system:masters"])

    /// The ServiceAccount namespace and name when this is a ServiceAccount's username.
    public var serviceAccount: (namespace: String, name: String)? {
        let prefix = "system:serviceaccount:"
        guard username.hasPrefix(prefix) else { return nil }
        let parts = username.dropFirst(prefix.count).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// Every authenticated identity is also in `system:authenticated` (the apiserver's
    /// AuthenticatedGroupAdder); the anonymous user is not.
    func withAuthenticatedGroup() -> UserInfo {
        guard username != UserInfo.anonymous.username, !groups.contains("system:authenticated"),
              !groups.contains("system:unauthenticated") else { return self }
        var copy = self
        copy.groups.append("system:authenticated")
        return copy
    }
}
