// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif

/// Thread CPU time, which is what matters on shared 2-vCPU machines (wall time moves with other tenants).
enum CPUClock {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Runs `body` repeatedly for at least `seconds` of CPU time; returns operations per CPU second.
    static func rate(seconds: Double, batch: Int = 1, _ body: () throws -> Void) rethrows -> Double {
        let start = now()
        var count = 0
        var elapsed = 0.0
        repeat {
            for _ in 0..<batch { try body() }
            count += batch
            elapsed = now() - start
        } while elapsed < seconds
        return Double(count) / elapsed
    }
}

/// Order statistics for reporting.
struct Statistics {
    let sorted: [Double]

    init(_ values: [Double]) {
        sorted = values.sorted()
    }

    func percentile(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = p / 100 * Double(sorted.count - 1)
        let low = Int(rank.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - Double(low))
    }

    var median: Double { percentile(50) }
    var mean: Double { sorted.reduce(0, +) / Double(max(sorted.count, 1)) }
}
