// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc

/// Decodes the Kubernetes protobuf envelope (`"k8s\0"` + `runtime.Unknown`) holding a
/// CertificateSigningRequest, as `kubectl certificate approve|deny` PUTs it to `/approval`
/// (generated.proto of k8s.io/api certificates/v1 and apimachinery meta/v1, runtime).
///
/// Decoded: metadata name, generateName, uid, resourceVersion, labels, annotations; the whole spec;
/// status conditions and certificate. A zero-length `metav1.Time` is "unset", as Go treats it.
public enum CSRProtobuf {
    public static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]
    public static let contentType = "application/vnd.kubernetes.protobuf"

    public static func decode(_ body: [UInt8]) throws -> CertificateSigningRequestObject {
        let (kind, raw) = try ProtobufReader.envelope(body)
        if let kind, kind != "CertificateSigningRequest" {
            throw ProtobufReader.Failure(description: "protobuf object is a \(kind), not a CertificateSigningRequest")
        }
        return try decodeObject(raw)
    }

    static func decodeObject(_ bytes: ArraySlice<UInt8>) throws -> CertificateSigningRequestObject {
        var r = ProtobufReader(bytes)
        var metadata = ObjectMeta()
        var spec = CSRSpec(request: Data(), signerName: nil, usages: nil)
        var status: CSRStatus? = nil
        while let (field, value) = try r.next() {
            switch field {
            case 1: metadata = try decodeMeta(try value.message())
            case 2: spec = try decodeSpec(try value.message())
            case 3: status = try decodeStatus(try value.message())
            default: continue
            }
        }
        return CertificateSigningRequestObject(metadata: metadata, spec: spec, status: status)
    }

    /// metav1.ObjectMeta (name 1, generateName 2, namespace 3, uid 5, resourceVersion 6, creationTimestamp 8,
    /// labels 11, annotations 12).
    public static func decodeMeta(_ bytes: ArraySlice<UInt8>) throws -> ObjectMeta {
        var r = ProtobufReader(bytes)
        var m = ObjectMeta()
        while let (field, value) = try r.next() {
            switch field {
            case 1: m.name = try value.string()
            case 2: m.generateName = try value.string()
            case 3: m.namespace = try value.string()
            case 5: m.uid = try value.string()
            case 6: m.resourceVersion = try value.string()
            case 8: m.creationTimestamp = try decodeTime(try value.message())
            case 11: let (k, v) = try decodeMapEntry(try value.message()); m.labels = (m.labels ?? [:]).merging([k: v]) { $1 }
            case 12: let (k, v) = try decodeMapEntry(try value.message()); m.annotations = (m.annotations ?? [:]).merging([k: v]) { $1 }
            default: continue
            }
        }
        return m
    }

    static func decodeMapEntry(_ bytes: ArraySlice<UInt8>) throws -> (String, String) {
        var r = ProtobufReader(bytes)
        var key = "", value = ""
        while let (field, v) = try r.next() {
            if field == 1 { key = try v.string() } else if field == 2 { value = try v.string() }
        }
        return (key, value)
    }

    static func decodeSpec(_ bytes: ArraySlice<UInt8>) throws -> CSRSpec {
        var r = ProtobufReader(bytes)
        var s = CSRSpec(request: Data(), signerName: nil, usages: nil)
        while let (field, value) = try r.next() {
            switch field {
            case 1: s.request = Data(try value.message())
            case 2: s.username = try value.string()
            case 3: s.uid = try value.string()
            case 4: s.groups = (s.groups ?? []) + [try value.string()]
            case 5: s.usages = (s.usages ?? []) + [try value.string()]
            case 6:
                var e = ProtobufReader(try value.message())
                var key = ""
                var items: [String] = []
                while let (f, v) = try e.next() {
                    if f == 1 { key = try v.string() }
                    if f == 2 {
                        var ev = ProtobufReader(try v.message())
                        while let (ff, vv) = try ev.next() { if ff == 1 { items.append(try vv.string()) } }
                    }
                }
                s.extra = (s.extra ?? [:]).merging([key: items]) { $1 }
            case 7: s.signerName = try value.string()
            case 8: s.expirationSeconds = Int32(truncatingIfNeeded: try value.integer())
            default: continue
            }
        }
        return s
    }

    static func decodeStatus(_ bytes: ArraySlice<UInt8>) throws -> CSRStatus {
        var r = ProtobufReader(bytes)
        var s = CSRStatus()
        while let (field, value) = try r.next() {
            switch field {
            case 1: s.conditions = (s.conditions ?? []) + [try decodeCondition(try value.message())]
            case 2: s.certificate = Data(try value.message())
            default: continue
            }
        }
        return s
    }

    static func decodeCondition(_ bytes: ArraySlice<UInt8>) throws -> CSRCondition {
        var r = ProtobufReader(bytes)
        var c = CSRCondition(type: "", status: "")
        while let (field, value) = try r.next() {
            switch field {
            case 1: c.type = try value.string()
            case 2: c.reason = try value.string()
            case 3: c.message = try value.string()
            case 4: c.lastUpdateTime = try decodeTime(try value.message())
            case 5: c.lastTransitionTime = try decodeTime(try value.message())
            case 6: c.status = try value.string()
            default: continue
            }
        }
        return c
    }

    /// `metav1.Time { 1 seconds int64, 2 nanos int32 }`; empty means unset.
    static func decodeTime(_ bytes: ArraySlice<UInt8>) throws -> Date? {
        guard !bytes.isEmpty else { return nil }
        var r = ProtobufReader(bytes)
        var seconds: Int64 = 0
        while let (field, value) = try r.next() { if field == 1 { seconds = try value.integer() } }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
