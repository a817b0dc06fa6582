// swift-tools-version:6.1
// SPDX-License-Identifier: Apache-2.0
//
// vkcert: certificate management for a Virtual Kubelet's HTTPS server, on a pure-Swift PKI toolkit.
// Layering (each module imports only those to its left): CVKGMP → VKBigNum → VKHash → VKDER → VKRSA → …
// Every library module carries the VK prefix (as NIO* and Crypto* do), so vkcert links beside
// swift-certificates (`X509`) and the server stacks built on it. Modules of the core (everything below
// VKKubeAPI) import no Foundation.

import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "vkcert",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vkcert", targets: ["vkcert"]),
        .executable(name: "vkcert-audit", targets: ["vkcert-audit"]),
        // The certificate manager and the kubelet HTTPS server, for Swift providers that embed them
        // (README "Embedding").
        .library(name: "VKCertManager", targets: ["VKCertManager"]),
        .library(name: "VKKubeletTLS", targets: ["VKKubeletTLS"]),
        .library(name: "VKX509", targets: ["VKX509"]),
        .library(name: "VKRSA", targets: ["VKRSA"]),
        .library(name: "VKECC", targets: ["VKECC"]),
        .library(name: "VKDER", targets: ["VKDER"]),
        .library(name: "VKHash", targets: ["VKHash"]),
        .library(name: "VKBigNum", targets: ["VKBigNum"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The server-side metrics API, and its Prometheus backend for /metrics (both Foundation-free).
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // The only C: GMP through pkg-config, plus a shim for macros, getrandom(2) and a zeroing allocator.
        .systemLibrary(
            name: "CVKGMP",
            pkgConfig: "gmp",
            providers: [.apt(["libgmp-dev"]), .brew(["gmp"])]
        ),
        .target(name: "VKBigNum", dependencies: ["CVKGMP"], swiftSettings: strict),
        .target(name: "VKHash", swiftSettings: strict),
        .target(name: "VKDER", swiftSettings: strict),
        .target(name: "VKRSA", dependencies: ["VKBigNum", "VKHash", "VKDER"], swiftSettings: strict),
        // ECDSA P-256/P-384 and Ed25519 on constant-time fixed-width limbs (beside RSA; GMP only for randomness).
        .target(name: "VKECC", dependencies: ["VKBigNum", "VKHash", "VKDER"], swiftSettings: strict),
        .target(name: "VKX509", dependencies: ["VKBigNum", "VKHash", "VKDER", "VKRSA", "VKECC"], swiftSettings: strict),
        .target(name: "VKFileIO", swiftSettings: strict),
        // YAML (configuration, kubeconfigs, RBAC manifests, apply patches) from libyaml's event parser, with
        // node, alias-expansion and document bounds; no Foundation.
        .systemLibrary(name: "CVKYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),
        .target(name: "VKYAML", dependencies: ["CVKYAML"], swiftSettings: strict),
        // Kubernetes: the CSR API model and client (Foundation is allowed from here up).
        .target(
            name: "VKKubeAPI",
            dependencies: [
                "VKDER", "VKX509", "VKFileIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                "VKYAML",
            ],
            swiftSettings: strict
        ),
        // The CSR API emulator: an in-process API server on SwiftNIO that real kubectl can drive.
        .target(
            name: "VKKubeSim",
            dependencies: [
                "VKKubeAPI", "VKX509", "VKRSA", "VKDER", "VKBigNum", "VKFileIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // RBAC manifests (`--rbac FILE`) are multi-document YAML.
                "VKYAML",
            ],
            swiftSettings: strict
        ),
        // Conformance runs over Vectors/ (Wycheproof JSON): uses FoundationEssentials' JSONDecoder only.
        .target(name: "VKConformance", dependencies: ["VKBigNum", "VKHash", "VKDER", "VKRSA", "VKECC", "VKX509", "VKFileIO"], swiftSettings: strict),
        .target(name: "VKBench", dependencies: ["VKBigNum", "VKHash", "VKDER", "VKRSA", "VKECC", "VKX509"], swiftSettings: strict),
        // The three certificate modes (manual > self-signed > CSR), the store and rotation.
        .target(
            name: "VKCertManager",
            dependencies: [
                "VKKubeAPI", "VKX509", "VKRSA", "VKDER", "VKBigNum", "VKFileIO",
                "VKYAML",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // The kubelet HTTPS endpoint: per-ClientHello certificates, our RSA behind every handshake signature.
        .target(
            name: "VKKubeletTLS",
            dependencies: [
                "VKCertManager", "VKRSA", "VKECC", "VKX509", "VKHash", "VKDER",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        // The offline commands (inspect, lint, verify, key, csr, cert, vectors, bench): core modules only, so
        // they also make the Foundation-free static audit binary.
        .target(
            name: "VKCertCommands",
            dependencies: [
                "VKBigNum", "VKHash", "VKDER", "VKRSA", "VKECC", "VKX509", "VKFileIO", "VKConformance", "VKBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "vkcert-audit",
            dependencies: ["VKCertCommands", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "vkcert",
            dependencies: [
                "VKCertCommands",
                "VKBigNum", "VKHash", "VKDER", "VKRSA", "VKX509", "VKFileIO", "VKConformance", "VKBench", "VKKubeAPI", "VKKubeSim", "VKCertManager", "VKKubeletTLS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        // Test helpers: locating the repository, running openssl and the built CLI.
        .target(name: "TestSupport", dependencies: ["VKDER"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "BigNumTests", dependencies: ["VKBigNum", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "HashTests", dependencies: ["VKHash", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "DERTests", dependencies: ["VKDER", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "YAMLTests", dependencies: ["VKYAML", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "RSATests",
            dependencies: ["VKRSA", "VKBigNum", "VKDER", "VKHash", "VKConformance", "TestSupport"],
            swiftSettings: strict
        ),
        // Derives a key from a secret chosen by index, for valgrind's instruction counts (ECCTests).
        .executableTarget(name: "ECCTimingProbe", dependencies: ["VKECC"], path: "Tests/Peers/ECCTimingProbe", swiftSettings: strict),
        .testTarget(name: "ECCTests", dependencies: ["VKECC", "VKHash", "VKDER", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "X509Tests", dependencies: ["VKX509", "VKRSA", "VKDER", "VKHash", "VKBigNum", "VKConformance", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "KubeSimTests",
            dependencies: ["VKKubeSim", "VKKubeAPI", "VKX509", "VKRSA", "VKDER", "TestSupport", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CertManagerTests",
            dependencies: [
                "VKCertManager", "VKKubeSim", "VKKubeAPI", "VKX509", "VKRSA", "VKDER", "VKFileIO", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KubeletTLSTests",
            dependencies: [
                "VKKubeletTLS", "VKCertManager", "VKKubeSim", "VKKubeAPI", "VKX509", "VKRSA", "VKDER", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "VKFileIO", "VKDER", "VKRSA", "VKX509", "vkcert"], swiftSettings: strict),
    ]
)

// Fuzz/: libFuzzer entry points, one executable per parser. They have no main (libFuzzer supplies it), so
// they exist only when Fuzz/run.sh builds them: `VKCERT_FUZZ=1 swift build --sanitize fuzzer --product
// FuzzX --scratch-path .build-fuzz`. A normal `swift build` / `swift test` never sees them.
if Context.environment["VKCERT_FUZZ"] != nil {
    let fuzzTargets: [(String, [Target.Dependency])] = [
        ("FuzzDER", ["VKDER"]),
        ("FuzzPEM", ["VKDER"]),
        ("FuzzCertificate", ["VKX509", "VKDER"]),
        ("FuzzCSR", ["VKX509", "VKDER"]),
        ("FuzzKeys", ["VKRSA", "VKECC", "VKDER", "VKX509"]),
        ("FuzzSignature", ["VKRSA", "VKDER", "VKX509", "VKHash", "TestSupport"]),
        ("FuzzConfig", ["VKCertManager"]),
        ("FuzzKubeconfig", ["VKKubeAPI"]),
        ("FuzzProtobuf", ["VKKubeAPI"]),
        ("FuzzWatchStream", ["VKKubeAPI"]),
        ("FuzzAPIRouter", ["VKKubeSim", "VKKubeAPI"]),
        ("FuzzRBACManifest", ["VKKubeSim"]),
        ("FuzzRelayHead", ["VKKubeletTLS"]),
        ("FuzzAPIServer", ["VKKubeSim", "VKKubeAPI", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio")]),
    ]
    for (name, dependencies) in fuzzTargets {
        package.targets.append(.executableTarget(name: name, dependencies: dependencies, path: "Fuzz/\(name)", swiftSettings: strict))
    }
}
