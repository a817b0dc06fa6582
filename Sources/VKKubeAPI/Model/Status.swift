// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc

/// `metav1.Status`: every API error body, and the body of a successful DELETE.
public struct APIStatus: Codable, Sendable, Hashable, Error, CustomStringConvertible {
    public var kind = "Status"
    public var apiVersion = "v1"
    public var metadata: [String: String] = [:]
    public var status: String
    public var message: String?
    public var reason: String?
    public var details: Details?
    public var code: Int

    public struct Details: Codable, Sendable, Hashable {
        public var name: String?
        public var group: String?
        public var kind: String?
        public var uid: String?
        public var causes: [Cause]?

        public init(name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil, causes: [Cause]? = nil) {
            self.name = name
            self.group = group
            self.kind = kind
            self.uid = uid
            self.causes = causes
        }
    }

    public struct Cause: Codable, Sendable, Hashable {
        public var reason: String
        public var message: String
        public var field: String

        public init(reason: String, message: String, field: String) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    public init(code: Int, reason: String, message: String, details: Details? = nil) {
        self.status = "Failure"
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var description: String { "\(reason ?? "Error") (\(code)): \(message ?? "")" }

    /// Equality on the HTTP code and reason (the stable part), as vkcert's other error types compare codes.
    public static func == (lhs: APIStatus, rhs: APIStatus) -> Bool { lhs.code == rhs.code && lhs.reason == rhs.reason }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(reason)
    }

    static let group = "certificates.k8s.io"
    static let resource = "certificatesigningrequests"
    static let qualified = "certificatesigningrequests.certificates.k8s.io"

    public static func notFound(_ name: String) -> APIStatus {
        APIStatus(code: 404, reason: "NotFound", message: "\(qualified) \"\(name)\" not found",
                  details: Details(name: name, group: group, kind: resource))
    }

    public static func alreadyExists(_ name: String) -> APIStatus {
        APIStatus(code: 409, reason: "AlreadyExists", message: "\(qualified) \"\(name)\" already exists",
                  details: Details(name: name, group: group, kind: resource))
    }

    public static func conflict(_ name: String) -> APIStatus {
        APIStatus(code: 409, reason: "Conflict",
                  message: "Operation cannot be fulfilled on \(qualified) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
                  details: Details(name: name, group: group, kind: resource))
    }

    /// 422 with one cause per field error, formatted as the apiserver does.
    public static func invalid(_ name: String, _ causes: [Cause]) -> APIStatus {
        let list = causes.map { "\($0.field): \($0.message)" }
        let joined = list.count == 1 ? list[0] : "[" + list.joined(separator: ", ") + "]"
        return APIStatus(code: 422, reason: "Invalid", message: "CertificateSigningRequest.certificates.k8s.io \"\(name)\" is invalid: \(joined)",
                         details: Details(name: name, group: group, kind: "CertificateSigningRequest", causes: causes))
    }

    public static func badRequest(_ message: String) -> APIStatus { APIStatus(code: 400, reason: "BadRequest", message: message) }
    public static func unauthorized() -> APIStatus { APIStatus(code: 401, reason: "Unauthorized", message: "Unauthorized") }
    public static func methodNotAllowed(_ message: String) -> APIStatus { APIStatus(code: 405, reason: "MethodNotAllowed", message: message) }
    public static func unsupportedMediaType(_ type: String) -> APIStatus {
        APIStatus(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf")
    }
    public static func expired(_ message: String) -> APIStatus { APIStatus(code: 410, reason: "Expired", message: message) }
    public static func internalError(_ message: String) -> APIStatus { APIStatus(code: 500, reason: "InternalError", message: message) }

    /// DELETE success body.
    public static func deleted(_ name: String, uid: String) -> APIStatus {
        var s = APIStatus(code: 200, reason: "", message: "", details: Details(name: name, group: group, kind: resource, uid: uid))
        s.status = "Success"
        s.reason = nil
        s.message = nil
        return s
    }
}

/// One watch event line: `{"type":"ADDED","object":{…}}`.
public struct WatchEvent<Object: Codable & Sendable>: Codable, Sendable {
    public var type: String
    public var object: Object

    public init(type: String, object: Object) {
        self.type = type
        self.object = object
    }
}
