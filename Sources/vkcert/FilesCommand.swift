// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import VKCertManager
import VKCertCommands

/// `vkcert files`: keep certificate files current for another server (InterLink's Virtual Kubelet).
struct FilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "Keep a certificate and key on disk for a server that loads its files per handshake (InterLink's VK).",
        discussion: """
            Runs the configured mode (manual > self-signed > CSR, as `serve` does) and writes the current pair \
            whenever it changes: --combined writes the chain and the PKCS#8 key into one file, which InterLink's \
            VK can use as both KubeletCertFile and KubeletKeyFile; --cert-out/--key-out write separate files. \
            Every file is replaced atomically (temporary file, fsync, rename), and renewals keep the key, so a \
            reader that loads the certificate and the key in two reads (Go's tls.LoadX509KeyPair) never pairs a \
            certificate with another key. Without --serve no HTTPS listener is opened; /healthz and /metrics \
            still listen (MetricsAddress).

            Configuration keys: WriteCombinedFile, WriteCertFile, WriteKeyFile (flags override them).

            Example (sidecar beside InterLink's VK, both mounting /certs):
              vkcert files --config /etc/vk/InterLinkConfig.yaml --combined /certs/kubelet.pem
            and in the VK's configuration:
              KubeletCertFile: /certs/kubelet.pem
              KubeletKeyFile: /certs/kubelet.pem
            """
    )

    @OptionGroup var options: ServeOptions

    @Option(help: "Write the chain and the key into this one file (mode 0600).")
    var combined: String?

    @Option(name: .customLong("cert-out"), help: "Write the certificate chain here (mode 0644); needs --key-out.")
    var certOut: String?

    @Option(name: .customLong("key-out"), help: "Write the PKCS#8 private key here (mode 0600); needs --cert-out.")
    var keyOut: String?

    @Flag(help: "Also serve the kubelet HTTPS API (as `serve` does).")
    var serve = false

    func run() async throws {
        var config = try options.configuration()
        if let combined { config.writeCombinedFile = combined }
        if let certOut { config.writeCertFile = certOut }
        if let keyOut { config.writeKeyFile = keyOut }
        let targets = CertificateFileWriter.Targets(combined: config.writeCombinedFile, certificate: config.writeCertFile, key: config.writeKeyFile)
        guard !targets.isEmpty else {
            throw CLIFailure.input("nothing to write: give --combined FILE or --cert-out FILE --key-out FILE (or WriteCombinedFile / WriteCertFile + WriteKeyFile in the configuration)")
        }
        guard (targets.certificate == nil) == (targets.key == nil) else {
            throw CLIFailure.input("--cert-out and --key-out go together (WriteCertFile and WriteKeyFile)")
        }
        var serving = Serving(config: config, logger: makeLogger(verbose: config.verboseLogging))
        serving.fileTargets = targets
        serving.serveTLS = serve
        try await serving.run()
    }
}
