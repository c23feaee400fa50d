"""A deal's story as seen on a given day: what has happened by then, and what is still ahead.

`reveal(op, today, …)` is the one function `refresh` (and a live writer) needs: it takes a deal's
whole story (its plan and its story ahead, `planning.ahead`) and returns the plan of that day —
what the window then covers (emails, calls and meetings before the day; meetings up to
`future_days` after it), with every meeting that has passed in its outcome form (`realize`).
The day's boundary is 00:00 of `today` in the owner's zone, as the anchor's is, so the same
day always reveals the same plan. Pure and seeded: a meeting's outcome comes from
`Random("{seed}/{pack}/{meeting key}/outcome")`, never from the day it is revealed on.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta

from demo_gen.config.model import Config
from demo_gen.stages.model import Opportunity
from demo_gen.stages.plan import OpportunityPlan, PlannedMeeting
from demo_gen.stages.planning.context import anchor_instant
from demo_gen.stages.planning.course import deal_on
from demo_gen.stages.planning.story import STAGES
from demo_gen.stages.planning.timezones import owner_zone

REBOOKED = "Rebooked: "
"""The subject prefix of a meeting booked again after a no-show (planning.agenda)."""


KEPT = frozenset({"signature"})
"""Meetings never missed: a won deal's signing call (the planner keeps it too: `story`)."""


def realize(meeting: PlannedMeeting, config: Config) -> PlannedMeeting:
    """A meeting planned as upcoming, as it turned out: held or a no-show, answers final."""
    if meeting.status != "scheduled":
        return meeting
    mess = config.activity.messiness
    rng = random.Random(f"{config.run.seed}/{config.run.name}/{meeting.key}/outcome")
    customer = meeting.primary_contact_id is not None
    no_show = config.activity.realism_level != "none" and rng.random() < mess.no_show_share
    no_show = no_show and meeting.meeting_type not in KEPT  # a signing call is kept
    answers = []
    for person, answer in meeting.responses:
        if answer in ("New", "Maybe"):
            answer = "Declined" if rng.random() < 0.15 else "Accepted"
        answers.append((person, answer))
    return replace(
        meeting,
        past=True,
        status="no_show" if customer and no_show else "held",
        responses=tuple(answers),
    )


def boundary_of(op: OpportunityPlan, today: date) -> datetime:
    """The past/future boundary of `today`: 00:00 in the owner's zone; a datetime (`live`, which
    reveals the story minute by minute) is its own boundary."""
    if isinstance(today, datetime):
        return today
    return anchor_instant(op.opportunity, today)


def has_passed(meeting: PlannedMeeting, boundary: datetime, *, exact: bool = False) -> bool:
    """A meeting has passed a day's boundary when it started before it (meetings are in working
    hours, never across midnight); an `exact` moment (`live`) waits until it has ended."""
    if not exact:
        return meeting.start < boundary
    return meeting.start + timedelta(minutes=meeting.duration_minutes) <= boundary


def reveal(
    op: OpportunityPlan, today: date, config: Config, *, advance: bool = True
) -> OpportunityPlan:
    """The deal's plan on `today`: what the window covers, passed meetings with their outcome,
    and the deal as the story has it that day (its turns due by then; `course.deal_on`).

    Nothing of the story ahead past the close date the deal has that day shows while the deal
    is not won (the realism figure `activity_after_close_not_won`): a meeting after a date that
    will slip shows once the slip is due, a won deal's kickoff once it is won. Without `advance`
    (the deal's own fields are not moved: no `--advance-stages`) the deal keeps the values it had,
    so the story shows up to its close date only."""
    boundary, exact = boundary_of(op, today), isinstance(today, datetime)
    end = boundary + timedelta(days=1 + config.activity.future_days)
    day = boundary.astimezone(owner_zone(op.opportunity)).date()
    deal = deal_on(op, day) if advance else op.opportunity
    fence = None if deal.is_won else _close_end(deal, op)
    meetings = []
    for m in op.meetings:
        if m.start >= end or (fence is not None and m.start >= fence and m.key in _ahead(op)):
            continue
        if _rebook_waits(op, m, boundary, exact=exact):
            continue
        meetings.append(realize(m, config) if has_passed(m, boundary, exact=exact) else m)
    emails = tuple(
        e for e in op.emails
        if e.sent_at < boundary and (fence is None or e.sent_at < fence or e.key not in _ahead(op))
    )  # fmt: skip
    tasks = tuple(t for t in op.tasks if t.at < boundary)
    return replace(op, opportunity=deal, meetings=tuple(meetings), emails=emails, tasks=tasks)


def _close_end(deal: Opportunity, op: OpportunityPlan) -> datetime:
    return anchor_instant(deal, deal.close_date + timedelta(days=1))


def _ahead(op: OpportunityPlan) -> frozenset[str]:
    """The keys of the story ahead's items: those after the deal's anchor instant."""
    floor = anchor_instant(op.opportunity, op.anchor)
    return frozenset(
        [m.key for m in op.meetings if m.start >= floor]
        + [e.key for e in op.emails if e.sent_at >= floor]
    )


def _rebook_waits(
    op: OpportunityPlan, meeting: PlannedMeeting, boundary: datetime, *, exact: bool
) -> bool:
    """A rebooked meeting never shows before the no-show it replaces has passed."""
    if not meeting.subject.startswith(REBOOKED):
        return False
    missed = meeting.subject.removeprefix(REBOOKED)
    return any(
        m.subject == missed and m.start < meeting.start and not has_passed(m, boundary, exact=exact)
        for m in op.meetings
    )


def passed_since_planned(op: OpportunityPlan, today: date) -> tuple[PlannedMeeting, ...]:
    """The meetings of the whole story planned as upcoming that have passed by `today`: those
    that were written (if at all) with an agenda and get their outcome as an update."""
    boundary, exact = boundary_of(op, today), isinstance(today, datetime)
    return tuple(
        m for m in op.meetings if m.status == "scheduled" and has_passed(m, boundary, exact=exact)
    )


def stage_on(op: OpportunityPlan, today: date) -> str | None:
    """The stage the story has the deal in on `today`, when it is further along the path than
    the deal's own stage: the stage of the latest customer meeting held before the day."""
    boundary, exact = boundary_of(op, today), isinstance(today, datetime)
    held = [m for m in op.meetings if m.primary_contact_id and has_passed(m, boundary, exact=exact)]
    if not held:
        return None
    latest = max(held, key=lambda m: m.start).stage
    current = op.opportunity.stage
    if latest not in STAGES:
        return None
    if current in STAGES and STAGES.index(latest) <= STAGES.index(current):
        return None
    return latest


PROBABILITY = {"Qualification": 10, "Discovery": 20, "Evaluation": 40, "Proposal": 60,
               "Negotiation": 80}  # fmt: skip
"""Opportunity.Probability per stage, as a standard org's stage picklist sets it."""
