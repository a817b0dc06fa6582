#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# New-connection TLS handshakes: vkcert serve (manual mode, and self-signed mode as the no-reload-check
# reference) vs openssl s_server with the same certificate and key (RSA-2048 by default, or KEY_TYPE:
# ec-p256, ec-p384, ed25519), in one run.
# Client: openssl s_time -new (full handshakes, TLS 1.3 by default). Server CPU per handshake from
# /proc/<pid>/stat (utime+stime) before and after each run.
#   Benchmarks/handshakes.sh [SECONDS] [KEY_TYPE]   (needs a release build: swift build -c release --product vkcert)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
vk="$root/.build/release/vkcert"
secs="${1:-10}"
type="${2:-rsa}"
case "$type" in rsa) algorithm=RSA-2048 ;; ec-p256) algorithm=ECDSA-P256 ;; ec-p384) algorithm=ECDSA-P384 ;; ed25519) algorithm=Ed25519 ;;
    *) echo "unknown key type $type" >&2; exit 2 ;; esac
dir="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$dir"' EXIT
export OPENSSL_CONF=/dev/null
"$vk" key generate --type "$type" --out "$dir/k.pem"
"$vk" cert selfsign --key "$dir/k.pem" --node bench --ip 127.0.0.1 --out "$dir/c.pem"
printf 'NodeName: bench\nNodeIP: 127.0.0.1\nKubeletCertFile: %s\nKubeletKeyFile: %s\nMetricsAddress: ""\n' "$dir/c.pem" "$dir/k.pem" > "$dir/manual.yaml"
printf 'NodeName: bench\nNodeIP: 127.0.0.1\nDisableCSR: true\nKeyAlgorithm: %s\nMetricsAddress: ""\n' "$algorithm" > "$dir/self.yaml"
echo "key: $algorithm"

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

measure() {  # name pid port
    sleep 1
    local before after out n t
    before=$(cpu "$2")
    out=$(openssl s_time -connect "127.0.0.1:$3" -new -time "$secs" 2>/dev/null | grep "real seconds" | head -1)
    after=$(cpu "$2")
    n=$(echo "$out" | awk '{print $1}')
    t=$(echo "$out" | awk '{print $4}')
    python3 -c "n=$n; t=$t; c=($after-$before)/$hz; print(f'$1: {n} handshakes in {t} s = {n/t:.0f}/s, server CPU {c/n*1e6:.0f} us/handshake')"
}

"$vk" serve --config "$dir/manual.yaml" --listen 127.0.0.1:18443 --metrics off >/dev/null 2>&1 &
p1=$!
measure "vkcert serve (manual)  " $p1 18443
kill -INT $p1; wait $p1 || true
"$vk" serve --config "$dir/self.yaml" --listen 127.0.0.1:18444 --metrics off >/dev/null 2>&1 &
p2=$!
measure "vkcert serve (self-signed, no file checks)" $p2 18444
kill -INT $p2; wait $p2 || true
openssl s_server -accept 18445 -cert "$dir/c.pem" -key "$dir/k.pem" -www -quiet >/dev/null 2>&1 &
p3=$!
measure "openssl s_server        " $p3 18445
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg), $(openssl version)"
