"""The loopback server's lifecycle and the https-rewriting transport."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
import requests

from demo_gen.local_org import LocalOrgServer, Store
from demo_gen.targets.salesforce.transport import LocalOrgAdapter, local_session

SCRIPT = """
import sys
from demo_gen.local_org import LocalOrgServer, Store, serve_forever
server = LocalOrgServer(Store())
server.bind()
print(server.url, flush=True)
serve_forever(server)
print("stopped", flush=True)
"""


def test_start_stop_and_context_manager():
    server = LocalOrgServer(Store()).start()
    url = server.url
    assert url.startswith("http://127.0.0.1:")
    assert requests.get(f"{url}/_local/stats", timeout=5).status_code == 200
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_local/stats", timeout=2)
    with pytest.raises(RuntimeError):
        _ = server.url


def test_transport_rewrites_https_to_the_org():
    with LocalOrgServer(Store()) as server:
        session = local_session(server.url)
        assert session.trust_env is False
        r = session.get("https://login.salesforce.com/_local/stats?x=1")
        assert r.status_code == 200
        assert r.request.headers["X-Original-Host"] == "login.salesforce.com"
        assert r.url == f"{server.url}/_local/stats?x=1"
    with pytest.raises(ValueError):
        LocalOrgAdapter("http://")


def test_serve_forever_stops_on_sigterm():
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert requests.get(f"{url}/_local/stats", timeout=5).status_code == 200
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert "stopped" in out
