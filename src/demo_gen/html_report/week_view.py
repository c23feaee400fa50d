"""A seller's weeks: every meeting they organise or attend, and their calls, on a 5-day grid.

Pure. One `WeekView` per week with something in it, in the seller's own zone, columns Monday to
Friday (Saturday and Sunday appear only when something falls on them), rows 07:00–20:00.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from demo_gen.html_report.deal_view import anchor_of
from demo_gen.stages.model import Seller
from demo_gen.stages.plan import Plan
from demo_gen.stages.planning.timezones import safe_zone

DAY_WIDTH = 200
LABEL = 33  # characters that fit a day column at 10px
HOUR = 34
GUTTER = 46
FIRST_HOUR, LAST_HOUR = 7, 20
HEAD = 28
DEAL_COLOURS = ("#1d4ed8", "#0f766e", "#7c3aed", "#c2410c", "#0e7490", "#4d7c0f", "#be185d",
                "#4338ca", "#b45309", "#047857")  # fmt: skip


@dataclass(frozen=True)
class Block:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str
    tip: str
    href: str  # the activity's anchor in its deal
    kind: str  # meeting | call
    status: str


@dataclass(frozen=True)
class WeekView:
    anchor: str
    title: str
    days: tuple[tuple[float, str], ...]
    hours: tuple[tuple[float, str], ...]
    blocks: tuple[Block, ...]
    width: float
    height: float
    meetings: int
    calls: int
    day_width: float = DAY_WIDTH


@dataclass(frozen=True)
class SellerView:
    anchor: str
    name: str
    title: str
    zone: str
    deals: int
    weeks: tuple[WeekView, ...]


def seller_views(
    plan: Plan, users: Sequence[Seller], deal_numbers: Mapping[str, int]
) -> list[SellerView]:
    """One view per opportunity owner, in name order; a week per week with a meeting or call."""
    owners = {op.opportunity.owner.id: op.opportunity.owner for op in plan.opportunities}
    by_id = {u.id: u for u in users} | owners
    entries: dict[str, list[tuple[datetime, int, Block]]] = defaultdict(list)
    deals: dict[str, set[str]] = defaultdict(set)
    for op in plan.opportunities:
        number = deal_numbers[op.opportunity.id]
        deals[op.opportunity.owner.id].add(op.opportunity.id)
        prefix = f"d{number}-"
        colour = DEAL_COLOURS[number % len(DEAL_COLOURS)]
        for m in op.meetings:
            for person in dict.fromkeys((m.organizer_id, *m.internal_ids)):
                if person in owners:
                    zone = _zone(by_id[person])
                    entries[person].append((m.start, m.duration_minutes, _block(
                        m.start, m.duration_minutes, zone, colour, m.subject,
                        f"{op.opportunity.name}: {m.subject} ({m.status})",
                        "#" + anchor_of(prefix, m.key), "meeting",
                        "internal" if m.internal else m.status)))  # fmt: skip
        for t in op.tasks:
            if t.kind == "call" and t.owner_id in owners:
                zone = _zone(by_id[t.owner_id])
                entries[t.owner_id].append((t.at, 15, _block(
                    t.at, 15, zone, colour, "call", f"{op.opportunity.name}: {t.subject}",
                    "#" + anchor_of(prefix, t.key), "call", t.disposition)))  # fmt: skip
    views = []
    for n, (owner_id, owner) in enumerate(sorted(owners.items(), key=lambda kv: kv[1].name)):
        weeks = _weeks(n, entries[owner_id], _zone(owner))
        views.append(SellerView(f"seller-{n}", owner.name, owner.title or "", owner.time_zone,
                                len(deals[owner_id]), tuple(weeks)))  # fmt: skip
    return views


def _zone(user: Seller) -> ZoneInfo:
    return safe_zone(user.time_zone) or ZoneInfo("UTC")


def _block(
    start: datetime, minutes: int, zone: ZoneInfo, colour: str, label: str, tip: str, href: str,
    kind: str, status: str,
) -> Block:  # fmt: skip
    """Placed as if in a Monday column; `_weeks` shifts it to its weekday."""
    local = start.astimezone(zone)
    hours = local.hour + local.minute / 60 - FIRST_HOUR
    y = HEAD + max(0.0, min(hours, LAST_HOUR - FIRST_HOUR - 0.25)) * HOUR
    height = max(9.0, minutes / 60 * HOUR - 2)
    x = GUTTER + local.weekday() * DAY_WIDTH + 3
    when = f"{local:%a %H:%M}"
    return Block(x, round(y, 1), DAY_WIDTH - 6, round(height, 1), colour,
                 _fit(f"{local:%H:%M} {label}"), f"{when} {tip}", href, kind, status)  # fmt: skip


def _fit(text: str) -> str:
    return text if len(text) <= LABEL else text[: LABEL - 1].rstrip() + "…"


def _weeks(seller: int, rows: list[tuple[datetime, int, Block]], zone: ZoneInfo) -> list[WeekView]:
    by_week: dict[date, list[Block]] = defaultdict(list)
    for start, _, block in sorted(rows, key=lambda r: r[0]):
        local = start.astimezone(zone).date()
        by_week[local - timedelta(days=local.weekday())].append(block)
    weeks = []
    for monday in sorted(by_week):
        blocks = by_week[monday]
        days = 7 if any(b.x >= GUTTER + 5 * DAY_WIDTH for b in blocks) else 5
        meetings = sum(1 for b in blocks if b.kind == "meeting")
        weeks.append(WeekView(
            anchor=f"seller-{seller}-{monday:%Y%m%d}",
            title=f"Week of {monday:%d %b %Y}",
            days=tuple((GUTTER + d * DAY_WIDTH, f"{monday + timedelta(days=d):%a %d %b}")
                       for d in range(days)),
            hours=tuple((HEAD + (h - FIRST_HOUR) * HOUR, f"{h:02d}:00")
                        for h in range(FIRST_HOUR, LAST_HOUR + 1)),
            blocks=tuple(blocks),
            width=GUTTER + days * DAY_WIDTH + 4,
            height=HEAD + (LAST_HOUR - FIRST_HOUR) * HOUR + 6,
            meetings=meetings,
            calls=len(blocks) - meetings,
        ))  # fmt: skip
    return weeks
