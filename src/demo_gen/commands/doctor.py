"""doctor: check every configured connection and say what is missing and how to fix it.

Every failed check carries a fix: the error's own hint where it has one, else the check's
standing advice (`Check` refuses to be a failure without one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from demo_gen import clock
from demo_gen.commands.org_launch import open_crm
from demo_gen.config.model import Config, Secrets
from demo_gen.errors import DemoGenError
from demo_gen.ledger.engine import display_url
from demo_gen.ledger.store import StateStore
from demo_gen.stages.items import ANSWER_OBJECT, SCORECARD_OBJECT
from demo_gen.targets.calendars.step import check_calendars
from demo_gen.targets.salesforce.client import SalesforceCrm
from demo_gen.targets.salesforce.selection import active_users
from demo_gen.targets.salesforce.target import TAGGED_OBJECTS, missing_tag_fields, tagged_objects


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None

    def __post_init__(self) -> None:
        if not self.ok and not self.fix:
            raise ValueError(f"doctor check {self.name!r} failed without a fix")


def _failed(name: str, exc: DemoGenError, fix: str) -> Check:
    """A check that failed on *exc*: the error's hint is the fix, else *fix*."""
    return Check(name, False, str(exc), exc.hint or fix)


_LLM_FIX = (
    "check llm.provider, llm.base_url and llm.model, and OPENAI_API_KEY in .env; or set "
    "llm.enabled: false (runs then write heuristic text)"
)
_STATE_FIX = (
    "point state.url at a SQLAlchemy URL this user can read (default sqlite:///runs/state.sqlite);"
    " a store written by a newer demo-gen needs that version"
)


def _login_fix(config: Config) -> str:
    if config.salesforce.target == "salesforce":
        return (
            "check salesforce.instance_url, salesforce.domain and salesforce.auth, and the SF_* "
            "credentials in .env (see .env.example)"
        )
    return "create the local org with `demo-gen org init`, or check salesforce.local"


def diagnose(config: Config, secrets: Secrets) -> list[Check]:
    """Every check, in order; a failed login stops the org checks but not the others."""
    checks = [_state_check(config)]
    if config.llm.enabled:
        checks.append(_guard("LLM", lambda: _llm(config, secrets), fix=_LLM_FIX))
    try:
        with open_crm(config, secrets) as crm:
            org_id = crm.org_id()
            checks.append(Check("login", True, f"{crm.label}: org {org_id}"))
            checks.extend(_org_checks(crm, config))
            owners = _calendar_owners(crm) if config.calendar.enabled else []
    except DemoGenError as exc:
        checks.append(_failed("login", exc, _login_fix(config)))
        owners = []
    if config.calendar.enabled:
        checks.extend(_calendar_checks(config, secrets, owners))
    return checks


def _calendar_owners(crm: SalesforceCrm) -> list[str]:
    """The emails of the org's active Users: each may get meetings in their calendar."""
    return sorted({u.email.lower() for u in active_users(crm) if u.email})


def _calendar_checks(config: Config, secrets: Secrets, owners: list[str]) -> list[Check]:
    """CalDAV: login, and each person's calendar exists and takes a write (probe, deleted)."""
    if config.calendar.kind == "ics":
        return [Check("calendar files", True, f"ics files go to {config.calendar.ics_dir}")]
    today = clock.now().date()
    found = check_calendars(config, secrets, owners, today)
    return [Check(c.name, c.ok, c.detail, c.fix) for c in found]


def _llm(config: Config, secrets: Secrets) -> str:
    from demo_gen.stages.content.llm import check_provider  # openai loads only when the LLM is on

    return check_provider(config.llm, secrets.openai_api_key)


def _state_check(config: Config) -> Check:
    try:
        store = StateStore.open_readonly(config.state.url)
        runs = len(store.list_runs())
        store.close()
    except DemoGenError as exc:
        return _failed("state store", exc, _STATE_FIX)
    return Check("state store", True, f"{display_url(config.state.url)} ({runs} runs)")


def _org_checks(crm: SalesforceCrm, config: Config) -> Iterator[Check]:
    for sobject in ("Opportunity", "Account", "Contact", "User"):
        yield _guard(
            f"read {sobject}", partial(_can_read, crm, sobject), fix=_grant("Read", sobject)
        )
    for sobject in ("Event", "EventRelation", "Task"):
        yield _guard(
            f"create {sobject}", partial(_can_create, crm, sobject), fix=_grant("Create", sobject)
        )
    yield _guard("EmailMessage", lambda: _email_messages(crm, config), fix=_EMAIL_FIX)
    yield _guard("set audit fields", lambda: _audit_fields(crm), fix=_AUDIT_FIX)
    yield _guard("scorecard objects", lambda: _scorecard_objects(crm), fix=_SCORECARD_FIX)
    omitted = config.salesforce.query.exclude_if_omitted_field
    if omitted:
        yield _guard(
            f"Opportunity.{omitted}", lambda: _has_omitted(crm, omitted), fix=_omitted_fix(omitted)
        )
    if config.run.idempotency_mode == "tag":
        for sobject in tagged_objects(crm, config):
            probe = partial(_tag_fields, crm, config, sobject)
            yield _guard(f"tag fields on {sobject}", probe, fix=_tag_fix(config, sobject))
    yield _guard("API usage", lambda: _api(crm), fix=_API_FIX)


def _guard(name: str, probe: Callable[[], Check | str], *, fix: str) -> Check:
    """Run *probe*; an error it raises is a failed check whose fix is its hint, else *fix*."""
    try:
        result = probe()
    except DemoGenError as exc:
        return _failed(name, exc, fix)
    return result if isinstance(result, Check) else Check(name, True, result)


def _grant(access: str, sobject: str) -> str:
    return f"grant {access} on {sobject} in the integration user's profile or a permission set"


def _can_read(crm: SalesforceCrm, sobject: str) -> str:
    return f"{crm.count(sobject)} records"


def _can_create(crm: SalesforceCrm, sobject: str) -> Check | str:
    described = crm.describe(sobject)
    if described is None or not described.get("createable"):
        return Check(
            f"create {sobject}",
            False,
            f"the integration user cannot create {sobject} records",
            _grant("Create", sobject),
        )
    return "createable"


def _email_messages(crm: SalesforceCrm, config: Config) -> Check | str:
    if not config.activity.email_messages:
        return "off (activity.email_messages: false): emails are written as Tasks"
    if crm.describe("EmailMessage") is None:
        return Check(
            "EmailMessage",
            True,
            "the org has no EmailMessage (Enhanced Email is off): emails are written as Tasks",
            _EMAIL_FIX,
        )
    return "emails are written as EmailMessage records with their Tasks"


AUDIT_PERMISSION = "Set Audit Fields upon Record Creation"
_EMAIL_FIX = "turn on Enhanced Email in Setup to also get EmailMessage records"
_AUDIT_FIX = (
    f'in Setup › User Interface tick Enable "{AUDIT_PERMISSION}" and "Update Records with '
    f'Inactive Owners" User Permissions, then grant "{AUDIT_PERMISSION}" to the '
    "integration user in a permission set (local org: `demo-gen org init "
    "--set-audit-fields`)"
)


def _audit_fields(crm: SalesforceCrm) -> Check | str:
    """Whether inserts may backdate CreatedDate (a warning, never a failure: runs still work)."""
    allowed = [s for s in TAGGED_OBJECTS if crm.can_set_audit_fields(s)]
    if len(allowed) == len(TAGGED_OBJECTS):
        return "inserts may set CreatedDate and CreatedById (records can be backdated)"
    return Check(
        "set audit fields",
        True,
        "the integration user cannot set CreatedDate on insert"
        + (f" (only on {', '.join(allowed)})" if allowed else "")
        + ": records show the run's time as their creation date",
        _AUDIT_FIX,
    )


def _scorecard_objects(crm: SalesforceCrm) -> Check | str:
    missing = [o for o in (SCORECARD_OBJECT, ANSWER_OBJECT) if crm.describe(o) is None]
    if not missing:
        return "present: scorecards are written to the org"
    return Check(
        "scorecard objects",
        False,
        f"the org lacks {', '.join(missing)}: scorecards go to runs/<run_id>/scorecards.jsonl only",
        _SCORECARD_FIX,
    )


_SCORECARD_FIX = (
    f"create {SCORECARD_OBJECT} (Opportunity__c lookup, Template__c Text(40), Score__c, "
    f"Coverage__c, Confidence__c Percent) and {ANSWER_OBJECT} (Scorecard__c master-detail, "
    "Element__c Text(80), Question__c Long Text, Answer__c Long Text, Confidence__c Percent, "
    "Source__c Text(20), Evidence_Ids__c Long Text); in tag mode both also need "
    "DemoGen_Signature__c and DemoGen_Run_Id__c"
)


def _has_omitted(crm: SalesforceCrm, field: str) -> Check | str:
    if field in (crm.fields_of("Opportunity") or frozenset()):
        return "present"
    return Check(
        f"Opportunity.{field}",
        False,
        f"Opportunity has no field {field}: no opportunity is excluded by it",
        _omitted_fix(field),
    )


def _omitted_fix(field: str) -> str:
    return (
        f"add a Checkbox field {field} to Opportunity, or set "
        "salesforce.query.exclude_if_omitted_field: null"
    )


def _tag_fields(crm: SalesforceCrm, config: Config, sobject: str) -> Check | str:
    missing = missing_tag_fields(crm, config, sobject)
    if not missing:
        return "present"
    return Check(
        f"tag fields on {sobject}",
        False,
        f"{sobject} lacks {', '.join(missing)} (needed by idempotency_mode: tag)",
        _tag_fix(config, sobject),
    )


def _tag_fix(config: Config, sobject: str) -> str:
    where = (
        "Activity" if sobject in ("Event", "Task") else sobject
    )  # their custom fields live on Activity
    return (
        f"add on {where}: {config.run.signature_field} (Text 64, External ID, Unique) and "
        f"{config.run.run_tag_field} (Text 64); or use idempotency_mode: external_state"
    )


_API_FIX = (
    "the integration user needs the API Enabled permission; Setup › Company Information shows "
    "the org's daily API requests"
)


def _api(crm: SalesforceCrm) -> str:
    requests = crm.limits().get("DailyApiRequests") or {}
    return f"{requests.get('Remaining', '?')} of {requests.get('Max', '?')} daily requests left"
