"""The local org's commands as functions (`demo-gen org init`, `org serve`); see `demo_gen.api`.

Importing this module is cheap: the org's store, fixtures and server load with the first call.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from demo_gen import clock
from demo_gen.errors import StateError, UsageError

if TYPE_CHECKING:
    from demo_gen.local_org.server import LocalOrgServer
    from demo_gen.local_org.store.core import Store

DEFAULT_ORG_DB = "runs/local-org.sqlite"
ERROR_STATUSES = (503, 500, 403)


@dataclass(frozen=True)
class OrgInit:
    """What `org init` made: the records per object, the new Organization Id, the settings."""

    db: Path
    org_id: str
    counts: dict[str, int]
    settings: str  # e.g. "shared activities on, set audit fields on"
    relations: int  # EventRelation and TaskRelation rows added for Shared Activities
    seconds: float


@dataclass(frozen=True)
class ServedOrg:
    """A local org being served by `org_serve`: its address and the server itself."""

    url: str
    db: Path
    settings: str
    server: LocalOrgServer


def org_init(
    *,
    db: str | os.PathLike[str] = DEFAULT_ORG_DB,
    seed: int = 42,
    opportunities: int = 200,
    anchor_date: date | None = None,
    force: bool = False,
    shared_activities: bool = True,
    set_audit_fields: bool = True,
) -> OrgInit:
    """`demo-gen org init`: create the local org's seeded fixture data (around `anchor_date`,
    default today). Every init draws a new Organization Id; `force` replaces existing data."""
    import secrets

    from demo_gen.local_org import ids
    from demo_gen.local_org.fixture.build import FixtureSpec, backfill_relations, build_org
    from demo_gen.local_org.settings import OrgSettings

    if not 1 <= opportunities <= 100_000:
        raise UsageError(f"opportunities must be between 1 and 100000, not {opportunities}")
    path, started = Path(db), time.monotonic()
    store = open_store(path)
    try:
        if store.count("Opportunity", include_deleted=True) and not force:
            raise UsageError(
                f"the local org at {path} already has data", hint="pass --force to re-create it"
            )
        if force:
            store.clear()
        spec = FixtureSpec(
            anchor=anchor_date or clock.now().date(),
            seed=seed,
            opportunities=opportunities,
            org_serial=ids.random_serial(secrets.randbelow),
        )
        report = build_org(store, spec)
        settings = OrgSettings(shared_activities, set_audit_fields)
        settings.write(store)
        relations = backfill_relations(store, settings)  # as switching the setting on does
        org_id = store.meta("org_id") or ""
    finally:
        store.close()
    seconds = time.monotonic() - started
    return OrgInit(path, org_id, dict(report.counts), settings.describe(), relations, seconds)


@contextmanager
def org_serve(
    *,
    db: str | os.PathLike[str] = DEFAULT_ORG_DB,
    port: int = 8765,
    latency_ms: int = 0,
    error_rate: float = 0.0,
    error_status: int = 503,
    session_ttl: int | None = None,
    daily_limit: int | None = None,
    row_error_rate: float = 0.0,
    fault_seed: int = 0,
    jwt_cert: str | os.PathLike[str] | None = None,
    background: bool = True,
) -> Iterator[ServedOrg]:
    """`demo-gen org serve`: the local org on 127.0.0.1:`port` (0 picks one) while in the block.

    With `background` (the default) it serves from a thread; the CLI passes False and calls
    `local_org.server.serve_forever(served.server)` to serve until Ctrl-C.

    Example:
        with api.org_serve(db="runs/local-org.sqlite", port=0) as org:
            print(org.url)
    """
    from demo_gen.local_org.faults import Faults
    from demo_gen.local_org.server import LocalOrgServer
    from demo_gen.local_org.settings import OrgSettings

    path = Path(db)
    if not path.exists():
        raise UsageError(f"no local org at {path}", hint="create it with `demo-gen org init`")
    if error_status not in ERROR_STATUSES:
        raise UsageError(f"error_status must be one of 503, 500, 403, not {error_status}")
    faults = Faults(
        latency_ms=latency_ms,
        error_rate=error_rate,
        error_status=error_status,
        session_ttl=session_ttl,
        daily_limit=daily_limit,
        row_error_rate=row_error_rate,
        seed=fault_seed,
    )
    certificate = _jwt_certificate(None if jwt_cert is None else Path(jwt_cert))
    store = open_store(path)
    try:
        server = LocalOrgServer(store, port=port, faults=faults, jwt_certificate=certificate)
        try:
            server.bind()
        except OSError as exc:
            raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from exc
        if background:
            server.start()
        try:
            yield ServedOrg(server.url, path, OrgSettings.read(store).describe(), server)
        finally:
            server.stop()
    finally:
        store.close()


def open_store(db: Path) -> Store:
    """The local org's store at `db`; a StateError for a file that is not one."""
    from demo_gen.local_org.store.core import Store

    try:
        return Store(db)
    except (sqlite3.DatabaseError, RuntimeError) as exc:  # not a database, or a newer schema
        raise StateError(f"cannot open the local org database {db}: {exc}") from exc


def _jwt_certificate(path: Path | None) -> bytes | None:
    """The PEM bytes of `jwt_cert`, checked to hold an RSA certificate or public key."""
    from demo_gen.local_org.app.jwt import load_public_key

    if path is None:
        return None
    try:
        data = path.read_bytes()
        load_public_key(data)
    except (OSError, ValueError) as exc:
        raise UsageError(
            f"--jwt-cert {path}: not a PEM certificate or RSA public key ({exc})",
            hint="export the connected app's certificate as PEM (.crt)",
        ) from exc
    return data
