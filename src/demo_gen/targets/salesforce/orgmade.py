"""Read a batch back: identity snapshots, and the records the org made for it, owned at once.

One query per batch of up to 200 records (`identity.READ_CHUNK`):

- every sObject: the fields of the signature and `CreatedById`/`CreatedDate` (the snapshot);
- EmailMessage: also `ActivityId` and that Task's identity — the Task the org creates for each
  sent EmailMessage (kind `email_task`), found by its link, never by subject and day;
- with Shared Activities, the Task's `TaskRelation` rows (its Who and What; kind `task_relation`),
  one more query per batch — skipped for the rest of a run once a batch shows the org makes none;
- Event: also its `EventRelations` — a real org with Shared Activities creates one (IsParent) for
  the Event's `WhoId`. Each such row becomes a ledger row of kind `event_relation`; a row that is
  a planned invitee of that Event (same Event and person) is adopted under the invitee's
  signature instead, so the invitee is never inserted twice.

The caller records the batch, its snapshots and these rows in one ledger transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from demo_gen.errors import TargetError
from demo_gen.ledger.store import ItemRow
from demo_gen.stages.items import EMAIL_TASK, EVENT_RELATION, TASK_RELATION, email_task_signature
from demo_gen.targets.base import ReadBack
from demo_gen.targets.salesforce.client import soql_list
from demo_gen.targets.salesforce.identity import (
    READ_CHUNK,
    Reader,
    identity_fields,
    mismatch,
    read_records,
    snapshot,
)

_TASK = "Task"
_RELATION = "EventRelation"
_TASK_RELATION = "TaskRelation"
_RELATION_FIELDS = tuple(
    dict.fromkeys(("Id", "IsParent", "IsInvitee", *identity_fields(_RELATION)))
)
"""The fields of an Event's EventRelations that read-back reads."""


def relation_signature(parent_signature: str, relation_id: str) -> str:
    """The ledger identity of an EventRelation or TaskRelation the org made for our record."""
    return hashlib.sha256(f"{parent_signature}/relation/{relation_id}".encode()).hexdigest()


class Fetch(Protocol):
    """How read-back gets records: REST SOQL per 200 ids (`SoqlFetch`), or Bulk API 2.0 query
    jobs over the window of an ingest job (`bulk_readback.WindowFetch`)."""

    def records(
        self, sobject: str, ids: Sequence[str], extra: Sequence[str], relations: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """`Id -> record` with the identity fields and `extra`; with `relations` (fields of
        EventRelation), each Event's relations under `EventRelations` as `{"records": […]}`."""
        ...

    def task_relations(
        self, task_ids: Sequence[str], fields: Sequence[str]
    ) -> list[dict[str, Any]]:
        """The TaskRelation rows of these Tasks; TargetError INVALID_TYPE where the org has none."""
        ...


class SoqlFetch:
    """Read-back through REST queries: one per 200 ids (an Event's relations as a subquery)."""

    def __init__(self, crm: Reader) -> None:
        self._crm = crm

    def records(
        self, sobject: str, ids: Sequence[str], extra: Sequence[str], relations: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        if relations:
            extra = (*extra, f"(SELECT {', '.join(relations)} FROM EventRelations)")
        return read_records(self._crm, sobject, ids, extra)

    def task_relations(
        self, task_ids: Sequence[str], fields: Sequence[str]
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for start in range(0, len(task_ids), READ_CHUNK):
            chunk = list(task_ids[start : start + READ_CHUNK])
            soql = (
                f"SELECT {', '.join(fields)} FROM {_TASK_RELATION} WHERE TaskId IN "
                f"{soql_list(chunk)}"
            )
            out.extend(self._crm.query(soql))
        return out


def read_back(
    crm: Reader,
    rows: Sequence[ItemRow],
    *,
    invitees: Mapping[tuple[str, str], ItemRow] | None = None,
    owned_ids: Collection[str] = (),
    verify: bool = False,
    task_relations: bool = True,
    fetch: Fetch | None = None,
) -> ReadBack:
    """Snapshots of `rows` (created, one sObject, each with its `remote_id`) and the records the org
    made for them that no ledger row holds yet (`owned_ids`: ids some row already holds).

    `verify`: for rows recorded earlier (reset, a catch-up), take nothing from a record that is no
    longer the one its row made (an id the org reused): its Task is not ours either.
    `task_relations`: also read the TaskRelation rows of the emails' Tasks and of our own Tasks.
    `fetch`: how to read (default: REST queries through `crm`).
    """
    out = ReadBack()
    if not rows:
        return out
    source = fetch or SoqlFetch(crm)
    sobject = rows[0].record_type
    by_id = {r.remote_id: r for r in rows if r.remote_id}
    relations = _RELATION_FIELDS if sobject == "Event" else ()
    records = source.records(sobject, list(by_id), _extra_fields(sobject), relations)
    for remote_id, row in by_id.items():
        record = records.get(remote_id)
        if record is None:
            continue  # gone already: nothing to snapshot
        if verify and mismatch(row, record, None) is not None:
            continue
        out.records[row.signature] = record
        out.identities[row.signature] = snapshot(sobject, record)
        if sobject == "EmailMessage":
            out.owned.extend(_email_task(row, record, owned_ids))
        elif sobject == "Event":
            out.owned.extend(_relations(row, record, invitees or {}, owned_ids))
    tasks = [r for r in out.owned if r.kind == EMAIL_TASK]
    if sobject == _TASK:  # our own Tasks (calls, LinkedIn touches, emails logged as Tasks)
        tasks += [row for row in by_id.values() if row.signature in out.records]
    if task_relations and tasks:
        found = _task_relations(source, tasks, owned_ids)
        out.task_relations = found is not None and bool(found)
        out.owned.extend(found or [])
    return out


def _task_relations(
    source: Fetch, tasks: Sequence[ItemRow], owned_ids: Collection[str]
) -> list[ItemRow] | None:
    """The TaskRelation rows of these Tasks as owned rows; None where the org has no such object
    (Shared Activities off in a real org: INVALID_TYPE)."""
    by_id = {t.remote_id: t for t in tasks if t.remote_id}
    fields = tuple(dict.fromkeys(("Id", "IsWhat", *identity_fields(_TASK_RELATION))))
    try:
        records = source.task_relations(list(by_id), fields)
    except TargetError as exc:
        if "INVALID_TYPE" in str(exc):
            return None
        raise
    out: list[ItemRow] = []
    for rel in records:
        task = by_id.get(rel["TaskId"])
        if task is None or rel["Id"] in owned_ids:
            continue
        row = replace(
            task,
            signature=relation_signature(task.signature, rel["RelationId"]),
            kind=TASK_RELATION,
            record_type=_TASK_RELATION,
            parent_signature=task.signature,
            subject=rel["RelationId"],
            remote_id=rel["Id"],
        )
        out.append(_with_identity(row, snapshot(_TASK_RELATION, rel)))
    return out


def _extra_fields(sobject: str) -> tuple[str, ...]:
    if sobject == "EmailMessage":
        return ("ActivityId", *(f"Activity.{name}" for name in identity_fields(_TASK)))
    return ()


def _email_task(
    email: ItemRow, record: Mapping[str, Any], owned_ids: Collection[str]
) -> list[ItemRow]:
    task_id = record.get("ActivityId")
    if not task_id or task_id in owned_ids:
        return []
    task = record.get("Activity") or {}
    row = replace(
        email,
        signature=email_task_signature(email.signature),
        kind=EMAIL_TASK,
        record_type=_TASK,
        status="created",
        remote_id=task_id,
        parent_signature=email.signature,
        error_code=None,
        error=None,
    )
    return [_with_identity(row, snapshot(_TASK, task) if task else None)]


def _relations(
    event: ItemRow,
    record: Mapping[str, Any],
    invitees: Mapping[tuple[str, str], ItemRow],
    owned_ids: Collection[str],
) -> list[ItemRow]:
    nested = record.get("EventRelations") or {}
    out: list[ItemRow] = []
    for rel in nested.get("records", []) if isinstance(nested, Mapping) else []:
        if rel["Id"] in owned_ids:
            continue
        planned = invitees.get((event.signature, rel["RelationId"]))
        base = planned or replace(
            event,
            signature=relation_signature(event.signature, rel["RelationId"]),
            kind=EVENT_RELATION,
            record_type=_RELATION,
            parent_signature=event.signature,
            subject=rel["RelationId"],
        )
        row = replace(base, status="created", remote_id=rel["Id"], error_code=None, error=None)
        out.append(_with_identity(row, snapshot(_RELATION, rel)))
    return out


def _with_identity(row: ItemRow, values: Mapping[str, Any] | None) -> ItemRow:
    text = None if values is None else json.dumps(dict(values), sort_keys=True, default=str)
    return replace(row, identity=text)


__all__ = [
    "EVENT_RELATION",
    "READ_CHUNK",
    "TASK_RELATION",
    "ReadBack",
    "read_back",
    "relation_signature",
]
