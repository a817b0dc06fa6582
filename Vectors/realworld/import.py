#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Rebuilds Vectors/realworld/<corpus>/ from checkouts of the upstream repositories (see Vectors/README.md):

    Vectors/realworld/import.py zlint=<zmap/zlint checkout> webpki=<rustls/webpki checkout> \\
        ctgo=<google/certificate-transparency-go checkout>

Every CERTIFICATE / CERTIFICATE REQUEST PEM block, and every DER file starting with a SEQUENCE (but keys), under the
directories listed below is written as <path with / replaced by __>[.<block>].{crt,csr}.der, byte for byte;
duplicates (same SHA-256) are kept once, first by path order. Then regenerate the expectations:
VKCERT_WRITE_EXPECTATIONS=1 swift test --filter RealWorldCorpus (and review the diff).
"""
import base64, hashlib, os, re, sys

SOURCES = {
    'zlint': ['v3/testdata'],
    'webpki': ['tests', 'third-party/chromium'],
    'ctgo': ['x509/testdata', 'trillian/testdata', 'testdata', 'submission/hammer/testdata'],
}
PEM = re.compile(rb'-----BEGIN (CERTIFICATE|CERTIFICATE REQUEST|NEW CERTIFICATE REQUEST)-----(.*?)-----END \1-----', re.S)

def main(args):
    here = os.path.dirname(os.path.abspath(__file__))
    seen = set()
    for arg in args:
        corpus, checkout = arg.split('=', 1)
        out = os.path.join(here, corpus)
        os.makedirs(out, exist_ok=True)
        count = 0
        for top in SOURCES[corpus]:
            for d, _, files in sorted(os.walk(os.path.join(checkout, top))):
                for f in sorted(files):
                    path = os.path.join(d, f)
                    rel = os.path.relpath(path, checkout)
                    data = open(path, 'rb').read()
                    blocks = PEM.findall(data)
                    items = []
                    for i, (label, body) in enumerate(blocks):
                        try:
                            der = base64.b64decode(b''.join(body.split()), validate=True)
                        except Exception:
                            continue
                        items.append(('csr' if b'REQUEST' in label else 'crt', der, i if len(blocks) > 1 else None))
                    # Bare DER files that are keys, not certificates (webpki's *.spki.der, ee-pubkey.der), are left out.
                    if not blocks and f.endswith(('.der', '.crt', '.cer')) and data[:1] == b'\x30' and 'spki' not in f and 'pubkey' not in f:
                        items.append(('crt', data, None))
                    for kind, der, i in items:
                        digest = hashlib.sha256(der).hexdigest()
                        if digest in seen:
                            continue
                        seen.add(digest)
                        name = re.sub(r'[^A-Za-z0-9._-]', '_', rel.replace('/', '__'))
                        name = re.sub(r'\.(pem|der|crt|cer|txt)$', '', name)
                        if i is not None:
                            name += '.%d' % i
                        open(os.path.join(out, '%s.%s.der' % (name, kind)), 'wb').write(der)
                        count += 1
        print('%s: %d items' % (corpus, count))

if __name__ == '__main__':
    main(sys.argv[1:])
