"""Heuristic answers: deterministic, specific to the deal, written from its plan alone.

Each writer takes the deal's `Facts`, the `Evidence` found for its element and a seeded rng, and
returns a `Draft` (text plus a confidence penalty for shaky data), or None when the deal's data
cannot support an answer (no one to name as Economic Buyer, say). Only contacts of the
opportunity and its account are ever named; the seller is not.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from demo_gen.model import Contact
from demo_gen.plan import PlannedMeeting
from demo_gen.scorecards import phrases as W
from demo_gen.scorecards.evidence import Evidence, Facts


@dataclass(frozen=True)
class Draft:
    text: str
    penalty: float = 0.0  # subtracted from the evidence-based confidence


Writer = Callable[[Facts, Evidence, random.Random], Draft | None]


def day(d: date) -> str:
    return f"{d:%b} {d.day}, {d.year}"


def money(x: float) -> str:
    if x >= 1_000_000:
        return f"${x / 1_000_000:.1f}M"
    if x >= 1_000:
        return f"${x / 1_000:,.0f}k"
    return f"${x:,.0f}"


def _who(c: Contact) -> str:
    return f"{c.name} ({c.title})" if c.title else c.name


def _industry(f: Facts) -> str:
    name = (f.opp.account.industry or "").strip().lower()
    return W.INDUSTRY_ALIASES.get(name, name)


def _team(f: Facts) -> str:
    return W.TEAMS.get(_industry(f), "operations")


def _segment(f: Facts) -> str:
    employees = f.opp.account.employees or 500
    return "smb" if employees < 200 else "mid" if employees < 2000 else "enterprise"


def _seen(f: Facts, ev: Evidence) -> str:
    """' in the demo on Mar 4, 2026' / ' by email on …' / '' for the latest evidence item."""
    item = ev.latest
    if item is None:
        return ""
    if isinstance(item, PlannedMeeting):
        label = W.MEETING_LABEL.get(item.meeting_type, "meeting")
        return f" in the {label} on {day(f.local_date(item.start))}"
    return f" by email on {day(f.local_date(item.sent_at))}"


def metric_line(f: Facts) -> str:
    """The deal's target on its metric; the same in every template."""
    rng = random.Random(f.deal_seed)
    fmt, low, high, dlow, dhigh = W.METRIC_SCALES.get(f.metric, W.GENERIC_SCALE)
    a = rng.randint(low, high)
    d = rng.randint(dlow, dhigh)
    b = a + d if fmt.startswith("Lift") else a - d
    return fmt.format(metric=f.metric, a=a, b=b, d=d)


def metrics(f: Facts, ev: Evidence, rng: random.Random) -> Draft | None:
    line = metric_line(f)
    if not f.opp.amount:
        return Draft(f"{line} at {f.opp.account.name}; the dollar value is not sized yet.", 0.1)
    multiple = f.value / f.opp.amount
    payback = max(1, round(12 * f.opp.amount / f.value))
    return Draft(
        f"{line} at {f.opp.account.name}: ~{money(f.value)}/yr across {f.staff} "
        f"{_team(f)} staff, {multiple:.1f}x the {money(f.opp.amount)} investment "
        f"(payback in ~{payback} months)."
    )


def pain(f: Facts, ev: Evidence, rng: random.Random) -> Draft | None:
    hours = f.hours
    raised = f"Raised{_seen(f, ev)}" if ev.latest else "Assumed from the industry, not yet heard"
    return Draft(
        f"{f.pain[0].upper()}{f.pain[1:]} at {f.opp.account.name}. {raised}; left alone it "
        f"holds back {f.metric} and costs the {_team(f)} team ~{hours:,} hours a month."
    )


def need(f: Facts, ev: Evidence, rng: random.Random) -> Draft | None:
    owner = f.champion.contact.name if f.champion else f"the {_team(f)} lead"
    priority = rng.choice(W.PRIORITIES).format(team=_team(f))
    return Draft(
        f"Must-have: end {f.pain} before {day(f.opp.close_date + timedelta(days=90))}; "
        f"{owner} calls it {priority} for {f.opp.close_date.year}."
    )


def situation(f: Facts, ev: Evidence, rng: random.Random) -> Draft | None:
    acct = f.opp.account
    size = f"{acct.employees:,} employees" if acct.employees else "size not confirmed"
    where = f", HQ {acct.billing_country}" if acct.billing_country else ""
    tools = rng.choice(W.CURRENT_TOOLS[_segment(f)])
    trigger = rng.choice(W.TRIGGERS).format(team=_team(f))
    return Draft(
        f"{acct.name}: {acct.industry or 'industry not set'}, {size}{where}. The {_team(f)} "
        f"team ({f.staff} people) runs on {tools}; {trigger}.",
        0.0 if acct.employees else 0.05,
    )


def impact(f: Facts, ev: Evidence, rng: random.Random) -> Draft | None:
    line = metric_line(f)
    hours = f.hours
    if not f.opp.amount:
        return Draft(f"{line}; ~{hours:,} hours a month back for the {_team(f)} team.", 0.1)
    return Draft(
        f"~{money(f.value)}/yr at stake: {line[0].lower()}{line[1:]}, and ~{hours:,} hours a "
        f"month back for the {_team(f)} team."
    )


def champion(f: Facts, ev: Evidence, rng: random.Random) -> Draft | None:
    if f.champion is None:
        return None
    c = f.champion.contact
    motive = rng.choice(W.MOTIVES).format(metric=f.metric, team=_team(f))
    met = f"met in {ev.count} meeting{'s' if ev.count != 1 else ''}, latest" if ev.count else ""
    seen = f"; {met}{_seen(f, ev)}" if ev.latest else "; not met yet"
    if not f.champion.by_role:
        return Draft(f"{_who(c)}, primary contact acting as champion, not yet tested{seen}.", 0.15)
    return Draft(f"{_who(c)}{seen}; {motive}.")


def economic_buyer(f: Facts, ev: Evidence, rng: random.Random) -> Draft | None:
    if f.economic_buyer is None:
        return None
    c = f.economic_buyer.contact
    signs = f"signs at {money(f.opp.amount)}" if f.opp.amount else "releases the funds"
    seen = f"; joined us{_seen(f, ev)}" if ev.latest else "; not met yet"
    if not f.economic_buyer.by_role:
        return Draft(f"{_who(c)}: likely owner of the {_team(f)} budget by title{seen}.", 0.12)
    return Draft(f"{_who(c)} owns the {_team(f)} budget and {signs}{seen}.")


def authority(f: Facts, ev: Evidence, rng: random.Random) -> Draft | None:
    if f.economic_buyer is None:
        return None
    eb = f.economic_buyer.contact
    others = [p for p in (_champion_contact(f), f.technical) if p is not None and p != eb]
    influence = " and ".join(_unique(p.name for p in others))
    tail = f"; {influence} influence{'s' if len(set(others)) == 1 else ''}" if others else ""
    penalty = 0.0 if f.economic_buyer.by_role else 0.12
    return Draft(f"{_who(eb)} makes the call{tail}; met{_seen(f, ev) or ' not yet'}.", penalty)


def _champion_contact(f: Facts) -> Contact | None:
    return f.champion.contact if f.champion else None


def _unique(names: Iterable[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        if name not in out:
            out.append(name)
    return out


def decision_criteria(f: Facts, ev: Evidence, rng: random.Random) -> Draft | None:
    industry = _industry(f)
    system = W.SYSTEMS.get(industry, "core systems")
    compliance = W.COMPLIANCE.get(industry, "SOC 2 Type II")
    budget = f"total cost within {money(f.opp.amount * 1.1)}" if f.opp.amount else ""
    pool = [
        f"native integration with their {system}",
        f"{compliance} evidence and SSO",
        f"go-live in under {rng.choice((6, 8, 10, 12))} weeks",
        "admins can change workflows without engineering",
        "role-based access with a full audit trail",
    ]
    picked = [*rng.sample(pool, 2), *([budget] if budget else [pool[4]])]
    author = f.technical or _champion_contact(f)
    by = f"; written by {author.name}" if author else ""
    return Draft(f"Must-haves: {'; '.join(picked)}{by}, confirmed{_seen(f, ev) or ' soon'}.")


def _steps_due(f: Facts, *days_before: int) -> list[str]:
    return [day(f.opp.close_date - timedelta(days=n)) for n in days_before]


def _slipped(f: Facts) -> tuple[str, float]:
    """A note and a penalty when an open deal's close date is already behind the anchor."""
    if not f.opp.is_closed and f.opp.close_date < f.plan.anchor:
        return " The close date has passed: re-confirm each step.", 0.1
    return "", 0.0


def decision_process(f: Facts, ev: Evidence, rng: random.Random) -> Draft | None:
    tech = f.technical.name if f.technical else "their technical lead"
    champ = f.champion.contact.name if f.champion else f"the {_team(f)} lead"
    eb = f.economic_buyer.contact.name if f.economic_buyer else "the budget owner"
    if f.opp.is_won:
        return Draft(
            f"Done: technical sign-off by {tech}, business case approved by {eb}, "
            f"signed {day(f.opp.close_date)}."
        )
    a, b = _steps_due(f, rng.choice((28, 35, 42)), rng.choice((14, 21)))
    note, penalty = _slipped(f)
    return Draft(
        f"{tech} signs off technically by {a}; {champ} takes the business case to {eb} by {b}; "
        f"{eb} approves and signs by {day(f.opp.close_date)}.{note}",
        penalty,
    )


def paper_process(f: Facts, ev: Evidence, rng: random.Random) -> Draft | None:
    paper, sec, proc, legal = W.PAPER[_segment(f)]
    weeks = sec + proc + legal
    board = "; finance committee approval" if (f.opp.amount or 0) >= 250_000 else ""
    owner = f"{f.paperwork.name} runs it" if f.paperwork else "procurement owner not named yet"
    start = day(f.opp.close_date - timedelta(weeks=weeks))
    if f.opp.is_won:
        return Draft(f"Signed {day(f.opp.close_date)} on {paper}; {owner.replace('runs', 'ran')}.")
    note, penalty = _slipped(f)
    return Draft(
        f"{paper[0].upper()}{paper[1:]}: security review (~{sec} wk), vendor onboarding "
        f"(~{proc} wk), legal redlines (~{legal} wk){board}; {owner}. Start by {start} to "
        f"sign by {day(f.opp.close_date)}.{note}",
        penalty + (0.0 if f.paperwork else 0.08),
    )


def competition(f: Facts, ev: Evidence, rng: random.Random) -> Draft | None:
    first, second = rng.sample(W.COMPETITORS[_segment(f)], 2)
    edge = rng.choice(W.EDGES).format(metric=f.metric)
    return Draft(
        f"Main alternative: {first}; also {second}. Doing nothing is real: {f.pain} has been "
        f"tolerated for years. Our edge: {edge}."
    )


def budget(f: Facts, ev: Evidence, rng: random.Random) -> Draft | None:
    year = f"FY{f.opp.close_date.year % 100:02d}"
    eb = f.economic_buyer.contact.name if f.economic_buyer else "the budget owner"
    if not f.opp.amount:
        return Draft(f"No amount on the deal yet; {eb} to confirm the {year} budget.", 0.15)
    if f.position in ("proposal", "negotiation", "closed"):
        return Draft(
            f"{money(f.opp.amount)} allocated in the {year} {_team(f)} budget; {eb} approved."
        )
    source = rng.choice(W.FUNDING).format(team=_team(f), year=year)
    return Draft(f"~{money(f.opp.amount)} expected from {source}; needs {eb}'s approval.", 0.05)


def critical_event_line(f: Facts) -> tuple[str, date]:
    """The deal's critical event and its date; the same in every template."""
    rng = random.Random(f.deal_seed + 1)
    event = rng.choice(W.EVENTS.get(_industry(f), W.GENERIC_EVENTS))
    return event, f.opp.close_date + timedelta(days=rng.randint(21, 60))


def timeline(f: Facts, ev: Evidence, rng: random.Random) -> Draft | None:
    event, when = critical_event_line(f)
    live = day(when - timedelta(days=rng.choice((7, 10, 14))))
    note, penalty = _slipped(f)
    return Draft(
        f"Signature by {day(f.opp.close_date)}, live by {live}, ahead of {event} on "
        f"{day(when)}.{note}",
        penalty,
    )


def critical_event(f: Facts, ev: Evidence, rng: random.Random) -> Draft | None:
    event, when = critical_event_line(f)
    return Draft(
        f"{event[0].upper()}{event[1:]} on {day(when)}; missing it means another year of {f.pain}."
    )


def decision(f: Facts, ev: Evidence, rng: random.Random) -> Draft | None:
    if f.economic_buyer is None:
        return None
    eb = f.economic_buyer.contact.name
    champ = f.champion.contact.name if f.champion else f"the {_team(f)} lead"
    criterion = rng.choice(("time to value", "total cost", "fit with their stack"))
    verb = "signed" if f.opp.is_won else "signs by"
    return Draft(
        f"{eb} decides, mainly on {criterion} and {f.metric}; {champ} builds the case, "
        f"{eb} {verb} {day(f.opp.close_date)}.",
        0.0 if f.economic_buyer.by_role else 0.12,
    )


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
