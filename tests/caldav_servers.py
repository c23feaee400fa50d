"""Real CalDAV servers on loopback for the calendar tests: Radicale and Xandikos, each started
as a subprocess on a free port with its own storage directory, and stopped by its fixture.

Both are independent implementations (Radicale in pure Python, Xandikos on a Git store), so a
test that passes on both relies on the protocol, not on one server's leniency.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests


@dataclass(frozen=True)
class DavServer:
    name: str
    base: str  # http://127.0.0.1:PORT

    auth: tuple[str, str] | None = None  # (user, password) when the server asks for a login

    def make_calendar(self, user: str) -> str:
        """Create `{base}/{user}/calendar/` (and its parent) as a test set-up step."""
        from urllib.parse import quote

        home = f"{self.base}/{quote(user, safe='@')}/"
        status = requests.request("MKCOL", home, auth=self.auth, timeout=10).status_code
        assert status in (201, 405), f"MKCOL {home}: {status}"
        url = home + "calendar/"
        status = requests.request("MKCALENDAR", url, auth=self.auth, timeout=10).status_code
        assert status in (201,), f"MKCALENDAR {url}: {status}"
        return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _command(
    name: str, port: int, root: Path, htpasswd: Path | None, defaults: bool = False
) -> list[str]:
    if name == "radicale":
        auth = ["--auth-type", "none"]
        if htpasswd is not None:
            # --auth-delay 0: Radicale sleeps a second on every 401, and a client that sends
            # its login only when asked meets one on each new session (37 s of one run)
            auth = ["--auth-type", "htpasswd", "--auth-htpasswd-filename", str(htpasswd),
                    "--auth-htpasswd-encryption", "plain", "--auth-delay", "0"]  # fmt: skip
        return [
            sys.executable, "-m", "radicale",
            "--server-hosts", f"127.0.0.1:{port}",
            "--storage-filesystem-folder", str(root / "collections"),
            *auth,
            "--rights-type", "authenticated",
            "--logging-level", "warning",
        ]  # fmt: skip
    assert htpasswd is None, "Xandikos takes --htpasswd only with TLS (--autocert)"
    return [
        sys.executable, "-m", "xandikos.web",
        "-l", "127.0.0.1", "-p", str(port),
        "-d", str(root / "store"),
        "--state-dir", str(root / "state"),
        "--no-detect-systemd",
        *(["--defaults"] if defaults else []),  # the principal /user/ and its calendar
    ]  # fmt: skip


@contextmanager
def dav_server(
    name: str,
    root: Path,
    auth: tuple[str, str] | None = None,
    *,
    logins: dict[str, str] | None = None,
    defaults: bool = False,
) -> Iterator[DavServer]:
    """Start *name* ("radicale" or "xandikos") on a free loopback port; stop it after. With
    *auth* (Radicale) the server takes only that login (an htpasswd file), with *logins*
    (user -> password) those too; *defaults* (Xandikos): create its principal and calendar."""
    htpasswd = None
    users = dict(logins or {}) | (dict([auth]) if auth else {})
    if users:
        htpasswd = root / "htpasswd"
        htpasswd.write_text("".join(f"{u}:{p}\n" for u, p in users.items()))
    port = free_port()
    (root / "store").mkdir(parents=True, exist_ok=True)
    log = (root / f"{name}.log").open("wb")
    proc = subprocess.Popen(
        _command(name, port, root, htpasswd, defaults), stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait(proc, port, root / f"{name}.log")
        yield DavServer(name, f"http://127.0.0.1:{port}", auth)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"CalDAV server exited: {log.read_text(errors='replace')}")
        try:
            requests.request("OPTIONS", f"http://127.0.0.1:{port}/", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"CalDAV server did not start: {log.read_text(errors='replace')}")
