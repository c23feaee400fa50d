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

_MEETING: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind -> (first sentences, second sentences): one of each, drawn apart
    "signature": (
        (
            "Walked through the final order form with {account}; signatures went out that day.",
            "Final sign-off call: open points closed, the order form goes to the signatory.",
            "Signature call with {account}: last redlines accepted, the envelope is out.",
            "Closed the last two contract questions with {account}; the order form is out to sign.",
            "Went through the signing order with {account}; legal and finance sign in turn.",
            "Confirmed the start date and the invoicing contact with {account} before signing.",
        ),
        (
            "{lead} expects the countersigned copy within the week.",
            "Their signatory is back on Thursday; we will chase on Friday if nothing comes in.",
            "Kickoff pencilled in for the week after signature.",
            "Finance on both sides has the purchase order number.",
            "No open points left on the paper.",
            "We agreed to keep the rollout plan as proposed.",
        ),
    ),
    "onboarding": (
        (
            "Onboarding session with the {account} admins: workspace set up, first users invited.",
            "Training for the {account} team; agreed the rollout order and a check-in.",
            "First onboarding call with {account}: single sign-on tested, roles mapped.",
            "Walked the {account} admins through permissions and the first data load.",
            "Set up the first dashboards with {account}; the pilot team starts on Monday.",
            "Onboarding with {account}: import checked, naming agreed, a training date set.",
        ),
        (
            "{lead} owns the rollout on their side.",
            "Support contacts shared; the success manager takes over from here.",
            "Two admin questions went to our support team.",
            "Weekly check-ins for the first month.",
            "Usage review planned after the first thirty days.",
            "Their team asked for a short guide for new users, which we will send.",
        ),
    ),
    "internal_prep": (
        (
            "Internal prep for the {account} session: who covers which part, likely objections.",
            "Dry run of the {account} story and the questions we expect from their team.",
            "Prepared the {account} meeting: the demo path, the proof points, who speaks when.",
            "Internal huddle before {account}: agreed the one outcome we want from the call.",
            "Went over the {account} attendee list and what each of them cares about.",
            "Prep call for {account}: rehearsed the opening and checked the demo data.",
        ),
        (
            "The sales engineer takes the technical questions.",
            "We lead with the business problem, not the product tour.",
            "Pricing stays out of this meeting unless they ask.",
            "We close by asking for a dated next step.",
            "Two customer stories ready in case they ask for proof.",
            "One open risk: we have not met their budget holder yet.",
        ),
    ),
    "deal_review": (
        (
            "Deal review for {account}: risks, the dated next step, who we still need to meet.",
            "Reviewed {account} with the manager: stage {stage}, what moves it, what stalls it.",
            "Pipeline review of {account}: forecast category checked against the evidence.",
            "Walked the manager through {account}: the champion, the process and the gaps.",
            "Deal review of {account}: close date tested against their paper process.",
            "Manager review of {account}: agreed where to spend time this month.",
        ),
        (
            "Action: confirm the decision date in writing.",
            "Action: get a meeting with the economic buyer before the proposal.",
            "The close date holds for now.",
            "Risk flagged: a competitor is still in the picture.",
            "We will revisit the forecast category next week.",
            "Action: map who signs and how long legal takes.",
        ),
    ),
}
_NO_SHOW = (
    (
        "No-show: nobody from {account} joined; we waited 10 minutes and sent a note.",
        "No-show: the {account} side did not join today.",
        "No-show: {lead} did not join and did not reply in the chat.",
        "No-show: the line stayed empty; nobody from {account} dialled in.",
        "No-show today: {account} missed the call without notice.",
        "No-show: we waited a quarter of an hour for the {account} team.",
    ),
    (
        "To rebook: a note went out with two new times.",
        "To rebook: we asked for a slot later this week.",
        "To rebook once they reply; the agenda stays the same.",
        "To rebook: proposed moving to a morning slot.",
        "To rebook: we will call {lead} if the note gets no answer.",
        "To rebook: new invitation to follow when they confirm.",
    ),
)
_EMAIL: dict[tuple[str, bool], tuple[tuple[str, ...], ...]] = {
    ("request", False): (
        (
            "We have been looking at options for this and would like a short call with your team.",
            "A colleague recommended you, and we would like to hear more.",
            "We are reviewing how we handle this today and your name came up.",
            "Our team is starting to look at tools in this area.",
            "I saw your session at a recent event and would like to continue the conversation.",
            "We are planning a change here this year and want to understand the options.",
        ),
        (
            "Could you suggest a time next week?",
            "Could we set up a conversation?",
            "Would you have thirty minutes in the coming days?",
            "Who would be the right person to speak to?",
            "Could you send a couple of times that work?",
            "Is there a slot early next week?",
        ),
    ),
    ("reschedule", False): (
        (
            "Something came up on my side; could we move our call to later in the week?",
            "Apologies, I need to move our meeting.",
            "A conflict has come up for the time we agreed.",
            "I am sorry to do this, but I have to move our session.",
            "Our planning meeting has moved onto the slot we had.",
            "I need to shift our call, my apologies.",
        ),
        (
            "Would a time a couple of days later work?",
            "Any slot later this week works for me.",
            "Could you send me two or three alternatives?",
            "The same time the following day would be ideal.",
            "Early mornings are easiest for me this week.",
            "Happy to keep the agenda as it is.",
        ),
    ),
    ("reschedule", True): (
        (
            "No problem at all.",
            "Of course, that is fine.",
            "Not a problem.",
            "That works.",
            "Thanks for letting me know.",
            "Understood, no trouble.",
        ),
        (
            "The new time works; I have updated the invitation.",
            "I moved the invite to the new slot.",
            "The updated invitation is in your calendar.",
            "I sent a new invite for the later time.",
            "You should see the moved meeting now.",
            "The agenda stays as planned for the new slot.",
        ),
    ),
    ("no_show", False): (
        (
            "We missed you on the call today.",
            "Sorry we could not connect today.",
            "Looks like today did not work out.",
            "I waited on the line for a few minutes.",
            "I think we crossed wires on the time today.",
            "We did not manage to connect on today's call.",
        ),
        (
            "Happy to find another time that suits you.",
            "Shall I send a couple of new times?",
            "When would suit you instead?",
            "Shall we try again later this week?",
            "Would the same time next week work?",
            "Let me know what works and I will resend the invite.",
        ),
    ),
    ("no_show", True): (
        (
            "Apologies, I was pulled into something.",
            "So sorry about today.",
            "My apologies for missing the call.",
            "Sorry, an urgent issue took my morning.",
            "Apologies, the invite did not make it into my calendar.",
            "I am sorry I missed our session.",
        ),
        (
            "Could we try again later this week?",
            "Please send new times.",
            "Any slot on Thursday works for me.",
            "Could we pick it up early next week?",
            "I will make sure the new time sticks.",
            "Happy to take the next slot you have.",
        ),
    ),
    ("nudge", False): (
        (
            "Just checking in: is this still a priority for {account} this quarter?",
            "Following up on my last note.",
            "I wanted to bring this back to the top of your inbox.",
            "Checking in on where things stand on your side.",
            "Circling back on my earlier message.",
            "I have not heard back, so a quick follow-up.",
        ),
        (
            "Is there a better time to pick this up?",
            "Happy to pause if the timing is wrong.",
            "A one-line reply either way would help me plan.",
            "Should someone else on your team be my contact?",
            "If priorities have changed, just let me know.",
            "Would a short call next week be useful?",
        ),
    ),
}
_GENERIC = (
    (
        "Following up on {topic}.",
        "A quick note on {topic}.",
        "Picking up {topic} from our side.",
        "One more note on {topic}.",
    ),
    (
        "Happy to pick a time that suits you.",
        "Let us know what would help next.",
        "Tell us what you need from us.",
        "We can adapt to your calendar.",
    ),
)
_OOO = (
    (
        "I am out of the office with limited access to email.",
        "Thank you for your message; I am currently away.",
        "I am travelling this week with patchy access to email.",
        "Thanks for your email; I am on leave.",
        "Auto-reply: I am at an offsite today and tomorrow.",
        "I am out of the office until the start of next week.",
        "I am away on a customer visit and reading email only in the evenings.",
        "I am on holiday and not checking email.",
    ),
    (
        "I will reply when I am back.",
        "For urgent matters please contact my team.",
        "I will respond on my return.",
        "Replies may be slower than usual.",
        "I will get back to you next week.",
        "Your message has not been forwarded.",
        "For anything urgent, please call our main office.",
        "I will work through my inbox when I return.",
    ),
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
    "What we heard since the last meeting",
)
_OUTCOME = (
    "Next step agreed with an owner and a date.",
    "Notes shared with the team; {lead} to be updated.",
    "Owners and dates are in the opportunity's next step.",
    "Follow-up email to go out today.",
    "Nothing blocking; the plan stands.",
    "Two actions for us, one for the customer.",
)


def _two(rng: random.Random, bank: tuple[tuple[str, ...], ...]) -> str:
    """One sentence from each part of the bank, in order."""
    return " ".join(rng.choice(part) for part in bank)


def meeting_text(meeting: PlannedMeeting, opp: Opportunity, lead: str) -> str:
    """Agenda (future) or notes with an outcome (past) for a new meeting kind or a no-show, without
    the attendee line: a no-show's notes say so and what happens next (rebooking), never what
    was discussed."""
    rng = random.Random(meeting.content_seed)
    fields = {"account": opp.account.name, "stage": meeting.stage, "topic": opp.name,
              "lead": lead or "the customer"}  # fmt: skip
    if meeting.status == "no_show" and meeting.past:
        said, rebook = (rng.choice(part).format(**fields) for part in _NO_SHOW)
        return "\n".join([f"Summary: {said}", f"Outcome: {rebook}"])
    first, second = _MEETING.get(meeting.meeting_type, _MEETING["deal_review"])
    body = rng.choice(first).format(**fields)
    if not meeting.past:
        items = rng.sample(_AGENDA, k=2)
        agenda = [f"{n}. {item.format(**fields)}" for n, item in enumerate(items, start=1)]
        return "\n".join([f"Objective: {body}", "Agenda:", *agenda])
    more = rng.choice(second).format(**fields)
    outcome = rng.choice(_OUTCOME).format(**fields)
    return "\n".join([f"Summary: {body} {more}", f"Outcome: {outcome}"])


def handles_meeting(meeting: PlannedMeeting) -> bool:
    return meeting.meeting_type in MEETING_KINDS or meeting.status == "no_show"


def email_body(email: PlannedEmail, opp: Opportunity) -> str:
    """The body of an email of a new purpose (caller adds greeting and signature)."""
    rng = random.Random(email.content_seed)
    if email.purpose == "out_of_office":
        return _two(rng, _OOO)
    reply = email.in_reply_to is not None
    bank = _EMAIL.get((email.purpose, reply)) or _EMAIL.get((email.purpose, False)) or _GENERIC
    return _two(rng, bank).format(account=opp.account.name, topic=opp.name)


def task_text(task: PlannedTask, opp: Opportunity, who: str) -> str:
    """The Description of a call or LinkedIn Task."""
    rng = random.Random(task.content_seed)
    found = _LINKEDIN.get(task.purpose) if task.kind == "linkedin" else None
    bank = found or _CALL.get(task.disposition, _CALL["Connected"])
    text = rng.choice(bank).format(who=who, topic=opp.name)
    return f"{text} ({opp.account.name})" if opp.account.name not in text else text
