#!/usr/bin/env python3
"""Writes docs/benchmarks.md (and its PNG charts under docs/benchmarks/) from the cost benchmark's JSON, plus one
section per sibling benchmark that left a results file (the contract is in README.md here, "Sibling sections").

    report.py [--cost bench/cost/results-<date>.json] [--out docs/benchmarks.md] [--label TEXT]

Without --cost, the newest bench/cost/results-*.json is used. Needs matplotlib (run.sh makes a virtualenv from
requirements.txt); everything else is the standard library.
"""
import argparse, datetime, glob, json, os, statistics

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SIBLINGS = [("memory", "Memory floor"), ("start", "Start time"), ("capture", "First capture"),
            ("idle", "Idle and on-disk cost"), ("jmh", "Hot-path micro-benchmarks")]
LABEL = {"litefleet": "Litefleet", "litestream": "litestream v0.5.16", "baseline": "ultra-simple baseline"}
COLOR = {"litefleet": "tab:blue", "litestream": "tab:orange", "baseline": "tab:green"}


def newest(pattern, need=None):
    """Newest file by its own generated_utc field, else by modification time; with need, among the files that have
    that key if any does (a bench's other JSON files, such as bench/memory's jit comparison, do not compete)."""
    def read(path):
        try:
            with open(path) as f:
                d = json.load(f)
            return d if isinstance(d, dict) else {}
        except (OSError, ValueError):
            return {}

    def when(path):
        try:
            stamp = read(path).get("generated_utc")
            if stamp:
                return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
        except (ValueError, AttributeError):
            pass
        return os.path.getmtime(path)
    files = glob.glob(pattern)
    if need:
        files = [p for p in files if need in read(p)] or files
    return max(files, key=when) if files else None


def med(values):
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def fmt(v, digits=0):
    if v is None:
        return "–"
    if isinstance(v, (int, float)):
        if abs(v) >= 10000:
            return f"{v:,.0f}"
        return f"{v:,.{digits}f}"
    return str(v)


def ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "–"


class Cost:
    """The cost run's figures, as medians over repeats, per (system, N)."""

    def __init__(self, data):
        self.d = data
        self.ns = sorted({r["n"] for r in data["runs"]})
        self.systems = [s for s in ("litefleet", "litestream", "baseline") if any(r["system"] == s for r in data["runs"])]

    def runs(self, system, n):
        return [r for r in self.d["runs"] if r["system"] == system and r["n"] == n]

    def ok(self, system, n):
        return [r for r in self.runs(system, n) if "failed" not in r]

    def m(self, system, n, *path):
        def get(r):
            for k in path:
                r = r.get(k) if isinstance(r, dict) else None
            return r
        return med(get(r) for r in self.ok(system, n))

    def restore(self, system, n):
        """(median restore seconds, "equal/sampled" [+ stock litestream's restore of the same replicas])."""
        rs = [x for r in self.ok(system, n) for x in r.get("restores", [])]
        good = sum(1 for x in rs if x.get("equal") and x.get("integrity") == "ok")
        text = f"{good}/{len(rs)}"
        if any("litestream_restore_equal" in x for x in rs):
            text += f" (by litestream {sum(1 for x in rs if x.get('litestream_restore_equal') is True)}/{len(rs)})"
        return med(x["restore_s"] for x in rs if "error" not in x), text, med(x.get("requests") for x in rs)

    def floor(self, n, key):
        return self.d["floors"].get(str(n), {}).get(key)

    def min_puts(self, n, system="litefleet"):
        """One PUT per active database per sync interval of that system (1 s; the baseline's scan interval)."""
        return med(r.get("min_puts_per_day") for r in self.ok(system, n))


def cost_table(c):
    out = ["| N | system | RSS median (MB) | CPU (% of a core) | threads | descriptors | lag p50 / p99 (ms) | "
           "databases not caught up after the grace period | requests / day | MB up / day | first capture (s) | "
           "restore median (s) | requests per restore | restores equal to the source |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for n in c.ns:
        for s in c.systems:
            if not c.runs(s, n):
                continue
            if not c.ok(s, n):
                f = c.runs(s, n)[0]["failed"]
                out.append(f"| {n:,} | {LABEL[s]} | **failed** ({f.get('phase')}: {f.get('why')}; after "
                           f"{fmt(f.get('after_s'))} s, RSS {fmt(f.get('rss_mb_last'))} MB, "
                           f"threads {fmt(f.get('threads_last'))}, fds {fmt(f.get('fds_last'))}) |||||||||||||")
                continue
            rt, good, rq = c.restore(s, n)
            out.append(f"| {n:,} | {LABEL[s]} | {fmt(c.m(s, n, 'resources', 'rss_median_mb'), 1)} | "
                       f"{fmt(c.m(s, n, 'resources', 'cpu_pct'), 1)} | {fmt(c.m(s, n, 'resources', 'threads_max'))} | "
                       f"{fmt(c.m(s, n, 'resources', 'fds_max'))} | {fmt(c.m(s, n, 'lag', 'p50_ms'))} / "
                       f"{fmt(c.m(s, n, 'lag', 'p99_ms'))} | {fmt(c.m(s, n, 'left_behind_after_grace'))} | "
                       f"{fmt(c.m(s, n, 'requests', 'per_day'))} | "
                       f"{fmt(c.m(s, n, 'requests', 'mb_up_per_day'), 1)} | {fmt(c.m(s, n, 'capture_s'), 1)} | "
                       f"{fmt(rt, 2)} | {fmt(rq)} | {good} |")
    return out


def ratio_table(c):
    metrics = [("RSS", ("resources", "rss_median_mb")), ("CPU", ("resources", "cpu_pct")),
               ("threads", ("resources", "threads_max")), ("descriptors", ("resources", "fds_max")),
               ("lag p99", ("lag", "p99_ms")), ("requests / day", ("requests", "per_day")),
               ("MB up / day", ("requests", "mb_up_per_day")), ("first capture", ("capture_s",))]
    out = ["| N | metric | Litefleet / litestream | Litefleet / baseline | Litefleet / floor | floor |",
           "|---|---|---|---|---|---|"]
    for n in c.ns:
        if not c.ok("litefleet", n):
            continue
        for name, path in metrics:
            lf = c.m("litefleet", n, *path)
            floor, floor_name = None, ""
            if name == "requests / day":
                floor, floor_name = c.min_puts(n), "one PUT per active database per 1 s sync interval"
            elif name == "first capture":
                floor, floor_name = c.floor(n, "capture_floor_s"), "sequential read + write of the fleet's bytes"
            out.append(f"| {n:,} | {name} | {ratio(lf, c.m('litestream', n, *path))} | "
                       f"{ratio(lf, c.m('baseline', n, *path))} | {ratio(lf, floor)} | {floor_name} |")
    return out


def ops_table(c):
    ops = sorted({op for r in c.d["runs"] for op in r.get("requests", {}).get("by_op_per_day", {})})
    out = ["| N | system | " + " | ".join(ops) + " | total | minimum PUTs at its interval | MB up | MB down |",
           "|---|---|" + "---|" * (len(ops) + 4)]
    for n in c.ns:
        for s in c.systems:
            if c.ok(s, n):
                out.append(f"| {n:,} | {LABEL[s]} | " + " | ".join(fmt(c.m(s, n, "requests", "by_op_per_day", op))
                                                                   for op in ops)
                           + f" | {fmt(c.m(s, n, 'requests', 'per_day'))} | {fmt(c.min_puts(n, s))} | "
                           f"{fmt(c.m(s, n, 'requests', 'mb_up_per_day'), 1)} | "
                           f"{fmt(c.m(s, n, 'requests', 'mb_down_per_day'), 2)} |")
    return out


def floors_table(c):
    out = ["| N | fleet (MB) | stat loop over the fleet (s) | sequential read (MB/s) | sequential write (MB/s) | "
           "capture floor (s) | restore floor per database (ms) | minimum PUTs / day (1 s sync interval) |", "|---|---|---|---|---|---|---|---|"]
    for n in c.ns:
        f = c.d["floors"].get(str(n), {})
        per_db = f.get("db_bytes", 0) / 1e6 / f["seq_write_mb_s"] * 1000 if f.get("seq_write_mb_s") else None
        out.append(f"| {n:,} | {fmt(f.get('fleet_mb'), 1)} | {fmt(f.get('scan_s'), 3)} | {fmt(f.get('seq_read_mb_s'))} | "
                   f"{fmt(f.get('seq_write_mb_s'))} | {fmt(f.get('capture_floor_s'), 2)} | {fmt(per_db, 3)} | "
                   f"{fmt(c.min_puts(n))} |")
    return out


def charts(c, outdir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    os.makedirs(outdir, exist_ok=True)
    made = []

    def per_n(ax, path, label_floor=None, floor=None):
        for s in c.systems:
            xs = [n for n in c.ns if c.ok(s, n)]
            ax.plot(xs, [c.m(s, n, *path) for n in xs], "o-", color=COLOR[s], label=LABEL[s])
            bad = [n for n in c.ns if c.runs(s, n) and not c.ok(s, n)]
            if bad:
                ax.plot(bad, [c.runs(s, n)[0]["failed"].get("rss_mb_last") or 1 for n in bad], "x", color=COLOR[s],
                        markersize=12, label=f"{LABEL[s]} failed")
        if floor:
            ax.plot(c.ns, [floor(n) for n in c.ns], "k_--", markersize=16, label=label_floor)
        ax.set_xscale("log")
        ax.set_xlabel("databases in the fleet (N)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()

    fig, ax = plt.subplots(figsize=(7, 4.5))
    per_n(ax, ("resources", "rss_median_mb"))
    ax.set_ylabel("RSS, median over the window (MB)")
    ax.set_title("Memory against fleet size (1% of databases active)")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "rss.png"), dpi=110)
    made.append("rss.png")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5))
    per_n(ax, ("requests", "per_day"), "minimum PUTs (1 s sync interval)", c.min_puts)
    ax.set_yscale("log")
    ax.set_ylabel("storage requests per day (extrapolated)")
    ax.set_title("Storage requests against fleet size")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "requests.png"), dpi=110)
    made.append("requests.png")
    plt.close(fig)

    fig, axes = plt.subplots(1, len(c.ns), figsize=(4.5 * len(c.ns) + 1, 4.2), squeeze=False)
    for ax, n in zip(axes[0], c.ns):
        for s in c.systems:
            for r in c.ok(s, n)[:1]:
                q = r.get("lag_quantiles_s") or []
                if q:
                    ax.plot(q, range(len(q)), color=COLOR[s], label=LABEL[s])
        ax.set_xscale("log")
        ax.set_xlabel("lag: commit -> in the store (s)")
        ax.set_title(f"N = {n:,}")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("% of commits with at most this lag")
    if axes[0][0].get_legend_handles_labels()[0]:
        axes[0][0].legend()
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "lag.png"), dpi=110)
    made.append("lag.png")
    plt.close(fig)
    return made


def headline(c):
    """One sentence per N that compares Litefleet with the peers (the README may quote it)."""
    out = []
    for n in c.ns:
        lf = c.ok("litefleet", n)
        if not lf:
            continue
        parts = [f"**N = {n:,}** (1% active): Litefleet {fmt(c.m('litefleet', n, 'resources', 'rss_median_mb'))} MB, "
                 f"{fmt(c.m('litefleet', n, 'requests', 'per_day'))} requests/day, lag p99 "
                 f"{fmt(c.m('litefleet', n, 'lag', 'p99_ms'))} ms"]
        for s in ("litestream", "baseline"):
            if c.ok(s, n):
                parts.append(f"{LABEL[s]} {fmt(c.m(s, n, 'resources', 'rss_median_mb'))} MB, "
                             f"{fmt(c.m(s, n, 'requests', 'per_day'))} requests/day, lag p99 "
                             f"{fmt(c.m(s, n, 'lag', 'p99_ms'))} ms")
            elif c.runs(s, n):
                parts.append(f"{LABEL[s]} failed ({c.runs(s, n)[0]['failed'].get('why')})")
        out.append("- " + "; ".join(parts) + ".")
    return out


def sibling_sections():
    """The newest bench/<name>/results-*.json of each sibling benchmark, rendered as a table of its headline rows."""
    out = []
    for name, default_title in SIBLINGS:
        path = newest(os.path.join(ROOT, "bench", name, "results-*.json"), need="headline")
        if not path:
            continue
        try:
            with open(path) as f:
                d = json.load(f)
            rows = d.get("headline") or []
        except (OSError, ValueError) as e:
            out += [f"## {default_title}", "", f"`{os.path.relpath(path, ROOT)}` could not be read: {e}", ""]
            continue
        out += [f"## {d.get('title') or default_title}", "",
                f"From `{os.path.relpath(path, ROOT)}`" + (f", reproduce with `{d['command']}`" if d.get("command") else "")
                + ".", ""]
        if rows and isinstance(rows, list) and all(isinstance(r, dict) for r in rows):
            cols = list(rows[0])
            for r in rows[1:]:
                cols += [k for k in r if k not in cols]
            out += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
            out += ["| " + " | ".join(fmt(r.get(k), 2 if isinstance(r.get(k), float) else 0) for k in cols) + " |"
                    for r in rows]
        else:
            out.append("(no `headline` rows in this file)")
        out += [""] + [f"- {x}" for x in d.get("notes", [])] + ([""] if d.get("notes") else [])
    return out


def degraded(data):
    """Runs that finished but logged errors or left databases behind (litestream out of descriptors keeps running)."""
    out = []
    for r in data["runs"]:
        levels = r.get("log", {}).get("levels", {})
        errors = sum(levels.get(k, 0) for k in ("ERROR", "SEVERE"))
        behind = r.get("left_behind_after_grace") or 0
        if "failed" not in r and (errors or behind):
            sample = (r["log"].get("warn_error_sample") or ["–"])[0]
            out.append(f"- {LABEL[r['system']]} at N = {r['n']:,}: {errors:,} error lines in its log, {behind} "
                       f"databases not caught up after the grace period, descriptors up to "
                       f"{fmt(r.get('resources', {}).get('fds_max'))}. First: `{sample[:240]}`")
    return ["## Runs that finished degraded", ""] + out + [""] if out else []


def render(data, cost_path, out_path, label=None):
    c = Cost(data)
    chart_dir = os.path.join(os.path.dirname(out_path), "benchmarks")
    made = charts(c, chart_dir)
    k, v, m = data["knobs"], data.get("versions", {}), data.get("machine", {})
    rel = os.path.relpath(cost_path, ROOT)
    lines = ["# Benchmarks: what replication costs, side by side", "",
             "<!-- generated by bench/cost/report.py; edit the generator, not this file -->", ""]
    if label:
        lines += [f"> **{label}**", ""]
    if data.get("quick"):
        lines += [f"> **Smoke run** (`QUICK=1`, N = {', '.join(f'{n:,}' for n in c.ns)}, {k['WINDOW_SECS']} s window, "
                  "on a shared 2-core machine): it shows that every system's numbers come out, **not** what they "
                  "cost. The real figures come from the full run on a quiet machine.", ""]
    lines += [f"Generated from `{rel}` (run {data.get('started_utc', '?')} – {data.get('finished_utc', '?')}). "
              f"Reproduce: `{v.get('command', 'bench/cost/run.sh')}` (it writes this file too; `bench/cost/report.py "
              f"--cost {rel}` renders it again).", "",
              "## Headline", ""] + headline(c) + ["",
              "## What was measured", "",
              f"Every system replicates the same fleet (bench/fleet's layout, 1 KiB pages, WAL) to the same versitygw "
              f"S3 server through one counting proxy that adds {fmt(k['DELAY_MS'])} ms to each request, one system "
              f"after the other. {fmt(k['ACTIVE_PCT'], 1)}% of the databases (at least {k['MIN_ACTIVE']}) commit once "
              f"a second each; every {fmt(k['DRIFT_SECS'])} s, {fmt(100 * k['DRIFT_FRAC'])}% of the active set is "
              f"replaced by other databases (seed {k['SEED']}). After the first capture and {k['WARMUP_SECS']} s of "
              f"writes, a {k['WINDOW_SECS']} s window is measured: RSS, CPU (utime+stime), threads and descriptors of "
              "the replicator; requests and bytes by operation at the proxy, extrapolated to a day; lag = commit -> "
              "the store acknowledged a file or snapshot that contains it. Litefleet: fleet mode, shipped launcher, "
              "no JAVA_OPTS, `max-hot-databases` = max(1000, 3 x active). litestream: directory mode (`watch: true`, "
              f"`sync-interval: 1s`), up to N = {k['LS_MAX_N']:,}. Baseline: `bench/cost/baseline.py`, a stat loop "
              f"every {fmt(k['BL_INTERVAL'])} s and a backup-API snapshot upload of each changed database (the "
              "design's \"ultra-simple\" tool: no WAL streaming, no point-in-time restore). Method and caveats: "
              "`bench/cost/README.md`.", "",
              "## Cost at each fleet size (medians over repeats)", ""] + cost_table(c) + ["",
              "## Ratios", "", "Below 1 means Litefleet uses less.", ""] + ratio_table(c) + ["",
              "## Storage requests and bytes per day, by operation", ""] + ops_table(c) + ["",
              "## Physical floors (same run, same machine)", ""] + floors_table(c) + ["",
              "## Charts", ""] + [f"![{x[:-4]}](benchmarks/{x})" for x in made] + [""]
    lines += sibling_sections()
    lines += degraded(data)
    failures = [r for r in data["runs"] if "failed" in r]
    if failures:
        lines += ["## How systems failed", ""]
        for r in failures:
            f = r["failed"]
            lines += [f"- {LABEL[r['system']]} at N = {r['n']:,}: {f.get('phase')}: {f.get('why')}; last sample RSS "
                      f"{fmt(f.get('rss_mb_last'))} MB, threads {fmt(f.get('threads_last'))}, descriptors "
                      f"{fmt(f.get('fds_last'))}. Log tail:", "", "```", (f.get("log_tail") or "").strip()[-800:], "```"]
        lines.append("")
    lines += ["## Machine and versions", "",
              f"- Machine: {m.get('cores')} cores ({m.get('cpu')}), {m.get('ram_gb')} GB RAM, disk {m.get('disk')}, "
              f"kernel {m.get('kernel')}, `ulimit -n` {m.get('ulimit_n')}.",
              f"- Load averages during the run: {'; '.join(data.get('load', [])[:3])} … "
              f"{(data.get('load') or ['?'])[-1]}.",
              f"- Litefleet {v.get('litefleet')} at git {v.get('git')}, Java runtime {v.get('java_runtime')}; "
              f"litestream {v.get('litestream')}; versitygw {v.get('versitygw')}; Python {v.get('python')}, "
              f"SQLite {v.get('sqlite')}.",
              f"- Knobs: {json.dumps(k)}.", ""]
    with open(out_path, "w") as f:
        f.write("\n".join(lines))
    return out_path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cost", default=None)
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    ap.add_argument("--label", help="a warning shown under the title (e.g. that the runs were smoke or loaded ones)")
    a = ap.parse_args()
    cost = a.cost or newest(os.path.join(HERE, "results-*.json"))
    if not cost:
        raise SystemExit("no bench/cost/results-*.json: run bench/cost/run.sh first, or pass --cost FILE")
    try:
        with open(cost) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise SystemExit(f"{cost}: not a cost benchmark result: {e}")
    if data.get("kind") != "cost":
        raise SystemExit(f"{cost}: not a cost benchmark result (no \"kind\": \"cost\")")
    print("wrote", render(data, os.path.abspath(cost), os.path.abspath(a.out), a.label))


if __name__ == "__main__":
    main()
