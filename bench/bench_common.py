"""What the bench scripts share: a free loopback port, waiting for a served local org, and
running the CLI quietly. Imported by the scripts beside it (run as `python bench/NAME.py`)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, timeout_s: float = 60) -> None:
    """Return once the local org at `url` answers; RuntimeError after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_local/stats", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the local org at {url} did not start")


def cli(*args: str) -> None:
    """`demo-gen ARGS` in a subprocess, its stderr dropped; raises if it fails."""
    subprocess.run([sys.executable, "-m", "demo_gen", *args], check=True, stderr=subprocess.DEVNULL)


def serve_org(
    db: object, *extra: str, timeout_s: float = 60
) -> tuple[subprocess.Popen[bytes], str]:
    """`demo-gen org serve --db DB` on a free loopback port (`extra`: more of its options), once it
    answers: the process (the caller terminates it) and its URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "demo_gen", "org", "serve", "--db", str(db), "--port", str(port),
         *extra],
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url, timeout_s)
    except BaseException:
        server.terminate()  # it never answered: not left running
        raise
    return server, url
