// SPDX-License-Identifier: Apache-2.0

/// What a CSR-mode certificate is for: the kubelet's HTTPS endpoint, or its own identity towards the API
/// server (TLS bootstrapping). Both carry `CN=system:node:<node>, O=system:nodes`; they differ in signer,
/// SANs and usages.
public enum CertificatePurpose: Sendable, Equatable {
    /// `kubernetes.io/kubelet-serving` (or the configured signer): SANs = node IPs and DNS names, server auth.
    case serving
    /// `kubernetes.io/kube-apiserver-client-kubelet`: no SANs, client auth.
    case nodeClient

    public static let nodeClientSignerName = "kubernetes.io/kube-apiserver-client-kubelet"
}
