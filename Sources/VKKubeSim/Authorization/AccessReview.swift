// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI

/// `authorization.k8s.io/v1` SubjectAccessReview and SelfSubjectAccessReview (what `kubectl auth can-i`
/// and cert-manager's approver checks send), answered by the emulator's own authorizer chain, as
/// pkg/registry/authorization/subjectaccessreview and selfsubjectaccessreview's REST.Create do.
struct AccessReview: Codable, Sendable {
    var kind: String?
    var apiVersion: String?
    var metadata: ObjectMeta?
    var spec: Spec
    var status: Status?

    struct ResourceAttributes: Codable, Sendable {
        init() {}
        var namespace: String?
        var verb: String?
        var group: String?
        var version: String?
        var resource: String?
        var subresource: String?
        var name: String?
    }

    struct NonResourceAttributes: Codable, Sendable {
        init() {}
        var path: String?
        var verb: String?
    }

    struct Spec: Codable, Sendable {
        init() {}
        var resourceAttributes: ResourceAttributes?
        var nonResourceAttributes: NonResourceAttributes?
        var user: String?
        var groups: [String]?
        var uid: String?
        var extra: [String: [String]]?
    }

    struct Status: Codable, Sendable {
        var allowed: Bool
        var denied: Bool?
        var reason: String?
        var evaluationError: String?
    }

    static let group = "authorization.k8s.io"

    /// The protobuf form kubectl sends (k8s.io/api/authorization/v1/generated.proto: the review's
    /// spec is field 2; a spec's resourceAttributes 1, nonResourceAttributes 2, user 3, groups 4, uid 6;
    /// ResourceAttributes namespace 1, verb 2, group 3, version 4, resource 5, subresource 6, name 7;
    /// NonResourceAttributes path 1, verb 2).
    static func decodeProtobuf(_ body: [UInt8], kind: String) throws -> AccessReview {
        let (sentKind, raw) = try ProtobufReader.envelope(body)
        if let sentKind, sentKind != kind { throw ProtobufReader.Failure(description: "protobuf object is a \(sentKind), not a \(kind)") }
        var review = AccessReview(spec: Spec())
        var object = ProtobufReader(raw)
        while let (field, value) = try object.next() {
            guard field == 2 else { continue }
            var spec = ProtobufReader(try value.message())
            while let (f, v) = try spec.next() {
                switch f {
                case 1:
                    var a = ResourceAttributes()
                    var r = ProtobufReader(try v.message())
                    while let (g, w) = try r.next() {
                        switch g {
                        case 1: a.namespace = try w.string()
                        case 2: a.verb = try w.string()
                        case 3: a.group = try w.string()
                        case 4: a.version = try w.string()
                        case 5: a.resource = try w.string()
                        case 6: a.subresource = try w.string()
                        case 7: a.name = try w.string()
                        default: continue
                        }
                    }
                    review.spec.resourceAttributes = a
                case 2:
                    var a = NonResourceAttributes()
                    var r = ProtobufReader(try v.message())
                    while let (g, w) = try r.next() {
                        if g == 1 { a.path = try w.string() } else if g == 2 { a.verb = try w.string() }
                    }
                    review.spec.nonResourceAttributes = a
                case 3: review.spec.user = try v.string()
                case 4: review.spec.groups = (review.spec.groups ?? []) + [try v.string()]
                case 6: review.spec.uid = try v.string()
                default: continue
                }
            }
        }
        return review
    }

    /// A short reason for a body that does not decode (no Swift type dump).
    enum BodyError {
        static func describe(_ error: any Error) -> String {
            if let failure = error as? ProtobufReader.Failure { return failure.description }
            if case DecodingError.dataCorrupted = error { return "not valid JSON" }
            if case DecodingError.keyNotFound(let key, _) = error { return "missing field \"\(key.stringValue)\"" }
            if case DecodingError.typeMismatch(_, let context) = error { return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))" }
            return "undecodable"
        }
    }

    /// Evaluates `body` for `requester` (self review) or for the spec's subject (SubjectAccessReview).
    static func review(_ body: [UInt8], requester: UserInfo, selfReview: Bool, authorizer: any Authorizer) throws(APIStatus) -> AccessReview {
        let kind = selfReview ? "SelfSubjectAccessReview" : "SubjectAccessReview"
        var review: AccessReview
        do {
            review = body.starts(with: [0x6B, 0x38, 0x73, 0x00]) ? try decodeProtobuf(body, kind: kind) : try JSONDecoder().decode(AccessReview.self, from: Data(body))
        } catch {
            throw APIStatus.badRequest("the body of the request could not be decoded as a \(kind): \(BodyError.describe(error))")
        }
        let spec = review.spec
        var causes: [APIStatus.Cause] = []
        if spec.resourceAttributes != nil && spec.nonResourceAttributes != nil {
            causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \"\": cannot be specified in combination with resourceAttributes", field: "spec.nonResourceAttributes"))
        }
        if spec.resourceAttributes == nil && spec.nonResourceAttributes == nil {
            causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified", field: "spec.resourceAttributes"))
        }
        let user: UserInfo
        if selfReview {
            user = requester
        } else {
            if (spec.user ?? "").isEmpty && (spec.groups ?? []).isEmpty {
                causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \"\": at least one of user or group must be specified", field: "spec.user"))
            }
            // A SubjectAccessReview evaluates exactly the subject given: no group is added.
            user = UserInfo(username: spec.user ?? "", uid: spec.uid ?? "", groups: spec.groups ?? [])
        }
        guard causes.isEmpty else {
            let joined = causes.map { "\($0.field): \($0.message)" }.joined(separator: ", ")
            throw APIStatus(code: 422, reason: "Invalid", message: "\(kind).authorization.k8s.io \"\" is invalid: \(joined)",
                            details: .init(group: group, kind: kind, causes: causes))
        }
        let attributes: RequestAttributes
        if let r = spec.resourceAttributes {
            attributes = RequestAttributes(user: user, verb: r.verb ?? "", apiGroup: r.group ?? "", resource: r.resource ?? "",
                                           subresource: r.subresource ?? "", namespace: r.namespace ?? "", name: r.name ?? "")
        } else {
            let n = spec.nonResourceAttributes!
            attributes = RequestAttributes(user: user, verb: n.verb ?? "", path: n.path ?? "")
        }
        let (decision, reason) = authorizer.authorize(attributes)
        review.kind = kind
        review.apiVersion = "authorization.k8s.io/v1"
        review.metadata = review.metadata ?? ObjectMeta()
        if selfReview {
            review.spec.user = nil
            review.spec.groups = nil
        }
        review.status = Status(allowed: decision == .allow, denied: decision == .deny ? true : nil, reason: reason.isEmpty ? nil : reason)
        return review
    }
}
