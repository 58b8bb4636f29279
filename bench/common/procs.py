"""Small process and /metrics helpers the benches share (bench/capture, bench/idle, bench/ops)."""
import os, signal, socket, subprocess, urllib.request


def free_port():
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_group(p, wait):
    """SIGTERM to p's process group, then SIGKILL if it has not exited within `wait` seconds."""
    if p and p.poll() is None:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(wait)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def samples(text):
    """Prometheus text format to {series: value}."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out


def metrics(port, timeout):
    """The samples of one GET of http://127.0.0.1:port/metrics."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=timeout) as r:
        return samples(r.read().decode())
