"""The seeded local org behind `demo-gen org init`: a deterministic, believable B2B org.

`build_org(store, FixtureSpec(anchor=today))` fills an empty store with one Organization, an admin
and a sales team of Users, Accounts with buying groups of Contacts, Opportunities across the
stages with their contact roles, and the Events and Tasks a real org already has. The same spec
always gives the same records and ids. Every entity draws from its own `random.Random` stream
(`"{seed}/account/{i}"`), so a change to one list does not reshuffle the rest.

Times are laid around `spec.anchor`: every timestamp lies before midnight UTC that starts it.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import TracebackType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from demo_gen.local_org import fixture_data as data
from demo_gen.local_org import schema
from demo_gen.local_org.fixture_data import MAIN_STAGES
from demo_gen.local_org.rules import PROBABILITY_BY_STAGE
from demo_gen.local_org.store import Record, Store, Transaction

ADMIN_USERNAME = "admin@demo-gen.local"
_BATCH = 5000  # records per SQLite transaction
__all__ = ["ADMIN_USERNAME", "MAIN_STAGES", "FixtureReport", "FixtureSpec", "build_org"]
_T = TypeVar("_T")

_LATE = frozenset({"Proposal", "Proposal/Price Quote", "Negotiation", "Closed Won", "Closed Lost"})
_MIDDLE = frozenset({"Value Proposition", "Evaluation", "Id. Decision Makers", *_LATE})


@dataclass(frozen=True)
class FixtureSpec:
    """What `org init` seeds. `anchor` is the day the org is laid around (the CLI passes today)."""

    anchor: date
    seed: int = 42
    opportunities: int = 200
    org_name: str = "demo-gen Local Org"
    username: str = ADMIN_USERNAME


@dataclass(frozen=True)
class FixtureReport:
    counts: dict[str, int]
    """records created per sObject (canonical name)"""


# --- writing ---------------------------------------------------------------------------------


class _Writer:
    """Adds complete records in transactions of `batch` records, taking ids from the open one."""

    def __init__(self, store: Store, batch: int = _BATCH) -> None:
        self._store = store
        self._batch = batch
        self._stack = ExitStack()
        self._tx: Transaction | None = None
        self._staged = 0
        self.counts: dict[str, int] = {}
        self._objects: dict[str, tuple[schema.SObject, frozenset[str]]] = {}

    def add(self, sobject: str, values: dict[str, Any], *, self_created: bool = False) -> str:
        """Stage one record (every field: given, else the schema default) and return its id."""
        obj, names = self._object(sobject)
        if not names.issuperset(values):
            raise KeyError(f"{obj.name} has no fields {sorted(set(values) - names)}")
        if self._tx is None:
            self._tx = self._stack.enter_context(self._store.transaction())
        record_id = self._tx.new_id(obj)
        record = {f.name: values.get(f.name, f.default) for f in obj.fields}
        record["Id"] = record_id
        if self_created:  # the admin user created itself
            record["CreatedById"] = record["LastModifiedById"] = record_id
        self._tx.put(obj, record)
        self.counts[obj.name] = self.counts.get(obj.name, 0) + 1
        self._staged += 1
        if self._staged >= self._batch:
            self.flush()
        return record_id

    def _object(self, sobject: str) -> tuple[schema.SObject, frozenset[str]]:
        found = self._objects.get(sobject)
        if found is None:
            obj = schema.OBJECTS[sobject.lower()]
            found = self._objects[sobject] = (obj, frozenset(f.name for f in obj.fields))
        return found

    def flush(self) -> None:
        self._stack.close()
        self._tx, self._staged = None, 0

    def __enter__(self) -> _Writer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is None:
            self.flush()
        else:  # discard the open batch; the store's transaction re-raises
            self._stack.__exit__(kind, exc, tb)
            self._tx = None


def _system(created: datetime, modified: datetime, by: str, owner: str | None) -> Record:
    out: Record = {
        "IsDeleted": False,
        "CreatedDate": created,
        "CreatedById": by,
        "LastModifiedDate": modified,
        "LastModifiedById": by,
        "SystemModstamp": modified,
    }
    if owner is not None:
        out["OwnerId"] = owner
    return out


# --- small helpers ---------------------------------------------------------------------------


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _stamp(rng: random.Random, day: date) -> datetime:
    """A whole-second UTC time during *day* (07:00–23:00 UTC)."""
    return _midnight(day) + timedelta(seconds=rng.randrange(7 * 3600, 23 * 3600))


def _between(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    span = int((hi - lo).total_seconds())
    return lo + timedelta(seconds=rng.randrange(span)) if span > 1 else lo


def _deck(rng: random.Random, n: int, weights: dict[_T, int], must: Sequence[_T]) -> list[_T]:
    """*n* weighted draws that contain every item of *must* once *n* allows, shuffled."""
    items = list(weights)
    deck = list(must[:n]) + rng.choices(items, [weights[i] for i in items], k=n - min(n, len(must)))
    rng.shuffle(deck)
    return deck


_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def _slug(text: str) -> str:
    """ASCII, lower case, no spaces: 'Köhler' → 'koehler', 'de Vries' → 'devries'."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in folded.lower() if c.isascii() and (c.isalnum() or c == "-"))


def _phone(rng: random.Random, pattern: str) -> str:
    return "".join(str(rng.randrange(10)) if c == "#" else c for c in pattern)


def _round_sig(value: float, digits: int) -> int:
    if value <= 0:
        return 0
    scale = 10 ** max(0, int(math.floor(math.log10(value))) - digits + 1)
    return int(round(value / scale) * scale)


# --- the team --------------------------------------------------------------------------------


@dataclass
class _Team:
    admin_id: str
    by_region: dict[str, list[str]] = field(default_factory=dict)  # account executives


def _add_users(out: _Writer, spec: FixtureSpec, since: datetime) -> _Team:
    admin = {
        "Username": spec.username,
        "FirstName": "Demo",
        "LastName": "Admin",
        "Name": "Demo Admin",
        "Email": spec.username,
        "Alias": "dadmin",
        "Title": "System Administrator",
        "Country": "United States",
        **_system(since, since, "", None),
    }
    admin_id = out.add("User", admin, self_created=True)
    team = _Team(admin_id)
    for n, rep in enumerate(data.REPS):
        email = f"{_slug(rep.first)}.{_slug(rep.last)}@{data.SELLER_DOMAIN}"
        created = since + timedelta(days=1 + n, hours=2)
        user_id = out.add("User", _rep_record(rep, email, created, admin_id))
        if rep.owns_deals:
            team.by_region.setdefault(rep.region, []).append(user_id)
    return team


def _rep_record(rep: data.Rep, email: str, created: datetime, admin_id: str) -> Record:
    return {
        "Username": email,
        "FirstName": rep.first,
        "LastName": rep.last,
        "Name": f"{rep.first} {rep.last}",
        "Email": email,
        "Alias": (_slug(rep.first)[:1] + _slug(rep.last))[:8],
        "Title": rep.title,
        "Department": "Sales",
        "TimeZoneSidKey": rep.tz,
        "LocaleSidKey": rep.locale,
        "Country": rep.country,
        **_system(created, created, admin_id, None),
    }


# --- accounts and their buying groups ---------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    id: str
    role: str
    tz: str
    workdays: tuple[int, ...]


@dataclass
class _Account:
    id: str
    name: str
    domain: str
    hq: str  # the city of the head office
    owner_id: str
    region: str
    created: datetime
    is_customer: bool
    employees: int
    people: list[_Person] = field(default_factory=list)


def _account_count(opportunities: int) -> int:
    return max(1, round(opportunities / 2.5))


def _add_accounts(
    out: _Writer, spec: FixtureSpec, team: _Team, deals: list[tuple[int, str]]
) -> list[_Account]:
    n = _account_count(spec.opportunities)
    weights = {c.name: c.weight for c in data.COUNTRIES}
    countries = _deck(random.Random(f"{spec.seed}/countries"), n, weights, list(weights))
    won = {a for a, stage in deals if stage == "Closed Won"}
    used: set[str] = set()
    accounts = []
    for i, country_name in enumerate(countries):
        rng = random.Random(f"{spec.seed}/account/{i}")
        country = data.COUNTRY_BY_NAME[country_name]
        account = _add_account(out, spec, rng, team, country, used, i in won)
        _add_contacts(out, spec, rng, account, country)
        accounts.append(account)
    return accounts


def _company(rng: random.Random, country: data.Country, used: set[str]) -> tuple[str, str, str]:
    """A fictional company not used yet: (Name, domain, Industry)."""
    industries = list(data.INDUSTRIES)
    attempt = 0
    while True:
        industry = rng.choice(industries)
        base = f"{rng.choice(data.COMPANY_WORDS)} {rng.choice(data.INDUSTRIES[industry])}"
        if attempt >= 20:
            base += " " + rng.choice(data.COMPANY_QUALIFIERS)
        if attempt >= 60:
            base += f" {attempt}"
        key = _slug(base)
        attempt += 1
        if key not in used:
            used.add(key)
            legal = country.legal and rng.random() < 0.3
            return (f"{base} {country.legal}" if legal else base), f"{key}.{country.tld}", industry


def _add_account(
    out: _Writer,
    spec: FixtureSpec,
    rng: random.Random,
    team: _Team,
    country: data.Country,
    used: set[str],
    won: bool,
) -> _Account:
    name, domain, industry = _company(rng, country, used)
    place = rng.choice(country.places)
    employees = min(250_000, max(20, _round_sig(rng.lognormvariate(math.log(1200), 1.4), 2)))
    is_customer = rng.random() < 0.4
    kind = "Prospect"
    if is_customer or won:
        kind = "Customer - Channel" if rng.random() < 0.1 else "Customer - Direct"
    owner = rng.choice(team.by_region[country.region])
    horizon = _midnight(spec.anchor)
    created = _stamp(rng, spec.anchor - timedelta(days=rng.randint(330, 700)))
    record = {
        "Name": name,
        "Type": kind,
        "Industry": industry,
        "Website": f"https://www.{domain}",
        "Phone": _phone(rng, place.phone),
        "NumberOfEmployees": employees,
        "AnnualRevenue": float(_round_sig(employees * rng.uniform(120_000, 450_000), 2)),
        "BillingCity": place.city,
        "BillingState": place.state,
        "BillingCountry": country.name,
        "Description": f"{industry} company headquartered in {place.city}, {country.name}.",
        **_system(created, _between(rng, created, horizon), owner, owner),
    }
    account_id = out.add("Account", record)
    return _Account(
        account_id, name, domain, place.city, owner, country.region, created, is_customer, employees
    )


def _buying_group(rng: random.Random, employees: int) -> list[data.Persona]:
    """3–10 distinct personas: always a champion, an economic buyer and a technical buyer."""
    size = sum(employees >= t for t in (200, 1000, 5000, 20000))
    count = min(10, 3 + size + rng.randrange(4))
    core = [
        rng.choice(data.CHAMPIONS),
        rng.choice(data.ECONOMIC_BUYERS),
        rng.choice(data.TECHNICAL_BUYERS),
    ]
    pool = [p for p in (*data.TECHNICAL_BUYERS, *data.OTHER_PERSONAS) if p not in core]
    return core + rng.sample(pool, count - 3)


def _contact_place(
    rng: random.Random, country: data.Country, hq: str, employees: int
) -> tuple[data.Country, data.Place]:
    """Mostly the account's head office; big companies have staff abroad too."""
    roll = rng.random()
    if roll < 0.12 and employees >= 1000:
        country = rng.choice([c for c in data.COUNTRIES if c.name != country.name])
        return country, rng.choice(country.places)
    if roll < 0.35:
        return country, rng.choice(country.places)
    return country, next(p for p in country.places if p.city == hq)


def _add_contacts(
    out: _Writer, spec: FixtureSpec, rng: random.Random, account: _Account, country: data.Country
) -> None:
    emails: set[str] = set()
    horizon = _midnight(spec.anchor)
    for persona in _buying_group(rng, account.employees):
        home, place = _contact_place(rng, country, account.hq, account.employees)
        first, last = rng.choice(home.first_names), rng.choice(home.last_names)
        local = base = f"{_slug(first)}.{_slug(last)}"
        for n in range(2, 99):
            if local not in emails:
                break
            local = f"{base}{n}"
        emails.add(local)
        created = _between(rng, account.created, horizon - timedelta(days=325))
        record = {
            "AccountId": account.id,
            "FirstName": first,
            "LastName": last,
            "Name": f"{first} {last}",
            "Title": persona.title,
            "Department": persona.department,
            "Email": f"{local}@{account.domain}",
            "Phone": _phone(rng, place.phone),
            "MailingCity": place.city,
            "MailingState": place.state,
            "MailingCountry": home.name,
            **_system(created, _between(rng, created, horizon), account.owner_id, account.owner_id),
        }
        contact_id = out.add("Contact", record)
        account.people.append(_Person(contact_id, persona.role, place.tz, home.workdays))


# --- opportunities, contact roles and past activity ------------------------------------------


@dataclass(frozen=True)
class _Deal:
    id: str
    account: _Account
    owner_id: str
    stage: str
    created: datetime
    close: date
    roles: tuple[_Person, ...] = ()


def _plan_deals(spec: FixtureSpec, accounts: int) -> list[tuple[int, str]]:
    """(account index, stage) per opportunity: every account gets one, some get many."""
    rng = random.Random(f"{spec.seed}/deals")
    n = spec.opportunities
    stages = _deck(rng, n, data.STAGE_WEIGHTS, MAIN_STAGES)
    pull = [rng.paretovariate(3.0) for _ in range(accounts)]
    first = min(n, accounts)
    owners = list(range(first)) + rng.choices(range(accounts), pull, k=n - first)
    rng.shuffle(owners)
    return list(zip(owners, stages, strict=True))


def _deal_dates(rng: random.Random, stage: str, anchor: date) -> tuple[date, date]:
    """(CloseDate, created day): closed deals closed in the last 120 days; open ones close
    within −10…+150 days and were created 20–180 days ago; always 30–200 days apart."""
    if stage in schema.CLOSED_STAGES:
        close = anchor - timedelta(days=rng.randint(1, 120))
        return close, close - timedelta(days=rng.randint(30, 200))
    ahead = rng.randint(-10, 150)
    back = rng.randint(max(20, 30 - ahead), min(180, 200 - ahead))
    return anchor + timedelta(days=ahead), anchor - timedelta(days=back)


def _amount(rng: random.Random, employees: int, existing: bool) -> float:
    """Skewed deal sizes, 5k–750k: bigger companies buy bigger, renewals are smaller."""
    median = 20_000 * (1 + math.log10(max(employees, 10))) * (0.6 if existing else 1.0)
    value = min(750_000.0, max(5_000.0, rng.lognormvariate(math.log(median), 0.9)))
    step = 500 if value < 50_000 else 5_000
    return float(min(750_000, max(5_000, round(value / step) * step)))


def _add_deal(
    out: _Writer, spec: FixtureSpec, team: _Team, account: _Account, index: int, stage: str
) -> _Deal:
    rng = random.Random(f"{spec.seed}/opportunity/{index}")
    close, created_day = _deal_dates(rng, stage, spec.anchor)
    created = _stamp(rng, created_day)
    owner = account.owner_id
    if rng.random() < 0.15:
        owner = rng.choice(team.by_region[account.region])
    existing = account.is_customer and rng.random() < 0.75
    initiative = rng.choice(data.EXISTING_BUSINESS if existing else data.NEW_BUSINESS)
    if "Renewal" in initiative:
        initiative += f" FY{close.year % 100:02d}"
    closed = stage in schema.CLOSED_STAGES
    modified = _stamp(rng, close) if closed else _between(rng, created, _midnight(spec.anchor))
    record = {
        "AccountId": account.id,
        "Name": f"{account.name} – {initiative}",
        "StageName": stage,
        "CloseDate": close,
        "Amount": _amount(rng, account.employees, existing),
        "Probability": PROBABILITY_BY_STAGE[stage],
        "Type": "Existing Business" if existing else "New Business",
        "LeadSource": rng.choice(data.LEAD_SOURCES),
        "NextStep": rng.choice(data.NEXT_STEPS.get(stage, data.NEXT_STEPS["Discovery"])),
        "ForecastCategoryName": data.FORECAST.get(
            stage, "Best Case" if stage in _MIDDLE else "Pipeline"
        ),
        "IsClosed": closed,
        "IsWon": stage == "Closed Won",
        "Omitted_from_Demo__c": rng.random() < 0.03,
        **_system(created, modified, owner, owner),
    }
    deal = _Deal(out.add("Opportunity", record), account, owner, stage, created, close)
    return _add_roles(out, rng, deal)


def _add_roles(out: _Writer, rng: random.Random, deal: _Deal) -> _Deal:
    """2–5 of the account's contacts; the champion (else the economic buyer) is primary."""
    people = deal.account.people
    picks = rng.sample(people, rng.randint(2, min(5, len(people))))
    if not any(p.role in ("Champion", "Economic Buyer") for p in picks) and rng.random() < 0.85:
        picks[0] = people[0]  # the buying group's champion
    by_role = {p.role: p for p in reversed(picks)}
    primary = by_role.get("Champion") or by_role.get("Economic Buyer") or picks[0]
    for person in picks:
        created = _between(rng, deal.created, deal.created + timedelta(days=7))
        record = {
            "OpportunityId": deal.id,
            "ContactId": person.id,
            "Role": person.role,
            "IsPrimary": person is primary,
            **_system(created, created, deal.owner_id, None),
        }
        out.add("OpportunityContactRole", record)
    return _Deal(
        deal.id, deal.account, deal.owner_id, deal.stage, deal.created, deal.close, tuple(picks)
    )


def _add_activity(out: _Writer, spec: FixtureSpec, index: int, deal: _Deal) -> None:
    """For ~40% of deals: 1–3 past meetings and 1–4 tasks, as a real org already has."""
    rng = random.Random(f"{spec.seed}/activity/{index}")
    if rng.random() >= 0.4:
        return
    first = deal.created.date() + timedelta(days=2)
    last = spec.anchor - timedelta(days=2)
    if deal.stage in schema.CLOSED_STAGES:
        last = min(last, deal.close)
    if first > last:
        return
    span = (last - first).days
    days = sorted(first + timedelta(days=rng.randint(0, span)) for _ in range(rng.randint(1, 3)))
    for k, day in enumerate(days):
        _add_event(out, rng, deal, day, k, (first, last))
    for _ in range(rng.randint(1, 4)):
        _add_task(out, spec, rng, deal, (first, last))


def _workday(day: date, workdays: tuple[int, ...], window: tuple[date, date]) -> date | None:
    """*day*, or the nearest working day around it inside *window*."""
    for delta in (0, -1, 1, -2, 2, -3, 3):
        candidate = day + timedelta(days=delta)
        if window[0] <= candidate <= window[1] and candidate.weekday() in workdays:
            return candidate
    return None


_ZONES: dict[str, ZoneInfo] = {}


def _local(day: date, minutes: int, tz: str) -> datetime:
    """*minutes* after local midnight of *day* in *tz*, as UTC."""
    zone = _ZONES.get(tz) or _ZONES.setdefault(tz, ZoneInfo(tz))
    local = datetime.combine(day, time(minutes // 60, minutes % 60), zone)
    return local.astimezone(UTC)


_LONG_MEETINGS = frozenset({"Product demo", "Technical deep dive", "Business case review"})


def _add_event(
    out: _Writer, rng: random.Random, deal: _Deal, day: date, k: int, window: tuple[date, date]
) -> None:
    who = rng.choice(deal.roles)
    when = _workday(day, who.workdays, window)
    if when is None:
        return
    level = 2 if deal.stage in _LATE else 1 if deal.stage in _MIDDLE else 0
    subject = rng.choice(data.MEETING_SUBJECTS[("early", "middle", "late")[min(level, k)]])
    minutes = 60 if subject in _LONG_MEETINGS else rng.choice((30, 60))
    start = _local(when, rng.choice((9, 10, 11, 13, 14, 15, 16)) * 60 + rng.choice((0, 30)), who.tz)
    end = start + timedelta(minutes=minutes)
    booked = start - timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 8))
    created = max(deal.created + timedelta(minutes=rng.randint(10, 600)), booked)
    record = {
        "WhoId": who.id,
        "WhatId": deal.id,
        "AccountId": deal.account.id,
        "Subject": subject,
        "StartDateTime": start,
        "EndDateTime": end,
        "ActivityDateTime": start,
        "ActivityDate": start.date(),
        "DurationInMinutes": minutes,
        "EndDate": end.date(),
        "Location": rng.choice(data.MEETING_LOCATIONS),
        "Type": "Meeting",
        **_system(
            created, end + timedelta(minutes=rng.randint(5, 90)), deal.owner_id, deal.owner_id
        ),
    }
    out.add("Event", record)


def _add_task(
    out: _Writer, spec: FixtureSpec, rng: random.Random, deal: _Deal, window: tuple[date, date]
) -> None:
    who = rng.choice(deal.roles)
    subject = rng.choice(data.TASK_SUBJECTS)
    is_open = deal.stage not in schema.CLOSED_STAGES and rng.random() < 0.35
    if is_open:  # still to do: due in the next two weeks
        due = spec.anchor + timedelta(days=rng.randint(0, 14))
        created = _between(rng, deal.created, _midnight(spec.anchor))
        completed = None
    else:
        due = window[0] + timedelta(days=rng.randint(0, (window[1] - window[0]).days))
        completed = _stamp(rng, due)
        logged = completed - timedelta(days=rng.randint(0, 5), hours=2)
        created = max(deal.created + timedelta(minutes=rng.randint(10, 600)), logged)
    call = subject == "Call"
    priority = "High" if rng.random() < 0.15 else "Normal"
    record = {
        "WhoId": who.id,
        "WhatId": deal.id,
        "AccountId": deal.account.id,
        "Subject": subject,
        "ActivityDate": due,
        "Status": "Not Started" if is_open else "Completed",
        "Priority": priority,
        "TaskSubtype": "Call" if call else "Task",
        "Type": "Call" if call else "Email" if subject.startswith("Send") else "Other",
        "IsClosed": not is_open,
        "IsHighPriority": priority == "High",
        "CompletedDateTime": completed,
        "CallType": "Outbound" if call else None,
        "CallDurationInSeconds": rng.randint(90, 1800) if call and not is_open else None,
        **_system(created, completed or created, deal.owner_id, deal.owner_id),
    }
    out.add("Task", record)


# --- the entry point -------------------------------------------------------------------------


def build_org(store: Store, spec: FixtureSpec) -> FixtureReport:
    """Fill an EMPTY store with the seeded org; ValueError if it already has Opportunities.

    Records are committed in batches of a few thousand: if this fails midway, the finished batches
    stay, so start again from a cleared store (`org init --force`).
    """
    if spec.opportunities < 0:
        raise ValueError(f"opportunities must be >= 0, not {spec.opportunities}")
    if store.count("Opportunity", include_deleted=True):
        raise ValueError("the local org already has opportunities; clear it first (--force)")
    deals = _plan_deals(spec, _account_count(spec.opportunities))
    since = _midnight(spec.anchor - timedelta(days=760))
    with _Writer(store) as out:
        org_id = out.add("Organization", _org_record(spec))
        team = _add_users(out, spec, since)
        accounts = _add_accounts(out, spec, team, deals)
        for index, (account, stage) in enumerate(deals):
            deal = _add_deal(out, spec, team, accounts[account], index, stage)
            _add_activity(out, spec, index, deal)
    store.set_meta("org_id", org_id)
    seeded = f"seed={spec.seed} opportunities={spec.opportunities} anchor={spec.anchor}"
    store.set_meta("fixture", seeded)
    return FixtureReport(dict(out.counts))


def _org_record(spec: FixtureSpec) -> Record:
    return {
        "Name": spec.org_name,
        "IsSandbox": True,
        "OrganizationType": "Developer Edition",
        "TimeZoneSidKey": "America/Los_Angeles",
        "InstanceName": "LOCAL",
    }
