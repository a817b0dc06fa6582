#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Issue 18's embedding check, run by .ci/run: builds Examples/EmbeddedProvider — a separate package that
# depends on vkcert's VKCertManager and VKKubeletTLS products *and* on swift-certificates (module X509) —
# runs it, and has curl verify its self-signed certificate and read the provider's own handler:
# /healthz, /pods, /certificate (parsed by swift-certificates) and /metrics (vkcert's series and the
# provider's own counter in one registry). Exit 1 on any failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/.build-example"
mkdir -p "$work"
ln -sfn "$root" "$work/vkcert"
echo "embedded example: building (swift-certificates and vkcert in one graph)"
swift build --package-path "$root/Examples/EmbeddedProvider" --scratch-path "$work/build" 2>&1 | tail -3
binary="$work/build/debug/EmbeddedProvider"
tmp="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$binary" vk-example 0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 1 100); do
    grep -q "listening on" "$tmp/out" 2>/dev/null && break
    sleep 0.1
done
url="$(grep -o 'https://[^ ]*' "$tmp/out" || true)"
[ -n "$url" ] || { echo "embedded example: never listened"; cat "$tmp/out" "$tmp/err"; exit 1; }
port="${url##*:}"
# The served leaf is self-signed: it is its own trust anchor. Fetch it without verification once, then
# verify every request against it (curl checks the chain, the IP SAN and the validity).
echo | openssl s_client -connect "127.0.0.1:$port" 2>/dev/null | openssl x509 >"$tmp/leaf.pem"
fail() { echo "embedded example: $1"; exit 1; }
get() { curl -sS --cacert "$tmp/leaf.pem" "https://127.0.0.1:$port$1"; }
[ "$(get /healthz)" = "ok" ] || fail "/healthz did not answer ok"
get /pods | grep -q '"kind":"PodList"' || fail "/pods is not a PodList"
certificate="$(get /certificate)"
echo "$certificate" | grep -q 'subject: CN=system:node:vk-example,O=system:nodes' || fail "/certificate: $certificate"
echo "$certificate" | grep -q 'san: IP:127.0.0.1' || fail "/certificate has no IP SAN: $certificate"
metrics="$(get /metrics)"
echo "$metrics" | grep -q '^provider_requests_total [1-9]' || fail "the provider's own counter is not on /metrics"
echo "$metrics" | grep -q '^# HELP vkcert_tls_handshakes_total ' || fail "vkcert's series lack their help text"
echo "$metrics" | grep -q '^vkcert_tls_handshakes_total [1-9]' || fail "vkcert's handshake counter did not move"
echo "$metrics" | grep -q '^vkcert_certificate_mode{mode="self-signed"} 1' || fail "mode gauge"
echo "embedded example: ok (built beside swift-certificates; /healthz, /pods, /certificate and /metrics answered over a verified TLS connection on port $port)"
