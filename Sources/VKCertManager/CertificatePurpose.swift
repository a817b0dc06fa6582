// SPDX-License-Identifier: Apache-2.0

import VKX509

/// What a CSR-mode certificate is for: the kubelet's HTTPS endpoint, or its own identity towards the API
/// server (TLS bootstrapping). Both carry `CN=system:node:<node>, O=system:nodes`; they differ in signer,
/// SANs and usages — and every such difference is stated here, once.
public enum CertificatePurpose: Sendable, Equatable {
    /// `kubernetes.io/kubelet-serving` (or the configured signer): SANs = node IPs and DNS names, server auth.
    case serving
    /// `kubernetes.io/kube-apiserver-client-kubelet`: no SANs, client auth.
    case nodeClient

    public static let nodeClientSignerName = "kubernetes.io/kube-apiserver-client-kubelet"

    /// For log lines and messages.
    var noun: String { self == .serving ? "certificate" : "node client certificate" }

    /// The `mode` label of the manager's metrics.
    var metricsMode: String { self == .serving ? "csr" : "node-client" }

    /// The extended usage requested in `spec.usages`.
    var extendedUsage: String { self == .serving ? "server auth" : "client auth" }

    /// Names of this node's requests: `vk-<node>-xxxxx`, `vk-<node>-client-xxxxx`.
    func namePrefix(node: String) -> String { (self == .serving ? "vk-\(node)-" : "vk-\(node)-client-").prefix(58).description }

    /// The PKCS#10 request: SANs for serving, none for the client (the client-kubelet signer refuses any).
    func requestBuilder(node: String, ips: [[UInt8]], dnsNames: [String]) -> CSRBuilder {
        self == .serving ? CSRBuilder.kubeletServing(node: node, ipAddresses: ips, dnsNames: dnsNames) : CSRBuilder.kubeletClient(node: node)
    }
}
