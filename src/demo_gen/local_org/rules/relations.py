"""Shared Activities: an Event's WhoId and WhatId are EventRelation rows too (see `settings`).

From the object reference, EventRelation ("If Shared Activities Is Enabled";
developer.salesforce.com/docs/platform/object-reference/references/standard-objects/
object-eventrelation.html, and its "Usage" section in atlas.en-us.190.0.object_reference …
sforce_api_objects_eventattendee.htm):

* EventRelation rows represent invitees (IsInvitee = true) or the event's related contacts or
  lead (IsParent = true) and its related record (IsWhat = true); "If a contact or lead is also
  an invitee, there is one EventRelation record for that person with IsInvitee and IsParent
  set to true". So creating an Event with a WhoId creates that person's row with IsParent =
  true, IsInvitee = false, IsWhat = false, and a WhatId creates the record's row with
  IsParent = true, IsWhat = true (a real org lists the Opportunity among an event's relations:
  simplysfdc.com "Multi-Person Calendar Event"; the What row's IsParent flag is [I]).
* "Create an invitee if Shared Activities is enabled: if the invitee is already a contact or
  lead, update IsInvitee to true" — inserting a second row for the same person is refused
  (DUPLICATE_VALUE, `rules_objects._derive_event_relation`); the caller updates the row.
* "IsInvitee defaults to false when Shared Activities is enabled if IsParent is set to true"
  (and likewise for IsWhat); with none of the three given it defaults to true.
* Changing the Event's WhoId/WhatId moves the parent flag: the old person's row is deleted
  (or, when that person is also an invitee, keeps the row with IsParent = false); the new one
  gets a row or the flag.
* "If you delete an event, then relations between the event and any specified contacts, leads,
  and other records are also deleted" (cascade, as without Shared Activities);
  "If you delete the EventRelation record representing the WhoId on an event, then another Who,
  if any, … will be promoted to the WhoId", and the What row's deletion clears WhatId.

Tasks likewise (object reference, TaskRelation: "Represents the relationship between a task
and a lead, contacts, and other objects related to the task", available with Shared
Activities): a Task's WhoId and WhatId are TaskRelation rows (IsWhat for the What), they
follow the fields when those change, and they go with the Task. With the setting off none of
this happens, EventRelation rows are invitees of a Contact, Lead or User only, and TaskRelation
is refused as an unsupported type.
"""

from __future__ import annotations

from collections.abc import Iterable

from demo_gen.local_org.rules.base import (
    Actor,
    Children,
    RecordError,
    Write,
    blank,
    duplicate_error,
    integrity_error,
    sobject_named,
    stamp,
    type_of,
)
from demo_gen.local_org.schema.core import SObject
from demo_gen.local_org.store.core import Record, Store, Transaction, View

PERSON_TYPES = ("Contact", "Lead", "User")


def relation_defaults(w: Write) -> None:
    """EventRelation: the IsInvitee default, and what a row may point at, per the setting."""
    r = w.record
    shared = w.actor.settings.shared_activities
    if type_of(r["RelationId"]) not in PERSON_TYPES and not shared:
        raise integrity_error(
            "RelationId", f"Relation ID: id value of incorrect type: {r['RelationId']}"
        )
    if w.old is None and shared and "IsInvitee" not in w.given:
        r["IsInvitee"] = not (r["IsParent"] or r["IsWhat"])
    if type_of(r["RelationId"]) not in PERSON_TYPES:
        r["IsWhat"] = True


def account_of(txn: Transaction, relation_id: str | None) -> str | None:
    """The Account an EventRelation row belongs to: the Contact's or Opportunity's, or itself."""
    kind = type_of(relation_id)
    if relation_id is None:
        return None
    if kind == "Account":
        return relation_id
    if kind in ("Contact", "Opportunity"):
        return (txn.get(relation_id) or {}).get("AccountId")
    return None


def _new_row(w: Write, relation_id: str, is_what: bool) -> Record:
    obj = sobject_named("EventRelation")
    row = blank(obj) | {
        "EventId": w.record["Id"],
        "RelationId": relation_id,
        "AccountId": account_of(w.txn, relation_id),
        "IsParent": True,
        "IsWhat": is_what,
        "IsInvitee": False,
    }
    row["Id"] = w.txn.new_id(obj)
    stamp(row, w.actor, creating=True)
    return row


def _changed(row: View, actor: Actor, **values: object) -> Record:
    out = {**row, **values}
    stamp(out, actor, creating=False)
    return out


def _move(w: Write, rows: list[View], field: str, is_what: bool) -> list[Record]:
    """The relation rows to stage so that the parent flag follows *field*'s new value."""
    new = w.record[field]
    old = None if w.old is None else w.old[field]
    if w.old is not None and new == old:
        return []
    by_relation = {r["RelationId"]: r for r in rows}
    out: list[Record] = []
    previous = by_relation.get(old) if old is not None else None
    if previous is not None and previous["IsParent"]:
        if previous["IsInvitee"]:
            out.append(_changed(previous, w.actor, IsParent=False))
        else:
            out.append(_changed(previous, w.actor, IsDeleted=True))
    if new is not None:
        current = by_relation.get(new)
        if current is None:
            out.append(_new_row(w, new, is_what))
        elif not current["IsParent"]:
            out.append(_changed(current, w.actor, IsParent=True))
    return out


def event_relations(w: Write) -> list[tuple[SObject, Record]]:
    """Event effect: stage the WhoId/WhatId relation rows (Shared Activities only)."""
    if not w.actor.settings.shared_activities:
        return []
    rows = [] if w.old is None else w.children.of("EventRelation", "EventId", w.record["Id"])
    obj = sobject_named("EventRelation")
    moved = _move(w, rows, "WhoId", False) + _move(w, rows, "WhatId", True)
    return [(obj, row) for row in moved]


def release_parents(
    txn: Transaction, deleted: Iterable[View], actor: Actor, children: Children
) -> None:
    """After parent rows were deleted: promote another Who to WhoId, or clear WhoId/WhatId."""
    if not actor.settings.shared_activities:
        return
    event_obj = sobject_named("Event")
    for row in deleted:
        event = txn.live(row["EventId"])
        if event is None or not row["IsParent"]:
            continue
        field = "WhatId" if row["IsWhat"] else "WhoId"
        if event[field] != row["RelationId"]:
            continue
        others = [
            r["RelationId"]
            for r in children.of("EventRelation", "EventId", event["Id"])
            if r["IsParent"] and not r["IsWhat"] and r["Id"] != row["Id"]
        ]
        value = others[0] if field == "WhoId" and others else None
        changed = {**event, field: value}
        # AccountId follows WhatId, then a Contact WhoId (rules_objects._derive_activity)
        who = changed["WhoId"] if type_of(changed["WhoId"]) == "Contact" else None
        changed["AccountId"] = account_of(txn, changed["WhatId"]) or account_of(txn, who)
        stamp(changed, actor, creating=False)
        txn.put(event_obj, changed)


def backfill(store: Store, actor: Actor) -> int:
    """Give every live Event and Task its Who/What relation rows; return how many were staged.

    What switching Shared Activities on does to the activities an org already has: `org init
    --shared-activities` runs it over the seeded Events.
    """
    staged = 0
    with store.transaction() as txn:
        children = Children(txn)
        for sobject, effect in (("Event", event_relations), ("Task", task_relations)):
            parent_obj = sobject_named(sobject)
            for parent in store.rows(sobject):
                as_if_new = parent | {"WhoId": None, "WhatId": None}
                w = Write(txn, parent_obj, dict(parent), as_if_new, (), actor, children)
                for obj, row in effect(w):
                    txn.put(obj, row)
                    staged += 1
    return staged


# --- Tasks -----------------------------------------------------------------------------------


def task_relation_rules(w: Write) -> None:
    """TaskRelation: only with Shared Activities; one row per (TaskId, RelationId)."""
    r = w.record
    if not w.actor.settings.shared_activities:
        raise RecordError("INVALID_TYPE", "sObject type 'TaskRelation' is not supported.")
    r["IsWhat"] = type_of(r["RelationId"]) not in PERSON_TYPES
    r["AccountId"] = account_of(w.txn, r["RelationId"])
    for sibling in w.children.of("TaskRelation", "TaskId", r["TaskId"]):
        if sibling["RelationId"] == r["RelationId"] and sibling["Id"] != r.get("Id"):
            raise duplicate_error("RelationId", sibling["Id"])


def task_relations(w: Write) -> list[tuple[SObject, Record]]:
    """Task effect: stage the WhoId/WhatId TaskRelation rows (Shared Activities only)."""
    if not w.actor.settings.shared_activities:
        return []
    obj = sobject_named("TaskRelation")
    rows = [] if w.old is None else w.children.of("TaskRelation", "TaskId", w.record["Id"])
    by_relation = {r["RelationId"]: r for r in rows}
    out: list[tuple[SObject, Record]] = []
    for field, is_what in (("WhoId", False), ("WhatId", True)):
        new = w.record[field]
        old = None if w.old is None else w.old[field]
        if w.old is not None and new == old:
            continue
        if old is not None and old in by_relation:
            out.append((obj, _changed(by_relation[old], w.actor, IsDeleted=True)))
        if new is not None and new not in by_relation:
            row = blank(obj) | {
                "TaskId": w.record["Id"],
                "RelationId": new,
                "AccountId": account_of(w.txn, new),
                "IsWhat": is_what,
            }
            row["Id"] = w.txn.new_id(obj)
            stamp(row, w.actor, creating=True)
            out.append((obj, row))
    return out
