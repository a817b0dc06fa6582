// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing

/// The bad-input catalogue: every command and configuration path that reads a file, given each kind of
/// hostile or broken file. Each run must end with exit 2 (1 where the contract makes a parse failure a
/// verdict: inspect, lint), a last stderr line `vkcert: …` that names the file, within 20 s and 300 MB of
/// memory, and leave the output file exactly as it was (absent stays absent, existing bytes stay).
@Suite("Bad-input catalogue", .serialized)
struct BadInputCatalogueTests {
    /// The broken files, made once per run in a temporary directory.
    struct Inputs {
        let dir: TemporaryDirectory
        /// name → path; names are what the error message must mention.
        var files: [(name: String, path: String)] = []
        var yamlFiles: [(name: String, path: String)] = []
        /// serving.pem (key rsa2048-b, expired since 2026) and the CA root.pem (key rsa2048-a).
        let goodCert: String, goodKey: String, caCert: String, caKey: String, goodCSR: String, message: String, signature: String

        init() async throws {
            dir = try TemporaryDirectory("vkcert-badinput")
            let serving = try Repository.vectorBytes("openssl/x509/serving.pem")
            let servingDER = try await Run.openssl(["x509", "-in", Repository.vector("openssl/x509/serving.pem").path, "-outform", "DER"]).stdout
            goodCert = Repository.vector("openssl/x509/serving.pem").path
            goodKey = Repository.vector("openssl/keys/rsa2048-b.pkcs8.pem").path
            caCert = Repository.vector("openssl/x509/root.pem").path
            caKey = Repository.vector("openssl/keys/rsa2048-a.pkcs8.pem").path
            goodCSR = Repository.vector("openssl/x509/kubelet.csr").path
            message = try dir.write("message.bin", Array("hello".utf8))
            signature = try dir.write("signature.bin", [UInt8](repeating: 0x5A, count: 256))

            func add(_ name: String, _ bytes: [UInt8]) throws { files.append((name, try dir.write(name, bytes))) }
            try add("truncated.pem", Array(serving.prefix(serving.count / 2)))
            try add("truncated.der", Array(servingDER.prefix(servingDER.count - 7)))
            var random = [UInt8](repeating: 0, count: 4096)
            for i in random.indices { random[i] = UInt8.random(in: 0...255) }
            random[0] = 0xD0  // never a SEQUENCE, never PEM
            try add("random.bin", random)
            // A SEQUENCE claiming 2^31 − 1 content octets, raw and in PEM armour.
            let huge: [UInt8] = [0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 10)
            try add("huge-length.der", huge)
            try add("huge-length.pem", Array(pem("CERTIFICATE", huge).utf8))
            // 100,000 nested SEQUENCEs with minimal definite lengths (a 1 MB depth bomb).
            let deep = BadInputCatalogueTests.nested(depth: 100_000)
            try add("deep.der", deep)
            try add("deep.pem", Array(pem("CERTIFICATE", deep).utf8))
            try add("wrong-label.pem", Array(String(decoding: serving, as: UTF8.self).replacingOccurrences(of: "CERTIFICATE", with: "X509 CRL").utf8))
            try add("empty.pem", [])
            // 100 MB (sparse): must be refused by size, not read.
            let big = dir.path("100MB.pem")
            FileManager.default.createFile(atPath: big, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
            try handle.truncate(atOffset: 100 << 20)
            try handle.close()
            files.append(("100MB.pem", big))
            // Unreadable: a directory where a file belongs, and a missing file.
            try FileManager.default.createDirectory(atPath: dir.path("a-directory.pem"), withIntermediateDirectories: false)
            files.append(("a-directory.pem", dir.path("a-directory.pem")))
            files.append(("missing.pem", dir.path("missing.pem")))
            if getuid() != 0 {
                let path = try dir.write("no-permission.pem", serving)
                chmod(path, 0)
                files.append(("no-permission.pem", path))
            }

            // YAML for the configuration and kubeconfig paths: the same files plus YAML-specific bombs.
            yamlFiles = files.filter { ["truncated.pem", "random.bin", "100MB.pem", "a-directory.pem", "missing.pem"].contains($0.name) }
            func addYAML(_ name: String, _ text: String) throws { yamlFiles.append((name, try dir.write(name, Array(text.utf8)))) }
            try addYAML("deep-flow.yaml", String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))
            try addYAML("deep-block.yaml", "NodeName: " + String(repeating: "- ", count: 100_000) + "x\n")
            var bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
            var previous = "a"
            for name in ["b", "c", "d", "e", "f", "g", "h", "i", "j"] {
                bomb += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
                previous = name
            }
            try addYAML("alias-bomb.yaml", bomb + "NodeName: n\nNodeIPs: *j\nclusters: *j\n")
            try addYAML("not-a-mapping.yaml", "- just\n- a list\n")
            try addYAML("binary.yaml", "NodeName: \u{1}\u{2}\u{3}" + String(repeating: "\u{7}", count: 100_000) + "\n")
        }

        func pem(_ label: String, _ der: [UInt8]) -> String {
            let b64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            return "-----BEGIN \(label)-----\n\(b64)\n-----END \(label)-----\n"
        }
    }

    /// `depth` SEQUENCEs, each holding the next, innermost NULL; every length minimal.
    static func nested(depth: Int) -> [UInt8] {
        // Content length of level k (from the inside) determines its header; build from the inside out.
        var lengths = [Int](repeating: 0, count: depth + 1)
        lengths[0] = 2  // NULL
        func headerSize(_ length: Int) -> Int { length < 0x80 ? 2 : 2 + (length.bitWidth - length.leadingZeroBitCount + 7) / 8 }
        for level in 1...depth { lengths[level] = lengths[level - 1] + headerSize(lengths[level - 1]) }
        var out: [UInt8] = []
        out.reserveCapacity(lengths[depth] + headerSize(lengths[depth]))
        for level in stride(from: depth, through: 1, by: -1) {
            let length = lengths[level - 1]
            out.append(0x30)
            if length < 0x80 {
                out.append(UInt8(length))
            } else {
                let octets = (length.bitWidth - length.leadingZeroBitCount + 7) / 8
                out.append(0x80 | UInt8(octets))
                for shift in stride(from: (octets - 1) * 8, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: length >> shift)) }
            }
        }
        out += [0x05, 0x00]
        return out
    }

    /// One command with a slot for the bad file, the exit statuses its contract allows, and its output path.
    struct Case: CustomStringConvertible {
        let arguments: (String) -> [String]
        let allowed: Set<Int32>
        let output: String?
        let label: String
        var description: String { label }
    }

    static func cases(_ inputs: Inputs) -> [Case] {
        let out = inputs.dir.path("out.pem")
        let cd = inputs.dir.path("certdir")
        let parse: Set<Int32> = [1, 2]  // inspect and lint report unparseable items as a verdict (exit 1)
        func manual(cert: String, key: String) -> String {
            let path = inputs.dir.path("manual-\(UUID().uuidString).yaml")
            try? "KubeletCertFile: \(cert)\nKubeletKeyFile: \(key)\nNodeName: n\nKubeletURL: 127.0.0.1\nKubeletPort: 1\n".write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let selfSigned = inputs.dir.path("self-signed.yaml")
        try? "NodeName: n\nNodeIP: 127.0.0.1\nDisableCSR: true\nKubeletURL: 127.0.0.1\nKubeletPort: 1\nMetricsAddress: \"\"\n"
            .write(toFile: selfSigned, atomically: true, encoding: .utf8)
        return [
            Case(arguments: { ["inspect", $0] }, allowed: parse, output: nil, label: "inspect FILE"),
            Case(arguments: { ["inspect", $0, "--json"] }, allowed: parse, output: nil, label: "inspect FILE --json"),
            Case(arguments: { ["lint", $0, "--node", "n"] }, allowed: parse, output: nil, label: "lint FILE"),
            Case(arguments: { ["verify", $0] }, allowed: [2], output: nil, label: "verify FILE"),
            Case(arguments: { ["verify", inputs.goodCert, "--ca", $0] }, allowed: [2], output: nil, label: "verify --ca FILE"),
            Case(arguments: { ["key", "public", "--key", $0, "--out", out] }, allowed: [2], output: out, label: "key public --key FILE"),
            Case(arguments: { ["key", "sign", "--key", $0, "--in", inputs.message, "--out", out] }, allowed: [2], output: out, label: "key sign --key FILE"),
            Case(arguments: { ["key", "verify", "--key", $0, "--in", inputs.message, "--signature", inputs.signature] }, allowed: [2], output: nil, label: "key verify --key FILE"),
            Case(arguments: { ["csr", "create", "--key", $0, "--node", "n", "--ip", "10.0.0.1", "--out", out] }, allowed: [2], output: out, label: "csr create --key FILE"),
            Case(arguments: { ["cert", "selfsign", "--key", $0, "--node", "n", "--ip", "10.0.0.1", "--out", out] }, allowed: [2], output: out, label: "cert selfsign --key FILE"),
            Case(arguments: { ["cert", "ca", "--key", $0, "--subject", "CN=x", "--out", out] }, allowed: [2], output: out, label: "cert ca --key FILE"),
            Case(arguments: { ["cert", "sign", "--csr", $0, "--ca-cert", inputs.caCert, "--ca-key", inputs.caKey, "--out", out] }, allowed: [2], output: out, label: "cert sign --csr FILE"),
            Case(arguments: { ["cert", "sign", "--csr", inputs.goodCSR, "--ca-cert", $0, "--ca-key", inputs.caKey, "--out", out] }, allowed: [2], output: out, label: "cert sign --ca-cert FILE"),
            Case(arguments: { ["cert", "sign", "--csr", inputs.goodCSR, "--ca-cert", inputs.caCert, "--ca-key", $0, "--out", out] }, allowed: [2], output: out, label: "cert sign --ca-key FILE"),
            Case(arguments: { ["serve", "--config", manual(cert: $0, key: inputs.goodKey)] }, allowed: [2], output: nil, label: "serve, KubeletCertFile FILE"),
            Case(arguments: { ["serve", "--config", manual(cert: inputs.goodCert, key: $0)] }, allowed: [2], output: nil, label: "serve, KubeletKeyFile FILE"),
            Case(arguments: { ["serve", "--node", "n", "--node-ip", "10.0.0.1", "--cert-dir", cd, "--kubeconfig", $0] }, allowed: [2], output: nil, label: "serve --kubeconfig FILE"),
            Case(arguments: { ["serve", "--config", $0] }, allowed: [2], output: nil, label: "serve --config FILE"),
            Case(arguments: { ["serve", "--config", selfSigned, "--client-ca", $0] }, allowed: [2], output: nil, label: "serve --client-ca FILE"),
        ]
    }

    /// Runs vkcert under python's rusage (portable peak RSS of the child) with a 20 s limit.
    static func measured(_ arguments: [String], environment: [String: String]) async throws -> (result: ProcessResult, seconds: Double, maxRSSKiB: Int) {
        let rssFile = FileManager.default.temporaryDirectory.appendingPathComponent("rss-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: rssFile) }
        let script = """
            import resource, subprocess, sys
            try:
                rc = subprocess.run(sys.argv[2:], timeout=20).returncode
            except subprocess.TimeoutExpired:
                rc = 124
            open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
            sys.exit(rc)
            """
        let start = Date()
        let result = try await Run.process("python3", ["-c", script, rssFile, Run.vkcertPath] + arguments, environment: environment)
        let seconds = Date().timeIntervalSince(start)
        let rss = Int((try? String(contentsOfFile: rssFile, encoding: .utf8)) ?? "") ?? -1
        return (result, seconds, rss)
    }

    @Test func everyCommandRejectsEveryBadFileCleanly() async throws {
        let inputs = try await Inputs()
        defer { inputs.dir.cleanup() }
        var environment = ProcessInfo.processInfo.environment
        // serve must not find a real cluster: no in-cluster variables, an empty HOME.
        environment["KUBERNETES_SERVICE_HOST"] = nil
        environment["KUBECONFIG"] = nil
        environment["HOME"] = inputs.dir.path("home")
        var runs = 0
        var worstSeconds = 0.0, worstRSS = 0
        for command in Self.cases(inputs) {
            let isConfigPath = command.label.hasPrefix("serve --config") || command.label.hasPrefix("serve --kubeconfig")
            for input in isConfigPath ? inputs.yamlFiles : inputs.files {
                // An existing output file must survive a failed run byte for byte.
                let sentinel = Array("previous contents\n".utf8)
                if let output = command.output { FileManager.default.createFile(atPath: output, contents: Data(sentinel)) }
                let arguments = command.arguments(input.path)
                let (result, seconds, rss) = try await Self.measured(arguments, environment: environment)
                runs += 1
                worstSeconds = max(worstSeconds, seconds)
                worstRSS = max(worstRSS, rss)
                let what = "\(command.label) with \(input.name)"
                #expect(command.allowed.contains(result.status), "\(what): exit \(result.status)\n\(result.stderrText.suffix(600))")
                let lines = result.stderrText.split(separator: "\n")
                let last = lines.last.map(String.init) ?? ""
                #expect(last.hasPrefix("vkcert: "), "\(what): last stderr line is not an error message: \(last.prefix(300))")
                #expect(last.contains(input.name), "\(what): the message does not name the file: \(last.prefix(300))")
                #expect(lines.allSatisfy { $0.utf8.count <= 1_000 }, "\(what): a stderr line is longer than 1000 bytes")
                #expect(seconds < 20, "\(what): took \(seconds) s")
                #expect(rss < 300_000, "\(what): peak RSS \(rss) KiB")
                if let output = command.output {
                    let after = (try? Data(contentsOf: URL(fileURLWithPath: output))).map { [UInt8]($0) }
                    #expect(after == sentinel, "\(what): the existing output file was changed")
                    try? FileManager.default.removeItem(atPath: output)
                    // And a fresh output path stays absent.
                    let (again, _, _) = try await Self.measured(arguments, environment: environment)
                    #expect(command.allowed.contains(again.status))
                    #expect(!FileManager.default.fileExists(atPath: output), "\(what): an output file was created on failure")
                }
            }
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: inputs.dir.url.path).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)")
        print("bad-input catalogue: \(runs) runs; slowest \(String(format: "%.2f", worstSeconds)) s, largest peak RSS \(worstRSS / 1024) MiB")
    }

    /// A key that does not belong to the certificate, in each place a pair is read; and a pair that
    /// matches but has expired (serving.pem's notAfter is 2026-01-01) is refused at start-up too.
    @Test func mismatchedKeyIsNamed() async throws {
        let inputs = try await Inputs()
        defer { inputs.dir.cleanup() }
        let out = inputs.dir.path("out.pem")
        let config = inputs.dir.path("mismatch.yaml")
        try "KubeletCertFile: \(inputs.goodCert)\nKubeletKeyFile: \(inputs.caKey)\nNodeName: n\nKubeletURL: 127.0.0.1\nKubeletPort: 1\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let serve = try await Self.measured(["serve", "--config", config], environment: ProcessInfo.processInfo.environment).result
        #expect(serve.status == 2 && serve.stderrText.contains("rsa2048-a.pkcs8.pem") && serve.stderrText.contains("does not match"), "\(serve.stderrText)")
        let sign = try await Run.vkcert(["cert", "sign", "--csr", inputs.goodCSR, "--ca-cert", inputs.caCert, "--ca-key", inputs.goodKey, "--out", out])
        #expect(sign.status == 2 && sign.stderrText.contains("does not belong"), "\(sign.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let expired = inputs.dir.path("expired.yaml")
        try "KubeletCertFile: \(inputs.goodCert)\nKubeletKeyFile: \(inputs.goodKey)\nNodeName: n\nKubeletURL: 127.0.0.1\nKubeletPort: 1\n"
            .write(toFile: expired, atomically: true, encoding: .utf8)
        let stale = try await Self.measured(["serve", "--config", expired], environment: ProcessInfo.processInfo.environment).result
        #expect(stale.status == 2 && stale.stderrText.contains("not valid now"), "\(stale.stderrText)")
    }
}
