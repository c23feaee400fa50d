"""Short heuristic text for the activity kinds the deal story added: signature and onboarding
meetings, internal prep and deal reviews, no-shows and rebookings, reschedule and nudge emails,
customer requests, out-of-office auto-replies, calls and LinkedIn touches.

The banks (`extra_banks`) are kept apart from the main grammar; every choice comes from the
item's own `content_seed`, and the writer (`Deal.fresh`) re-draws until no sentence repeats
within the deal: 40 tries at most, and none once the deal has used a bank up.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta

from demo_gen.stages.content import ahead_wording
from demo_gen.stages.content.extra_banks import AGENDA, GENERIC, REQUEST_ACCEPTED, Bank
from demo_gen.stages.content.extra_wording import EMAIL, MEETING, NO_SHOW, OOO, OUTCOME, WORDS
from demo_gen.stages.content.grammar import expand
from demo_gen.stages.model import Opportunity
from demo_gen.stages.plan import PlannedEmail, PlannedMeeting, PlannedTask

MEETING_KINDS = frozenset(
    {"signature", "onboarding", "internal_prep", "deal_review", *ahead_wording.MEETING}
)
EMAIL_PURPOSES = frozenset(
    {"request", "reschedule", "no_show", "nudge", "out_of_office"}
    | {purpose for purpose, _ in ahead_wording.EMAIL}
)

_CALL: dict[str, tuple[str, ...]] = {
    "Connected": (
        "Spoke with {who}: quick update on {topic}; agreed the next step.",
        "Call with {who} about timing and who else needs to be involved.",
    ),
    "Left voicemail": ("Left a voicemail for {who} about the next step.",),
    "No answer": ("Tried {who}; no answer.",),
}
_LINKEDIN: dict[str, tuple[str, ...]] = {
    "connection_request": ("Sent {who} a LinkedIn connection request.",),
    "linkedin_message": ("Sent {who} a short LinkedIn message about {topic}.",),
}


def _days(at: datetime, rng: random.Random) -> dict[str, str]:
    """{back}: the name of a working weekday one to three working days after `at`."""
    later = at.date()
    for _ in range(rng.randint(1, 3)):
        later += timedelta(days=1)
        while later.weekday() >= 5:
            later += timedelta(days=1)
    return {"back": f"{later:%A}"}


def _fill(template: str, fields: Mapping[str, str], rng: random.Random) -> str:
    """The template's fields filled, and its word slots drawn from `rng`."""
    return expand(template.format_map(_Keep(fields)), rng, fields, WORDS)


class _Keep(dict[str, str]):
    """Fields for `format_map` that leave a word slot ("{w_action}") for `expand`."""

    def __missing__(self, key: str) -> str:
        if key in WORDS:
            return "{" + key + "}"
        raise KeyError(key)


def _two(rng: random.Random, bank: Bank, fields: Mapping[str, str]) -> str:
    """One sentence from each part of the bank, in order."""
    return " ".join(_fill(rng.choice(part), fields, rng) for part in bank)


def meeting_text(meeting: PlannedMeeting, fields: Mapping[str, str]) -> str:
    """Agenda (future) or notes with an outcome (past) for a new meeting kind or a no-show, without
    the attendee line: a no-show's notes say so and what happens next (rebooking), never what
    was discussed. `fields` holds the deal's and the meeting's values (see `extra_banks`)."""
    rng = random.Random(meeting.content_seed)
    f = {**fields, "stage": meeting.stage, **_days(meeting.start, rng)}
    if meeting.status == "no_show" and meeting.past:
        said, rebook = (_fill(rng.choice(part), f, rng) for part in NO_SHOW)
        return "\n".join([f"Summary: {said}", f"Outcome: {rebook}"])
    parts = ahead_wording.MEETING.get(meeting.meeting_type) or MEETING.get(
        meeting.meeting_type, MEETING["deal_review"]
    )
    body = _fill(rng.choice(parts[0]), f, rng)
    if not meeting.past:
        own = ahead_wording.AGENDA.get(meeting.meeting_type)
        if own:  # a recurring call: one agenda line, so a repeat shows as one (Deal.fresh)
            items = [_fill(item, f, rng) for item in rng.sample(own, k=2)]
            second = items[1][:1].lower() + items[1][1:]
            return "\n".join([f"Objective: {body}", f"Agenda: {items[0]}; {second}."])
        items = rng.sample(AGENDA, k=2)
        agenda = [f"{n}. {_fill(item, f, rng)}" for n, item in enumerate(items, start=1)]
        return "\n".join([f"Objective: {body}", "Agenda:", *agenda])
    more = _fill(rng.choice(parts[1]), f, rng)
    outcome = _fill(rng.choice(OUTCOME), f, rng)
    return "\n".join([f"Summary: {body} {more}", f"Outcome: {outcome}"])


def handles_meeting(meeting: PlannedMeeting) -> bool:
    return meeting.meeting_type in MEETING_KINDS or meeting.status == "no_show"


def email_body(email: PlannedEmail, fields: Mapping[str, str]) -> str:
    """The body of an email of a new purpose (caller adds greeting and signature)."""
    rng = random.Random(email.content_seed)
    f = {**fields, **_days(email.sent_at, rng)}
    if email.purpose == "out_of_office":
        return _two(rng, OOO, f)
    reply = email.in_reply_to is not None
    if email.purpose == "request" and reply and email.direction == "inbound":
        return _two(rng, REQUEST_ACCEPTED, f)  # the customer takes up the seller's offer
    bank = (
        ahead_wording.EMAIL.get((email.purpose, reply))
        or EMAIL.get((email.purpose, reply))
        or EMAIL.get((email.purpose, False))
        or GENERIC
    )
    return _two(rng, bank, f)


def task_text(task: PlannedTask, opp: Opportunity, who: str) -> str:
    """The Description of a call or LinkedIn Task."""
    rng = random.Random(task.content_seed)
    found = _LINKEDIN.get(task.purpose) if task.kind == "linkedin" else None
    bank = found or _CALL.get(task.disposition, _CALL["Connected"])
    text = rng.choice(bank).format(who=who, topic=opp.name)
    return f"{text} ({opp.account.name})" if opp.account.name not in text else text
