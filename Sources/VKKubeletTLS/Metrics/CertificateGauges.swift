// SPDX-License-Identifier: Apache-2.0

import CoreMetrics
import FoundationEssentials
import Glibc
import Synchronization
import VKCertManager

/// The series whose value is a function of the clock or of another component's state (the served
/// certificate's expiry, how long a CSR has waited, whether a newer pair failed to load): set each time
/// `/metrics` is scraped, through swift-metrics like every other series. The mode gauge is set once.
public final class CertificateGauges: Sendable {
    let factory: any MetricsFactory
    let staleSince: Gauge
    let unauthenticatedUpstream: Gauge
    /// Created with the first identity, so a pod with no certificate yet exports no expiry.
    let expiry = Mutex<(timestamp: Gauge, remaining: Gauge)?>(nil)
    /// Created with the first CSR-mode snapshot.
    let waiting = Mutex<Gauge?>(nil)

    /// - Parameter mode: "manual", "self-signed" or "csr" (``VKConfiguration/Mode``'s description).
    public init(mode: String, factory: any MetricsFactory) {
        self.factory = factory
        for candidate in ["manual", "self-signed", "csr"] {
            Gauge(label: MetricCatalog.mode.name, dimensions: [("mode", candidate)], factory: factory).record(candidate == mode ? 1 : 0)
        }
        // Exported in every mode (0 outside manual mode), as before swift-metrics.
        _ = Counter(label: MetricCatalog.loadFailures.name, dimensions: [], factory: factory)
        staleSince = Gauge(label: MetricCatalog.staleSince.name, dimensions: [], factory: factory)
        unauthenticatedUpstream = Gauge(label: MetricCatalog.unauthenticatedUpstream.name, dimensions: [], factory: factory)
    }

    public func refresh(
        identity: ServingIdentity?, snapshot: ManagerMetricsSnapshot?, loadProblem: CertificateLoadProblem?,
        unauthenticatedUpstream relaying: Bool, now: Date
    ) {
        if let identity {
            let gauges = expiry.withLock { gauges in
                if gauges == nil {
                    gauges = (Gauge(label: MetricCatalog.expiration.name, dimensions: [], factory: factory),
                              Gauge(label: MetricCatalog.secondsToExpiry.name, dimensions: [], factory: factory))
                }
                return gauges!
            }
            gauges.timestamp.record(identity.notAfter.timeIntervalSince1970)
            gauges.remaining.record(identity.notAfter.timeIntervalSince(now).rounded())
        }
        if let snapshot {
            let gauge = waiting.withLock { gauge in
                if gauge == nil { gauge = Gauge(label: MetricCatalog.csrWaiting.name, dimensions: [], factory: factory) }
                return gauge!
            }
            gauge.record(snapshot.secondsWaiting(now: now).rounded())
        }
        staleSince.record(loadProblem.map { $0.since.timeIntervalSince1970.rounded() } ?? 0)
        unauthenticatedUpstream.record(relaying ? 1 : 0)
    }
}
