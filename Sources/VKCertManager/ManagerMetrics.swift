// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import Metrics
import Synchronization

/// The values the metrics endpoint exposes (the TLS issue renders them in the Prometheus text format).
public struct ManagerMetricsSnapshot: Sendable {
    public var mode: String
    public var certificateExpiry: Date?
    public var rotations: Int
    public var renewalErrors: Int
    public var waitingSince: Date?
    public var pendingCSR: String?

    public func secondsToExpiry(now: Date) -> Double? { certificateExpiry.map { $0.timeIntervalSince(now) } }
    public func secondsWaiting(now: Date) -> Double { waitingSince.map { now.timeIntervalSince($0) } ?? 0 }
}

/// A CSR workflow's state for status and scrape-time gauges, and its events recorded through swift-metrics
/// (``MetricCatalog/rotations``, ``MetricCatalog/renewalErrors``, …) into the factory it was given.
public final class ManagerMetrics: Sendable {
    /// Why an attempt to obtain a certificate failed (the `reason` label).
    public enum RenewalErrorReason: String, Sendable, CaseIterable {
        case denied, failed, unusable, api
    }

    private let state: Mutex<ManagerMetricsSnapshot>
    private let rotationCounter: Counter
    private let errorCounter: Counter
    private let errorsByReason: [RenewalErrorReason: Counter]

    /// - Parameter factory: where the events go; the default records nothing (the bootstrap workflow's
    ///   node client certificate must not count as serving-certificate rotations).
    public init(mode: String, factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        state = Mutex(ManagerMetricsSnapshot(mode: mode, certificateExpiry: nil, rotations: 0, renewalErrors: 0, waitingSince: nil, pendingCSR: nil))
        rotationCounter = Counter(label: MetricCatalog.rotations.name, dimensions: [], factory: factory)
        errorCounter = Counter(label: MetricCatalog.renewalErrors.name, dimensions: [], factory: factory)
        var byReason: [RenewalErrorReason: Counter] = [:]
        for reason in RenewalErrorReason.allCases {
            byReason[reason] = Counter(label: MetricCatalog.renewalErrorsByReason.name, dimensions: [("reason", reason.rawValue)], factory: factory)
        }
        errorsByReason = byReason
    }

    public var snapshot: ManagerMetricsSnapshot { state.withLock { $0 } }

    func update(_ body: (inout ManagerMetricsSnapshot) -> Void) {
        state.withLock { body(&$0) }
    }

    /// A certificate was obtained and installed.
    func recordRotation() {
        update {
            $0.rotations += 1
            $0.waitingSince = nil
            $0.pendingCSR = nil
        }
        rotationCounter.increment()
    }

    func recordRenewalError(_ reason: RenewalErrorReason) {
        update { $0.renewalErrors += 1 }
        errorCounter.increment()
        errorsByReason[reason]?.increment()
    }
}
