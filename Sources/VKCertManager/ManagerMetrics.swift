// SPDX-License-Identifier: Apache-2.0

import Foundation
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

public final class ManagerMetrics: Sendable {
    private let state: Mutex<ManagerMetricsSnapshot>

    public init(mode: String) {
        state = Mutex(ManagerMetricsSnapshot(mode: mode, certificateExpiry: nil, rotations: 0, renewalErrors: 0, waitingSince: nil, pendingCSR: nil))
    }

    public var snapshot: ManagerMetricsSnapshot { state.withLock { $0 } }

    func update(_ body: (inout ManagerMetricsSnapshot) -> Void) {
        state.withLock { body(&$0) }
    }
}
