// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import VKBench
import VKFileIO
import VKRSA

package struct BenchCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure RSA-2048 key generation, signing, verification and SHA-256 (thread CPU time).",
        discussion: """
            Build with -c release for meaningful numbers. Benchmarks/run.py runs this side by side with \
            openssl speed, openssl genpkey and a raw-C GMP baseline in the same run and prints ratios.
            """
    )

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "Number of keys to generate (≥ 30 for a stable median).")
    var keys = 50

    @Option(help: "Trials per rate measurement (the median is reported).")
    var trials = 5

    @Option(help: "CPU seconds per trial.")
    var seconds = 1.0

    @Option(help: "Sign and verify with this key instead of a fresh one (to compare with other tools on the same key).")
    var key: String?

    @Option(help: "Certificate for the parse benchmark (default: Vectors/openssl/x509/typical.pem when present).")
    var cert: String?

    @Option(help: "Comma-separated subset to run: keygen, sign, verify, raw, sha256, parse (default: all).")
    var only: String?

    package func run() throws {
        guard keys >= 1, trials >= 1, seconds > 0 else { throw CLIFailure.input("--keys, --trials and --seconds must be positive") }
        var options = Benchmark.Options()
        options.keys = keys
        options.trials = trials
        options.secondsPerTrial = seconds
        if let key {
            guard let rsa = try LoadedKey.loadPrivate(key).rsa else { throw CLIFailure.input("\(key): the benchmark's --key must be an RSA key") }
            options.key = rsa
        }
        let certPath = cert ?? (FileSystem.exists("Vectors/openssl/x509/typical.pem") ? "Vectors/openssl/x509/typical.pem" : nil)
        if let certPath {
            let bytes = try readInput(certPath, what: "certificate file")
            let (items, errors) = loadItems(certPath, bytes: bytes)
            if let first = errors.first { throw CLIFailure.input(first) }
            guard case .certificate(let c)? = items.first?.1 else { throw CLIFailure.input("\(certPath): no certificate") }
            options.certificate = c.der
        }
        if let only {
            let names = Set(only.split(separator: ",").map(String.init))
            guard !names.isEmpty, names.isSubset(of: Benchmark.allNames) else {
                throw CLIFailure.input("--only takes a comma-separated subset of \(Benchmark.allNames.sorted().joined(separator: ", "))")
            }
            options.only = names
        }
        let results = try Benchmark(options: options).run { step in
            if !json { printError("… \(step)") }
        }
        print(json ? Benchmark.json(results) : Benchmark.table(results), terminator: json ? "\n" : "")
    }
}
