"""Reaching the local org with a client that only speaks `https://` (simple-salesforce).

`local_session(url)` returns a `requests.Session` whose https adapter sends every request to the
local org's plain-http address, keeping path and query (reference/salesforce-wire.md §1.2), so
`https://login.salesforce.com/services/Soap/u/59.0` arrives as `/services/Soap/u/59.0`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter


class LocalOrgAdapter(HTTPAdapter):
    """Rewrites `https://any-host/path?query` to `http://{target}/path?query`."""

    def __init__(self, target: str, **kwargs: Any) -> None:
        parts = urlsplit(target if "://" in target else f"http://{target}")
        if not parts.netloc:
            raise ValueError(f"not a local org address: {target!r}")
        self.target = parts.netloc
        super().__init__(**kwargs)

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: None | float | tuple[float, float] | tuple[float, None] = None,
        verify: bool | str = True,
        cert: None | bytes | str | tuple[bytes | str, bytes | str] = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send *request* to the local org instead of its https host."""
        url = urlsplit(request.url or "")
        request.headers["X-Original-Host"] = url.netloc
        request.url = urlunsplit(("http", self.target, url.path, url.query, url.fragment))
        return super().send(request, stream, timeout, False, cert, proxies)


def local_session(url: str) -> requests.Session:
    """A session that sends every `https://` request to the local org at *url*.

    `trust_env` is off so proxy and CA-bundle variables of the environment never interfere.
    """
    session = requests.Session()
    session.trust_env = False
    session.mount("https://", LocalOrgAdapter(url))
    return session
