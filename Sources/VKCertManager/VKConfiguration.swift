// SPDX-License-Identifier: Apache-2.0

import VKFileIO
import FoundationEssentials
import Glibc
import VKKubeAPI
import VKX509
import VKYAML

/// vkcert's configuration: the InterLink Virtual Kubelet keys read unchanged (`KubeletCertFile`,
/// `KubeletKeyFile`, `KubeletCSRSignerName`, `DisableCSR`, `VerboseLogging`) plus vkcert's own; any
/// other key of an InterLink config is ignored and listed in ``ignoredKeys``. Environment variables
/// `NODENAME`, `POD_IP`, `KUBELET_URL`, `KUBELET_PORT` fill what the file leaves out.
public struct VKConfiguration: Sendable {
    public var kubeletCertFile: String?
    public var kubeletKeyFile: String?
    public var signerName = "kubernetes.io/kubelet-serving"
    public var disableCSR = false
    public var verboseLogging = false
    public var nodeName: String?
    public var nodeIPs: [String] = []
    public var dnsNames: [String] = []
    /// "::" = every address, IPv4 and IPv6 on one socket where the kernel allows (as Go's listener does).
    public var listenAddress = "::"
    public var listenPort = 10250
    public var certDir = "/tmp/certs"
    /// `CertSecret: <namespace>/<name>`: also keep the pair and the pending request in that Secret (CSR mode).
    public var certSecret: String?
    public var clientCAFile: String?
    /// `Authentication` / `Authorization` (the kubelet's): request authentication and authorization of
    /// the kubelet API. nil: neither key given — the client CA alone decides, as before.
    public var kubeletAccess: KubeletAccessPolicy?
    public var upstream: String?
    public var kubeconfig: String?
    /// TLS bootstrapping (CSR mode): the kubelet's `--bootstrap-kubeconfig` — a low-privilege credential
    /// (a bootstrap token) used only to obtain the node client certificate (``NodeBootstrap``).
    public var bootstrapKubeconfig: String?
    /// TLS bootstrapping: the kubelet's `--kubeconfig`, written to use the node client certificate
    /// (default `<CertDir>/node.kubeconfig`).
    public var nodeKubeconfig: String?
    public var renewalFraction = 0.8
    public var pollInterval: TimeInterval = 10
    public var csrExpirationSeconds: Int32?
    /// Watch the CSR (with the poll as fallback); off means poll only.
    public var watchCSR = true
    public var metricsAddress: String? = "127.0.0.1:10248"
    /// Relay to `upstream` without client authentication (no `ClientCAFile`): refused unless this is set.
    public var allowUnauthenticatedUpstream = false
    /// Files mode: where to keep the current pair for another server (combined PEM, and/or separate files).
    public var writeCombinedFile: String?
    public var writeCertFile: String?
    public var writeKeyFile: String?
    /// The key type for self-signed and CSR modes (`KeyAlgorithm`: RSA-2048, RSA-3072, RSA-4096,
    /// ECDSA-P256, ECDSA-P384, Ed25519). Manual mode serves whatever type its files hold.
    public var keyAlgorithm: KeyAlgorithm = .rsa2048
    /// Keys of the file that look like a misspelt known key, with the suggestion (`DisabelCSR` → `DisableCSR`).
    public var suspiciousKeys: [(key: String, suggestion: String)] = []
    /// Keys present in the file that vkcert does not use (InterLink's other settings).
    public var ignoredKeys: [String] = []
    public var sourceFile: String?

    public init() {}

    /// The certificate mode by the InterLink priority: manual > self-signed > CSR.
    public enum Mode: Sendable, Equatable, CustomStringConvertible {
        case manual(certFile: String, keyFile: String)
        case selfSigned
        case csr(signerName: String)

        public var description: String {
            switch self {
            case .manual: "manual"
            case .selfSigned: "self-signed"
            case .csr: "csr"
            }
        }
    }

    /// Where the node kubeconfig goes (TLS bootstrapping).
    public var resolvedNodeKubeconfig: String { nodeKubeconfig ?? certDir + "/node.kubeconfig" }

    public var mode: Mode {
        if let cert = kubeletCertFile, let key = kubeletKeyFile { return .manual(certFile: cert, keyFile: key) }
        if disableCSR { return .selfSigned }
        return .csr(signerName: signerName)
    }

    static let knownKeys: Set<String> = [
        "KubeletCertFile", "KubeletKeyFile", "KubeletCSRSignerName", "DisableCSR", "VerboseLogging", "NodeName", "NodeIP",
        "NodeIPs", "DNSNames", "KubeletURL", "KubeletPort", "CertDir", "ClientCAFile", "Upstream", "Kubeconfig",
        "RenewalFraction", "PollIntervalSeconds", "CSRExpirationSeconds", "WatchCSR", "MetricsAddress",
        "AllowUnauthenticatedUpstream", "WriteCombinedFile", "WriteCertFile", "WriteKeyFile", "KeyAlgorithm", "CertSecret",
        "BootstrapKubeconfig", "NodeKubeconfig", "Authentication", "Authorization",
    ]

    /// The known key an unknown one is probably a misspelling of: same letters ignoring case, or at most
    /// two edits (insert, delete, replace, swap of neighbours) away from a known key of 6+ letters.
    static func suggestion(for key: String) -> String? {
        let lower = key.lowercased()
        var best: (String, Int)? = nil
        for known in knownKeys {
            let k = known.lowercased()
            if k == lower { return known }
            guard known.count >= 6, abs(k.count - lower.count) <= 2 else { continue }
            let d = editDistance(Array(lower.utf8), Array(k.utf8))
            if d <= 2, best == nil || d < best!.1 { best = (known, d) }
        }
        return best?.0
    }

    /// Optimal string alignment distance (Levenshtein plus adjacent transpositions); inputs are short keys.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        guard a.count <= 64, b.count <= 64 else { return Int.max }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }

    /// Parses YAML text; `file` names the source in errors.
    public static func parse(_ text: String, file: String?) throws -> VKConfiguration {
        var config = VKConfiguration()
        config.sourceFile = file
        let node: YAMLNode?
        do {
            node = try BoundedYAML.compose(text)
        } catch {
            throw ConfigurationError(file: file, key: nil, "not valid YAML: \(BoundedYAML.describe(error))")
        }
        guard let node else { return config }
        guard let mapping = node.mapping else { throw ConfigurationError(file: file, key: nil, "the top level must be a mapping of keys to values") }
        func string(_ key: String, _ value: YAMLNode) throws -> String {
            guard let s = value.scalar?.string else { throw ConfigurationError(file: file, key: key, "must be a string") }
            return s
        }
        func bool(_ key: String, _ value: YAMLNode) throws -> Bool {
            guard let scalar = value.scalar, let b = scalar.bool else { throw ConfigurationError(file: file, key: key, "must be true or false") }
            return b
        }
        func number(_ key: String, _ value: YAMLNode) throws -> Double {
            guard let scalar = value.scalar, let d = Double(scalar.string) else { throw ConfigurationError(file: file, key: key, "must be a number") }
            return d
        }
        /// A whole number within `range` (YAML gives Doubles: 1e300, .inf and .nan must not reach Int conversions).
        func wholeNumber(_ key: String, _ value: YAMLNode, _ range: ClosedRange<Int>, _ what: String) throws -> Int {
            let d = try number(key, value)
            guard d.isFinite, d == d.rounded(), d >= Double(range.lowerBound), d <= Double(range.upperBound) else {
                throw ConfigurationError(file: file, key: key, "must be \(what) (\(range.lowerBound)–\(range.upperBound))")
            }
            return Int(d)
        }
        func strings(_ key: String, _ value: YAMLNode) throws -> [String] {
            if let s = value.scalar?.string { return s.isEmpty ? [] : [s] }
            guard let seq = value.sequence else { throw ConfigurationError(file: file, key: key, "must be a list of strings") }
            return try seq.map { try string(key, $0) }
        }
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else { continue }
            guard knownKeys.contains(key) else {
                config.ignoredKeys.append(key)
                if let suggestion = suggestion(for: key) { config.suspiciousKeys.append((key, suggestion)) }
                continue
            }
            switch key {
            case "KubeletCertFile": config.kubeletCertFile = try string(key, value).nilIfEmpty
            case "KubeletKeyFile": config.kubeletKeyFile = try string(key, value).nilIfEmpty
            case "KubeletCSRSignerName": if let s = try string(key, value).nilIfEmpty { config.signerName = s }
            case "DisableCSR": config.disableCSR = try bool(key, value)
            case "VerboseLogging": config.verboseLogging = try bool(key, value)
            case "NodeName": config.nodeName = try string(key, value).nilIfEmpty
            case "NodeIP": config.nodeIPs.insert(contentsOf: try strings(key, value), at: 0)
            case "NodeIPs": config.nodeIPs += try strings(key, value)
            case "DNSNames": config.dnsNames += try strings(key, value)
            case "KubeletURL": config.listenAddress = try string(key, value)
            case "KubeletPort": config.listenPort = try wholeNumber(key, value, 1...65535, "a port number")
            case "CertDir": config.certDir = try string(key, value)
            case "CertSecret": config.certSecret = try string(key, value).nilIfEmpty
            case "ClientCAFile": config.clientCAFile = try string(key, value).nilIfEmpty
            case "Upstream": config.upstream = try string(key, value).nilIfEmpty
            case "Kubeconfig": config.kubeconfig = try string(key, value).nilIfEmpty
            case "BootstrapKubeconfig": config.bootstrapKubeconfig = try string(key, value).nilIfEmpty
            case "NodeKubeconfig": config.nodeKubeconfig = try string(key, value).nilIfEmpty
            case "RenewalFraction": config.renewalFraction = try number(key, value)
            case "PollIntervalSeconds": config.pollInterval = TimeInterval(try wholeNumber(key, value, 1...86_400, "a number of seconds"))
            case "CSRExpirationSeconds": config.csrExpirationSeconds = Int32(try wholeNumber(key, value, 600...Int(Int32.max), "a number of seconds"))
            case "WatchCSR": config.watchCSR = try bool(key, value)
            case "MetricsAddress": config.metricsAddress = try string(key, value).nilIfEmpty
            case "AllowUnauthenticatedUpstream": config.allowUnauthenticatedUpstream = try bool(key, value)
            case "WriteCombinedFile": config.writeCombinedFile = try string(key, value).nilIfEmpty
            case "WriteCertFile": config.writeCertFile = try string(key, value).nilIfEmpty
            case "WriteKeyFile": config.writeKeyFile = try string(key, value).nilIfEmpty
            case "Authentication":
                var access = config.kubeletAccess ?? KubeletAccessPolicy()
                try parseAuthentication(value, into: &access, clientCAFile: &config.clientCAFile, file: file)
                config.kubeletAccess = access
            case "Authorization":
                var access = config.kubeletAccess ?? KubeletAccessPolicy()
                try parseAuthorization(value, into: &access, file: file)
                config.kubeletAccess = access
            case "KeyAlgorithm":
                let text = try string(key, value)
                guard let algorithm = KeyAlgorithm(name: text) else {
                    throw ConfigurationError(file: file, key: key, "\"\(text)\" is not a key algorithm (\(KeyAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                config.keyAlgorithm = algorithm
            default: break
            }
        }
        return config
    }

    /// The nested mapping at `key` as (lower-cased key, value, spelled key) — the kubelet's own spellings
    /// (`x509.clientCAFile`, `webhook.cacheTTL`) and InterLink-style capitals (`X509.ClientCAFile`) alike.
    static func fields(_ node: YAMLNode, _ key: String, file: String?) throws -> [(String, YAMLNode, String)] {
        guard let mapping = node.mapping else { throw ConfigurationError(file: file, key: key, "must be a mapping") }
        return mapping.compactMap { k, v in k.scalar.map { ($0.string.lowercased(), v, "\(key).\($0.string)") } }
    }

    static func boolean(_ node: YAMLNode, _ key: String, file: String?) throws -> Bool {
        guard let scalar = node.scalar, let b = scalar.bool else { throw ConfigurationError(file: file, key: key, "must be true or false") }
        return b
    }

    static func duration(_ node: YAMLNode, _ key: String, file: String?) throws -> Double {
        guard let text = node.scalar?.string, let seconds = GoDuration.parse(text), seconds <= 86_400 else {
            throw ConfigurationError(file: file, key: key, "must be a duration up to 24h, e.g. 2m, 30s, 5m0s")
        }
        return seconds
    }

    /// `Authentication: {Anonymous: {Enabled}, Webhook: {Enabled, CacheTTL}, X509: {ClientCAFile}}`.
    static func parseAuthentication(_ node: YAMLNode, into access: inout KubeletAccessPolicy, clientCAFile: inout String?, file: String?) throws {
        for (name, value, spelled) in try fields(node, "Authentication", file: file) {
            switch name {
            case "anonymous":
                for (inner, v, key) in try fields(value, spelled, file: file) {
                    guard inner == "enabled" else { throw ConfigurationError(file: file, key: key, "is not a setting of Anonymous (Enabled)") }
                    access.anonymous = try boolean(v, key, file: file)
                }
            case "webhook":
                for (inner, v, key) in try fields(value, spelled, file: file) {
                    switch inner {
                    case "enabled": access.webhookAuthentication = try boolean(v, key, file: file)
                    case "cachettl": access.tokenCacheTTL = try duration(v, key, file: file)
                    default: throw ConfigurationError(file: file, key: key, "is not a setting of Webhook (Enabled, CacheTTL)")
                    }
                }
            case "x509":
                for (inner, v, key) in try fields(value, spelled, file: file) {
                    guard inner == "clientcafile", let path = v.scalar?.string else { throw ConfigurationError(file: file, key: key, "is not a setting of X509 (ClientCAFile: a path)") }
                    clientCAFile = path.nilIfEmpty
                }
            default: throw ConfigurationError(file: file, key: spelled, "is not a setting of Authentication (Anonymous, Webhook, X509)")
            }
        }
    }

    /// `Authorization: {Mode: Webhook|AlwaysAllow, Webhook: {CacheAuthorizedTTL, CacheUnauthorizedTTL}}`.
    static func parseAuthorization(_ node: YAMLNode, into access: inout KubeletAccessPolicy, file: String?) throws {
        for (name, value, spelled) in try fields(node, "Authorization", file: file) {
            switch name {
            case "mode":
                guard let text = value.scalar?.string, let mode = KubeletAccessPolicy.AuthorizationMode(rawValue: text) else {
                    throw ConfigurationError(file: file, key: spelled, "must be Webhook or AlwaysAllow")
                }
                access.authorization = mode
            case "webhook":
                for (inner, v, key) in try fields(value, spelled, file: file) {
                    switch inner {
                    case "cacheauthorizedttl": access.cacheAuthorizedTTL = try duration(v, key, file: file)
                    case "cacheunauthorizedttl": access.cacheUnauthorizedTTL = try duration(v, key, file: file)
                    default: throw ConfigurationError(file: file, key: key, "is not a setting of Webhook (CacheAuthorizedTTL, CacheUnauthorizedTTL)")
                    }
                }
            default: throw ConfigurationError(file: file, key: spelled, "is not a setting of Authorization (Mode, Webhook)")
            }
        }
    }

    /// Largest configuration file read.
    public static let maximumSize = 4 << 20

    /// Reads and parses `path`.
    public static func load(_ path: String) throws -> VKConfiguration {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path, limit: maximumSize)
        } catch let error as FileError {
            throw ConfigurationError(file: path, key: nil, "cannot read the configuration file: \(error.reason)")
        }
        return try parse(String(decoding: bytes, as: UTF8.self), file: path)
    }

    /// Applies `NODENAME`, `POD_IP`, `KUBELET_URL`, `KUBELET_PORT` with one rule for all of them:
    /// **flags > environment > file > defaults**. The environment is how a pod gets its own values (the
    /// downward API's node name and pod IP) while the file is shared by every replica, and InterLink's VK
    /// takes these four from the environment. `POD_IP` becomes the first node IP; the file's `NodeIP`s stay
    /// as further SANs.
    public mutating func applyEnvironment(_ environment: [String: String]) throws {
        if let name = environment["NODENAME"], !name.isEmpty { nodeName = name }
        if let ip = environment["POD_IP"], !ip.isEmpty {
            nodeIPs.removeAll { $0 == ip }
            nodeIPs.insert(ip, at: 0)
        }
        if let url = environment["KUBELET_URL"], !url.isEmpty { listenAddress = url }
        if let port = environment["KUBELET_PORT"], !port.isEmpty {
            guard let p = Int(port), (1...65535).contains(p) else { throw ConfigurationError(file: nil, key: "KUBELET_PORT", "\"\(port)\" is not a port number") }
            listenPort = p
        }
    }

    /// Checks everything the modes need and returns the parsed node IP addresses.
    public func validate() throws -> [[UInt8]] {
        let file = sourceFile
        switch (kubeletCertFile, kubeletKeyFile) {
        case (nil, .some): throw ConfigurationError(file: file, key: "KubeletCertFile", "is missing while KubeletKeyFile is set: manual mode needs both")
        case (.some, nil): throw ConfigurationError(file: file, key: "KubeletKeyFile", "is missing while KubeletCertFile is set: manual mode needs both")
        default: break
        }
        guard let node = nodeName, !node.isEmpty else {
            throw ConfigurationError(file: file, key: "NodeName", "is required (set NodeName in the file or the NODENAME environment variable)")
        }
        if bootstrapKubeconfig != nil, case .csr = mode {
            if kubeconfig != nil {
                throw ConfigurationError(file: file, key: "Kubeconfig", "is set together with BootstrapKubeconfig: with TLS bootstrapping vkcert talks to the API server as the node (NodeKubeconfig, written by vkcert); drop Kubeconfig, or BootstrapKubeconfig to keep the ServiceAccount identity")
            }
            if certSecret != nil {
                throw ConfigurationError(file: file, key: "CertSecret", "needs the ServiceAccount identity: with BootstrapKubeconfig vkcert acts as the node, which the Node authorizer does not let read or write Secrets; keep CertDir on a volume instead")
            }
        }
        if let secret = certSecret, SecretCertificateStore.parse(secret) == nil {
            throw ConfigurationError(file: file, key: "CertSecret", "\"\(secret)\" is not <namespace>/<name> (a DNS label and a DNS subdomain, e.g. interlink/vkcert-vk-1)")
        }
        guard VKConfiguration.isValidNodeName(node) else {
            throw ConfigurationError(file: file, key: "NodeName", "\"\(node)\" is not a valid node name (lower-case RFC 1123 subdomain)")
        }
        var ips: [[UInt8]] = []
        for text in nodeIPs {
            guard let bytes = IPAddressText.parse(text) else { throw ConfigurationError(file: file, key: "NodeIP", "\"\(text)\" is not an IP address") }
            if !ips.contains(bytes) { ips.append(bytes) }
        }
        if case .manual = mode {} else if ips.isEmpty {
            throw ConfigurationError(file: file, key: "NodeIP", "no node IP: set NodeIP or POD_IP (the serving certificate's SAN needs the address the control plane connects to)")
        }
        if case .csr(let signer) = mode, !VKConfiguration.isValidSignerName(signer) {
            throw ConfigurationError(file: file, key: "KubeletCSRSignerName", "\"\(signer)\" is not a signer name (kubernetes.io/kubelet-serving, domain/path, clusterissuers.cert-manager.io/<name> or issuers.cert-manager.io/<namespace>.<name>)")
        }
        if upstream != nil, let access = kubeletAccess, access.anonymous, access.authorization == .alwaysAllow, !allowUnauthenticatedUpstream {
            throw ConfigurationError(file: file, key: "Authorization", "Mode AlwaysAllow with Anonymous enabled relays the provider's API to anyone who reaches the port; use Mode: Webhook, or AllowUnauthenticatedUpstream: true to accept that")
        }
        if upstream != nil, clientCAFile == nil, kubeletAccess == nil, !allowUnauthenticatedUpstream {
            throw ConfigurationError(
                file: file, key: "Upstream",
                "relays the provider's API to anyone who reaches the port unless ClientCAFile is set; set ClientCAFile (the CA of the API server's kubelet client certificate), or AllowUnauthenticatedUpstream: true to accept that"
            )
        }
        if let upstream, HostPort.parse(upstream, allowZeroPort: false)?.host.isEmpty != false {
            throw ConfigurationError(file: file, key: "Upstream", "\"\(upstream)\" is not host:port (the provider's plain-HTTP address, e.g. 127.0.0.1:10255)")
        }
        if let address = metricsAddress, HostPort.parse(address) == nil {
            throw ConfigurationError(file: file, key: "MetricsAddress", "\"\(address)\" is not host:port (e.g. 127.0.0.1:10248, :10248, [::1]:10248) or off")
        }
        if writeKeyFile != nil, writeCertFile == nil {
            throw ConfigurationError(file: file, key: "WriteCertFile", "is missing while WriteKeyFile is set: the pair is written together")
        }
        if writeCertFile != nil, writeKeyFile == nil {
            throw ConfigurationError(file: file, key: "WriteKeyFile", "is missing while WriteCertFile is set: the pair is written together")
        }
        guard renewalFraction > 0 && renewalFraction < 1 else { throw ConfigurationError(file: file, key: "RenewalFraction", "must be between 0 and 1 (exclusive), e.g. 0.8") }
        guard pollInterval >= 1 else { throw ConfigurationError(file: file, key: "PollIntervalSeconds", "must be at least 1") }
        if let seconds = csrExpirationSeconds, seconds < 600 { throw ConfigurationError(file: file, key: "CSRExpirationSeconds", "must be at least 600 (10 minutes)") }
        return ips
    }

    static func isValidNodeName(_ name: String) -> Bool {
        guard (1...253).contains(name.utf8.count) else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        }
    }

    /// `kubernetes.io/kubelet-serving`, any `domain/path`, and cert-manager's
    /// `clusterissuers.cert-manager.io/<name>` / `issuers.cert-manager.io/<namespace>.<name>`.
    static func isValidSignerName(_ name: String) -> Bool {
        guard let slash = name.firstIndex(of: "/") else { return false }
        let domain = String(name[..<slash])
        let path = String(name[name.index(after: slash)...])
        guard !path.isEmpty, isValidNodeName(domain), !path.contains("/") || domain != "clusterissuers.cert-manager.io" else { return false }
        if domain == "issuers.cert-manager.io" {
            let parts = path.split(separator: ".", maxSplits: 1)
            return parts.count == 2 && isValidNodeName(String(parts[0])) && isValidNodeName(String(parts[1]))
        }
        if domain == "clusterissuers.cert-manager.io" { return isValidNodeName(path) }
        return name.count <= 571
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
