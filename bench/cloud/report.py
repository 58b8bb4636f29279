#!/usr/bin/env python3
"""Turns cloudbench.py's JSON into the Markdown report (stdout). usage: report.py results.json"""
import json, statistics, sys

r = json.load(open(sys.argv[1]))
k = r["knobs"]
o = []
p = o.append


def ratio(a, b):
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or b == 0:
        return ""
    return f"{a / b:.2f}"


def med(vals):
    v = [x for x in vals if isinstance(x, (int, float))]
    return statistics.median(v) if v else None


def cell(vals, spec="g"):
    v = [x for x in vals if isinstance(x, (int, float))]
    if not v:
        other = [x for x in vals if x is not None]
        return str(other[0]) if other else "n/a"
    m = statistics.median(v)
    s = format(m, spec)
    if len(v) > 1 and min(v) != max(v):
        s += f" ({format(min(v), spec)}–{format(max(v), spec)})"
    return s


def get(d, path):
    for part in path.split("."):
        if not isinstance(d, dict):
            return None
        d = d.get(part)
    return d


def ops(d):
    return ", ".join(f"{op} {n}" for op, n in sorted((d or {}).items(), key=lambda x: -x[1])) or "none"


v = r.get("versions", {})
p(f"# Cloud benchmark (issue 10){' — QUICK' if r['quick'] else ''}")
p("")
p(f"Litefleet `{v.get('litefleet')}` (commit `{v.get('git')}`, launcher as shipped, no `JAVA_OPTS`) vs litestream "
  f"`{v.get('litestream')}`, S3 = versitygw v1.8.0 (posix backend) on 127.0.0.1, same run, one tool after the other. "
  f"Command: `{v.get('command')}`. Machine: {r.get('machine', {}).get('nproc')} cores shared with other builds and "
  f"tests (load averages at the end); `ulimit -n` {r.get('machine', {}).get('ulimit_n')}. Knobs: `{json.dumps(k)}`.")
p("")

runs = r.get("lag", [])
NAMES = {"litefleet": "Litefleet (dbs: list)", "litefleet-fleet": "Litefleet (fleet mode)", "litestream": "litestream"}
present = [t for t in k["TOOLS"] if any(x["tool"] == t for x in runs)]
by = {t: [x for x in runs if x["tool"] == t] for t in present}
lfs = [t for t in present if t.startswith("litefleet")]


def header():
    cols = [NAMES[t] for t in present] + [f"ratio {SHORTN[t]}/LS" for t in lfs if "litestream" in present]
    p("| metric | " + " | ".join(cols) + " |")
    p("|---|" + "---|" * len(cols))


SHORTN = {"litefleet": "LF list", "litefleet-fleet": "LF fleet"}


def line(name, f, ratios=True):
    vals = {t: [f(x) for x in by[t]] for t in present}
    cells = [cell(vals[t]) for t in present]
    if "litestream" in present:
        cells += [ratio(med(vals[t]), med(vals["litestream"])) if ratios else "" for t in lfs]
    p(f"| {name} | " + " | ".join(cells) + " |")


def text(name, f):
    cells = ["; ".join(str(f(x)) for x in by[t]) or "n/a" for t in present]
    if "litestream" in present:
        cells += [""] * len(lfs)
    p(f"| {name} | " + " | ".join(cells) + " |")


if runs:
    n = k["N"]
    p(f"## 1. Lag: {n:,} hot databases, one commit a second each, every request +{k['DELAY_MS']:g} ms (proxy)")
    p("")
    p(f"Litefleet (dbs: list) and litestream get the same `dbs:` list of {n:,} databases, each with its own "
      f"`s3://bench/<prefix>/t<n>?endpoint=<proxy>&region=us-east-1&forcePathStyle=true` replica, `sync-interval: 1s`; "
      f"Litefleet (fleet mode): `multi-db:` with `max-hot-databases: {max(1000, n)}` and one `replica-template` "
      f"(type s3, endpoint = proxy) — its databases are cold after the capture and the writes promote them. "
      f"{k['WARMUP_SECS']} s warm-up (not counted), {k['LAG_SECS']} s measured, then up to {k['GRACE_SECS']} s for the "
      f"last commits. Median over {k['LAG_REPS']} run(s) per tool (min–max when more than one).")
    p("")
    header()
    g = lambda key: (lambda x: get(x, key))  # noqa: E731
    line("capture of all N before writing (s: start -> every database has an .ltx in the store)", g("capture_s"))
    if "litefleet-fleet" in present:
        text("fleet mode: writer start -> status line says hot = N (s; status every 30 s)", g("all_hot_after_s"))
    line("**lag p50 (ms)**: commit -> the store holds a file containing it", g("lag.p50_ms"))
    line("**lag p99 (ms)**", g("lag.p99_ms"))
    line("**lag max (ms)**", g("lag.max_ms"))
    line("lag mean (ms)", g("lag.mean_ms"))
    line("lag p99, commits of the first third of the window (ms)", g("lag.p99_first_third_ms"))
    line("lag p99, commits of the last third of the window (ms)", g("lag.p99_last_third_ms"))
    text("fleet-style lag p50 / p99 (ms): first file after the commit, whatever it holds",
         lambda x: f"{get(x, 'lag.fleet_style_p50_ms')} / {get(x, 'lag.fleet_style_p99_ms')}")
    line("commits measured", g("lag.commits"), False)
    line("**commits not in the store when the grace period ended**", g("lag.missing"))
    line("**databases left behind** (last commit not in the store when the grace period ended)", g("left_after_grace"))
    line("grace used (s)", g("grace_s"))
    line(".ltx PUTs per second in the window", g("ltx_puts_per_s"))
    line("requests at the proxy in the window", g("requests_lag_window.requests"))
    line("requests per database per minute (all writing)", g("requests_lag_window.per_active_db_per_min"))
    text("store turnaround of a PUT, p50 / p99 (ms; proxy in -> answer, the 50 ms included)",
         lambda x: " / ".join(map(str, get(x, "store_turnaround.total_p50_p99_ms") or ["n/a"])))
    text("  of which versitygw (body sent -> answer head), p50 / p99 (ms)",
         lambda x: " / ".join(map(str, get(x, "store_turnaround.server_p50_p99_ms") or ["n/a"])))
    text("  of which held by the proxy (50 ms + its lateness), p50 / p99 (ms)",
         lambda x: " / ".join(map(str, get(x, "store_turnaround.held_p50_p99_ms") or ["n/a"])))
    line("threads (max)", g("resources.threads_max"))
    line("RSS median (MB)", g("resources.rss_median_mb"))
    line("RSS peak, VmHWM (MB)", g("resources.hwm_mb"))
    line("open descriptors (max)", g("resources.fds_max"))
    line("CPU of the replicator (% of one core)", g("resources.cpu_pct"))
    text("CPU of the proxy / versitygw / writer (% of one core, writer run)",
         lambda x: f"{get(x, 'proxy_cpu_pct')} / {get(x, 'gw_cpu_pct')} / {get(x, 'writer.cpu_pct')}")
    text("writer: commits per s in the window / errors / p99 late (s)",
         lambda x: f"{get(x, 'writer.commits_per_s_window')} / {get(x, 'writer.errors')} / {get(x, 'writer.late_p99_s')}")
    text("SIGTERM -> exit (s, code)", g("stop"))
    for x in runs:
        if x.get("error"):
            p(f"| **{x['tool']} run {x['rep']} FAILED** | {x['error']} |")
    p("")
    p("Requests in the measured window, by operation: " + "; ".join(
        f"{x['who']}: {ops(get(x, 'requests_lag_window.by_op'))}"
        + (f" (non-2xx: {get(x, 'requests_lag_window.non_2xx')})" if get(x, 'requests_lag_window.non_2xx') else "")
        for x in runs) + ".")
    p("")
    p("Restore check after SIGTERM (stock `litestream restore` of random databases straight from versitygw; rows and "
      "`integrity_check` against the source): " + "; ".join(
        f"{x['who']}: {sum(1 for c in x.get('restore_check', []) if c == 'ok')}/{len(x.get('restore_check', []))} ok"
        + "".join(f" — `{c}`" for c in x.get("restore_check", []) if c != "ok") for x in runs) + ".")
    p("")

    req = [x for x in runs if "idle" in x or "active" in x]
    if req:
        p(f"## 2. Requests, counted at the proxy")
        p("")
        p(f"After the lag run and {k['SETTLE_SECS']} s of settling (fleet mode demotes after `hot-idle-timeout: "
          f"{k['HOT_IDLE']}`), the whole fleet idle for {k['IDLE_SECS']} s; then {k['ACTIVE_N']} of the {k['N']:,} "
          f"databases commit once a second ({k['ACTIVE_WARMUP']} s warm-up, {k['ACTIVE_SECS']} s counted; only requests "
          f"whose key or LIST prefix names one of them).")
        p("")
        by = {t: [x for x in req if x["tool"] == t][:1] for t in present}
        header()
        line("**requests per idle database per day** (goal 0; idle window x 86,400 s)", g("idle.per_idle_db_per_day"))
        line("requests in the idle window (whole fleet)", g("idle.requests"))
        line("CPU while idle (% of one core)", g("idle.cpu_pct"))
        line("RSS while idle (MB)", g("idle.resources.rss_mb"))
        line("threads while idle", g("idle.resources.threads"))
        line("open descriptors while idle", g("idle.resources.fds"))
        line("**requests per active database per minute** (1 s sync)", g("active.per_active_db_per_min"))
        text("lag p50 / p99 of the active databases (ms)",
             lambda x: f"{get(x, 'active.lag.p50_ms')} / {get(x, 'active.lag.p99_ms')}")
        line("requests of the other (idle) databases in the active window", g("active.unattributed_in_window"))
        p("")
        for x in req:
            p(f"- {x['who']} idle by operation: {ops(get(x, 'idle.by_op'))}; active by operation: "
              f"{ops(get(x, 'active.by_op'))}"
              + (f"; non-2xx: {get(x, 'idle.non_2xx')} {get(x, 'active.non_2xx')}"
                 if get(x, 'idle.non_2xx') or get(x, 'active.non_2xx') else ""))
        p("")

tp = r.get("throughput", {})
if tp.get("runs"):
    size = tp["size_bytes"]
    p(f"## 3. Throughput: a {size / 1e6:,.0f} MB database ({size / 2**20:,.0f} MiB), straight to versitygw (no proxy)")
    p("")
    p(f"Upload = replicator start -> the first complete .ltx object (the whole database) visible in the store; restore = "
      f"`restore -o` wall time of the process; MB/s = database size / wall time. Median of {k['TP_REPS']} (min–max), "
      f"order alternating. Both include process start-up (`--version`/`version` wall: Litefleet "
      f"{tp.get('version_s', {}).get('litefleet')} s, litestream {tp.get('version_s', {}).get('litestream')} s).")
    p("")
    p("| metric | Litefleet | litestream | ratio LF/LS |")
    p("|---|---|---|---|")
    T = {t: [x for x in tp["runs"] if x["tool"] == t] for t in ("litefleet", "litestream")}
    for name, key, spec in [("**upload (s)**", "upload_s", ".1f"), ("upload MB/s", "upload_mb_s", ".1f"),
                            ("first object (MB)", "object_mb", ".1f"),
                            ("replicator peak RSS at upload (MB)", "replicator_hwm_mb", ".0f"),
                            ("replicator CPU s at upload", "replicator_cpu_s", ".1f"),
                            ("**restore (s)**", "restore_s", ".1f"), ("restore MB/s", "restore_mb_s", ".1f"),
                            ("restore max RSS (MB)", "restore_maxrss_mb", ".0f"), ("restore CPU s", "restore_cpu_s", ".1f")]:
        a = [x.get(key) for x in T["litefleet"]]
        b = [x.get(key) for x in T["litestream"]]
        p(f"| {name} | {cell(a, spec)} | {cell(b, spec)} | {ratio(med(a), med(b))} |")
    chk = lambda t: "; ".join(f"equal {x.get('restore_equal')}, quick_check {x.get('restore_integrity')}"  # noqa
                              for x in T[t] if "restore_equal" in x)
    p(f"| restore (first run) equal to the source (`.sha3sum t`) | {chk('litefleet')} | {chk('litestream')} | |")
    for x in tp["runs"]:
        if x.get("error") or x.get("restore_error"):
            p(f"| **{x['tool']} run {x['rep']} failed** | {x.get('error') or x.get('restore_error')} | | |")
    p("")

p("## Logs")
p("")
for x in runs:
    lg = x.get("log", {})
    p(f"- {x['who']} ({x['tool']}): {lg.get('lines')} lines, levels {lg.get('levels')}; most frequent: "
      + "; ".join(f"`{m}` x{c}" for m, c in lg.get("top_messages", [])[:4]))
    for line in lg.get("warn_error_sample", [])[:4]:
        p(f"  - `{line[:240]}`")
for x in tp.get("runs", []):
    lg = x.get("log", {})
    if lg.get("warn_error_sample"):
        p(f"- throughput {x['tool']} run {x['rep']}: " + "; ".join(f"`{line[:200]}`" for line in lg["warn_error_sample"][:3]))
for x in runs:
    if x.get("fleet_status_last"):
        p(f"- {x['who']} last status line: `{x['fleet_status_last'][-300:]}`")
p(f"- proxy errors (connections reset or cut mid-message): {r.get('proxy_errors')}; proxy totals: "
  f"`{(r.get('proxy_log') or ['n/a'])[-1]}`; versitygw log: {get(r, 'gw_log.lines')} lines, levels "
  f"{get(r, 'gw_log.levels')}")
p("")
p("## Method")
p("")
p("- Store: versitygw v1.8.0 `posix` on local disk, started with `--keep-alive` (S3 keeps connections; versitygw "
  "closes each after one request by default) and `--quiet`; the bucket is a directory of its root. `proxy.py` (asyncio, "
  "stdlib) sits in front for the fleet phases: it holds every request head `DELAY_MS` before forwarding it (per "
  "request, connections in parallel; `Expect: 100-continue` is answered by the proxy), streams bodies, and logs each "
  "request with its operation, status, bytes and, for an .ltx PUT, the LTX header's database size in pages.")
p("- Databases: bench/fleet's layout (`p<i>/databases/d<j>/branches/b<k>/tenants/t<n>.db`), 1024-byte pages, WAL. "
  "`writer.py`: each database commits one `INSERT ... zeroblob(1024)` a second at its own random offset in the "
  "second (4 threads, connections held open) and reads `PRAGMA page_count` right after each commit. Every commit "
  "allocates a new page, so the page count grows strictly: commit k is in the store once the store has answered 2xx "
  "to the PUT of an .ltx of that database whose header's database size is >= that count (exact, no decoding). "
  "bench/fleet's rule (first new file after the commit) can count a file that was read before the commit; it is "
  "shown as 'fleet-style'. Clock: CLOCK_MONOTONIC in the writer and the proxy (same machine).")
p("- Resources: `/proc/<pid>` of the replicator every 2 s (the launcher `exec`s java): Threads, VmRSS, VmHWM, "
  "descriptors, utime+stime over the measured window. Requests per idle database per day extrapolate a "
  f"{k['IDLE_SECS']} s window: hourly or daily jobs (litestream's L3 compaction, snapshots, retention) may fall "
  "outside it.")
p("- Tool configs: Litefleet fleet mode (`scan-interval: 30s`, `hot-idle-timeout` as above, replica-template with "
  "`endpoint`); Litefleet (dbs: list) and litestream: `dbs:` entries with `replica: {url: s3://bench/<prefix>/t<n>?endpoint=...&region=us-east-1"
  "&forcePathStyle=true, sync-interval: 1s}`, defaults otherwise (L1 compaction 30 s, L0 retention 5 m). Credentials "
  "through `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`; `AWS_CA_BUNDLE` removed for litestream only.")
p("")
p("## Load averages (1, 5, 15 min)")
p("")
for u in r.get("load", []):
    p(f"- {u}")
print("\n".join(o))
