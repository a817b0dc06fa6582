#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Start-up of whole vkcert processes (issue 18 item 5), binaries side by side:

  serve    `vkcert serve` in manual mode (an RSA-2048 pair on disk) until its TLS listener completes a
           handshake: wall milliseconds from exec to the first completed handshake, and the server's
           CPU (user + sys, from wait4 after killing it at that moment) and resident memory then;
  inspect  `vkcert inspect CERT` as a whole process: child CPU and wall, beside `openssl x509 -noout -text`.

  Benchmarks/startup.py [--runs N] [--json] LABEL=BINARY...

Runs are interleaved (binary A, B, …, A, B, …) so a change in machine load touches all of them alike;
medians are reported. Each serve run gets a fresh port; `openssl s_client` is the client (its own start-up
is in the wall figure, the same for every binary, and reported alone as `s_client alone`).
"""
import argparse, json, os, resource, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CERT = os.path.join(ROOT, "Vectors/openssl/x509/typical.pem")


def child_cpu_ms(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = (time.perf_counter() - t0) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000, wall


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def handshake(port):
    """One TLS handshake with openssl s_client; True when it completed."""
    r = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-brief"], input=b"",
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=10)
    return b"CONNECTION ESTABLISHED" in r.stderr or b"Protocol version" in r.stderr


def serve_once(binary, work):
    port, metrics = free_port(), free_port()
    config = os.path.join(work, f"vk-{port}.yaml")
    with open(config, "w") as f:
        f.write(f"KubeletCertFile: {work}/cert.pem\nKubeletKeyFile: {work}/key.pem\nNodeName: startup\n"
                f"KubeletPort: {port}\nMetricsAddress: 127.0.0.1:{metrics}\n")
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary, "serve", "--config", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = t0 + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    pass
                if handshake(port):
                    break
            except OSError:
                pass
            if time.perf_counter() > deadline or proc.poll() is not None:
                raise SystemExit(f"startup: {binary} serve did not answer a handshake within 30 s")
            time.sleep(0.002)
        wall = (time.perf_counter() - t0) * 1000
        with open(f"/proc/{proc.pid}/status") as f:
            rss_mb = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) / 1024
        # Killed at once and reaped with wait4: its rusage is the CPU up to the first handshake (to the
        # microsecond; /proc's clock ticks are 10 ms).
        proc.kill()
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = -9
        return (usage.ru_utime + usage.ru_stime) * 1000, wall, rss_mb
    finally:
        if proc.returncode is None:
            proc.kill()
            proc.wait(timeout=10)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("binaries", nargs="+", help="LABEL=PATH")
    args = ap.parse_args()
    binaries = [b.split("=", 1) for b in args.binaries]
    work = tempfile.mkdtemp(prefix="vkcert-startup-")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{work}/key.pem",
                    "-out", f"{work}/cert.pem", "-days", "30", "-subj", "/CN=system:node:startup",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    # vkcert-audit has no serve command: only inspect is measured for it.
    serves = {label: "\n  serve " in subprocess.run([path, "--help"], capture_output=True, text=True).stdout for label, path in binaries}
    samples = {}
    def add(key, value):
        samples.setdefault(key, []).append(value)
    for _ in range(args.runs):
        for label, path in binaries:
            cpu, wall = child_cpu_ms([path, "inspect", CERT])
            add((label, "inspect cpu"), cpu); add((label, "inspect wall"), wall)
            if not serves[label]:
                continue
            cpu, wall, rss = serve_once(path, work)
            add((label, "serve cpu"), cpu); add((label, "serve wall"), wall); add((label, "serve rss"), rss)
        cpu, wall = child_cpu_ms(["openssl", "x509", "-in", CERT, "-noout", "-text"])
        add(("openssl x509 -text", "inspect cpu"), cpu); add(("openssl x509 -text", "inspect wall"), wall)
        t0 = time.perf_counter()
        subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:9", "-brief"], input=b"", capture_output=True)
        add(("s_client alone", "serve wall"), (time.perf_counter() - t0) * 1000)
    medians = {f"{label}: {what}": statistics.median(v) for (label, what), v in samples.items()}
    if args.json:
        print(json.dumps({"runs": args.runs, "medians_ms": medians}, indent=2))
        return
    print(f"medians of {args.runs} interleaved runs, ms (CPU = user+sys of the process; serve: until the first completed handshake)")
    labels = [label for label, _ in binaries] + ["openssl x509 -text", "s_client alone"]
    print(f"{'binary':28} {'inspect CPU':>12} {'inspect wall':>13} {'serve CPU':>10} {'serve wall':>11} {'serve RSS MB':>13}")
    for label in labels:
        row = [medians.get(f"{label}: {w}") for w in ("inspect cpu", "inspect wall", "serve cpu", "serve wall", "serve rss")]
        print(f"{label:28} " + " ".join(f"{x:>{n}.1f}" if x is not None else f"{'-':>{n}}" for x, n in zip(row, (12, 13, 10, 11, 13))))


if __name__ == "__main__":
    main()
