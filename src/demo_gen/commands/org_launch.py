"""Opening the configured org for a command: the launcher between the commands and the client.

For `salesforce.target: local` without `salesforce.local.url`, the org is embedded: this module
serves its database on loopback for as long as the command needs it, and hands the address to
the client (`crm.connect`). A real org, or a local org served by `demo-gen org serve`, is simply
connected to. The client side (`crm`, `crm_transport`) never imports the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from demo_gen.config.model import Config, Secrets
from demo_gen.errors import UsageError
from demo_gen.targets.salesforce.client import SalesforceCrm, connect


@contextmanager
def open_crm(config: Config, secrets: Secrets) -> Iterator[SalesforceCrm]:
    """The configured org's client; for the embedded local org, served while in use."""
    with local_org_address(config) as url:
        yield connect(config, secrets, url)


@contextmanager
def local_org_address(config: Config) -> Iterator[str | None]:
    """The address of the embedded local org, served while in the block; None when the
    configuration names a real org or a served one (`salesforce.local.url`)."""
    settings = config.salesforce
    if settings.target == "salesforce" or settings.local.url is not None:
        yield None
        return
    from demo_gen.local_org.server import LocalOrgServer
    from demo_gen.local_org.store.core import Store

    if not settings.local.db.exists():
        raise UsageError(
            f"the local org database {settings.local.db} does not exist",
            hint="create it with `demo-gen org init` (or run `make demo`)",
        )
    store = Store(settings.local.db)
    try:
        with LocalOrgServer(store) as server:
            yield server.url
    finally:
        store.close()
