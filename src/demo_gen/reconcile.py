"""Settle `pending` ledger rows against the org before anything is sent (DESIGN.md §3).

A pending row means: we may or may not have created this record (the process died between the send
and the commit of its id). In tag mode the org is asked by the signature external-id field;
otherwise by the fields that went into the signature (WhatId, Subject, start; or the parent and the
person for links). Found → created with that id; not found → failed (`NOT_SENT`), sent again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from demo_gen.crm import soql_list
from demo_gen.state import ItemRow, StateStore, created_ids

_CHUNK = 100

# sObject -> (lookup field, match field, start field) for the external_state match
_ACTIVITY_MATCH = {
    "Event": ("WhatId", "Subject", "StartDateTime"),
    "EmailMessage": ("RelatedToId", "Subject", "MessageDate"),
    "Task": ("WhatId", "Subject", "ActivityDate"),
}
_LINK_MATCH = {
    "EventRelation": ("EventId", "RelationId"),
    "EmailMessageRelation": ("EmailMessageId", "RelationId"),
    "DemoGen_Scorecard_Answer__c": ("Scorecard__c", "Element__c"),
}
_SCORECARD = ("DemoGen_Scorecard__c", "Opportunity__c", "Template__c")


class Reader(Protocol):
    def query(self, soql: str) -> list[dict[str, Any]]: ...


@dataclass
class Reconciliation:
    found: dict[str, str] = field(default_factory=dict)  # signature -> sf id
    missing: list[str] = field(default_factory=list)


def reconcile(
    crm: Reader,
    state: StateStore,
    org_id: str,
    pending: Sequence[ItemRow],
    *,
    tag_field: str | None,
    known_ids: Collection[str] = (),
) -> Reconciliation:
    """Resolve every pending row to created or failed, and record the outcome in the ledger."""
    result = Reconciliation()
    if not pending:
        return result
    by_type: dict[str, list[ItemRow]] = {}
    for row in pending:
        by_type.setdefault(row.sobject, []).append(row)
    taken = set(known_ids)
    for sobject, rows in by_type.items():
        if sobject in _LINK_MATCH:
            found = _match_links(crm, state, org_id, sobject, rows)
        elif tag_field and (sobject in _ACTIVITY_MATCH or sobject == _SCORECARD[0]):
            found = _match_tags(crm, sobject, tag_field, rows)
        elif sobject == _SCORECARD[0]:
            found = _match_scorecards(crm, rows, taken)
        else:
            found = _match_activities(crm, sobject, rows, taken)
        taken.update(found.values())
        result.found.update(found)
        result.missing.extend(r.signature for r in rows if r.signature not in found)
    state.mark_created(org_id, result.found)
    state.mark_failed(
        org_id, {s: ("NOT_SENT", "reconciled: not found in the org") for s in result.missing}
    )
    return result


def _match_tags(
    crm: Reader, sobject: str, tag_field: str, rows: Sequence[ItemRow]
) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in _chunks([r.signature for r in rows]):
        soql = f"SELECT Id, {tag_field} FROM {sobject} WHERE {tag_field} IN {soql_list(chunk)}"
        found.update((rec[tag_field], rec["Id"]) for rec in crm.query(soql))
    return found


def _match_activities(
    crm: Reader, sobject: str, rows: Sequence[ItemRow], taken: Collection[str]
) -> dict[str, str]:
    what, subject, start = _ACTIVITY_MATCH[sobject]
    candidates: dict[tuple[str, str, str], list[str]] = {}
    opp_ids = sorted({r.opportunity_id for r in rows})
    for chunk in _chunks(opp_ids):
        soql = (
            f"SELECT Id, {what}, {subject}, {start} FROM {sobject} "
            f"WHERE {what} IN {soql_list(chunk)} ORDER BY Id"
        )
        for rec in crm.query(soql):
            if rec["Id"] in taken:
                continue
            key = (rec[what], (rec[subject] or "").lower(), _moment(rec[start]))
            candidates.setdefault(key, []).append(rec["Id"])
    found: dict[str, str] = {}
    by_date = start == "ActivityDate"
    for row in rows:
        moment = (row.planned_start or "")[:10] if by_date else _moment(row.planned_start)
        pool = candidates.get((row.opportunity_id, (row.subject or "").lower(), moment)) or []
        if pool:
            found[row.signature] = pool.pop(0)
    return found


def _match_scorecards(
    crm: Reader, rows: Sequence[ItemRow], taken: Collection[str]
) -> dict[str, str]:
    sobject, opp_field, template_field = _SCORECARD
    existing: dict[tuple[str, str], str] = {}
    for chunk in _chunks(sorted({r.opportunity_id for r in rows})):
        soql = (
            f"SELECT Id, {opp_field}, {template_field} FROM {sobject} "
            f"WHERE {opp_field} IN {soql_list(chunk)} ORDER BY Id"
        )
        for rec in crm.query(soql):
            if rec["Id"] not in taken:
                existing.setdefault((rec[opp_field], rec[template_field] or ""), rec["Id"])
    return {
        row.signature: existing[(row.opportunity_id, row.subject or "")]
        for row in rows
        if (row.opportunity_id, row.subject or "") in existing
    }


def _match_links(
    crm: Reader, state: StateStore, org_id: str, sobject: str, rows: Sequence[ItemRow]
) -> dict[str, str]:
    parent_field, person_field = _LINK_MATCH[sobject]
    parents = state.items_by_signature(org_id, [r.parent_signature or "" for r in rows])
    parent_ids = created_ids(parents)
    existing: dict[tuple[str, str], str] = {}
    for chunk in _chunks(sorted(set(parent_ids.values()))):
        soql = (
            f"SELECT Id, {parent_field}, {person_field} FROM {sobject} "
            f"WHERE {parent_field} IN {soql_list(chunk)}"
        )
        existing.update(((r[parent_field], r[person_field]), r["Id"]) for r in crm.query(soql))
    found: dict[str, str] = {}
    for row in rows:
        parent_id = parent_ids.get(row.parent_signature or "")
        if parent_id and (parent_id, row.subject or "") in existing:
            found[row.signature] = existing[(parent_id, row.subject or "")]
    return found


def _moment(value: str | None) -> str:
    """A datetime or date as text comparable across `…Z`, `….000+0000` and `+00:00` forms."""
    if not value:
        return ""
    return value[:19] if "T" in value else value[:10]


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
