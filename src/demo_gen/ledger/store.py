"""StateStore: the ledger of what demo-gen made, and the bookkeeping around it (DESIGN.md §3).

Each item (meeting, invitee, email, scorecard, answer) is keyed by `(target, signature)`: the
destination's ledger key ("salesforce:<org id>", targets/base.py) and the item's signature. The
crash
protocol is: `mark_pending` (commit) → send → `mark_created` (commit). Status moves only along

    (new) ──► pending ──► created ──► deleted
                 ▲  └──► failed ──┘  └──► foreign
                 └───────────────────────────┘   (a deleted, failed or foreign item may be
                                                   planned again)

and a created item is never downgraded: asking for it raises `ValueError`. `foreign` means reset
found a different record under the item's id (docs/adr/0004): it is never deleted nor retried.
A created row carries an identity snapshot (`identity`, JSON): the fields of its signature and the
CreatedById and CreatedDate the org gave it, read back with its batch. The store reads the clock
only for `updated_at` and lock timestamps; every other time is a string the caller passes in.
Any SQLAlchemy URL works; SQLite (the default) runs in WAL mode with a busy timeout.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from demo_gen.ledger import fastsql, locks, schema
from demo_gen.ledger import items as state_items
from demo_gen.ledger.engine import StoreEngine
from demo_gen.ledger.schema import SCHEMA_VERSION, chunks, now_iso

_CONTENT_BATCH = 100
"""Content rows inserted at a time, in the one transaction: a run's pins are never all held. A
deal's plan is about 17 KB of JSON; 100 rows rather than 500 kept pinning 2,000 deals 19 MB
lower (162 -> 142 MB)."""

__all__ = [
    "SCHEMA_VERSION",
    "UNFINISHED_RUN_STATUSES",
    "ItemRow",
    "ItemStatus",
    "RunRow",
    "StateStore",
]

ItemStatus = Literal["pending", "created", "failed", "deleted", "foreign"]

UNFINISHED_RUN_STATUSES: tuple[str, ...] = ("running", "interrupted")
"""Runs in these states did not finish: `latest_unfinished_run` offers them for resuming."""


@dataclass(frozen=True)
class ItemRow:
    """One planned record in the ledger."""

    signature: str
    run_id: str
    pack: str
    target: str  # the destination's ledger key (targets/base.py): "salesforce:<org id>"
    opportunity_id: str
    kind: str  # "meeting" | "invitee" | "email" | "email_message" | "scorecard" | "answer"
    record_type: str  # the target's word for the record: an sObject, a calendar component
    status: ItemStatus
    remote_id: str | None
    error_code: str | None
    error: str | None
    parent_signature: str | None  # e.g. an invitee's meeting
    planned_start: str | None  # ISO datetime of the planned activity, for reconciliation
    subject: str | None  # for reconciliation
    updated_at: str
    identity: str | None = None  # JSON: the record as the target made it (see `identity_of`)

    def with_remote_id(self, remote_id: str | None) -> ItemRow:
        """This row with `remote_id`: `dataclasses.replace` without a second `__init__` (a Bulk
        job settles hundreds of thousands of rows; the fields are flat values, shared)."""
        row = object.__new__(ItemRow)
        row.__dict__.update(self.__dict__, remote_id=remote_id)
        return row


_ITEM_FIELDS = tuple(f.name for f in fields(ItemRow))
"""The items table's columns in `ItemRow`'s order (the first is the signature)."""


@dataclass(frozen=True)
class RunRow:
    """One invocation of a writing command (run, smoke, reset)."""

    run_id: str
    pack: str
    org_id: str
    command: str
    status: str  # "running" | "completed" | "partial" | "failed" | "interrupted" | "reset"
    started_at: str
    finished_at: str | None
    config_fingerprint: str
    summary_json: str | None
    reset_json: str | None = None  # what the last reset of this run did


class StateStore(StoreEngine):
    """The ledger of runs, items, anchors, cached content and locks, behind one SQLAlchemy URL."""

    # -- runs -----------------------------------------------------------------------------------

    def start_run(self, run: RunRow) -> None:
        """Record `run`; for a known run id (a resume) set its status again and clear its finish."""
        with self._write() as conn:
            known = conn.execute(select(schema.runs).where(_run_is(run.run_id))).first()
            if known is None:
                conn.execute(insert(schema.runs).values(**asdict(run)))
                return
            if (known.pack, known.org_id) != (run.pack, run.org_id):
                raise ValueError(f"run {run.run_id} belongs to pack {known.pack} on {known.org_id}")
            conn.execute(
                update(schema.runs)
                .where(_run_is(run.run_id))
                .values(status=run.status, finished_at=None, summary_json=None)
            )

    def finish_run(
        self, run_id: str, status: str, finished_at: str, summary_json: str | None
    ) -> None:
        """Set a run's final status, finish time and summary; `ValueError` for an unknown run."""
        values = {"status": status, "finished_at": finished_at, "summary_json": summary_json}
        with self._write() as conn:
            done = conn.execute(update(schema.runs).where(_run_is(run_id)).values(**values))
            if done.rowcount == 0:
                raise ValueError(f"unknown run id {run_id}")

    def record_reset(self, run_id: str, status: str, reset_json: str) -> None:
        """Set a run's status after a reset and what the reset did; its summary is kept."""
        with self._write() as conn:
            conn.execute(
                update(schema.runs)
                .where(_run_is(run_id))
                .values(status=status, reset_json=reset_json)
            )

    def get_run(self, run_id: str) -> RunRow | None:
        """The run with this id, or None."""
        with self._read() as conn:
            row = conn.execute(select(schema.runs).where(_run_is(run_id))).first()
        return None if row is None else RunRow(**row._asdict())

    def list_runs(self) -> list[RunRow]:
        """Every run, newest first."""
        query = select(schema.runs).order_by(
            schema.runs.c.started_at.desc(), schema.runs.c.run_id.desc()
        )
        with self._read() as conn:
            return [RunRow(**row._asdict()) for row in conn.execute(query)]

    def latest_unfinished_run(self, pack: str, org_id: str) -> RunRow | None:
        """The newest run of `pack` on `org_id` whose status is in `UNFINISHED_RUN_STATUSES`."""
        r = schema.runs.c
        query = (
            select(schema.runs)
            .where(r.pack == pack, r.org_id == org_id, r.status.in_(UNFINISHED_RUN_STATUSES))
            .order_by(r.started_at.desc(), r.run_id.desc())
            .limit(1)
        )
        with self._read() as conn:
            row = conn.execute(query).first()
        return None if row is None else RunRow(**row._asdict())

    # -- selected opportunities -----------------------------------------------------------------

    def record_opportunities(self, run_id: str, opportunity_ids: Sequence[str]) -> None:
        """Append the ids not yet recorded for `run_id`, keeping their order."""
        t = schema.run_opportunities
        with self._write() as conn:
            rows = conn.execute(
                select(t.c.opportunity_id, t.c.position).where(t.c.run_id == run_id)
            )
            known = {row.opportunity_id: row.position for row in rows}
            start = max(known.values(), default=-1) + 1
            fresh = [o for o in dict.fromkeys(opportunity_ids) if o not in known]
            if fresh:
                values = [
                    {"run_id": run_id, "opportunity_id": o, "position": start + i}
                    for i, o in enumerate(fresh)
                ]
                conn.execute(insert(t), values)

    def run_opportunities(self, run_id: str) -> list[str]:
        """The opportunity ids recorded for `run_id`, in the order they were recorded."""
        t = schema.run_opportunities
        query = select(t.c.opportunity_id).where(t.c.run_id == run_id).order_by(t.c.position)
        with self._read() as conn:
            return list(conn.execute(query).scalars())

    # -- anchors --------------------------------------------------------------------------------

    def anchors(self, pack: str, org_id: str, opportunity_ids: Sequence[str]) -> dict[str, date]:
        """The stored anchor date of each of `opportunity_ids` that has one."""
        with self._read() as conn:
            return schema.select_anchors(conn, pack, org_id, opportunity_ids)

    def anchored(self, pack: str, org_id: str) -> list[str]:
        """The ids of every deal the pack has anchored in the org, sorted."""
        t = schema.anchors.c
        query = select(t.opportunity_id).where(t.pack == pack, t.org_id == org_id)
        with self._read() as conn:
            return sorted(conn.execute(query).scalars())

    def set_anchors(self, pack: str, org_id: str, anchors: Mapping[str, date]) -> None:
        """Store the anchors not stored yet; an anchor once set never changes."""
        with self._write() as conn:
            known = schema.select_anchors(conn, pack, org_id, list(anchors))
            values = [
                {"pack": pack, "org_id": org_id, "opportunity_id": o, "anchor_date": d.isoformat()}
                for o, d in anchors.items()
                if o not in known
            ]
            if values:
                conn.execute(insert(schema.anchors), values)

    # -- items ----------------------------------------------------------------------------------

    def items_by_signature(self, target: str, signatures: Sequence[str]) -> dict[str, ItemRow]:
        """The ledger rows of those `signatures` that are known on `target`."""
        with self._read() as conn:
            rows = fastsql.select_items(conn, target, signatures, _ITEM_FIELDS)
            return {row[0]: ItemRow(*row) for row in rows}

    def mark_pending(self, rows: Sequence[ItemRow], known: state_items.Known | None = None) -> None:
        """Record `rows` as pending, in one transaction; `ValueError` if any is already created.

        Rows are upserted on `(target, signature)`; the store sets status, remote_id, errors and
        updated_at. A pending, failed or deleted item is taken over by the row's run. Each row's
        `run_id` must have been started (`start_run`), else `ValueError`. `known`: what the
        caller already knows of these rows (`state_items.Known`), not read again.
        """
        with self._write() as conn:
            _upsert_pending(conn, rows, now_iso(), known)

    def mark_created(
        self,
        target: str,
        results: Mapping[str, str],
        identities: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        """Record `signature -> remote_id` as created, with identity snapshots, in one commit."""
        self.record_batch(target, results, {}, identities or {}, ())

    def record_batch(
        self,
        target: str,
        created: Mapping[str, str],
        failed: Mapping[str, tuple[str, str]],
        identities: Mapping[str, Mapping[str, Any]],
        owned: Sequence[ItemRow],
        pending: Sequence[ItemRow] = (),
        known: state_items.Known | None = None,
    ) -> None:
        """One batch's outcome in one transaction: created ids with their identity snapshots,
        failures, and `owned` rows — records the org made for us (an email's Task, an Event's
        relation), recorded as created by the same commit that records their parent.

        The same commit may also record `pending` rows of batches not sent yet (the write
        phase's ledger thread: one commit per batch, `ledger/writer_thread.py`). `known`: what the
        caller already knows of these rows (`state_items.Known`), not read again."""
        if not (created or failed or owned or pending):
            return
        now = now_iso()
        changes = {
            s: {
                "remote_id": i,
                "error_code": None,
                "error": None,
                "identity": _json(identities.get(s)),
            }
            for s, i in created.items()
        }
        with self._write() as conn:
            state_items.transition(conn, target, "created", changes, now, known)
            failures = {s: {"error_code": c, "error": m} for s, (c, m) in failed.items()}
            state_items.transition(conn, target, "failed", failures, now, known)
            state_items.insert_owned(conn, owned, now)
            _upsert_pending(conn, pending, now, known)

    def mark_failed(self, target: str, failures: Mapping[str, tuple[str, str]]) -> None:
        """Record `signature -> (error_code, message)` as failed, in one transaction."""
        changes = {s: {"error_code": c, "error": m} for s, (c, m) in failures.items()}
        self._transition(target, "failed", changes)

    def mark_deleted(self, target: str, signatures: Sequence[str]) -> None:
        """Record `signatures` as deleted from the target (remote_id kept), in one commit."""
        self._transition(target, "deleted", {s: {} for s in signatures})

    def mark_foreign(self, target: str, reasons: Mapping[str, str]) -> None:
        """Record `signature -> reason` as foreign: the id now holds a record we did not make."""
        changes = {s: {"error_code": "FOREIGN_RECORD", "error": r} for s, r in reasons.items()}
        self._transition(target, "foreign", changes)

    def owned_ids(self, target: str) -> dict[str, str]:
        """`remote_id -> signature` of every id any ledger row holds on `target`: all packs, runs
        and statuses. Reconcile never adopts one of these for another row."""
        t = schema.items.c
        query = select(t.remote_id, t.signature).where(t.target == target, t.remote_id.is_not(None))
        with self._read() as conn:
            return {remote_id: sig for remote_id, sig in conn.execute(query)}

    def created_sample(
        self, target: str, pack: str, per_type: int, kinds: Collection[str]
    ) -> list[ItemRow]:
        """Up to `per_type` created rows of each sObject among `kinds` of `pack` on
        `target`, in signature order (a hash: an even spread over runs and opportunities)."""
        t = schema.items.c
        out: list[ItemRow] = []
        with self._read() as conn:
            where = (
                t.target == target,
                t.pack == pack,
                t.status == "created",
                t.kind.in_(list(kinds)),
                t.remote_id.is_not(None),
            )
            types = conn.execute(select(t.record_type).where(*where).distinct()).scalars()
            for record_type in sorted(types):
                query = (
                    select(schema.items)
                    .where(*where, t.record_type == record_type)
                    .order_by(t.signature)
                    .limit(per_type)
                )
                out.extend(ItemRow(**row._asdict()) for row in conn.execute(query))
        return out

    def pending_items(self, target: str, pack: str) -> list[ItemRow]:
        """Every pending item of `pack` on `target`, whichever run left it: to reconcile first."""
        t = schema.items.c
        query = schema.ordered_items().where(
            t.target == target, t.pack == pack, t.status == "pending"
        )
        with self._read() as conn:
            return [ItemRow(**row._asdict()) for row in conn.execute(query)]

    def run_items(self, run_id: str, statuses: Collection[str] | None = None) -> list[ItemRow]:
        """The items owned by `run_id`, optionally only those in `statuses`."""
        t = schema.items.c
        query = schema.ordered_items().where(t.run_id == run_id)
        if statuses is not None:
            query = query.where(t.status.in_(list(statuses)))
        with self._read() as conn:
            return [ItemRow(**row._asdict()) for row in conn.execute(query)]

    def count_by_status(self, run_id: str) -> dict[str, dict[str, int]]:
        """`kind -> status -> count` of the items owned by `run_id`."""
        t = schema.items.c
        query = (
            select(t.kind, t.status, func.count())
            .where(t.run_id == run_id)
            .group_by(t.kind, t.status)
            .order_by(t.kind, t.status)
        )
        counts: dict[str, dict[str, int]] = {}
        with self._read() as conn:
            for kind, status, n in conn.execute(query):
                counts.setdefault(kind, {})[status] = n
        return counts

    def count_by_target(self, run_id: str) -> dict[str, dict[str, dict[str, int]]]:
        """`target -> kind -> status -> count` of the items owned by `run_id`."""
        t = schema.items.c
        query = (
            select(t.target, t.kind, t.status, func.count())
            .where(t.run_id == run_id)
            .group_by(t.target, t.kind, t.status)
            .order_by(t.target, t.kind, t.status)
        )
        counts: dict[str, dict[str, dict[str, int]]] = {}
        with self._read() as conn:
            for target, kind, status, n in conn.execute(query):
                counts.setdefault(target, {}).setdefault(kind, {})[status] = n
        return counts

    def count_by_run(self) -> dict[str, dict[str, int]]:
        """`run_id -> status -> count` of the items each run owns, for every run (one query)."""
        t = schema.items.c
        query = select(t.run_id, t.status, func.count()).group_by(t.run_id, t.status)
        counts: dict[str, dict[str, int]] = {}
        with self._read() as conn:
            for run_id, status, n in conn.execute(query):
                counts.setdefault(run_id, {})[status] = n
        return counts

    def own_records(
        self, target: str, pack: str, record_type: str
    ) -> list[tuple[str | None, str | None, str | None]]:
        """`(remote_id, subject, planned_start)` of every row of `pack` on `target` of one
        sObject, any run and status: three columns, not whole rows (a big ledger's runs)."""
        t = schema.items.c
        query = select(t.remote_id, t.subject, t.planned_start).where(
            t.target == target, t.pack == pack, t.record_type == record_type
        )
        with self._read() as conn:
            return [(r, s, p) for r, s, p in conn.execute(query)]

    def pack_marks(self, target: str, pack: str) -> dict[str, tuple[int, str]]:
        """`status -> (rows, latest updated_at)` of `pack`'s rows on `target`: what changes
        whenever the ledger does (one indexed query; commands/rerun.py's fast path compares it)."""
        t = schema.items.c
        query = (
            select(t.status, func.count(), func.max(t.updated_at))
            .where(t.target == target, t.pack == pack)
            .group_by(t.status)
            .order_by(t.status)
        )
        with self._read() as conn:
            return {status: (n, latest or "") for status, n, latest in conn.execute(query)}

    # -- content cache --------------------------------------------------------------------------

    def get_content(self, key: str) -> str | None:
        """The text pinned under `key`, or None."""
        t = schema.content
        with self._read() as conn:
            return conn.execute(select(t.c.value).where(t.c.key == key)).scalar()

    def put_content(self, key: str, value: str) -> None:
        """Pin `value` under `key`; a key already present keeps its first value."""
        t = schema.content
        with self._write() as conn:
            if conn.execute(select(t.c.key).where(t.c.key == key)).first() is None:
                conn.execute(insert(t).values(key=key, value=value, created_at=now_iso()))

    def contents_like(self, pattern: str) -> list[str]:
        """The texts pinned under keys matching the SQL LIKE `pattern`."""
        t = schema.content
        with self._read() as conn:
            return list(conn.execute(select(t.c.value).where(t.c.key.like(pattern))).scalars())

    def get_contents(self, keys: Sequence[str]) -> dict[str, str]:
        """The texts pinned under those of `keys` that have one."""
        t = schema.content
        out: dict[str, str] = {}
        with self._read() as conn:
            for chunk in chunks(keys):
                query = select(t.c.key, t.c.value).where(t.c.key.in_(chunk))
                out.update({key: value for key, value in conn.execute(query)})
        return out

    def put_contents(self, values: Mapping[str, str]) -> None:
        """Pin every `key -> value` in one transaction; keys already present keep their value."""
        t = schema.content
        with self._write() as conn:
            present: set[str] = set()
            for chunk in chunks(list(values)):
                present.update(conn.execute(select(t.c.key).where(t.c.key.in_(chunk))).scalars())
            rows: list[dict[str, str]] = []
            for key in values:  # a value is read only when its batch is due (pinning._Dumps)
                if key not in present:
                    rows.append({"key": key, "value": values[key], "created_at": now_iso()})
                if len(rows) >= _CONTENT_BATCH:
                    conn.execute(insert(t), rows)
                    rows = []
            if rows:
                conn.execute(insert(t), rows)

    # -- lock ---------------------------------------------------------------------------------

    @contextmanager
    def lock(
        self, pack: str, target: str, owner: str, *, stale_after_s: int = locks.STALE_AFTER_S
    ) -> Iterator[None]:
        """Hold the lock of `pack` on `target` for the block; `StateError` if another run has it.

        A stale lock (its process gone, or its heartbeat older than `stale_after_s`) is taken
        over, and the run that held it, if still marked running, is marked interrupted.
        """
        holder = locks.LockHolder.mine(pack, target, owner)
        with self._write() as conn:
            previous = locks.acquire(conn, self._display, holder, stale_after_s)
            if previous is not None and previous != owner:
                conn.execute(
                    update(schema.runs)
                    .where(_run_is(previous), schema.runs.c.status == "running")
                    .values(status="interrupted")
                )
        stop = threading.Event()
        beater = threading.Thread(
            target=self._beat_until,
            args=(stop, pack, target, owner),
            name=f"demo-gen-heartbeat-{owner}",
            daemon=True,
        )
        if not self._memory:  # an in-memory store has one connection and no other reader
            beater.start()
        try:
            yield
        finally:
            stop.set()
            if beater.is_alive():
                beater.join()
            with self._write() as conn:
                locks.release(conn, pack, target, owner)

    def _beat_until(self, stop: threading.Event, pack: str, target: str, owner: str) -> None:
        """The heartbeat thread: refresh the lock every `HEARTBEAT_S` until `stop` is set.

        A heartbeat that cannot be written (the store busy for longer than its timeout) is
        skipped; the next one tries again, and the lock goes stale only after many misses.
        """
        while not stop.wait(locks.HEARTBEAT_S):
            try:
                self.heartbeat(pack, target, owner)
            except SQLAlchemyError:
                continue

    def heartbeat(self, pack: str, target: str, owner: str) -> bool:
        """Refresh the heartbeat of the lock this process holds; False if it holds none."""
        with self._write() as conn:
            return locks.beat(conn, pack, target, owner)

    def live_lock_owners(self) -> set[str]:
        """The owners (run ids) of the locks whose run is alive."""
        with self._read() as conn:
            return locks.live_owners(conn)

    # -- internals ------------------------------------------------------------------------------

    def _transition(self, target: str, to: str, changes: Mapping[str, dict[str, Any]]) -> None:
        if changes:
            with self._write() as conn:
                state_items.transition(conn, target, to, changes, now_iso())


def _upsert_pending(
    conn: Connection, rows: Sequence[ItemRow], now: str, known: state_items.Known | None
) -> None:
    batches: dict[str, dict[str, ItemRow]] = {}
    for row in rows:
        batches.setdefault(row.target, {})[row.signature] = row
    for target, batch in batches.items():
        state_items.upsert_pending(conn, target, batch, now, known)


def _run_is(run_id: str) -> ColumnElement[bool]:
    return schema.runs.c.run_id == run_id


def identity_of(row: ItemRow) -> dict[str, Any] | None:
    """The identity snapshot of a row, or None for a row recorded without one (schema 1)."""
    if row.identity is None:
        return None
    value = json.loads(row.identity)
    return value if isinstance(value, dict) else None


def _json(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(dict(value), sort_keys=True, default=str)


def created_ids(ledger: Mapping[str, ItemRow]) -> dict[str, str]:
    """signature → remote id of the ledger rows whose record exists (status created)."""
    return {
        sig: row.remote_id
        for sig, row in ledger.items()
        if row.status == "created" and row.remote_id
    }
