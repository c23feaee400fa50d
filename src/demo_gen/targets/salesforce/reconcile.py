"""Find what `pending` ledger rows became in a Salesforce org (DESIGN.md §3): the Salesforce
target's `find` (targets/salesforce/target.py); the ledger records the outcome (ledger/protocol.py).

A pending row means: we may or may not have created this record (the process died between the send
and the commit of its id). In tag mode the org is asked by the signature external-id field;
otherwise by the fields that went into the signature (WhatId, Subject, start; or the parent and the
person for links); the Task of an EmailMessage by its email's ActivityId.

Ownership rules (docs/adr/0004-identity-snapshots-and-ownership.md):

- a record that any ledger row holds — any pack, any run, any status, on this org — is never a
  candidate: it belongs to that row;
- a pending row adopts a record only on an exact identity match that no other row claims. Rows
  that share one identity are settled together: k rows and exactly k candidates pair up (the
  records are indistinguishable by what the rows know); no candidate → not sent (`NOT_SENT`,
  failed, sent again); anything else (two candidates for one row, fewer candidates than rows)
  leaves the rows pending and reports them as ambiguous — never a guess;
- an adopted record's own org-made records (an email's Task, an Event's relations) are read back
  and owned in the same commit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace

from demo_gen.ledger.store import ItemRow, created_ids
from demo_gen.stages.items import ANSWER_OBJECT, EMAIL_TASK, SCORECARD_OBJECT
from demo_gen.targets.base import LedgerView, ReadBack, Reconciliation
from demo_gen.targets.salesforce.client import soql_list
from demo_gen.targets.salesforce.identity import Reader
from demo_gen.targets.salesforce.orgmade import read_back

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
    ANSWER_OBJECT: ("Scorecard__c", "Element__c"),
}
_SCORECARD = (SCORECARD_OBJECT, "Opportunity__c", "Template__c")

Key = tuple[str, ...]


def find_pending(
    crm: Reader,
    ledger: LedgerView,
    target: str,
    pending: Sequence[ItemRow],
    *,
    tag_field: str | None,
    known_ids: Collection[str] = (),
) -> Reconciliation:
    """What every pending row became in the org: found, missing or ambiguous (recorded by the
    caller, `ledger_settle.settle_pending`). Ids held by any ledger row under `target`, and
    `known_ids`, are never adopted."""
    result = Reconciliation()
    if not pending:
        return result
    by_type: dict[str, list[ItemRow]] = {}
    for row in pending:
        by_type.setdefault(row.record_type, []).append(row)
    taken = set(ledger.owned_ids(target)) | set(known_ids)
    for sobject, rows in by_type.items():
        tasks = [r for r in rows if r.kind == EMAIL_TASK]
        rest = [r for r in rows if r.kind != EMAIL_TASK]
        matches = _candidates(crm, ledger, target, sobject, rest, tag_field)
        matches.update(_email_task_candidates(crm, ledger, target, tasks))
        _settle(rows, matches, taken, result)
    back = _read_back_adopted(crm, pending, result.found, taken)
    result.org_made = back.owned
    result.identities = back.identities
    return result


def _candidates(
    crm: Reader,
    ledger: LedgerView,
    target: str,
    sobject: str,
    rows: Sequence[ItemRow],
    tag_field: str | None,
) -> dict[str, list[str]]:
    """signature -> the ids of every record in the org whose identity matches the row's."""
    if not rows:
        return {}
    if sobject in _LINK_MATCH:
        return _match_links(crm, ledger, target, sobject, rows)
    if tag_field and (sobject in _ACTIVITY_MATCH or sobject == _SCORECARD[0]):
        return _match_tags(crm, sobject, tag_field, rows)
    if sobject == _SCORECARD[0]:
        return _match_scorecards(crm, rows)
    return _match_activities(crm, sobject, rows)


def _settle(
    rows: Sequence[ItemRow],
    matches: Mapping[str, list[str]],
    taken: set[str],
    result: Reconciliation,
) -> None:
    """Apply the ownership rules to rows grouped by the candidates they share."""
    groups: dict[tuple[str, ...], list[ItemRow]] = {}
    for row in rows:
        ids = matches.get(row.signature, [])
        result.owned_elsewhere += sum(1 for i in ids if i in taken)
        free = tuple(sorted(i for i in dict.fromkeys(ids) if i not in taken))
        groups.setdefault(free, []).append(row)
    for free, group in groups.items():
        if not free:
            result.missing.extend(r.signature for r in group)
        elif len(free) == len(group):
            for row, remote_id in zip(group, free, strict=True):
                result.found[row.signature] = remote_id
                taken.add(remote_id)
        else:
            why = f"{len(free)} unclaimed records in the org match {len(group)} pending rows"
            result.ambiguous.update((r.signature, why) for r in group)


def _read_back_adopted(
    crm: Reader,
    pending: Sequence[ItemRow],
    found: Mapping[str, str],
    taken: Collection[str],
) -> ReadBack:
    """Snapshots of the adopted records and the records the org made for them."""
    out = ReadBack()
    adopted = [r for r in pending if r.signature in found]
    for sobject in sorted({r.record_type for r in adopted}):
        rows = [_with_id(r, found[r.signature]) for r in adopted if r.record_type == sobject]
        back = read_back(crm, rows, owned_ids=taken)
        out.identities.update(back.identities)
        out.owned.extend(back.owned)
    return out


def _with_id(row: ItemRow, remote_id: str) -> ItemRow:
    return replace(row, remote_id=remote_id)


def _match_tags(
    crm: Reader, sobject: str, tag_field: str, rows: Sequence[ItemRow]
) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for chunk in _chunks([r.signature for r in rows]):
        soql = f"SELECT Id, {tag_field} FROM {sobject} WHERE {tag_field} IN {soql_list(chunk)}"
        for rec in crm.query(soql):
            found.setdefault(rec[tag_field], []).append(rec["Id"])
    return found


def _match_activities(crm: Reader, sobject: str, rows: Sequence[ItemRow]) -> dict[str, list[str]]:
    what, subject, start = _ACTIVITY_MATCH[sobject]
    by_key: dict[Key, list[str]] = {}
    opp_ids = sorted({r.opportunity_id for r in rows})
    for chunk in _chunks(opp_ids):
        soql = (
            f"SELECT Id, {what}, {subject}, {start} FROM {sobject} "
            f"WHERE {what} IN {soql_list(chunk)} ORDER BY Id"
        )
        for rec in crm.query(soql):
            key = (rec[what], (rec[subject] or "").lower(), _moment(rec[start]))
            by_key.setdefault(key, []).append(rec["Id"])
    by_date = start == "ActivityDate"
    out: dict[str, list[str]] = {}
    for row in rows:
        moment = (row.planned_start or "")[:10] if by_date else _moment(row.planned_start)
        out[row.signature] = by_key.get(
            (row.opportunity_id, (row.subject or "").lower(), moment), []
        )
    return out


def _match_scorecards(crm: Reader, rows: Sequence[ItemRow]) -> dict[str, list[str]]:
    sobject, opp_field, template_field = _SCORECARD
    by_key: dict[Key, list[str]] = {}
    for chunk in _chunks(sorted({r.opportunity_id for r in rows})):
        soql = (
            f"SELECT Id, {opp_field}, {template_field} FROM {sobject} "
            f"WHERE {opp_field} IN {soql_list(chunk)} ORDER BY Id"
        )
        for rec in crm.query(soql):
            by_key.setdefault((rec[opp_field], rec[template_field] or ""), []).append(rec["Id"])
    return {r.signature: by_key.get((r.opportunity_id, r.subject or ""), []) for r in rows}


def _match_links(
    crm: Reader, ledger: LedgerView, target: str, sobject: str, rows: Sequence[ItemRow]
) -> dict[str, list[str]]:
    parent_field, person_field = _LINK_MATCH[sobject]
    parent_ids = created_ids(
        ledger.items_by_signature(target, [r.parent_signature or "" for r in rows])
    )
    by_key: dict[Key, list[str]] = {}
    for chunk in _chunks(sorted(set(parent_ids.values()))):
        soql = (
            f"SELECT Id, {parent_field}, {person_field} FROM {sobject} "
            f"WHERE {parent_field} IN {soql_list(chunk)}"
        )
        for rec in crm.query(soql):
            by_key.setdefault((rec[parent_field], rec[person_field]), []).append(rec["Id"])
    out: dict[str, list[str]] = {}
    for row in rows:
        parent_id = parent_ids.get(row.parent_signature or "")
        out[row.signature] = by_key.get((parent_id or "", row.subject or ""), [])
    return out


def _email_task_candidates(
    crm: Reader, ledger: LedgerView, target: str, rows: Sequence[ItemRow]
) -> dict[str, list[str]]:
    """The Task of a pending email_task row is its email's ActivityId: a link, not a guess."""
    if not rows:
        return {}
    parents = [r.parent_signature or "" for r in rows]
    emails = created_ids(ledger.items_by_signature(target, parents))
    links: dict[str, str] = {}
    for chunk in _chunks(sorted(set(emails.values()))):
        soql = f"SELECT Id, ActivityId FROM EmailMessage WHERE Id IN {soql_list(chunk)}"
        links.update((rec["Id"], rec["ActivityId"]) for rec in crm.query(soql) if rec["ActivityId"])
    out: dict[str, list[str]] = {}
    for row in rows:
        task = links.get(emails.get(row.parent_signature or "", ""), "")
        out[row.signature] = [task] if task else []
    return out


def _moment(value: str | None) -> str:
    """A datetime or date as text comparable across `…Z`, `….000+0000` and `+00:00` forms."""
    if not value:
        return ""
    return value[:19] if "T" in value else value[:10]


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
