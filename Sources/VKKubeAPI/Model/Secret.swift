// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc

/// core/v1 Secret (k8s.io/api core/v1 types.go): `data` values are bytes (base64 in JSON, which `Data`
/// does by default); `stringData` is write-only plain text merged into `data` by the server.
public struct Secret: Codable, Sendable, Hashable {
    public var kind: String? = "Secret"
    public var apiVersion: String? = "v1"
    public var metadata: ObjectMeta
    public var type: String?
    public var data: [String: Data]?
    public var stringData: [String: String]?
    public var immutable: Bool?

    public init(metadata: ObjectMeta, type: String? = nil, data: [String: Data]? = nil) {
        self.metadata = metadata
        self.type = type
        self.data = data
    }

    /// `kubernetes.io/tls`: `tls.crt` and `tls.key` required.
    public static let tlsType = "kubernetes.io/tls"
    /// `bootstrap.kubernetes.io/token`: a bootstrap token in kube-system.
    public static let bootstrapTokenType = "bootstrap.kubernetes.io/token"
    public static let opaqueType = "Opaque"
}

/// core/v1 SecretList.
public struct SecretList: Codable, Sendable {
    public var kind = "SecretList"
    public var apiVersion = "v1"
    public var metadata: ListMeta
    public var items: [Secret]

    public init(resourceVersion: String, items: [Secret]) {
        self.metadata = ListMeta(resourceVersion: resourceVersion)
        self.items = items
    }
}

/// core/v1 Namespace, the fields the emulator keeps.
public struct Namespace: Codable, Sendable, Hashable {
    public var kind: String? = "Namespace"
    public var apiVersion: String? = "v1"
    public var metadata: ObjectMeta
    public var spec: [String: [String]]?
    public var status: [String: String]?

    public init(name: String) {
        metadata = ObjectMeta(name: name)
        spec = ["finalizers": ["kubernetes"]]
        status = ["phase": "Active"]
    }
}

/// core/v1 NamespaceList.
public struct NamespaceList: Codable, Sendable {
    public var kind = "NamespaceList"
    public var apiVersion = "v1"
    public var metadata: ListMeta
    public var items: [Namespace]

    public init(resourceVersion: String, items: [Namespace]) {
        self.metadata = ListMeta(resourceVersion: resourceVersion)
        self.items = items
    }
}
