#!/usr/bin/env python3
"""Generates N small SQLite databases (WAL mode, one table, 5 rows) in the design's layout

    ROOT/p<i>/databases/d<j>/branches/b<k>/tenants/t<n>.db

100 tenants per tenants/ directory; directories are numbered 0.. and spread as p = dir//100, d = dir//10 % 10,
b = dir % 10 (N=100,000 gives 10 x 10 x 10 directories). Fast: one template database is built with sqlite3 and
its bytes are written to every path (the template was closed cleanly, so there is no -wal; the WAL journal mode
is persistent in the header). All databases therefore have the same content; that is irrelevant to replication
cost (each one still gets its own snapshot).

usage: gen.py N ROOT          prints the paths' count and elapsed seconds
       gen.py --list N ROOT   prints the paths only (no files written)
"""
import os, sqlite3, sys, tempfile, time

PER_DIR = 100


def path_of(root, n):
    d = n // PER_DIR
    return os.path.join(root, f"p{d // 100}", "databases", f"d{d // 10 % 10}", "branches", f"b{d % 10}",
                        "tenants", f"t{n}.db")


def template():
    with tempfile.TemporaryDirectory() as t:
        p = os.path.join(t, "tpl.db")
        c = sqlite3.connect(p)
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, ts REAL)")
        c.executemany("INSERT INTO t (v, ts) VALUES (?, ?)", [(f"row {i}", time.time()) for i in range(5)])
        c.commit()
        c.close()
        assert not os.path.exists(p + "-wal")
        with open(p, "rb") as f:
            return f.read()


def main():
    if sys.argv[1] == "--list":
        n, root = int(sys.argv[2]), sys.argv[3]
        for i in range(n):
            print(path_of(root, i))
        return
    n, root = int(sys.argv[1]), sys.argv[2]
    t0 = time.monotonic()
    data = template()
    made = None
    for i in range(n):
        p = path_of(root, i)
        d = os.path.dirname(p)
        if d != made:
            os.makedirs(d, exist_ok=True)
            made = d
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, data)
        os.close(fd)
    print(f"generated {n} databases ({len(data)} bytes each) under {root} in {time.monotonic() - t0:.1f} s")


if __name__ == "__main__":
    main()
