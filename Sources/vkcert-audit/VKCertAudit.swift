// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import VKCertCommands

/// `vkcert-audit`: the offline half of vkcert, built from the modules below KubeAPI only (no Foundation,
/// no networking), for minimal static binaries that audit certificates where they live.
struct VKCertAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vkcert-audit",
        abstract: "Offline certificate, CSR and RSA key auditing (the core of vkcert, without the Kubernetes parts).",
        discussion: """
            The same commands, options, output and exit codes as in vkcert.

            Examples:
              vkcert-audit inspect /etc/ssl/certs/ca-certificates.crt --json
              vkcert-audit lint node.pem --node node-1 --ip 10.0.0.7
              vkcert-audit verify node.pem --ca ca.pem
              vkcert-audit vectors --dir Vectors

            Exit status: 0 success, 1 invalid signature, failed lint or failed suite, 2 usage or input error.
            """,
        subcommands: [
            InspectCommand.self, LintCommand.self, VerifyCommand.self, KeyCommand.self, CSRCommand.self, CertCommand.self,
            VectorsCommand.self, BenchCommand.self,
        ]
    )
}

@main
enum Main {
    static func main() {
        CommandLineMain.run(VKCertAudit.self, name: programName)
    }
}
