"""Serving the local org on loopback: a threaded werkzeug server in a daemon thread.

Example:
    with LocalOrgServer(Store(), faults=Faults(latency_ms=5)) as server:
        session = local_session(server.url)      # demo_gen.targets.salesforce.transport
        ...
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType, TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from demo_gen.local_org.app.wsgi import LocalOrgApp
from demo_gen.local_org.faults import Faults
from demo_gen.local_org.store.core import Store

HOST = "127.0.0.1"
POLL_SECONDS = 0.05  # how fast stop() takes effect


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without the per-request access log line."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class LocalOrgServer:
    """A `LocalOrgApp` served on 127.0.0.1 (port 0 picks a free port); a context manager."""

    def __init__(
        self,
        store: Store,
        *,
        port: int = 0,
        faults: Faults | None = None,
        quiet: bool = True,
        **app_kwargs: Any,
    ) -> None:
        self.app = LocalOrgApp(store, faults, **app_kwargs)
        self._port = port
        self._quiet = quiet
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port (only once started)."""
        if self._server is None:
            raise RuntimeError("the local org server is not running")
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        """`http://127.0.0.1:{port}` of the running server."""
        return f"http://{HOST}:{self.port}"

    def bind(self) -> BaseWSGIServer:
        """Bind the socket without serving yet (idempotent)."""
        if self._server is None:
            handler = _QuietHandler if self._quiet else WSGIRequestHandler
            self._server = make_server(
                HOST, self._port, self.app, threaded=True, request_handler=handler
            )
        return self._server

    def start(self) -> LocalOrgServer:
        """Serve in a daemon thread; returns self."""
        server = self.bind()
        if self._thread is None:
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": POLL_SECONDS},
                name="local-org",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the socket and join the thread."""
        if self._server is None:
            return
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()
        self._server, self._thread = None, None

    def __enter__(self) -> LocalOrgServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_forever(server: LocalOrgServer) -> None:
    """Serve in the calling (main) thread until SIGINT or SIGTERM, then close cleanly."""
    wsgi = server.bind()
    stopper: list[threading.Thread] = []

    def shutdown(signum: int, frame: FrameType | None) -> None:
        # shutdown() blocks until serve_forever returns, so it must run on another thread
        if not stopper:
            stopper.append(threading.Thread(target=wsgi.shutdown, daemon=True))
            stopper[0].start()

    previous = {sig: signal.signal(sig, shutdown) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        logging.getLogger(__name__).info("local org serving on %s", server.url)
        wsgi.serve_forever(poll_interval=POLL_SECONDS)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        wsgi.server_close()
