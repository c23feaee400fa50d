"""Item-row writes inside one transaction: pending upserts, status moves, org-made rows.

Functions of a `Connection`, so that `StateStore` can put several into one commit (a batch's
ids, snapshots, failures and the records the org made for it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from sqlalchemy import Connection, insert
from sqlalchemy.exc import IntegrityError

from demo_gen.ledger import fastsql, schema

Known: TypeAlias = Mapping[str, tuple[str, str | None] | None]
"""What a writer already knows of rows: `signature -> (status, remote_id)`, None for a signature
with no row. A signature it does not know is read; what it knows is never read again."""


def states(
    conn: Connection, target: str, sigs: Sequence[str], known: Known | None = None
) -> dict[str, tuple[str, str | None]]:
    """`signature -> (status, remote_id)` of those `sigs` that have a row: from `known` where it
    says, read (one query per chunk) for the rest."""
    if known is None:
        return _read_states(conn, target, sigs)
    out = {s: v for s in sigs if s in known and (v := known[s]) is not None}
    unknown = [s for s in sigs if s not in known]
    if unknown:
        out.update(_read_states(conn, target, unknown))
    return out


def _read_states(
    conn: Connection, target: str, sigs: Sequence[str]
) -> dict[str, tuple[str, str | None]]:
    """`signature -> (status, remote_id)` of the known `sigs`, read through `fastsql`."""
    rows = fastsql.select_items(conn, target, sigs, fastsql.STATE_COLUMNS)
    return {sig: (status, remote_id) for sig, status, remote_id in rows}


def _insert(conn: Connection, values: Sequence[Mapping[str, Any]]) -> None:
    fastsql.execute_many(conn, "items.insert", lambda: insert(schema.items), values)


def _update(conn: Connection, values: Sequence[Mapping[str, Any]]) -> None:
    """`schema.item_update()` once per set of values (keyed by `k_target` and `k_sig`)."""
    fastsql.execute_many(conn, "items.update", schema.item_update, values)


def upsert_pending(
    conn: Connection, target: str, batch: Mapping[str, Any], now: str, known: Known | None = None
) -> None:
    """Rows of `batch` (signature -> ItemRow) pending; `ValueError` if any is created."""
    found = states(conn, target, list(batch), known)
    created = [sig for sig, (status, _) in found.items() if status == "created"]
    if created:
        raise ValueError(
            f"{len(created)} item(s) on {target} are already created (e.g. {created[0]}); "
            "a created item is never marked pending again"
        )
    reset = {"status": "pending", "remote_id": None, "error_code": None, "error": None}
    # vars(), not dataclasses.asdict(): the rows hold only flat values, and asdict's deep
    # copy was most of the cost of recording a large run
    values = [vars(row) | reset | {"updated_at": now} for row in batch.values()]
    fresh = [v for v in values if v["signature"] not in found]
    again = [
        v | {"k_target": v["target"], "k_sig": v["signature"]}
        for v in values
        if v["signature"] in found
    ]
    try:
        _insert(conn, fresh)
        _update(conn, again)
    except IntegrityError as exc:  # items.run_id → runs, or a row `known` said was not there
        raise ValueError(
            f"a row names a run that was not started, or is already there: {exc.orig}"
        ) from exc


def transition(
    conn: Connection,
    target: str,
    to: str,
    changes: Mapping[str, dict[str, Any]],
    now: str,
    known: Known | None = None,
) -> None:
    """Move the items of `changes` (signature -> new values) to status `to`, if each may."""
    if not changes:
        return
    params = [
        {"k_target": target, "k_sig": sig, "status": to, "updated_at": now} | extra
        for sig, extra in changes.items()
    ]
    found = states(conn, target, list(changes), known)
    for sig, extra in changes.items():
        schema.check_transition(target, sig, found.get(sig), to, extra.get("remote_id"))
    _update(conn, params)


def insert_owned(conn: Connection, rows: Sequence[Any], now: str) -> None:
    """ItemRows for records the org made: created at once (kept as they are when already
    created with the same id; `ValueError` when created with another)."""
    by_target: dict[str, list[Any]] = {}
    for row in rows:
        by_target.setdefault(row.target, []).append(row)
    for target, group in by_target.items():
        known = _read_states(conn, target, [r.signature for r in group])
        for row in group:
            schema.check_owned(target, row.signature, known.get(row.signature), row.remote_id)
        fresh = [
            vars(r) | {"status": "created", "updated_at": now}
            for r in group
            if r.signature not in known or known[r.signature][0] != "created"
        ]
        again = [
            v | {"k_target": v["target"], "k_sig": v["signature"]}
            for v in fresh
            if v["signature"] in known
        ]
        new = [v for v in fresh if v["signature"] not in known]
        _insert(conn, new)
        _update(conn, again)
