#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Generates vkcert's OpenSSL conformance vectors in Vectors/openssl/ with the system OpenSSL CLI.
#
#   Vectors/generate.sh            make keys (only if missing) and every derived file, write manifest.tsv
#   Vectors/generate.sh --check    regenerate every deterministic output from the committed keys into a
#                                  temporary directory and compare bytes with the committed files;
#                                  re-verify the committed (randomised) PSS signatures with OpenSSL
#
# Keys are generated once and committed: regenerating them would change every derived file.
# Environment is pinned (LC_ALL=C TZ=UTC OPENSSL_CONF=/dev/null) so the host configuration cannot leak in.
set -euo pipefail
export LC_ALL=C TZ=UTC OPENSSL_CONF=/dev/null

here="$(cd "$(dirname "$0")" && pwd)"
committed="$here/openssl"
mode="${1:-generate}"

keys="rsa2048-a rsa2048-b rsa3072 rsa4096 rsa1024-verify-only rsa2048-e3"
hashes="sha1 sha224 sha256 sha384 sha512"
messages="empty abc bytes300 bytes4096"

make_keys() {
    local dir="$1"
    mkdir -p "$dir/keys"
    gen() {  # name bits exponent
        [ -f "$dir/keys/$1.pkcs8.pem" ] && return 0
        openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -pkeyopt "rsa_keygen_pubexp:$3" -out "$dir/keys/$1.pkcs8.pem" 2>/dev/null
    }
    gen rsa2048-a 2048 65537
    gen rsa2048-b 2048 65537
    gen rsa3072 3072 65537
    gen rsa4096 4096 65537
    gen rsa1024-verify-only 1024 65537
    gen rsa2048-e3 2048 3
}

# Everything below is a deterministic function of the committed keys.
derive() {
    local dir="$1" keysrc="$2"
    mkdir -p "$dir/keys" "$dir/messages" "$dir/sig"
    for k in $keys; do
        local src="$keysrc/keys/$k.pkcs8.pem"
        [ "$dir" = "$keysrc" ] || cp "$src" "$dir/keys/$k.pkcs8.pem"
        # (openssl pkey -outform DER writes PKCS#1 for RSA keys in 3.0; pkcs8 -topk8 gives PrivateKeyInfo.)
        openssl pkcs8 -topk8 -nocrypt -in "$src" -outform DER -out "$dir/keys/$k.pkcs8.der"
        openssl rsa -in "$src" -traditional -out "$dir/keys/$k.pkcs1.pem" 2>/dev/null
        openssl rsa -in "$src" -traditional -outform DER -out "$dir/keys/$k.pkcs1.der" 2>/dev/null
        openssl pkey -in "$src" -pubout -out "$dir/keys/$k.spki.pem"
        openssl pkey -in "$src" -pubout -outform DER -out "$dir/keys/$k.spki.der"
        openssl rsa -in "$src" -RSAPublicKey_out -out "$dir/keys/$k.rsapub.pem" 2>/dev/null
        openssl rsa -in "$src" -RSAPublicKey_out -outform DER -out "$dir/keys/$k.rsapub.der" 2>/dev/null
    done
    printf '' > "$dir/messages/empty"
    printf 'abc' > "$dir/messages/abc"
    # Deterministic byte patterns (no randomness): 300 and 4096 bytes.
    python3 - "$dir/messages" <<'PY'
import sys
d = sys.argv[1]
open(f"{d}/bytes300", "wb").write(bytes((i * 31 + 7) % 256 for i in range(300)))
open(f"{d}/bytes4096", "wb").write(bytes((i * i + 3 * i + 1) % 251 for i in range(4096)))
PY
    : > "$dir/digests.tsv"
    for m in $messages; do
        for h in $hashes; do
            printf '%s\t%s\t%s\n' "$m" "$h" "$(openssl dgst "-$h" -r "$dir/messages/$m" | cut -d' ' -f1)" >> "$dir/digests.tsv"
        done
    done
    # PKCS#1 v1.5 signatures are deterministic.
    for k in $keys; do
        for h in $hashes; do
            for m in $messages; do
                openssl dgst "-$h" -sign "$keysrc/keys/$k.pkcs8.pem" -out "$dir/sig/$k.$h.$m.pkcs1v15.sig" "$dir/messages/$m"
            done
        done
    done
    # PSS with salt length 0 is deterministic too.
    for h in sha256 sha384 sha512; do
        for m in $messages; do
            openssl dgst "-$h" -sign "$keysrc/keys/rsa2048-a.pkcs8.pem" -sigopt rsa_padding_mode:pss \
                -sigopt rsa_pss_saltlen:0 -sigopt "rsa_mgf1_md:$h" -out "$dir/sig/rsa2048-a.$h.$m.pss-mgf$h-salt0.sig" "$dir/messages/$m"
        done
    done
}

# Randomised PSS signatures: made once, committed, re-verified by --check.
pss_random() {
    local dir="$1"
    while read -r k h mgf salt; do
        for m in $messages; do
            local out="$dir/sig/$k.$h.$m.pss-mgf$mgf-salt$salt.sig"
            [ -f "$out" ] && continue
            openssl dgst "-$h" -sign "$dir/keys/$k.pkcs8.pem" -sigopt rsa_padding_mode:pss \
                -sigopt "rsa_pss_saltlen:$salt" -sigopt "rsa_mgf1_md:$mgf" -out "$out" "$dir/messages/$m"
        done
    done <<'LIST'
rsa2048-a sha256 sha256 32
rsa2048-a sha256 sha256 222
rsa2048-a sha384 sha384 48
rsa2048-a sha512 sha512 64
rsa2048-a sha1 sha1 20
rsa2048-a sha256 sha1 32
rsa3072 sha256 sha256 32
rsa4096 sha512 sha512 64
LIST
}

manifest() {
    local dir="$1"
    {
        printf 'key\tscheme\thash\tmgf_hash\tsalt_length\tmessage\tsignature\tdeterministic\n'
        for f in $(cd "$dir/sig" && ls | sort); do
            IFS=. read -r k h m s _ <<< "$f"
            if [ "$s" = "pkcs1v15" ]; then
                printf '%s\tpkcs1v15\t%s\t-\t-\t%s\tsig/%s\tyes\n' "$k" "$h" "$m" "$f"
            else
                local mgf="${s#pss-mgf}"; mgf="${mgf%-salt*}"; local salt="${s##*-salt}"
                local det=no; [ "$salt" = 0 ] && det=yes
                printf '%s\tpss\t%s\t%s\t%s\t%s\tsig/%s\t%s\n' "$k" "$h" "$mgf" "$salt" "$m" "$f" "$det"
            fi
        done
    } > "$dir/manifest.tsv"
}

case "$mode" in
generate)
    make_keys "$committed"
    derive "$committed" "$committed"
    pss_random "$committed"
    manifest "$committed"
    openssl version -a > "$committed/openssl-version.txt"
    echo "vectors written to $committed"
    ;;
--check)
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    derive "$tmp" "$committed"
    cp "$committed"/sig/*.pss-mgf*-salt[1-9]*.sig "$tmp/sig/"
    manifest "$tmp"
    status=0
    # Every deterministic file must be byte-identical.
    for f in $(cd "$tmp" && find . -type f ! -name '*.pkcs8.pem' | sort); do
        if ! cmp -s "$tmp/$f" "$committed/$f"; then echo "DIFFERS: $f"; status=1; fi
    done
    # Randomised PSS signatures must verify.
    while IFS=$'\t' read -r k scheme h mgf salt m sig det; do
        [ "$scheme" = pss ] && [ "$det" = no ] || continue
        if ! openssl dgst "-$h" -verify "$committed/keys/$k.spki.pem" -sigopt rsa_padding_mode:pss \
            -sigopt "rsa_pss_saltlen:$salt" -sigopt "rsa_mgf1_md:$mgf" -signature "$committed/$sig" "$committed/messages/$m" >/dev/null; then
            echo "PSS does not verify: $sig"; status=1
        fi
    done < <(tail -n +2 "$committed/manifest.tsv")
    [ $status = 0 ] && echo "check: every deterministic vector reproduced byte for byte; every PSS signature verifies"
    exit $status
    ;;
*)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac
