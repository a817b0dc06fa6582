#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Hostile-verification costs (issue 12), measured with a release vkcert on inputs OpenSSL makes:
#   1. N intermediates sharing one name and one key (each can sign every other), a leaf under them and an
#      unrelated root: the path-building bomb. Reports vkcert's time, signature checks and verdict, and
#      `openssl verify` on the same files beside it.
#   2. A CA with 200 permitted dNSName subtrees over a leaf with 2,000 SANs (400,000 comparisons, over the
#      250,000 bound) and with 100 SANs (20,000, under it).
# Usage: Benchmarks/hostile.sh [N...]   (default N = 7 10 12 20)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
vkcert="${VKCERT:-$root/.build/release/vkcert}"
[ -x "$vkcert" ] || (cd "$root" && swift build -c release --product vkcert >&2)
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cd "$work"
export OPENSSL_CONF=/dev/null
ms() { python3 -c 'import sys,time,subprocess; t=time.perf_counter(); r=subprocess.run(sys.argv[1:],capture_output=True,text=True); print("%.1f" % ((time.perf_counter()-t)*1000)); sys.stderr.write(r.stdout+r.stderr)' "$@"; }

openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key -subj /CN=Unrelated-Root -days 30 -out root.pem 2>/dev/null
openssl genrsa -out shared.key 2048 2>/dev/null
cat > ca.ext <<'X'
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X
cat > leaf.ext <<'X'
basicConstraints=critical,CA:FALSE
subjectAltName=DNS:leaf.example
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X
openssl req -new -key shared.key -subj /CN=Same-Name-Intermediate -out int.csr 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout leaf.key -subj /CN=leaf -out leaf.csr 2>/dev/null
for n in ${@:-7 10 12 20}; do
    : > bundle.pem
    for i in $(seq 1 "$n"); do
        openssl x509 -req -in int.csr -signkey shared.key -set_serial "$i" -days 30 -extfile ca.ext -out "int$i.pem" 2>/dev/null
    done
    openssl x509 -req -in leaf.csr -CA int1.pem -CAkey shared.key -set_serial 1000 -days 30 -extfile leaf.ext -out leaf.pem 2>/dev/null
    cat leaf.pem int*.pem > chain.pem
    t=$(ms "$vkcert" verify chain.pem --ca root.pem --json 2>out.json)
    checks=$(grep -o '"signatureChecks":[0-9]*' out.json | cut -d: -f2)
    valid=$(grep -o '"valid":[a-z]*' out.json | cut -d: -f2)
    o=$(ms openssl verify -CAfile root.pem -untrusted <(cat int*.pem) leaf.pem 2>/dev/null)
    echo "same-name intermediates: $n  vkcert ${t} ms, ${checks} signature checks, valid=$valid  |  openssl verify ${o} ms"
    rm -f int*.pem
done

# Name constraints: 200 permitted subtrees; leaves with 2,000 and 100 SANs.
{
    echo "basicConstraints=critical,CA:TRUE"; echo "keyUsage=critical,keyCertSign"; echo "subjectKeyIdentifier=hash"
    printf 'nameConstraints=critical'; for i in $(seq 0 199); do printf ',permitted;DNS:allowed%d.example' "$i"; done; echo
} > nc.ext
openssl req -new -newkey rsa:2048 -nodes -keyout nc.key -subj /CN=Many-Subtrees -out nc.csr 2>/dev/null
openssl x509 -req -in nc.csr -signkey nc.key -days 30 -extfile nc.ext -out nc.pem 2>/dev/null
for sans in 2000 100; do
    {
        echo "basicConstraints=critical,CA:FALSE"; echo "authorityKeyIdentifier=keyid"
        printf 'subjectAltName=DNS:host0.allowed0.example'; for i in $(seq 1 $((sans - 1))); do printf ',DNS:host%d.allowed0.example' "$i"; done; echo
    } > many.ext
    openssl x509 -req -in leaf.csr -CA nc.pem -CAkey nc.key -set_serial 7 -days 30 -extfile many.ext -out many.pem 2>/dev/null
    t=$(ms "$vkcert" verify many.pem --ca nc.pem --json 2>out.json)
    o=$(ms openssl verify -CAfile nc.pem many.pem 2>/dev/null)
    echo "name constraints: $sans SANs x 200 subtrees  vkcert ${t} ms ($(grep -o '"valid":[a-z]*' out.json)$(grep -o 'limit reached' out.json | head -1 | sed 's/^/, /'))  |  openssl verify ${o} ms"
done
