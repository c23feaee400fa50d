"""The fact sheet of a scripted deal: the seeded sheet with what its script pins or moves.

- roles: the champion stays who the script silenced (not whoever is left); an absent economic
  buyer is no economic buyer at all (Economic Buyer and Budget stay unanswered);
- pinned facts (metrics, decision criteria, critical event) replace the seeded ones verbatim;
- a late competitor is one of the alternatives, first said in the meeting the script marks and
  never before it;
- a slipping deal's decision steps are dated before the anchor, so every text and answer that
  cites them says the plan has passed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from demo_gen.stages.facts.assign import Placement
from demo_gen.stages.facts.dates import minus_working_days, working_day_before
from demo_gen.stages.facts.model import FactSheet, Roles, Step
from demo_gen.stages.plan import OpportunityPlan
from demo_gen.stages.stories.scenario import Scenario


def scripted_roles(roles: Roles, plan: OpportunityPlan) -> Roles:
    """The roles the script names, over the ones the (cut) timeline suggests."""
    s = plan.scenario
    if s is None:
        return roles
    contacts = {c.id: c for c in plan.opportunity.contacts}
    champion = contacts.get(s.champion_id or "", roles.champion)
    eb = None if s.economic_buyer_absent else roles.economic_buyer
    if eb is not None and champion is not None and eb.id == champion.id:
        eb = None
    return replace(roles, champion=champion, economic_buyer=eb)


def scripted_places(places: dict[str, Placement], s: Scenario | None) -> dict[str, Placement]:
    """A late competitor is said where the script marked it, not earlier."""
    if s is None or s.competitor is None:
        return places
    key = next(k for k, what in s.marks.items() if f"{s.competitor} enters" in what.split("; "))
    return {**places, "competition": Placement(key, ())}


def scripted_sheet(sheet: FactSheet, s: Scenario | None) -> FactSheet:
    """`sheet` with the script's pinned facts, competitor and slipping dates."""
    if s is None:
        return sheet
    out = replace(sheet, scenario=s)
    if s.metrics is not None:
        metric, baseline, target = s.metrics
        numbers = replace(sheet.numbers, metric=metric, baseline=baseline, target=target)
        out = replace(out, numbers=numbers)
    if s.criteria:
        rest = [c for c in sheet.criteria if c not in s.criteria]
        out = replace(out, criteria=(*s.criteria, *rest)[:3])
    if s.critical_event is not None:
        out = replace(out, critical_event=s.critical_event[0], event_date=s.critical_event[1])
    if s.competitor is not None:
        other = next(a for a in sheet.alternatives if a != s.competitor)
        out = replace(out, alternatives=(s.competitor, other))
    return out


def slipped_steps(
    steps: tuple[Step, ...], anchor: date, said: date, country: str | None
) -> tuple[Step, ...]:
    """The decision steps moved so the last one was due a week before the anchor."""
    sign = working_day_before(anchor - timedelta(days=7), country)
    case = minus_working_days(sign, 5, country)
    tech = minus_working_days(case, 5, country)
    days = [max(d, said + timedelta(days=1)) for d in (tech, case, sign)]
    days = [working_day_before(min(d, sign), country) for d in days]
    return tuple(replace(step, due=d) for step, d in zip(steps, days, strict=True))
