// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc

/// core/v1 Secret in Kubernetes protobuf, as kubectl's typed client sends it (`kubectl create secret`):
/// k8s.io/api core/v1 generated.proto — metadata 1, data 2 (map<string, bytes>), type 3, stringData 4
/// (map<string, string>), immutable 5.
public enum SecretProtobuf {
    public static func decode(_ body: [UInt8]) throws -> Secret {
        let (kind, raw) = try ProtobufReader.envelope(body)
        if let kind, kind != "Secret" { throw ProtobufReader.Failure(description: "protobuf object is a \(kind), not a Secret") }
        var r = ProtobufReader(raw)
        var secret = Secret(metadata: ObjectMeta())
        while let (field, value) = try r.next() {
            switch field {
            case 1: secret.metadata = try CSRProtobuf.decodeMeta(try value.message())
            case 2, 4:
                var entry = ProtobufReader(try value.message())
                var key = "", bytes = ArraySlice<UInt8>()
                while let (f, v) = try entry.next() {
                    if f == 1 { key = try v.string() } else if f == 2 { bytes = try v.message() }
                }
                if field == 2 {
                    secret.data = (secret.data ?? [:]).merging([key: Data(bytes)]) { $1 }
                } else {
                    guard let text = String(validating: bytes, as: UTF8.self) else { throw ProtobufReader.Failure(description: "stringData value is not UTF-8") }
                    secret.stringData = (secret.stringData ?? [:]).merging([key: text]) { $1 }
                }
            case 3: secret.type = try value.string()
            case 5: secret.immutable = try value.integer() != 0
            default: continue
            }
        }
        return secret
    }
}
