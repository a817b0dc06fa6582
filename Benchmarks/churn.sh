#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Memory under TLS connection churn (issue 14 item 8): the same RSA-2048 pair served by vkcert serve (manual
# mode, release build), a Go crypto/tls server (Tests/Peers/filespeer.go serve -once, Debian's Go) and
# openssl s_server -www; each gets new connections from `openssl s_time -new` until at least N were made.
# Reported per server: RSS at idle, the highest RSS sampled during the churn, and RSS 15 s after it.
#
# Usage: Benchmarks/churn.sh [N] [--json]     (default N = 20000)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
count="${1:-20000}"; json=0; [ "${2:-}" = "--json" ] && json=1
vkcert="${VKCERT:-$root/.build/release/vkcert}"
[ -x "$vkcert" ] || (cd "$root" && swift build -c release --product vkcert >&2)
work="$(mktemp -d)"; trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
export OPENSSL_CONF=/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -subj /CN=churn -addext subjectAltName=IP:127.0.0.1 -days 2 2>/dev/null
GO111MODULE=off GOPROXY=off GOFLAGS= GOCACHE="$work/gocache" HOME="$work" go build -o peer "$root/Tests/Peers/filespeer.go"
printf 'KubeletCertFile: %s\nKubeletKeyFile: %s\nNodeName: churn\nKubeletPort: 18643\nMetricsAddress: 127.0.0.1:18648\n' "$work/cert.pem" "$work/key.pem" > vk.yaml

rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
measure() {  # name pid port
    local name="$1" pid="$2" port="$3" idle peak=0 made=0
    local samples="$work/samples-$port"
    sleep 2; idle=$(rss "$pid")
    ( while kill -0 "$pid" 2>/dev/null; do r=$(rss "$pid" 2>/dev/null || echo 0); echo "$r" >> "$samples"; sleep 0.5; done ) &
    local sampler=$!
    while [ "$made" -lt "$count" ]; do
        n=$(timeout 120 openssl s_time -connect "127.0.0.1:$port" -new -time 10 2>/dev/null | awk '/connections in/ && /real/ {print $1; exit}')
        made=$((made + ${n:-0}))
        [ "${n:-0}" -gt 0 ] || { echo "churn: $name stopped answering" >&2; break; }
    done
    peak=$(sort -n "$samples" | tail -1)
    sleep 15; local after; after=$(rss "$pid")
    kill "$sampler" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    if [ $json = 1 ]; then
        printf '{"server":"%s","connections":%d,"idle_kb":%d,"peak_kb":%d,"after_kb":%d}\n' "$name" "$made" "$idle" "$peak" "$after"
    else
        awk -v n="$name" -v m="$made" -v i="$idle" -v p="$peak" -v a="$after" \
            'BEGIN { printf "%-28s %7d connections  idle %6.1f MB  peak %6.1f MB  15 s after %6.1f MB\n", n, m, i/1024, p/1024, a/1024 }'
    fi
}

"$vkcert" serve --config vk.yaml > vkcert.log 2>&1 & measure "vkcert serve (manual)" $! 18643
./peer serve -once -cert cert.pem -key key.pem -addr 127.0.0.1:18644 > go.log 2>&1 & measure "Go crypto/tls (go $(go env GOVERSION | sed 's/go//'))" $! 18644
openssl s_server -accept 18645 -cert cert.pem -key key.pem -www -quiet > ossl.log 2>&1 & measure "openssl s_server -www" $! 18645
