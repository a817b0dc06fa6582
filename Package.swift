// swift-tools-version:6.1
// SPDX-License-Identifier: Apache-2.0
//
// vkcert: certificate management for a Virtual Kubelet's HTTPS server, on a pure-Swift PKI toolkit.
// Layering (each module imports only those to its left): CGMP → BigNum → Hash → DER → RSA → …
// Modules of the core (everything below KubeAPI) import no Foundation.

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
        .library(name: "X509", targets: ["X509"]),
        .library(name: "RSA", targets: ["RSA"]),
        .library(name: "ECC", targets: ["ECC"]),
        .library(name: "DER", targets: ["DER"]),
        .library(name: "Hash", targets: ["Hash"]),
        .library(name: "BigNum", targets: ["BigNum"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // The only C: GMP through pkg-config, plus a shim for macros, getrandom(2) and a zeroing allocator.
        .systemLibrary(
            name: "CGMP",
            pkgConfig: "gmp",
            providers: [.apt(["libgmp-dev"]), .brew(["gmp"])]
        ),
        .target(name: "BigNum", dependencies: ["CGMP"], swiftSettings: strict),
        .target(name: "Hash", swiftSettings: strict),
        .target(name: "DER", swiftSettings: strict),
        .target(name: "RSA", dependencies: ["BigNum", "Hash", "DER"], swiftSettings: strict),
        // ECDSA P-256/P-384 and Ed25519 on constant-time fixed-width limbs (beside RSA; GMP only for randomness).
        .target(name: "ECC", dependencies: ["BigNum", "Hash", "DER"], swiftSettings: strict),
        .target(name: "X509", dependencies: ["BigNum", "Hash", "DER", "RSA", "ECC"], swiftSettings: strict),
        .target(name: "FileIO", swiftSettings: strict),
        // Kubernetes: the CSR API model and client (Foundation is allowed from here up).
        .target(
            name: "KubeAPI",
            dependencies: [
                "DER", "X509", "FileIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        // The CSR API emulator: an in-process API server on SwiftNIO that real kubectl can drive.
        .target(
            name: "KubeSim",
            dependencies: [
                "KubeAPI", "X509", "RSA", "DER", "BigNum", "FileIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // RBAC manifests (`--rbac FILE`) are multi-document YAML.
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        // Conformance runs over Vectors/ (Wycheproof JSON): uses FoundationEssentials' JSONDecoder only.
        .target(name: "Conformance", dependencies: ["BigNum", "Hash", "DER", "RSA", "ECC", "X509", "FileIO"], swiftSettings: strict),
        .target(name: "Bench", dependencies: ["BigNum", "Hash", "DER", "RSA", "ECC", "X509"], swiftSettings: strict),
        // The three certificate modes (manual > self-signed > CSR), the store and rotation.
        .target(
            name: "CertManager",
            dependencies: [
                "KubeAPI", "X509", "RSA", "DER", "BigNum", "FileIO",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The kubelet HTTPS endpoint: per-ClientHello certificates, our RSA behind every handshake signature.
        .target(
            name: "KubeletTLS",
            dependencies: [
                "CertManager", "RSA", "ECC", "X509", "Hash", "DER",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The offline commands (inspect, lint, verify, key, csr, cert, vectors, bench): core modules only, so
        // they also make the Foundation-free static audit binary.
        .target(
            name: "VKCertCommands",
            dependencies: [
                "BigNum", "Hash", "DER", "RSA", "ECC", "X509", "FileIO", "Conformance", "Bench",
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
                "BigNum", "Hash", "DER", "RSA", "X509", "FileIO", "Conformance", "Bench", "KubeAPI", "KubeSim", "CertManager", "KubeletTLS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        // Test helpers: locating the repository, running openssl and the built CLI.
        .target(name: "TestSupport", dependencies: ["DER"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "BigNumTests", dependencies: ["BigNum", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "HashTests", dependencies: ["Hash", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "DERTests", dependencies: ["DER", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "RSATests",
            dependencies: ["RSA", "BigNum", "DER", "Hash", "Conformance", "TestSupport"],
            swiftSettings: strict
        ),
        // Derives a key from a secret chosen by index, for valgrind's instruction counts (ECCTests).
        .executableTarget(name: "ECCTimingProbe", dependencies: ["ECC"], path: "Tests/Peers/ECCTimingProbe", swiftSettings: strict),
        .testTarget(name: "ECCTests", dependencies: ["ECC", "Hash", "DER", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "X509Tests", dependencies: ["X509", "RSA", "DER", "Hash", "BigNum", "Conformance", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "KubeSimTests",
            dependencies: ["KubeSim", "KubeAPI", "X509", "RSA", "DER", "TestSupport", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CertManagerTests",
            dependencies: [
                "CertManager", "KubeSim", "KubeAPI", "X509", "RSA", "DER", "FileIO", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KubeletTLSTests",
            dependencies: [
                "KubeletTLS", "CertManager", "KubeSim", "KubeAPI", "X509", "RSA", "DER", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "FileIO", "DER", "RSA", "X509", "vkcert"], swiftSettings: strict),
    ]
)

// Fuzz/: libFuzzer entry points, one executable per parser. They have no main (libFuzzer supplies it), so
// they exist only when Fuzz/run.sh builds them: `VKCERT_FUZZ=1 swift build --sanitize fuzzer --product
// FuzzX --scratch-path .build-fuzz`. A normal `swift build` / `swift test` never sees them.
if Context.environment["VKCERT_FUZZ"] != nil {
    let fuzzTargets: [(String, [Target.Dependency])] = [
        ("FuzzDER", ["DER"]),
        ("FuzzPEM", ["DER"]),
        ("FuzzCertificate", ["X509", "DER"]),
        ("FuzzCSR", ["X509", "DER"]),
        ("FuzzKeys", ["RSA", "ECC", "DER", "X509"]),
        ("FuzzSignature", ["RSA", "DER", "X509", "Hash", "TestSupport"]),
        ("FuzzConfig", ["CertManager"]),
        ("FuzzKubeconfig", ["KubeAPI"]),
        ("FuzzProtobuf", ["KubeAPI"]),
        ("FuzzWatchStream", ["KubeAPI"]),
        ("FuzzAPIRouter", ["KubeSim", "KubeAPI"]),
        ("FuzzRBACManifest", ["KubeSim"]),
        ("FuzzRelayHead", ["KubeletTLS"]),
        ("FuzzAPIServer", ["KubeSim", "KubeAPI", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio")]),
    ]
    for (name, dependencies) in fuzzTargets {
        package.targets.append(.executableTarget(name: name, dependencies: dependencies, path: "Fuzz/\(name)", swiftSettings: strict))
    }
}
