// swift-tools-version:6.1
// SPDX-License-Identifier: Apache-2.0
//
// A Swift Virtual Kubelet provider that embeds vkcert: the certificate manager (self-signed here) and the
// kubelet HTTPS server answering with the provider's own handler — in one graph with swift-certificates,
// whose module is also named X509 (vkcert's modules carry the VK prefix, so both link).
//   scripts/check-embedded-example.sh   builds it, runs it, curls it (CI runs this)
// In your own package: .package(url: "https://github.com/<you>/vkcert", from: "…") instead of the path.

import PackageDescription

let package = Package(
    name: "EmbeddedProvider",
    platforms: [.macOS(.v15)],
    dependencies: [
        // A symlink named "vkcert" to the repository root (made by the script): a path dependency takes its
        // identity from the last path component, which for a checkout could be anything.
        .package(path: "../../.build-example/vkcert"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .executableTarget(
            name: "EmbeddedProvider",
            dependencies: [
                .product(name: "VKCertManager", package: "vkcert"),
                .product(name: "VKKubeletTLS", package: "vkcert"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
    ]
)
