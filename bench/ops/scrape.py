#!/usr/bin/env python3
"""Driver of scrape.sh: for each N, generates the fleet (bench/fleet/gen.py layout), starts bin/litefleet replicate
with addr:, waits (polling /metrics) until every database is discovered and captured, makes HOT of them hot by
writing to them, then takes SCRAPES timed scrapes. A scrape's time is the wall time of one HTTP GET of /metrics
(connect to last byte) from this process; the series count is the number of sample lines."""
import json, os, signal, socket, sqlite3, statistics, subprocess, sys, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fleet"))
import gen  # noqa: E402

BASE = os.environ["BASE"]
LF = os.environ["LF_BIN"]
OUT = os.environ["OUT"]
NS = [int(x) for x in os.environ.get("NS", "100 1000 100000").split()]
SCRAPES = int(os.environ.get("SCRAPES", "20"))
HOT = int(os.environ.get("HOT", "5"))
PATTERN = "{project}/databases/{database}/branches/{branch}/tenants/{tenant}.db"
proc = None


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def stop(*_):
    if proc and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    sys.exit(130)


sys.path.insert(0, os.path.join(HERE, "..", "common"))
from procs import free_port, samples  # noqa: E402,F401  (free_port: also imported from here by bench/capture)


def scrape(port):
    t0 = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=60) as r:
        body = r.read().decode()
    return time.perf_counter() - t0, body


def wait_captured(port, n, timeout):
    t0 = time.monotonic()
    last = {}
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"litefleet exited with {proc.returncode}")
        try:
            last = samples(scrape(port)[1])
        except OSError:
            time.sleep(1)
            continue
        if last.get("litefleet_fleet_discovered_databases") == n \
                and last.get('litefleet_fleet_passes_total{kind="transient"}', 0) >= n \
                and last.get('litefleet_fleet_queue_depth{queue="backlog"}') == 0:
            return time.monotonic() - t0
        time.sleep(2)
    raise RuntimeError(f"not captured after {timeout}s: discovered "
                       f"{last.get('litefleet_fleet_discovered_databases')}")


def run(n):
    global proc
    root = os.path.join(BASE, f"n{n}")
    data, replica, state = (os.path.join(root, d) for d in ("data", "replica", "state"))
    subprocess.run([sys.executable, os.path.join(HERE, "..", "fleet", "gen.py"), str(n), data], check=True,
                   stdout=subprocess.DEVNULL)
    port = free_port()
    cfg = os.path.join(root, "fleet.yml")
    with open(cfg, "w") as f:
        f.write(f"""addr: 127.0.0.1:{port}
state-dir: {state}
multi-db:
  patterns:
    - "{data}/{PATTERN}"
  max-hot-databases: 1000
  scan-interval: 1m
  replica-template:
    type: file
    path: "{replica}/{{{{project}}}}/{{{{database}}}}/{{{{branch}}}}/{{{{tenant}}}}"
    sync-interval: 1s
""")
    env = {k: v for k, v in os.environ.items() if k != "JAVA_OPTS"}
    with open(os.path.join(root, "litefleet.log"), "w") as logf:
        proc = subprocess.Popen([LF, "replicate", "-config", cfg], stdout=logf, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
    try:
        captured = wait_captured(port, n, int(os.environ.get("CAPTURE_TIMEOUT", max(300, n // 50))))
        log(f"N={n}: captured in {captured:.0f} s")
        for i in range(min(HOT, n)):
            c = sqlite3.connect(gen.path_of(data, i))
            c.execute("INSERT INTO t (v, ts) VALUES ('hot', 0)")
            c.commit()
            c.close()
        deadline = time.monotonic() + 120
        while samples(scrape(port)[1]).get('litefleet_fleet_databases{tier="hot"}', 0) < min(HOT, n):
            if time.monotonic() > deadline:
                raise RuntimeError("written databases not promoted within 120 s")
            time.sleep(1)
        times, series = [], set()
        for _ in range(SCRAPES):
            t, body = scrape(port)
            times.append(t * 1000)
            series.add(len(samples(body)))
        times.sort()
        p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
        return {"n": n, "capture_s": round(captured, 1), "series": sorted(series),
                "scrape_ms_median": round(statistics.median(times), 2), "scrape_ms_p99": round(p99, 2),
                "scrape_ms_all": [round(t, 2) for t in times], "bytes": len(body)}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        subprocess.run(["rm", "-rf", root])


def main():
    signal.signal(signal.SIGTERM, stop)
    results = []
    for n in NS:
        results.append(run(n))
        log(results[-1])
    load = open("/proc/loadavg").read().split()[:3]
    with open(OUT + ".json", "w") as f:
        json.dump({"results": results, "loadavg_end": load, "cores": os.cpu_count()}, f, indent=1)
    lines = [f"# /metrics at fleet scale ({time.strftime('%Y-%m-%d')})", "",
             f"Shipped launcher (default JVM options), fleet mode, file replicas on local disk, {HOT} hot databases; "
             f"{SCRAPES} scrapes per N after every database was captured. Machine: {os.cpu_count()} cores, shared; "
             f"load average at the end {' '.join(load)}.", "",
             "| databases | series (sample lines) | scrape median (ms) | scrape p99 (ms) | body (bytes) | capture (s) |",
             "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['n']:,} | {', '.join(map(str, r['series']))} | {r['scrape_ms_median']} | "
                     f"{r['scrape_ms_p99']} | {r['bytes']:,} | {r['capture_s']} |")
    lines += ["", "Series vary by a few between N only with JVM series that appear after a pool's first "
              "collection (`jvm_memory_pool_allocated_bytes_total`)."]
    with open(OUT + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
