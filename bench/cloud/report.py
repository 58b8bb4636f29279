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
by = {"litefleet": [x for x in runs if x["tool"] == "litefleet"], "litestream": [x for x in runs if x["tool"] == "litestream"]}
if runs:
    n = k["N"]
    p(f"## 1. Lag: {n:,} hot databases, one commit a second each, every request +{k['DELAY_MS']:g} ms (proxy)")
    p("")
    p(f"Litefleet: fleet mode, `max-hot-databases: {max(1000, n)}`, one `replica-template` (type s3, endpoint = proxy); "
      f"litestream: a `dbs:` list of {n:,}, each with its own `s3://...?endpoint=<proxy>` replica URL; both `sync-interval: 1s`. "
      f"{k['WARMUP_SECS']} s warm-up (not counted), {k['LAG_SECS']} s measured, then up to {k['GRACE_SECS']} s for the last "
      f"commits. Values: median over {k['LAG_REPS']} run(s) per tool (min–max when more than one).")
    p("")
    p("| metric | Litefleet | litestream | ratio LF/LS |")
    p("|---|---|---|---|")
    rows = [
        ("capture of all N before writing (s, start -> every database has an .ltx in the store)", "capture_s"),
        ("**lag p50 (ms)**, commit -> store has a file containing it", "lag.p50_ms"),
        ("**lag p99 (ms)**", "lag.p99_ms"),
        ("**lag max (ms)**", "lag.max_ms"),
        ("lag mean (ms)", "lag.mean_ms"),
        ("lag p99, first third of the window (ms)", "lag.p99_first_third_ms"),
        ("lag p99, last third of the window (ms)", "lag.p99_last_third_ms"),
        ("fleet-style lag p50 / p99 (ms): first file after the commit, whatever it holds", None),
        ("commits measured", "lag.commits"),
        ("**commits not in the store after the grace period**", "lag.missing"),
        ("**databases left behind** (last commit not in the store after the grace period)", "left_after_grace"),
        ("grace used (s)", "grace_s"),
        (".ltx PUTs per second (window)", "ltx_puts_per_s"),
        ("requests at the proxy in the window", "requests_lag_window.requests"),
        ("requests per database per minute (all hot)", "requests_lag_window.per_active_db_per_min"),
        ("threads (max)", "resources.threads_max"),
        ("RSS median (MB)", "resources.rss_median_mb"),
        ("RSS peak, VmHWM (MB)", "resources.hwm_mb"),
        ("open descriptors (max)", "resources.fds_max"),
        ("CPU (% of one core)", "resources.cpu_pct"),
        ("proxy CPU (% of one core, writer run)", "proxy_cpu_pct"),
        ("versitygw CPU (% of one core, writer run)", "gw_cpu_pct"),
        ("writer: commits / errors / p99 late (s)", None),
        ("SIGTERM -> exit (s, code)", "stop"),
    ]
    for name, key in rows:
        if key is None and name.startswith("fleet-style"):
            a = [f"{get(x, 'lag.fleet_style_p50_ms')} / {get(x, 'lag.fleet_style_p99_ms')}" for x in by["litefleet"]]
            b = [f"{get(x, 'lag.fleet_style_p50_ms')} / {get(x, 'lag.fleet_style_p99_ms')}" for x in by["litestream"]]
            p(f"| {name} | {'; '.join(a) or 'n/a'} | {'; '.join(b) or 'n/a'} | |")
            continue
        if key is None:
            f = lambda x: f"{get(x, 'writer.commits')} / {get(x, 'writer.errors')} / {get(x, 'writer.late_p99_s')}"  # noqa
            p(f"| {name} | {'; '.join(map(f, by['litefleet'])) or 'n/a'} | {'; '.join(map(f, by['litestream'])) or 'n/a'} | |")
            continue
        a = [get(x, key) for x in by["litefleet"]]
        b = [get(x, key) for x in by["litestream"]]
        if key == "stop":
            p(f"| {name} | {'; '.join(map(str, a))} | {'; '.join(map(str, b))} | |")
            continue
        p(f"| {name} | {cell(a)} | {cell(b)} | {ratio(med(a), med(b))} |")
    for x in runs:
        if x.get("error"):
            p(f"| **{x['tool']} run {x['rep']} FAILED** | {x['error']} | | |")
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
        lf = next((x for x in req if x["tool"] == "litefleet"), {})
        ls = next((x for x in req if x["tool"] == "litestream"), {})
        p(f"## 2. Requests, counted at the proxy")
        p("")
        p(f"After the lag run and {k['SETTLE_SECS']} s of settling (Litefleet demotes after `hot-idle-timeout: "
          f"{k['HOT_IDLE']}`), the whole fleet idle for {k['IDLE_SECS']} s; then {k['ACTIVE_N']} of the {k['N']:,} "
          f"databases commit once a second ({k['ACTIVE_WARMUP']} s warm-up, {k['ACTIVE_SECS']} s counted; only requests "
          f"whose key or LIST prefix names one of them).")
        p("")
        p("| metric | Litefleet | litestream | ratio LF/LS |")
        p("|---|---|---|---|")
        rr = [
            ("**requests per idle database per day** (goal 0; idle window x 86,400 s)", "idle.per_idle_db_per_day"),
            ("requests in the idle window (whole fleet)", "idle.requests"),
            ("CPU while idle (% of one core)", "idle.cpu_pct"),
            ("RSS while idle (MB)", "idle.resources.rss_mb"),
            ("threads while idle", "idle.resources.threads"),
            ("**requests per active database per minute** (1 s sync)", "active.per_active_db_per_min"),
            ("lag p50 / p99 of the active databases (ms)", None),
            ("requests of the other (idle) databases in the active window", "active.unattributed_in_window"),
        ]
        for name, key in rr:
            if key is None:
                p(f"| {name} | {get(lf, 'active.lag.p50_ms')} / {get(lf, 'active.lag.p99_ms')} | "
                  f"{get(ls, 'active.lag.p50_ms')} / {get(ls, 'active.lag.p99_ms')} | |")
                continue
            a, b = get(lf, key), get(ls, key)
            p(f"| {name} | {cell([a])} | {cell([b])} | {ratio(a, b)} |")
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
  "`endpoint`); litestream `dbs:` entries with `replica: {url: s3://bench/<prefix>/t<n>?endpoint=...&region=us-east-1"
  "&forcePathStyle=true, sync-interval: 1s}`, defaults otherwise (L1 compaction 30 s, L0 retention 5 m). Credentials "
  "through `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`; `AWS_CA_BUNDLE` removed for litestream only.")
p("")
p("## Load averages (1, 5, 15 min)")
p("")
for u in r.get("load", []):
    p(f"- {u}")
print("\n".join(o))
