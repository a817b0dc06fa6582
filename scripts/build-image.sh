#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# An OCI image of the static vkcert, without a container engine (Debian's umoci and skopeo):
#   rootfs: /vkcert only (plus the empty /tmp a FROM-scratch image needs for CertDir's default /tmp/certs);
#   config: user 65532:65532 (numeric, non-root), entrypoint /vkcert, working directory /,
#           OCI labels org.opencontainers.image.{version,revision,source,title,licenses};
#   output: an OCI layout (DIR/oci, tag VERSION) and a `docker load`-able archive (DIR/vkcert-VERSION.docker.tar).
# Reproducible: every timestamp (files, layer, config, history) is the commit time of HEAD, so the same
# commit and binary give the same manifest digest.
#
#   scripts/build-image.sh [--binary PATH] [--out DIR] [--check]
#       --binary  the static vkcert (default: built by scripts/build-static.sh into .build-static/dist)
#       --check   build twice and compare digests, unpack, inspect the rootfs and config, run the binary
#                 from the rootfs with an empty environment; exit 1 on any difference
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
binary=""
out=".build-image"
check=0
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="$2"; shift ;;
        --out) out="$2"; shift ;;
        --check) check=1 ;;
        *) echo "build-image.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
for tool in umoci skopeo; do
    command -v "$tool" >/dev/null || { echo "build-image.sh: $tool is missing (apt-get install umoci skopeo)" >&2; exit 1; }
done
if [ -z "$binary" ]; then
    binary=".build-static/dist/vkcert"
    [ -x "$binary" ] || scripts/build-static.sh >&2
fi
[ -x "$binary" ] || { echo "build-image.sh: no static vkcert at $binary" >&2; exit 1; }
version="$(cat VERSION)"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
source="$(git config --get remote.origin.url 2>/dev/null || echo "vkcert repository (no remote configured)")"
epoch="$(git log -1 --format=%ct 2>/dev/null || echo 0)"
created="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"

build() {  # build DIR → prints the manifest digest
    local dir="$1"
    rm -rf "$dir"; mkdir -p "$dir"
    umoci init --layout "$dir/oci"
    umoci new --image "$dir/oci:$version"
    umoci unpack --image "$dir/oci:$version" "$dir/bundle" >/dev/null
    local rootfs="$dir/bundle/rootfs"
    install -m 0755 "$binary" "$rootfs/vkcert"
    install -d -m 1777 "$rootfs/tmp"
    find "$rootfs" -exec touch -h -d "@$epoch" {} +
    umoci repack --image "$dir/oci:$version" --history.created "$created" --history.created_by "scripts/build-image.sh" \
        --history.comment "static vkcert $version" "$dir/bundle"
    umoci config --image "$dir/oci:$version" --created "$created" --history.created "$created" --history.created_by "scripts/build-image.sh" \
        --author "vkcert" --config.user 65532:65532 --config.entrypoint /vkcert --config.cmd --help --config.workingdir / \
        --config.env PATH=/ \
        --config.label "org.opencontainers.image.title=vkcert" \
        --config.label "org.opencontainers.image.version=$version" \
        --config.label "org.opencontainers.image.revision=$revision" \
        --config.label "org.opencontainers.image.source=$source" \
        --config.label "org.opencontainers.image.licenses=Apache-2.0" \
        --clear=config.exposedports
    umoci gc --layout "$dir/oci"
    rm -rf "$dir/bundle"
    skopeo copy --quiet "oci:$dir/oci:$version" "docker-archive:$dir/vkcert-$version.docker.tar:vkcert:$version"
    python3 - "$dir/oci" "$version" <<'PY'
import json, sys
index = json.load(open(sys.argv[1] + "/index.json"))
for m in index["manifests"]:
    if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == sys.argv[2]:
        print(m["digest"])
PY
}

digest="$(build "$out")"
size=$(stat -c %s "$out/vkcert-$version.docker.tar")
echo "image: vkcert:$version $digest, docker archive $out/vkcert-$version.docker.tar ($(python3 -c "print(f'{$size/1e6:.1f}')") MB)"
[ $check = 1 ] || exit 0

status=0
again="$(build "$out-again")"
if [ "$digest" = "$again" ]; then echo "image: reproducible (two builds: $digest)"; else echo "image: NOT reproducible: $digest vs $again" >&2; status=1; fi
rm -rf "$out-again"
# Unpack with plain tar from the docker archive (what `docker load` reads) and look inside.
check_dir="$(mktemp -d)"; trap 'rm -rf "$check_dir"' EXIT
tar -xf "$out/vkcert-$version.docker.tar" -C "$check_dir"
python3 - "$check_dir" "$version" <<'PY' || status=1
import json, os, sys, tarfile
d, version = sys.argv[1], sys.argv[2]
manifest = json.load(open(os.path.join(d, "manifest.json")))[0]
assert manifest["RepoTags"] in ([f"vkcert:{version}"], [f"docker.io/library/vkcert:{version}"]), manifest["RepoTags"]
config = json.load(open(os.path.join(d, manifest["Config"])))
c = config["config"]
problems = []
if c.get("User") != "65532:65532": problems.append(f"user {c.get('User')}")
if c.get("Entrypoint") != ["/vkcert"]: problems.append(f"entrypoint {c.get('Entrypoint')}")
labels = c.get("Labels") or {}
for key in ("org.opencontainers.image.version", "org.opencontainers.image.source", "org.opencontainers.image.revision"):
    if not labels.get(key): problems.append(f"label {key} missing")
if labels.get("org.opencontainers.image.version") != version: problems.append("version label")
names = []
rootfs = os.path.join(d, "rootfs"); os.makedirs(rootfs)
for layer in manifest["Layers"]:
    with tarfile.open(os.path.join(d, layer)) as t:
        names += [m.name.lstrip("./") for m in t.getmembers()]
        t.extractall(rootfs)
names = sorted(n for n in names if n)
if names != ["tmp", "vkcert"]: problems.append(f"rootfs holds {names}")
if problems:
    print("image: config/rootfs problems: " + "; ".join(problems), file=sys.stderr); sys.exit(1)
print(f"image: rootfs {names}, user {c['User']}, entrypoint {c['Entrypoint']}, labels {sorted(labels)}")
PY
if (cd / && env -i "$check_dir/rootfs/vkcert" inspect "$root/Vectors/openssl/x509/typical.pem" | grep -q "Subject:"); then
    echo "image: /vkcert from the unpacked rootfs runs with an empty environment"
else
    echo "image: /vkcert from the unpacked rootfs does not run" >&2; status=1
fi
exit $status
