// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import VKConformance
import VKFileIO

package struct VectorsCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "vectors",
        abstract: "Run every conformance suite in Vectors/ and print a table (exit 1 if anything failed).",
        discussion: """
            Suites: Wycheproof RSA (PKCS#1 v1.5 and PSS verification, PKCS#1 v1.5 signing byte for byte, \
            private-key parsing, primality) and OpenSSL-generated vectors (digests, key formats, signatures). \
            Skipped cases are listed with their reason; decisions on Wycheproof 'acceptable' cases are shown.
            """
    )

    @Flag(help: "Print the results as JSON.")
    var json = false

    @Option(help: "The Vectors directory (default: ./Vectors, else the one this binary was built from).")
    var dir: String?

    package func run() throws {
        let directory = try resolveDirectory()
        let results = ConformanceRunner(directory: directory).runAll()
        print(json ? ConformanceReport.json(results) : ConformanceReport.table(results), terminator: "")
        if results.contains(where: { $0.failed > 0 }) { throw ExitCode(1) }
    }

    private func resolveDirectory() throws -> String {
        if let dir {
            guard FileSystem.exists(dir) else { throw CLIFailure.input("\(dir): no such directory") }
            return dir
        }
        if FileSystem.exists("Vectors/wycheproof") { return "Vectors" }
        // #filePath is …/Sources/vkcert/VectorsCommand.swift; the package root is three levels up.
        var root = #filePath
        for _ in 0..<3 { root = FileSystem.parentDirectory(of: root) }
        let built = root + "/Vectors"
        guard FileSystem.exists(built + "/wycheproof") else {
            throw CLIFailure.input("no Vectors directory found (looked in ./Vectors and \(built)); pass --dir")
        }
        return built
    }
}
