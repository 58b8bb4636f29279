#!/usr/bin/env python3
"""Driver of run.sh: first capture of a fleet of small databases (issue 13, item 4).

For each N: one fleet is generated (bench/fleet/gen.py layout: 100 tenants per directory, every database a clean
WAL-mode file with no -wal), then for each of R repeats, on a fresh copy of it each time:

  litefleet   bin/litefleet replicate (shipped launcher, no JAVA_OPTS), fleet mode, file replica; timed from the
              launch until /metrics says litefleet_fleet_captures_total == N and the backlog is 0
  litestream  litestream v0.5.16 replicate, directory mode (dir, pattern *.db, recursive, watch), file replica;
              timed from the launch until every database's replica has a file in ltx/0 (N <= LS_MAX only)
  floor       a plain sequential read and write of every database file into a mirror tree (page cache, no fsync)
  floor-sync  the same with an fsync of each file and of each directory it created an entry in

The order of the four rotates between repeats so no system always runs first on a cold cache. Prints medians and
the ratios Litefleet/litestream and Litefleet/floor, and writes OUT.md and OUT.json (with the headline that
bench/cost/report.py shows in docs/benchmarks.md).

    capture.py --rewrite-headline OUT.json COMMAND RUN_UTC [NOTE]   adds that headline to an older OUT.json offline
"""
import json, os, shutil, signal, statistics, subprocess, sys, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fleet"))
sys.path.insert(0, os.path.join(HERE, "..", "ops"))
import gen  # noqa: E402
if sys.argv[1:2] == ["--rewrite-headline"]:  # fleetbench reads run.sh's environment on import
    for k in ("LF_BIN", "BASE", "OUT"):
        os.environ.setdefault(k, "")
from fleetbench import lf_config, log, ls_config  # noqa: E402  (both configs as the fleet bench runs them)
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import contract  # noqa: E402  (bench/cost/report.py's sibling-section keys)
import procs  # noqa: E402
from procs import free_port  # noqa: E402

BASE = os.environ.get("BASE")  # run.sh sets these five
LF = os.environ.get("LF_BIN")
LS = os.environ.get("LS_BIN")
OUT = os.environ.get("OUT")
NS = [int(x) for x in os.environ.get("NS", "").split()]
REPEATS = int(os.environ.get("REPEATS", "3"))
# Repeats for some N only, e.g. "100000=1": the big fleet once, the small ones REPEATS times, in one results file.
REPEATS_AT = {int(k): int(v) for k, v in (x.split("=") for x in os.environ.get("REPEATS_AT", "").split())}
LS_MAX = int(os.environ.get("LS_MAX", "10000"))
POLL = float(os.environ.get("POLL", "0.5"))  # /metrics costs CPU: not faster than needed
proc = None


def stop(*_):
    kill(proc)
    sys.exit(130)


def kill(p):
    procs.stop_group(p, 60)


def cpu_seconds(pid):
    """User + system CPU of a finished-or-running process and its reaped children, from /proc (clock ticks)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


def start(cmd, logpath):
    global proc
    env = {k: v for k, v in os.environ.items() if k != "JAVA_OPTS"}
    with open(logpath, "w") as logf:
        proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    return proc


def wait(done, timeout, what):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        if done():
            return
        time.sleep(POLL)
    raise RuntimeError(f"{what}: not captured within {timeout} s")


def litefleet(n, data, work):
    port = free_port()
    cfg = lf_config(data, os.path.join(work, "replica"), os.path.join(work, "state"), scan="1m")
    with open(cfg) as f:
        body = f.read()
    with open(cfg, "w") as f:
        f.write(f"addr: 127.0.0.1:{port}\n" + body)  # the fleet bench's config, plus /metrics
    t0 = time.monotonic()
    p = start([LF, "replicate", "-config", cfg], os.path.join(work, "litefleet.log"))

    def done():
        try:
            m = procs.metrics(port, 30)
        except OSError:
            return False
        return m.get("litefleet_fleet_captures_total", 0) >= n and \
            m.get('litefleet_fleet_queue_depth{queue="backlog"}', 1) == 0
    try:
        wait(done, timeout(n), "litefleet")
        return time.monotonic() - t0, cpu_seconds(p.pid)
    finally:
        kill(p)


def litestream(n, data, work):
    replica = os.path.join(work, "replica")
    cfg = ls_config(data, replica)
    waiting = [os.path.join(replica, os.path.relpath(gen.path_of(data, i), data), "ltx", "0") for i in range(n)]
    t0 = time.monotonic()
    p = start([LS, "replicate", "-config", cfg], os.path.join(work, "litestream.log"))

    def done():
        while waiting:
            try:
                if not any(e.name.endswith(".ltx") for e in os.scandir(waiting[-1])):
                    return False
            except OSError:
                return False
            waiting.pop()
        return True
    try:
        wait(done, timeout(n), "litestream")
        return time.monotonic() - t0, cpu_seconds(p.pid)
    finally:
        kill(p)


def floor(n, data, work, durable):
    """Reads every database file and writes it into a mirror tree; durable: fsync each file, then each directory
    that got a new entry (the parent of a created directory included), as a crash-safe copy needs."""
    mirror = os.path.join(work, "mirror")
    t0 = time.monotonic()
    made = set()
    for i in range(n):
        src = gen.path_of(data, i)
        dst = os.path.join(mirror, os.path.relpath(src, data))
        d = os.path.dirname(dst)
        dirty = [d]
        if d not in made:
            parent = d
            while not os.path.isdir(parent):
                dirty.append(os.path.dirname(parent))
                parent = os.path.dirname(parent)
            os.makedirs(d, exist_ok=True)
            made.add(d)
        fd = os.open(src, os.O_RDONLY)
        try:
            body = os.read(fd, 1 << 24)
        finally:
            os.close(fd)
        fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, body)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if durable:
            for x in dirty:
                dfd = os.open(x, os.O_RDONLY | os.O_DIRECTORY)
                try:
                    os.fsync(dfd)
                finally:
                    os.close(dfd)
    return time.monotonic() - t0, None


def timeout(n):
    return int(os.environ.get("CAPTURE_TIMEOUT", max(300, n // 20)))


SYSTEMS = {
    "litefleet": litefleet,
    "litestream": litestream,
    "floor": lambda n, data, work: floor(n, data, work, False),
    "floor-sync": lambda n, data, work: floor(n, data, work, True),
}


def run(n):
    master = os.path.join(BASE, f"n{n}-master")
    subprocess.run([sys.executable, os.path.join(HERE, "..", "fleet", "gen.py"), str(n), master], check=True,
                   stdout=subprocess.DEVNULL)
    size = sum(os.path.getsize(gen.path_of(master, i)) for i in range(n))
    names = [s for s in SYSTEMS if s != "litestream" or n <= LS_MAX]
    times = {s: [] for s in names}
    cpu = {s: [] for s in names}
    repeats = REPEATS_AT.get(n, REPEATS)
    for rep in range(repeats):
        order = names[rep % len(names):] + names[:rep % len(names)]
        for s in order:
            work = os.path.join(BASE, f"n{n}-{s}")
            data = os.path.join(work, "data")
            shutil.rmtree(work, ignore_errors=True)
            os.makedirs(work)
            subprocess.run(["cp", "-a", master, data], check=True)
            subprocess.run(["sync"], check=True)  # the copy's writeback is not charged to the system timed next
            wall, c = SYSTEMS[s](n, data, work)
            times[s].append(round(wall, 3))
            if c is not None:
                cpu[s].append(round(c, 2))
            log(f"N={n} repeat {rep + 1}/{repeats} {s}: {wall:.2f} s" + (f", {c:.1f} CPU-s" if c else ""))
            shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(master, ignore_errors=True)
    med = {s: statistics.median(v) for s, v in times.items()}
    out = {"n": n, "bytes": size, "repeats": repeats, "seconds": times, "cpu_seconds": cpu,
           "median_s": {s: round(v, 3) for s, v in med.items()},
           "median_cpu_s": {s: round(statistics.median(v), 2) for s, v in cpu.items() if v}}
    lf = med["litefleet"]
    out["ratio"] = {f"litefleet/{s}": round(lf / med[s], 2) for s in names if s != "litefleet" and med[s] > 0}
    return out


def report(results, load_start, load_end):
    v = lambda cmd: subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[:1]
    lines = [f"# First capture of a fleet ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
             f"Command: `{os.environ.get('CMD', 'bench/capture/run.sh')}`, "
             f"{', '.join(sorted({str(r['repeats']) for r in results}))} repeat(s) per system and N, "
             "medians in seconds (wall time from the launch until every database is in its replica).",
             f"Machine: {os.cpu_count()} cores; load average {load_start} at the start, {load_end} at the end. "
             f"Versions: {' '.join(v([LF, 'version']))}; {' '.join(v([LS, 'version']))}.", "",
             "| N | MB | litefleet | litestream | floor | floor-sync | lf/litestream | lf/floor | lf/floor-sync |"
             " lf CPU-s | ls CPU-s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        m, ratio, c = r["median_s"], r["ratio"], r["median_cpu_s"]
        cell = lambda d, k: f"{d[k]}" if k in d else "-"
        lines.append(f"| {r['n']:,} | {r['bytes'] / 1e6:.1f} | {cell(m, 'litefleet')} | {cell(m, 'litestream')} | "
                     f"{cell(m, 'floor')} | {cell(m, 'floor-sync')} | {cell(ratio, 'litefleet/litestream')} | "
                     f"{cell(ratio, 'litefleet/floor')} | {cell(ratio, 'litefleet/floor-sync')} | "
                     f"{cell(c, 'litefleet')} | {cell(c, 'litestream')} |")
    lines += ["", "floor: sequential read + write of every database file into a mirror tree (Python, page cache); "
              "floor-sync: the same with fsync of each file and of each directory that got an entry. Litefleet "
              "writes an LTX file per database plus its catalog row; litestream an LTX file plus its local "
              "copy in the -litestream directory. All runs use fresh copies of one generated fleet. Raw "
              "figures: the .json beside this file."]
    return "\n".join(lines) + "\n"


def headline(results):
    """Per N: medians of Litefleet, litestream and the floors, the ratios, and issue 13's goal (as fast as
    litestream where it ran; within 2x of the plain read + write floor at 100,000)."""
    rows = []
    for r in results:
        m = r["median_s"]
        lf, ls, fl, fs = m.get("litefleet"), m.get("litestream"), m.get("floor"), m.get("floor-sync")
        if ls is not None:
            goal, met = "<= litestream", lf <= ls
        elif r["n"] >= 100000:
            goal, met = "<= 2 x floor", lf <= 2 * fl
        else:
            goal, met = "-", None
        rows.append({"N": r["n"], "litefleet_s": lf, "litestream_s": ls, "ratio": contract.ratio(lf, ls),
                     "floor_s": fl, "floor_fsync_s": fs, "ratio_to_floor": contract.ratio(lf, fl),
                     "ratio_to_floor_fsync": contract.ratio(lf, fs), "goal": goal,
                     "met": {True: "yes", False: "no", None: "-"}[met], "repeats": r["repeats"]})
    return rows


NOTE = ("Wall seconds from the launch until every database is in its replica, medians of the repeats; floor: a "
        "sequential read + write of every database file (page cache), floor_fsync: the same with fsync of each file "
        "and new directory entry. Method: bench/capture/README.md.")


def rewrite_headline(path, command, run_utc, note=None):
    contract.rewrite(path, lambda d: contract.fields(
        "First capture of a fleet", command, headline(d["results"]), d.get("loadavg_start"), d.get("loadavg_end"),
        [NOTE] + ([note] if note else []), generated_utc=run_utc,
        machine_line=f"{d.get('cores')} cores (no more recorded; headline added offline from the figures)"))


def main():
    if sys.argv[1:2] == ["--rewrite-headline"]:
        return rewrite_headline(*sys.argv[2:])
    missing = [k for k in ("BASE", "LF_BIN", "LS_BIN", "OUT", "NS") if not os.environ.get(k)]
    if missing:
        sys.exit(f"capture.py: {', '.join(missing)} not set: run bench/capture/run.sh")
    signal.signal(signal.SIGTERM, stop)
    shutil.rmtree(BASE, ignore_errors=True)
    os.makedirs(BASE)
    try:
        measure()
    finally:
        kill(proc)
        shutil.rmtree(BASE, ignore_errors=True)


def measure():
    load_start = " ".join(open("/proc/loadavg").read().split()[:3])
    results = []
    for n in NS:
        results.append(run(n))
        log(json.dumps(results[-1]))
    load_end = " ".join(open("/proc/loadavg").read().split()[:3])
    with open(OUT + ".json", "w") as f:
        json.dump({"results": results, "loadavg_start": load_start, "loadavg_end": load_end,
                   "cores": os.cpu_count(),
                   **contract.fields("First capture of a fleet", os.environ.get("CMD", "bench/capture/run.sh"),
                                     headline(results), load_start, load_end, [NOTE])}, f, indent=1)
    text = report(results, load_start, load_end)
    with open(OUT + ".md", "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
