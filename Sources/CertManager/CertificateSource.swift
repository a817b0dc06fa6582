// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Supplies the serving identity for each TLS handshake. `current()` is called on every ClientHello, so
/// it must be cheap: sources keep the identity in memory and re-check files only when they change.
/// It never returns an expired identity.
public protocol CertificateSource: Sendable {
    func current() -> ServingIdentity?
    /// Human-readable reason when `current()` is nil (for the handshake failure log line).
    var unavailableReason: String { get }
}
