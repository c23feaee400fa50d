"""The export's tables: one per kind, typed columns, a row per record. Pure.

Every table starts with the record's signature, the run that made it, its deal, and then, for each
target, the target's account (the org id), the record's id there and its ledger status
(`salesforce_account`, `salesforce_id`, `salesforce_status`): a new target adds three columns here
and rows in `target_ids`, the long form of the same ids. The record's own fields follow, under
target-neutral names; times are aware datetimes in UTC, and a meeting carries its organizer's
IANA `time_zone`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

from demo_gen.export.source import TARGET, LedgerRow
from demo_gen.stages.items import (
    ANSWER,
    CALL,
    EMAIL,
    EMAIL_RELATION,
    INVITEE,
    MEETING,
    SCORECARD,
    WorkItem,
)

ColumnType = Literal["string", "int", "float", "bool", "timestamp", "strings"]
Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


_S: Final = "string"
_I: Final = "int"
_F: Final = "float"
_B: Final = "bool"
_T: Final = "timestamp"
_Field = tuple[str, ColumnType, Callable[[WorkItem, Mapping[str, str]], Any]]


def _rec(name: str) -> Callable[[WorkItem, Mapping[str, str]], Any]:
    return lambda item, _zones: item.record.get(name)


def _when(name: str) -> Callable[[WorkItem, Mapping[str, str]], Any]:
    return lambda item, _zones: parse_time(item.record.get(name))


def _start(item: WorkItem, _zones: Mapping[str, str]) -> datetime | None:
    return parse_time(item.planned_start)


def _parent(item: WorkItem, _zones: Mapping[str, str]) -> str | None:
    return item.parent


def _zone(item: WorkItem, zones: Mapping[str, str]) -> str | None:
    return zones.get(str(item.record.get("OwnerId")))


def _first(*names: str) -> Callable[[WorkItem, Mapping[str, str]], Any]:
    return lambda item, _z: next((item.record[n] for n in names if n in item.record), None)


_FIELDS: dict[str, tuple[str, tuple[_Field, ...]]] = {
    MEETING: ("meetings", (
        ("subject", _S, _rec("Subject")),
        ("start", _T, _when("StartDateTime")),
        ("end", _T, _when("EndDateTime")),
        ("time_zone", _S, _zone),
        ("duration_minutes", _I, _rec("DurationInMinutes")),
        ("owner_id", _S, _rec("OwnerId")),
        ("who_id", _S, _rec("WhoId")),
        ("what_id", _S, _rec("WhatId")),
        ("location", _S, _rec("Location")),
        ("type", _S, _rec("Type")),
        ("show_as", _S, _rec("ShowAs")),
        ("description", _S, _rec("Description")),
    )),
    INVITEE: ("invitees", (
        ("meeting_signature", _S, _parent),
        ("relation_id", _S, _rec("RelationId")),
        ("is_invitee", _B, _rec("IsInvitee")),
        ("is_parent", _B, _rec("IsParent")),
        ("response", _S, _rec("Status")),
    )),
    EMAIL: ("emails", (
        ("subject", _S, _rec("Subject")),
        ("sent_at", _T, _start),
        ("incoming", _B, _rec("Incoming")),
        ("from_address", _S, _rec("FromAddress")),
        ("from_name", _S, _rec("FromName")),
        ("to_address", _S, _rec("ToAddress")),
        ("cc_address", _S, _rec("CcAddress")),
        ("who_id", _S, _rec("WhoId")),
        ("what_id", _S, _first("RelatedToId", "WhatId")),
        ("owner_id", _S, _rec("OwnerId")),
        ("thread_id", _S, _rec("ThreadIdentifier")),
        ("status", _S, _rec("Status")),
        ("body", _S, _first("TextBody", "Description")),
    )),
    EMAIL_RELATION: ("recipients", (
        ("email_signature", _S, _parent),
        ("relation_id", _S, _rec("RelationId")),
        ("relation_type", _S, _rec("RelationType")),
    )),
    CALL: ("calls", (
        ("subject", _S, _rec("Subject")),
        ("at", _T, _start),
        ("channel", _S, _rec("TaskSubtype")),
        ("call_type", _S, _rec("CallType")),
        ("duration_seconds", _I, _rec("CallDurationInSeconds")),
        ("disposition", _S, _rec("CallDisposition")),
        ("who_id", _S, _rec("WhoId")),
        ("what_id", _S, _rec("WhatId")),
        ("owner_id", _S, _rec("OwnerId")),
        ("description", _S, _rec("Description")),
    )),
    SCORECARD: ("scorecards", (
        ("name", _S, _rec("Name")),
        ("template", _S, _rec("Template__c")),
        ("score", _F, _rec("Score__c")),
        ("coverage", _F, _rec("Coverage__c")),
        ("confidence", _F, _rec("Confidence__c")),
    )),
    ANSWER: ("answers", (
        ("scorecard_signature", _S, _parent),
        ("element_id", _S, _rec("Element__c")),
        ("element", _S, _rec("Name")),
        ("question", _S, _rec("Question__c")),
        ("answer", _S, _rec("Answer__c")),
        ("confidence", _F, _rec("Confidence__c")),
        ("source", _S, _rec("Source__c")),
        ("evidence_signatures", "strings", lambda item, _z: list(item.evidence)),
    )),
}  # fmt: skip

TABLE_OF_KIND: dict[str, str] = {kind: name for kind, (name, _) in _FIELDS.items()}
"""Kind → table name, in the order the tables are written."""


def parse_time(value: object) -> datetime | None:
    """An aware UTC datetime from the records' `2026-11-03T15:00:00.000+0000` text."""
    if not isinstance(value, str) or not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(UTC)


def build_tables(
    items: Iterable[WorkItem],
    ledger: Iterable[LedgerRow],
    zones: Mapping[str, str],
    *,
    from_ledger: bool,
) -> list[Table]:
    """One table per kind plus `target_ids`.

    `from_ledger`: the rows are the ledger's (a run's export; a row the replay did not give keeps
    empty fields); otherwise the rows are the planned items (`--plan`), with ids where the ledger
    already has them.
    """
    by_sig = {item.signature: item for item in items}
    ids: dict[str, list[LedgerRow]] = {}
    for row in ledger:
        ids.setdefault(row.signature, []).append(row)
    # a target adds columns where it holds rows of a table's kind (under the tables' signatures);
    # CalDAV copies (kind calendar_event, signatures of their own) have no table, so no columns
    targets = sorted({TARGET, *(r.target for rs in ids.values() for r in rs if r.kind in _FIELDS)})
    if from_ledger:
        keys = [(rows[0].kind, rows[0].opportunity_id, sig) for sig, rows in ids.items()]
    else:
        keys = [(i.kind, i.opportunity_id, i.signature) for i in by_sig.values()]
    tables = []
    for kind, (name, fields) in _FIELDS.items():
        chosen = [k for k in keys if k[0] == kind]
        chosen.sort(key=lambda k: (k[1], _start_text(by_sig.get(k[2])), k[2]))
        rows = tuple(
            _row(sig, opp, by_sig.get(sig), ids.get(sig, []), targets, fields, zones)
            for _, opp, sig in chosen
        )
        tables.append(Table(name, _columns(targets, fields), rows))
    tables.append(_target_ids(ids, keys))
    return tables


def _start_text(item: WorkItem | None) -> str:
    return item.planned_start if item is not None else ""


def _columns(targets: Sequence[str], fields: Sequence[_Field]) -> tuple[Column, ...]:
    common = [Column("signature", _S), Column("run_id", _S), Column("opportunity_id", _S)]
    for target in targets:
        common += [
            Column(f"{target}_account", _S),
            Column(f"{target}_id", _S),
            Column(f"{target}_status", _S),
        ]
    return (*common, *(Column(name, kind) for name, kind, _ in fields))


def _row(
    sig: str,
    opportunity_id: str,
    item: WorkItem | None,
    ledger: Sequence[LedgerRow],
    targets: Sequence[str],
    fields: Sequence[_Field],
    zones: Mapping[str, str],
) -> Row:
    row: Row = {
        "signature": sig,
        "run_id": ledger[0].run_id if ledger else None,
        "opportunity_id": opportunity_id,
    }
    for target in targets:
        there = next((r for r in ledger if r.target == target), None)
        row[f"{target}_account"] = there.account if there else None
        row[f"{target}_id"] = there.remote_id if there else None
        row[f"{target}_status"] = there.status if there else "planned"
    for name, _kind, get in fields:
        row[name] = None if item is None else get(item, zones)
    return row


def _target_ids(
    ids: Mapping[str, Sequence[LedgerRow]], keys: Sequence[tuple[str, str, str]]
) -> Table:
    """The long form: one row per record and target the ledger knows."""
    columns = tuple(
        Column(n, _S) for n in ("signature", "kind", "target", "account", "id", "status", "run_id")
    )
    rows = tuple(
        {
            "signature": r.signature,
            "kind": r.kind,
            "target": r.target,
            "account": r.account,
            "id": r.remote_id,
            "status": r.status,
            "run_id": r.run_id,
        }
        for _kind, _opp, sig in sorted(keys)
        for r in sorted(ids.get(sig, []), key=lambda r: r.target)
        if r.kind in TABLE_OF_KIND
    )
    return Table("target_ids", columns, rows)
