"""Deals whose story the pack has begun stay in a refresh, whatever the query now says.

`refresh --advance-stages` closes deals (Closed Won, Closed Lost) and moves close dates, so the
query that first selected a deal may no longer select it (`stages_allowed` without the closed
stages), or may order it past its limit (it orders by CloseDate). Its story is pinned and goes
on all the same — a won deal's kickoff, the outcome of a meeting held on the close day — so a
refresh reads those deals back by id too: every deal the pack has anchored in this org
(`anchors`), and the query's new deals only in the places its limit leaves free. A first run
made on a later day for the same window selects the same deals (its query still matches them).
"""

from __future__ import annotations

from datetime import date

from demo_gen.config.model import QuerySettings
from demo_gen.ledger.store import StateStore
from demo_gen.stages.plan import PlannedTurn
from demo_gen.targets.salesforce.selection import Selection
from demo_gen.targets.salesforce.target import SalesforceTarget


def with_told(
    source: SalesforceTarget,
    state: StateStore,
    pack: str,
    selection: Selection,
    exclude_event_ids: frozenset[str],
    query: QuerySettings,
) -> Selection:
    """The pack's deals and, in the places the query's limit leaves free, the new ones it
    selects: read again by id when that differs from `selection`. (A slip moves a deal's
    CloseDate, which the query orders by: without this, a deal of the pack pushed past the
    limit would make room for one it never told.)"""
    told = state.anchored(pack, source.org_id)
    if not told:
        return selection
    chosen = [o.id for o in selection.snapshot.opportunities]
    known = set(told)
    fresh = [o for o in chosen if o not in known][: max(0, query.limit - len(told))]
    ids = sorted(known | set(fresh))
    if set(chosen) == set(ids):
        return selection
    wide = query.model_copy(update={"limit": max(query.limit, len(ids))})
    again = source.select(wide, only_ids=ids, exclude_event_ids=exclude_event_ids)
    return Selection(again.snapshot, selection.soql, selection.warnings)


def pinned_courses(
    state: StateStore, pack: str, org_id: str
) -> dict[str, tuple[date, tuple[PlannedTurn, ...], str]]:
    """Each pinned deal's close date as its story began, its turns and its course's kind
    ("active", "stalled", "none"; `course_pin`), by deal id:
    what a benchmark needs to tell a stalling or slipping deal from an active one."""
    from demo_gen.stages.planning.course_pin import course_of
    from demo_gen.stages.storyline import AHEAD_SUFFIX, TURNS_SUFFIX

    like = f"plan/{pack}/{org_id}/%{AHEAD_SUFFIX}{TURNS_SUFFIX}"
    return dict(course_of(value) for value in state.contents_like(like))
