"""Meeting and email details: subjects that fit the stage, and where a meeting happens."""

from __future__ import annotations

import random
import string

from demo_gen.model import Account

LATE_STAGE = frozenset(
    {"business_case", "proposal", "negotiation", "legal_review", "signature", "kickoff"}
)

_SUBJECTS: dict[str, tuple[str, ...]] = {
    "intro": (
        "Intro call: {account}",
        "{account} — introductory conversation",
        "Getting acquainted: {account} and our team",
    ),
    "discovery": (
        "Discovery call: {account} priorities",
        "{account} — discovery session",
        "Discovery: {topic}",
        "Understanding {owners} current process",
    ),
    "demo": (
        "Product demo for {account}",
        "{account} — tailored demo",
        "Demo: {topic}",
        "Live walkthrough for the {account} team",
    ),
    "technical_deep_dive": (
        "Technical deep dive: {account} architecture",
        "{account} — integration and security review",
        "Deep dive: {topic}",
        "Technical Q&A with {account} IT",
    ),
    "business_case": (
        "Business case review: {account}",
        "{account} — ROI and business case",
        "Value review: {topic}",
    ),
    "proposal": (
        "Proposal walkthrough: {account}",
        "{account} — commercial proposal review",
        "Proposal: {topic}",
    ),
    "negotiation": (
        "Commercial terms: {account}",
        "{account} — pricing and terms discussion",
        "Negotiation: {topic}",
    ),
    "legal_review": (
        "Contract review: {account}",
        "{account} — MSA redlines",
        "Legal and procurement sync: {topic}",
    ),
    "signature": (
        "Signature call: {account} order form",
        "{account} — final sign-off",
        "Contract signature: {topic}",
    ),
    "onboarding": (
        "Onboarding session: {account}",
        "{account} — admin training",
        "Onboarding check-in: {topic}",
    ),
    "internal_prep": (
        "Internal prep: {account} {next}",
        "Prep for {account} {next}",
        "Dry run: {account} {next}",
    ),
    "deal_review": (
        "Deal review: {account}",
        "Pipeline review — {topic}",
        "{account} deal strategy",
    ),
    "kickoff": (
        "Kickoff: {account} implementation",
        "{account} — welcome and onboarding kickoff",
        "Project kickoff: {topic}",
    ),
}

# every subject names its meeting, account or topic: no one line on more than a few % of emails
_THREAD_SUBJECTS: dict[str, tuple[str, ...]] = {
    "scheduling": ("Scheduling: {meeting}", "Time for {meeting}?", "Invitation: {meeting}"),
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
        t.format(account=account.name, owners=owners, topic=topic, next=next_kind) for t in bank
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
