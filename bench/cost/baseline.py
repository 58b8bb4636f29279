#!/usr/bin/env python3
"""The design's "ultra-simple" baseline: every scan interval, stat every database under ROOT and upload a snapshot
(SQLite's online backup API) of each one whose file or -wal changed since its last upload. No WAL streaming, no
point-in-time restore: a restore downloads the newest snapshot.

    baseline.py --root DIR --endpoint http://127.0.0.1:PORT --bucket B --prefix P --log UPLOADS.tsv
                [--interval 30] [--uploaders 16] [--tmp DIR]

Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_REGION. Object key = P/<path relative to ROOT>.
A database's fingerprint (size and mtime of the file and of its -wal) is read before its backup starts, so a commit
that lands during the backup changes the fingerprint again and the next scan uploads it: never a missed commit,
at worst an extra upload. A failed upload leaves the old fingerprint, so it is retried at the next scan.

Log (TSV, CLOCK_MONOTONIC seconds, flushed after each scan):
    up  <relpath>  <page_count of the snapshot>  <bytes>  <t_backup_start>  <t_put_acknowledged>
    scan  <t_start>  <databases>  <changed>  <stat_seconds>  <total_seconds>  <failed>
Stops on SIGTERM/SIGINT after the upload in progress, or when its parent goes away.
"""
import argparse
import os
import queue
import signal
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s3mini import S3  # noqa: E402

mono = time.monotonic


def fingerprint(path):
    """Size and mtime of the database and of its -wal. An empty -wal holds no commit and counts as none: the
    snapshot's own read-only connection leaves one behind, which must not make every database "changed" again."""
    st = os.stat(path)
    try:
        w = os.stat(path + "-wal")
        wal = (w.st_size, w.st_mtime_ns) if w.st_size else None
    except FileNotFoundError:
        wal = None
    return st.st_size, st.st_mtime_ns, wal


def databases(root):
    """Every *.db under root (recursive), as litestream's directory mode with pattern "*.db" finds them."""
    out, stack = [], [root]
    while stack:
        with os.scandir(stack.pop()) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                elif e.name.endswith(".db"):
                    out.append(e.path)
    return out


def snapshot(src, dst):
    """Consistent copy with the backup API; returns the copy's page count."""
    for x in (dst, dst + "-journal"):
        if os.path.exists(x):
            os.remove(x)
    s = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=30)
    d = sqlite3.connect(dst)
    try:
        s.backup(d)
        return d.execute("PRAGMA page_count").fetchone()[0]
    finally:
        d.close()
        s.close()


class Baseline:
    def __init__(self, a):
        self.a = a
        self.seen = {}  # path -> fingerprint of the last uploaded snapshot
        self.halt = threading.Event()
        self.work = queue.Queue()
        self.lines = []
        self.lock = threading.Lock()

    def uploader(self, n):
        s3 = S3(self.a.endpoint, self.a.bucket, os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
                os.environ.get("AWS_REGION", "us-east-1"))
        tmp = os.path.join(self.a.tmp, f"snap-{n}.db")
        while True:
            item = self.work.get()
            if item is None:
                break
            path, fp, done = item
            rel = os.path.relpath(path, self.a.root)
            try:
                t0 = mono()
                pages = snapshot(path, tmp)
                with open(tmp, "rb") as f:
                    body = f.read()
                s3.put(f"{self.a.prefix}/{rel}", body)
                t1 = mono()
                with self.lock:
                    self.seen[path] = fp
                    self.lines.append(f"up\t{rel}\t{pages}\t{len(body)}\t{t0:.6f}\t{t1:.6f}\n")
            except (OSError, sqlite3.Error) as e:
                done["failed"] += 1
                print(f"{rel}: {e}", file=sys.stderr, flush=True)
            finally:
                self.work.task_done()
        s3.close()

    def scan_once(self):
        t0 = mono()
        changed, done = [], {"failed": 0}
        paths = databases(self.a.root)
        for p in paths:
            try:
                fp = fingerprint(p)
            except FileNotFoundError:
                continue
            if self.seen.get(p) != fp:
                changed.append((p, fp))
        t_stat = mono() - t0
        for p, fp in changed:
            self.work.put((p, fp, done))
        self.work.join()
        with self.lock:
            self.lines.append(f"scan\t{t0:.6f}\t{len(paths)}\t{len(changed)}\t{t_stat:.4f}\t{mono() - t0:.4f}\t"
                              f"{done['failed']}\n")

    def run(self, out):
        workers = [threading.Thread(target=self.uploader, args=(n,), name=f"baseline-upload-{n}")
                   for n in range(self.a.uploaders)]
        for w in workers:
            w.start()
        parent = os.getppid()
        nxt = mono()
        while not self.halt.is_set() and os.getppid() == parent:
            self.scan_once()
            with self.lock:
                batch, self.lines = self.lines, []
            out.writelines(batch)
            out.flush()
            nxt = max(nxt + self.a.interval, mono())
            self.halt.wait(max(0.0, nxt - mono()))
        for _ in workers:
            self.work.put(None)
        for w in workers:
            w.join()


def main():
    ap = argparse.ArgumentParser()
    for k in ("--root", "--endpoint", "--bucket", "--prefix", "--log"):
        ap.add_argument(k, required=True)
    ap.add_argument("--interval", type=float, default=30)
    ap.add_argument("--uploaders", type=int, default=16)
    ap.add_argument("--tmp", default=None)
    a = ap.parse_args()
    a.tmp = a.tmp or os.path.dirname(os.path.abspath(a.log))
    b = Baseline(a)
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda *_: b.halt.set())
    with open(a.log, "a") as out:
        b.run(out)


if __name__ == "__main__":
    main()
