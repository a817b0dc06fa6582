// SPDX-License-Identifier: Apache-2.0

import VKDER
import FoundationEssentials
import Glibc

/// `certificates.k8s.io/v1` CertificateSigningRequest, field for field as the API serves it
/// (k8s.io/api certificates/v1 types.go). Byte fields (`spec.request`, `status.certificate`) are PEM
/// text carried as base64 in JSON, which `Data` does by default.
public struct CertificateSigningRequestObject: Codable, Sendable, Hashable {
    public var kind: String? = "CertificateSigningRequest"
    public var apiVersion: String? = "certificates.k8s.io/v1"
    public var metadata: ObjectMeta
    public var spec: CSRSpec
    public var status: CSRStatus?

    public init(metadata: ObjectMeta, spec: CSRSpec, status: CSRStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// The condition of `type`, if present.
    public func condition(_ type: String) -> CSRCondition? {
        status?.conditions?.first { $0.type == type }
    }

    public var isApproved: Bool { condition(CSRCondition.approved)?.status == "True" }
    public var isDenied: Bool { condition(CSRCondition.denied)?.status == "True" }
    public var isFailed: Bool { condition(CSRCondition.failed)?.status == "True" }
    public var isIssued: Bool { !(status?.certificate ?? Data()).isEmpty }
}

/// `metav1.ObjectMeta`, the fields the CSR API uses.
public struct ObjectMeta: Codable, Sendable, Hashable {
    public var name: String?
    public var generateName: String?
    /// Namespaced objects only (Secrets); nil for cluster-scoped ones such as CSRs.
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var creationTimestamp: Date?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    /// Who owns which fields (create/update/patch/apply), as the apiserver records it.
    public var managedFields: [ManagedFieldsEntry]?

    public init(name: String? = nil, generateName: String? = nil) {
        self.name = name
        self.generateName = generateName
    }
}

/// `CertificateSigningRequestSpec`.
public struct CSRSpec: Codable, Sendable, Hashable {
    /// PEM `CERTIFICATE REQUEST`.
    public var request: Data
    public var signerName: String?
    public var expirationSeconds: Int32?
    public var usages: [String]?
    public var username: String?
    public var uid: String?
    public var groups: [String]?
    public var extra: [String: [String]]?

    public init(request: Data, signerName: String?, expirationSeconds: Int32? = nil, usages: [String]?) {
        self.request = request
        self.signerName = signerName
        self.expirationSeconds = expirationSeconds
        self.usages = usages
    }
}

/// `CertificateSigningRequestStatus`.
public struct CSRStatus: Codable, Sendable, Hashable {
    public var conditions: [CSRCondition]?
    /// PEM `CERTIFICATE` block(s), leaf first.
    public var certificate: Data?

    public init(conditions: [CSRCondition]? = nil, certificate: Data? = nil) {
        self.conditions = conditions
        self.certificate = certificate
    }
}

/// `CertificateSigningRequestCondition`.
public struct CSRCondition: Codable, Sendable, Hashable {
    public static let approved = "Approved"
    public static let denied = "Denied"
    public static let failed = "Failed"

    public var type: String
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastUpdateTime: Date?
    public var lastTransitionTime: Date?

    public init(type: String, status: String = "True", reason: String? = nil, message: String? = nil, lastUpdateTime: Date? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastUpdateTime = lastUpdateTime
    }
}

/// `CertificateSigningRequestList`.
public struct CertificateSigningRequestList: Codable, Sendable {
    public var kind = "CertificateSigningRequestList"
    public var apiVersion = "certificates.k8s.io/v1"
    public var metadata: ListMeta
    public var items: [CertificateSigningRequestObject]

    public init(resourceVersion: String, items: [CertificateSigningRequestObject]) {
        self.metadata = ListMeta(resourceVersion: resourceVersion)
        self.items = items
    }
}

public struct ListMeta: Codable, Sendable, Hashable {
    public var resourceVersion: String?
    public var `continue`: String?
    /// Items after this page (set when the list was limited and no selector was given, as the apiserver does).
    public var remainingItemCount: Int?

    public init(resourceVersion: String?) {
        self.resourceVersion = resourceVersion
    }
}

/// The JSON coders the API uses: RFC 3339 timestamps with whole seconds, base64 bytes.
public enum KubeJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(KubeJSON.format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = KubeJSON.parse(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an RFC 3339 time: \(text)"))
            }
            return date
        }
        return decoder
    }

    /// `2025-01-01T00:00:00Z` (UTC, whole seconds), as metav1.Time marshals.
    public static func format(_ date: Date) -> String {
        // Years 0001–9999 (what RFC 3339 can write); outside that, and for non-finite values, clamp.
        let seconds = min(max(date.timeIntervalSince1970.rounded(.down), -62_135_596_800), 253_402_300_799)
        return DERTime(secondsSinceEpoch: seconds.isFinite ? Int64(seconds) : 0).rfc3339
    }

    /// Parses RFC 3339 with `Z` or an offset, optional fraction (truncated: metav1.Time has whole seconds).
    /// The toolkit's own parser: an ISO8601DateFormatter per timestamp cost ≈ms each (ICU set-up), which
    /// made decoding a watch event with a few timestamps the slowest thing the client did.
    public static func parse(_ text: String) -> Date? {
        DERTime(rfc3339: text).map { Date(timeIntervalSince1970: TimeInterval($0.secondsSinceEpoch)) }
    }
}
