"""The objects and fields the local org holds, and how their values look on the wire.

Records live in memory as plain dicts keyed by the canonical field name, with native values:
str, bool, int, float, `datetime.date`, timezone-aware UTC `datetime.datetime`, or None.
`to_wire`/`from_wire` convert between those and the JSON the REST API speaks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

# Field types, as describe reports them.
ID, REFERENCE, STRING, TEXTAREA, PICKLIST, COMBOBOX = (
    "id",
    "reference",
    "string",
    "textarea",
    "picklist",
    "combobox",
)
EMAIL, PHONE, URL, BOOLEAN, INT, DOUBLE, CURRENCY, PERCENT, DATE, DATETIME = (
    "email",
    "phone",
    "url",
    "boolean",
    "int",
    "double",
    "currency",
    "percent",
    "date",
    "datetime",
)
TEXT_TYPES = frozenset({ID, REFERENCE, STRING, TEXTAREA, PICKLIST, COMBOBOX, EMAIL, PHONE, URL})
NUMBER_TYPES = frozenset({INT, DOUBLE, CURRENCY, PERCENT})
SOAP_TYPES = {
    ID: "tns:ID",
    REFERENCE: "tns:ID",
    BOOLEAN: "xsd:boolean",
    INT: "xsd:int",
    DOUBLE: "xsd:double",
    CURRENCY: "xsd:double",
    PERCENT: "xsd:double",
    DATE: "xsd:date",
    DATETIME: "xsd:dateTime",
}


@dataclass(frozen=True, slots=True)
class Field:
    """One field of an sObject."""

    name: str
    type: str
    label: str = ""
    length: int = 0
    required: bool = False  # must be given on create (and not nillable)
    createable: bool = True
    updateable: bool = True
    default: Any = None  # value set on create when none is given
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    picklist: tuple[str, ...] = ()
    restricted: bool = False  # restricted picklist: other values are refused
    external_id: bool = False
    unique: bool = False
    custom: bool = False

    @property
    def nillable(self) -> bool:
        return not self.required and self.type != BOOLEAN

    @property
    def system(self) -> bool:
        return not self.createable and not self.updateable


@dataclass(frozen=True, slots=True)
class ChildRelationship:
    name: str  # e.g. "OpportunityContactRoles"
    child: str  # child sObject, e.g. "OpportunityContactRole"
    field: str  # the child's lookup field, e.g. "OpportunityId"
    cascade_delete: bool = False


@dataclass(frozen=True)
class SObject:
    """An sObject type: its key prefix, fields and child relationships."""

    name: str
    key_prefix: str
    fields: tuple[Field, ...]
    label_plural: str = ""
    custom: bool = False
    children: tuple[ChildRelationship, ...] = ()
    _by_lower: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)
    _by_rel: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for f in self.fields:
            self._by_lower[f.name.lower()] = f
            if f.relationship_name:
                self._by_rel[f.relationship_name.lower()] = f

    def field(self, name: str) -> Field | None:
        """The field called *name*, matched case-insensitively."""
        return self._by_lower.get(name.lower())

    def relationship(self, name: str) -> Field | None:
        """The lookup field whose relationship is called *name* (e.g. "Account" → AccountId)."""
        return self._by_rel.get(name.lower())

    def child_relationship(self, name: str) -> ChildRelationship | None:
        lowered = name.lower()
        return next((c for c in self.children if c.name.lower() == lowered), None)

    @property
    def label(self) -> str:
        return _label(self.name)


def _label(name: str) -> str:
    base = name.removesuffix("__c")
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", base).replace("_", " ")


# --- field builders, to keep the object table readable ---------------------------------------


def _f(name: str, ftype: str, **kw: Any) -> Field:
    kw.setdefault("label", _label(name.removesuffix("Id")) if ftype == REFERENCE else _label(name))
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
            _ref("RelationId", ["Contact", "Lead", "User"], required=True, rel="Relation"),
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


def sobject(name: str) -> SObject | None:
    """The sObject called *name* (case-insensitive), or None."""
    return OBJECTS.get(name.lower())


def sobject_of_id(record_id: str) -> SObject | None:
    """The sObject an id belongs to, by its key prefix."""
    return BY_PREFIX.get(record_id[:3])


# --- values on the wire ----------------------------------------------------------------------

_DT_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_datetime(text: str) -> datetime:
    """Parse a Salesforce/ISO datetime (Z, ±hh:mm or ±hhmm offsets) into an aware UTC datetime."""
    m = _DT_RE.match(text.strip())
    if not m:
        raise ValueError(f"'{text}' is not a valid value for the type xsd:dateTime")
    y, mo, d, h, mi, s, frac, tz = m.groups()
    micro = int((frac or "0").ljust(6, "0"))
    tzinfo: timezone = UTC
    if tz and tz != "Z":
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        tzinfo = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    value = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), micro, tzinfo)
    return value.astimezone(UTC)


def parse_date(text: str) -> date:
    m = _DATE_RE.match(text.strip())
    if not m:
        raise ValueError(f"'{text}' is not a valid value for the type xsd:date")
    return date(int(m[1]), int(m[2]), int(m[3]))


def format_datetime(value: datetime) -> str:
    """Salesforce's wire form: `2024-05-01T10:00:00.000+0000`."""
    return (
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{value.microsecond // 1000:03d}+0000"
    )


def to_wire(f: Field, value: Any) -> Any:
    """A native value as the JSON the REST API returns for field *f*."""
    if value is None:
        return False if f.type == BOOLEAN else None
    if f.type == DATETIME:
        return format_datetime(value)
    if f.type == DATE:
        return value.isoformat()
    if f.type in (DOUBLE, CURRENCY, PERCENT):
        return float(value)
    return value


def from_wire(f: Field, value: Any) -> Any:
    """A JSON (or CSV text) value for field *f* as a native value; ValueError says what is wrong."""
    if value is None:
        return None
    t = f.type
    if t == BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError(f"{f.name}: value not of required type: {value}")
    if t in (INT, DOUBLE, CURRENCY, PERCENT):
        if isinstance(value, bool):
            raise ValueError(f"{f.name}: value not of required type: {value}")
        try:
            number = float(value) if t != INT else int(str(value).split(".")[0])
        except (TypeError, ValueError):
            raise ValueError(f"{f.name}: value not of required type: {value}") from None
        return number
    if t == DATETIME:
        if not isinstance(value, str):
            raise ValueError(f"{f.name}: value not of required type: {value}")
        return parse_datetime(value)
    if t == DATE:
        if not isinstance(value, str):
            raise ValueError(f"{f.name}: value not of required type: {value}")
        text = value.strip()
        return parse_datetime(text).date() if "T" in text else parse_date(text)
    if not isinstance(value, str):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise ValueError(f"{f.name}: value not of required type: {value}")
    return value


def record_to_wire(obj: SObject, record: Mapping[str, Any], version: str) -> dict[str, Any]:
    """A whole record as GET sobjects/{Obj}/{id} returns it: attributes first, every field."""
    out: dict[str, Any] = {"attributes": attributes(obj.name, record.get("Id"), version)}
    for f in obj.fields:
        out[f.name] = to_wire(f, record.get(f.name))
    return out


def attributes(type_name: str, record_id: str | None, version: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {"type": type_name}
    if record_id:
        attrs["url"] = f"/services/data/v{version}/sobjects/{type_name}/{record_id}"
    return attrs
