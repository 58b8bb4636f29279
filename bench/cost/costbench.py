#!/usr/bin/env python3
"""Cost benchmark (issue 13): Litefleet, upstream litestream v0.5.16 and the design's "ultra-simple" baseline on the
same S3 server (versitygw) through bench/cloud's counting proxy, one after the other, for each fleet size N.
Entry point: run.sh (builds, sets the knobs, writes the JSON and docs/benchmarks.md). Method: README.md here.
"""
import bisect, json, math, os, platform, random, re, shutil, signal, socket, sqlite3, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cloud"))
sys.path.insert(0, HERE)
import cloudbench as cb  # noqa: E402  (proxy log reader, process handling, fleet layout, restore URL forms)
import baseline  # noqa: E402
from s3mini import S3  # noqa: E402

E = os.environ
QUICK = E.get("QUICK", "0") == "1"


def knob(name, quick, full, conv=int):
    return conv(E.get(name, quick if QUICK else full))


BASE = cb.BASE
NS = [int(x) for x in E.get("NS", "300" if QUICK else "1000 10000 100000").split()]
SYSTEMS = E.get("SYSTEMS", "litefleet litestream baseline").split()
LS_MAX_N = knob("LS_MAX_N", 10000, 10000)  # litestream is not run above this N (the issue: "where it runs")
ACTIVE_PCT = knob("ACTIVE_PCT", 1.0, 1.0, float)
MIN_ACTIVE = knob("MIN_ACTIVE", 3, 3)
DRIFT_SECS = knob("DRIFT_SECS", 15, 60, float)
DRIFT_FRAC = knob("DRIFT_FRAC", 0.2, 0.2, float)
WARMUP_SECS = knob("WARMUP_SECS", 15, 60)
WINDOW_SECS = knob("WINDOW_SECS", 45, 600)
GRACE_SECS = knob("GRACE_SECS", 45, 120)
REPS = knob("REPS", 1, 1)
SEED = knob("SEED", 13, 13)
DELAY_MS = knob("DELAY_MS", 50, 50, float)
BL_INTERVAL = knob("BL_INTERVAL", 30, 30, float)
BL_UPLOADERS = knob("BL_UPLOADERS", 16, 16)
RESTORE_SAMPLE = knob("RESTORE_SAMPLE", 4, 10)
CAPTURE_TIMEOUT = knob("CAPTURE_TIMEOUT", 300, 7200)
STALL_SECS = knob("STALL_SECS", 120, 300)
RSS_CAP_MB = knob("RSS_CAP_MB", 4096, 8192)
WRITER_THREADS = knob("WRITER_THREADS", 4, 4)
OUT_JSON = E.get("OUT_JSON", os.path.join(BASE, "results.json"))
SHORT = {"litefleet": "lf", "litestream": "ls", "baseline": "bl"}
mono = time.monotonic

results = {"kind": "cost", "quick": QUICK,
           "knobs": dict(NS=NS, SYSTEMS=SYSTEMS, LS_MAX_N=LS_MAX_N, ACTIVE_PCT=ACTIVE_PCT, MIN_ACTIVE=MIN_ACTIVE,
                         DRIFT_SECS=DRIFT_SECS, DRIFT_FRAC=DRIFT_FRAC, WARMUP_SECS=WARMUP_SECS,
                         WINDOW_SECS=WINDOW_SECS, GRACE_SECS=GRACE_SECS, REPS=REPS, SEED=SEED, DELAY_MS=DELAY_MS,
                         BL_INTERVAL=BL_INTERVAL, BL_UPLOADERS=BL_UPLOADERS, RESTORE_SAMPLE=RESTORE_SAMPLE,
                         CAPTURE_TIMEOUT=CAPTURE_TIMEOUT, STALL_SECS=STALL_SECS, RSS_CAP_MB=RSS_CAP_MB),
           "load": [], "floors": {}, "runs": [], "notes": []}
log = cb.log


def load(tag):
    with open("/proc/loadavg") as f:
        results["load"].append(f"{time.strftime('%H:%M:%S')} {tag}: {' '.join(f.read().split()[:3])}")


def save():
    with open(OUT_JSON, "w") as f:
        json.dump(results, f, indent=1, default=str)


def sh(*argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError) as e:
        return f"unavailable: {e}"


def active_count(n):
    return min(n, max(MIN_ACTIVE, round(n * ACTIVE_PCT / 100)))


# ---------------------------------------------------------------- machine, versions, floors

def machine():
    mem = next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    dev, fstype = (sh("df", "--output=source,fstype", BASE).splitlines()[-1:] or ["? ?"])[0].split()[:2]
    size, rota = (sh("lsblk", "-dno", "SIZE,ROTA", dev).split() + ["?", "?"])[:2]
    return {"cores": os.cpu_count(), "cpu": model, "ram_gb": round(int(mem) / 1024 / 1024, 1),
            "kernel": platform.release(), "disk": f"{dev} ({fstype}, {size}, {'rotational' if rota == '1' else 'SSD'})",
            "ulimit_n": sh("sh", "-c", "ulimit -n")}


def gomod_version(exe):
    """The module version a `go install`ed binary was built from (versitygw's --version says only "git")."""
    for line in sh("go", "version", "-m", exe).splitlines():
        if line.strip().startswith("mod"):
            return line.split()[2]
    return sh(exe, "--version").splitlines()[0]


def versions():
    release = os.path.join(os.path.dirname(os.path.dirname(cb.LF)), "runtime", "release")
    java = next((line.split("=", 1)[1].strip().strip('"') for line in open(release)
                 if line.startswith("JAVA_VERSION=")), "?") if os.path.exists(release) else "?"
    return {"litefleet": sh(cb.LF, "--version")[:80], "git": E.get("GIT_COMMIT", "?"), "java_runtime": java,
            "litestream": sh(cb.LS, "version"), "versitygw": gomod_version(cb.GW),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "command": E.get("BENCH_COMMAND", "?")}


def dd_seconds(args):
    t0 = mono()
    subprocess.run(["dd", *args], check=True, capture_output=True)
    return mono() - t0


def floors(data, paths):
    """Physical floors for this fleet: a stat loop over it, the disk's sequential read and write of its bytes."""
    scans = []
    for _ in range(3):
        t0 = mono()
        for p in baseline.databases(data):
            baseline.fingerprint(p)
        scans.append(mono() - t0)
    fleet_bytes = sum(os.path.getsize(p) for p in paths)
    # at least 256 MB so the rate is the disk's, not dd's start-up; the floor is that rate applied to the fleet's bytes
    mb = max(256, math.ceil(fleet_bytes / 2 ** 20))
    probe = os.path.join(BASE, "floor.bin")
    w = dd_seconds(["if=/dev/zero", f"of={probe}", "bs=1M", f"count={mb}", "conv=fdatasync"])
    r = dd_seconds([f"if={probe}", "of=/dev/null", "bs=1M", "iflag=direct"])
    os.remove(probe)
    write_mb_s, read_mb_s = mb * 2 ** 20 / 1e6 / w, mb * 2 ** 20 / 1e6 / r
    return {"n": len(paths), "fleet_mb": round(fleet_bytes / 1e6, 2), "scan_s": round(statistics.median(scans), 4),
            "scan_all_s": [round(x, 4) for x in scans], "seq_read_mb_s": round(read_mb_s), "seq_write_mb_s": round(write_mb_s),
            "capture_floor_s": round(fleet_bytes / 1e6 / read_mb_s + fleet_bytes / 1e6 / write_mb_s, 3),
            "read_floor_s": round(fleet_bytes / 1e6 / read_mb_s, 3), "write_floor_s": round(fleet_bytes / 1e6 / write_mb_s, 3),
            "db_bytes": os.path.getsize(paths[0])}


# ---------------------------------------------------------------- the systems

def lf_config(data, state, who, n):
    path = os.path.join(BASE, f"{who}.yml")
    with open(path, "w") as f:
        f.write(f"""state-dir: {state}
multi-db:
  patterns:
    - "{data}/*/databases/*/branches/*/tenants/*.db"
  max-hot-databases: {max(1000, 3 * active_count(n))}
  replica-template:
    type: s3
    bucket: {cb.BUCKET}
    path: "{who}/{{{{project}}}}/{{{{database}}}}/{{{{branch}}}}/{{{{tenant}}}}"
    region: {cb.REGION}
    endpoint: {PROXY_URL}
    sync-interval: 1s
""")
    return path


def ls_config(data, who):
    path = os.path.join(BASE, f"{who}.yml")
    with open(path, "w") as f:
        f.write(f"""dbs:
  - dir: {data}
    pattern: "*.db"
    recursive: true
    watch: true
    replica:
      url: s3://{cb.BUCKET}/{who}?endpoint={PROXY_URL}&region={cb.REGION}&forcePathStyle=true
      sync-interval: 1s
""")
    return path


def argv_of(system, data, state, who, n):
    if system == "litefleet":
        return [cb.LF, "replicate", "-config", lf_config(data, state, who, n)]
    if system == "litestream":
        return [cb.LS, "replicate", "-config", ls_config(data, who)]
    return [sys.executable, os.path.join(HERE, "baseline.py"), "--root", data, "--endpoint", PROXY_URL, "--bucket",
            cb.BUCKET, "--prefix", who, "--log", os.path.join(BASE, f"{who}-uploads.tsv"), "--interval",
            str(BL_INTERVAL), "--uploaders", str(BL_UPLOADERS), "--tmp", state]


def rel_of(data, i):
    return os.path.relpath(cb.gen.path_of(data, i), data)


def replica_key(system, who, data, i):
    if system == "litefleet":
        return cb.lf_key_path(who, i)
    return f"{who}/{rel_of(data, i)}"


class BaselineLog:
    """The baseline's upload log in the shape of the proxy's rows, so bench/cloud's ltx_puts reads it: each snapshot
    counts as a PUT acknowledged at its time, holding its page count."""

    def __init__(self, path, who):
        self.path, self.who = path, who

    def poll(self):
        rows = []
        try:
            with open(self.path) as f:
                for line in f:
                    c = line.rstrip("\n").split("\t")
                    if c[0] == "up" and len(c) == 6:
                        rows.append((float(c[4]), float(c[5]), "put", 200, int(c[3]), 0, self.who,
                                     os.path.basename(c[1]), "-", int(c[2]), None))
        except FileNotFoundError:
            pass
        return rows


def uploads(system, who, events):
    """{"t<i>": ([t_acknowledged...], [running max of the database size in pages...])}: from each time on, the store
    holds a file or snapshot with at least that many pages. LTX: the proxy's log (LTX header); baseline: its own log."""
    if system == "baseline":
        events = BaselineLog(os.path.join(BASE, f"{who}-uploads.tsv"), who)
    return {db.removesuffix(".db"): v for db, v in cb.ltx_puts(events, who).items()}


def read_commits(path):
    start, commits, errors = None, [], 0
    with open(path) as f:
        for line in f:
            if line.startswith("# start"):
                start = float(line.split()[2])
            elif line.startswith("# errors"):
                errors = int(line.split()[2])
            elif not line.startswith("#"):
                i, k, due, tc, pc = line.split("\t")
                commits.append((int(i), int(k), float(due), float(tc), int(pc)))
    return start, commits, errors


def lag_quantiles(commits, ups, t0, t1):
    """Exact lags (s) of the window's commits that reached the store, as 101 quantiles (0..100 %) for the charts."""
    lags = []
    for i, _, _, tc, pc in commits:
        if t0 <= tc < t1:
            ts, mx = ups.get(f"t{i}", ([], []))
            j = bisect.bisect_left(mx, pc)
            if j < len(mx):
                lags.append(ts[j] - tc)
    lags.sort()
    return [round(lags[min(len(lags) - 1, int(q / 100 * len(lags)))], 4) for q in range(101)] if lags else []


class Failure(Exception):
    pass


def log_tail(path):
    """The last warnings and errors of a log, then its last lines (a failing replicator's INFO lines drown them)."""
    with open(path, errors="replace") as f:
        lines = f.read().splitlines()
    bad = [x for x in lines if re.search(r"\b(warn|error|panic|fatal|too many|killed|cannot)", x, re.I)]
    return "\n".join(x[:300] for x in bad[-8:] + ["..."] + lines[-3:])


class Guard:
    """Watches the system under test: it must be alive and under RSS_CAP_MB; otherwise it is killed (its own
    process group, by pid) and the failure is recorded with its exit code, RSS and log tail."""

    def __init__(self, p, sampler, logp, t_start):
        self.p, self.sampler, self.logp, self.t_start = p, sampler, logp, t_start

    def check(self, phase):
        last = self.sampler.samples[-1] if self.sampler.samples else {}
        why = None
        if self.p.poll() is not None:
            why = f"exited with code {self.p.returncode}"
        elif last.get("rss_mb", 0) > RSS_CAP_MB:
            cb.stop(self.p, 5)
            why = f"RSS {last['rss_mb']} MB over the cap of {RSS_CAP_MB} MB: killed"
        if why:
            raise Failure(self.record(phase, why))

    def record(self, phase, why):
        last = self.sampler.samples[-1] if self.sampler.samples else {}
        if self.p.poll() is None:
            cb.stop(self.p, 30)
        return {"phase": phase, "why": why, "after_s": round(mono() - self.t_start, 1), "exit": self.p.returncode,
                "rss_mb_last": last.get("rss_mb"), "hwm_mb": last.get("hwm_mb"), "threads_last": last.get("threads"),
                "fds_last": last.get("fds"), "log_tail": log_tail(self.logp)}

    def wait(self, phase, secs, done=lambda: False, every=1.0):
        end = mono() + secs
        while mono() < end:
            self.check(phase)
            if done():
                return True
            time.sleep(every)
        return done()

    def capture(self, count, n):
        """Waits until count() >= n; fails after CAPTURE_TIMEOUT, or after STALL_SECS without progress (a replicator
        that ran out of descriptors may log errors for hours without exiting)."""
        state = {"seen": 0, "since": mono()}

        def progress():
            c = count()
            if c > state["seen"]:
                state.update(seen=c, since=mono())
            elif mono() - state["since"] > STALL_SECS:
                raise Failure(self.record("capture", f"stalled at {c}/{n} databases in the store for {STALL_SECS} s"))
            return c >= n
        if not self.wait("capture", CAPTURE_TIMEOUT, progress, every=5.0):
            raise Failure(self.record("capture", f"{state['seen']}/{n} databases in the store after {CAPTURE_TIMEOUT} s"))


def requests_per_day(rows, secs):
    c = cb.count_requests(rows, secs)
    scale = 86400 / secs
    return {"window_s": round(secs, 1), "requests": c["requests"], "per_day": round(c["requests"] * scale),
            "by_op_per_day": {k: round(v * scale) for k, v in sorted(c["by_op"].items())}, "non_2xx": c["non_2xx"],
            "mb_up_per_day": round(c["mb_up"] * scale, 1), "mb_down_per_day": round(c["mb_down"] * scale, 2),
            "mb_up_window": c["mb_up"], "mb_down_window": c["mb_down"]}


def verify(restored, source):
    c = sqlite3.connect(restored)
    try:
        ok = c.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        c.close()
    return ok == "ok" and cb.sha(restored) == cb.sha(source), ok


def restore_sample(system, who, data, paths, written, rng, events):
    """Each system's own restore of a few databases (half of them written in the run), timed, and compared with the
    source by content hash and integrity_check; LTX replicas are also restored by stock litestream."""
    idle = [i for i in range(len(paths)) if i not in written]
    picks = rng.sample(sorted(written), min(len(written), (RESTORE_SAMPLE + 1) // 2))
    picks += rng.sample(idle, min(len(idle), RESTORE_SAMPLE - len(picks)))
    out = []
    dst = os.path.join(BASE, "restored.db")
    for i in picks:
        key = replica_key(system, who, data, i)
        for x in (dst, dst + "-wal", dst + "-shm"):
            if os.path.exists(x):
                os.remove(x)
        t0 = mono()
        if system == "baseline":
            s3 = S3(PROXY_URL, cb.BUCKET, cb.AK, cb.SK, cb.REGION)
            with open(dst, "wb") as f:
                f.write(s3.get(key))
            s3.close()
            rc, err = 0, ""
        else:
            exe = cb.LF if system == "litefleet" else cb.LS
            r = subprocess.run([exe, "restore", "-o", dst, cb.s3_url(key, PROXY_URL, system)], capture_output=True,
                               text=True, timeout=600, env=cb.tool_env(system))
            rc, err = r.returncode, r.stderr.strip()[-300:]
        t1 = mono()
        rec = {"db": i, "written": i in written, "restore_s": round(t1 - t0, 3), "t": (t0, t1)}
        if rc:
            rec["error"] = err
        else:
            rec["equal"], rec["integrity"] = verify(dst, paths[i])
        if system == "litefleet" and not rc:  # the peer reads our replica too
            os.remove(dst)
            r = subprocess.run([cb.LS, "restore", "-o", dst, cb.s3_url(key, PROXY_URL, "litestream")],
                               capture_output=True, text=True, timeout=600, env=cb.tool_env("litestream"))
            rec["litestream_restore_equal"] = verify(dst, paths[i])[0] if r.returncode == 0 else r.stderr[-200:]
        out.append(rec)
    time.sleep(1.5)  # the proxy writes its log every 0.5 s
    for rec in out:
        t0, t1 = rec.pop("t")
        rows = events.window(who, t0, t1)
        rec["requests"] = len(rows)
        rec["by_op"] = cb.count_requests(rows, t1 - t0)["by_op"]
    return out


def run_one(system, n, rep, data, paths, events):
    who = f"{SHORT[system]}{n}r{rep}"
    res = {"system": system, "n": n, "rep": rep, "who": who, "active": active_count(n)}
    results["runs"].append(res)
    state = os.path.join(BASE, f"state-{who}")
    os.makedirs(state, exist_ok=True)
    logp = os.path.join(BASE, f"{who}.log")
    load(f"{who} start")
    t_start = mono()
    p = cb.start(argv_of(system, data, state, who, n), logp, cb.tool_env(system))
    sampler = cb.Sampler(p.pid)  # the launcher execs java: this pid is the JVM
    sampler.start()
    guard = Guard(p, sampler, logp, t_start)
    written, w = set(), None
    try:
        guard.capture(lambda: len(uploads(system, who, events)), n)
        res["capture_s"] = round(mono() - t_start, 1)
        res["after_capture"] = cb.pstats(p.pid)
        log(who, "captured", n, "in", res["capture_s"], "s")
        lst = os.path.join(BASE, f"list-{who}.txt")
        with open(lst, "w") as f:
            f.write("\n".join(paths) + "\n")
        commits_path = os.path.join(BASE, f"commits-{who}.tsv")
        w = cb.start([sys.executable, os.path.join(HERE, "drift_writer.py"), "--list", lst, "--secs",
                      str(WARMUP_SECS + WINDOW_SECS), "--out", commits_path, "--active", str(active_count(n)),
                      "--drift-secs", str(DRIFT_SECS), "--drift-frac", str(DRIFT_FRAC), "--threads", str(WRITER_THREADS),
                      "--seed", str(SEED + rep)], os.path.join(BASE, f"writer-{who}.log"))
        load(f"{who} writes")
        pr0, gw0 = cb.cpu_s(cb.PROXY.pid), cb.cpu_s(cb.GWP.pid)
        guard.wait("writes", WARMUP_SECS + WINDOW_SECS + 120, lambda: w.poll() is not None)
        if w.poll() is None:
            raise Failure(guard.record("writes", "the writer did not finish"))
        w_start, commits, werr = read_commits(commits_path)
        written = {c[0] for c in commits}
        m0, m1 = w_start + WARMUP_SECS, w_start + WARMUP_SECS + WINDOW_SECS
        res["writer"] = {"commits": len(commits), "errors": werr, "databases_written": len(written)}
        res["proxy_cpu_s"] = round(cb.cpu_s(cb.PROXY.pid) - pr0, 1)
        res["gw_cpu_s"] = round(cb.cpu_s(cb.GWP.pid) - gw0, 1)
        grace = GRACE_SECS + (2 * BL_INTERVAL if system == "baseline" else 0)
        t_w = mono()
        guard.wait("grace", grace, lambda: not cb.unreplicated_last(commits, uploads(system, who, events)))
        res["grace_s"] = round(mono() - t_w, 1)
        ups = uploads(system, who, events)
        res["left_behind_after_grace"] = len(cb.unreplicated_last(commits, ups))
        res["lag"] = cb.lag_stats(commits, ups, m0, m1)
        res["lag_quantiles_s"] = lag_quantiles(commits, ups, m0, m1)
        win = [x for x in sampler.samples if m0 <= x["t"] <= m1]
        res["resources"] = sampler.summary(m0, m1)
        if len(win) >= 2:
            cpu = win[-1]["cpu_s"] - win[0]["cpu_s"]
            res["resources"]["cpu_pct"] = round(100 * cpu / (win[-1]["t"] - win[0]["t"]), 2)
        res["requests"] = requests_per_day(events.window(who, m0, m1), m1 - m0)
        # the workload's minimum: one PUT per database that committed, per sync interval (the baseline's is its scan)
        every = BL_INTERVAL if system == "baseline" else 1.0
        intervals = {(i, math.floor((tc - w_start) / every)) for i, _, _, tc, _ in commits if m0 <= tc < m1}
        res["min_puts_per_day"] = round(len(intervals) / (m1 - m0) * 86400)
        res["sync_interval_s"] = every
        log(who, "lag", res["lag"]["p50_ms"], res["lag"]["p99_ms"], "req/day", res["requests"]["per_day"],
            "rss", res["resources"].get("rss_median_mb"))
    except Failure as f:
        if w is not None:
            cb.stop(w, 10)  # its connections must not outlive this system's fleet
        res["failed"] = f.args[0]
        log(who, "FAILED", {k: v for k, v in f.args[0].items() if k != "log_tail"})
    sampler.halt.set()
    res["stop"] = cb.stop(p)
    if "failed" not in res:
        try:
            res["restores"] = restore_sample(system, who, data, paths, written, random.Random(SEED * 31 + n + rep),
                                             events)
        except (OSError, subprocess.SubprocessError, sqlite3.Error) as e:
            res["restores_error"] = str(e)
    res["log"] = cb.log_summary(logp)
    shutil.copy(logp, os.path.join(BASE, "logs", os.path.basename(logp)))
    shutil.rmtree(os.path.join(cb.GW_DIR, cb.BUCKET, who), ignore_errors=True)
    shutil.rmtree(state, ignore_errors=True)
    save()


# ---------------------------------------------------------------- main

def start_store():
    global PROXY_URL
    gw_port, proxy_port = cb.free_port(), cb.free_port()
    cb.GW_DIR = os.path.join(BASE, "gw")
    os.makedirs(os.path.join(cb.GW_DIR, cb.BUCKET))
    cb.GW_URL, PROXY_URL = f"http://127.0.0.1:{gw_port}", f"http://127.0.0.1:{proxy_port}"
    cb.GWP = cb.start([cb.GW, "--access", cb.AK, "--secret", cb.SK, "--port", f"127.0.0.1:{gw_port}", "--health",
                       "/health", "--keep-alive", "--quiet", "posix", cb.GW_DIR], os.path.join(BASE, "logs", "versitygw.log"))
    ev = os.path.join(BASE, "events.tsv")
    cb.PROXY = cb.start([sys.executable, os.path.join(HERE, "..", "cloud", "proxy.py"), "--listen", str(proxy_port),
                         "--upstream", f"127.0.0.1:{gw_port}", "--delay-ms", str(DELAY_MS), "--log", ev,
                         "--max-seconds", "86400"], os.path.join(BASE, "logs", "proxy.log"))
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", gw_port), 1), socket.create_connection(("127.0.0.1", proxy_port), 1):
                break
        except OSError:
            time.sleep(0.1)
    return cb.Events(ev)


def main():
    signal.signal(signal.SIGTERM, cb.kill_all)
    signal.signal(signal.SIGINT, cb.kill_all)
    os.makedirs(os.path.join(BASE, "logs"), exist_ok=True)
    try:
        results["machine"], results["versions"] = machine(), versions()
        results["started_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        events = start_store()
        data = os.path.join(BASE, "data")
        for n in NS:
            for rep in range(REPS):
                order = [s for s in SYSTEMS if s != "litestream" or n <= LS_MAX_N]
                if rep % 2:
                    order.reverse()
                for system in order:
                    t0 = mono()
                    paths = cb.make_fleet(data, n)  # fresh, identical fleet for each system
                    log(f"fleet of {n} in {mono() - t0:.1f} s")
                    if str(n) not in results["floors"]:
                        results["floors"][str(n)] = floors(data, paths)
                        log("floors", results["floors"][str(n)])
                    run_one(system, n, rep, data, paths, events)
            if "litestream" in SYSTEMS and n > LS_MAX_N:
                results["notes"].append(f"litestream not run at N={n} (LS_MAX_N={LS_MAX_N})")
        results["proxy_errors"] = sum(1 for r in events.poll() if r[2] == "proxy_error")
        load("end")
        cb.stop(cb.PROXY, 10)
    finally:
        results["finished_utc"] = results["generated_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        save()
        cb.kill_all()


if __name__ == "__main__":
    main()
