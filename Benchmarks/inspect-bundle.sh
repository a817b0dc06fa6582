#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# `vkcert inspect --json` of a bundle of N self-signed certificates (each self-signature checked) for
# RSA-2048, ECDSA P-256, ECDSA P-384 and Ed25519 keys, side by side, with the ratio to RSA. The bundles
# are made by OpenSSL (one key per type, N certificates with distinct subjects and serials).
#   Benchmarks/inspect-bundle.sh [N] [RUNS]     (needs a release build: swift build -c release --product vkcert)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
vk="$root/.build/release/vkcert"
n="${1:-1000}"
runs="${2:-5}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
export OPENSSL_CONF=/dev/null LC_ALL=C
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/rsa.key" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/p256.key"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$dir/p384.key"
openssl genpkey -algorithm ed25519 -out "$dir/ed25519.key"
for t in rsa p256 p384 ed25519; do
    for i in $(seq 1 "$n"); do
        openssl req -x509 -new -key "$dir/$t.key" -subj "/CN=bench root $t $i" -days 30 -set_serial "$i" 2>/dev/null
    done > "$dir/$t.pem"
done
python3 - "$vk" "$dir" "$runs" "$n" <<'PY'
import json, resource, statistics, subprocess, sys
vk, d, runs, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def cpu(path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([vk, "inspect", "--json", path], check=True, capture_output=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    items = json.loads(out)
    assert len(items) == n, len(items)
    assert all(i.get("selfSigned") for i in items), "a self-signature did not verify"
    return (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
times = {t: [] for t in ("rsa", "p256", "p384", "ed25519")}
for _ in range(runs):                      # interleaved, so load changes hit every key type alike
    for t in times:
        times[t].append(cpu(f"{d}/{t}.pem"))
rsa = statistics.median(times["rsa"])
for t, v in times.items():
    m = statistics.median(v)
    print(f"inspect --json, {n} self-signed {t:8}: median {m:7.1f} ms CPU ({m / n * 1000:6.1f} µs/cert), {m / rsa:4.2f}× RSA")
PY
