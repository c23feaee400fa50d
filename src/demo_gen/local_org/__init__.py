"""The local org: a Salesforce-compatible server on SQLite, reached over the real wire format.

`LocalOrgServer(Store(path))` serves it on 127.0.0.1; `local_session(server.url)` gives a
`requests.Session` that simple-salesforce can use unmodified; `Faults` injects failures.
"""

from demo_gen.local_org.app import LocalOrgApp
from demo_gen.local_org.faults import Faults
from demo_gen.local_org.server import LocalOrgServer, serve_forever
from demo_gen.local_org.store import Store
from demo_gen.local_org.transport import LocalOrgAdapter, local_session

__all__ = [
    "Faults",
    "LocalOrgAdapter",
    "LocalOrgApp",
    "LocalOrgServer",
    "Store",
    "local_session",
    "serve_forever",
]
