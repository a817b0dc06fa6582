// SPDX-License-Identifier: Apache-2.0

/// A listen or connect address as people write them: `host:port`, `:port` (every address), `[v6]:port`.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    /// The host without brackets; "" for `:port` (the caller picks its "every address" meaning).
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `:port`, `[::1]:port`; port 0–65535. Nil for anything else (a bare IPv6
    /// address without brackets is ambiguous and refused).
    public static func parse(_ text: String, allowZeroPort: Bool = true) -> HostPort? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), portText.count <= 5, let port = Int(portText),
            (allowZeroPort ? 0 : 1)...65535 ~= port
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { return nil }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") || host.contains("[") || host.contains("]") {
            return nil
        }
        return HostPort(host: host, port: port)
    }

    /// `host:port` with IPv6 hosts in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
