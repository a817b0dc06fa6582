// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc

/// core/v1 Secrets: what a certificate store kept in a Secret needs. Writes carry the object's
/// resourceVersion, so a concurrent writer makes them fail with ``KubeAPIError/Code/conflict`` (re-read
/// and decide again); creating a name that exists is ``KubeAPIError/Code/alreadyExists``.
extension KubeClient {
    static func secretPath(_ namespace: String, _ name: String? = nil) -> String {
        "/api/v1/namespaces/\(namespace)/secrets" + (name.map { "/\($0)" } ?? "")
    }

    public func getSecret(namespace: String, name: String) async throws -> Secret {
        try Self.decode(Secret.self, try await call("GET", Self.secretPath(namespace, name), idempotent: true))
    }

    /// POST, retried after a timeout or a transport failure like a read: the Secret has a fixed name, so a
    /// retry after a lost answer meets ``KubeAPIError/Code/alreadyExists``, which callers already handle by
    /// reading the Secret (SecretCertificateStore re-reads and compares) — never a second object.
    public func createSecret(_ secret: Secret, namespace: String) async throws -> Secret {
        guard secret.metadata.name?.isEmpty == false else { throw KubeAPIError(.decoding, "a Secret to create needs metadata.name") }
        let body = try KubeJSON.encoder().encode(secret)
        return try Self.decode(Secret.self, try await call("POST", Self.secretPath(namespace) + "?fieldManager=vkcert", body: body, idempotent: true))
    }

    /// PUT with the object's resourceVersion as the precondition.
    public func updateSecret(_ secret: Secret, namespace: String) async throws -> Secret {
        guard let name = secret.metadata.name else { throw KubeAPIError(.decoding, "a Secret to update needs metadata.name") }
        let body = try KubeJSON.encoder().encode(secret)
        return try Self.decode(Secret.self, try await call("PUT", Self.secretPath(namespace, name) + "?fieldManager=vkcert", body: body, idempotent: false))
    }

    public func deleteSecret(namespace: String, name: String) async throws {
        _ = try await call("DELETE", Self.secretPath(namespace, name), idempotent: true)
    }
}
