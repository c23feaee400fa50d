"""Short heuristic text for the activity kinds the deal story added: signature and onboarding
meetings, internal prep and deal reviews, no-shows and rebookings, reschedule and nudge emails,
customer requests, out-of-office auto-replies, calls and LinkedIn touches.

Kept apart from the main word banks so each kind stays small and never repeats within a deal:
every choice comes from the item's own `content_seed`.
"""

from __future__ import annotations

import random

from demo_gen.model import Opportunity
from demo_gen.plan import PlannedEmail, PlannedMeeting, PlannedTask

MEETING_KINDS = frozenset({"signature", "onboarding", "internal_prep", "deal_review"})
EMAIL_PURPOSES = frozenset({"request", "reschedule", "no_show", "nudge", "out_of_office"})

_MEETING: dict[str, tuple[str, ...]] = {
    "signature": (
        "Walked through the final order form with {account}; signatures routed the same day.",
        "Final sign-off call: open points closed, the order form goes to {account}'s signatory.",
    ),
    "onboarding": (
        "Onboarding session with the {account} admins: workspace set up, first users invited.",
        "Training for the {account} team; agreed the rollout order and a check-in in two weeks.",
    ),
    "internal_prep": (
        "Internal prep for the {account} session: who covers which part, likely objections.",
        "Dry run of the {account} story and the questions we expect from their team.",
    ),
    "deal_review": (
        "Deal review for {account}: risks, the dated next step, who we still need to meet.",
        "Reviewed {account} with the manager: stage {stage}, what moves it, what could stall it.",
    ),
}
_NO_SHOW = (
    "No-show: nobody from {account} joined; we waited 10 minutes and sent a note.",
    "The {account} side did not join today. Follow-up sent to rebook.",
)
_EMAIL: dict[tuple[str, bool], tuple[str, ...]] = {
    ("request", False): (
        "We have been looking at options for this and would like a short call with your team. "
        "Could you suggest a time next week?",
        "A colleague recommended you. Could we set up a conversation about what you offer?",
    ),
    ("reschedule", False): (
        "Something came up on my side; could we move our call to later in the week?",
        "Apologies, I need to move our meeting. Would a time a couple of days later work?",
    ),
    ("reschedule", True): (
        "No problem at all. The new time works; I have updated the invitation.",
        "Of course. I moved the invite to the new slot.",
    ),
    ("no_show", False): (
        "We missed you on the call today. Happy to find another time that suits you.",
        "Sorry we could not connect today. Shall I send a couple of new times?",
        "Looks like today did not work out. No problem; when would suit you instead?",
        "I waited on the line for a few minutes. Shall we try again later this week?",
    ),
    ("no_show", True): (
        "Apologies, I was pulled into something. Could we try again later this week?",
        "So sorry about today. Please send new times.",
    ),
    ("scheduling", False): (
        "Could we find time next week to continue on {topic}? Tuesday or Wednesday would suit us.",
        "Our team would like to set up the next session. Could you send a few times that work?",
        "Following our last call, can we get the next conversation in the diary?",
        "A few of us would like to see more before we decide. When could you walk us through it?",
        "We are ready for the next step on our side. What does your calendar look like?",
        "Could you set up a session with our team? Mornings are easiest for most of us.",
    ),
    ("nudge", False): (
        "Just checking in: is this still a priority for {account} this quarter?",
        "Following up on my last note. Is there a better time to pick this up?",
    ),
}
_GENERIC = (
    "Following up on {topic}. Happy to pick a time that suits you.",
    "A quick note on {topic}: let us know what would help next.",
)
_OOO = (
    "I am out of the office with limited access to email and will reply when I am back. "
    "For urgent matters please contact my team.",
    "Thank you for your message. I am currently away and will respond on my return.",
    "I am travelling this week with patchy access to email. I will get back to you next week.",
    "Thanks for your email. I am on leave and will reply when I return to the office.",
    "Auto-reply: I am at an offsite today and tomorrow. Replies may be slower than usual.",
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


_AGENDA = (
    "Open points from {lead} and the {account} team",
    "Who does what before the next customer touchpoint",
    "Dates and owners for the next step",
)
_OUTCOME = (
    "Next step agreed with an owner and a date.",
    "Notes shared with the team; {lead} to be updated.",
)


def meeting_text(meeting: PlannedMeeting, opp: Opportunity, attendees: str, lead: str) -> str:
    """Agenda (future) or notes with an outcome (past) for a new meeting kind or a no-show."""
    rng = random.Random(meeting.content_seed)
    fields = {"account": opp.account.name, "stage": meeting.stage, "topic": opp.name,
              "lead": lead or "the customer"}  # fmt: skip
    if meeting.status == "no_show":
        body = rng.choice(_NO_SHOW)
    else:
        body = rng.choice(_MEETING.get(meeting.meeting_type, _MEETING["deal_review"]))
    head = [meeting.subject, f"Attendees: {attendees}"]
    if not meeting.past:
        items = rng.sample(_AGENDA, k=2)
        agenda = [f"{n}. {item.format(**fields)}" for n, item in enumerate(items, start=1)]
        return "\n".join([*head, f"Objective: {body.format(**fields)}", "Agenda:", *agenda])
    outcome = rng.choice(_OUTCOME).format(**fields)
    return "\n".join([*head, f"Summary: {body.format(**fields)}", f"Outcome: {outcome}"])


def handles_meeting(meeting: PlannedMeeting) -> bool:
    return meeting.meeting_type in MEETING_KINDS or meeting.status == "no_show"


def email_body(email: PlannedEmail, opp: Opportunity) -> str:
    """The body of an email of a new purpose (caller adds greeting and signature)."""
    rng = random.Random(email.content_seed)
    if email.purpose == "out_of_office":
        return rng.choice(_OOO)
    reply = email.in_reply_to is not None
    bank = _EMAIL.get((email.purpose, reply)) or _EMAIL.get((email.purpose, False)) or _GENERIC
    return rng.choice(bank).format(account=opp.account.name, topic=opp.name)


def task_text(task: PlannedTask, opp: Opportunity, who: str) -> str:
    """The Description of a call or LinkedIn Task."""
    rng = random.Random(task.content_seed)
    found = _LINKEDIN.get(task.purpose) if task.kind == "linkedin" else None
    bank = found or _CALL.get(task.disposition, _CALL["Connected"])
    text = rng.choice(bank).format(who=who, topic=opp.name)
    return f"{text} ({opp.account.name})" if opp.account.name not in text else text
