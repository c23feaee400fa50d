"""Heuristic answers: written from the deal's fact sheet, citing the records that say each fact.

A writer takes the `Ctx` (fact sheet, the deal's past records as written) and a seeded rng and
returns a `Draft` — text, the records it cites, a confidence penalty — or None when nothing said
so far supports an answer. A fact is cited at the first record that carries all its tokens (the
"raised on" date is that record's), then at later records that come back to it. Only people who
take part in the deal are named, and only in answers that cite a record they are in.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from demo_gen.stages.facts import FactSheet, fmt_day
from demo_gen.stages.facts.model import Fact, Step
from demo_gen.stages.model import Contact, Opportunity
from demo_gen.stages.scorecards.evidence import Record, Records


@dataclass(frozen=True)
class Draft:
    text: str
    cited: tuple[Record, ...]
    penalty: float = 0.0


@dataclass(frozen=True)
class Ctx:
    opp: Opportunity
    sheet: FactSheet
    records: Records
    position: str
    today: date  # the day the card is made on (a step due before it has passed)

    def said(self, kind: str) -> tuple[Fact, Record] | None:
        """A fact and the first record that carries all its tokens (None: not said yet)."""
        fact = self.sheet.facts.get(kind)
        if fact is None:
            return None
        first = self.records.first_with(fact.tokens)
        return None if first is None else (fact, first)

    def cite(self, firsts: Sequence[Record | None], *facts: Fact) -> tuple[Record, ...]:
        return self.records.cite(firsts, [t for f in facts for t in f.tokens])


Writer = Callable[[Ctx, random.Random], Draft | None]


def _who(c: Contact) -> str:
    return f"{c.name} ({c.title})" if c.title else c.name


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def pain(x: Ctx, rng: random.Random) -> Draft | None:
    got = x.said("pain")
    if got is None:
        return None
    fact, first = got
    s, n = x.sheet, x.sheet.numbers
    cost = f"about {n.hours:,} hours a month across {n.staff} people"
    text = rng.choice(
        (
            f"{_cap(s.pain)}: {cost}. First raised in {first.where()}.",
            f"The {s.industry_team} team lives with {s.pain}, {cost}; raised in {first.where()}.",
        )
    )
    return Draft(text, x.cite([first], fact))


def metrics(x: Ctx, rng: random.Random) -> Draft | None:
    got = x.said("metrics")
    if got is None:
        return None
    fact, first = got
    n = x.sheet.numbers
    worth = f", worth about {n.value} a year" if n.value else "; not priced in dollars yet"
    text = f"{_cap(n.metric)} from {n.baseline} to {n.target}{worth}. Agreed in {first.where()}."
    return Draft(text, x.cite([first], fact), 0.0 if n.value else 0.1)


def impact(x: Ctx, rng: random.Random) -> Draft | None:
    m, p = x.said("metrics"), x.said("pain")
    if m is None or p is None:
        return None
    n = x.sheet.numbers
    worth = f"about {n.value} a year at stake" if n.value else "value not priced yet"
    text = (
        f"{_cap(worth)}: {n.metric} from {n.baseline} to {n.target}, and {n.hours:,} hours "
        f"a month back for {n.staff} people."
    )
    return Draft(text, x.cite([p[1], m[1]], p[0], m[0]))


def champion(x: Ctx, rng: random.Random) -> Draft | None:
    c = x.sheet.roles.champion
    met = x.records.first_meeting_with(c) if c else None
    met = met or (x.records.first_involving(c) if c else None)
    if c is None or met is None:
        return None
    motive = rng.choice(
        (
            "wants this fixed and sells it internally",
            "pushes for it inside and asked for material to make the case",
            "is the one who wants the change and carries it to leadership",
        )
    )
    text = f"{_who(c)} {motive}; first met in {met.where()}."
    quiet = x.sheet.scenario.quiet_from if x.sheet.scenario else None
    last = x.records.last_part_taken(c)
    if quiet is not None and last is not None:
        text = (
            f"{_who(c)} was the champion but has gone quiet: last took part in {last.where()}, "
            "and no meeting or reply since. The deal has no active champion."
        )
        return Draft(text, (last,), 0.05)
    return Draft(text, x.records.cite([met], [c.name]))


def economic_buyer(x: Ctx, rng: random.Random) -> Draft | None:
    c = x.sheet.roles.economic_buyer
    met = x.records.first_meeting_with(c) if c else None
    met = met or (x.records.first_involving(c) if c else None)
    if c is None or met is None:
        return None
    text = (
        f"{_who(c)} owns the {x.sheet.budget_line} budget and signs; first joined in {met.where()}."
    )
    return Draft(text, x.records.cite([met], [c.name]))


def authority(x: Ctx, rng: random.Random) -> Draft | None:
    eb = x.sheet.roles.economic_buyer
    met = x.records.first_involving(eb) if eb else None
    if eb is None or met is None:
        return None
    others = [c for c in (x.sheet.roles.champion, x.sheet.roles.technical) if c and c != eb]
    seen = [(c, x.records.first_involving(c)) for c in others]
    seen = [(c, r) for c, r in seen if r is not None]
    verb = " influences it" if len(seen) == 1 else " influence it"
    tail = "; " + " and ".join(c.name for c, _ in seen) + verb if seen else ""
    text = f"{_who(eb)} makes the call{tail}."
    cited = x.records.cite([met, *(r for _, r in seen)], [eb.name])
    return Draft(text, cited)


def decision_criteria(x: Ctx, rng: random.Random) -> Draft | None:
    got = x.said("criteria")
    if got is None:
        return None
    fact, first = got
    text = f"Must-haves: {'; '.join(x.sheet.criteria)}. Set out in {first.where()}."
    return Draft(text, x.cite([first], fact))


def decision_process(x: Ctx, rng: random.Random) -> Draft | None:
    got = x.said("process")
    if got is None:
        return None
    fact, first = got
    today, open_deal = x.today, not x.opp.is_closed

    def step(s: Step) -> str:
        late = " (date passed, not confirmed done)" if open_deal and s.due < today else ""
        return f"{s.what} by {fmt_day(s.due)}{late}"

    steps = "; ".join(step(s) for s in x.sheet.steps)
    text = f"{_cap(steps)} (agreed in {first.where()})."
    penalty = 0.0
    if x.sheet.process_passed:
        due = fmt_day(x.sheet.steps[-1].due)
        text += f" The planned signature date, {due}, has passed unsigned; steps need new dates."
        penalty = 0.1
    return Draft(text, x.cite([first], fact), penalty)


def paper_process(x: Ctx, rng: random.Random) -> Draft | None:
    got = x.said("paper")
    if got is None:
        return None
    fact, first = got
    s = x.sheet
    owner = s.roles.procurement or s.roles.legal
    runs = f", run by {owner.name}" if owner and found_name(owner, first) else ""
    verb = "Signed on" if x.opp.is_won else "Goes on"
    text = (
        f"{verb} {s.paper}, about {s.paper_weeks} weeks end to end{runs}; "
        f"set out in {first.where()}."
    )
    return Draft(text, x.cite([first], fact), 0.0 if owner else 0.08)


def found_name(c: Contact, r: Record) -> bool:
    return c.name in r.haystack


def competition(x: Ctx, rng: random.Random) -> Draft | None:
    got = x.said("competition")
    if got is None:
        return None
    fact, first = got
    s = x.sheet
    a, b = s.alternatives
    text = (
        f"Incumbent: {s.incumbent}. Also looking at {a} and {b}; doing nothing is a real "
        f"option. Heard in {first.where()}."
    )
    late = s.scenario.competitor_stage if s.scenario and s.scenario.competitor else None
    if late is not None:
        text = (
            f"{a} entered late, in {late}: first heard in {first.where()}. Also in play: {b}, "
            f"and keeping {s.incumbent}."
        )
        return Draft(text, x.cite([first], fact), 0.1)
    return Draft(text, x.cite([first], fact))


def budget(x: Ctx, rng: random.Random) -> Draft | None:
    got = x.said("budget")
    if got is None:
        return None
    fact, first = got
    s = x.sheet
    eb = s.roles.economic_buyer
    who = eb.name if eb else "the budget owner"
    text = (
        f"{s.numbers.amount} in the {s.fiscal_year} {s.budget_line} budget, confirmed by {who} "
        f"in {first.where()}."
    )
    return Draft(text, x.cite([first], fact))


def critical_event(x: Ctx, rng: random.Random) -> Draft | None:
    got = x.said("critical_event")
    if got is None:
        return None
    fact, first = got
    s = x.sheet
    text = (
        f"{_cap(s.critical_event)} on {fmt_day(s.event_date)}; they must be live before it. "
        f"Raised in {first.where()}."
    )
    return Draft(text, x.cite([first], fact))


def timeline(x: Ctx, rng: random.Random) -> Draft | None:
    ev, proc = x.said("critical_event"), x.said("process")
    if ev is None:
        return None
    s = x.sheet
    live = f"Live before {s.critical_event} on {fmt_day(s.event_date)}"
    if proc is None:
        return Draft(f"{live}.", x.cite([ev[1]], ev[0]), 0.05)
    sign = fmt_day(s.steps[-1].due)
    text = f"Signature by {sign}. {live}."
    if s.process_passed:
        text += f" {sign} has passed without a signature."
    return Draft(text, x.cite([ev[1], proc[1]], ev[0], proc[0]), 0.1 if s.process_passed else 0.0)


def need(x: Ctx, rng: random.Random) -> Draft | None:
    p = x.said("pain")
    if p is None:
        return None
    ev = x.said("critical_event")
    s = x.sheet
    when = f" before {s.critical_event} on {fmt_day(s.event_date)}" if ev else ""
    text = f"Must fix {s.pain}{when}; it is a priority for the {s.industry_team} team."
    firsts = [p[1], ev[1] if ev else None]
    facts = [p[0], *([ev[0]] if ev else [])]
    return Draft(text, x.cite(firsts, *facts))


def situation(x: Ctx, rng: random.Random) -> Draft | None:
    comp, p = x.said("competition"), x.said("pain")
    if comp is None or p is None:
        return None
    s, acct = x.sheet, x.opp.account
    industry = f", {acct.industry}" if acct.industry else ""
    text = (
        f"{acct.name}{industry}. The {s.industry_team} team ({s.numbers.staff} people) runs on "
        f"{s.incumbent}."
    )
    return Draft(text, x.cite([p[1], comp[1]], p[0], comp[0]))


def decision(x: Ctx, rng: random.Random) -> Draft | None:
    eb = x.sheet.roles.economic_buyer
    met = x.records.first_involving(eb) if eb else None
    crit = x.said("criteria")
    if eb is None or met is None:
        return None
    on = f", judged first on {x.sheet.criteria[0]}" if crit else ""
    text = f"{eb.name} decides{on}."
    firsts = [met, crit[1] if crit else None]
    return Draft(text, x.records.cite(firsts, [eb.name]))


WRITERS: dict[str, Writer] = {
    "metrics": metrics,
    "economic_buyer": economic_buyer,
    "decision_criteria": decision_criteria,
    "decision_process": decision_process,
    "paper_process": paper_process,
    "pain": pain,
    "champion": champion,
    "competition": competition,
    "budget": budget,
    "authority": authority,
    "need": need,
    "timeline": timeline,
    "situation": situation,
    "impact": impact,
    "critical_event": critical_event,
    "decision": decision,
}
