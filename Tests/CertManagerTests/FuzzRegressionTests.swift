// SPDX-License-Identifier: Apache-2.0

import VKCertManager
import Foundation
import TestSupport
import Testing

/// Inputs that once trapped a parser, replayed through the same calls as their fuzz target
/// (Fuzz/FuzzConfig): each must now be refused with an error that names the key.
@Suite("Fuzz regressions: configuration")
struct ConfigFuzzRegressionTests {
    static let directory = Repository.root.appendingPathComponent("Tests/FuzzRegressions/FuzzConfig")

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    @Test("replayed without a trap", arguments: inputs)
    func replay(_ name: String) throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)
        let error = #expect(throws: ConfigurationError.self) { _ = try VKConfiguration.parse(text, file: name) }
        #expect(error?.key != nil, "\(name): \(String(describing: error))")
    }

    @Test func catalogueIsNotEmpty() {
        #expect(Self.inputs.count >= 2, "Tests/FuzzRegressions/FuzzConfig is missing")
    }

    /// The limits the regression fixed, from both sides.
    @Test func numbersAreBounded() throws {
        let ok = try VKConfiguration.parse("CSRExpirationSeconds: 2147483647\nPollIntervalSeconds: 86400\nKubeletPort: 65535\n", file: "vk.yaml")
        #expect(ok.csrExpirationSeconds == Int32.max && ok.pollInterval == 86_400 && ok.listenPort == 65_535)
        for (text, key) in [("CSRExpirationSeconds: 2147483648\n", "CSRExpirationSeconds"), ("CSRExpirationSeconds: 599\n", "CSRExpirationSeconds"),
                            ("PollIntervalSeconds: 0.5\n", "PollIntervalSeconds"), ("KubeletPort: -.inf\n", "KubeletPort")] {
            let error = #expect(throws: ConfigurationError.self) { _ = try VKConfiguration.parse(text, file: "vk.yaml") }
            #expect(error?.key == key && error?.description.contains("vk.yaml") == true, "\(text): \(String(describing: error))")
        }
    }
}
