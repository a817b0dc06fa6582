// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import Synchronization

/// A bounded map whose entries expire: the kubelet's webhook decision and token caches. When full,
/// expired entries are dropped first, then all (a flood of distinct callers costs reviews, never memory).
final class ExpiringCache<Value: Sendable>: Sendable {
    private let entries = Mutex<[String: (value: Value, expires: Date)]>([:])
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    func value(for key: String, now: Date) -> Value? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expires > now else {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    func insert(_ value: Value, for key: String, expires: Date, now: Date) {
        entries.withLock { entries in
            if entries.count >= limit, entries[key] == nil {
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= limit { entries.removeAll() }
            }
            entries[key] = (value, expires)
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
