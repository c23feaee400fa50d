"""How an active deal the story ahead wins ends (`planning.ahead`): its signature call, the last
conversation before the close, and its kickoff once the close shows. Both are booked into the
shared calendar like every meeting ahead (`ahead_book.book`); around a year-end break they
move to its edges (`workdays.around_break`).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from demo_gen.config.model import Config
from demo_gen.stages.plan import OpportunityPlan, PlannedMeeting
from demo_gen.stages.planning.ahead_book import Slot, Walk, book, guests_of, seller_of
from demo_gen.stages.planning.course import WON, Course
from demo_gen.stages.planning.details import meeting_subject
from demo_gen.stages.planning.env import Env
from demo_gen.stages.planning.outcome import REBOOKED
from demo_gen.stages.planning.story import STAGES
from demo_gen.stages.planning.timezones import owner_zone
from demo_gen.stages.planning.workdays import around_break, is_customer_day


def signing(
    env: Env,
    op: OpportunityPlan,
    config: Config,
    course: Course,
    won: bool,
    walk: Walk,
    meetings: list[PlannedMeeting],
    rng: random.Random,
) -> list[PlannedMeeting]:
    """A won deal's meetings ahead ending with its signature call, the last conversation before
    the close: the last meeting becomes it when it falls in the deal's last `_SIGNING_DAYS` and
    is neither a meeting the win rests on (discovery, demo, proposal) nor a rebooking; else one
    is booked after it by the close. The last meeting also becomes it when no customer day is
    left before the close (a year-end break)."""
    if not (course.ends and won):
        return meetings
    opp = op.opportunity
    last = meetings[-1] if meetings else None
    late = course.close - timedelta(days=_SIGNING_DAYS)
    held = last.start.astimezone(owner_zone(opp)).date() if last is not None else op.anchor
    country = seller_of(op).country
    days_left = (held + timedelta(days=n) for n in range(1, (course.close - held).days + 1))
    if (
        last is not None
        and last.meeting_type not in _WIN_RESTS_ON
        and not last.subject.startswith(REBOOKED)
        and (held >= late or not any(is_customer_day(country, d) for d in days_left))
    ):
        subject = meeting_subject("signature", opp.account, opp.name, rng, walk.used)
        signing = replace(last, meeting_type="signature", subject=subject, stage=STAGES[-1])
        return [*meetings[:-1], signing]
    first = max(held + timedelta(days=1), late)  # the walk may have gone on to the close
    sign = Slot("signature", course.close - timedelta(days=2), first, course.close, course.close)
    signed = book(env, op, seller_of(op), guests_of(op), sign, lambda _: STAGES[-1], walk, config,
                   rng)  # fmt: skip
    return meetings if signed is None else [*meetings, signed]


_SIGNING_DAYS = 5
_WIN_RESTS_ON = frozenset({"discovery", "demo", "proposal"})


def kickoff(
    env: Env,
    op: OpportunityPlan,
    config: Config,
    course: Course,
    won: bool,
    walk: Walk,
    rng: random.Random,
) -> list[PlannedMeeting]:
    """A won deal's kickoff within two weeks of the close, or on the first days back after a
    year-end break (`workdays.around_break`); `outcome.reveal` shows it once the deal is won:
    nothing past the close date shows while the deal is open."""
    if not (course.ends and won):
        return []
    start = course.close + timedelta(days=rng.randint(3, 8))
    seller, week = seller_of(op), timedelta(days=6)
    late = start + 3 * week  # past a year-end break, the first days back
    for aim, first, last in around_break(seller.country, course.close, start, start, start + week,
                                         late):  # fmt: skip
        kick = Slot("kickoff", aim, first, last, last)
        kicked = book(env, op, seller, guests_of(op), kick, lambda _: WON, walk, config, rng)
        if kicked is not None:
            return [kicked]
    return []
