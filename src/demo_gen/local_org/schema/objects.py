"""The object table of the local org: every sObject it holds, its fields and child relationships.

`OBJECTS` (by lower-case name) and `BY_PREFIX` (by id key prefix) index `_OBJECTS`; the picklist
value lists (`STAGES`, `CONTACT_ROLES` …) are the ones the table uses. The small field builders
(`_f`, `_ref`, `_sys`) keep the table readable. `schema` re-exports all public names here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from demo_gen.local_org.schema.types import (
    BOOLEAN,
    COMBOBOX,
    CURRENCY,
    DATE,
    DATETIME,
    EMAIL,
    ID,
    INT,
    PERCENT,
    PHONE,
    PICKLIST,
    REFERENCE,
    STRING,
    TEXTAREA,
    URL,
    ChildRelationship,
    Field,
    SObject,
    label_of,
)

# --- field builders, to keep the object table readable ---------------------------------------


def _f(name: str, ftype: str, **kw: Any) -> Field:
    kw.setdefault(
        "label", label_of(name.removesuffix("Id")) if ftype == REFERENCE else label_of(name)
    )
    if ftype in (STRING, TEXTAREA, EMAIL, PHONE, URL, PICKLIST, COMBOBOX) and "length" not in kw:
        kw["length"] = 32000 if ftype == TEXTAREA else 255
    if ftype in (ID, REFERENCE):
        kw.setdefault("length", 18)
    return Field(name, ftype, **kw)


def _ref(name: str, to: Iterable[str], rel: str | None = None, **kw: Any) -> Field:
    rel = rel if rel is not None else (name[:-2] if name.endswith("Id") else name[:-3] + "__r")
    return _f(name, REFERENCE, reference_to=tuple(to), relationship_name=rel, **kw)


def _sys(name: str, ftype: str, **kw: Any) -> Field:
    return _f(name, ftype, createable=False, updateable=False, **kw)


def _system_fields(owner: bool = True) -> list[Field]:
    out = [
        _sys("Id", ID, label="Record ID"),
        _sys("IsDeleted", BOOLEAN, default=False),
        _sys("CreatedDate", DATETIME),
        _ref("CreatedById", ["User"], createable=False, updateable=False),
        _sys("LastModifiedDate", DATETIME),
        _ref("LastModifiedById", ["User"], createable=False, updateable=False),
        _sys("SystemModstamp", DATETIME),
    ]
    if owner:
        out.append(_ref("OwnerId", ["User"], label="Owner ID"))
    return out


def _demo_gen_fields() -> list[Field]:
    return [
        _f("DemoGen_Run_Id__c", STRING, length=64, custom=True, label="DemoGen Run Id"),
        _f(
            "DemoGen_Signature__c",
            STRING,
            length=64,
            custom=True,
            external_id=True,
            unique=True,
            label="DemoGen Signature",
        ),
    ]


STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Discovery",
    "Evaluation",
    "Proposal",
    "Proposal/Price Quote",
    "Negotiation",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)
CLOSED_STAGES = frozenset({"Closed Won", "Closed Lost"})
TASK_STATUSES = ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred")
CONTACT_ROLES = (
    "Business User",
    "Decision Maker",
    "Economic Buyer",
    "Economic Decision Maker",
    "Evaluator",
    "Executive Sponsor",
    "Influencer",
    "Technical Buyer",
    "Champion",
    "Procurement",
    "Legal",
    "Other",
)
ACTIVITY_TYPES = ("Call", "Email", "Meeting", "Other")
WHAT_TARGETS = ("Account", "Opportunity", "DemoGen_Scorecard__c")

_OBJECTS: list[SObject] = [
    SObject(
        "Organization",
        "00D",
        (
            _sys("Id", ID),
            _sys("IsDeleted", BOOLEAN, default=False),
            _f("Name", STRING, required=True),
            _f("IsSandbox", BOOLEAN, default=True),
            _f("OrganizationType", STRING, default="Developer Edition"),
            _f("TimeZoneSidKey", STRING, default="America/Los_Angeles"),
            _f("InstanceName", STRING, default="LOCAL"),
        ),
        "Organizations",
    ),
    SObject(
        "User",
        "005",
        (
            *_system_fields(owner=False),
            _f("Username", STRING, required=True, unique=True),
            _f("FirstName", STRING, length=40),
            _f("LastName", STRING, required=True, length=80),
            _sys("Name", STRING),
            _f("Email", EMAIL, required=True),
            _f("Alias", STRING, length=8),
            _f("Title", STRING),
            _f("Department", STRING),
            _f("TimeZoneSidKey", PICKLIST, default="America/Los_Angeles"),
            _f("LocaleSidKey", PICKLIST, default="en_US"),
            _f("LanguageLocaleKey", PICKLIST, default="en_US"),
            _f("EmailEncodingKey", PICKLIST, default="UTF-8"),
            _f("Country", STRING),
            _f("IsActive", BOOLEAN, default=True),
        ),
        "Users",
    ),
    SObject(
        "Account",
        "001",
        (
            *_system_fields(),
            _f("Name", STRING, required=True),
            _f(
                "Type",
                PICKLIST,
                picklist=(
                    "Prospect",
                    "Customer - Direct",
                    "Customer - Channel",
                    "Partner",
                    "Other",
                ),
            ),
            _f("Industry", PICKLIST),
            _f("Website", URL),
            _f("Phone", PHONE),
            _f("NumberOfEmployees", INT),
            _f("AnnualRevenue", CURRENCY),
            _f("BillingCity", STRING),
            _f("BillingState", STRING),
            _f("BillingCountry", STRING),
            _f("Description", TEXTAREA),
        ),
        "Accounts",
        children=(
            ChildRelationship("Contacts", "Contact", "AccountId"),
            ChildRelationship("Opportunities", "Opportunity", "AccountId"),
            ChildRelationship("Events", "Event", "WhatId"),
            ChildRelationship("Tasks", "Task", "WhatId"),
        ),
    ),
    SObject(
        "Contact",
        "003",
        (
            *_system_fields(),
            _ref("AccountId", ["Account"]),
            _f("FirstName", STRING, length=40),
            _f("LastName", STRING, required=True, length=80),
            _sys("Name", STRING),
            _f("Title", STRING, length=128),
            _f("Department", STRING, length=80),
            _f("Email", EMAIL, length=80),
            _f("Phone", PHONE, length=40),
            _f("MailingCity", STRING, length=40),
            _f("MailingState", STRING, length=80),
            _f("MailingCountry", STRING, length=80),
            _f("LeadSource", PICKLIST),
        ),
        "Contacts",
        children=(
            ChildRelationship("OpportunityContactRoles", "OpportunityContactRole", "ContactId"),
            ChildRelationship("Events", "Event", "WhoId"),
            ChildRelationship("Tasks", "Task", "WhoId"),
            ChildRelationship("EventRelations", "EventRelation", "RelationId"),
            ChildRelationship("EmailMessageRelations", "EmailMessageRelation", "RelationId"),
        ),
    ),
    SObject(
        "Lead",
        "00Q",
        (
            *_system_fields(),
            _f("FirstName", STRING, length=40),
            _f("LastName", STRING, required=True, length=80),
            _sys("Name", STRING),
            _f("Company", STRING, required=True),
            _f("Title", STRING),
            _f("Email", EMAIL),
            _f("Status", PICKLIST, default="Open - Not Contacted"),
            _f("Country", STRING),
        ),
        "Leads",
    ),
    SObject(
        "Opportunity",
        "006",
        (
            *_system_fields(),
            _ref("AccountId", ["Account"]),
            _f("Name", STRING, required=True, length=120),
            _f("StageName", PICKLIST, required=True, picklist=STAGES, restricted=True),
            _f("CloseDate", DATE, required=True),
            _f("Amount", CURRENCY),
            _f("Probability", PERCENT),
            _f("Type", PICKLIST, picklist=("New Business", "Existing Business")),
            _f("LeadSource", PICKLIST),
            _f("NextStep", STRING),
            _f("Description", TEXTAREA),
            _f("ForecastCategoryName", PICKLIST),
            _sys("IsClosed", BOOLEAN, default=False),
            _sys("IsWon", BOOLEAN, default=False),
            _f("Omitted_from_Demo__c", BOOLEAN, default=False, custom=True),
        ),
        "Opportunities",
        children=(
            ChildRelationship(
                "OpportunityContactRoles", "OpportunityContactRole", "OpportunityId", True
            ),
            ChildRelationship("Events", "Event", "WhatId"),
            ChildRelationship("Tasks", "Task", "WhatId"),
            ChildRelationship("DemoGen_Scorecards__r", "DemoGen_Scorecard__c", "Opportunity__c"),
        ),
    ),
    SObject(
        "OpportunityContactRole",
        "00K",
        (
            *_system_fields(owner=False),
            _ref("OpportunityId", ["Opportunity"], required=True, updateable=False),
            _ref("ContactId", ["Contact"], required=True),
            _f("Role", PICKLIST, picklist=CONTACT_ROLES),
            _f("IsPrimary", BOOLEAN, default=False),
        ),
        "Opportunity Contact Roles",
    ),
    SObject(
        "Event",
        "00U",
        (
            *_system_fields(),
            _ref("WhoId", ["Contact", "Lead"], label="Name ID"),
            _ref("WhatId", WHAT_TARGETS, label="Related To ID"),
            _ref("AccountId", ["Account"], createable=False, updateable=False),
            _f("Subject", COMBOBOX),
            _f("StartDateTime", DATETIME),
            _f("EndDateTime", DATETIME),
            _f("ActivityDateTime", DATETIME),
            _f("ActivityDate", DATE),
            _f("DurationInMinutes", INT),
            _sys("EndDate", DATE),
            _f("IsAllDayEvent", BOOLEAN, default=False),
            _f("Location", STRING),
            _f("Description", TEXTAREA),
            _f("Type", PICKLIST, picklist=ACTIVITY_TYPES),
            _f("ShowAs", PICKLIST, default="Busy", picklist=("Busy", "OutOfOffice", "Free")),
            _f("IsPrivate", BOOLEAN, default=False),
            _f("EventSubtype", PICKLIST, default="Event", updateable=False),
            _sys("IsGroupEvent", BOOLEAN, default=False),
            _sys("IsChild", BOOLEAN, default=False),
            *_demo_gen_fields(),
        ),
        "Events",
        children=(ChildRelationship("EventRelations", "EventRelation", "EventId", True),),
    ),
    SObject(
        "EventRelation",
        "0RE",
        (
            *_system_fields(owner=False),
            _ref("EventId", ["Event"], required=True, updateable=False),
            _ref(
                "RelationId",
                ["Contact", "Lead", "User", *WHAT_TARGETS],
                required=True,
                rel="Relation",
            ),
            _ref("AccountId", ["Account"], createable=False, updateable=False),
            _f("IsInvitee", BOOLEAN, default=True),
            _f("IsParent", BOOLEAN, default=False),
            _f("IsWhat", BOOLEAN, default=False),
            _f(
                "Status", PICKLIST, default="New", picklist=("New", "Accepted", "Declined", "Maybe")
            ),
            _f("Response", STRING),
            _f("RespondedDate", DATETIME),
        ),
        "Event Relations",
    ),
    SObject(
        "Task",
        "00T",
        (
            *_system_fields(),
            _ref("WhoId", ["Contact", "Lead"], label="Name ID"),
            _ref("WhatId", WHAT_TARGETS, label="Related To ID"),
            _ref("AccountId", ["Account"], createable=False, updateable=False),
            _f("Subject", COMBOBOX),
            _f("ActivityDate", DATE),
            _f(
                "Status",
                PICKLIST,
                required=True,
                default="Not Started",
                picklist=TASK_STATUSES,
                restricted=True,
            ),
            _f(
                "Priority",
                PICKLIST,
                required=True,
                default="Normal",
                picklist=("High", "Normal", "Low"),
                restricted=True,
            ),
            _f(
                "TaskSubtype",
                PICKLIST,
                default="Task",
                updateable=False,
                picklist=("Task", "Email", "ListEmail", "Call", "LinkedIn"),
                restricted=True,
            ),
            _f("Type", PICKLIST, picklist=ACTIVITY_TYPES),
            _f("Description", TEXTAREA),
            _sys("IsClosed", BOOLEAN, default=False),
            _sys("IsHighPriority", BOOLEAN, default=False),
            _sys("CompletedDateTime", DATETIME),
            _f("CallType", PICKLIST, picklist=("Inbound", "Internal", "Outbound")),
            _f("CallDurationInSeconds", INT),
            *_demo_gen_fields(),
        ),
        "Tasks",
        children=(ChildRelationship("TaskRelations", "TaskRelation", "TaskId", True),),
    ),
    SObject(
        "TaskRelation",
        "0RT",
        (
            *_system_fields(owner=False),
            _ref("TaskId", ["Task"], required=True, updateable=False),
            _ref(
                "RelationId",
                ["Contact", "Lead", *WHAT_TARGETS],
                required=True,
                updateable=False,
                rel="Relation",
            ),
            _ref("AccountId", ["Account"], createable=False, updateable=False),
            _f("IsWhat", BOOLEAN, default=False, updateable=False),
        ),
        "Task Relations",
    ),
    SObject(
        "EmailMessage",
        "02s",
        (
            *_system_fields(owner=False),
            _f("Subject", STRING, length=3000),
            _f("TextBody", TEXTAREA, length=131072),
            _f("HtmlBody", TEXTAREA, length=131072),
            _f("FromAddress", EMAIL),
            _f("FromName", STRING, length=1000),
            _f("ToAddress", STRING, length=4000),
            _f("CcAddress", STRING, length=4000),
            _f("MessageDate", DATETIME),
            _f("Incoming", BOOLEAN, default=False, updateable=False),
            _ref("RelatedToId", WHAT_TARGETS, rel="RelatedTo"),
            _ref("ActivityId", ["Task"], rel="Activity"),
            _f(
                "Status",
                PICKLIST,
                required=True,
                default="3",
                picklist=("0", "1", "2", "3", "4", "5"),
                restricted=True,
            ),
            _f("ThreadIdentifier", STRING),
            _f("MessageIdentifier", STRING),
            *_demo_gen_fields(),
        ),
        "Email Messages",
        children=(
            ChildRelationship(
                "EmailMessageRelations", "EmailMessageRelation", "EmailMessageId", True
            ),
        ),
    ),
    SObject(
        "EmailMessageRelation",
        "0EM",
        (
            *_system_fields(owner=False),
            _ref("EmailMessageId", ["EmailMessage"], required=True, updateable=False),
            _ref("RelationId", ["Contact", "Lead", "User"], rel="Relation"),
            _f("RelationAddress", EMAIL),
            _f(
                "RelationType",
                PICKLIST,
                required=True,
                picklist=("ToAddress", "CcAddress", "BccAddress", "FromAddress"),
                restricted=True,
            ),
            _sys("RelationObjectType", STRING),
        ),
        "Email Message Relations",
    ),
    SObject(
        "DemoGen_Scorecard__c",
        "a01",
        (
            *_system_fields(),
            _f("Name", STRING, length=80),
            _ref("Opportunity__c", ["Opportunity"], required=True, custom=True),
            _f("Template__c", STRING, length=40, custom=True),
            _f("Score__c", PERCENT, custom=True),
            _f("Coverage__c", PERCENT, custom=True),
            _f("Confidence__c", PERCENT, custom=True),
            *_demo_gen_fields(),
        ),
        "DemoGen Scorecards",
        custom=True,
        children=(
            ChildRelationship(
                "DemoGen_Scorecard_Answers__r", "DemoGen_Scorecard_Answer__c", "Scorecard__c", True
            ),
        ),
    ),
    SObject(
        "DemoGen_Scorecard_Answer__c",
        "a02",
        (
            *_system_fields(owner=False),
            _f("Name", STRING, length=80),
            _ref("Scorecard__c", ["DemoGen_Scorecard__c"], required=True, custom=True),
            _f("Element__c", STRING, length=80, custom=True),
            _f("Question__c", TEXTAREA, length=1000, custom=True),
            _f("Answer__c", TEXTAREA, length=32000, custom=True),
            _f("Confidence__c", PERCENT, custom=True),
            _f("Source__c", STRING, length=20, custom=True),
            _f("Evidence_Ids__c", TEXTAREA, length=32000, custom=True),
            *_demo_gen_fields(),
        ),
        "DemoGen Scorecard Answers",
        custom=True,
    ),
]

OBJECTS: dict[str, SObject] = {o.name.lower(): o for o in _OBJECTS}
BY_PREFIX: dict[str, SObject] = {o.key_prefix: o for o in _OBJECTS}
