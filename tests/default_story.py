"""The default run's plan and heuristic texts, as `org init` + `dry-run -c demo.example.yaml`
computes them on a fresh state, and the believability slips a sales leader would catch in them.

Each `*_slips` function returns the offending item keys over the whole plan, so a test asserts
none and a before/after count is the length of the list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from demo_gen import planner
from demo_gen.cli import cli
from demo_gen.config import Secrets, load_config, load_environment
from demo_gen.content import HeuristicContent
from demo_gen.facts import FactSheet
from demo_gen.org_launch import open_crm
from demo_gen.plan import OpportunityPlan, Plan, PlannedEmail, PlannedMeeting
from demo_gen.planning.timezones import contact_place, owner_zone
from demo_gen.selection import select_opportunities


@dataclass(frozen=True)
class Story:
    plan: Plan
    texts: dict[str, str]  # item key -> text
    sheets: dict[str, FactSheet]  # opportunity id -> fact sheet


def default_story(where: Path, monkeypatch) -> Story:
    """`org init` in `where`, then the plan and texts `dry-run` would show for the example."""
    example = Path(__file__).parent.parent / "demo.example.yaml"
    (where / "demo.yaml").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(where)
    assert CliRunner().invoke(cli, ["org", "init"]).exit_code == 0
    environment = load_environment()
    config = load_config(where / "demo.yaml", env=environment)
    with open_crm(config, Secrets.from_env(environment)) as crm:
        snap = select_opportunities(
            crm,
            config.salesforce.query,
            max_opps=None,
            exclude_event_ids=(),
            own_tag=_own_tag(config),
        ).snapshot
    today = config.run.anchor_date or datetime.now(UTC).date()
    anchors = {o.id: today for o in snap.opportunities}
    plan = planner.plan(snap.opportunities, config, anchors, users=snap.users, events=snap.events)
    writer = HeuristicContent(seed=config.run.seed, pack=config.run.name)
    texts: dict[str, str] = {}
    sheets = {}
    for op in plan.opportunities:
        texts.update(writer.write(op).texts)
        sheets[op.opportunity.id] = writer.sheet(op)
    return Story(plan, texts, sheets)


def _own_tag(config) -> tuple[str, str] | None:
    """As the org target selects: tag mode excludes this pack's own tagged Events."""
    if config.run.idempotency_mode != "tag":
        return None
    return config.run.run_tag_field, config.run.name


WHEN = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \w+ \d+ at \d\d:\d\d"
)


def _said(local: datetime) -> str:
    return f"{local:%A}, {local:%B} {local.day} at {local:%H:%M}"


def _customer(op: OpportunityPlan, email: PlannedEmail):
    who = (
        email.from_contact_id
        if email.direction == "inbound"
        else next(iter(email.to_contact_ids), None)
    )
    return next((c for c in op.opportunity.contacts if c.id == who), None)


def _threads(op: OpportunityPlan, purpose: str) -> dict[str, list[PlannedEmail]]:
    out: dict[str, list[PlannedEmail]] = {}
    for e in sorted(op.emails, key=lambda e: (e.sent_at, e.key)):
        if e.purpose == purpose:
            out.setdefault(e.thread_key, []).append(e)
    return out


def scheduling_slips(story: Story) -> list[str]:
    """Scheduling threads whose stated times disagree with each other or with the booked start
    (before any move) on the clock of the customer the thread was opened with."""
    bad = []
    for op in story.plan.opportunities:
        meetings = {m.key: m for m in op.meetings}
        for key, thread in _threads(op, "scheduling").items():
            meeting = meetings.get(thread[0].meeting_key or "")
            if meeting is None:
                continue
            customer = _customer(op, thread[0])
            zone = (
                contact_place(customer, op.opportunity)[1]
                if customer
                else owner_zone(op.opportunity)
            )
            expected = _said((meeting.rescheduled_from or meeting.start).astimezone(zone))
            said = [t for e in thread for t in WHEN.findall(story.texts[e.key])]
            if any(t != expected for t in said):
                bad.append(key)
    return bad


_DAYPART = re.compile(r"^Good (morning|afternoon|evening)\b")


def greeting_slips(story: Story) -> list[str]:
    """Emails whose "Good morning/afternoon/evening" does not fit the sender's local hour."""
    bad = []
    for op in story.plan.opportunities:
        people = {c.id: c for c in op.opportunity.contacts}
        for e in op.emails:
            found = _DAYPART.match(story.texts[e.key])
            if not found:
                continue
            sender = people.get(e.from_contact_id or "") if e.direction == "inbound" else None
            zone = (
                contact_place(sender, op.opportunity)[1] if sender else owner_zone(op.opportunity)
            )
            hour = e.sent_at.astimezone(zone).hour
            part = "morning" if hour < 12 else "afternoon" if hour < 18 else "evening"
            if found.group(1) != part:
                bad.append(e.key)
    return bad


def _attends(m: PlannedMeeting) -> set[str]:
    declined = {who for who, status in m.responses if status == "Declined"}
    return {m.organizer_id, *m.internal_ids, *m.invitee_ids} - declined


def busy_slips(plan: Plan) -> list[str]:
    """Emails sent by a person (the seller or a contact) while in a meeting or call they attend
    (any deal's; a no-show's invitees did not come, so only its organiser counts)."""
    spans: dict[str, list[tuple[datetime, datetime]]] = {}
    for op in plan.opportunities:
        for m in op.meetings:
            people = {m.organizer_id} if m.status == "no_show" else _attends(m)
            for p in people:
                spans.setdefault(p, []).append(
                    (m.start, m.start + timedelta(minutes=m.duration_minutes))
                )
        for t in op.tasks:
            if t.kind == "call":
                for p in (t.owner_id, t.who_id):
                    if p:
                        spans.setdefault(p, []).append(
                            (t.at, t.at + timedelta(seconds=t.duration_seconds))
                        )
    bad = []
    for op in plan.opportunities:
        for e in op.emails:
            if e.purpose == "out_of_office":  # the mail system's, not the person's
                continue
            sender = e.from_contact_id if e.direction == "inbound" else op.opportunity.owner.id
            if any(lo <= e.sent_at < hi for lo, hi in spans.get(sender or "", ())):
                bad.append(e.key)
    return bad


_LATE = ("came in for the last", "came in late", "joined late", "joined for part", "joined halfway")


def late_joiner_slips(story: Story) -> list[str]:
    """Meeting notes saying someone joined late who is the meeting's main contact, its only
    attendee, or not in it at all (or naming nobody)."""
    bad = []
    for op in story.plan.opportunities:
        for m in op.meetings:
            text = story.texts[m.key]
            for sentence in re.split(r"(?<=[.;])\s+", text):
                if not any(p in sentence for p in _LATE):
                    continue
                named = [c for c in op.opportunity.contacts if c.name in sentence]
                there = _attends(m)
                if not named or any(
                    c.id == m.primary_contact_id or c.id not in there or len(m.invitee_ids) < 2
                    for c in named
                ):
                    bad.append(m.key)
    return bad


def _next_step(note: str) -> str | None:
    """The last three words of the notes' "Next:" or "Outcome:" line (a letter says "I book the
    next slot" where the notes say "Camille books the next slot")."""
    for label in ("Next: ", "Outcome: "):
        line = next((ln for ln in note.splitlines() if ln.startswith(label)), None)
        if line:
            words = line[len(label) :].rstrip(".").lower().split()
            return " ".join(words[-3:])
    return None


def recap_slips(story: Story) -> list[str]:
    """Thank-you recaps that name neither the next step nor any fact said in their meeting."""
    bad = []
    for op in story.plan.opportunities:
        sheet = story.sheets[op.opportunity.id]
        for e in op.emails:
            if e.purpose != "follow_up" or e.in_reply_to is not None or not e.meeting_key:
                continue
            body = story.texts[e.key].lower()
            step = _next_step(story.texts.get(e.meeting_key, ""))
            facts = [*sheet.said_in(e.meeting_key), *sheet.referred_in(e.meeting_key)]
            tokens = [t.lower() for f in facts for t in f.tokens]
            if not (step and step in body) and not any(t in body for t in tokens):
                bad.append(e.key)
    return bad


def full_name_slips(story: Story) -> list[str]:
    """Emails that greet the reader by first name and then address them by their full name
    ("Hi Manon, ... Manon Simon, thank you for ...")."""
    bad = []
    for op in story.plan.opportunities:
        people = {c.id: c for c in op.opportunity.contacts}
        for e in op.emails:
            outbound = e.direction == "outbound" and e.to_contact_ids
            reader = people.get(e.to_contact_ids[0]) if outbound else None
            full = reader.name if reader else op.opportunity.owner.name
            if " " not in full:
                continue
            name = re.escape(full)
            vocative = rf"(?:^|[.!?] ){name}, [a-z]|, {name}, [a-z]|, {name}[.!?;]"
            body = story.texts[e.key].split("\n", 2)[-1]
            if re.search(vocative, body, re.MULTILINE):
                bad.append(e.key)
    return bad


def grammar_slips(story: Story) -> list[str]:
    """Notes and emails with an object pronoun as a subject ("and them is engaged")."""
    wrong = re.compile(r"\b(?:them|him|her) (?:is|was|has|wants|says)\b")
    return [key for key, text in story.texts.items() if wrong.search(text)]
