"""The lock of a pack on an org: one row per holder, with a heartbeat its run keeps fresh.

A lock is taken over automatically when it is stale: its process is gone (same host), or its
heartbeat (the acquisition time for a lock without one) is older than `STALE_AFTER_S`. A run that
holds a lock refreshes its heartbeat every `HEARTBEAT_S` from a background thread, so a run killed
with `kill -9` on another host looks interrupted after `STALE_AFTER_S`, and on this host at once.

Lock times come from one clock for everyone who shares the store: on PostgreSQL the database
server's (a teammate whose clock runs 10 minutes ahead must not take a live lock over), on
SQLite this machine's (the file's only users are here).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from demo_gen import clock
from demo_gen.errors import StateError
from demo_gen.ledger.schema import locks

HEARTBEAT_S = 20.0
"""How often a running command refreshes its lock's heartbeat."""

STALE_AFTER_S = 300
"""A lock whose heartbeat is older than this is taken over (15 missed heartbeats)."""


@dataclass(frozen=True)
class LockHolder:
    """A row of the locks table."""

    pack: str
    target: str
    owner: str
    host: str
    pid: int
    acquired_at: str
    heartbeat_at: str | None = None

    @classmethod
    def mine(cls, pack: str, target: str, owner: str) -> LockHolder:
        """A lock row for this process, acquired now (`acquire` stamps it by the lock clock)."""
        now = _iso(client_now())
        return cls(pack, target, owner, socket.gethostname(), os.getpid(), now, now)

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> LockHolder:
        return cls(**values)

    def is_stale(self, stale_after_s: int = STALE_AFTER_S, now: datetime | None = None) -> bool:
        """True if its heartbeat is older than `stale_after_s` at `now` (this machine's clock
        if None), or its process here is gone."""
        beat = datetime.fromisoformat(
            (self.heartbeat_at or self.acquired_at).replace("Z", "+00:00")
        )
        if ((now or client_now()) - beat).total_seconds() > stale_after_s:
            return True
        return self.host == socket.gethostname() and not pid_alive(self.pid)


def client_now() -> datetime:
    """This machine's clock, in UTC."""
    return clock.now()


def lock_clock(conn: Connection) -> datetime:
    """The time lock rows are written and judged by: the database's on PostgreSQL."""
    if conn.dialect.name == "postgresql":
        server_now: datetime = conn.execute(select(func.clock_timestamp())).scalar_one()
        return server_now.astimezone(UTC)
    return client_now()


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def pid_alive(pid: int) -> bool:
    """True if a process with this id exists on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, and belongs to another user
        return True
    return True


def acquire(conn: Connection, display: str, holder: LockHolder, stale_after_s: int) -> str | None:
    """Insert `holder`'s lock, taking over a stale one; the owner taken over from, if any.

    `StateError` (exit 4) when a live run holds it.
    """
    now = lock_clock(conn)
    holder = replace(holder, acquired_at=_iso(now), heartbeat_at=_iso(now))
    key = (locks.c.pack == holder.pack, locks.c.target == holder.target)
    row = conn.execute(select(locks).where(*key)).first()
    current = None if row is None else LockHolder.of(row._asdict())
    if current is not None and not current.is_stale(stale_after_s, now):
        raise lock_held(display, holder.pack, holder.target, current, stale_after_s)
    if current is not None:  # a crashed or long-gone run: take its lock over
        conn.execute(delete(locks).where(*key, locks.c.acquired_at == current.acquired_at))
    try:
        conn.execute(insert(locks).values(**asdict(holder)))
    except IntegrityError as exc:  # another process inserted between our read and write
        raise lock_held(display, holder.pack, holder.target, None, stale_after_s) from exc
    return None if current is None else current.owner


def release(conn: Connection, pack: str, target: str, owner: str) -> None:
    """Delete the lock if this process holds it for `owner`."""
    t = locks.c
    conn.execute(
        delete(locks).where(
            t.pack == pack, t.target == target, t.owner == owner, t.pid == os.getpid()
        )
    )


def beat(conn: Connection, pack: str, target: str, owner: str) -> bool:
    """Refresh the heartbeat of this process's lock; False if it no longer holds it."""
    t = locks.c
    done = conn.execute(
        update(locks)
        .where(t.pack == pack, t.target == target, t.owner == owner, t.pid == os.getpid())
        .values(heartbeat_at=_iso(lock_clock(conn)))
    )
    return done.rowcount > 0


def live_owners(conn: Connection, stale_after_s: int = STALE_AFTER_S) -> set[str]:
    """The owners (run ids) of every lock that is not stale."""
    holders = [LockHolder.of(row._asdict()) for row in conn.execute(select(locks))]
    now = lock_clock(conn)
    return {h.owner for h in holders if not h.is_stale(stale_after_s, now)}


def lock_held(
    display: str, pack: str, target: str, holder: LockHolder | None, stale_after_s: int
) -> StateError:
    """The error for a lock of `pack` on `target` that `holder` has."""
    who = "unknown"
    if holder is not None:
        who = f"{holder.owner}, started {holder.acquired_at}, pid {holder.pid} on {holder.host}"
    return StateError(
        f"another demo-gen run ({who}) holds the lock for pack {pack} on {target}",
        hint=(
            "wait for it to finish; the lock of a process that died is taken over automatically "
            f"(at once on the same host, else once its heartbeat is {stale_after_s} s old), "
            f"so rerun then (state store: {display})"
        ),
    )
