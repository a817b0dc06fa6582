// SPDX-License-Identifier: Apache-2.0

import CoreMetrics
import NIOCore
import Synchronization
import VKCertManager
import VKX509

extension KubeletServer {
    /// What the server counts: atomics the server itself reads (connections for the heap trimmer,
    /// tests, status), and the same events recorded through swift-metrics into the factory of
    /// ``Options/metricsFactory`` (``MetricCatalog``'s TLS series), with handshake and signature times.
    public final class Counters: Sendable {
        /// Handshakes that completed.
        public let handshakes = Atomic<Int>(0)
        /// Handshakes that failed after the ClientHello (no common suite, group or signature
        /// algorithm, a bad client certificate, a signing failure, a client that gave up).
        public let handshakeFailures = Atomic<Int>(0)
        /// ClientHellos that were given a certificate (completed or not).
        public let certificateSelections = Atomic<Int>(0)
        public let noCertificate = Atomic<Int>(0)
        public let connections = Atomic<Int>(0)

        let completedCounter: Counter
        let failedCounter: Counter
        let noCertificateCounter: Counter
        let failuresByReason: [HandshakeFailureReason: Counter]
        let handshakeDuration: Timer
        let factory: any MetricsFactory

        public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
            completedCounter = Counter(label: MetricCatalog.handshakes.name, dimensions: [], factory: factory)
            failedCounter = Counter(label: MetricCatalog.handshakeFailures.name, dimensions: [], factory: factory)
            noCertificateCounter = Counter(label: MetricCatalog.withoutCertificate.name, dimensions: [], factory: factory)
            var byReason: [HandshakeFailureReason: Counter] = [:]
            for reason in HandshakeFailureReason.allCases {
                byReason[reason] = Counter(label: MetricCatalog.handshakeFailuresByReason.name, dimensions: [("reason", reason.rawValue)], factory: factory)
            }
            failuresByReason = byReason
            handshakeDuration = Timer(label: MetricCatalog.handshakeDuration.name, dimensions: [], factory: factory)
            self.factory = factory
        }

        /// A handshake completed `nanoseconds` after the connection was accepted.
        func recordCompleted(nanoseconds: Int64) {
            handshakes.add(1, ordering: .relaxed)
            completedCounter.increment()
            handshakeDuration.recordNanoseconds(nanoseconds)
        }

        func recordFailed(_ reason: HandshakeFailureReason) {
            handshakeFailures.add(1, ordering: .relaxed)
            failedCounter.increment()
            failuresByReason[reason]?.increment()
        }

        func recordNoCertificate() {
            noCertificate.add(1, ordering: .relaxed)
            noCertificateCounter.increment()
        }

        /// The signature-time histogram for a key type, made when a key of that type is first served (so
        /// only key types in use are exported).
        func signatureTimer(_ kind: SigningKeyKind) -> Timer {
            Timer(label: MetricCatalog.signatureDuration.name, dimensions: [("key", kind.rawValue)], factory: factory)
        }
    }
}

/// The `key` label of the signature-time histogram: few values, so the series stay bounded.
enum SigningKeyKind: String, Sendable, CaseIterable {
    case rsa, ecdsaP256 = "ecdsa-p256", ecdsaP384 = "ecdsa-p384", ed25519

    init(_ key: PrivateKey) {
        switch key {
        case .rsa: self = .rsa
        case .ecdsa(let ec): self = ec.curve == .p256 ? .ecdsaP256 : .ecdsaP384
        case .ed25519: self = .ed25519
        }
    }
}

/// Why a TLS handshake did not complete (the `reason` label), from the error BoringSSL reported through
/// swift-nio-ssl (its reason codes, e.g. `NO_SHARED_CIPHER`) or a close before any error.
enum HandshakeFailureReason: String, Sendable, CaseIterable {
    case noCertificate = "no_certificate"
    case noCommonParameters = "no_common_parameters"
    case badClientCertificate = "bad_client_certificate"
    case peerAlert = "peer_alert"
    case notTLS = "not_tls"
    case closed
    case other

    static func classify(_ error: any Error) -> HandshakeFailureReason {
        // swift-nio-ssl hands the certificate callback's own error on to the pipeline.
        if error is KubeletServer.NoCertificate { return .noCertificate }
        let text = String(describing: error)
        func any(_ codes: [String]) -> Bool { codes.contains { text.contains($0) } }
        if any(["CERT_CB_ERROR"]) { return .noCertificate }
        if any(["NO_SHARED_CIPHER", "NO_SHARED_GROUP", "NO_COMMON_SIGNATURE_ALGORITHMS", "UNSUPPORTED_PROTOCOL", "NO_CIPHERS_AVAILABLE",
                "NO_SUPPORTED_VERSIONS_ENABLED", "WRONG_SIGNATURE_TYPE"]) { return .noCommonParameters }
        if any(["CERTIFICATE_VERIFY_FAILED", "PEER_DID_NOT_RETURN_A_CERTIFICATE", "CERTIFICATE_REQUIRED"]) { return .badClientCertificate }
        if any(["ALERT"]) { return .peerAlert }
        if any(["WRONG_VERSION_NUMBER", "HTTP_REQUEST", "HTTPS_PROXY_REQUEST", "UNKNOWN_PROTOCOL", "PACKET_LENGTH_TOO_LONG", "RECORD_TOO_LARGE",
                "WRONG_VERSION", "UNEXPECTED_RECORD"]) { return .notTLS }
        if any(["uncleanShutdown", "eof", "EOF", "connectionReset"]) { return .closed }
        return .other
    }
}
