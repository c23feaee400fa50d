"""Audit fields on insert: what "Set Audit Fields upon Record Creation" lets a user write.

Salesforce help, "Considerations and Activation of 'Create Audit Fields'" (article 000386065)
and "Set Audit Fields upon Record Creation" (000176484), say:

* with the permission, CreatedById, CreatedDate, LastModifiedById and LastModifiedDate can be
  set through the API on insert only: "not on UPDATE or UPSERT";
* it works on Account, Contact, Lead, Opportunity, Task, Event, EmailMessage, custom objects
  (and others the local org does not have) — not on EventRelation, EmailMessageRelation,
  OpportunityContactRole or User;
* a Task inserted with a WhoId or WhatId keeps the real LastModifiedDate/LastModifiedById
  ("will not reflect the inserted value");
* the Task Enhanced Email creates for an EmailMessage gets the insert time as CreatedDate,
  not the EmailMessage's (the local org's Email Task is always stamped with now).

Without the permission those fields stay read-only: INVALID_FIELD_FOR_INSERT_UPDATE.
A record cannot be modified before it was created: FIELD_INTEGRITY_EXCEPTION "Last Modified
Date (…) before Create Date (…)" (the wording real orgs give, quoted in
docs.uzdavines.ai "System Audit Field Integrity in SObject Cloning"). A CreatedDate after now is
refused with FIELD_INTEGRITY_EXCEPTION too (wording approximate).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from demo_gen.local_org.rules.base import Actor, RecordError, integrity_error
from demo_gen.local_org.schema.core import SObject
from demo_gen.local_org.store.core import Record

AUDIT_FIELDS = ("CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById")
AUDIT_OBJECTS = frozenset(
    {"Account", "Contact", "Lead", "Opportunity", "Task", "Event", "EmailMessage"}
)
PERMISSION = "Set Audit Fields upon Record Creation"


def settable(obj: SObject, actor_or_flag: Actor | bool) -> frozenset[str]:
    """The audit fields of *obj* an insert may give, under the actor's (or a flag's) setting."""
    allowed = (
        actor_or_flag
        if isinstance(actor_or_flag, bool)
        else actor_or_flag.settings.set_audit_fields
    )
    if not allowed or not (obj.custom or obj.name in AUDIT_OBJECTS):
        return frozenset()
    return frozenset(f for f in AUDIT_FIELDS if obj.field(f) is not None)


def split(values: dict[str, Any]) -> dict[str, Any]:
    """Remove the audit fields from parsed *values* and return them (None values dropped)."""
    return {f: v for f in AUDIT_FIELDS if (v := values.pop(f, None)) is not None}


def _gmt(value: datetime) -> str:
    return value.strftime("%a %b %d %H:%M:%S GMT %Y")


def check(given: Mapping[str, Any], actor: Actor) -> None:
    """Refuse a CreatedDate after now, and a LastModifiedDate before the CreatedDate."""
    created: datetime = given.get("CreatedDate") or actor.now
    modified: datetime = given.get("LastModifiedDate") or actor.now
    if created > actor.now:
        raise integrity_error("CreatedDate", "Created Date: the date cannot be in the future")
    if modified > actor.now:
        raise integrity_error(
            "LastModifiedDate", "Last Modified Date: the date cannot be in the future"
        )
    if modified < created:
        raise RecordError(
            "FIELD_INTEGRITY_EXCEPTION",
            f"Last Modified Date ({_gmt(modified)}) before Create Date ({_gmt(created)})",
            ["LastModifiedDate"],
        )


def apply(record: Record, given: Mapping[str, Any], obj: SObject) -> None:
    """Write the given audit values over the stamp just made (the Task rule included)."""
    keep_modified = obj.name == "Task" and (record.get("WhoId") or record.get("WhatId"))
    for name, value in given.items():
        if keep_modified and name.startswith("LastModified"):
            continue
        record[name] = value
