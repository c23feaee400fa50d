"""A deal's story: the steps of its whole cycle, from CreatedDate to its close (or to today and a
little beyond), each with the stage the deal was in on that day.

The stage path is Qualification → Discovery → Evaluation → Proposal → Negotiation; a deal's
current stage says how far it has come, and its history walks the path to it. Each stage has its
meeting kinds (intro and discovery; discovery; demo and technical deep dive; business case and
proposal; negotiation, legal review and signature); Closed Won adds kickoff and onboarding after
the close. How many meetings a stage gets grows with the amount and the cycle length. Closed Lost
deals stop somewhere on the path and fade; a share of open deals stall and fade the same way.
A share of deals has a silent gap of one to three weeks. Internal prep meetings come before
demos and business cases, deal reviews every few weeks on larger deals.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta

from demo_gen.config.model import ActivitySettings
from demo_gen.stages.model import Opportunity

STAGES = ("Qualification", "Discovery", "Evaluation", "Proposal", "Negotiation")
PATH: tuple[str, ...] = (
    "intro", "discovery", "demo", "technical_deep_dive", "business_case", "proposal",
    "negotiation", "legal_review", "signature", "kickoff", "onboarding",
)  # fmt: skip
RANK: dict[str, int] = {name: i for i, name in enumerate(PATH)}
INTERNAL_KINDS = frozenset({"internal_prep", "deal_review"})
DISCOVERY_KINDS = frozenset({"intro", "discovery"})
MAX_DISCOVERY = 2
"""At most this many intro and discovery meetings in one deal: a real cycle has one discovery."""
MAX_DEMOS = 2
"""At most this many demos in one deal (a first one and a tailored one)."""
# (kind, minimum, extra repeats allowed) per stage index; the discovery of a deal past
# Qualification is held in the Discovery stage (`_early`): one intro, one discovery
_KINDS: tuple[tuple[tuple[str, int, int], ...], ...] = (
    (("intro", 1, 0), ("discovery", 1, 0)),
    (("discovery", 1, 0), ("demo", 0, 1)),
    (("demo", 1, 1), ("technical_deep_dive", 0, 2)),
    (("business_case", 1, 0), ("proposal", 1, 1)),
    (("negotiation", 1, 1), ("legal_review", 0, 1)),
)
_STAGE_INDEX = {
    "prospecting": 0, "qualification": 0, "needs analysis": 1, "discovery": 1,
    "value proposition": 2, "id. decision makers": 2, "perception analysis": 2, "evaluation": 2,
    "proposal": 3, "proposal/price quote": 3, "negotiation": 4, "negotiation/review": 4,
}  # fmt: skip


@dataclass(frozen=True)
class Step:
    """One planned meeting before it has a time: what, roughly when, and in which stage."""

    kind: str
    target: date
    latest: date
    stage: str
    essential: bool = False
    fading: bool = False  # part of a story that fades: no-shows more likely, replies slower


@dataclass(frozen=True)
class Story:
    """One deal's steps in order, and what shape its story has."""

    steps: tuple[Step, ...]
    outcome: str  # won | lost | open | stalled
    start: date  # first day of the story (the deal's created day, seller-local)
    end: date  # last day of its history (the close for closed deals, else the anchor eve)
    stage_changes: tuple[tuple[date, str], ...]  # (first day, stage label) in order
    fade_from: date | None
    gap: tuple[date, date] | None  # a silent stretch with no activity

    def stage_on(self, day: date) -> str:
        """The deal's stage on `day` (the first stage before the story starts)."""
        label = self.stage_changes[0][1]
        for first, name in self.stage_changes:
            if first <= day:
                label = name
        return label


def reached(opportunity: Opportunity, rng: random.Random) -> int:
    """Index into STAGES of the stage the deal has reached (Closed Won: Negotiation)."""
    key = opportunity.stage.strip().lower()
    if opportunity.is_closed and opportunity.is_won:
        return 4
    if opportunity.is_closed:
        return rng.randint(1, 4)
    if key in _STAGE_INDEX:
        return _STAGE_INDEX[key]
    probability = opportunity.probability or 0.0
    return sum(probability >= bound for bound in (20, 40, 60, 80))


def outcome_of(opportunity: Opportunity, stalled_share: float, rng: random.Random) -> str:
    if opportunity.is_closed:
        return "won" if opportunity.is_won else "lost"
    return "stalled" if rng.random() < stalled_share else "open"


def build_story(
    opportunity: Opportunity,
    settings: ActivitySettings,
    created: date,
    anchor: date,
    rng: random.Random,
) -> Story:
    """The steps of one deal's cycle (see the module docstring)."""
    top = reached(opportunity, rng)
    outcome = outcome_of(opportunity, settings.messiness.stalled_share, rng)
    start = max(created, anchor - timedelta(days=settings.past_days))
    close = opportunity.close_date
    end = max(min(close, anchor - timedelta(days=1)), start)
    bounds = _stage_bounds(start, end, top, outcome, rng)
    labels = [STAGES[i] for i in range(top + 1)]
    if not opportunity.is_closed:
        labels[top] = opportunity.stage
    changes = [(bounds[i], labels[i]) for i in range(top + 1)]
    if opportunity.is_closed:  # from the day after the close: the close day is still open
        changes.append((close + timedelta(days=1), opportunity.stage))
    fade = _fade_from(outcome, start, end, rng)
    gap = _gap(start, end, settings.messiness.silent_gap_share, rng)
    steps = _history(opportunity, settings, bounds, labels, top, outcome, end, rng)
    floor = max((RANK[s.kind] for s in steps), default=0)
    had = Counter(s.kind for s in steps)
    steps += _after(opportunity, settings, anchor, (outcome, top, had), labels, floor, rng)
    marked = [m for m in (_mark(s, fade, gap) for s in steps) if m is not None]
    fading = [s for s in marked if s.fading]
    kept = [s for s in marked if not s.fading or s is fading[0]]  # a fading story thins out
    if fading and fade is not None:  # its last meeting comes as the fade begins
        soon = fade + timedelta(days=3)
        last = replace(
            fading[0],
            target=min(fading[0].target, soon),
            latest=max(min(fading[0].latest, soon + timedelta(days=7)), soon),
        )
        kept = [last if s is fading[0] else s for s in kept]  # fmt: skip
    return Story(tuple(kept), outcome, start, end, tuple(changes), fade, gap)


def _stage_bounds(start: date, end: date, top: int, outcome: str, rng: random.Random) -> list[date]:
    """The first day of each reached stage; the current stage of an open deal gets a share too."""
    span = max(1, (end - start).days)
    weights = [rng.uniform(0.6, 1.4) * (1.3 if i in (2, 4) else 1.0) for i in range(top + 1)]
    if outcome in ("open", "stalled"):
        weights[top] *= 0.8
    total = sum(weights)
    out, acc = [], 0.0
    for weight in weights:
        out.append(start + timedelta(days=int(span * acc / total)))
        acc += weight
    return out


def _scale(opportunity: Opportunity, start: date, end: date) -> float:
    amount = opportunity.amount or 20_000.0
    by_amount = 0.7 if amount < 20_000 else 1.3 if amount >= 100_000 else 1.0
    return by_amount * min(1.6, max(0.6, (end - start).days / 90))


def _history(
    opportunity: Opportunity,
    settings: ActivitySettings,
    bounds: list[date],
    labels: list[str],
    top: int,
    outcome: str,
    end: date,
    rng: random.Random,
) -> list[Step]:
    scale = _scale(opportunity, bounds[0], end)
    budget = max(
        settings.meetings.past_min,
        round(rng.randint(settings.meetings.past_min, settings.meetings.past_max) * scale),
    )
    kinds_by_stage = [_early([k for k, low, _ in _KINDS[i] for _ in range(low)], i, top)
                      for i in range(top + 1)]  # fmt: skip
    extras = [(i, k) for i in range(top + 1) for k, _, more in _KINDS[i] for _ in range(more)]
    extras = [(i, k) for i, k in extras if i == top or k != "demo"]  # a first demo ends Discovery
    rng.shuffle(extras)
    for index, kind in extras[: max(0, budget - sum(map(len, kinds_by_stage)))]:
        kinds_by_stage[index].append(kind)
    while sum(map(len, kinds_by_stage)) < budget and top >= 2:  # more working sessions
        kinds_by_stage[top].append(_KINDS[top][-1][0])
    if top <= 1 and sum(map(len, kinds_by_stage)) < budget and "demo" not in kinds_by_stage[top]:
        kinds_by_stage[top].append("demo")  # an early deal: a first demo, never more discovery
    if outcome == "won":
        kinds_by_stage[4].append("signature")
    steps: list[Step] = []
    for i in range(top + 1):
        first = bounds[i]
        last = bounds[i + 1] - timedelta(days=1) if i < top else end
        kinds = sorted(kinds_by_stage[i], key=lambda k: RANK[k])
        if outcome in ("open", "stalled") and i == top:  # the current stage's work goes on,
            spare = sum(map(len, kinds_by_stage)) - settings.meetings.past_min  # past_min kept
            kinds = kinds[: max(1, len(kinds) - min(max(0, spare), rng.randint(0, 1)))]
        steps += _spread(kinds, first, max(first, last), labels[i], outcome, rng)
    return steps


def _early(kinds: list[str], stage: int, top: int) -> list[str]:
    """A deal past Qualification holds its discovery in the Discovery stage, not in both."""
    if stage == 0 and top >= 1:
        return [k for k in kinds if k != "discovery"]
    return kinds


def _spread(
    kinds: list[str], first: date, last: date, label: str, outcome: str, rng: random.Random
) -> list[Step]:
    span = (last - first).days + 1
    out = []
    for n, kind in enumerate(kinds):
        offset = int(span * (n + rng.uniform(0.15, 0.85)) / max(1, len(kinds)))
        essential = outcome == "won" and kind in ("discovery", "demo", "proposal", "signature")
        out.append(Step(kind, first + timedelta(days=offset), last, label, essential))
    return out


def _after(
    opportunity: Opportunity,
    settings: ActivitySettings,
    anchor: date,
    where: tuple[str, int, Counter[str]],  # outcome, stage reached, kinds of the steps so far
    labels: list[str],
    floor: int,
    rng: random.Random,
) -> list[Step]:
    """Kickoff and onboarding after a won close; the next steps of an active open deal (never a
    kind earlier on the path than the history's last, never a third discovery)."""
    outcome, top, had = where
    horizon = anchor + timedelta(days=settings.future_days)
    if outcome == "won":
        kickoff = opportunity.close_date + timedelta(days=rng.randint(3, 12))
        onboarding = kickoff + timedelta(days=rng.randint(7, 20))
        label = opportunity.stage
        steps = [Step("kickoff", kickoff, kickoff + timedelta(days=14), label, essential=True)]
        steps.append(Step("onboarding", onboarding, onboarding + timedelta(days=14), label))
        return steps
    if outcome != "open" or settings.future_days <= 0 or opportunity.close_date <= anchor:
        return []
    horizon = min(horizon, opportunity.close_date)
    count = rng.randint(settings.meetings.future_min, settings.meetings.future_max)
    pool = [k for k, _, _ in _KINDS[top]] + [k for k, _, _ in _KINDS[min(4, top + 1)]]
    pool = [k for k in pool if RANK[k] >= floor] or [PATH[floor]]
    kinds = sorted((rng.choice(pool) for _ in range(count)), key=lambda k: RANK[k])
    kinds = _capped(kinds, had, max(RANK[k] for k in pool))
    span = (horizon - anchor).days
    return [
        Step(
            kind,
            anchor + timedelta(days=1 + int(span * (n + 0.5) / max(1, count))),
            horizon,
            labels[top],
        )
        for n, kind in enumerate(kinds)
    ]


def _capped(kinds: list[str], had: Counter[str], ceiling: int) -> list[str]:
    """Upcoming kinds with no third discovery or demo: one over its cap becomes the next kind on
    the path (intro → discovery → demo → …) as far as the stage's own kinds go, else it is left
    out."""
    counts = Counter(had)
    out = []
    for kind in kinds:
        while _full(kind, counts) and RANK[kind] < ceiling:
            kind = PATH[RANK[kind] + 1]
        if not _full(kind, counts):
            counts[kind] += 1
            out.append(kind)
    return sorted(out, key=lambda k: RANK[k])


def _full(kind: str, counts: Counter[str]) -> bool:
    if kind in DISCOVERY_KINDS:
        return counts["intro"] + counts["discovery"] >= MAX_DISCOVERY
    return kind == "demo" and counts["demo"] >= MAX_DEMOS


def _fade_from(outcome: str, start: date, end: date, rng: random.Random) -> date | None:
    if outcome not in ("lost", "stalled"):
        return None
    span = (end - start).days
    if outcome == "stalled":
        return end - timedelta(days=min(span, rng.randint(21, 45)))
    return start + timedelta(days=int(span * rng.uniform(0.7, 0.85)))


def _gap(start: date, end: date, share: float, rng: random.Random) -> tuple[date, date] | None:
    span = (end - start).days
    if span < 50 or rng.random() >= share:
        return None
    length = rng.randint(8, 21)
    first = start + timedelta(days=rng.randint(14, span - length - 7))
    return first, first + timedelta(days=length)


def _mark(step: Step, fade: date | None, gap: tuple[date, date] | None) -> Step | None:
    """Fading steps after `fade`; a step in the silent gap moves to its end."""
    target = step.target
    if gap is not None and gap[0] <= target <= gap[1]:
        if step.latest <= gap[1]:
            return None if not step.essential else step
        target = gap[1] + timedelta(days=1)
    fading = fade is not None and target >= fade
    return Step(step.kind, target, step.latest, step.stage, step.essential, fading)
