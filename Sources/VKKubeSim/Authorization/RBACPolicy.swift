// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI
import VKYAML

/// `rbac.authorization.k8s.io/v1` PolicyRule.
public struct PolicyRule: Codable, Sendable, Hashable {
    public var verbs: [String]
    public var apiGroups: [String]?
    public var resources: [String]?
    public var resourceNames: [String]?
    public var nonResourceURLs: [String]?

    public init(verbs: [String], apiGroups: [String]? = nil, resources: [String]? = nil, resourceNames: [String]? = nil, nonResourceURLs: [String]? = nil) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
        self.nonResourceURLs = nonResourceURLs
    }
}

/// `RoleRef`: the (Cluster)Role a binding grants.
public struct RoleRef: Codable, Sendable, Hashable {
    public var apiGroup: String
    public var kind: String
    public var name: String

    public init(kind: String, name: String) {
        self.apiGroup = "rbac.authorization.k8s.io"
        self.kind = kind
        self.name = name
    }
}

/// `Subject`: a User, Group or ServiceAccount a binding names.
public struct Subject: Codable, Sendable, Hashable {
    public var kind: String
    public var apiGroup: String?
    public var name: String
    public var namespace: String?

    public init(kind: String, name: String, namespace: String? = nil) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.apiGroup = kind == "ServiceAccount" ? nil : "rbac.authorization.k8s.io"
    }

    public static func group(_ name: String) -> Subject { Subject(kind: "Group", name: name) }
    public static func user(_ name: String) -> Subject { Subject(kind: "User", name: name) }
}

/// A Role or ClusterRole (`namespace` nil for a ClusterRole).
public struct PolicyRole: Sendable, Hashable {
    public var name: String
    public var namespace: String?
    public var rules: [PolicyRule]

    public init(name: String, namespace: String?, rules: [PolicyRule]) {
        self.name = name
        self.namespace = namespace
        self.rules = rules
    }
}

/// A RoleBinding or ClusterRoleBinding (`namespace` nil for a ClusterRoleBinding).
public struct PolicyBinding: Sendable, Hashable {
    public var name: String
    public var namespace: String?
    public var roleRef: RoleRef
    public var subjects: [Subject]

    public init(name: String, namespace: String?, roleRef: RoleRef, subjects: [Subject]) {
        self.name = name
        self.namespace = namespace
        self.roleRef = roleRef
        self.subjects = subjects
    }
}

/// The RBAC objects the emulator authorizes with: loaded from manifests (`--rbac FILE`), plus the
/// apiserver's bootstrap policy.
public struct RBACPolicy: Sendable, Hashable {
    public var clusterRoles: [String: PolicyRole] = [:]
    /// Keyed `namespace/name`.
    public var roles: [String: PolicyRole] = [:]
    public var clusterRoleBindings: [PolicyBinding] = []
    public var roleBindings: [PolicyBinding] = []
    /// `namespace/name` of the ServiceAccounts the manifests declare (tokens can be minted for them).
    public var serviceAccounts: [String] = []

    public init() {}

    public mutating func add(_ role: PolicyRole) {
        if let namespace = role.namespace { roles["\(namespace)/\(role.name)"] = role } else { clusterRoles[role.name] = role }
    }

    public mutating func add(_ binding: PolicyBinding) {
        if binding.namespace == nil {
            clusterRoleBindings.removeAll { $0.name == binding.name }
            clusterRoleBindings.append(binding)
        } else {
            roleBindings.removeAll { $0.name == binding.name && $0.namespace == binding.namespace }
            roleBindings.append(binding)
        }
    }

    /// Every object of `other` added to this policy (later definitions of a name replace earlier ones).
    public mutating func merge(_ other: RBACPolicy) {
        for role in other.clusterRoles.values { add(role) }
        for role in other.roles.values { add(role) }
        for binding in other.clusterRoleBindings + other.roleBindings { add(binding) }
        serviceAccounts += other.serviceAccounts.filter { !serviceAccounts.contains($0) }
    }

    /// A manifest error: the file, the document (1-based) and the field.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public let file: String
        public let document: Int
        public let message: String
        public var description: String { "\(file): document \(document): \(message)" }
    }

    /// Reads every RBAC object (and ServiceAccount) from a multi-document YAML manifest; other kinds are
    /// skipped, as they are not the emulator's to serve. Fields are checked as the apiserver's RBAC
    /// validation does for what authorization relies on (names, verbs, roleRef kind and scope).
    public static func load(yaml text: String, file: String) throws(LoadError) -> RBACPolicy {
        var policy = RBACPolicy()
        let documents: [YAMLNode]
        do {
            documents = try BoundedYAML.composeAll(text)
        } catch {
            throw LoadError(file: file, document: 0, message: BoundedYAML.describe(error))
        }
        for (index, node) in documents.enumerated() {
            let number = index + 1
            func fail(_ message: String) -> LoadError { LoadError(file: file, document: number, message: message) }
            struct Header: Decodable {
                struct Meta: Decodable { let name: String?; let namespace: String? }
                let apiVersion: String?
                let kind: String?
                let metadata: Meta?
            }
            guard case .mapping = node else { continue }
            let header: Header
            do { header = try YAMLDecoder().decode(Header.self, from: node) } catch { throw fail(BoundedYAML.describe(error)) }
            let kind = header.kind ?? ""
            if kind == "ServiceAccount" && header.apiVersion == "v1" {
                guard let name = header.metadata?.name, !name.isEmpty else { throw fail("metadata.name: Required value") }
                policy.serviceAccounts.append("\(header.metadata?.namespace ?? "default")/\(name)")
                continue
            }
            guard header.apiVersion == "rbac.authorization.k8s.io/v1",
                  ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"].contains(kind) else { continue }
            guard let name = header.metadata?.name, !name.isEmpty else { throw fail("\(kind).metadata.name: Required value") }
            let namespaced = kind == "Role" || kind == "RoleBinding"
            let namespace = namespaced ? (header.metadata?.namespace ?? "default") : nil
            do {
                switch kind {
                case "Role", "ClusterRole":
                    struct RoleDocument: Decodable { let rules: [PolicyRule]? }
                    let rules = try YAMLDecoder().decode(RoleDocument.self, from: node).rules ?? []
                    for (i, rule) in rules.enumerated() {
                        if let problem = ruleProblem(rule, index: i, namespaced: namespaced) { throw fail("\(kind) \"\(name)\": \(problem.field): \(problem.message)") }
                    }
                    policy.add(PolicyRole(name: name, namespace: namespace, rules: rules))
                default:
                    struct BindingDocument: Decodable { let roleRef: RoleRef?; let subjects: [Subject]? }
                    let document = try YAMLDecoder().decode(BindingDocument.self, from: node)
                    guard let roleRef = document.roleRef else { throw fail("\(kind) \"\(name)\": roleRef: Required value") }
                    let subjects = document.subjects ?? []
                    if let problem = bindingProblems(roleRef: roleRef, subjects: subjects, namespaced: namespaced).first {
                        throw fail("\(kind) \"\(name)\": \(problem.field): \(problem.message)")
                    }
                    policy.add(PolicyBinding(name: name, namespace: namespace, roleRef: roleRef, subjects: subjects))
                }
            } catch let error as LoadError {
                throw error
            } catch {
                throw fail("\(kind) \"\(name)\": \(BoundedYAML.describe(error))")
            }
        }
        return policy
    }

    /// The first problem of a rule, as pkg/apis/rbac/validation ValidatePolicyRule reports it.
    static func ruleProblem(_ rule: PolicyRule, index i: Int, namespaced: Bool) -> (field: String, message: String)? {
        if rule.verbs.isEmpty { return ("rules[\(i)].verbs", "Required value: verbs must contain at least one value") }
        let hasResources = !(rule.resources ?? []).isEmpty, hasURLs = !(rule.nonResourceURLs ?? []).isEmpty
        if hasURLs && namespaced { return ("rules[\(i)].nonResourceURLs", "Invalid value: \(rule.nonResourceURLs!): namespaced rules cannot apply to non-resource URLs") }
        if hasResources && hasURLs { return ("rules[\(i)].nonResourceURLs", "Invalid value: \(rule.nonResourceURLs!): rules cannot apply to both regular resources and non-resource URLs") }
        if !hasResources && !hasURLs { return ("rules[\(i)]", "Required value: resource rules must supply at least one api group and resource, or non-resource rules at least one URL") }
        if hasResources && (rule.apiGroups ?? []).isEmpty { return ("rules[\(i)].apiGroups", "Required value: resource rules must supply at least one api group") }
        return nil
    }

    /// A binding's problems, as ValidateRoleBinding / ValidateClusterRoleBinding report them.
    static func bindingProblems(roleRef: RoleRef, subjects: [Subject], namespaced: Bool) -> [(reason: String, field: String, message: String)] {
        var problems: [(reason: String, field: String, message: String)] = []
        if !(roleRef.kind == "ClusterRole" || (roleRef.kind == "Role" && namespaced)) {
            problems.append(("FieldValueNotSupported", "roleRef.kind", "Unsupported value: \"\(roleRef.kind)\": supported values: \(namespaced ? "\"Role\", \"ClusterRole\"" : "\"ClusterRole\"")"))
        }
        if roleRef.apiGroup != "rbac.authorization.k8s.io" {
            problems.append(("FieldValueNotSupported", "roleRef.apiGroup", "Unsupported value: \"\(roleRef.apiGroup)\": supported values: \"rbac.authorization.k8s.io\""))
        }
        if roleRef.name.isEmpty { problems.append(("FieldValueRequired", "roleRef.name", "Required value")) }
        for (i, subject) in subjects.enumerated() {
            if !["User", "Group", "ServiceAccount"].contains(subject.kind) {
                problems.append(("FieldValueNotSupported", "subjects[\(i)].kind", "Unsupported value: \"\(subject.kind)\": supported values: \"ServiceAccount\", \"User\", \"Group\""))
            }
            if subject.name.isEmpty { problems.append(("FieldValueRequired", "subjects[\(i)].name", "Required value")) }
            if subject.kind == "ServiceAccount" && !namespaced && (subject.namespace ?? "").isEmpty {
                problems.append(("FieldValueRequired", "subjects[\(i)].namespace", "Required value"))
            }
        }
        return problems
    }

    /// `load(yaml:file:)` of a file read within the configuration size bound.
    public static func load(file path: String) throws(LoadError) -> RBACPolicy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(file: path, document: 0, message: "cannot read the file")
        }
        guard data.count <= 4 << 20 else { throw LoadError(file: path, document: 0, message: "larger than 4 MiB") }
        return try load(yaml: String(decoding: data, as: UTF8.self), file: path)
    }
}
