// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc

/// Supplies the serving identity for each TLS handshake. `current()` is called on every ClientHello, so
/// it must be cheap: sources keep the identity in memory and re-check files only when they change.
/// It never returns an expired identity.
public protocol CertificateSource: Sendable {
    func current() -> ServingIdentity?
    /// Human-readable reason when `current()` is nil (for the handshake failure log line).
    var unavailableReason: String { get }
    /// Why the newest load failed while an older identity (or none) is served; nil when current.
    var loadProblem: CertificateLoadProblem? { get }
    /// Loads that failed since start.
    var loadFailures: Int { get }
}

/// A source that could not load a newer identity and keeps serving the previous one (manual mode after
/// a bad rotation): what went wrong, since when, and how many loads have failed in all.
public struct CertificateLoadProblem: Sendable, Hashable {
    /// The last load's failure, naming the file and field.
    public let reason: String
    /// When the pair being served became stale (the first failure after the last good load).
    public let since: Date
    /// Whether an identity is still being served (the last good one).
    public let servingLastGood: Bool

    /// The line `/healthz` adds: what is served and why the newer pair was refused.
    public var healthDetail: String {
        (servingLastGood ? "serving the last good certificate; " : "") + "failed to load kubelet certificate: \(reason)"
    }
}

extension CertificateSource {
    /// The current load problem, or nil when the last load succeeded (sources that do not load files).
    public var loadProblem: CertificateLoadProblem? { nil }
    /// Loads that failed since start (sources that do not load files: 0).
    public var loadFailures: Int { 0 }
}
