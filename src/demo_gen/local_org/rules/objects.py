"""Object rules of the write pipeline (see `rules`): what each sObject derives, refuses, triggers.

`RULES` maps an object to the functions that validate and derive its fields on every write (names
from first and last name; Opportunity stage flags and probability; Event timing; Task status;
activity AccountId; EventRelation limits; EmailMessageRelation addresses). They may raise
`RecordError`. `EFFECTS` maps an object to the side effect it stages once validated (group events,
one primary OpportunityContactRole, the Email Task of a sent EmailMessage); those never fail.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from demo_gen.local_org.rules.base import (
    Write,
    blank,
    duplicate_error,
    integrity_error,
    required_error,
    sobject_named,
    stamp,
    type_of,
)
from demo_gen.local_org.rules.relations import (
    account_of,
    event_relations,
    relation_defaults,
    task_relation_rules,
    task_relations,
)
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import Field, SObject
from demo_gen.local_org.store.core import Record

MAX_EVENT_MINUTES = 14 * 24 * 60
MAX_EVENT_CONTACTS = 50
PROBABILITY_BY_STAGE: dict[str, float] = {
    "Prospecting": 10.0,
    "Qualification": 10.0,
    "Needs Analysis": 20.0,
    "Value Proposition": 50.0,
    "Id. Decision Makers": 60.0,
    "Perception Analysis": 70.0,
    "Discovery": 20.0,
    "Evaluation": 40.0,
    "Proposal": 60.0,
    "Proposal/Price Quote": 75.0,
    "Negotiation": 80.0,
    "Negotiation/Review": 90.0,
    "Closed Won": 100.0,
    "Closed Lost": 0.0,
}


# --- object rules (validate and derive; may raise) -------------------------------------------


def _derive_name(w: Write) -> None:
    parts = (w.record.get("FirstName"), w.record.get("LastName"))
    w.record["Name"] = " ".join(p for p in parts if p) or None


def _derive_opportunity(w: Write) -> None:
    r = w.record
    stage = r["StageName"]
    r["IsClosed"] = stage in schema.CLOSED_STAGES
    r["IsWon"] = stage == "Closed Won"
    stage_changed = w.old is None or w.old["StageName"] != stage
    if stage_changed and "Probability" not in w.given:
        r["Probability"] = PROBABILITY_BY_STAGE.get(stage)


def _derive_activity(w: Write) -> None:
    """Event/Task: a Lead WhoId excludes a WhatId; AccountId follows WhatId, then WhoId."""
    r = w.record
    who, what = r["WhoId"], r["WhatId"]
    if what is not None and type_of(who) == "Lead":
        raise integrity_error(
            "WhatId", "Related To ID: an activity on a Lead cannot have a Related To"
        )
    account = None
    if type_of(what) == "Account":
        account = what
    elif type_of(what) == "Opportunity":
        account = (w.txn.get(what) or {}).get("AccountId")
    if account is None and type_of(who) == "Contact":
        account = (w.txn.get(who) or {}).get("AccountId")
    r["AccountId"] = account


def _derive_task(w: Write) -> None:
    r = w.record
    r["IsClosed"] = r["Status"] == "Completed"
    r["IsHighPriority"] = r["Priority"] == "High"
    r["CompletedDateTime"] = (r["CompletedDateTime"] or w.actor.now) if r["IsClosed"] else None


def _event_start(w: Write) -> datetime:
    """The start: StartDateTime, or ActivityDateTime when only that was given."""
    start: datetime | None = w.record["StartDateTime"]
    activity: datetime | None = w.record["ActivityDateTime"]
    only_activity = "ActivityDateTime" in w.given and "StartDateTime" not in w.given
    if only_activity or start is None:
        start = activity
    elif "ActivityDateTime" in w.given and activity is not None and activity != start:
        raise integrity_error(
            "ActivityDateTime",
            "Activity Date Time: The value for this field and StartDateTime must match, "
            "or one of them must be null",
        )
    if start is None:
        raise required_error(["ActivityDateTime"])
    return start


def _given_span(w: Write) -> tuple[datetime | None, int | None]:
    """EndDateTime and DurationInMinutes as given; on update, the stored duration otherwise."""
    r = w.record
    end = r["EndDateTime"] if "EndDateTime" in w.given else None
    minutes = r["DurationInMinutes"] if "DurationInMinutes" in w.given else None
    untouched = "EndDateTime" not in w.given and "DurationInMinutes" not in w.given
    if untouched and w.old is not None:
        minutes = w.old["DurationInMinutes"]
        end = w.old["EndDateTime"] if minutes is None else None
    return end, minutes


def _event_span(start: datetime, end: datetime | None, minutes: int | None) -> tuple[datetime, int]:
    """The end and duration of an event starting at *start*, checked against each other."""
    if end is None and minutes is None:
        raise required_error(["EndDateTime"])
    if end is not None:
        if end < start:
            raise integrity_error("EndDateTime", "End Date Time: End time must be after start time")
        span = int((end - start).total_seconds() // 60)
        if minutes is not None and minutes != span:
            raise integrity_error(
                "DurationInMinutes",
                "Duration: the duration must match the time between StartDateTime and EndDateTime",
            )
        minutes = span
    assert minutes is not None
    if minutes < 0 or minutes > MAX_EVENT_MINUTES:
        raise integrity_error(
            "DurationInMinutes", "Duration: an event must last between 0 minutes and 14 days"
        )
    return (end or start + timedelta(minutes=minutes)), minutes


def _derive_event(w: Write) -> None:
    """Event timing (§12.2): Start, End, Duration, ActivityDateTime/Date and EndDate agree."""
    r = w.record
    if r["IsAllDayEvent"]:
        start, end, minutes = _all_day_span(w)
    else:
        start = _event_start(w)
        end, minutes = _event_span(start, *_given_span(w))
    r.update(StartDateTime=start, ActivityDateTime=start, EndDateTime=end)
    r.update(ActivityDate=start.date(), DurationInMinutes=minutes, EndDate=end.date())


def _all_day_span(w: Write) -> tuple[datetime, datetime, int]:
    """All-day events start at midnight UTC of ActivityDate and last whole days (1 by default)."""
    r = w.record
    day: date | None = r["ActivityDate"]
    start_day = None if r["StartDateTime"] is None else r["StartDateTime"].date()
    if day is None or ("StartDateTime" in w.given and "ActivityDate" not in w.given):
        day = start_day or day
    if day is None:
        raise required_error(["ActivityDate"])
    start = datetime.combine(day, time(), UTC)
    end, minutes = _given_span(w)
    if minutes is None and end is not None:
        if end.date() < day:
            raise integrity_error("EndDateTime", "End Date Time: End time must be after start time")
        minutes = ((end.date() - day).days + 1) * 1440
    days = max(1, math.ceil((minutes if minutes is not None else 1440) / 1440))
    if days * 1440 > MAX_EVENT_MINUTES:
        raise integrity_error(
            "DurationInMinutes", "Duration: an event must last between 0 minutes and 14 days"
        )
    return start, start + timedelta(days=days - 1), days * 1440


def _derive_event_relation(w: Write) -> None:
    """One row per (EventId, RelationId); at most 50 contacts; AccountId from a Contact."""
    r = w.record
    relation_type = type_of(r["RelationId"])
    r["AccountId"] = account_of(w.txn, r["RelationId"])
    if w.old is not None and w.old["RelationId"] == r["RelationId"]:
        return
    others = [
        s for s in w.children.of("EventRelation", "EventId", r["EventId"]) if s["Id"] != r.get("Id")
    ]
    for sibling in others:
        if sibling["RelationId"] == r["RelationId"]:
            raise duplicate_error("RelationId", sibling["Id"])
    contacts = sum(1 for s in others if type_of(s["RelationId"]) == "Contact")
    if relation_type == "Contact" and contacts >= MAX_EVENT_CONTACTS:
        raise integrity_error(
            "RelationId",
            f"Relation ID: an event can relate to at most {MAX_EVENT_CONTACTS} contacts",
        )


def _derive_email_relation(w: Write) -> None:
    r = w.record
    relation = w.txn.get(r["RelationId"]) if r["RelationId"] else None
    r["RelationObjectType"] = type_of(r["RelationId"])
    if r["RelationAddress"] is None and relation is not None:
        r["RelationAddress"] = relation.get("Email")


RULES: dict[str, tuple[Callable[[Write], None], ...]] = {
    "User": (_derive_name,),
    "Contact": (_derive_name,),
    "Lead": (_derive_name,),
    "Opportunity": (_derive_opportunity,),
    "Event": (_derive_event, _derive_activity),
    "Task": (_derive_task, _derive_activity),
    "EventRelation": (relation_defaults, _derive_event_relation),
    "TaskRelation": (task_relation_rules,),
    "EmailMessageRelation": (_derive_email_relation,),
}


# --- side effects (after validation and id assignment; never fail) ---------------------------

Staged = list[tuple[SObject, Record]]


def _group_event(w: Write) -> Staged:
    """An Event is a group event while any of its relation rows is an invitee."""
    event = w.txn.live(w.record["EventId"])
    if event is None:
        return []
    if w.record["IsInvitee"]:
        grouped = True
    else:
        siblings = w.children.of("EventRelation", "EventId", event["Id"])
        grouped = any(s["IsInvitee"] for s in siblings if s["Id"] != w.record["Id"])
    if event["IsGroupEvent"] == grouped:
        return []
    return [
        (sobject_named("Event"), {**event, "IsGroupEvent": grouped, "SystemModstamp": w.actor.now})
    ]


def _one_primary(w: Write) -> Staged:
    """A primary contact role clears IsPrimary on the opportunity's other roles."""
    if not w.record["IsPrimary"]:
        return []
    roles = w.children.of("OpportunityContactRole", "OpportunityId", w.record["OpportunityId"])
    out: Staged = []
    for role in roles:
        if role["Id"] != w.record["Id"] and role["IsPrimary"]:
            cleared = {**role, "IsPrimary": False}
            stamp(cleared, w.actor, creating=False)
            out.append((w.obj, cleared))
    return out


def _email_task(w: Write) -> Staged:
    """A sent (non-draft) EmailMessage gets its Email Task, linked through ActivityId."""
    r = w.record
    if w.old is not None or r["Status"] == "5" or r["ActivityId"] is not None:
        return []
    task_obj = sobject_named("Task")
    subject_len = _field(task_obj, "Subject").length
    body_len = _field(task_obj, "Description").length
    task = blank(task_obj) | {
        "Subject": None if r["Subject"] is None else r["Subject"][:subject_len],
        "TaskSubtype": "Email",
        "Type": "Email",
        "Status": "Completed",
        "ActivityDate": (r["MessageDate"] or w.actor.now).date(),
        "WhatId": r["RelatedToId"],
        "Description": None if r["TextBody"] is None else r["TextBody"][:body_len],
        "OwnerId": w.actor.user_id,
    }
    task_write = Write(w.txn, task_obj, task, None, (), w.actor, w.children)
    for rule in RULES["Task"]:
        rule(task_write)
    task["Id"] = w.txn.new_id(task_obj)
    stamp(task, w.actor, creating=True)
    r["ActivityId"] = task["Id"]
    return [(task_obj, task), *task_relations(task_write)]


def _field(obj: SObject, name: str) -> Field:
    f = obj.field(name)
    assert f is not None, f"{obj.name}.{name} missing from the schema"
    return f


EFFECTS: dict[str, Callable[[Write], Staged]] = {
    "Event": event_relations,
    "Task": task_relations,
    "EventRelation": _group_event,
    "OpportunityContactRole": _one_primary,
    "EmailMessage": _email_task,
}
