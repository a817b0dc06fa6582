#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Side-by-side benchmark: vkcert vs the raw-C GMP baseline vs OpenSSL vs swift-certificates, in one run,
with ratios.

Usage: Benchmarks/run.py [--rounds 5] [--seconds 1] [--keys 200] [--genpkey 60] [--inspect-runs 60]
                         [--handshake-seconds 10] [--churn-connections 20000] [--skip parse,handshakes,churn] [--json] [--no-build]

Measured: ECDSA P-256/P-384 and Ed25519 sign/s and verify/s vs `openssl speed ecdsap256 ecdsap384 ed25519`;
RSA-2048 keygen (median, p90) vs `openssl genpkey` and a raw-C GMP baseline; sign/s and verify/s
vs `openssl speed rsa2048` and the raw-C GMP CRT baseline; SHA-256 MB/s vs `openssl speed sha256`;
certificate parse/s vs swift-certificates (Benchmarks/ParseBench, same process); kubelet CSR build + sign
(in process, and `vkcert csr create` vs `openssl req -new` as whole processes); `vkcert inspect` vs
`openssl x509 -noout -text` as whole processes; TLS handshakes/s vs `openssl s_server`
(Benchmarks/handshakes.sh, with an RSA-2048 and an ECDSA P-256 certificate).

Rates are CPU time (thread CPU for in-process loops, child user+sys for whole processes), medians
over interleaved rounds so load changes affect every contestant alike. Sign/verify use the same key
(Vectors/openssl/keys/rsa2048-a) for vkcert and the GMP baseline; `openssl speed rsa2048` uses its own.
"""
import argparse, json, os, platform, re, resource, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEY = os.path.join(ROOT, "Vectors/openssl/keys/rsa2048-a.pkcs8.pem")
SCRATCH = os.path.join(ROOT, ".build-bench")
ENV = dict(os.environ, OPENSSL_CONF="/dev/null", LC_ALL="C")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=ENV, **kw).stdout


def key_components():
    text = run(["openssl", "rsa", "-in", KEY, "-noout", "-text"])
    def field(name):
        m = re.search(name + r":\s*\n((?:\s+[0-9a-f:]+\n)+)", text)
        return m.group(1).replace(":", "").replace(" ", "").replace("\n", "")
    return [field(f) for f in ("modulus",)] + ["10001"] + [field(f) for f in ("prime1", "prime2", "exponent1", "exponent2", "coefficient")]


def openssl_speed_rsa(seconds):
    out = run(["openssl", "speed", "-seconds", str(seconds), "rsa2048"])
    line = [l for l in out.splitlines() if l.startswith("rsa 2048 bits")][-1]
    parts = line.split()
    return float(parts[-2]), float(parts[-1])


def openssl_speed_sha256(seconds):
    out = run(["openssl", "speed", "-seconds", str(seconds), "-bytes", "1048576", "sha256"])
    line = [l for l in out.splitlines() if l.startswith("sha256")][-1]
    return float(line.split()[-1].rstrip("k")) * 1000 / 1e6  # MB/s


def openssl_speed_ec(seconds):
    """sign/s and verify/s for ecdsap256, ecdsap384 and ed25519 from one `openssl speed` run."""
    out = run(["openssl", "speed", "-seconds", str(seconds), "ecdsap256", "ecdsap384", "ed25519"])
    rates = {}
    for line in out.splitlines():
        for name, pattern in (("p256", r"256 bits ecdsa \(nistp256\)"), ("p384", r"384 bits ecdsa \(nistp384\)"), ("ed25519", r"253 bits EdDSA \(Ed25519\)")):
            if re.search(pattern, line):
                parts = line.split()
                rates[name] = (float(parts[-2]), float(parts[-1]))
    return rates


def child_cpu(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000


def percentile(values, p):
    s = sorted(values)
    r = p / 100 * (len(s) - 1)
    lo = int(r)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (r - lo)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--keys", type=int, default=200)
    ap.add_argument("--genpkey", type=int, default=60)
    ap.add_argument("--inspect-runs", type=int, default=60)
    ap.add_argument("--handshake-seconds", type=int, default=10)
    ap.add_argument("--churn-connections", type=int, default=20000)
    ap.add_argument("--skip", default="", help="comma-separated: parse, handshakes, process, churn")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    log = (lambda *a: None) if args.json else (lambda *a: print(*a, file=sys.stderr, flush=True))

    os.makedirs(SCRATCH, exist_ok=True)
    vkcert = os.path.join(ROOT, ".build/release/vkcert")
    if not args.no_build:
        log("building vkcert (release)…")
        subprocess.run(["swift", "build", "-c", "release", "--product", "vkcert"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL if args.json else sys.stderr)
    baseline = os.path.join(SCRATCH, "gmp_baseline")
    subprocess.run(["gcc", "-O2", "-o", baseline, os.path.join(ROOT, "Benchmarks/gmp_baseline.c"), "-lgmp"], check=True)
    comps = key_components()

    skip = set(filter(None, args.skip.split(",")))
    rows = {k: [] for k in ("sign", "verify", "sha256", "raw", "csr", "gmp_sign", "gmp_verify", "ossl_sign", "ossl_verify", "ossl_sha256")}
    for r in range(args.rounds):
        log(f"round {r + 1}/{args.rounds}: sign / verify / sha256")
        ours = json.loads(run([vkcert, "bench", "--json", "--only", "sign,verify,raw,sha256,csr", "--trials", "1",
                               "--seconds", str(args.seconds), "--key", KEY]))
        rows["sign"].append(ours["rsa2048_sign_per_s"]["value"])
        rows["verify"].append(ours["rsa2048_verify_per_s"]["value"])
        rows["raw"].append(ours["rsa2048_raw_crt_per_s"]["value"])
        rows["sha256"].append(ours["sha256_mb_per_s"]["value"])
        rows["csr"].append(ours["kubelet_csr_per_s"]["value"])
        rows["gmp_sign"].append(json.loads(run([baseline, "sign"] + comps + [str(args.seconds)]))["sign_per_s"])
        rows["gmp_verify"].append(json.loads(run([baseline, "verify", comps[0], comps[1], str(args.seconds)]))["verify_per_s"])
        s, v = openssl_speed_rsa(max(1, int(args.seconds)))
        rows["ossl_sign"].append(s)
        rows["ossl_verify"].append(v)
        rows["ossl_sha256"].append(openssl_speed_sha256(max(1, int(args.seconds))))
    # ECDSA P-256 / P-384 and Ed25519, interleaved with openssl speed the same way.
    ec_rows = {k: [] for k in ("p256_sign", "p256_verify", "p384_sign", "p384_verify", "ed25519_sign", "ed25519_verify",
                               "ossl_p256_sign", "ossl_p256_verify", "ossl_p384_sign", "ossl_p384_verify", "ossl_ed25519_sign", "ossl_ed25519_verify")}
    for r in range(args.rounds):
        log(f"round {r + 1}/{args.rounds}: ECDSA / Ed25519")
        ours = json.loads(run([vkcert, "bench", "--json", "--only", "ecdsa,ed25519", "--trials", "1", "--seconds", str(args.seconds)]))
        for name in ("p256", "p384"):
            ec_rows[f"{name}_sign"].append(ours[f"ecdsa_{name}_sign_per_s"]["value"])
            ec_rows[f"{name}_verify"].append(ours[f"ecdsa_{name}_verify_per_s"]["value"])
        ec_rows["ed25519_sign"].append(ours["ed25519_sign_per_s"]["value"])
        ec_rows["ed25519_verify"].append(ours["ed25519_verify_per_s"]["value"])
        theirs = openssl_speed_ec(max(1, int(args.seconds)))
        for name in ("p256", "p384", "ed25519"):
            ec_rows[f"ossl_{name}_sign"].append(theirs[name][0])
            ec_rows[f"ossl_{name}_verify"].append(theirs[name][1])
    rows.update(ec_rows)
    med = {k: statistics.median(v) for k, v in rows.items()}

    log(f"keygen: vkcert × {args.keys}")
    kg = json.loads(run([vkcert, "bench", "--json", "--only", "keygen", "--keys", str(args.keys)]))["rsa2048_keygen_ms"]
    log(f"keygen: raw-C GMP × {args.keys}")
    gk = json.loads(run([baseline, "keygen", str(args.keys)]))
    log(f"keygen: openssl genpkey × {args.genpkey} (whole process, child CPU)")
    ossl = [child_cpu(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "/dev/null"])
            for _ in range(args.genpkey)]
    ossl_version = [child_cpu(["openssl", "version"]) for _ in range(20)]

    # Whole processes: inspect vs openssl x509 -text; csr create vs openssl req -new (same key, same subject).
    process = {}
    if "process" not in skip:
        cert = os.path.join(ROOT, "Vectors/openssl/x509/typical.pem")
        csr_out = os.path.join(SCRATCH, "bench.csr")
        cmds = {
            "vkcert_inspect": [vkcert, "inspect", cert],
            "openssl_x509_text": ["openssl", "x509", "-in", cert, "-noout", "-text"],
            "vkcert_csr_create": [vkcert, "csr", "create", "--key", KEY, "--node", "bench-node", "--ip", "10.0.0.7", "--out", csr_out],
            "openssl_req_new": ["openssl", "req", "-new", "-key", KEY, "-subj", "/O=system:nodes/CN=system:node:bench-node",
                                "-addext", "subjectAltName=IP:10.0.0.7", "-out", csr_out],
        }
        # The static binaries (scripts/build-static.sh), when built: what an embedded deployment runs.
        for name, binary in (("vkcert_static_inspect", ".build-static/dist/vkcert"), ("vkcert_audit_static_inspect", ".build-static/dist/vkcert-audit")):
            if os.path.exists(os.path.join(ROOT, binary)):
                cmds[name] = [os.path.join(ROOT, binary), "inspect", cert]
        log(f"whole processes: inspect vs openssl x509 -text, csr create vs openssl req -new × {args.inspect_runs} (interleaved)")
        samples = {k: [] for k in cmds}
        walls = {k: [] for k in cmds}
        for _ in range(args.inspect_runs):
            for name, cmd in cmds.items():
                t0 = time.perf_counter()
                samples[name].append(child_cpu(cmd))
                walls[name].append((time.perf_counter() - t0) * 1000)
        process = {name: {"cpu_ms_median": statistics.median(v), "wall_ms_median": statistics.median(walls[name])} for name, v in samples.items()}
        process["inspect_over_openssl_cpu"] = process["vkcert_inspect"]["cpu_ms_median"] / process["openssl_x509_text"]["cpu_ms_median"]
        process["inspect_over_openssl_wall"] = process["vkcert_inspect"]["wall_ms_median"] / process["openssl_x509_text"]["wall_ms_median"]
        for name in ("vkcert_static_inspect", "vkcert_audit_static_inspect"):
            if name in process:
                process[name + "_over_openssl_cpu"] = process[name]["cpu_ms_median"] / process["openssl_x509_text"]["cpu_ms_median"]
        process["csr_over_openssl_cpu"] = process["vkcert_csr_create"]["cpu_ms_median"] / process["openssl_req_new"]["cpu_ms_median"]
        process["runs"] = args.inspect_runs

    # Certificate parsing, vkcert vs swift-certificates in one process (separate package, release).
    parse = {}
    if "parse" not in skip:
        log("certificate parse: vkcert vs swift-certificates (Benchmarks/ParseBench/run.sh; builds once)")
        out = subprocess.run([os.path.join(ROOT, "Benchmarks/ParseBench/run.sh")], cwd=ROOT, check=True, capture_output=True, text=True).stdout
        rates = [int(m.group(1)) for m in re.finditer(r"\s(\d+) /s", out)]
        if len(rates) == 3:
            parse = {"vkcert_per_s": rates[0], "swift_certificates_lazy_per_s": rates[1], "swift_certificates_eager_per_s": rates[2],
                     "ratio_vs_eager": rates[0] / rates[2], "ratio_vs_lazy": rates[0] / rates[1],
                     "certificate": out.splitlines()[0].removeprefix("certificate: ")}

    # TLS handshakes: vkcert serve vs openssl s_server, same key and certificate (Benchmarks/handshakes.sh, with an RSA-2048 and an ECDSA P-256 certificate).
    handshakes = {}
    handshakes_ec = {}
    if "handshakes" not in skip:
        for key_type, target in (("rsa", handshakes), ("ec-p256", handshakes_ec)):
            log(f"TLS handshakes ({key_type}): vkcert serve vs openssl s_server, {args.handshake_seconds} s each")
            out = subprocess.run([os.path.join(ROOT, "Benchmarks/handshakes.sh"), str(args.handshake_seconds), key_type], cwd=ROOT,
                                 check=True, capture_output=True, text=True).stdout
            for line in out.splitlines():
                m = re.match(r"(.+?):\s+(\d+) handshakes in ([\d.]+) s = (\d+)/s, server CPU (\d+) us/handshake", line)
                if m:
                    key = "vkcert_manual" if "manual" in m.group(1) else "vkcert_selfsigned" if "self-signed" in m.group(1) else "openssl_s_server"
                    target[key] = {"per_s": int(m.group(4)), "server_cpu_us": int(m.group(5))}
            if "vkcert_manual" in target and "openssl_s_server" in target:
                target["ratio_vs_openssl"] = target["vkcert_manual"]["per_s"] / target["openssl_s_server"]["per_s"]
                target["server_cpu_ratio"] = target["openssl_s_server"]["server_cpu_us"] / target["vkcert_manual"]["server_cpu_us"]

    # Memory under connection churn: vkcert serve vs a Go crypto/tls server vs openssl s_server (Benchmarks/churn.sh).
    churn = []
    if "churn" not in skip:
        log(f"memory under churn: {args.churn_connections} new connections each to vkcert, Go and s_server")
        out = subprocess.run([os.path.join(ROOT, "Benchmarks/churn.sh"), str(args.churn_connections), "--json"], cwd=ROOT,
                             check=True, capture_output=True, text=True).stdout
        churn = [json.loads(l) for l in out.splitlines() if l.startswith("{")]

    cpu = ""
    try:
        cpu = [l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")][0]
        flags = [l for l in open("/proc/cpuinfo") if l.startswith("flags")][0]
        cpu += " (AVX512-IFMA)" if "avx512ifma" in flags else " (no IFMA)"
    except Exception:
        pass
    result = {
        "machine": {"cpu": cpu, "cores": os.cpu_count(), "loadavg": open("/proc/loadavg").read().split()[:3],
                    "openssl": run(["openssl", "version"]).strip(), "platform": platform.platform()},
        "rounds": args.rounds, "seconds_per_trial": args.seconds,
        "sign_per_s": {"vkcert": med["sign"], "raw_gmp": med["gmp_sign"], "openssl": med["ossl_sign"],
                       "vkcert_raw_crt": med["raw"], "ratio_vs_raw_gmp": med["sign"] / med["gmp_sign"],
                       "ratio_vs_openssl": med["sign"] / med["ossl_sign"]},
        "verify_per_s": {"vkcert": med["verify"], "raw_gmp": med["gmp_verify"], "openssl": med["ossl_verify"],
                         "ratio_vs_raw_gmp": med["verify"] / med["gmp_verify"], "ratio_vs_openssl": med["verify"] / med["ossl_verify"]},
        "sha256_mb_per_s": {"vkcert": med["sha256"], "openssl": med["ossl_sha256"], "ratio_vs_openssl": med["sha256"] / med["ossl_sha256"]},
        "keygen_ms": {"vkcert_median": kg["median"], "vkcert_mean": kg["mean"], "vkcert_p90": kg["p90"], "keys": args.keys,
                      "raw_gmp_median": gk["keygen_median_ms"], "raw_gmp_mean": gk["keygen_mean_ms"], "raw_gmp_p90": gk["keygen_p90_ms"],
                      "openssl_genpkey_median": statistics.median(ossl), "openssl_genpkey_mean": statistics.mean(ossl),
                      "openssl_genpkey_p90": percentile(ossl, 90), "openssl_genpkey_runs": args.genpkey,
                      "openssl_version_process_ms": statistics.median(ossl_version),
                      "openssl_over_vkcert_median": statistics.median(ossl) / kg["median"],
                      "raw_gmp_over_vkcert_median": gk["keygen_median_ms"] / kg["median"]},
        "kubelet_csr_per_s": {"vkcert": med["csr"]},
        "whole_process": process,
        "certificate_parse": parse,
        "tls_handshakes": handshakes,
        "tls_handshakes_ecdsa_p256": handshakes_ec,
        "ec": {name: {"vkcert_sign": med[f"{name}_sign"], "vkcert_verify": med[f"{name}_verify"],
                      "openssl_sign": med[f"ossl_{name}_sign"], "openssl_verify": med[f"ossl_{name}_verify"],
                      "sign_ratio_vs_openssl": med[f"{name}_sign"] / med[f"ossl_{name}_sign"],
                      "verify_ratio_vs_openssl": med[f"{name}_verify"] / med[f"ossl_{name}_verify"]}
               for name in ("p256", "p384", "ed25519")},
        "rss_under_churn": churn,
        "raw": rows,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    m = result["machine"]
    print(f"machine: {m['cpu']}, {m['cores']} cores, load {' '.join(m['loadavg'])}; {m['openssl']}")
    print(f"medians of {args.rounds} interleaved rounds, {args.seconds}s CPU each\n")
    print(f"{'operation':34} {'vkcert':>12} {'raw GMP (C)':>12} {'OpenSSL':>12} {'vk/GMP':>8} {'vk/OpenSSL':>10}")
    s, v, h, k = result["sign_per_s"], result["verify_per_s"], result["sha256_mb_per_s"], result["keygen_ms"]
    print(f"{'RSA-2048 sign/s (PKCS#1 v1.5)':34} {s['vkcert']:12.0f} {s['raw_gmp']:12.0f} {s['openssl']:12.0f} {s['ratio_vs_raw_gmp']:8.3f} {s['ratio_vs_openssl']:10.3f}")
    print(f"{'RSA-2048 verify/s':34} {v['vkcert']:12.0f} {v['raw_gmp']:12.0f} {v['openssl']:12.0f} {v['ratio_vs_raw_gmp']:8.3f} {v['ratio_vs_openssl']:10.3f}")
    print(f"{'SHA-256 MB/s (1 MiB blocks)':34} {h['vkcert']:12.1f} {'-':>12} {h['openssl']:12.1f} {'-':>8} {h['ratio_vs_openssl']:10.3f}")
    print(f"{'RSA-2048 keygen median ms':34} {k['vkcert_median']:12.2f} {k['raw_gmp_median']:12.2f} {k['openssl_genpkey_median']:12.2f} "
          f"{k['raw_gmp_over_vkcert_median']:7.2f}x {k['openssl_over_vkcert_median']:9.2f}x")
    print(f"{'RSA-2048 keygen p90 ms':34} {k['vkcert_p90']:12.2f} {k['raw_gmp_p90']:12.2f} {k['openssl_genpkey_p90']:12.2f}")
    print(f"{'kubelet CSR build+sign /s':34} {med['csr']:12.0f}")
    for name, label in (("p256", "ECDSA P-256"), ("p384", "ECDSA P-384"), ("ed25519", "Ed25519")):
        e = result["ec"][name]
        print(f"{label + ' sign/s':34} {e['vkcert_sign']:12.0f} {'-':>12} {e['openssl_sign']:12.0f} {'-':>8} {e['sign_ratio_vs_openssl']:10.3f}")
        print(f"{label + ' verify/s':34} {e['vkcert_verify']:12.0f} {'-':>12} {e['openssl_verify']:12.0f} {'-':>8} {e['verify_ratio_vs_openssl']:10.3f}")
    print(f"{'ECDSA P-256 sign / RSA-2048 sign':34} {result['ec']['p256']['vkcert_sign'] / s['vkcert']:11.2f}x")
    if parse:
        print(f"{'certificate parse /s (eager)':34} {parse['vkcert_per_s']:12d} {'swift-certificates eager':>25} {parse['swift_certificates_eager_per_s']:9d} "
              f"{parse['ratio_vs_eager']:8.2f}x  (lazy {parse['swift_certificates_lazy_per_s']}, {parse['ratio_vs_lazy']:.2f}x)")
    if process:
        pi, po = process["vkcert_inspect"], process["openssl_x509_text"]
        print(f"{'inspect whole process ms (CPU/wall)':34} {pi['cpu_ms_median']:6.1f}/{pi['wall_ms_median']:5.1f} {'openssl x509 -noout -text':>25} "
              f"{po['cpu_ms_median']:5.1f}/{po['wall_ms_median']:5.1f}  ratio {process['inspect_over_openssl_cpu']:.2f} CPU, {process['inspect_over_openssl_wall']:.2f} wall")
        for name, label in (("vkcert_static_inspect", "static vkcert inspect"), ("vkcert_audit_static_inspect", "static vkcert-audit inspect")):
            if name in process:
                print(f"{label + ' ms (CPU/wall)':34} {process[name]['cpu_ms_median']:6.1f}/{process[name]['wall_ms_median']:5.1f} {'':>25} "
                      f"{'':>11}  ratio {process[name + '_over_openssl_cpu']:.2f} CPU")
        ci, co = process["vkcert_csr_create"], process["openssl_req_new"]
        print(f"{'csr create whole process ms (CPU)':34} {ci['cpu_ms_median']:12.1f} {'openssl req -new':>25} {co['cpu_ms_median']:9.1f}  ratio {process['csr_over_openssl_cpu']:.2f}")
    if handshakes.get("ratio_vs_openssl"):
        hv, ho = handshakes["vkcert_manual"], handshakes["openssl_s_server"]
        print(f"{'TLS 1.3 handshakes/s (s_time -new)':34} {hv['per_s']:12d} {'openssl s_server':>25} {ho['per_s']:9d} {handshakes['ratio_vs_openssl']:8.2f}x"
              f"  (server CPU {hv['server_cpu_us']} vs {ho['server_cpu_us']} us/handshake)")
    if handshakes_ec.get("ratio_vs_openssl"):
        hv, ho = handshakes_ec["vkcert_manual"], handshakes_ec["openssl_s_server"]
        print(f"{'TLS 1.3 handshakes/s, ECDSA P-256':34} {hv['per_s']:12d} {'openssl s_server':>25} {ho['per_s']:9d} {handshakes_ec['ratio_vs_openssl']:8.2f}x"
              f"  (server CPU {hv['server_cpu_us']} vs {ho['server_cpu_us']} us/handshake)")
    print(f"\nkeygen: vkcert {args.keys} keys (thread CPU), raw GMP {args.keys} keys, openssl genpkey {args.genpkey} processes "
          f"(child CPU; 'openssl version' alone: {k['openssl_version_process_ms']:.1f} ms). Keygen ratios: how many times faster vkcert is.")
    print(f"vkcert raw CRT (2 x mpn_sec_powm + Garner through BigInt, no padding/blinding/check): {s['vkcert_raw_crt']:.0f}/s")
    for row in churn:
        print(f"{'RSS under churn: ' + row['server']:34} {row['connections']:7d} connections: idle {row['idle_kb'] / 1024:.1f} MB, "
              f"peak {row['peak_kb'] / 1024:.1f} MB, 15 s after {row['after_kb'] / 1024:.1f} MB")


if __name__ == "__main__":
    main()
