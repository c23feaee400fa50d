"""Meeting and email details: subjects that fit the stage, and where a meeting happens."""

from __future__ import annotations

import random
import re
import string

from demo_gen.stages.model import Account

LATE_STAGE = frozenset(
    {"business_case", "proposal", "negotiation", "legal_review", "signature", "kickoff"}
)

_SUBJECTS: dict[str, tuple[tuple[str, str], ...]] = {
    "intro": (
        ("Intro call: {account}", "intro call"),
        ("{account} — introductory call", "introductory call"),
        ("First call: {account} and our team", "first call"),
        ("Intro meeting: {topic}", "intro meeting"),
    ),
    "discovery": (
        ("Discovery call: {account} priorities", "discovery call"),
        ("{account} — discovery session", "discovery session"),
        ("Discovery workshop: {topic}", "discovery workshop"),
        ("Discovery meeting: {owners} current process", "discovery meeting"),
    ),
    "demo": (
        ("Product demo for {account}", "product demo"),
        ("{account} — tailored demo", "tailored demo"),
        ("Demo: {topic}", "demo"),
        ("Live demo for the {account} team", "live demo"),
        ("Demo session: {topic}", "demo session"),
    ),
    "technical_deep_dive": (
        ("Technical deep dive: {account} architecture", "technical deep dive"),
        ("{account} — integration and security review", "integration and security review"),
        ("Architecture review: {topic}", "architecture review"),
        ("Technical workshop with {account} IT", "technical workshop"),
    ),
    "business_case": (
        ("Business case review: {account}", "business case review"),
        ("{account} — ROI review", "ROI review"),
        ("Value review: {topic}", "value review"),
        ("Business case session: {topic}", "business case session"),
    ),
    "proposal": (
        ("Proposal walkthrough: {account}", "proposal walkthrough"),
        ("{account} — commercial proposal review", "proposal review"),
        ("Proposal call: {topic}", "proposal call"),
        ("Proposal meeting: {account} options", "proposal meeting"),
    ),
    "negotiation": (
        ("Commercial call: {account} terms", "commercial call"),
        ("{account} — pricing and terms discussion", "pricing and terms discussion"),
        ("Negotiation call: {topic}", "negotiation call"),
        ("Pricing call: {account}", "pricing call"),
    ),
    "legal_review": (
        ("Contract review: {account}", "contract review"),
        ("{account} — MSA redline review", "redline review"),
        ("Legal and procurement sync: {topic}", "legal and procurement sync"),
        ("Legal review: {account} order form", "legal review"),
    ),
    "signature": (
        ("Signature call: {account} order form", "signature call"),
        ("{account} — final sign-off call", "sign-off call"),
        ("Signing call: {topic}", "signing call"),
    ),
    "onboarding": (
        ("Onboarding session: {account}", "onboarding session"),
        ("{account} — admin training session", "admin training session"),
        ("Onboarding check-in: {topic}", "onboarding check-in"),
        ("Training session: {account} users", "training session"),
    ),
    "internal_prep": (
        ("Internal prep: {account} {next}", "internal prep"),
        ("Prep for {account} {next}", "prep"),
        ("Dry run: {account} {next}", "dry run"),
    ),
    "deal_review": (
        ("Deal review: {account}", "deal review"),
        ("Pipeline review — {topic}", "pipeline review"),
        ("{account} deal strategy", "deal strategy"),
    ),
    "kickoff": (
        ("Kickoff: {account} implementation", "kickoff"),
        ("{account} — onboarding kickoff", "onboarding kickoff"),
        ("Project kickoff: {topic}", "project kickoff"),
        ("Kickoff meeting: {account}", "kickoff meeting"),
    ),
}
"""Each kind's subjects, each with the one name its meeting goes by (`meeting_label`): the name
is in the subject, so notes, emails and scorecards call the meeting what its invite says."""

MEETING_NAMES: frozenset[str] = frozenset(
    label for bank in _SUBJECTS.values() for _, label in bank if " " in label
)
"""The names meetings go by (of two words or more): a text naming a meeting by one of them names
a meeting of the deal whose subject carries it."""

_REBOOKED = "Rebooked: "
_AGAIN = re.compile(r" — follow-up(?: \d+)?$")
_PATTERNS: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    kind: tuple(
        (re.compile(re.sub(r"\\\{\w+\\\}", "(.+)", re.escape(t)), re.DOTALL), label)
        for t, label in bank
    )
    for kind, bank in _SUBJECTS.items()
}


def meeting_label(meeting_type: str, subject: str) -> str:
    """What the people of a deal call a meeting: the name in its subject ("Value review: X" is
    "the value review"), also after "Rebooked: " or with a " — follow-up" tail; a subject from
    elsewhere gets the kind's first name."""
    bare = _AGAIN.sub("", subject.removeprefix(_REBOOKED))
    patterns = _PATTERNS.get(meeting_type, ())
    for pattern, label in patterns:
        if pattern.fullmatch(bare):
            return label
    lower = bare.lower()
    for _, label in sorted(patterns, key=lambda p: -len(p[1])):
        if label.lower() in lower:
            return label
    bank = _SUBJECTS.get(meeting_type)
    return bank[0][1] if bank else meeting_type.replace("_", " ")


# every subject names its meeting, account or topic: no one line on more than a few % of emails
_THREAD_SUBJECTS: dict[str, tuple[str, ...]] = {
    "scheduling": ("Scheduling: {meeting}", "Time for {meeting}?", "Invitation: {meeting}"),
    # the customer asks for a time: an "Invitation:" comes only from the organiser (the seller)
    "scheduling_in": ("Scheduling: {meeting}", "Time for {meeting}?", "Finding a time: {meeting}"),
    "follow_up": (
        "Follow-up: {meeting}",
        "Recap and next steps — {meeting}",
        "Thanks for today — {meeting}",
    ),
    "proposal": ("{account} proposal", "Proposal for {topic}", "Pricing options for {account}"),
    "negotiation": ("{account} order form and terms", "Contract redlines — {topic}"),
    "question": (
        "Quick question on {topic}",
        "{account}: a few questions",
        "Question from {account}",
    ),
    "check_in": ("Checking in — {topic}", "{account} next steps", "Where things stand on {topic}"),
    "reschedule": ("Moving {meeting}", "Can we move {meeting}?", "New time for {meeting}"),
    "no_show": (
        "Missed you today — {meeting}",
        "Sorry we missed each other — {meeting}",
        "Rebooking {meeting}",
    ),
    "request": (
        "{account}: request for a call",
        "Interest in {topic}",
        "Next conversation on {topic}?",
    ),
    "nudge": ("Any update on {topic}?", "Following up — {topic}", "{topic}: still on your radar?"),
}


def meeting_subject(
    meeting_type: str,
    account: Account,
    topic: str,
    rng: random.Random,
    used: set[str] | None = None,
    next_kind: str = "meeting",
) -> str:
    """A subject line for a meeting of this type (Event.Subject), unlike those in `used`."""
    bank = _SUBJECTS.get(meeting_type, _SUBJECTS["discovery"])
    owners = f"{account.name}'" if account.name.endswith("s") else f"{account.name}'s"
    options = [
        t.format(account=account.name, owners=owners, topic=topic, next=next_kind) for t, _ in bank
    ]
    fresh = [o for o in options if used is None or o not in used]
    subject = rng.choice(fresh) if fresh else _again(rng.choice(options), used or set())
    if used is not None:
        used.add(subject)
    return subject


def _again(base: str, used: set[str]) -> str:
    """A repeat meeting: "… — follow-up", then "… — follow-up 2", …"""
    n = sum(1 for u in used if u.startswith(base))
    return f"{base} — follow-up" if n == 1 else f"{base} — follow-up {n}"


def thread_subject(
    purpose: str, account: Account, topic: str, meeting: str, rng: random.Random
) -> str:
    """The first subject of an email thread; replies prefix it with "Re: "."""
    template = rng.choice(_THREAD_SUBJECTS.get(purpose, _THREAD_SUBJECTS["check_in"]))
    meeting = meeting.removeprefix(_REBOOKED)  # "Thanks for today — Rebooked: …" reads like a log
    return template.format(account=account.name, topic=topic, meeting=meeting)


def location(
    meeting_type: str, account: Account, in_person_share: float, rng: random.Random
) -> str:
    """Video conference for most meetings; the account's office for some late-stage ones."""
    if meeting_type in LATE_STAGE and rng.random() < in_person_share:
        place = ", ".join(p for p in (account.billing_state, account.billing_country) if p)
        return f"{account.name} office, {place}" if place else f"{account.name} office"
    roll = rng.random()
    if roll < 0.45:
        room = "".join(rng.choice(string.ascii_lowercase) for _ in range(8))
        return f"Zoom: https://zoom.us/my/{room}"  # a personal room: no digits that read as a phone
    if roll < 0.8:
        return "Microsoft Teams meeting"
    code = "-".join(
        "".join(rng.choice(string.ascii_lowercase) for _ in range(n)) for n in (3, 4, 3)
    )
    return f"Google Meet: meet.google.com/{code}"
