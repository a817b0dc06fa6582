// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI

/// A Role, ClusterRole, RoleBinding or ClusterRoleBinding as `rbac.authorization.k8s.io/v1` serves it.
public struct RBACObject: StoredObject, Hashable {
    public var kind: String?
    public var apiVersion: String? = "rbac.authorization.k8s.io/v1"
    public var metadata: ObjectMeta
    public var rules: [PolicyRule]?
    public var roleRef: RoleRef?
    public var subjects: [Subject]?

    public init(kind: String, metadata: ObjectMeta) {
        self.kind = kind
        self.metadata = metadata
    }
}

/// The four RBAC resources on the generic store: the field checks of pkg/apis/rbac/validation
/// (ValidatePolicyRule, ValidateRoleBinding: verbs required, resource and URL rules apart, roleRef kind and
/// scope, subject kinds), roleRef immutable on update (`cannot change roleRef`). Every write re-reads the
/// four stores into the RBAC authorizer's policy, so kubectl-created bindings take effect at once.
/// (Not emulated: the escalation check that refuses a role granting more than its creator holds.)
enum RBACStrategy {
    enum Resource: String, CaseIterable, Sendable {
        case clusterroles, clusterrolebindings, roles, rolebindings

        var kind: String {
            switch self {
            case .clusterroles: "ClusterRole"
            case .clusterrolebindings: "ClusterRoleBinding"
            case .roles: "Role"
            case .rolebindings: "RoleBinding"
            }
        }

        var namespaced: Bool { self == .roles || self == .rolebindings }
        var isBinding: Bool { self == .clusterrolebindings || self == .rolebindings }
    }

    static func strategy(_ resource: Resource) -> ResourceStrategy<RBACObject> {
        var strategy = ResourceStrategy<RBACObject>(
            resource: resource.rawValue, group: "rbac.authorization.k8s.io", kind: resource.kind, namespaced: resource.namespaced,
            prepareForCreate: { object in
                object.kind = resource.kind
                object.apiVersion = "rbac.authorization.k8s.io/v1"
                if resource.isBinding { object.rules = nil } else { object.roleRef = nil; object.subjects = nil }
            },
            prepareForUpdate: { object, _ in
                object.kind = resource.kind
                object.apiVersion = "rbac.authorization.k8s.io/v1"
            },
            validateCreate: { validate($0, resource) },
            validateUpdate: { new, old in
                var causes = validate(new, resource)
                if resource.isBinding, new.roleRef != old.roleRef {
                    causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \(describe(new.roleRef)): cannot change roleRef", field: "roleRef"))
                }
                return causes
            }
        )
        strategy.nameRule = .pathSegment
        return strategy
    }

    static func describe(_ ref: RoleRef?) -> String {
        guard let ref else { return "null" }
        return "rbac.RoleRef{APIGroup:\"\(ref.apiGroup)\", Kind:\"\(ref.kind)\", Name:\"\(ref.name)\"}"
    }

    static func validate(_ object: RBACObject, _ resource: Resource) -> [APIStatus.Cause] {
        if resource.isBinding {
            guard let ref = object.roleRef else { return [.init(reason: "FieldValueRequired", message: "Required value", field: "roleRef")] }
            return RBACPolicy.bindingProblems(roleRef: ref, subjects: object.subjects ?? [], namespaced: resource.namespaced)
                .map { .init(reason: $0.reason, message: $0.message, field: $0.field) }
        }
        return (object.rules ?? []).enumerated().compactMap { index, rule in
            RBACPolicy.ruleProblem(rule, index: index, namespaced: resource.namespaced).map { .init(reason: "FieldValueInvalid", message: $0.message, field: $0.field) }
        }
    }

    /// The policy the four stores hold.
    static func policy(clusterRoles: ObjectStore<RBACObject>, clusterRoleBindings: ObjectStore<RBACObject>,
                       roles: ObjectStore<RBACObject>, roleBindings: ObjectStore<RBACObject>) -> RBACPolicy {
        var policy = RBACPolicy()
        let all = (try? Selector(field: nil, label: nil))!
        for object in clusterRoles.list(namespace: nil, matching: all).items {
            policy.add(PolicyRole(name: object.metadata.name ?? "", namespace: nil, rules: object.rules ?? []))
        }
        for object in roles.list(namespace: nil, matching: all).items {
            policy.add(PolicyRole(name: object.metadata.name ?? "", namespace: object.metadata.namespace, rules: object.rules ?? []))
        }
        for object in clusterRoleBindings.list(namespace: nil, matching: all).items + roleBindings.list(namespace: nil, matching: all).items {
            guard let ref = object.roleRef else { continue }
            policy.add(PolicyBinding(name: object.metadata.name ?? "", namespace: object.metadata.namespace, roleRef: ref, subjects: object.subjects ?? []))
        }
        return policy
    }

    /// k8s.io/api rbac/v1 generated.proto, as kubectl's typed client sends `create clusterrole/…binding`:
    /// a role's metadata 1, rules 2 (PolicyRule verbs 1, apiGroups 2, resources 3, resourceNames 4,
    /// nonResourceURLs 5); a binding's metadata 1, subjects 2 (kind 1, apiGroup 2, name 3, namespace 4),
    /// roleRef 3 (apiGroup 1, kind 2, name 3).
    static func decodeProtobuf(_ body: [UInt8], _ resource: Resource) throws -> RBACObject {
        let (kind, raw) = try ProtobufReader.envelope(body)
        if let kind, kind != resource.kind { throw ProtobufReader.Failure(description: "protobuf object is a \(kind), not a \(resource.kind)") }
        var object = RBACObject(kind: resource.kind, metadata: ObjectMeta())
        var reader = ProtobufReader(raw)
        func strings(_ bytes: ArraySlice<UInt8>, _ handle: (Int, String) -> Void) throws {
            var r = ProtobufReader(bytes)
            while let (field, value) = try r.next() {
                if case .bytes = value { handle(field, try value.string()) }
            }
        }
        while let (field, value) = try reader.next() {
            switch (field, resource.isBinding) {
            case (1, _): object.metadata = try CSRProtobuf.decodeMeta(try value.message())
            case (2, false):
                var rule = PolicyRule(verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [])
                try strings(try value.message()) { f, text in
                    switch f {
                    case 1: rule.verbs.append(text)
                    case 2: rule.apiGroups?.append(text)
                    case 3: rule.resources?.append(text)
                    case 4: rule.resourceNames?.append(text)
                    case 5: rule.nonResourceURLs?.append(text)
                    default: break
                    }
                }
                object.rules = (object.rules ?? []) + [rule]
            case (2, true):
                var subject = Subject(kind: "", name: "")
                subject.apiGroup = nil
                try strings(try value.message()) { f, text in
                    switch f {
                    case 1: subject.kind = text
                    case 2: subject.apiGroup = text
                    case 3: subject.name = text
                    case 4: subject.namespace = text
                    default: break
                    }
                }
                object.subjects = (object.subjects ?? []) + [subject]
            case (3, true):
                var ref = RoleRef(kind: "", name: "")
                ref.apiGroup = ""
                try strings(try value.message()) { f, text in
                    switch f {
                    case 1: ref.apiGroup = text
                    case 2: ref.kind = text
                    case 3: ref.name = text
                    default: break
                    }
                }
                object.roleRef = ref
            default: continue
            }
        }
        return object
    }
}
