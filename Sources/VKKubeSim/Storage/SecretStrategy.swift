// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI

/// core/v1 Secrets as the apiserver's registry and validation treat them (pkg/registry/core/secret
/// strategy.go; pkg/apis/core/validation/validation.go ValidateSecret, ValidateSecretUpdate):
/// `stringData` merged into `data` (it wins) and never stored, `type` defaulted to Opaque and immutable,
/// data keys as config keys, 1 MiB in total, `kubernetes.io/tls` needing `tls.crt` and `tls.key`, and an
/// `immutable: true` secret's data frozen.
enum SecretStrategy {
    /// core.MaxSecretSize.
    static let maximumSize = 1 << 20

    static let strategy = ResourceStrategy<Secret>(
        resource: "secrets", group: "", kind: "Secret", namespaced: true,
        prepareForCreate: { secret in
            merge(&secret)
            if (secret.type ?? "").isEmpty { secret.type = Secret.opaqueType }
        },
        prepareForUpdate: { secret, old in
            merge(&secret)
            if (secret.type ?? "").isEmpty { secret.type = old.type }
        },
        validateCreate: { validate($0) },
        validateUpdate: { new, old in
            var causes = validate(new)
            if new.type != old.type {
                causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \"\(new.type ?? "")\": field is immutable", field: "type"))
            }
            if old.immutable == true {
                if new.immutable != true {
                    causes.append(.init(reason: "FieldValueForbidden", message: "Forbidden: field is immutable when `immutable` is set", field: "immutable"))
                }
                if new.data != old.data {
                    causes.append(.init(reason: "FieldValueForbidden", message: "Forbidden: field is immutable when `immutable` is set", field: "data"))
                }
            }
            return causes
        }
    )

    /// What the client set, as field ownership sees it: stringData counts as the data keys it writes.
    static func asSent(_ secret: Secret) -> Secret {
        var copy = secret
        merge(&copy)
        return copy
    }

    static func merge(_ secret: inout Secret) {
        if let strings = secret.stringData {
            var data = secret.data ?? [:]
            for (key, value) in strings { data[key] = Data(value.utf8) }
            secret.data = data
        }
        secret.stringData = nil
    }

    /// IsConfigMapKey: `[-._a-zA-Z0-9]+`, at most 253, not `.` or `..`.
    static func isConfigKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 253 && key != "." && key != ".." && !key.hasPrefix("..")
            && key.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F }
    }

    static func validate(_ secret: Secret) -> [APIStatus.Cause] {
        var causes: [APIStatus.Cause] = []
        var total = 0
        let data = secret.data ?? [:]
        for (key, value) in data.sorted(by: { $0.key < $1.key }) {
            if !isConfigKey(key) {
                causes.append(.init(reason: "FieldValueInvalid",
                                    message: "Invalid value: \"\(key)\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                                    field: "data[\(key)]"))
            }
            total += value.count
        }
        if total > maximumSize {
            causes.append(.init(reason: "FieldValueTooLong", message: "Too long: may not be more than \(maximumSize) bytes", field: "data"))
        }
        if secret.type == Secret.tlsType {
            for key in ["tls.crt", "tls.key"] where data[key] == nil {
                causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: "data[\(key)]"))
            }
        }
        return causes
    }
}

/// core/v1 Namespaces, the part Secrets need: names are DNS labels; the four a cluster starts with exist.
enum NamespaceStrategy {
    static let initial = ["default", "kube-system", "kube-public", "kube-node-lease"]

    static let strategy = ResourceStrategy<Namespace>(
        resource: "namespaces", group: "", kind: "Namespace", namespaced: false,
        prepareForCreate: { namespace in
            namespace.spec = ["finalizers": ["kubernetes"]]
            namespace.status = ["phase": "Active"]
        },
        prepareForUpdate: { namespace, old in namespace.status = old.status },
        validateCreate: { ObjectNames.validate($0.metadata.name ?? "", field: "metadata.name", label: true) },
        validateUpdate: { _, _ in [] }
    )
}
