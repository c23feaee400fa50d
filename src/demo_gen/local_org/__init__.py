"""The local org: a Salesforce-compatible server on SQLite, reached over the real wire format.

`LocalOrgServer(Store(path))` serves it on 127.0.0.1; `local_session(server.url)` gives a
`requests.Session` that simple-salesforce can use unmodified; `Faults` injects failures.

The names below load on first use (PEP 562), so a client that only needs `local_session`
(`demo_gen.local_org.transport`) does not import the server and its WSGI stack.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from demo_gen.local_org.app import LocalOrgApp
    from demo_gen.local_org.faults import Faults
    from demo_gen.local_org.server import LocalOrgServer, serve_forever
    from demo_gen.local_org.store import Store
    from demo_gen.local_org.transport import LocalOrgAdapter, local_session

_HOMES = {
    "Faults": "faults",
    "LocalOrgAdapter": "transport",
    "LocalOrgApp": "app",
    "LocalOrgServer": "server",
    "Store": "store",
    "local_session": "transport",
    "serve_forever": "server",
}

__all__ = [
    "Faults",
    "LocalOrgAdapter",
    "LocalOrgApp",
    "LocalOrgServer",
    "Store",
    "local_session",
    "serve_forever",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
