"""Build one deal's fact sheet from its plan: seeded, planned before any text is written."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

from demo_gen.stages.facts.assign import Placement, place_facts
from demo_gen.stages.facts.banks import ALTERNATIVES, PAPER, Bank, budget_line, industry_bank
from demo_gen.stages.facts.dates import (
    fmt_day,
    fmt_money,
    local_day,
    minus_working_days,
    working_day_after,
    working_day_before,
)
from demo_gen.stages.facts.model import Fact, FactSheet, Numbers, Step
from demo_gen.stages.facts.scripted import (
    scripted_places,
    scripted_roles,
    scripted_sheet,
    slipped_steps,
)
from demo_gen.stages.facts.timeline import activities, when
from demo_gen.stages.model import Opportunity
from demo_gen.stages.plan import OpportunityPlan


def build_fact_sheet(plan: OpportunityPlan, *, seed: int, pack: str) -> FactSheet:
    """The deal's facts, where each is first said and where it comes back. Pure and seeded."""
    from demo_gen.stages.facts.people import choose_roles  # planning.cadence stays a lazy import

    opp = plan.opportunity
    rng = random.Random(f"{seed}/{pack}/{opp.id}/facts")
    bank = industry_bank(opp.account.industry)
    pain, metric, unit = rng.choice(bank.pains)
    roles = scripted_roles(choose_roles(plan), plan)
    places = scripted_places(place_facts(plan, roles), plan.scenario)
    said_on = _said_dates(plan, places)
    segment = _segment(opp)
    paper, sec, onboarding, legal = PAPER[segment]
    sheet = FactSheet(
        opportunity_id=opp.id,
        industry_team=bank.team,
        pain=pain,
        numbers=_numbers(opp, metric, unit, rng),
        criteria=_criteria(bank, rng),
        incumbent=rng.choice(bank.homegrown),
        alternatives=tuple(rng.sample(ALTERNATIVES, 2)),
        critical_event=rng.choice(bank.events),
        event_date=working_day_after(
            opp.close_date + timedelta(days=rng.randint(15, 45)), _country(opp)
        ),
        steps=_steps(opp, said_on.get("process") or plan.anchor, rng),
        paper=paper,
        paper_weeks=sec + onboarding + legal,
        budget_line=budget_line(roles.economic_buyer.title if roles.economic_buyer else None),
        fiscal_year=f"FY{opp.close_date.year % 100:02d}",
        roles=roles,
        process_passed=(
            not opp.is_closed and working_day_before(opp.close_date, _country(opp)) < plan.anchor
        ),
    )
    sheet = scripted_sheet(sheet, plan.scenario)
    if plan.scenario is not None and plan.scenario.pace == "slipping":
        said = said_on.get("process") or plan.anchor - timedelta(days=30)
        steps = slipped_steps(sheet.steps, plan.anchor, said, _country(opp))
        sheet = replace(sheet, steps=steps, process_passed=True)
    facts = {kind: _fact(sheet, kind, place) for kind, place in places.items()}
    return _with_facts(sheet, {k: f for k, f in facts.items() if f is not None})


def _with_facts(sheet: FactSheet, facts: dict[str, Fact]) -> FactSheet:
    return replace(sheet, facts=facts)


def _said_dates(plan: OpportunityPlan, places: dict[str, Placement]) -> dict[str, date]:
    by_key = {i.key: i for i in activities(plan)}
    zone = plan.opportunity.owner.time_zone
    return {
        kind: local_day(when(by_key[p.said_in]), zone)
        for kind, p in places.items()
        if p.said_in is not None
    }


def _segment(opp: Opportunity) -> str:
    employees = opp.account.employees or 500
    return "smb" if employees < 200 else "mid" if employees < 2000 else "enterprise"


def _numbers(opp: Opportunity, metric: str, unit: str, rng: random.Random) -> Numbers:
    employees = opp.account.employees or 500
    staff = max(8, min(400, round(employees * rng.uniform(0.02, 0.08))))
    if unit == "pct_up":
        a = rng.randint(55, 80)
        baseline, target = f"{a}%", f"{min(97, a + rng.randint(6, 15))}%"
    elif unit == "pct_down":
        a = rng.randint(9, 26)
        baseline, target = f"{a}%", f"{a - rng.randint(3, a // 2)}%"
    elif unit == "days":
        a = rng.randint(7, 21)
        baseline, target = f"{a} days", f"{max(2, a - rng.randint(3, a - 3))} days"
    else:
        a = rng.randint(18, 60)
        baseline, target = f"{a} hours", f"{max(4, a - rng.randint(8, a - 6))} hours"
    amount = opp.amount or 0.0
    value = round(amount * rng.uniform(2.2, 3.8), -4) if amount else 0.0
    return Numbers(
        metric=metric,
        unit=unit,
        baseline=baseline,
        target=target,
        value=fmt_money(value) if value else "",
        amount=fmt_money(amount) if amount else "",
        hours=staff * rng.randint(3, 8),
        staff=staff,
    )


def _criteria(bank: Bank, rng: random.Random) -> tuple[str, ...]:
    system = rng.choice(bank.systems)
    pool = [
        f"a native connector to {system}",
        f"{rng.choice(bank.rules)} evidence before any data moves",
        f"go-live within {rng.choice((6, 8, 10, 12))} weeks",
        rng.choice(_SELF_SERVE).format(team=bank.team),
        rng.choice(_SECURITY),
        rng.choice(_ADMIN).format(team=bank.team),
    ]
    return (pool[0], *rng.sample(pool[1:], 2))


_SELF_SERVE = (
    "business users building their own reports without a ticket",
    "{team} managers changing a report without calling IT",
    "self-service exploration for occasional users",
    "one set of metric definitions shared by every report",
)
_SECURITY = (
    "row-level security down to each region",
    "single sign-on through their identity provider",
    "an audit trail on every change to a metric",
    "customer-managed encryption keys",
)
_ADMIN = (
    "admin work that fits in a few hours a week",
    "alerts that reach {team} on their phones",
    "a rollout the {team} team can run without consultants",
    "scheduled delivery of reports by email",
)


def _country(opp: Opportunity) -> str | None:
    from demo_gen.stages.planning.timezones import country_code

    return country_code(opp.account.billing_country)


def _steps(opp: Opportunity, said: date, rng: random.Random) -> tuple[Step, ...]:
    country = _country(opp)
    close = working_day_before(opp.close_date, country)
    tech = minus_working_days(close, rng.randint(18, 28), country)
    case = minus_working_days(close, rng.randint(6, 12), country)
    soonest = working_day_after(said + timedelta(days=3), country)
    if soonest < close:  # agreed late in the cycle: no step is due before the meeting saying it
        tech = min(max(tech, soonest), close)
        case = min(max(case, working_day_after(tech + timedelta(days=3), country)), close)
    names = (rng.choice(_STEP_TECH), rng.choice(_STEP_CASE), rng.choice(_STEP_SIGN))
    return (
        Step(names[0], tech),
        Step(names[1], case),
        Step(names[2], close),
    )


_STEP_TECH = (
    "technical sign-off",
    "IT approval",
    "architecture sign-off",
    "security and architecture approval",
    "the technical recommendation",
)
_STEP_CASE = (
    "the business case to the executive team",
    "budget approval",
    "the investment review",
    "sign-off on the business case",
    "the leadership decision",
)
_STEP_SIGN = ("signature", "contract signed", "order form signed", "signed paperwork")


def _fact(sheet: FactSheet, kind: str, place: Placement) -> Fact | None:
    built = _STATEMENTS[kind](sheet)
    if built is None:
        return None
    statement, tokens = built
    return Fact(kind, statement, tokens, place.said_in, place.refs)


Built = tuple[str, tuple[str, ...]] | None


def _pain(s: FactSheet) -> Built:
    n = s.numbers
    hours = f"{n.hours:,} hours a month"
    return f"The {s.industry_team} team lives with {s.pain}; it costs about {hours}.", (
        s.pain,
        hours,
    )


def _competition(s: FactSheet) -> Built:
    a, b = s.alternatives
    return (
        f"Today they rely on {s.incumbent}; they are also looking at {a} and {b}, "
        "and doing nothing is a real option.",
        (s.incumbent, a, b),
    )


def _event(s: FactSheet) -> Built:
    on = fmt_day(s.event_date)
    return f"Everything has to be live before {s.critical_event} on {on}.", (
        s.critical_event,
        on,
    )


def _person(role: str) -> Callable[[FactSheet], Built]:
    def build(s: FactSheet) -> Built:
        c = getattr(s.roles, role)
        if c is None:
            return None
        title = f", {c.title}," if c.title else ""
        what = {
            "champion": "wants this fixed and will sell it internally",
            "economic_buyer": f"owns the {s.budget_line} budget and signs",
            "technical": "runs the technical evaluation",
        }[role]
        return f"{c.name}{title} {what}.", (c.name,)

    return build


def _metrics(s: FactSheet) -> Built:
    n = s.numbers
    value = f", worth about {n.value} a year" if n.value else ""
    tokens = (n.baseline, n.target, *((n.value,) if n.value else ()))
    return f"Move {n.metric} from {n.baseline} to {n.target}{value}.", tokens


def _criteria_fact(s: FactSheet) -> Built:
    return "Must-haves: " + "; ".join(s.criteria) + ".", s.criteria


def _budget(s: FactSheet) -> Built:
    eb = s.roles.economic_buyer
    if eb is None or not s.numbers.amount:
        return None
    return (
        f"{eb.name} confirmed {s.numbers.amount} in the {s.fiscal_year} {s.budget_line} budget.",
        (eb.name, s.numbers.amount, s.fiscal_year),
    )


def _process(s: FactSheet) -> Built:
    dates = tuple(fmt_day(step.due) for step in s.steps)
    plan = "; ".join(f"{step.what} by {fmt_day(step.due)}" for step in s.steps)
    return f"Decision steps: {plan}.", dates


def _paper(s: FactSheet) -> Built:
    weeks = f"{s.paper_weeks} weeks"
    owner = s.roles.procurement or s.roles.legal
    who = (owner.name,) if owner else ()
    runs = f", run by {owner.name}" if owner else ""
    return f"Paper goes on {s.paper}, about {weeks} end to end{runs}.", (s.paper, weeks, *who)


_STATEMENTS: dict[str, Callable[[FactSheet], Built]] = {
    "pain": _pain,
    "competition": _competition,
    "critical_event": _event,
    "champion": _person("champion"),
    "economic_buyer": _person("economic_buyer"),
    "technical": _person("technical"),
    "metrics": _metrics,
    "criteria": _criteria_fact,
    "budget": _budget,
    "process": _process,
    "paper": _paper,
}
