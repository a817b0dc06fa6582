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


# ---------------------------------------------------------------------------------------------------------
# EC and Ed25519 (Vectors/openssl/ec/): keys made once by openssl genpkey and committed; every encoding
# derived from them (SEC 1, PKCS#8, SPKI; PEM and DER); Ed25519 signatures (deterministic, RFC 8032)
# of the non-empty messages (pkeyutl -rawin refuses an empty file); ECDSA signatures (randomised: made
# once, committed, re-verified by --check).
ec_keys="ec-p256 ec-p384 ed25519"
ec_make_keys() {
    local dir="$1/ec"
    mkdir -p "$dir"
    [ -f "$dir/ec-p256.pkcs8.pem" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/ec-p256.pkcs8.pem"
    [ -f "$dir/ec-p384.pkcs8.pem" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$dir/ec-p384.pkcs8.pem"
    [ -f "$dir/ed25519.pkcs8.pem" ] || openssl genpkey -algorithm ed25519 -out "$dir/ed25519.pkcs8.pem"
}

ec_derive() {  # dir keysrc
    local dir="$1/ec" src="$2/ec"
    mkdir -p "$dir"
    for k in $ec_keys; do
        [ "$dir" = "$src" ] || cp "$src/$k.pkcs8.pem" "$dir/$k.pkcs8.pem"
        openssl pkcs8 -topk8 -nocrypt -in "$src/$k.pkcs8.pem" -outform DER -out "$dir/$k.pkcs8.der"
        openssl pkey -in "$src/$k.pkcs8.pem" -pubout -out "$dir/$k.spki.pem"
        openssl pkey -in "$src/$k.pkcs8.pem" -pubout -outform DER -out "$dir/$k.spki.der"
        case "$k" in
        ec-*)
            openssl ec -in "$src/$k.pkcs8.pem" -out "$dir/$k.sec1.pem" 2>/dev/null
            openssl ec -in "$src/$k.pkcs8.pem" -outform DER -out "$dir/$k.sec1.der" 2>/dev/null
            ;;
        ed25519)
            for m in abc bytes300 bytes4096; do
                openssl pkeyutl -sign -inkey "$src/$k.pkcs8.pem" -rawin -in "$1/messages/$m" -out "$dir/$k.$m.sig"
            done
            ;;
        esac
    done
}

ec_random() {  # dir
    local dir="$1/ec"
    while read -r k h; do
        for m in $messages; do
            local out="$dir/$k.$h.$m.sig"
            [ -f "$out" ] || openssl dgst "-$h" -sign "$dir/$k.pkcs8.pem" -out "$out" "$1/messages/$m"
        done
    done <<'LIST'
ec-p256 sha256
ec-p256 sha512
ec-p384 sha384
ec-p384 sha512
ec-p384 sha256
LIST
}

# ---------------------------------------------------------------------------------------------------------
# X.509: a root CA, CA-signed serving and client certificates, a PSS-signed one, a self-signed serving
# certificate, and CSRs, all with fixed serials and dates (openssl ca with a fresh database per
# certificate), plus the facts OpenSSL reports about each. Only the PSS-signed certificate is randomised.
x509_config() {  # dir
    cat > "$1/openssl.cnf" <<'CNF'
[ ca ]
default_ca = vectors
[ vectors ]
dir = .
database = $dir/index.txt
new_certs_dir = $dir/new
serial = $dir/serial
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
preserve = yes
[ anything ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
[ req ]
distinguished_name = dn
string_mask = utf8only
prompt = no
[ dn ]
CN = unused
[ root_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
[ serving_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:node-1, DNS:node-1.cluster.local, IP:10.0.0.11, IP:fd00::11
[ client_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ selfsigned_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = IP:192.0.2.10
[ typical_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:www.example.com, DNS:example.com, DNS:api.example.com, IP:192.0.2.1
authorityInfoAccess = OCSP;URI:http://ocsp.example.com/, caIssuers;URI:http://pki.example.com/root.crt
crlDistributionPoints = URI:http://crl.example.com/root.crl
certificatePolicies = 2.23.140.1.2.1
[ csr_kubelet ]
subjectAltName = DNS:node-1, DNS:node-1.cluster.local, IP:10.0.0.11, IP:fd00::11
CNF
}

x509_issue() {  # dir name serial-hex csr extensions signer-key signer-cert(- for self) start end [extra ca args…]
    local dir="$1" name="$2" serial="$3" csr="$4" ext="$5" key="$6" cert="$7" start="$8" end="$9"
    shift 9
    local work; work="$(mktemp -d)"
    mkdir -p "$work/new"
    : > "$work/index.txt"
    echo "$serial" > "$work/serial"
    local signer=(-cert "$cert")
    [ "$cert" = "-" ] && signer=(-selfsign)
    (cd "$work" && openssl ca -batch -config "$dir/openssl.cnf" -extensions "$ext" -keyfile "$key" "${signer[@]}" \
        -startdate "$start" -enddate "$end" -preserveDN -notext -in "$csr" -out "$dir/$name.pem" "$@" 2>/dev/null)
    rm -rf "$work"
}

x509_facts() {  # dir name
    openssl x509 -in "$1/$2.pem" -noout -serial -subject -issuer -nameopt RFC2253,-esc_msb -dates -dateopt iso_8601 \
        -fingerprint -sha256 -text > "$1/$2.facts.txt"
}

x509_derive() {  # dir keysrc
    local dir="$1/x509" keys="$2/keys"
    mkdir -p "$dir"
    x509_config "$dir"
    openssl req -new -config "$dir/openssl.cnf" -key "$keys/rsa2048-a.pkcs8.pem" -subj "/C=DE/O=vkcert vectors/CN=vkcert vectors root" -out "$dir/root.csr"
    openssl req -new -config "$dir/openssl.cnf" -key "$keys/rsa2048-b.pkcs8.pem" -subj "/O=system:nodes/CN=system:node:node-1" \
        -reqexts csr_kubelet -out "$dir/kubelet.csr"
    openssl req -new -config "$dir/openssl.cnf" -key "$keys/rsa3072.pkcs8.pem" -subj "/O=system:masters/CN=kube-apiserver-kubelet-client" -out "$dir/client.csr"
    openssl req -new -config "$dir/openssl.cnf" -key "$keys/rsa4096.pkcs8.pem" -subj "/CN=plain" -out "$dir/plain.csr"
    x509_issue "$dir" root 0100 "$dir/root.csr" root_ext "$keys/rsa2048-a.pkcs8.pem" - 20250101000000Z 20500101000000Z
    x509_issue "$dir" serving 80a1a2a3a4a5a6a7a8a9aaabacadae8f "$dir/kubelet.csr" serving_ext "$keys/rsa2048-a.pkcs8.pem" "$dir/root.pem" 20250101000000Z 20260101000000Z
    x509_issue "$dir" client 00ff "$dir/client.csr" client_ext "$keys/rsa2048-a.pkcs8.pem" "$dir/root.pem" 20250101000000Z 20260101000000Z
    x509_issue "$dir" serial20 7f0102030405060708090a0b0c0d0e0f10111213 "$dir/kubelet.csr" serving_ext "$keys/rsa2048-a.pkcs8.pem" "$dir/root.pem" 20250101000000Z 20260101000000Z
    x509_issue "$dir" typical 0400 "$dir/kubelet.csr" typical_ext "$keys/rsa2048-a.pkcs8.pem" "$dir/root.pem" 20250101000000Z 20260101000000Z
    x509_issue "$dir" selfsigned 0200 "$dir/kubelet.csr" selfsigned_ext "$keys/rsa2048-b.pkcs8.pem" - 20250101000000Z 20260101000000Z
    for c in root serving client serial20 typical selfsigned; do x509_facts "$dir" "$c"; done
    rm -f "$dir/openssl.cnf"
}

x509_pss() {  # dir: the randomised PSS-signed certificate (made once)
    local dir="$1/x509"
    [ -f "$dir/pss.pem" ] && return 0
    x509_config "$dir"
    x509_issue "$dir" pss 0300 "$dir/kubelet.csr" serving_ext "$1/keys/rsa2048-a.pkcs8.pem" "$dir/root.pem" 20250101000000Z 20260101000000Z \
        -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256
    x509_facts "$dir" pss
    rm -f "$dir/openssl.cnf"
}

case "$mode" in
generate)
    make_keys "$committed"
    derive "$committed" "$committed"
    pss_random "$committed"
    x509_derive "$committed" "$committed"
    x509_pss "$committed"
    ec_make_keys "$committed"
    ec_derive "$committed" "$committed"
    ec_random "$committed"
    manifest "$committed"
    openssl version -a > "$committed/openssl-version.txt"
    echo "vectors written to $committed"
    ;;
--check)
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    derive "$tmp" "$committed"
    cp "$committed"/sig/*.pss-mgf*-salt[1-9]*.sig "$tmp/sig/"
    x509_derive "$tmp" "$committed"
    cp "$committed"/x509/pss.pem "$committed"/x509/pss.facts.txt "$tmp/x509/"
    ec_derive "$tmp" "$committed"
    cp "$committed"/ec/ec-p*.sha*.sig "$tmp/ec/"
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
    # Randomised ECDSA signatures must verify.
    for f in "$committed"/ec/ec-p*.sha*.sig; do
        IFS=. read -r k h m _ <<< "$(basename "$f")"
        if ! openssl dgst "-$h" -verify "$committed/ec/$k.spki.pem" -signature "$f" "$committed/messages/$m" >/dev/null; then
            echo "ECDSA does not verify: $f"; status=1
        fi
    done
    if ! openssl verify -attime 1748736000 -CAfile "$committed/x509/root.pem" "$committed/x509/pss.pem" >/dev/null; then
        echo "PSS-signed certificate does not verify"; status=1
    fi
    [ $status = 0 ] && echo "check: every deterministic vector reproduced byte for byte; every PSS and ECDSA signature verifies"
    exit $status
    ;;
*)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac
