"""Plain-text views of a plan as a sales leader reads it: one deal's timeline, one seller's week.

A scripted deal's timeline names its script and marks the activities the script shaped (`<<<`).

Pure: a `Plan` in, lines of text out (times in the seller's zone). Used by `bench/bench_story.py`
and handy in a notebook: `print(deal_timeline(plan, opp_id))`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from demo_gen.stages.model import Seller
from demo_gen.stages.plan import OpportunityPlan, Plan
from demo_gen.stages.planning.timezones import owner_zone


def deal_timeline(plan: Plan, opportunity_id: str, users: Iterable[Seller] = ()) -> str:
    """Every meeting, email, call and touch of one deal in time order, one line each."""
    op = next(o for o in plan.opportunities if o.opportunity.id == opportunity_id)
    opp, zone = op.opportunity, owner_zone(op.opportunity)
    names = _names(op, users)
    rows: list[tuple[datetime, str]] = []
    for m in op.meetings:
        who = ", ".join(names.get(i, i) for i in (*m.invitee_ids, *m.internal_ids)) or "-"
        flags = "".join(
            (f" [{m.status}]" if m.status != "held" else "",
             f" [moved from {m.rescheduled_from.astimezone(zone):%a %d %b %H:%M}]"
             if m.rescheduled_from else "",
             " [in person]" if m.in_person else "")
        )  # fmt: skip
        rows.append(
            (
                m.start,
                f"MEET  {m.stage:<13} {m.subject} ({m.duration_minutes}m) — {who}{flags}"
                + _marked(op, m.key),
            )
        )
    for e in op.emails:
        arrow = "<-" if e.direction == "inbound" else "->"
        party = names.get(e.from_contact_id or "", "") or ", ".join(
            names.get(i, i) for i in e.to_contact_ids
        )
        cc = (
            f" cc {', '.join(names.get(i, i) for i in (*e.cc_contact_ids, *e.cc_user_ids))}"
            if (e.cc_contact_ids or e.cc_user_ids)
            else ""
        )
        rows.append(
            (
                e.sent_at,
                f"EMAIL {e.stage:<13} {arrow} {party}: {e.subject}{cc}" + _marked(op, e.key),
            )
        )
    for event in plan.events:
        if event.what_id == opp.id:  # the org's own meetings on the deal are part of its story
            rows.append((event.start, f"ORG   {'(already in the org)':<13} {event.subject}"))
    for t in op.tasks:
        label = "CALL " if t.kind == "call" else "LINKD"
        extra = f" ({t.disposition}, {t.duration_seconds}s)" if t.kind == "call" else ""
        rows.append((t.at, f"{label} {t.stage:<13} {t.subject}{extra}"))
    head = (
        f"{opp.name} — {opp.stage}, {opp.amount or 0:,.0f}; created "
        f"{opp.created_date.astimezone(zone):%d %b %Y}, closes {opp.close_date:%d %b %Y}; "
        f"owner {opp.owner.name} ({opp.owner.time_zone})"
    )
    lines = [head]
    if op.scenario is not None:
        lines.append(script_line(op))
    for at, text in sorted(rows, key=lambda r: r[0]):
        lines.append(f"{at.astimezone(zone):%a %d %b %Y %H:%M:%S}  {text}")
    return "\n".join(lines)


def seller_week(plan: Plan, seller_id: str, monday: date, users: Iterable[Seller] = ()) -> str:
    """The seller's meetings and calls from `monday` for seven days, by local day."""
    ops = [o for o in plan.opportunities if o.opportunity.owner.id == seller_id]
    if not ops:
        return f"no deals owned by {seller_id}"
    zone = owner_zone(ops[0].opportunity)
    names: dict[str, str] = {}
    for op in ops:
        names.update(_names(op, users))
    rows: list[tuple[datetime, str]] = []
    end = monday + timedelta(days=7)
    for op in plan.opportunities:
        for m in op.meetings:
            if seller_id in (m.organizer_id, *m.internal_ids):
                local = m.start.astimezone(zone)
                if monday <= local.date() < end:
                    stop = (m.start + timedelta(minutes=m.duration_minutes)).astimezone(zone)
                    role = "" if m.organizer_id == seller_id else " (as colleague)"
                    rows.append((m.start, f"{local:%H:%M}-{stop:%H:%M}  {m.subject}{role}"
                                 f" [{m.location}]"))  # fmt: skip
        for t in op.tasks:
            local = t.at.astimezone(zone)
            if t.owner_id == seller_id and t.kind == "call" and monday <= local.date() < end:
                rows.append((t.at, f"{local:%H:%M}        {t.subject} ({t.disposition})"))
    owner = ops[0].opportunity.owner
    lines = [f"{owner.name} ({owner.time_zone}), week of {monday:%d %b %Y}"]
    day = None
    for at, text in sorted(rows, key=lambda r: r[0]):
        local_day = at.astimezone(zone).date()
        if local_day != day:
            lines.append(f"  {local_day:%A %d %b}")
            day = local_day
        lines.append(f"    {text}")
    return "\n".join(lines)


def script_line(op: OpportunityPlan) -> str:
    """ "scripted (demo.yaml:41): what the script says" for a scripted deal, "" for any other
    (dry-run's timeline and the HTML report's deal heading both print it)."""
    if op.scenario is None:
        return ""
    return f"scripted ({op.scenario.where}): {op.scenario.summary()}"


def script_marks(op: OpportunityPlan) -> Mapping[str, str]:
    """Activity key -> what the deal's script did there (its last meeting before the stall, the
    chasers, the competitor's first mention, …); empty for an unscripted deal. What dry-run marks
    `<<<` and the HTML report highlights."""
    return {} if op.scenario is None else op.scenario.marks


def _marked(op: OpportunityPlan, key: str) -> str:
    """ "  <<< what the script did" for an activity its deal's script marked."""
    what = script_marks(op).get(key)
    return "" if what is None else f"  <<< {what}"


def _names(op: OpportunityPlan, users: Iterable[Seller]) -> dict[str, str]:
    out = {c.id: c.name for c in op.opportunity.contacts}
    out.update({u.id: f"{u.name} ({u.title})" for u in users})
    return out
