// SPDX-License-Identifier: Apache-2.0

import VKKubeAPI

/// `Impersonate-User`, `Impersonate-Group` and `Impersonate-Uid` headers (what `kubectl --as/--as-group/
/// --as-uid` send), applied as k8s.io/apiserver pkg/endpoints/filters/impersonation.go WithImpersonation
/// does: the requester needs `impersonate` on `users` (or `serviceaccounts` in the account's namespace),
/// on each of `groups`, and on `uids` in authentication.k8s.io; the new identity is the named user with
/// the named groups (a ServiceAccount without named groups gets its account groups) plus
/// `system:authenticated`, or `system:unauthenticated` for `system:anonymous`.
public struct Impersonation: Sendable, Hashable {
    public var user: String?
    public var groups: [String]
    public var uid: String?

    public init(user: String?, groups: [String] = [], uid: String? = nil) {
        self.user = user
        self.groups = groups
        self.uid = uid
    }

    /// nil when the request asks for no impersonation.
    public static func from(user: String?, groups: [String], uid: String?) -> Impersonation? {
        if user == nil && groups.isEmpty && uid == nil { return nil }
        return Impersonation(user: user, groups: groups, uid: uid)
    }

    /// The identity `requester` acts as, or the 403/400 the apiserver answers.
    func apply(to requester: UserInfo, authorizer: any Authorizer) throws(APIStatus) -> UserInfo {
        guard let name = user, !name.isEmpty else {
            throw APIStatus(code: 500, reason: "InternalError",
                            message: "Internal error occurred: requested \(groups.map { "group \"\($0)\"" }.joined(separator: ", ")) without impersonating a user")
        }
        func check(_ attributes: RequestAttributes) throws(APIStatus) {
            let (decision, reason) = authorizer.authorize(attributes)
            if decision != .allow { throw APIStatus.forbidden(attributes, reason: reason) }
        }
        var impersonated = UserInfo(username: name, uid: uid ?? "", groups: groups)
        if let account = impersonated.serviceAccount {
            try check(RequestAttributes(user: requester, verb: "impersonate", apiGroup: "", resource: "serviceaccounts", namespace: account.namespace, name: account.name))
            if groups.isEmpty { impersonated.groups = UserInfo.serviceAccount(namespace: account.namespace, name: account.name).groups }
        } else {
            try check(RequestAttributes(user: requester, verb: "impersonate", apiGroup: "", resource: "users", name: name))
        }
        for group in groups {
            try check(RequestAttributes(user: requester, verb: "impersonate", apiGroup: "", resource: "groups", name: group))
        }
        if let uid {
            try check(RequestAttributes(user: requester, verb: "impersonate", apiGroup: "authentication.k8s.io", resource: "uids", name: uid))
        }
        if name == UserInfo.anonymous.username {
            if !impersonated.groups.contains("system:unauthenticated") { impersonated.groups.append("system:unauthenticated") }
        } else if !impersonated.groups.contains("system:authenticated") {
            impersonated.groups.append("system:authenticated")
        }
        return impersonated
    }
}
