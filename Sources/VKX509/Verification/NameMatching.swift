// SPDX-License-Identifier: Apache-2.0

import VKDER

/// Name comparison and constraint matching used by path validation.
enum NameMatching {
    /// RFC 5280 §7.1 comparison, simplified as OpenSSL and Go apply it: attribute types equal, string
    /// values compared case-insensitively (ASCII) with leading/trailing spaces dropped and inner runs of
    /// spaces collapsed; exact DER equality short-circuits.
    static func namesMatch(_ a: DistinguishedName, _ b: DistinguishedName) -> Bool {
        if a.der == b.der { return true }
        guard a.rdns.count == b.rdns.count else { return false }
        return zip(a.rdns, b.rdns).allSatisfy(rdnsMatch)
    }

    /// Whether `name` lies within the directoryName subtree `base` (RFC 5280 §4.2.1.10, §7.1): the base's
    /// RDNs are the first RDNs of the name, compared as ``namesMatch(_:_:)`` compares them. An empty base
    /// contains every name.
    static func directoryNameWithin(_ name: DistinguishedName, base: DistinguishedName) -> Bool {
        guard base.rdns.count <= name.rdns.count else { return false }
        return zip(base.rdns, name.rdns).allSatisfy(rdnsMatch)
    }

    private static func rdnsMatch(_ x: RelativeDistinguishedName, _ y: RelativeDistinguishedName) -> Bool {
        guard x.attributes.count == y.attributes.count else { return false }
        for (p, q) in zip(x.attributes, y.attributes) {
            guard p.type == q.type else { return false }
            guard let s = p.value.string?.value, let t = q.value.string?.value else {
                if p.value.encoded != q.value.encoded { return false }
                continue
            }
            if normalize(s) != normalize(t) { return false }
        }
        return true
    }

    static func normalize(_ s: String) -> String {
        let words = s.lowercased().split(separator: " ", omittingEmptySubsequences: true)
        return words.joined(separator: " ")
    }

    /// Whether `host` matches the DNS SAN `pattern`: exact (case-insensitive, trailing dot ignored) or a
    /// leading `*.` wildcard covering exactly one left-most label (RFC 6125 §6.4.3, as browsers do).
    static func dnsMatches(pattern: String, host: String) -> Bool {
        let p = pattern.lowercased().trimmingSuffix(".")
        let h = host.lowercased().trimmingSuffix(".")
        if p == h { return true }
        guard p.hasPrefix("*.") else { return false }
        let suffix = p.dropFirst(1)  // ".example.com"
        guard h.hasSuffix(suffix), let firstDot = h.firstIndex(of: ".") else { return false }
        return h[firstDot...] == suffix && h.distance(from: h.startIndex, to: firstDot) > 0
    }

    /// Whether DNS name `name` is within the constraint `base` (RFC 5280 §4.2.1.10): equal, or `name` ends
    /// with "." + base; a base starting with "." matches subdomains only.
    static func dnsWithin(_ name: String, constraint base: String) -> Bool {
        let n = name.lowercased().trimmingSuffix(".")
        var b = base.lowercased().trimmingSuffix(".")
        if b.isEmpty { return true }
        if b.hasPrefix(".") {
            b.removeFirst()
            return n.hasSuffix("." + b)
        }
        return n == b || n.hasSuffix("." + b)
    }

    /// Whether `address` (4/16 bytes) is inside `constraint` (8/32 bytes: address then mask).
    static func ipWithin(_ address: ArraySlice<UInt8>, constraint: ArraySlice<UInt8>) -> Bool {
        guard constraint.count == 2 * address.count else { return false }
        let base = Array(constraint.prefix(address.count))
        let mask = Array(constraint.suffix(address.count))
        for (i, byte) in address.enumerated() where byte & mask[i] != base[i] & mask[i] {
            return false
        }
        return true
    }

    /// Whether an rfc822 name is within an email constraint: a mailbox (exact), a host (domain part
    /// equal) or ".domain" (any subdomain).
    static func emailWithin(_ email: String, constraint: String) -> Bool {
        let e = email.lowercased()
        let c = constraint.lowercased()
        if c.contains("@") { return e == c }
        guard let at = e.lastIndex(of: "@") else { return false }
        let host = e[e.index(after: at)...]
        if c.hasPrefix(".") { return host.hasSuffix(c) }
        return host == c
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
