#!/usr/bin/env python3
"""Turns fleetbench.py's JSON into the Markdown report (stdout). usage: report.py results.json"""
import json, statistics, sys

r = json.load(open(sys.argv[1]))
k = r["knobs"]
o = []
p = o.append


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}"


def fmt(v, unit=""):
    return "n/a" if v is None else f"{v}{unit}"


p(f"# Fleet benchmark (issue 4){' — QUICK' if r['quick'] else ''}")
p("")
p(f"Litefleet `{r['versions']['litefleet']}` vs litestream `{r['versions']['litestream']}` (directory mode, "
  f"`watch: true`), file replicas on local disk, same run. Machine: {r['machine']['nproc']} cores, shared with "
  f"other builds/benchmarks (load below); `ulimit -n` {r['machine']['ulimit_n']}. Knobs: `{json.dumps(k)}`.")
p("")

if "small" in r:
    p(f"## Same fleet, both tools: idle {k['IDLE_SECS']} s, then 1% of databases written once a second "
      f"({k['WARMUP_SECS']} s warm-up + {k['LAG_SECS']} s measured)")
    p("")
    p("| N | metric | Litefleet | litestream | ratio LF/LS |")
    p("|---|---|---|---|---|")
    for n, tools in sorted(r["small"].items(), key=lambda x: int(x[0])):
        lf, ls = tools.get("litefleet", {}), tools.get("litestream", {})
        for t in (lf, ls):
            if "error" in t:
                t.setdefault("idle", {})
        li, si = lf.get("idle", {}), ls.get("idle", {})
        ll, sl = lf.get("lag", {}), ls.get("lag", {})
        rows = [
            ("capture all N (s)", lf.get("capture_s"), ls.get("capture_s")),
            ("RSS idle (MB)", li.get("rss_mb"), si.get("rss_mb")),
            ("threads idle", li.get("threads"), si.get("threads")),
            ("open fds idle", li.get("fds"), si.get("fds")),
            (f"CPU s over {k['IDLE_SECS']} s idle", li.get("cpu_s"), si.get("cpu_s")),
            ("CPU s/min, 1% active", ll.get("cpu_s_per_min_active"), sl.get("cpu_s_per_min_active")),
            ("RSS, 1% active (MB)", ll.get("active_stats", {}).get("rss_mb"), sl.get("active_stats", {}).get("rss_mb")),
            ("lag p50 (ms)", ll.get("p50_ms"), sl.get("p50_ms")),
            ("lag p99 (ms)", ll.get("p99_ms"), sl.get("p99_ms")),
            ("lag max (ms)", ll.get("max_ms"), sl.get("max_ms")),
            ("commits measured / without a later replica file", f"{ll.get('commits')}/{ll.get('missing')}" if ll else None,
             f"{sl.get('commits')}/{sl.get('missing')}" if sl else None),
            ("log lines (whole run)", lf.get("log", {}).get("lines"), ls.get("log", {}).get("lines")),
            ("SIGTERM -> exit (s, code)", lf.get("stop"), ls.get("stop")),
        ]
        for name, a, b in rows:
            rr = ratio(a, b) if isinstance(a, (int, float)) and isinstance(b, (int, float)) else ""
            p(f"| {n} | {name} | {fmt(a)} | {fmt(b)} | {rr} |")
        for tool, t in (("Litefleet", lf), ("litestream", ls)):
            if "error" in t:
                p(f"| {n} | **{tool} FAILED** | {t['error']} (at failure: {t.get('at_error')}) | | |")
    p("")
    for n, tools in sorted(r["small"].items(), key=lambda x: int(x[0])):
        for tool, t in tools.items():
            lg = t.get("log", {})
            if lg.get("top_messages"):
                p(f"- N={n} {tool} log: {lg.get('lines')} lines; most frequent messages: "
                  + "; ".join(f"`{m}` x{c}" for m, c in lg["top_messages"][:4]))
            if lg.get("warn_error_sample"):
                p(f"- N={n} {tool} log levels {lg.get('levels')}; first warnings/errors:")
                for line in lg["warn_error_sample"][:4]:
                    p(f"  - `{line[:240]}`")
    p("")

b = r.get("big")
if b:
    n = b.get("n")
    p(f"## Litefleet alone, N = {n:,} cold databases (`JAVA_OPTS=-XX:+UseSerialGC`)")
    p("")
    if "error" in b:
        p(f"**FAILED:** {b['error']}")
        p("")
    if "heap_per_db" in b:
        n0 = b["n0"]
        st = b["stats"]
        prom = [x["latency_s"] for x in b.get("promotion_watch", []) if x["latency_s"] is not None]
        so = b.get("scan_only", {})
        proms = [x["latency_s"] for x in so.get("promotion", []) if x["latency_s"] is not None]
        p("| metric | value | N=0 baseline |")
        p("|---|---|---|")
        p(f"| heap per cold database, live bytes (class histogram after full GC; (N - N0)/N) | **{b['heap_per_db']} B** | live {n0['heap_live']:,} B |")
        p(f"| heap per cold database, GC.heap_info used | {b['heap_info_per_db']} B | used {n0['heap_info_used']:,} B |")
        p(f"| live heap at N | {b['heap_live']:,} B | |")
        p(f"| RSS (MB) | {st['rss_mb']} | {n0['stats']['rss_mb']} |")
        p(f"| threads | {st['threads']} | {n0['stats']['threads']} |")
        p(f"| open fds | {st['fds']} | {n0['stats']['fds']} |")
        p(f"| initial capture of all N (s; start -> last 'first replication' log line) | {b.get('capture_s')} | |")
        p(f"| capture rate (databases/s) | {round(n / b['capture_s']) if b.get('capture_s') else 'n/a'} | |")
        p(f"| full scan, lastScanMs (median of scans after capture: {[v for _, v in b['scan_ms']]}) | {b['scan_ms_median']} ms | |")
        sl = b["stat_loop"]
        p(f"| plain stat loop, same tree ({sl['files']:,} files): `find -printf %s %T@` / Python scandir+lstat | {sl['find_ms']} ms / {sl['python_scandir_lstat_ms']} ms | |")
        p(f"| scan time / find | {ratio(b['scan_ms_median'], sl['find_ms'])}x | |")
        if prom:
            p(f"| promotion latency, watching (write to cold db -> new LTX in its replica), n={len(prom)} | median {statistics.median(prom):.3f} s, max {max(prom):.3f} s, all {prom} | |")
        if proms:
            p(f"| promotion latency, scans only (inotify disabled), n={len(proms)}, writes spread over a 30 s scan interval | median {statistics.median(proms):.1f} s, max {max(proms):.1f} s, all {proms} | |")
        elif so.get("error"):
            p(f"| promotion latency, scans only | not measured: {so['error']} | |")
        restores = [x["restore"] for x in b.get("promotion_watch", []) + so.get("promotion", [])]
        p(f"| restore of each promoted db contains the write | {restores.count('ok')}/{len(restores)} | |")
        p("")
        p("Largest per-database heap contributors (bytes and instances per database, N minus N=0):")
        p("")
        p("| class | bytes/db | instances/db |")
        p("|---|---|---|")
        for c in b["top_classes"][:8]:
            p(f"| `{c['class']}` | {c['bytes_per_db']} | {c['instances_per_db']} |")
        p("")
        p(f"Status after capture: `{b['capture_status']}`; final: `{b.get('status_final')}`.")
        if so.get("status"):
            p(f"Scan-only restart (same state dir): `{so['status']}`.")
        lg = b.get("log", {})
        p(f"Log: {lg.get('lines')} lines, levels {lg.get('levels')}.")
        for line in lg.get("warn_error_sample", [])[:4]:
            p(f"  - `{line[:240]}`")
        p("")

p("## Method")
p("")
p("- Databases: `gen.py` writes one 8 KiB template (WAL mode, table `t`, 5 rows, no `-wal`) to "
  "`p<i>/databases/d<j>/branches/b<k>/tenants/t<n>.db`, 100 per directory. Fresh tree and empty replica per tool.")
p("- Heap per cold database: Litefleet with `-XX:+UseSerialGC`, once with N=0 and once with N cold databases "
  "(after the status line shows transients = N and backlog 0, hot 0). After `jcmd GC.run` (x2), live heap = Total of "
  "`jcmd GC.class_histogram` (itself a full GC) minus `jdk.internal.vm.FillerElement` arrays; "
  "(live(N) - live(0)) / N. `GC.heap_info` used (young + tenured) is shown as a cross-check.")
p("- Scan time: `lastScanMs` from the status lines of the scans after the capture (median). Physical limit: the same "
  "tree walked by `find -name '*.db*' -printf '%s %T@'` (lstat of every file) and by a Python scandir + lstat of each "
  "`.db` (and its `-wal` when listed), median of 3, page cache warm.")
p("- Promotion latency: one INSERT into a cold database (connection kept open), clock from commit return to the "
  "first new `.ltx` in that database's replica `ltx/0/` (polled every 10 ms; 50 ms for scans only); then "
  "`litefleet restore` of that replica must contain the row. Scans only: the same state dir restarted under "
  "`unshare -U -r` with `/proc/sys/user/max_inotify_instances` = 0 in that namespace (config cannot disable watching); "
  "its status line says `watching=false`; writes spread over one 30 s scan interval.")
p("- Idle: after every database has a replica LTX file, CPU = utime+stime delta of the process over the window "
  "(/proc/pid/stat), RSS (VmRSS), Threads, `ls /proc/pid/fd | wc -l` at its end.")
p("- Lag: 1% of the databases (at least 1), one INSERT each per second at a random point inside every second, "
  "connections held open; warm-up not counted (Litefleet's promotion happens there). Lag = commit return -> first "
  "new `.ltx` file in that database's `ltx/0/` after the commit, seen by a 25 ms poller (resolution ~25 ms). "
  "Percentiles over all commits of all active databases.")
p("")
p("## Machine load during the run (`uptime`)")
p("")
for u in r["uptime"]:
    p(f"- {u}")
print("\n".join(o))
