// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc

/// `authentication.k8s.io/v1` TokenReview: what the kubelet's webhook token authenticator sends (the
/// fields vkcert uses).
public struct TokenReview: Codable, Sendable {
    public var apiVersion = "authentication.k8s.io/v1"
    public var kind = "TokenReview"
    public var spec: Spec
    public var status: Status?

    public struct Spec: Codable, Sendable {
        public var token: String
        public var audiences: [String]?
    }

    public struct Status: Codable, Sendable {
        public var authenticated: Bool?
        public var user: User?
        public var audiences: [String]?
        public var error: String?

        public init(authenticated: Bool?, user: User?, error: String? = nil) {
            self.authenticated = authenticated
            self.user = user
            self.error = error
        }
    }

    public struct User: Codable, Sendable, Hashable {
        public var username: String?
        public var uid: String?
        public var groups: [String]?
        public var extra: [String: [String]]?

        public init(username: String?, uid: String? = nil, groups: [String]? = nil) {
            self.username = username
            self.uid = uid
            self.groups = groups
        }
    }

    public init(token: String, audiences: [String]? = nil) {
        spec = Spec(token: token, audiences: audiences)
    }
}

/// `authorization.k8s.io/v1` SubjectAccessReview for a resource request: what the kubelet's webhook
/// authorizer sends for each call to its API.
public struct SubjectAccessReview: Codable, Sendable {
    public var apiVersion = "authorization.k8s.io/v1"
    public var kind = "SubjectAccessReview"
    public var spec: Spec
    public var status: Status?

    public struct ResourceAttributes: Codable, Sendable, Hashable {
        public var namespace: String?
        public var verb: String?
        public var group: String?
        public var version: String?
        public var resource: String?
        public var subresource: String?
        public var name: String?

        public init(verb: String, group: String = "", version: String, resource: String, subresource: String, name: String) {
            self.verb = verb
            self.group = group
            self.version = version
            self.resource = resource
            self.subresource = subresource
            self.name = name
        }
    }

    public struct Spec: Codable, Sendable {
        public var resourceAttributes: ResourceAttributes?
        public var user: String?
        public var groups: [String]?
        public var uid: String?
        public var extra: [String: [String]]?
    }

    public struct Status: Codable, Sendable {
        public var allowed: Bool
        public var denied: Bool?
        public var reason: String?
        public var evaluationError: String?
    }

    public init(user: String, uid: String?, groups: [String], extra: [String: [String]]?, attributes: ResourceAttributes) {
        spec = Spec(resourceAttributes: attributes, user: user, groups: groups, uid: uid, extra: extra)
    }
}
