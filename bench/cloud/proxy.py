#!/usr/bin/env python3
"""A loopback HTTP/1.1 proxy in front of an S3 server that adds a fixed delay to every request and logs each one.

    proxy.py --listen PORT --upstream HOST:PORT --delay-ms 50 --log EVENTS.tsv [--max-seconds S]

Each request head is read, held DELAY ms, then forwarded on the connection's own upstream connection (one per client
connection, keep-alive mirrored), so requests on different connections are delayed in parallel, as with a store far
away. `Expect: 100-continue` is answered by the proxy at once and not forwarded (the delay is then paid once, before
the head goes upstream). Bodies are streamed both ways (Content-Length or chunked; never held in memory).

One TSV line per finished request (written through a buffer, flushed every 0.5 s):
    t_head t_done method op status bytes_up bytes_down who db level ltx_min ltx_max ltx_commit deleted_keys
    held body_s server_s
t_head = CLOCK_MONOTONIC when the request head arrived, t_done = when the server's whole answer had arrived (for a
PUT, the object is visible from then on); held = head arrival -> head sent upstream (the delay plus any event-loop
lateness), body_s = sending the request body (as fast as the client sends it), server_s = body sent -> the
server's answer head arrived (the server's own time, plus this loop's lateness). `who` is the first path segment of the key (or of a LIST's prefix=), `db`
the segment before the level directory of an .ltx key (`<path>/<level %04x>/<min>-<max>.ltx`, upstream's S3 layout),
ltx_commit the database size in pages after the file (LTX header, read from the first bytes of a PUT body),
deleted_keys the number of <Key> elements in a DeleteObjects body. Missing values are '-'.

Stops by itself: on SIGTERM/SIGINT, when its parent process goes away, and after --max-seconds. Stdlib only.
"""
import argparse
import asyncio
import os
import signal
import struct
import sys
import time
import urllib.parse

mono = time.monotonic
LINES = []
STATS = {"client_connections": 0, "upstream_connections": 0, "requests": 0}


def classify(method, path, query):
    q = urllib.parse.parse_qs(query, keep_blank_values=True)
    key = path.split("/", 2)[2] if path.count("/") >= 2 else ""
    if method == "HEAD":
        return "head"
    if method == "GET":
        if "uploads" in q:
            return "list_mpu"
        if "uploadId" in q:
            return "list_parts"
        return "list" if not key else "get"
    if method == "PUT":
        if "partNumber" in q:
            return "put_part"
        return "put" if key else "create_bucket"
    if method == "POST":
        if "uploads" in q:
            return "mpu_create"
        if "uploadId" in q:
            return "mpu_complete"
        if "delete" in q:
            return "delete_batch"
        return "post"
    if method == "DELETE":
        return "mpu_abort" if "uploadId" in q else "delete"
    return method.lower()


def describe(path, query):
    """(who, db, level, min, max) from an object key or a LIST prefix."""
    key = urllib.parse.unquote(path.split("/", 2)[2]) if path.count("/") >= 2 else ""
    if not key:
        q = urllib.parse.parse_qs(query, keep_blank_values=True)
        key = q.get("prefix", [""])[0]
    parts = key.split("/")
    who = parts[0] or "-"
    db = level = lo = hi = "-"
    if parts[-1].endswith(".ltx") and len(parts) >= 3:
        db, level = parts[-3], parts[-2]
        try:
            a, b = parts[-1][:-4].split("-")
            lo, hi = str(int(a, 16)), str(int(b, 16))
        except ValueError:
            pass
    else:  # a LIST prefix or another key: <who>/.../<db>[/<level>][/]
        parts = [p for p in parts if p]
        if parts and len(parts[-1]) == 4 and all(ch in "0123456789abcdef" for ch in parts[-1]):
            level = parts.pop()
        if len(parts) >= 2:
            db = parts[-1]
    return who, db, level, lo, hi


def ltx_commit(first):
    i = first.find(b"LTX1")
    if i < 0 or len(first) < i + 16:
        return "-"
    return str(struct.unpack(">I", first[i + 12:i + 16])[0])


async def read_head(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head[:-4].split(b"\r\n")
    hdrs = []
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        hdrs.append((name.strip().lower().decode("latin-1"), value.strip().decode("latin-1")))
    return lines[0].decode("latin-1"), hdrs


def header(hdrs, name):
    for n, v in hdrs:
        if n == name:
            return v
    return None


def serialize(first_line, hdrs, drop=()):
    out = [first_line]
    for n, v in hdrs:
        if n not in drop:
            out.append(f"{n}: {v}")
    return ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")


async def relay_body(reader, writer, hdrs, keep=0, until_eof=False):
    """Copies one message body; returns (bytes, first `keep` bytes)."""
    n = 0
    kept = bytearray()

    def take(data):
        nonlocal n
        n += len(data)
        if len(kept) < keep:
            kept.extend(data[:keep - len(kept)])
        writer.write(data)

    te = (header(hdrs, "transfer-encoding") or "").lower()
    if "chunked" in te:
        while True:
            line = await reader.readuntil(b"\r\n")
            writer.write(line)
            size = int(line.split(b";")[0].strip(), 16)
            if size == 0:
                while True:  # trailers, then the empty line
                    t = await reader.readuntil(b"\r\n")
                    writer.write(t)
                    if t == b"\r\n":
                        break
                break
            left = size
            while left:
                data = await reader.read(min(65536, left))
                if not data:
                    raise ConnectionError("eof in chunk")
                take(data)
                left -= len(data)
                await writer.drain()
            writer.write(await reader.readexactly(2))
    elif header(hdrs, "content-length") is not None:
        left = int(header(hdrs, "content-length"))
        while left:
            data = await reader.read(min(65536, left))
            if not data:
                raise ConnectionError("eof in body")
            take(data)
            left -= len(data)
            await writer.drain()
    elif until_eof:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            take(data)
            await writer.drain()
    await writer.drain()
    return n, bytes(kept)


class Proxy:
    def __init__(self, upstream, delay):
        self.host, self.port = upstream.rsplit(":", 1)
        self.delay = delay

    async def handle(self, creader, cwriter):
        up = None
        STATS["client_connections"] += 1
        try:
            while True:
                try:
                    first_line, hdrs = await read_head(creader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                t_head = mono()
                method, target, _ = first_line.split(" ", 2)
                path, _, query = target.partition("?")
                if (header(hdrs, "expect") or "").lower() == "100-continue":
                    cwriter.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                await asyncio.sleep(self.delay)
                if up is not None and up[0].at_eof():  # the server closed the idle connection
                    up[1].close()
                    up = None
                if up is None:
                    up = await asyncio.open_connection(self.host, int(self.port), limit=1 << 20)
                    STATS["upstream_connections"] += 1
                ureader, uwriter = up
                t_fwd = mono()
                uwriter.write(serialize(first_line, hdrs, drop=("expect",)))
                op = classify(method, path, query)
                keep = 1 << 20 if op == "delete_batch" else (512 if method == "PUT" else 0)
                up_bytes, first = await relay_body(creader, uwriter, hdrs, keep)
                t_body = mono()
                while True:
                    status_line, rhdrs = await read_head(ureader)
                    status = int(status_line.split(" ", 2)[1])
                    if status >= 200 or status == 101:
                        break
                t_resp = mono()
                cwriter.write(serialize(status_line, rhdrs))
                if method == "HEAD" or status in (204, 304):
                    down = 0
                else:
                    down, _ = await relay_body(ureader, cwriter, rhdrs, 0, until_eof=True)
                t_done = mono()
                STATS["requests"] += 1
                who, db, level, lo, hi = describe(path, query)
                commit = ltx_commit(first) if method == "PUT" and status < 300 and hi != "-" else "-"
                deleted = str(first.count(b"<Key>")) if op == "delete_batch" else "-"
                LINES.append(f"{t_head:.6f}\t{t_done:.6f}\t{method}\t{op}\t{status}\t{up_bytes}\t{down}\t{who}\t{db}\t"
                             f"{level}\t{lo}\t{hi}\t{commit}\t{deleted}\t{t_fwd - t_head:.4f}\t{t_body - t_fwd:.4f}\t"
                             f"{t_resp - t_body:.4f}\n")
                closing = "close" in (header(hdrs, "connection") or "").lower() or \
                          "close" in (header(rhdrs, "connection") or "").lower()
                if closing:
                    return
        except (asyncio.IncompleteReadError, ConnectionError, OSError, ValueError, IndexError) as e:
            LINES.append(f"{mono():.6f}\t{mono():.6f}\tERR\tproxy_error\t0\t0\t0\t-\t-\t-\t-\t-\t-\t{type(e).__name__}\n")
        finally:
            for w in (cwriter, up[1] if up else None):
                if w is not None:
                    try:
                        w.close()
                    except Exception:
                        pass


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--delay-ms", type=float, default=50)
    ap.add_argument("--log", required=True)
    ap.add_argument("--max-seconds", type=float, default=6 * 3600)
    a = ap.parse_args()
    parent = os.getppid()
    proxy = Proxy(a.upstream, a.delay_ms / 1000)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", a.listen, limit=1 << 20, backlog=4096)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    deadline = mono() + a.max_seconds
    next_stats = mono() + 60
    print(f"proxy 127.0.0.1:{a.listen} -> {a.upstream}, +{a.delay_ms:g} ms per request", flush=True)
    with open(a.log, "a", buffering=1 << 20) as out:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), 0.5)
            except asyncio.TimeoutError:
                pass
            if LINES:
                batch = LINES[:]
                del LINES[:len(batch)]
                out.writelines(batch)
                out.flush()
            if mono() > next_stats:
                print(time.strftime("%H:%M:%S"), STATS, flush=True)
                next_stats += 60
            if os.getppid() != parent or mono() > deadline:
                print("parent gone or --max-seconds reached: stopping", flush=True)
                break
        server.close()
        out.writelines(LINES)
    print(time.strftime("%H:%M:%S"), "stopping:", STATS, flush=True)
    sys.exit(0)


if __name__ == "__main__":
    asyncio.run(main())
