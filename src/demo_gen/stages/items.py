"""From a plan and its text to the records demo-gen writes, each with its signature. Pure.

A signature is a sha256 over a canonical JSON of org id, pack, opportunity id, kind, sequence
number, planned start and subject (DESIGN.md §3); a child (an invitee, an email relation) adds its
parent's signature and the person. Text is not part of it, so new wording never duplicates a record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from demo_gen.stages.content.extra_kinds import task_text
from demo_gen.stages.model import Contact, Opportunity
from demo_gen.stages.plan import OpportunityPlan, PlannedEmail, PlannedMeeting, PlannedTask
from demo_gen.stages.scorecards import Scorecard

# kinds, in the order they are created; reset deletes links before their parents
MEETING, EMAIL, INVITEE, EMAIL_RELATION, EMAIL_TASK = (
    "meeting",
    "email",
    "invitee",
    "email_relation",
    "email_task",
)
CALL = "call"  # a Task with TaskSubtype Call or LinkedIn (calls and LinkedIn touches)
SCORECARD, ANSWER = "scorecard", "answer"
EVENT_RELATION = "event_relation"
"""Kind of a relation the org created itself for an Event we made (e.g. for its WhoId)."""
TASK_RELATION = "task_relation"
"""Kind of a TaskRelation the org created for one of our Tasks or an email's Task."""
CALENDAR_EVENT = "calendar_event"
"""Kind of one copy of a meeting in one person's calendar (a CalDAV resource, an .ics VEVENT)."""
PARENT_KINDS = (MEETING, EMAIL, CALL, SCORECARD, CALENDAR_EVENT)
CHILD_KINDS = (INVITEE, EMAIL_RELATION, ANSWER)
DELETE_ORDER = (ANSWER, INVITEE, EMAIL_RELATION, EMAIL_TASK, SCORECARD, CALL, EMAIL, MEETING)
SCORECARD_OBJECT = "DemoGen_Scorecard__c"
ANSWER_OBJECT = "DemoGen_Scorecard_Answer__c"


@dataclass(frozen=True)
class Capabilities:
    """What the target org can hold, decided once per run."""

    email_messages: bool  # write EmailMessage (+ relations) instead of a plain email Task
    tag_fields: bool  # tag mode: stamp run id and signature, upsert on the signature
    scorecards: bool = True  # the org has the DemoGen scorecard objects
    settable: frozenset[str] = frozenset()
    """Optional "Object.Field" names the org lets us set on create (describe says createable):
    Event/Task/EmailMessage.CreatedDate (backdating), Task.CompletedDateTime,
    Task.CallDisposition. Absent fields are simply left out."""
    backdate_before: str = ""
    """Records dated before this instant (`sf_datetime` text, the run's clock) get their own
    time as CreatedDate; later ones (a meeting still ahead) keep the org's insert time, since
    an org refuses a CreatedDate in the future."""
    kinds: frozenset[str] = frozenset()
    """The work-item kinds the target holds; empty means every kind (a CRM). A calendar holds
    only meetings: a run sends each target only the kinds it holds (`holds`)."""

    def holds(self, kind: str) -> bool:
        """Whether the target stores items of `kind`."""
        return not self.kinds or kind in self.kinds


@dataclass(frozen=True)
class WorkItem:
    """One record to create. `parent` names the item whose id fills `parent_field`."""

    signature: str
    kind: str
    record_type: str  # the target's word for the record (here an sObject)
    opportunity_id: str
    record: Mapping[str, Any]
    planned_start: str
    match_key: str  # subject, or the related person for links: used to reconcile pending rows
    parent: str | None = None
    parent_field: str | None = None
    label: str = field(default="", compare=False)
    evidence: tuple[str, ...] = ()  # signatures whose record ids fill Evidence_Ids__c


def signature(org_id: str, pack: str, opportunity_id: str, kind: str, **parts: Any) -> str:
    """The stable identity of a planned record across runs, clocks and wording."""
    canonical = json.dumps(
        {"org": org_id, "pack": pack, "opportunity": opportunity_id, "kind": kind, **parts},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sf_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def build_items(
    op: OpportunityPlan,
    texts: Mapping[str, str],
    *,
    org_id: str,
    pack: str,
    caps: Capabilities,
) -> list[WorkItem]:
    """Every record of one opportunity's plan, parents before their children."""
    items: list[WorkItem] = []
    people = {c.id: c for c in op.opportunity.contacts}
    for meeting in op.meetings:
        items.extend(_meeting_items(op.opportunity, meeting, texts, org_id, pack))
    replied = frozenset(e.in_reply_to for e in op.emails if e.in_reply_to)
    for email in op.emails:
        items.extend(
            _email_items(op.opportunity, email, texts, people, org_id, pack, caps, replied)
        )
    for task in op.tasks:
        items.append(_task_item(op.opportunity, task, texts, org_id, pack, caps))
    return _backdate(items, caps)


def _backdate(items: list[WorkItem], caps: Capabilities) -> list[WorkItem]:
    """CreatedDate = the activity's own time where the org lets us set it and it has passed."""
    out = []
    for item in items:
        passed = bool(item.planned_start) and item.planned_start < caps.backdate_before
        if f"{item.record_type}.CreatedDate" in caps.settable and passed:
            record = {**item.record, "CreatedDate": item.planned_start}
            item = WorkItem(**{**_fields(item), "record": record})
        out.append(item)
    return out


def _fields(item: WorkItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__dataclass_fields__}


def _name(opp: Opportunity, contact_id: str) -> str:
    return next((c.name for c in opp.contacts if c.id == contact_id), "the contact")


def _task_item(
    opp: Opportunity,
    t: PlannedTask,
    texts: Mapping[str, str],
    org_id: str,
    pack: str,
    caps: Capabilities,
) -> WorkItem:
    at = sf_datetime(t.at)
    sig = signature(org_id, pack, opp.id, CALL, seq=t.seq, start=at, subject=t.subject)
    call = t.kind == "call"
    record: dict[str, Any] = {
        "Subject": t.subject,
        "ActivityDate": t.at.astimezone(UTC).date().isoformat(),
        "Status": "Completed",
        "Priority": "Normal",
        "TaskSubtype": "Call" if call else "LinkedIn",
        "Type": "Call" if call else "Other",
        "WhoId": t.who_id,
        "WhatId": opp.id,
        "OwnerId": t.owner_id,
        "Description": texts.get(t.key) or task_text(t, opp, _name(opp, t.who_id)),
    }
    if call:
        record["CallDurationInSeconds"] = t.duration_seconds
        record["CallType"] = t.call_type
        if "Task.CallDisposition" in caps.settable:
            record["CallDisposition"] = t.disposition
    if "Task.CompletedDateTime" in caps.settable:
        record["CompletedDateTime"] = at
    return WorkItem(sig, CALL, "Task", opp.id, record, at, t.subject, label=t.key)


def _meeting_items(
    opp: Opportunity, m: PlannedMeeting, texts: Mapping[str, str], org_id: str, pack: str
) -> Iterator[WorkItem]:
    start = sf_datetime(m.start)
    sig = signature(org_id, pack, opp.id, MEETING, seq=m.seq, start=start, subject=m.subject)
    yield WorkItem(
        signature=sig,
        kind=MEETING,
        record_type="Event",
        opportunity_id=opp.id,
        planned_start=start,
        match_key=m.subject,
        label=m.key,
        record={
            "Subject": m.subject,
            "StartDateTime": start,
            "EndDateTime": sf_datetime(m.start + timedelta(minutes=m.duration_minutes)),
            "DurationInMinutes": m.duration_minutes,
            "WhoId": m.primary_contact_id,
            "WhatId": opp.id,
            "OwnerId": m.organizer_id,
            "Location": m.location,
            "Type": "Meeting",
            "ShowAs": "Busy",
            "Description": texts.get(m.key, ""),
        },
    )
    for person, record in _invitees(m):
        yield WorkItem(
            signature=signature(org_id, pack, opp.id, INVITEE, parent=sig, person=person),
            kind=INVITEE,
            record_type="EventRelation",
            opportunity_id=opp.id,
            planned_start=start,
            match_key=person,
            parent=sig,
            parent_field="EventId",
            label=f"{m.key}/invitee/{person}",
            record=record,
        )


def _invitees(m: PlannedMeeting) -> Iterator[tuple[str, dict[str, Any]]]:
    """EventRelation rows: colleagues (Users, invited only), then the contacts besides the
    WhoId (the org relates that one itself), each with its answer to the invitation."""
    answers = dict(m.responses)
    for user_id in m.internal_ids:
        status = answers.get(user_id, "Accepted")
        yield (
            user_id,
            {"RelationId": user_id, "IsInvitee": True, "IsParent": False, "Status": status},
        )
    for contact_id in m.invitee_ids:
        if contact_id != m.primary_contact_id:
            status = answers.get(contact_id, "Accepted" if m.past else "New")
            yield contact_id, {"RelationId": contact_id, "IsInvitee": True, "IsParent": True,
                               "Status": status}  # fmt: skip


def _email_items(
    opp: Opportunity,
    e: PlannedEmail,
    texts: Mapping[str, str],
    people: Mapping[str, Contact],
    org_id: str,
    pack: str,
    caps: Capabilities,
    replied: frozenset[str] = frozenset(),
) -> Iterator[WorkItem]:
    sent = sf_datetime(e.sent_at)
    sig = signature(org_id, pack, opp.id, EMAIL, seq=e.seq, start=sent, subject=e.subject)
    who = e.from_contact_id if e.direction == "inbound" else (e.to_contact_ids or (None,))[0]
    body = texts.get(e.key, "")
    if not caps.email_messages:
        record: dict[str, Any] = {
            "Subject": e.subject,
            "ActivityDate": e.sent_at.astimezone(UTC).date().isoformat(),
            "Status": "Completed",
            "Priority": "Normal",
            "TaskSubtype": "Email",
            "Type": "Email",
            "WhoId": who,
            "WhatId": opp.id,
            "OwnerId": opp.owner.id,
            "Description": body,
        }
        if "Task.CompletedDateTime" in caps.settable:
            record["CompletedDateTime"] = sent
        yield WorkItem(sig, EMAIL, "Task", opp.id, record, sent, e.subject, label=e.key)
        return
    yield WorkItem(
        sig,
        EMAIL,
        "EmailMessage",
        opp.id,
        _email_message(opp, e, body, people, sent, replied),
        sent,
        e.subject,
        label=e.key,
    )
    for contact_id, relation_type in _relations(e, opp.owner.id):
        person = (
            contact_id
            if relation_type in ("ToAddress", "FromAddress") and (contact_id != opp.owner.id)
            else f"{relation_type}:{contact_id}"
        )
        yield WorkItem(
            signature=signature(org_id, pack, opp.id, EMAIL_RELATION, parent=sig, person=person),
            kind=EMAIL_RELATION,
            record_type="EmailMessageRelation",
            opportunity_id=opp.id,
            planned_start=sent,
            match_key=contact_id,
            parent=sig,
            parent_field="EmailMessageId",
            label=f"{e.key}/{relation_type}/{contact_id}",
            record={"RelationId": contact_id, "RelationType": relation_type},
        )


def _relations(e: PlannedEmail, owner_id: str) -> list[tuple[str, str]]:
    """Who the email is from, to and copied: contacts and Users (the seller, colleagues)."""
    cc = [(cid, "CcAddress") for cid in (*e.cc_contact_ids, *e.cc_user_ids)]
    if e.direction == "inbound" and e.from_contact_id:
        return [(e.from_contact_id, "FromAddress"), (owner_id, "ToAddress"), *cc]
    return [(owner_id, "FromAddress"), *((cid, "ToAddress") for cid in e.to_contact_ids), *cc]


def _email_message(
    opp: Opportunity,
    e: PlannedEmail,
    body: str,
    people: Mapping[str, Contact],
    sent: str,
    replied: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The EmailMessage; inbound Status is "2" Replied when answered, else "1" Read."""
    owner = opp.owner
    sender = people.get(e.from_contact_id or "")
    if e.direction == "inbound" and sender is not None:
        from_address, from_name, to_address = sender.email, sender.name, owner.email
    else:
        recipients = [people[c].email or "" for c in e.to_contact_ids if c in people]
        from_address, from_name, to_address = owner.email, owner.name, "; ".join(recipients)
    cc = [people[c].email or "" for c in e.cc_contact_ids if c in people]
    inbound = e.direction == "inbound"
    return {
        "Subject": e.subject,
        "TextBody": body,
        "FromAddress": from_address or None,
        "FromName": from_name,
        "ToAddress": to_address or None,
        "CcAddress": "; ".join(a for a in cc if a) or None,
        "MessageDate": sent,
        "Incoming": inbound,
        "RelatedToId": opp.id,
        "Status": ("2" if e.key in replied else "1") if inbound else "3",
        "ThreadIdentifier": hashlib.sha256(e.thread_key.encode()).hexdigest()[:24],
    }


def scorecard_items(
    op: OpportunityPlan,
    card: Scorecard,
    item_signatures: Mapping[str, str],
    *,
    org_id: str,
    pack: str,
) -> list[WorkItem]:
    """A scorecard record and one answer record per answered element.

    *item_signatures* maps plan item keys to signatures, so evidence becomes record ids once the
    meetings and emails exist.
    """
    opp = op.opportunity
    sig = signature(org_id, pack, opp.id, SCORECARD, template=card.template)
    items = [
        WorkItem(
            signature=sig,
            kind=SCORECARD,
            record_type=SCORECARD_OBJECT,
            opportunity_id=opp.id,
            planned_start="",
            match_key=card.template,
            label=scorecard_label(opp.id, card.template),
            record={
                "Name": f"{card.template} – {opp.name}"[:80],
                "Opportunity__c": opp.id,
                "Template__c": card.template,
                "Score__c": float(card.score),
                "Coverage__c": round(card.coverage * 100, 2),
                "Confidence__c": round(card.confidence * 100, 2),
            },
        )
    ]
    for answer in card.answers:
        items.append(
            WorkItem(
                signature=signature(
                    org_id, pack, opp.id, ANSWER, parent=sig, element=answer.element_id
                ),
                kind=ANSWER,
                record_type=ANSWER_OBJECT,
                opportunity_id=opp.id,
                planned_start="",
                match_key=answer.element_id,
                parent=sig,
                parent_field="Scorecard__c",
                label=f"{scorecard_label(opp.id, card.template)}/{answer.element_id}",
                evidence=tuple(
                    item_signatures[k] for k in answer.evidence_keys if k in item_signatures
                ),
                record={
                    "Name": answer.element[:80],
                    "Element__c": answer.element_id,
                    "Question__c": answer.question[:1000],
                    "Answer__c": answer.text,
                    "Confidence__c": round(answer.confidence * 100, 2),
                    "Source__c": answer.source,
                },
            )
        )
    return items


def scorecard_label(opportunity_id: str, template: str) -> str:
    """The work-item label of an opportunity's scorecard of `template` (its answers add
    "/<element id>"): how scorecards.jsonl and smoke find the scorecard's record."""
    return f"{opportunity_id}/scorecard/{template}"


def email_task_signature(email_signature: str) -> str:
    """The ledger identity of the Task the org creates for an EmailMessage."""
    return hashlib.sha256(f"{email_signature}/task".encode()).hexdigest()
