"""The ledger's updates table (schema 5): each update's before- and after-values.

Statuses: `pending` (before-values committed, the update perhaps sent), `done` (the target took
it), `same` (the record already held the after-values: nothing was sent, nothing to restore),
`restored` (reset put the before-values back), `kept` (reset found the record changed since and
left it), `gone` (reset found the record deleted). A key appears once per target: an update is
made once, by the run that first found it due.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update

from demo_gen.ledger.schema import chunks, now_iso, updates
from demo_gen.ledger.store import StateStore


@dataclass(frozen=True)
class UpdateRow:
    """One update of one record."""

    target: str
    key: str
    run_id: str
    record_type: str
    record_id: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    status: str
    error: str | None = None


def _row(r: Any) -> UpdateRow:
    return UpdateRow(
        r.target, r.key, r.run_id, r.record_type, r.record_id,
        json.loads(r.before_json), json.loads(r.after_json), r.status, r.error,
    )  # fmt: skip


class UpdateLedger:
    """Reads and writes the updates table through a `StateStore`'s engine."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    def known(self, target: str, keys: Sequence[str]) -> dict[str, UpdateRow]:
        """The rows of those `keys` that have one."""
        t = updates
        out: dict[str, UpdateRow] = {}
        with self.store._read() as conn:
            for chunk in chunks(list(keys)):
                query = select(t).where(t.c.target == target, t.c.key.in_(chunk))
                out.update({r.key: _row(r) for r in conn.execute(query)})
        return out

    def record(self, rows: Sequence[UpdateRow]) -> None:
        """Insert rows (pending or same) in one transaction: durable before anything is sent."""
        if not rows:
            return
        values = [
            {
                "target": r.target, "key": r.key, "run_id": r.run_id,
                "record_type": r.record_type, "record_id": r.record_id,
                "before_json": json.dumps(r.before, sort_keys=True),
                "after_json": json.dumps(r.after, sort_keys=True),
                "status": r.status, "error": r.error, "updated_at": now_iso(),
            }
            for r in rows
        ]  # fmt: skip
        with self.store._write() as conn:
            conn.execute(insert(updates), values)

    def mark(self, target: str, statuses: Mapping[str, str], error: str | None = None) -> None:
        """Set the status of each key (key -> status) in one transaction."""
        t = updates
        with self.store._write() as conn:
            for key, status in statuses.items():
                conn.execute(
                    update(t)
                    .where(t.c.target == target, t.c.key == key)
                    .values(status=status, error=error, updated_at=now_iso())
                )

    def forget(self, target: str, keys: Collection[str]) -> None:
        """Drop rows whose update never reached the record: the next run makes it afresh."""
        t = updates
        with self.store._write() as conn:
            for chunk in chunks(list(keys)):
                conn.execute(t.delete().where(t.c.target == target, t.c.key.in_(chunk)))

    def of_run(self, run_id: str, statuses: Collection[str] | None = None) -> list[UpdateRow]:
        """The run's rows, in the order they were made."""
        t = updates
        query = select(t).where(t.c.run_id == run_id).order_by(t.c.updated_at, t.c.key)
        if statuses is not None:
            query = query.where(t.c.status.in_(list(statuses)))
        with self.store._read() as conn:
            return [_row(r) for r in conn.execute(query)]

    def pending(self, target: str) -> list[UpdateRow]:
        """Rows of any run still pending in `target` (a crash between record and mark)."""
        t = updates
        query = select(t).where(t.c.target == target, t.c.status == "pending")
        with self.store._read() as conn:
            return [_row(r) for r in conn.execute(query)]
