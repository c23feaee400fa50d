"""The course of a deal on its story ahead: when its close date slips, and how it ends.

A real open deal does not go quiet at its close date. On the story ahead (`planning.ahead`) an
active deal either closes on its close date — won (about six in ten) or lost — or slips: some
three to four weeks before the date the customer says the timeline moves (a budget cycle, legal,
a security review, other priorities), the seller moves the CloseDate out by three to eight
weeks, and the meetings go on to the new date. A deal slips at most twice. An open deal whose
close date has already passed at its anchor slips on the first day after it.

A stalled deal (the planner's own draw) is revived and then let go (`planning.revive`): its
course is one turn, Closed Lost, once weeks of silence followed the seller's last tries.

Each change is a `PlannedTurn`, due from its day; `refresh --advance-stages` writes it (the
CloseDate, or StageName with Probability, with the before-values in the ledger). What the story
shows on a day must hold against the deal as the story has it that day (`deal_on`), so a meeting
past a close date the deal has is only shown once the slip that moves the date is due
(`outcome.reveal` holds it back until then). Pure and seeded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from demo_gen.stages.model import Opportunity
from demo_gen.stages.plan import OpportunityPlan, PlannedTurn

SLIP_SHARE = 0.35
"""Chance that an active deal's close date slips (drawn again after a slip, at most twice)."""
MAX_SLIPS = 2
WIN_SHARE = 0.6
"""Share of the deals reaching their close that are won (the others are lost)."""
REASONS = ("budget", "legal", "security", "priorities")
"""Why a timeline moves, as the customer's email says it (content: `ahead_wording`)."""
WON, LOST = "Closed Won", "Closed Lost"
CLOSED_PROBABILITY = {WON: 100, LOST: 0}


@dataclass(frozen=True)
class Slip:
    """The close date moving out: from `day` on, `before` becomes `after`."""

    day: date
    before: date
    after: date
    reason: str


@dataclass(frozen=True)
class Course:
    """An active deal's road ahead: its slips, its final close date and how it ends there."""

    slips: tuple[Slip, ...]
    close: date
    won: bool
    ends: bool  # the close falls within the story's horizon: the deal closes there


SLIP_GAP = timedelta(days=21)
"""Fewest days between two slips: a new date holds for weeks before it moves again (an overdue
deal's date reset on the first day, then moved again days later, read as a script)."""


def plan_course(opp: Opportunity, anchor: date, end: date, future_days: int, rng: random.Random,
                first_day: date) -> Course:  # fmt: skip
    """The course of an active deal from `anchor` (`end`: the story's horizon; `first_day`: the
    first day the customer can write to say an overdue close moves, a working day)."""
    close = opp.close_date
    slips: list[Slip] = []
    if close <= anchor:  # overdue already: the timeline is reset on the first day after
        after = anchor + timedelta(days=rng.randint(30, 60))
        slips.append(Slip(first_day + timedelta(days=1), close, after, rng.choice(REASONS)))
        close = after
    while len(slips) < MAX_SLIPS and rng.random() < SLIP_SHARE:
        earliest = slips[-1].day + SLIP_GAP if slips else anchor + timedelta(days=1)
        day = close - timedelta(days=rng.randint(future_days + 3, future_days + 12))
        if day < earliest:  # too late to say so before the meetings past it show: it closes
            break
        after = close + timedelta(days=rng.randint(21, 56))
        slips.append(Slip(day, close, after, rng.choice(REASONS)))
        close = after
    won = rng.random() < WIN_SHARE
    return Course(tuple(slips), close, won, close <= end)


def course_turns(opp_id: str, course: Course, won: bool) -> tuple[PlannedTurn, ...]:
    """The turns of a course: each slip, then the close the day after the close date."""
    out = [
        PlannedTurn(f"{opp_id}/turn/{n}", opp_id, s.day, "slip", close_date=s.after)
        for n, s in enumerate(course.slips, start=1)
    ]
    if course.ends:
        stage, reason = (WON, "won") if won else (LOST, "lost")
        out.append(PlannedTurn(f"{opp_id}/turn/{len(out) + 1}", opp_id,
                               course.close + timedelta(days=1), reason, stage=stage))  # fmt: skip
    return tuple(out)


def let_go(opp_id: str, last_word: date) -> PlannedTurn:
    """A stalled deal marked Closed Lost the day after the seller's last word, closed that day."""
    return PlannedTurn(f"{opp_id}/turn/1", opp_id, last_word + timedelta(days=1), "lost_silent",
                       stage=LOST, close_date=last_word)  # fmt: skip


def due_turns(turns: tuple[PlannedTurn, ...], day: date) -> tuple[PlannedTurn, ...]:
    return tuple(t for t in turns if t.day <= day)


def deal_on(op: OpportunityPlan, day: date) -> Opportunity:
    """The deal as its story has it on `day`: each turn due by then applied."""
    opp = op.opportunity
    for turn in sorted(due_turns(op.turns, day), key=lambda t: (t.day, t.key)):
        if turn.close_date is not None:
            opp = replace(opp, close_date=turn.close_date)
        if turn.stage is not None:
            won = turn.stage == WON
            opp = replace(opp, stage=turn.stage, is_closed=True, is_won=won,
                          probability=float(CLOSED_PROBABILITY[turn.stage]))  # fmt: skip
    return opp


def shows_ok(opp: Opportunity, turns: tuple[PlannedTurn, ...], day: date, shown: date) -> bool:
    """Does something of the story on `day` hold against the deal as it is on `shown`, the
    first day it shows? (Not past its close date then, unless the deal is won by then.)"""
    view = deal_on(OpportunityPlan(opp, shown, (), (), turns=turns), shown)
    return view.is_won or day <= view.close_date


def stalled(turns: tuple[PlannedTurn, ...]) -> bool:
    """Is this the course of a stalled deal (revived, then let go)?"""
    return any(t.reason == "lost_silent" for t in turns)


def slipping_on(origin: date, turns: tuple[PlannedTurn, ...], day: date) -> bool:
    """Is the deal slipping on `day`: past a close date that has not moved yet (an overdue deal
    before its first slip; a slip is otherwise made weeks before the date it moves)."""
    before = origin
    for t in sorted(turns, key=lambda t: t.day):
        if t.reason != "slip" or t.close_date is None:
            continue
        if before < day < t.day:
            return True
        before = t.close_date
    return False
