"""What identifies a record demo-gen made, and whether the record under an id is still it.

A record's identity is the fields that went into its signature (the parent, subject and start or
date; the parent and the person for links) plus the `CreatedById` and `CreatedDate` the org gave
it. The ledger keeps a snapshot of them, read back with the batch that created the record; reset
and the run-start check compare the record the org now holds under that id with the snapshot
(docs/adr/0004-identity-snapshots-and-ownership.md). A row recorded without a snapshot (schema 1)
is compared on the signature fields the row itself holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from demo_gen.ledger.store import ItemRow, identity_of
from demo_gen.stages.items import ANSWER_OBJECT, SCORECARD_OBJECT
from demo_gen.targets.base import BATCH_LIMIT, LedgerView, Verdicts
from demo_gen.targets.salesforce.client import soql_list

ORIGIN = ("CreatedById", "CreatedDate")

SIGNATURE_FIELDS: dict[str, tuple[str, ...]] = {
    "Event": ("WhatId", "Subject", "StartDateTime"),
    "EmailMessage": ("RelatedToId", "Subject", "MessageDate"),
    "Task": ("WhatId", "Subject", "ActivityDate"),
    "EventRelation": ("EventId", "RelationId"),
    "TaskRelation": ("TaskId", "RelationId"),
    "EmailMessageRelation": ("EmailMessageId", "RelationId"),
    SCORECARD_OBJECT: ("Opportunity__c", "Template__c"),
    ANSWER_OBJECT: ("Scorecard__c", "Element__c"),
}
"""sObject → the fields of its signature: (parent, subject, start) or (parent, person)."""

READ_CHUNK = BATCH_LIMIT


class Reader(Protocol):
    def query(self, soql: str) -> list[dict[str, Any]]: ...


def identity_fields(sobject: str) -> tuple[str, ...]:
    """The fields snapshotted for a record of `sobject`."""
    return (*SIGNATURE_FIELDS.get(sobject, ()), *ORIGIN)


def snapshot(sobject: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """The identity snapshot of a record as the org returned it."""
    return {name: record.get(name) for name in identity_fields(sobject)}


def read_records(
    crm: Reader, sobject: str, ids: Sequence[str], extra: Sequence[str] = ()
) -> dict[str, dict[str, Any]]:
    """`Id -> record` with the identity fields (and `extra` fields), one query per 200 ids.

    Ids that name no live record are simply absent.
    """
    fields = ", ".join(dict.fromkeys(("Id", *identity_fields(sobject), *extra)))
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        soql = f"SELECT {fields} FROM {sobject} WHERE Id IN {soql_list(chunk)}"
        found.update((rec["Id"], rec) for rec in crm.query(soql))
    return found


def mismatch(row: ItemRow, record: Mapping[str, Any], parent_id: str | None) -> str | None:
    """Why the record now under `row.remote_id` is not the one `row` made, or None if it is.

    `parent_id` is the record id of the row's parent (for a link without a snapshot).
    """
    expected = identity_of(row)
    if expected is None:
        expected = _expected_from_row(row, parent_id)
    for name, want in expected.items():
        have = record.get(name)
        if _norm(name, want) != _norm(name, have):
            return f"{row.record_type}.{name} is {have!r}, the ledger recorded {want!r}"
    return None


def verify(
    crm: Reader,
    ledger: LedgerView,
    target: str,
    rows: Sequence[ItemRow],
    check: Callable[[ItemRow, Mapping[str, Any]], str | None] | None = None,
    extra: Sequence[str] = (),
) -> Verdicts:
    """Read the records under `rows`' ids (one query per 200 per sObject) and compare each with
    its row; `check` may add a test of its own (reset: the run tag)."""
    out = Verdicts()
    parents = ledger.items_by_signature(target, [r.parent_signature or "" for r in rows])
    parent_ids = {sig: row.remote_id for sig, row in parents.items()}
    for sobject in sorted({r.record_type for r in rows}):
        group = [r for r in rows if r.record_type == sobject and r.remote_id]
        records = read_records(crm, sobject, [r.remote_id or "" for r in group], extra)
        for row in group:
            record = records.get(row.remote_id or "")
            if record is None:
                out.gone.append(row)
                continue
            out.records[row.signature] = record
            why = mismatch(row, record, parent_ids.get(row.parent_signature or ""))
            why = why or (check(row, record) if check else None)
            if why:
                out.foreign[row.signature] = why
            else:
                out.same.append(row)
    return out


def _expected_from_row(row: ItemRow, parent_id: str | None) -> dict[str, Any]:
    """The signature fields a schema-1 row holds, as the record's field values."""
    fields = SIGNATURE_FIELDS.get(row.record_type, ())
    if len(fields) == 2 and row.record_type != SCORECARD_OBJECT:  # a link: parent, person
        return {fields[0]: parent_id, fields[1]: row.subject}
    values: list[Any] = [row.opportunity_id, row.subject, row.planned_start]
    if row.record_type == "Task" and row.planned_start:
        values[2] = row.planned_start[:10]
    return dict(zip(fields, values, strict=False))


def _norm(name: str, value: Any) -> Any:
    """Values comparable across the org's datetime spellings and 15/18-character ids.

    `CreatedDate` keeps all the precision the org gives (a real org: the second; the local org:
    the millisecond); planned starts compare to the second, as they were written.
    """
    if not isinstance(value, str):
        return value
    if name in ("Subject", "Template__c", "Element__c"):
        return value.strip().lower()
    if "T" in value and value[:4].isdigit() and len(value) >= 19:
        if name in ORIGIN:
            return _instant(value)
        return value[:19]  # …T10:00:00.000+0000, …T10:00:00Z and +00:00 forms alike
    if len(value) == 18 and value.isalnum():
        return value[:15]
    return value


def _instant(value: str) -> str:
    """An ISO datetime in any of the org's spellings as UTC with microseconds."""
    text = value.replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"  # +0000 → +00:00
    try:
        return datetime.fromisoformat(text).astimezone(UTC).isoformat()
    except ValueError:
        return value


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), READ_CHUNK):
        yield values[start : start + READ_CHUNK]
