"""Configuration: YAML, then `.env`, then `DEMO_GEN_<SECTION>__<KEY>` overrides, validated strictly.

`load_config(path)` returns a frozen `Config` or raises `ConfigError` whose message names the file,
the line and the key: `demo.yaml:12: activity.meetings.past_max: must be >= past_min (3)`.
Secrets never live here: `Secrets.from_env()` reads them from the environment (and `.env`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from demo_gen.errors import ConfigError, UsageError
from demo_gen.yamlsource import LineIndex, first_error, line_of, parse_yaml

ENV_PREFIX = "DEMO_GEN_"
Ratio = Annotated[float, Field(ge=0.0, le=1.0)]
Methodology = Literal["MEDDICC", "MEDDPICC", "BANT", "SPICED"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RunSettings(Strict):
    name: str = Field(default="se-demo-pack", min_length=1, max_length=64)
    """Names the pack; part of every signature."""
    seed: int = 42
    idempotency_mode: Literal["external_state", "tag"] = "external_state"
    """external_state: the state store alone; tag: also stamp records, upsert on the signature."""
    run_tag_field: str = "DemoGen_Run_Id__c"
    signature_field: str = "DemoGen_Signature__c"
    anchor_date: date | None = None
    """The date the plan is laid around; null = this pack's first run date, per opportunity."""
    runs_dir: Path = Path("runs")
    """Where runs/<run_id>/ outputs go."""
    api_budget_share: Ratio = 0.5
    """The share of the org's remaining daily API requests a run may use."""


class DateRange(Strict):
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.start > self.end:
            raise ValueError(f"start ({self.start}) must not be after end ({self.end})")
        return self


class QuerySettings(Strict):
    opportunity_type: str | None = "New Business"
    """Only opportunities of this Type; null = any type."""
    stages_allowed: list[str] = Field(
        default_factory=lambda: ["Discovery", "Evaluation", "Proposal", "Negotiation"]
    )
    exclude_if_omitted_field: str | None = "Omitted_from_Demo__c"
    close_date_range: DateRange | None = None
    limit: int = Field(default=100, ge=1, le=50_000)


class LocalSettings(Strict):
    db: Path = Path("runs/local-org.sqlite")
    """The embedded org's storage."""
    url: str | None = None
    """http://127.0.0.1:PORT of an org started by `demo-gen org serve`; null = embedded."""

    @field_validator("url")
    @classmethod
    def _loopback(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://127.0.0.1:", "http://localhost:")):
            raise ValueError("must be http://127.0.0.1:PORT (the local org binds loopback only)")
        return value


class SalesforceSettings(Strict):
    target: Literal["local", "salesforce"] = "local"
    instance_url: str | None = None
    """A real org's https URL (target: salesforce)."""
    domain: str = "login"
    """login (production), test (sandbox) or a My Domain prefix such as acme.my."""
    auth: Literal["password", "jwt", "client_credentials"] = "password"
    api_version: str = Field(default="59.0", pattern=r"^\d{2,3}\.0$")
    local: LocalSettings = Field(default_factory=LocalSettings)
    query: QuerySettings = Field(default_factory=QuerySettings)
    batch_size: int = Field(default=200, ge=1, le=200)
    """Records per sObject Collections call (Salesforce allows at most 200)."""
    concurrency: int = Field(default=4, ge=1, le=16)
    """Collection calls in flight at once."""

    @model_validator(mode="after")
    def _real_org_needs_https(self) -> SalesforceSettings:
        if self.target == "salesforce":
            if not self.instance_url:
                raise ValueError("instance_url is required when target is salesforce")
            if not self.instance_url.startswith("https://"):
                raise ValueError(f"instance_url must use https, got {self.instance_url}")
        return self


class StateSettings(Strict):
    url: str = "sqlite:///runs/state.sqlite"
    """Any SQLAlchemy URL; a shared PostgreSQL works for teams."""


class MinMax(Strict):
    min: int = Field(ge=0)
    max: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> MinMax:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must be <= max ({self.max})")
        return self


class MeetingSettings(Strict):
    past_min: int = Field(default=3, ge=0, le=50)
    past_max: int = Field(default=8, ge=0, le=50)
    future_min: int = Field(default=1, ge=0, le=20)
    future_max: int = Field(default=3, ge=0, le=20)
    duration_minutes: list[Annotated[int, Field(ge=15, le=480)]] = Field(
        default_factory=lambda: [30, 45, 60], min_length=1
    )

    @model_validator(mode="after")
    def _ordered(self) -> MeetingSettings:
        if self.past_min > self.past_max:
            raise ValueError(f"past_max must be >= past_min ({self.past_min})")
        if self.future_min > self.future_max:
            raise ValueError(f"future_max must be >= future_min ({self.future_min})")
        return self


class Hours(Strict):
    start: time = time(9, 0)
    end: time = time(17, 0)

    @model_validator(mode="after")
    def _ordered(self) -> Hours:
        if self.start >= self.end:
            raise ValueError(f"start ({self.start}) must be before end ({self.end})")
        return self


class Messiness(Strict):
    """How untidy the story is: every share is drawn from the seed, 0 turns that kind off."""

    no_show_share: Ratio = 0.06
    """Share of past customer meetings the customer did not attend (a rebooking follows)."""
    reschedule_share: Ratio = 0.1
    """Share of customer meetings moved to another day, with the email that moved them."""
    decline_share: Ratio = 0.05
    """Share of optional invitees who decline (EventRelation Status Declined)."""
    tentative_share: Ratio = 0.1
    """Share of invitees who never answered the invitation (Status New)."""
    out_of_office_share: Ratio = 0.04
    """Share of outbound emails answered first by an out-of-office auto-reply."""
    silent_gap_share: Ratio = 0.3
    """Share of deals with a silent gap of one to three weeks in their history."""
    stalled_share: Ratio = 0.25
    """Share of open deals whose story fades (no-shows, slower replies, a last unanswered email)."""
    calls: MinMax = Field(default_factory=lambda: MinMax(min=1, max=4))
    """Logged calls (Task, TaskSubtype Call) per deal, before scaling by its cycle length."""
    linkedin_share: Ratio = 0.35
    """Share of deals with a LinkedIn-style touch logged as a Task."""


class ActivitySettings(Strict):
    past_days: int = Field(default=400, ge=1, le=1100)
    """How far before the anchor a deal's history may start (it starts at its CreatedDate)."""
    seller_daily_max: int = Field(default=5, ge=1, le=20)
    """At most this many meetings a day for one seller (internal ones included)."""
    seller_weekly_max: int = Field(default=18, ge=1, le=80)
    """At most this many meetings a week for one seller."""
    messiness: Messiness = Field(default_factory=Messiness)
    """No-shows, reschedules, declines, out-of-office replies, silences, calls, stalled deals."""
    future_days: int = Field(default=21, ge=0, le=365)
    meetings: MeetingSettings = Field(default_factory=MeetingSettings)
    emails: MinMax = Field(default_factory=lambda: MinMax(min=5, max=20))
    participant_roles: list[str] = Field(
        default_factory=lambda: ["Champion", "Economic Buyer", "Technical Buyer", "Influencer"]
    )
    realism_level: Literal["none", "light", "heavy"] = "light"
    business_hours: Hours = Field(default_factory=Hours)
    """Local working hours every external participant's meeting falls in."""
    seller_hours: Hours = Field(default_factory=lambda: Hours(start=time(7, 0), end=time(20, 0)))
    """The wider local window the seller side adapts within."""
    after_hours_email_share: Ratio = 0.08
    """Share of thread-opening emails sent early or late; replies come at any waking hour."""
    in_person_share: Ratio = 0.15
    """Share of late-stage meetings held in person."""
    email_messages: bool = True
    """Also write EmailMessage records (Enhanced Email) besides the email Tasks."""


class LlmSettings(Strict):
    enabled: bool = False
    provider: Literal["openai", "azure_openai", "openai_compatible"] = "openai"
    model: str = "gpt-4o-mini"
    """The model, or for azure_openai the deployment name."""
    base_url: str | None = None
    """openai_compatible: the server's /v1 URL; azure_openai: the resource endpoint."""
    api_version: str | None = None
    """azure_openai only, e.g. 2024-10-21."""
    temperature: float = Field(default=0.4, ge=0.0, le=2.0)
    max_tokens: int = Field(default=8192, ge=256, le=32_000)
    """Output tokens per request; a plan whose texts would not fit is split into more requests."""
    structured_output: bool = True
    """Ask for JSON-schema structured output; off = JSON mode plus validation."""
    concurrency: int = Field(default=4, ge=1, le=32)
    """Opportunities whose story is being written at once."""
    timeout_s: float = Field(default=60.0, gt=0, le=600)
    max_retries: int = Field(default=3, ge=0, le=10)
    """Retries of a failed request (429 honours Retry-After); then the heuristic text is used."""
    chunk_items: int = Field(default=40, ge=5, le=200)
    """Activities per request; a larger plan is split into several requests."""
    pseudonymize_names: bool = False
    """Replace people's names in prompts with stable pseudonyms, restored in the text."""
    price_per_1k_tokens: float | None = Field(default=None, ge=0)
    """For dry-run's cost estimate."""

    @model_validator(mode="after")
    def _provider_needs(self) -> LlmSettings:
        if self.provider == "openai_compatible" and not self.base_url:
            raise ValueError("base_url is required when provider is openai_compatible")
        if self.provider == "azure_openai" and not (self.base_url and self.api_version):
            raise ValueError("base_url and api_version are required when provider is azure_openai")
        return self


def _default_templates() -> list[Methodology | str]:
    return ["MEDDICC"]


class ScorecardSettings(Strict):
    templates: list[Methodology | str] = Field(default_factory=_default_templates, min_length=1)
    """Built-in methodologies by name, or paths to your own template YAML files."""
    coverage_target: Ratio = 0.8
    confidence_floor: Ratio = 0.55
    mode: Literal["heuristic", "llm", "hybrid"] = "hybrid"


_NO_CALENDAR = (
    "calendar sync is not available in this version of demo-gen (meetings are written to the "
    "org only); set it back to the default"
)


class CalendarSettings(Strict):
    enabled: bool = False
    """Reserved: putting meetings into participants' calendars is not implemented yet."""
    kind: Literal["caldav", "ics"] = "caldav"
    url: str | None = None

    @field_validator("enabled")
    @classmethod
    def _not_yet(cls, value: bool) -> bool:
        if value:
            raise ValueError(_NO_CALENDAR)
        return value


class PeopleAiSettings(Strict):
    ingestion_mode: Literal["crm_activity", "calendar"] = "crm_activity"
    """crm_activity: the revenue-intelligence tool reads the org's activity (the only mode yet)."""

    @field_validator("ingestion_mode")
    @classmethod
    def _not_yet(cls, value: str) -> str:
        if value == "calendar":
            raise ValueError(_NO_CALENDAR)
        return value


class Config(Strict):
    run: RunSettings = Field(default_factory=RunSettings)
    salesforce: SalesforceSettings = Field(default_factory=SalesforceSettings)
    state: StateSettings = Field(default_factory=StateSettings)
    activity: ActivitySettings = Field(default_factory=ActivitySettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    scorecards: ScorecardSettings = Field(default_factory=ScorecardSettings)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    peopleai: PeopleAiSettings = Field(default_factory=PeopleAiSettings)

    def fingerprint(self) -> str:
        """A short hash of the configuration as used (no secrets live here)."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Secrets:
    """Credentials from the environment or `.env`; never written anywhere."""

    sf_username: str | None = None
    sf_password: str | None = None
    sf_security_token: str | None = None
    sf_consumer_key: str | None = None
    sf_consumer_secret: str | None = None
    sf_private_key_file: str | None = None
    openai_api_key: str | None = None
    caldav_username: str | None = None
    caldav_password: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Secrets:
        source = os.environ if env is None else env
        return cls(**{name: source.get(name.upper()) or None for name in cls.__dataclass_fields__})


def load_config(path: Path | str, *, env: Mapping[str, str] | None = None) -> Config:
    """Read, merge and validate a configuration file.

    *env* defaults to `os.environ` merged over the `.env` file beside the working directory;
    `DEMO_GEN_RUN__SEED=7` overrides `run.seed`. Raises UsageError for a missing file and
    ConfigError (naming file:line and key) for anything invalid.
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(
            f"configuration file not found: {path}",
            hint="pass -c PATH, or copy demo.example.yaml",
        )
    text = path.read_text(encoding="utf-8")
    data, lines = parse_yaml(text, str(path), what="sections (run, salesforce, activity, …)")
    environment = dict(env) if env is not None else load_environment()
    overrides = _env_overrides(environment)
    merged = _deep_merge(data, overrides)
    try:
        return Config.model_validate(merged)
    except ValidationError as exc:
        raise _config_error(path, exc, lines, overrides) from None


def load_environment(dotenv_path: Path = Path(".env")) -> dict[str, str]:
    """`os.environ` over the values of `.env` (the environment wins)."""
    values = {k: v for k, v in dotenv_values(dotenv_path).items() if v is not None}
    values.update(os.environ)
    return values


def _env_overrides(env: Mapping[str, str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for name, raw in sorted(env.items()):
        if not name.startswith(ENV_PREFIX) or "__" not in name or name == "DEMO_GEN_CONFIG":
            continue
        keys = [k.lower() for k in name[len(ENV_PREFIX) :].split("__")]
        value = yaml.safe_load(raw) if raw.strip() else None
        cursor = overrides
        for key in keys[:-1]:
            cursor = cursor.setdefault(key, {})
        cursor[keys[-1]] = value
    return overrides


def _deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _config_error(
    path: Path, exc: ValidationError, lines: LineIndex, overrides: Mapping[str, Any]
) -> ConfigError:
    loc, dotted, message = first_error(exc, "see demo.example.yaml")
    if _in_overrides(loc, overrides):
        env_name = ENV_PREFIX + "__".join(part.upper() for part in loc)
        return ConfigError(f"{env_name} (environment): {dotted}: {message}")
    return ConfigError(f"{path}:{line_of(loc, lines)}: {dotted}: {message}")


def _in_overrides(loc: tuple[str, ...], overrides: Mapping[str, Any]) -> bool:
    cursor: Any = overrides
    for part in loc:
        if not isinstance(cursor, Mapping) or part not in cursor:
            return False
        cursor = cursor[part]
    return True
