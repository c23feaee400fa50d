"""The deals of the seeded org: Opportunities, their contact roles and the past activity on them.

`plan_deals` spreads the opportunities over the accounts and stages; `add_deal` creates one
Opportunity with dates, amount and probability that fit its stage, and 2–5 contact roles;
`add_activity` gives some deals the past meetings (Events in the contact's working hours) and
Tasks a real org already has.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from demo_gen.local_org import fixture_data as data
from demo_gen.local_org import schema
from demo_gen.local_org.fixture_accounts import Account, Person, Team
from demo_gen.local_org.fixture_common import (
    FixtureSpec,
    Writer,
    between,
    draw_deck,
    midnight,
    stamp,
    system_fields,
)
from demo_gen.local_org.fixture_data import MAIN_STAGES
from demo_gen.local_org.rules import PROBABILITY_BY_STAGE

_LATE = frozenset({"Proposal", "Proposal/Price Quote", "Negotiation", "Closed Won", "Closed Lost"})
_MIDDLE = frozenset({"Value Proposition", "Evaluation", "Id. Decision Makers", *_LATE})

# --- opportunities, contact roles and past activity ------------------------------------------


@dataclass(frozen=True)
class _Deal:
    id: str
    account: Account
    owner_id: str
    stage: str
    created: datetime
    close: date
    roles: tuple[Person, ...] = ()


def plan_deals(spec: FixtureSpec, accounts: int) -> list[tuple[int, str]]:
    """(account index, stage) per opportunity: every account gets one, some get many."""
    rng = random.Random(f"{spec.seed}/deals")
    n = spec.opportunities
    stages = draw_deck(rng, n, data.STAGE_WEIGHTS, MAIN_STAGES)
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


def add_deal(
    out: Writer, spec: FixtureSpec, team: Team, account: Account, index: int, stage: str
) -> _Deal:
    rng = random.Random(f"{spec.seed}/opportunity/{index}")
    close, created_day = _deal_dates(rng, stage, spec.anchor)
    created = stamp(rng, created_day)
    owner = account.owner_id
    if rng.random() < 0.15:
        owner = rng.choice(team.by_region[account.region])
    existing = account.is_customer and rng.random() < 0.75
    initiative = rng.choice(data.EXISTING_BUSINESS if existing else data.NEW_BUSINESS)
    if "Renewal" in initiative:
        initiative += f" FY{close.year % 100:02d}"
    closed = stage in schema.CLOSED_STAGES
    modified = stamp(rng, close) if closed else between(rng, created, midnight(spec.anchor))
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
        **system_fields(created, modified, owner, owner),
    }
    deal = _Deal(out.add("Opportunity", record), account, owner, stage, created, close)
    return _add_roles(out, rng, deal)


def _add_roles(out: Writer, rng: random.Random, deal: _Deal) -> _Deal:
    """2–5 of the account's contacts; the champion (else the economic buyer) is primary."""
    people = deal.account.people
    picks = rng.sample(people, rng.randint(2, min(5, len(people))))
    if not any(p.role in ("Champion", "Economic Buyer") for p in picks) and rng.random() < 0.85:
        picks[0] = people[0]  # the buying group's champion
    by_role = {p.role: p for p in reversed(picks)}
    primary = by_role.get("Champion") or by_role.get("Economic Buyer") or picks[0]
    for person in picks:
        created = between(rng, deal.created, deal.created + timedelta(days=7))
        record = {
            "OpportunityId": deal.id,
            "ContactId": person.id,
            "Role": person.role,
            "IsPrimary": person is primary,
            **system_fields(created, created, deal.owner_id, None),
        }
        out.add("OpportunityContactRole", record)
    return _Deal(
        deal.id, deal.account, deal.owner_id, deal.stage, deal.created, deal.close, tuple(picks)
    )


Busy = dict[str, list[tuple[datetime, datetime]]]


def add_activity(
    out: Writer, spec: FixtureSpec, index: int, deal: _Deal, busy: Busy | None = None
) -> None:
    """For ~40% of deals: 1–3 past meetings and 1–4 tasks, as a real org already has.

    `busy` (owner and contact id -> booked spans) keeps anyone from being booked twice."""
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
        _add_event(out, rng, deal, day, k, (first, last), {} if busy is None else busy)
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
    out: Writer,
    rng: random.Random,
    deal: _Deal,
    day: date,
    k: int,
    window: tuple[date, date],
    busy: Busy,
) -> None:
    who = rng.choice(deal.roles)
    when = _workday(day, who.workdays, window)
    if when is None:
        return
    level = 2 if deal.stage in _LATE else 1 if deal.stage in _MIDDLE else 0
    life = max(1, (window[1] - deal.created.date()).days)
    when_in_life = int(3 * (when - deal.created.date()).days / life)  # early, middle, late third
    subject = rng.choice(data.MEETING_SUBJECTS[("early", "middle", "late")[
        max(0, min(level, k, when_in_life))]])  # fmt: skip
    minutes = 60 if subject in _LONG_MEETINGS else rng.choice((30, 60))
    hours = [9, 10, 11, 13, 14, 15, 16]
    rng.shuffle(hours)
    half = rng.choice((0, 30))
    for hour in hours:
        start = _local(when, hour * 60 + half, who.tz)
        end = start + timedelta(minutes=minutes)
        people = (deal.owner_id, who.id)
        if all(all(e <= start or end <= s for s, e in busy.get(p, ())) for p in people):
            break
    else:
        return  # everyone is busy that day: a real org would not have booked it
    for person in people:
        busy.setdefault(person, []).append((start, end))
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
        **system_fields(
            created, end + timedelta(minutes=rng.randint(5, 90)), deal.owner_id, deal.owner_id
        ),
    }
    out.add("Event", record)


def _add_task(
    out: Writer, spec: FixtureSpec, rng: random.Random, deal: _Deal, window: tuple[date, date]
) -> None:
    who = rng.choice(deal.roles)
    subject = rng.choice(data.TASK_SUBJECTS)
    is_open = deal.stage not in schema.CLOSED_STAGES and rng.random() < 0.35
    if is_open:  # still to do: due in the next two weeks
        due = spec.anchor + timedelta(days=rng.randint(0, 14))
        created = between(rng, deal.created, midnight(spec.anchor))
        completed = None
    else:
        due = window[0] + timedelta(days=rng.randint(0, (window[1] - window[0]).days))
        completed = stamp(rng, due)
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
        **system_fields(created, completed or created, deal.owner_id, deal.owner_id),
    }
    out.add("Task", record)
