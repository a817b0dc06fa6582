// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing

/// Issue 18 item 3, judged by the compiler: the dependency files swiftc wrote for each module of this
/// build (`.build/debug/<Module>.build/*.d`, every module file the compilation loaded, transitively) must
/// not name Foundation or FoundationInternationalization (which bring ICU) for the modules already moved
/// to FoundationEssentials. The modules still on Foundation are printed, so the remaining work is visible.
@Suite("No Foundation above the core")
struct FoundationFreeTests {
    static let clean = [
        "VKBigNum", "VKHash", "VKDER", "VKRSA", "VKECC", "VKX509", "VKFileIO", "VKYAML", "VKConformance", "VKBench", "VKCertCommands",
        "VKKubeAPI", "VKCertManager", "VKKubeletTLS",
    ]
    static let notYet = ["VKKubeSim", "vkcert"]

    static func loadedModules(_ module: String) throws -> Set<String> {
        let dir = Repository.root.appendingPathComponent(".build/debug/\(module).build")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".d") }
        var modules = Set<String>()
        for file in files {
            let text = try String(contentsOfFile: dir.appendingPathComponent(file).path, encoding: .utf8)
            for path in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) where path.contains(".swiftmodule") {
                if let name = path.split(separator: "/").first(where: { $0.hasSuffix(".swiftmodule") }) {
                    modules.insert(String(name.dropLast(".swiftmodule".count)))
                }
            }
        }
        return modules
    }

    @Test func modulesAboveTheCoreLoadNoFoundation() throws {
        for module in Self.clean {
            let loaded = try Self.loadedModules(module)
            #expect(!loaded.isEmpty, "\(module): no dependency files (was it built?)")
            #expect(!loaded.contains("Foundation") && !loaded.contains("FoundationInternationalization"),
                    "\(module) loads \(loaded.filter { $0.hasPrefix("Foundation") }.sorted())")
        }
        for module in Self.notYet {
            let loaded = try Self.loadedModules(module)
            print("foundation: \(module) still loads Foundation: \(loaded.contains("Foundation")) (not yet moved to FoundationEssentials: issue 18)")
        }
        // The judge can fail: the emulator does load Foundation today.
        #expect(try Self.loadedModules("VKKubeSim").contains("Foundation"), "VKKubeSim moved off Foundation: move it to `clean`")
    }
}
