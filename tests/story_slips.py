"""More slips a sales leader catches in the default run (`default_story`): who sends an invitation,
customer meetings on days the customer is out, and internal meetings that hide who was in them.

Each `*_slips` function returns the offending items over the whole plan, so a test asserts none
and a before/after count is the length of the list. The rules are written here from the facts
(the `holidays` library, the org's Users), not from the code under test.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import holidays
from default_story import Story

from demo_gen.stages.plan import OpportunityPlan
from demo_gen.stages.planning.timezones import contact_place, owner_zone, zone_country


def org_users(where: Path) -> dict[str, tuple[str, str]]:
    """User id -> (name, title) of the local org `default_story` made in `where`."""
    with sqlite3.connect(where / "runs" / "local-org.sqlite") as db:
        rows = db.execute('SELECT Id, Name, Title FROM "User"').fetchall()
    return {i: (n, t or "") for i, n, t in rows}


def _first_emails(op: OpportunityPlan):
    return [e for e in op.emails if e.in_reply_to is None]


_INVITE_WORDS = re.compile(r"\binvit(?:e|ation)\b", re.I)


def invitation_slips(story: Story) -> list[str]:
    """Threads opened "Invitation: …" by the customer (the seller organises every meeting, so an
    invitation comes from the seller), and seller's invitations whose text sends no invite."""
    bad = []
    for op in story.plan.opportunities:
        for e in _first_emails(op):
            if not e.subject.startswith("Invitation: "):
                continue
            if e.direction == "inbound":
                bad.append(f"{e.key}: inbound")
            elif not _INVITE_WORDS.search(story.texts[e.key]):
                bad.append(f"{e.key}: no invitation in the text")
    return bad


def _quiet(country: str | None, day: date) -> bool:
    """The documented rule: the Friday after US Thanksgiving; 24 and 26-31 December where
    Christmas Day is a public holiday (days already off are not counted)."""
    if country is None or day.weekday() >= 5:
        return False
    calendar = holidays.country_holidays(country, years=day.year)
    if day in calendar:
        return False
    if country == "US" and day - timedelta(days=1) in calendar.get_named("Thanksgiving"):
        return True
    return (
        day.month == 12
        and day.day in (24, 26, 27, 28, 29, 30, 31)
        and (date(day.year, 12, 25) in calendar)
    )


def quiet_day_slips(story: Story) -> list[str]:
    """Customer meetings on a quiet day of the seller or of any customer attendee."""
    bad = []
    for op in story.plan.opportunities:
        opp = op.opportunity
        people = {c.id: c for c in opp.contacts}
        seller_country = zone_country(opp.owner.time_zone) if opp.owner.time_zone else None
        for m in op.meetings:
            if m.internal:
                continue
            places = [(seller_country, owner_zone(opp))]
            places += [contact_place(people[i], opp) for i in m.invitee_ids]
            if any(_quiet(country, m.start.astimezone(zone).date()) for country, zone in places):
                bad.append(f"{m.key}: {m.start.astimezone(owner_zone(opp)):%a %Y-%m-%d}")
    return bad


def internal_attendee_slips(story: Story, users: dict[str, tuple[str, str]]) -> list[str]:
    """Internal meetings whose notes' attendee line leaves out a colleague who was invited (and
    did not decline) or the seller: "With: Camille Laurent" for a deal review with her manager."""
    bad = []
    for op in story.plan.opportunities:
        for m in op.meetings:
            if not m.internal:
                continue
            line = story.texts[m.key].split("\n", 1)[0]
            declined = {who for who, status in m.responses if status == "Declined"}
            wanted = [op.opportunity.owner.name]
            wanted += [users[u][0] for u in m.internal_ids if u not in declined]
            if not line.startswith("With: ") or any(name not in line for name in wanted):
                bad.append(m.key)
    return bad


_SE = ("sales engineer", "solutions engineer")
_LEAD = ("director", "manager", "head of", "vp", "chief", "lead")
_ROLE = re.compile(
    r"\b(?:the|our) (sales engineer|solutions engineer|specialist|manager|sales director|"
    r"regional lead)\b",
    re.I,
)


def _holds(title: str, word: str) -> bool:
    title = title.lower()
    if word.lower() in ("sales engineer", "solutions engineer", "specialist"):
        return any(w in title for w in _SE)
    return any(w in title for w in _LEAD) and not any(w in title for w in _SE)


def absent_role_slips(story: Story, users: dict[str, tuple[str, str]]) -> list[str]:
    """Internal notes that speak of our sales engineer or manager ("the sales engineer logs the
    next step") when nobody in that role was in the meeting."""
    bad = []
    for op in story.plan.opportunities:
        for m in op.meetings:
            if not m.internal:
                continue
            titles = [users[u][1] for u in m.internal_ids]
            for word in _ROLE.findall(story.texts[m.key]):
                if not any(_holds(t, word) for t in titles):
                    bad.append(f"{m.key}: the {word.lower()}")
    return bad


def demo_prep_without_se_slips(story: Story, users: dict[str, tuple[str, str]]) -> list[str]:
    """Dry runs of a demo without a sales engineer, in an org that has sales engineers."""
    engineers = {u for u, (_, title) in users.items() if any(w in title.lower() for w in _SE)}
    if not engineers:
        return []
    bad = []
    for op in story.plan.opportunities:
        for m in op.meetings:
            if m.meeting_type != "internal_prep" or not m.subject.endswith(" demo"):
                continue
            if not engineers & set(m.internal_ids):
                bad.append(m.key)
    return bad


def same_day_slips(story: Story) -> list[str]:
    """Two customer meetings of one deal on the same day of the seller (a rebooked demo at 10:00
    and the value review at 13:30): a deal's meetings rest a day between them."""
    bad = []
    for op in story.plan.opportunities:
        zone = owner_zone(op.opportunity)
        days: dict[date, str] = {}
        for m in sorted((m for m in op.meetings if not m.internal), key=lambda m: m.start):
            day = m.start.astimezone(zone).date()
            if day in days:
                bad.append(f"{days[day]} and {m.key} on {day}")
            days[day] = m.key
    return bad


def unanswered_ask_slips(story: Story) -> list[str]:
    """Customers who asked for a meeting ("Could you send a few times for the pricing call?")
    and had no answer from the seller before the meeting took place."""
    bad = []
    for op in story.plan.opportunities:
        meetings = {m.key: m for m in op.meetings}
        for first in _first_emails(op):
            meeting = meetings.get(first.meeting_key or "")
            asked = first.direction == "inbound" and first.purpose in ("scheduling", "request")
            if not asked or meeting is None or not meeting.past:
                continue
            answers = [
                e
                for e in op.emails
                if e.thread_key == first.thread_key
                and e.direction == "outbound"
                and e.sent_at < meeting.start
            ]
            if not answers:
                bad.append(f"{first.key}: {first.subject}")
    return bad


def third_person_reader_slips(story: Story) -> list[str]:
    """Letters that speak of their reader by first name ("Brief recap of the proposal call with
    Manon" to Manon, "Final markup back to Léa" to Léa) instead of to them; their full name, as
    a fact states it ("approved by Léa Thomas"), is left out of the count."""
    bad = []
    for op in story.plan.opportunities:
        people = {c.id: c for c in op.opportunity.contacts}
        for e in op.emails:
            if e.purpose == "out_of_office":
                continue
            if e.direction == "outbound":
                reader = people.get(e.to_contact_ids[0]) if e.to_contact_ids else None
                full = reader.name if reader else ""
            else:
                full = op.opportunity.owner.name
            if " " not in full:
                continue
            first, last = full.rsplit(" ", 1)
            body = "\n".join(story.texts[e.key].split("\n")[2:-3])  # no greeting or signature
            said = rf"\b(?:with|to|from|for|by) {re.escape(first)}\b(?! {re.escape(last)})"
            if re.search(said, body):
                bad.append(e.key)
    return bad
