"""The fact sheet: one deal's facts, planned before any text is written. Pure and seeded.

`build_fact_sheet(plan, seed=, pack=)` draws, from `random.Random(f"{seed}/{pack}/{opp id}/facts")`
only, the deal's pain, metrics (sized to the amount), decision criteria, competition, critical
event, decision process (working days that fit the close date) and paper process, and picks the
champion, economic buyer, technical evaluator, procurement and legal among the contacts who take
part in the deal. Each fact names the past activity where it is first said and the later ones
that come back to it; the content writers say it there, the scorecards cite those records.
"""

from __future__ import annotations

from demo_gen.stages.facts.dates import fmt_day, fmt_money, is_working_day, local_day
from demo_gen.stages.facts.model import KINDS, Fact, FactSheet, Numbers, Roles, Step
from demo_gen.stages.facts.sheet import build_fact_sheet

__all__ = [
    "KINDS",
    "Fact",
    "FactSheet",
    "Numbers",
    "Roles",
    "Step",
    "build_fact_sheet",
    "fmt_day",
    "fmt_money",
    "is_working_day",
    "local_day",
]
