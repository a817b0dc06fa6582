// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import VKCertCommands
#if canImport(Glibc)
import Glibc
#endif

/// The `vkcert` command: a thin shell over the library modules.
///
/// Exit codes (the contract outside checks rely on): 0 success / valid; 1 a negative verdict
/// (signature invalid, conformance failure); 2 usage or input error, with one message on stderr that
/// names the file and what is wrong.
struct VKCert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vkcert",
        abstract: "Certificates for a Virtual Kubelet's HTTPS server, on a pure-Swift PKI toolkit.",
        discussion: """
            Offline tools for auditing certificates, CSRs and keys, issuing kubelet serving certificates, \
            RSA signatures, conformance runs over test vectors, and benchmarks.

            Examples:
              vkcert inspect /etc/ssl/certs/ca-certificates.crt --json
              vkcert csr create --key node.key --node node-1 --ip 10.0.0.7 --out node.csr
              vkcert cert sign --csr node.csr --ca-cert ca.pem --ca-key ca.key --out node.pem
              vkcert lint node.pem --node node-1 --ip 10.0.0.7
              vkcert verify node.pem --ca ca.pem
              vkcert key generate --out node.key                  # RSA-2048, PKCS#8 PEM, mode 0600
              vkcert key public --key node.key --out node.pub     # SubjectPublicKeyInfo PEM
              vkcert key sign --key node.key --in msg --out msg.sig --scheme pss
              vkcert key verify --key node.pub --in msg --signature msg.sig --scheme pss
              vkcert vectors                                      # Wycheproof + OpenSSL suites
              vkcert serve --config vk.yaml                       # the kubelet HTTPS endpoint
              vkcert files --config vk.yaml --combined /certs/kubelet.pem   # files for InterLink's VK
              vkcert health                                       # exec probe: GET 127.0.0.1:10248/healthz

            Exit status: 0 success, 1 invalid signature or failed suite, 2 usage or input error.
            """,
        subcommands: [
            ServeCommand.self, FilesCommand.self, HealthCommand.self, InspectCommand.self, LintCommand.self, VerifyCommand.self, KeyCommand.self, CSRCommand.self, CertCommand.self,
            SandboxCommand.self, VectorsCommand.self, BenchCommand.self,
        ]
    )
}

@main
enum Main {
    static func main() {
        CommandLineMain.run(VKCert.self, name: programName)
    }
}
