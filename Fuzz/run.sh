#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Builds and runs one libFuzzer target (or all of them) for a bounded time.
#
#   Fuzz/run.sh TARGET SECONDS [--asan] [-- libFuzzer flags…]
#   Fuzz/run.sh all SECONDS [--asan]          every target in turn (the CI smoke run)
#   Fuzz/run.sh list                          the targets
#
# Builds with `swift build --sanitize fuzzer` (plus AddressSanitizer with --asan) into .build-fuzz/ (or
# .build-fuzz-asan/), never touching the main build. The working corpus lives in
# .build-fuzz-data/corpus/TARGET and starts from Fuzz/seeds/TARGET plus the matching files of Vectors/ and
# Examples/; crash, leak and timeout inputs are written to .build-fuzz-data/artifacts/TARGET/, the log to
# .build-fuzz-data/TARGET.log (.build-fuzz-asan-data/ with --asan). Exit status: 0 when the run ends without a
# finding, 1 otherwise (the finding's input and libFuzzer's report are printed).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

targets=(FuzzDER FuzzPEM FuzzCertificate FuzzCSR FuzzKeys FuzzSignature FuzzConfig FuzzKubeconfig FuzzProtobuf FuzzWatchStream FuzzAPIRouter FuzzAPIServer FuzzRBACManifest FuzzRelayHead)

usage() { sed -n '4,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
if [ "$1" = list ]; then printf '%s\n' "${targets[@]}"; exit 0; fi
[ $# -ge 2 ] || usage
target="$1"; seconds="$2"; shift 2
asan=0
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --asan) asan=1 ;;
        --) shift; extra+=("$@"); break ;;
        *) echo "run.sh: unknown option $1" >&2; usage ;;
    esac
    shift
done
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "run.sh: SECONDS must be a whole number, not '$seconds'" >&2; exit 2; }

if [ "$target" = all ]; then
    failed=()
    for t in "${targets[@]}"; do
        args=("$t" "$seconds"); [ $asan = 1 ] && args+=(--asan)
        "$0" "${args[@]}" || failed+=("$t")
    done
    if [ ${#failed[@]} -gt 0 ]; then
        # Repeat each failure's report at the end, where a truncated console still shows it.
        for t in "${failed[@]}"; do
            d=".build-fuzz$( [ $asan = 1 ] && echo -asan )-data"
            echo "fuzz: --- $t ---" >&2
            [ -f "$d/$t.log" ] && grep -v '^#[0-9]' "$d/$t.log" | tail -25 >&2
            [ -f "$d/$t.build.log" ] && grep -E "error|Killed|signal" "$d/$t.build.log" | head -10 >&2
        done
        echo "fuzz: FAILED: ${failed[*]}" >&2
        exit 1
    fi
    echo "fuzz: all ${#targets[@]} targets ran ${seconds}s without a finding"
    exit 0
fi
printf '%s\n' "${targets[@]}" | grep -qx "$target" || { echo "run.sh: unknown target '$target' (Fuzz/run.sh list)" >&2; exit 2; }

scratch=".build-fuzz"; sanitize=(--sanitize fuzzer)
# With two --sanitize options SwiftPM emits -sanitize=fuzzer and -sanitize=address in an order that varies
# between runs, and swiftc keeps only the last one: when that is address, nothing gets coverage
# instrumentation and libFuzzer runs blind ("Is the code instrumented for coverage?"). A combined
# -sanitize=fuzzer,address placed last fixes the set.
if [ $asan = 1 ]; then scratch=".build-fuzz-asan"; sanitize+=(--sanitize address -Xswiftc -sanitize=fuzzer,address); fi
# The build's output goes to a log (CI shows only the tail of its console, and 450 lines of BoringSSL
# progress would push an earlier target's report out of it). A failed build is retried once with one job
# (a compiler killed for memory while clang builds BoringSSL beside it is the failure seen in CI), and its
# errors are printed.
mkdir -p "$scratch-data"
buildlog="$scratch-data/$target.build.log"
rm -f "$scratch-data/$target.log"
if ! VKCERT_FUZZ=1 swift build -c release "${sanitize[@]}" --product "$target" --scratch-path "$scratch" >"$buildlog" 2>&1; then
    echo "fuzz: $target: build failed; its errors:" >&2
    grep -E "error|Killed|signal|fatal" "$buildlog" | head -20 >&2 || tail -20 "$buildlog" >&2
    echo "fuzz: $target: retrying the build with -j 1" >&2
    if ! VKCERT_FUZZ=1 swift build -c release -j 1 "${sanitize[@]}" --product "$target" --scratch-path "$scratch" >"$buildlog" 2>&1; then
        echo "fuzz: $target: BUILD FAILED twice; the end of $buildlog:" >&2
        tail -40 "$buildlog" >&2
        exit 1
    fi
fi
binary="$scratch/release/$target"

# Seed corpus: committed seeds plus the repository's real inputs for this parser. Corpus, findings and logs
# live beside the scratch path, not in it: SwiftPM prunes directories it did not make there (empty
# artifact directories vanished between runs).
data="$scratch-data"
corpus="$data/corpus/$target"
artifacts="$data/artifacts/$target"
mkdir -p "$corpus" "$artifacts"
seed() { for f in "$@"; do [ -f "$f" ] && cp -n "$f" "$corpus/$(echo "$f" | tr / _)" || true; done; }
[ -d "Fuzz/seeds/$target" ] && seed Fuzz/seeds/"$target"/*
case "$target" in
    FuzzDER) seed Vectors/boringssl-parse/*.der Vectors/openssl/keys/*.der ;;
    FuzzPEM) seed Vectors/openssl/x509/*.pem Vectors/openssl/x509/*.csr Vectors/openssl/keys/*.pem ;;
    FuzzCertificate) seed Vectors/boringssl-parse/*.der Vectors/openssl/x509/*.pem Vectors/realworld/*/*.crt.der ;;
    FuzzCSR) seed Vectors/openssl/x509/*.csr Vectors/realworld/*/*.csr.der ;;
    FuzzKeys) seed Vectors/openssl/keys/* ;;
    FuzzConfig) seed Examples/*.yaml ;;
esac

# Inputs larger than the largest real one are only slower, never more interesting to these parsers.
maxlen=16384
echo "fuzz: $target for ${seconds}s ($(ls "$corpus" | wc -l) corpus inputs, $( [ $asan = 1 ] && echo 'fuzzer+address' || echo fuzzer ))" >&2
dict=()
[ -f "Fuzz/dicts/$target.dict" ] && dict=(-dict="Fuzz/dicts/$target.dict")
log="$data/$target.log"
set +e
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" "$binary" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$maxlen" -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "${dict[@]}" "${extra[@]}" "$corpus" >"$log" 2>&1
status=$?
set -e
# One summary line: executions, rate, coverage, corpus.
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
last=$(grep -E '^#[0-9]+' "$log" | tail -1)
cov=$(echo "$last" | grep -o 'cov: [0-9]*' || true)
ft=$(echo "$last" | grep -o 'ft: [0-9]*' || true)
corp=$(echo "$last" | grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' || true)
echo "fuzz: $target: $execs executions, $rate/s, $cov, $ft, $corp, exit $status"
if grep -q "Is the code instrumented for coverage" "$log"; then
    echo "fuzz: $target ran without coverage feedback (instrumentation lost at link time); treating as a failure" >&2
    status=1
fi
if [ $status -ne 0 ]; then
    echo "fuzz: $target FOUND A PROBLEM; libFuzzer's report ($log):" >&2
    grep -v '^#[0-9]' "$log" | tail -40 >&2
    ls -1 "$artifacts" >&2
    exit 1
fi
