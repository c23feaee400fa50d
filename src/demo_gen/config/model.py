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
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal

from dotenv import dotenv_values
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from demo_gen.config.stories import StoryScript
from demo_gen.config.types import (
    LOOPBACK,
    AnchorDate,
    ApiName,
    CalendarDate,
    ClockTime,
    EnvName,
    Label,
    LoginEmail,
    Methodology,
    Ratio,
    check_collection_template,
    count,
    secure_or_loopback,
    url_problem,
)
from demo_gen.config.yamlsource import (
    LineIndex,
    first_error,
    line_of,
    parse_value,
    parse_yaml,
    read_text,
)
from demo_gen.errors import ConfigError, UsageError

MAX_BATCH = 200
"""The most records one write call carries (sObject Collections take 200): `batch_size`'s
ceiling, and every target's batch limit (`targets.base.BATCH_LIMIT`)."""

ENV_PREFIX = "DEMO_GEN_"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RunSettings(Strict):
    name: str = Field(default="se-demo-pack", min_length=1, max_length=64, pattern=r"[A-Za-z0-9]")
    """Names the pack; part of every signature. 1–64 characters, at least one letter or digit."""
    seed: int = Field(default=42, ge=-(2**63), le=2**63 - 1, strict=True)
    """Any 64-bit integer."""
    idempotency_mode: Literal["external_state", "tag"] = "external_state"
    """external_state: the state store alone; tag: also stamp records, upsert on the signature."""
    run_tag_field: ApiName = "DemoGen_Run_Id__c"
    signature_field: ApiName = "DemoGen_Signature__c"
    anchor_date: AnchorDate | None = None
    """The date the plan is laid around (2000-01-01 … 2099-12-31); null = this pack's first run
    date, per opportunity."""
    runs_dir: Path = Path("runs")
    """Where runs/<run_id>/ outputs go: a directory, or a path that can be created as one."""
    api_budget_share: float = Field(default=0.5, le=1.0, strict=True, allow_inf_nan=False)
    """The share of the org's remaining daily API requests a run may use: 0.01 … 1."""

    @field_validator("api_budget_share")
    @classmethod
    def _spendable(cls, value: float) -> float:
        if value < 0.01:
            raise ValueError(
                "must be at least 0.01 (and at most 1): a smaller share leaves the run no API "
                "requests to write with, so every record would be deferred, run after run"
            )
        return value


class DateRange(Strict):
    start: CalendarDate
    end: CalendarDate

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.start > self.end:
            raise ValueError(f"start ({self.start}) must not be after end ({self.end})")
        return self


class QuerySettings(Strict):
    opportunity_type: Label | None = "New Business"
    """Only opportunities of this Type; null = any type."""
    stages_allowed: list[Label] = Field(
        default_factory=lambda: ["Discovery", "Evaluation", "Proposal", "Negotiation"],
        max_length=100,
    )
    """StageName values to select (at most 100); each must be in the org's StageName picklist."""
    exclude_if_omitted_field: ApiName | None = "Omitted_from_Demo__c"
    close_date_range: DateRange | None = None
    """Dates within Salesforce's range, 1700-01-01 … 4000-12-31."""
    limit: int = count(100, 1, 50_000)
    """Opportunities per run: 1 … 50,000."""


class LocalSettings(Strict):
    db: Path = Path("runs/local-org.sqlite")
    """The embedded org's storage."""
    url: str | None = None
    """http://127.0.0.1:PORT of an org started by `demo-gen org serve`; null = embedded."""

    @field_validator("url")
    @classmethod
    def _loopback(cls, value: str | None) -> str | None:
        found = None if value is None else LOOPBACK.fullmatch(value)
        if value is not None and (found is None or not 1 <= int(found.group(2)) <= 65535):
            raise ValueError("must be http://127.0.0.1:PORT (the local org binds loopback only)")
        return value


class BulkSettings(Strict):
    """When writes go through Bulk API 2.0 ingest jobs instead of sObject Collections."""

    mode: Literal["auto", "always", "never"] = "auto"
    """auto: Bulk for large runs (see min_records and budget_share); always; never (REST only)."""
    min_records: int = count(10_000, 1, 100_000_000)
    """auto: a run with at least this many records to write goes through Bulk."""
    budget_share: float = Field(default=0.1, gt=0.0, le=1.0, strict=True, allow_inf_nan=False)
    """auto: also Bulk when REST would spend more than this share of the API requests the org
    has left today (0 < share ≤ 1)."""
    poll_seconds: float = Field(default=1.0, ge=0.0, le=60.0, strict=True, allow_inf_nan=False)
    """Seconds between two looks at a running job (0 … 60)."""
    query_min_records: int = count(1_000, 1, 100_000_000)
    """Reads through Bulk API 2.0 query jobs when they bring at least this many records: the
    read-back of a Bulk ingest job, and (unless mode is never) the first reads of a large org."""


class SalesforceSettings(Strict):
    target: Literal["local", "salesforce"] = "local"
    instance_url: str | None = None
    """A real org's https URL (target: salesforce)."""
    domain: str = Field(default="login", pattern=r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$")
    """login (production), test (sandbox) or a My Domain prefix such as acme.my."""
    auth: Literal["password", "jwt", "client_credentials"] = "password"
    api_version: str = Field(default="59.0", pattern=r"^\d{2,3}\.0$")
    local: LocalSettings = Field(default_factory=LocalSettings)
    query: QuerySettings = Field(default_factory=QuerySettings)
    batch_size: int = count(MAX_BATCH, 1, MAX_BATCH)
    """Records per sObject Collections call: 1 … 200 (Salesforce allows at most 200)."""
    concurrency: int = count(4, 1, 16)
    """Collection calls in flight at once: 1 … 16."""
    bulk: BulkSettings = Field(default_factory=BulkSettings)
    """Bulk API 2.0 for large runs (docs/adr/0007-bulk-api-for-volume.md)."""

    @model_validator(mode="after")
    def _real_org_needs_https(self) -> SalesforceSettings:
        if self.target == "salesforce":
            if not self.instance_url:
                raise ValueError("instance_url is required when target is salesforce")
            problem = url_problem(self.instance_url, ("https",))
            if problem:
                raise ValueError(f"instance_url {problem}")
        return self


class StateSettings(Strict):
    url: str = "sqlite:///runs/state.sqlite"
    """Any SQLAlchemy URL; a shared PostgreSQL works for teams. A SQLite file's directory must
    exist, or its parent must, or it must lie under the working directory or runs_dir."""


class MinMax(Strict):
    min: int = count(0, 0, 200)
    max: int = count(0, 0, 200)

    @model_validator(mode="after")
    def _ordered(self) -> MinMax:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must be <= max ({self.max})")
        return self


class MeetingSettings(Strict):
    past_min: int = count(3, 0, 50)
    past_max: int = count(8, 0, 50)
    """Meetings before the anchor per opportunity: 0 … 50."""
    future_min: int = count(1, 0, 20)
    future_max: int = count(3, 0, 20)
    """Meetings after the anchor per opportunity: 0 … 20."""
    duration_minutes: list[Annotated[int, Field(ge=15, le=480, strict=True)]] = Field(
        default_factory=lambda: [30, 45, 60], min_length=1, max_length=20
    )
    """Meeting lengths to choose from: 1 … 20 values, each 15 … 480 minutes."""

    @model_validator(mode="after")
    def _ordered(self) -> MeetingSettings:
        if self.past_min > self.past_max:
            raise ValueError(f"past_max must be >= past_min ({self.past_min})")
        if self.future_min > self.future_max:
            raise ValueError(f"future_max must be >= future_min ({self.future_min})")
        return self


class Hours(Strict):
    start: ClockTime = time(9, 0)
    end: ClockTime = time(17, 0)

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
    past_days: int = count(400, 1, 1100)
    """How far back a deal's history may start (it starts at its CreatedDate): 1 … 1100 days."""
    seller_daily_max: int = count(5, 1, 20)
    """At most this many meetings a day for one seller (internal ones included): 1 … 20."""
    seller_weekly_max: int = count(18, 1, 80)
    """At most this many meetings a week for one seller: 1 … 80."""
    messiness: Messiness = Field(default_factory=Messiness)
    """No-shows, reschedules, declines, out-of-office replies, silences, calls, stalled deals."""
    future_days: int = count(21, 0, 365)
    """Days planned after the anchor: 0 … 365."""
    meetings: MeetingSettings = Field(default_factory=MeetingSettings)
    emails: MinMax = Field(default_factory=lambda: MinMax(min=5, max=20))
    """Emails per opportunity, min … max, each 0 … 200."""
    participant_roles: list[Label] = Field(
        default_factory=lambda: ["Champion", "Economic Buyer", "Technical Buyer", "Influencer"],
        max_length=50,
    )
    """Contact roles invited to meetings (at most 50)."""
    realism_level: Literal["none", "light", "heavy"] = "light"
    business_hours: Hours = Field(default_factory=Hours)
    """Local working hours every external participant's meeting falls in ("HH:MM", quoted)."""
    seller_hours: Hours = Field(default_factory=lambda: Hours(start=time(8, 0), end=time(18, 0)))
    """The seller side's own working day ("HH:MM", quoted): a customer meeting sits in both
    sides' business hours where it can, else the seller adapts within this window."""
    after_hours_email_share: Ratio = 0.08
    """Share of thread openers sent early or late, and the chance that a reply falling outside the
    sender's email hours (business hours and an hour either side) still goes then; nobody emails
    on their weekend or a public holiday."""
    in_person_share: Ratio = 0.15
    """Share of late-stage meetings held in person."""
    email_messages: bool = True
    """Also write EmailMessage records (Enhanced Email) besides the email Tasks."""


class LlmSettings(Strict):
    enabled: bool = False
    provider: Literal["openai", "azure_openai", "openai_compatible"] = "openai"
    model: str = Field(default="gpt-4o-mini", min_length=1, max_length=200)
    """The model, or for azure_openai the deployment name."""
    base_url: str | None = None
    """openai_compatible: the server's /v1 URL; azure_openai: the resource endpoint."""
    api_version: str | None = Field(default=None, max_length=40)
    """azure_openai only, e.g. 2024-10-21."""
    temperature: float = Field(default=0.4, ge=0.0, le=2.0, strict=True, allow_inf_nan=False)
    max_tokens: int = count(8192, 256, 32_000)
    """Output tokens per request (256 … 32,000); a plan whose texts would not fit is split."""
    structured_output: bool = True
    """Ask for JSON-schema structured output; off = JSON mode plus validation."""
    concurrency: int = count(4, 1, 32)
    """Opportunities whose story is being written at once: 1 … 32."""
    timeout_s: float = Field(default=60.0, gt=0, le=600, strict=True, allow_inf_nan=False)
    """Seconds per request: > 0 … 600."""
    max_retries: int = count(3, 0, 10)
    """Retries of a failed request, 0 … 10 (429 honours Retry-After); then heuristic text."""
    chunk_items: int = count(40, 5, 200)
    """Activities per request: 5 … 200; a larger plan is split into several requests."""
    pseudonymize_names: bool = False
    """Replace people's names in prompts with stable pseudonyms, restored in the text."""
    price_per_1k_tokens: float | None = Field(
        default=None, ge=0, le=1000, strict=True, allow_inf_nan=False
    )
    """For dry-run's cost estimate: 0 … 1000 (dollars per 1,000 tokens)."""

    @model_validator(mode="after")
    def _provider_needs(self) -> LlmSettings:
        if self.provider == "openai_compatible" and not self.base_url:
            raise ValueError("base_url is required when provider is openai_compatible")
        if self.provider == "azure_openai" and not (self.base_url and self.api_version):
            raise ValueError("base_url and api_version are required when provider is azure_openai")
        problem = self.base_url and url_problem(self.base_url, ("http", "https"))
        if problem:
            raise ValueError(f"base_url {problem}")
        return self


def _default_templates() -> list[Methodology | str]:
    return ["MEDDICC"]


class ScorecardSettings(Strict):
    templates: list[Methodology | Annotated[str, Field(min_length=1, max_length=1000)]] = Field(
        default_factory=_default_templates, min_length=1, max_length=10
    )
    """1 … 10 built-in methodologies by name, or paths to your own template YAML files; each is
    loaded (and must be valid) when the configuration is."""
    coverage_target: Ratio = 0.8
    confidence_floor: Ratio = 0.55
    mode: Literal["heuristic", "llm", "hybrid"] = "hybrid"


class CalendarSettings(Strict):
    enabled: bool = False
    """Also put every meeting into the calendar of each internal attendee (seller, colleagues)."""
    kind: Literal["caldav", "ics"] = "caldav"
    """caldav: a CalDAV server (credentials CALDAV_USERNAME/CALDAV_PASSWORD from .env);
    ics: one .ics file per person per pack under `ics_dir`, to import into any calendar."""
    url: str | None = None
    """The CalDAV server's base URL; https, or http on 127.0.0.1/localhost only."""
    collection: str = "{base}/{user}/calendar/"
    """Each person's calendar collection: `{base}` is `url`, `{user}` the person's email."""
    ics_dir: str = "runs/calendars"
    """kind ics: where `<pack>/<email>.ics` files go."""
    timeout_s: int = count(30, 1, 600)
    locate: Literal["template", "principal"] = "template"
    """How a person's calendar is found. template: `collection`; principal: discovery with
    that person's login (current-user-principal → calendar-home-set → its calendars)."""
    calendar_name: str | None = Field(default=None, min_length=1, max_length=200)
    """locate principal: the calendar with this display name; unset: the first (by URL) that
    holds events."""
    logins: dict[LoginEmail, EnvName] = Field(default_factory=dict, max_length=1000)
    """A person's own login: email -> NAME, read from CALDAV_USERNAME_<NAME> and
    CALDAV_PASSWORD_<NAME> in .env; everyone else logs in as CALDAV_USERNAME."""
    auth: Literal["auto", "basic", "digest"] = "auto"
    """auto: the scheme the server asks for on the first login, then sent up front by every
    other login; basic or digest: sent up front from the first request (no 401 round trip)."""

    @field_validator("collection")
    @classmethod
    def _template(cls, value: str) -> str:
        return check_collection_template(value)

    @model_validator(mode="after")
    def _server(self) -> CalendarSettings:
        if not (self.enabled and self.kind == "caldav"):
            return self
        if not self.url:
            raise ValueError("url is required when enabled is true and kind is caldav")
        problem = url_problem(self.url, ("http", "https"))
        if problem:
            raise ValueError(f"url {problem}")
        if not secure_or_loopback(self.url):
            raise ValueError("url must use https (http is allowed on 127.0.0.1 and localhost)")
        return self


class PeopleAiSettings(Strict):
    ingestion_mode: Literal["crm_activity", "calendar"] = "crm_activity"
    """crm_activity: the revenue-intelligence tool reads the org's activity; calendar: it reads
    the sellers' calendars, so meetings also go there (needs calendar.enabled)."""


@dataclass(frozen=True)
class ConfigSource:
    """Where a loaded configuration's keys were written: the file's lines, the environment's."""

    path: Path
    lines: LineIndex = field(default_factory=dict)
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def locate(self, loc: tuple[str, ...]) -> str:
        """`demo.yaml:12` or `DEMO_GEN_RUN__SEED (environment)` for the key path *loc*."""
        if _in_overrides(loc, self.overrides):
            return ENV_PREFIX + "__".join(part.upper() for part in loc) + " (environment)"
        return f"{self.path}:{line_of(loc, self.lines)}"


class Config(Strict):
    run: RunSettings = Field(default_factory=RunSettings)
    salesforce: SalesforceSettings = Field(default_factory=SalesforceSettings)
    state: StateSettings = Field(default_factory=StateSettings)
    activity: ActivitySettings = Field(default_factory=ActivitySettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    scorecards: ScorecardSettings = Field(default_factory=ScorecardSettings)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    peopleai: PeopleAiSettings = Field(default_factory=PeopleAiSettings)
    stories: list[StoryScript] = Field(default_factory=list, max_length=20)
    """Scripted stories for up to 20 "hero" deals (`demo_gen.config.stories`)."""
    _source: ConfigSource | None = PrivateAttr(default=None)

    def fingerprint(self) -> str:
        """A short hash of the configuration as used (no secrets live here)."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    @property
    def source_path(self) -> Path | None:
        """The file this configuration was read from; None for one built in code."""
        return None if self._source is None else self._source.path

    def locate(self, loc: tuple[str, ...]) -> str | None:
        """Where key path *loc* was written (`demo.yaml:12`); None for a config built in code."""
        return None if self._source is None else self._source.locate(loc)

    def error(self, loc: tuple[str, ...], message: str, *, hint: str | None = None) -> ConfigError:
        """A ConfigError for key path *loc*, naming file:line when the file is known."""
        where = self.locate(loc)
        if where is None:
            return ConfigError(f"{'.'.join(loc)}: {message}", hint=hint, key=loc)
        return ConfigError(f"{where}: {'.'.join(loc)}: {message}", hint=hint)


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
    caldav_logins: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """NAME -> (username, password) from CALDAV_USERNAME_<NAME> and CALDAV_PASSWORD_<NAME>."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Secrets:
        source = os.environ if env is None else env
        names = [name for name in cls.__dataclass_fields__ if name != "caldav_logins"]
        found = {name: source.get(name.upper()) or None for name in names}
        return cls(**found, caldav_logins=caldav_logins(source))


def caldav_logins(env: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Every per-person CalDAV login the environment holds (both variables set and non-empty)."""
    prefix = "CALDAV_USERNAME_"
    out = {}
    for key, user in env.items():
        name = key.removeprefix(prefix)
        password = env.get(f"CALDAV_PASSWORD_{name}")
        if key.startswith(prefix) and name and user and password:
            out[name] = (user, password)
    return out


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
    text = read_text(path)
    data, lines = parse_yaml(text, str(path), what="sections (run, salesforce, activity, …)")
    environment = dict(env) if env is not None else load_environment()
    overrides = _env_overrides(environment)
    merged = _deep_merge(data, overrides)
    source = ConfigSource(path, lines, overrides)
    try:
        config = Config.model_validate(merged)
    except ValidationError as exc:
        loc, dotted, message = first_error(exc, "see demo.example.yaml")
        raise ConfigError(f"{source.locate(loc)}: {dotted}: {message}") from None
    config._source = source
    from demo_gen.config.preflight import (
        check_config,  # it loads templates, which import this module
    )

    check_config(config)
    return config


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
        value = parse_value(raw, f"{name} (environment)") if raw.strip() else None
        cursor = overrides
        for key in keys[:-1]:
            cursor = cursor.setdefault(key, {})
            if not isinstance(cursor, dict):
                raise ConfigError(f"{name} (environment): {key} is set by another variable too")
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


def _in_overrides(loc: tuple[str, ...], overrides: Mapping[str, Any]) -> bool:
    cursor: Any = overrides
    for part in loc:
        if not isinstance(cursor, Mapping) or part not in cursor:
            return False
        cursor = cursor[part]
    return True
