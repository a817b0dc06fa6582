// SPDX-License-Identifier: Apache-2.0

/// The subset of Go's time.ParseDuration that Kubernetes configurations use for durations (the kubelet's
/// `cacheTTL: 2m`, kube-controller-manager's `--cluster-signing-duration=8760h`): one or more
/// `<number><unit>` with units h, m, s (e.g. `8760h`, `1h30m`, `5m0s`, `1.5h`).
public enum GoDuration {
    public static func parse(_ text: String) -> Double? {
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        var total = 0.0
        var number = ""
        var sawUnit = false
        for ch in text {
            if ch.isASCII && (ch.isNumber || ch == ".") {
                number.append(ch)
            } else {
                guard let value = Double(number) else { return nil }
                switch ch {
                case "h": total += value * 3600
                case "m": total += value * 60
                case "s": total += value
                default: return nil
                }
                number = ""
                sawUnit = true
            }
        }
        guard number.isEmpty, sawUnit, total.isFinite else { return nil }
        return total
    }
}
