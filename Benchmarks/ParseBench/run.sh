#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Certificate parse speed, vkcert vs swift-certificates 1.21.1, release build, one process.
#   Benchmarks/ParseBench/run.sh [certificate (PEM or DER)]   default: Vectors/openssl/x509/typical.pem
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$root/.build-parsebench"
ln -sfn "$root" "$root/.build-parsebench/vkcert"
swift build -c release --package-path "$root/Benchmarks/ParseBench" --scratch-path "$root/.build-parsebench/build" >&2
cd "$root"
"$root/.build-parsebench/build/release/ParseBench" "${1:-Vectors/openssl/x509/typical.pem}"
