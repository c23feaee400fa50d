"""doctor: check every configured connection and say what is missing and how to fix it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from demo_gen.config import Config, Secrets
from demo_gen.content.llm import check_provider
from demo_gen.crm import SalesforceCrm, open_crm
from demo_gen.errors import DemoGenError
from demo_gen.items import ANSWER_OBJECT, SCORECARD_OBJECT
from demo_gen.state import StateStore
from demo_gen.targets.salesforce import TAGGED_OBJECTS, missing_tag_fields, tagged_objects


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None


def diagnose(config: Config, secrets: Secrets) -> list[Check]:
    """Every check, in order; a failed login stops the org checks but not the others."""
    checks = [_state_check(config)]
    if config.llm.enabled:
        checks.append(_guard("LLM", lambda: check_provider(config.llm, secrets.openai_api_key)))
    try:
        with open_crm(config, secrets) as crm:
            org_id = crm.org_id()
            checks.append(Check("login", True, f"{crm.label}: org {org_id}"))
            checks.extend(_org_checks(crm, config))
    except DemoGenError as exc:
        checks.append(Check("login", False, str(exc), exc.hint))
    return checks


def _state_check(config: Config) -> Check:
    try:
        store = StateStore.open_readonly(config.state.url)
        runs = len(store.list_runs())
        store.close()
    except DemoGenError as exc:
        return Check("state store", False, str(exc), exc.hint)
    return Check("state store", True, f"{config.state.url} ({runs} runs)")


def _org_checks(crm: SalesforceCrm, config: Config) -> Iterator[Check]:
    for sobject in ("Opportunity", "Account", "Contact", "User"):
        yield _guard(f"read {sobject}", partial(_can_read, crm, sobject))
    for sobject in ("Event", "EventRelation", "Task"):
        yield _guard(f"create {sobject}", partial(_can_create, crm, sobject))
    yield _guard("EmailMessage", lambda: _email_messages(crm, config))
    yield _guard("set audit fields", lambda: _audit_fields(crm))
    yield _guard("scorecard objects", lambda: _scorecard_objects(crm))
    omitted = config.salesforce.query.exclude_if_omitted_field
    if omitted:
        yield _guard(f"Opportunity.{omitted}", lambda: _has_omitted(crm, omitted))
    if config.run.idempotency_mode == "tag":
        for sobject in tagged_objects(crm, config):
            yield _guard(f"tag fields on {sobject}", partial(_tag_fields, crm, config, sobject))
    yield _guard("API usage", lambda: _api(crm))


def _guard(name: str, probe: Callable[[], Check | str]) -> Check:
    try:
        result = probe()
    except DemoGenError as exc:
        return Check(name, False, str(exc), exc.hint)
    return result if isinstance(result, Check) else Check(name, True, result)


def _can_read(crm: SalesforceCrm, sobject: str) -> str:
    return f"{crm.count(sobject)} records"


def _can_create(crm: SalesforceCrm, sobject: str) -> Check | str:
    described = crm.describe(sobject)
    if described is None or not described.get("createable"):
        return Check(
            f"create {sobject}",
            False,
            f"the integration user cannot create {sobject} records",
            f"grant Create on {sobject} in the user's profile or a permission set",
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
            "turn on Enhanced Email in Setup to also get EmailMessage records",
        )
    return "emails are written as EmailMessage records with their Tasks"


AUDIT_PERMISSION = "Set Audit Fields upon Record Creation"


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
        f'in Setup › User Interface tick Enable "{AUDIT_PERMISSION}" and "Update Records with '
        f'Inactive Owners" User Permissions, then grant "{AUDIT_PERMISSION}" to the '
        "integration user in a permission set (local org: `demo-gen org init "
        "--set-audit-fields`)",
    )


def _scorecard_objects(crm: SalesforceCrm) -> Check | str:
    missing = [o for o in (SCORECARD_OBJECT, ANSWER_OBJECT) if crm.describe(o) is None]
    if not missing:
        return "present: scorecards are written to the org"
    return Check(
        "scorecard objects",
        False,
        f"the org lacks {', '.join(missing)}: scorecards go to runs/<run_id>/scorecards.jsonl only",
        f"create {SCORECARD_OBJECT} (Opportunity__c lookup, Template__c Text(40), Score__c, "
        f"Coverage__c, Confidence__c Percent) and {ANSWER_OBJECT} (Scorecard__c master-detail, "
        "Element__c Text(80), Question__c Long Text, Answer__c Long Text, Confidence__c Percent, "
        "Source__c Text(20), Evidence_Ids__c Long Text); in tag mode both also need "
        "DemoGen_Signature__c and DemoGen_Run_Id__c",
    )


def _has_omitted(crm: SalesforceCrm, field: str) -> Check | str:
    if field in (crm.fields_of("Opportunity") or frozenset()):
        return "present"
    return Check(
        f"Opportunity.{field}",
        False,
        f"Opportunity has no field {field}: no opportunity is excluded by it",
        f"add a Checkbox field {field} to Opportunity, or set "
        "salesforce.query.exclude_if_omitted_field: null",
    )


def _tag_fields(crm: SalesforceCrm, config: Config, sobject: str) -> Check | str:
    missing = missing_tag_fields(crm, config, sobject)
    if not missing:
        return "present"
    return Check(
        f"tag fields on {sobject}",
        False,
        f"{sobject} lacks {', '.join(missing)} (needed by idempotency_mode: tag)",
        f"add on Activity: {config.run.signature_field} (Text 64, External ID, Unique) and "
        f"{config.run.run_tag_field} (Text 64); or use idempotency_mode: external_state",
    )


def _api(crm: SalesforceCrm) -> str:
    requests = crm.limits().get("DailyApiRequests") or {}
    return f"{requests.get('Remaining', '?')} of {requests.get('Max', '?')} daily requests left"
