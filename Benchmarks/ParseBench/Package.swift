// swift-tools-version:6.1
// SPDX-License-Identifier: Apache-2.0
//
// Certificate parse speed, vkcert vs swift-certificates, in one process. A separate package so that
// swift-certificates (and swift-crypto) stay out of vkcert's own dependency graph: benchmark-only.
//   swift run -c release --package-path Benchmarks/ParseBench ParseBench [DER file]

import PackageDescription

let package = Package(
    name: "ParseBench",
    platforms: [.macOS(.v15)],
    dependencies: [
        // A symlink named "vkcert" to the repository root (made by run.sh): a path dependency takes its
        // identity from the last path component, which for the checkout itself could be anything.
        .package(path: "../../.build-parsebench/vkcert"),
        .package(url: "https://github.com/apple/swift-certificates", exact: "1.21.1"),
    ],
    targets: [
        .executableTarget(
            name: "ParseBench",
            dependencies: [
                // Distinct module names (VKX509 beside swift-certificates' X509): no module alias needed.
                .product(name: "VKX509", package: "vkcert"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
    ]
)
