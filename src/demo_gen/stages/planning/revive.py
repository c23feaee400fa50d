"""A stalled deal on its story ahead: the seller tries to revive it, then lets it go.

What a real seller does with a deal that went quiet: a nudge by email within the first days, a
short check-in call booked with the champion within two weeks, and at its end a second one two
weeks or so later ("check back in a few weeks"), with a nudge before it; the customer answers
one nudge in a line or two (priorities moved, next quarter). A first call that hears the project
is parked (`PARKED_SHARE`) ends it there: the seller writes a few days later that the deal is
closed for now. Otherwise, after about two weeks of silence the seller writes a last note and
marks the deal
Closed Lost the day after (`course.let_go`, the close date set to that day). A deal whose close
date comes first is let go on its close date; one already past it at the anchor gets only the
last note. Nothing of it is after the day it closes, so the deal never shows activity past a
close date it has. Check-in calls are 30 minutes; a stalled deal never meets more than twice.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from demo_gen.stages.model import Opportunity
from demo_gen.stages.plan import OpportunityPlan, PlannedMeeting, PlannedTurn
from demo_gen.stages.planning.ahead_mail import Note, at_work, reply, subject_for
from demo_gen.stages.planning.course import let_go
from demo_gen.stages.planning.details import thread_subject
from demo_gen.stages.planning.timezones import owner_zone

Booker = Callable[[date, date, str], PlannedMeeting | None]
"""Books a check-in call: (target day, last day, subject) -> the meeting, or None."""
PARKED_SHARE = 0.4
"""Share of stalled deals the first check-in settles: parked, so the seller closes it then."""
_CHECK_IN = ("Check-in: {topic}", "Where things stand: {account}", "Quick catch-up: {account}")


def revive(
    op: OpportunityPlan, book: Booker, rng: random.Random
) -> tuple[list[PlannedMeeting], list[Note], PlannedTurn]:
    """The revival's meetings, emails and the turn that closes the deal lost."""
    opp = op.opportunity
    lead = opp.contacts[0].id
    stage = opp.stage
    first = at_work(opp, None, op.anchor, rng).date()
    limit = max(opp.close_date, first)
    meetings: list[PlannedMeeting] = []
    notes: list[Note] = []
    last = first if opp.close_date <= op.anchor else op.anchor
    day = first + timedelta(days=rng.randint(0, 5))  # the seller gets to each in turn
    subjects = [t.format(account=opp.account.name, topic=opp.name) for t in _CHECK_IN]
    rng.shuffle(subjects)
    parked = False
    for round_ in range(2 if opp.close_date > op.anchor else 0):
        nudge = at_work(opp, None, day, rng)
        if _day(opp, nudge) > limit:
            break
        said = Note(nudge, "nudge", thread_subject("nudge", opp.account, opp.name, "", rng), None,
                    lead, stage)  # fmt: skip
        notes.append(said)
        last = max(last, _day(opp, nudge))
        if round_ == 1 or rng.random() < 0.5:
            notes.append(reply(opp, said, lead, rng))
            last = max(last, _day(opp, notes[-1].sent))
        target = _day(opp, nudge) + timedelta(days=rng.randint(2, 6))
        met = book(target, min(limit, target + timedelta(days=3)), subjects[round_])
        if met is not None:
            meetings.append(met)
            last = max(last, _day(opp, met.start))
            parked = round_ == 0 and rng.random() < PARKED_SHARE
            if parked:  # "parked until next year": the seller closes it after the call
                break
        day = last + timedelta(days=rng.randint(8, 11) if met else rng.randint(10, 14))
    wait = rng.randint(2, 5) if parked else rng.randint(12, 16)
    closing = min(limit, last + timedelta(days=wait))
    sent = at_work(opp, None, closing, rng)
    if _day(opp, sent) > limit:  # the close day is a day off: the working day before it
        sent = at_work(opp, None, max(last, closing - timedelta(days=3)), rng)
    purpose = "parked" if parked else "close_out"
    notes.append(Note(sent, purpose, subject_for("close_out", opp, rng), None, lead, stage))
    return meetings, notes, let_go(opp.id, _day(opp, sent))


def _day(opp: Opportunity, at: datetime) -> date:
    return at.astimezone(owner_zone(opp)).date()
