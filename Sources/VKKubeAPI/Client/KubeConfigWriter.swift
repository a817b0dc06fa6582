// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc

extension ClientConfiguration {
    /// A kubeconfig for this cluster that authenticates with the client certificate and key in the given
    /// files: the one the kubelet writes after TLS bootstrapping (writeKubeconfigFromBootstrapping in
    /// pkg/kubelet/certificate/bootstrap: a `default-cluster` from the bootstrap kubeconfig's server and
    /// CA, a `default-auth` user naming the rotating `*-current.pem` file for both certificate and key).
    /// The CA is embedded, so the file stands alone.
    public func kubeconfigYAML(clientCertificateFile: String, clientKeyFile: String) -> String {
        var cluster = ["    server: \(Self.quoted(server))"]
        if let ca = certificateAuthority { cluster.append("    certificate-authority-data: \(Data(ca).base64EncodedString())") }
        if insecureSkipTLSVerify { cluster.append("    insecure-skip-tls-verify: true") }
        if let name = tlsServerName { cluster.append("    tls-server-name: \(Self.quoted(name))") }
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: default-cluster
              cluster:
            \(cluster.joined(separator: "\n"))
            users:
            - name: default-auth
              user:
                client-certificate: \(Self.quoted(clientCertificateFile))
                client-key: \(Self.quoted(clientKeyFile))
            contexts:
            - name: default-context
              context:
                cluster: default-cluster
                user: default-auth
                namespace: default
            current-context: default-context

            """
    }

    /// A YAML double-quoted scalar (JSON string escaping is valid YAML).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
