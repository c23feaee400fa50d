"""The local org: a Salesforce-compatible server on SQLite, reached over the real wire format.

`LocalOrgServer(Store(path))` serves it on 127.0.0.1; `Faults` injects failures. Clients reach
it with `demo_gen.targets.salesforce.transport.local_session(server.url)`, a `requests.Session` that
simple-salesforce can use unmodified (the adapter belongs to the client, not to this package).

The names below load on first use (PEP 562), so importing the package does not import the
server and its WSGI stack.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from demo_gen.local_org.app.wsgi import LocalOrgApp
    from demo_gen.local_org.faults import Faults
    from demo_gen.local_org.server import LocalOrgServer, serve_forever
    from demo_gen.local_org.store.core import Store

_HOMES = {
    "Faults": "faults",
    "LocalOrgApp": "app.wsgi",
    "LocalOrgServer": "server",
    "Store": "store.core",
    "serve_forever": "server",
}

__all__ = [
    "Faults",
    "LocalOrgApp",
    "LocalOrgServer",
    "Store",
    "serve_forever",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
