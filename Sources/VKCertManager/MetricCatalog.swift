// SPDX-License-Identifier: Apache-2.0

/// Every series vkcert records: the contract with dashboards and alerts. Names, types and labels are kept
/// across releases (a test compares them with the exposition of the release before swift-metrics); the
/// help text is what `/metrics` prints on its `# HELP` lines. Recording goes through swift-metrics, so an
/// embedding program's backend receives the same series; the Prometheus factory of ``VKKubeletTLS`` looks
/// the help text up here.
public enum MetricCatalog {
    public enum Kind: String, Sendable { case counter, gauge, histogram }

    public struct Series: Sendable, Equatable {
        public let name: String
        public let kind: Kind
        public let help: String
        /// Label names (every sample of the series carries exactly these).
        public let labels: [String]
        /// Bucket upper bounds in seconds (histograms only).
        public let buckets: [Double]

        init(_ name: String, _ kind: Kind, _ help: String, labels: [String] = [], buckets: [Double] = []) {
            self.name = name
            self.kind = kind
            self.help = help
            self.labels = labels
            self.buckets = buckets
        }
    }

    // Certificate state (refreshed when /metrics is scraped).
    public static let mode = Series("vkcert_certificate_mode", .gauge, "Certificate mode in use (1 for the active mode).", labels: ["mode"])
    public static let expiration = Series("vkcert_certificate_expiration_timestamp_seconds", .gauge, "notAfter of the served certificate (Unix seconds).")
    public static let secondsToExpiry = Series("vkcert_certificate_seconds_to_expiry", .gauge, "Seconds until the served certificate expires.")
    public static let staleSince = Series(
        "vkcert_certificate_stale_since_timestamp_seconds", .gauge,
        "When the served pair became stale because a newer one failed to load (Unix seconds; 0 when current).")
    public static let unauthenticatedUpstream = Series(
        "vkcert_upstream_unauthenticated", .gauge,
        "1 when connections are relayed to Upstream without client authentication (AllowUnauthenticatedUpstream).")
    public static let csrWaiting = Series(
        "vkcert_csr_waiting_seconds", .gauge, "Seconds the current CSR has waited for approval (0 when none is pending).")

    // Certificate events (recorded where they happen).
    public static let rotations = Series("vkcert_certificate_rotations_total", .counter, "Certificates obtained and installed.")
    public static let renewalErrors = Series(
        "vkcert_certificate_renewal_errors_total", .counter, "Failed attempts to obtain a certificate (denials, failures, API errors).")
    public static let renewalErrorsByReason = Series(
        "vkcert_certificate_renewal_errors_by_reason_total", .counter,
        "Failed attempts to obtain a certificate by reason: denied, failed (the signer's Failed condition), unusable (issued but wrong or not valid), api (an API error).",
        labels: ["reason"])
    public static let loadFailures = Series("vkcert_certificate_load_failures_total", .counter, "Certificate/key file loads that failed (manual mode).")

    // TLS (recorded by the kubelet server).
    public static let handshakes = Series("vkcert_tls_handshakes_total", .counter, "TLS handshakes that completed.")
    public static let handshakeFailures = Series(
        "vkcert_tls_handshake_failures_total", .counter,
        "TLS connections whose handshake did not complete (no common parameters, bad client certificate, no certificate yet, client gave up).")
    public static let handshakeFailuresByReason = Series(
        "vkcert_tls_handshake_failures_by_reason_total", .counter,
        "TLS connections whose handshake did not complete, by reason: no_certificate, no_common_parameters, bad_client_certificate, peer_alert, not_tls, closed (the client gave up), other.",
        labels: ["reason"])
    public static let withoutCertificate = Series(
        "vkcert_tls_handshakes_without_certificate_total", .counter, "Handshakes refused because no certificate was available.")
    public static let handshakeDuration = Series(
        "vkcert_tls_handshake_duration_seconds", .histogram,
        "Time from accepting a connection to the completed TLS handshake (seconds).",
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
    public static let signatureDuration = Series(
        "vkcert_tls_signature_duration_seconds", .histogram,
        "Time our code took for one handshake signature, verification after signing included (seconds), by key type.",
        labels: ["key"],
        buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1])

    public static let all: [Series] = [
        mode, expiration, secondsToExpiry, rotations, renewalErrors, renewalErrorsByReason, csrWaiting, loadFailures, staleSince,
        unauthenticatedUpstream, handshakes, handshakeFailures, handshakeFailuresByReason, withoutCertificate, handshakeDuration,
        signatureDuration,
    ]

    public static func series(named name: String) -> Series? { all.first { $0.name == name } }
}
