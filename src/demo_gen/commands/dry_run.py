"""dry-run: the whole pipeline up to the writes, writing nothing anywhere.

It reads the org and a read-only ledger, plans, and says per opportunity what would be created
(`+`) and what already exists (`=`). Not the org, not the state store, not a calendar, not runs/.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from demo_gen import clock
from demo_gen.commands.prepare import Hooks, PrepareOptions, prepare
from demo_gen.config.model import Config, Secrets
from demo_gen.ledger.store import StateStore, created_ids
from demo_gen.stages.compose import load_templates, scorecard_questions, scorecard_summary
from demo_gen.stages.content import HeuristicContent
from demo_gen.stages.content.stories import estimate
from demo_gen.stages.items import WorkItem
from demo_gen.stages.model import Seller
from demo_gen.stages.plan import OpportunityPlan, Plan
from demo_gen.stages.realism import realism_report
from demo_gen.stages.scorecards import Scorecard, Template
from demo_gen.stages.textmetrics import text_report
from demo_gen.stages.timeline import deal_timeline
from demo_gen.targets.open import open_targets

Counts = dict[str, int]  # kind -> records


@dataclass(frozen=True)
class OpportunityPreview:
    opportunity_id: str
    name: str
    stage: str
    new: Counts  # kind -> to create (+), over every target
    existing: Counts  # kind -> already there (=), over every target
    targets: dict[str, dict[str, Counts]] = field(default_factory=dict)
    """target key -> {"new": kind -> n, "existing": kind -> n}"""


@dataclass(frozen=True)
class ScriptedPreview:
    """A scripted deal as dry-run shows it first: its timeline with the script's marks, and its
    scorecard answers."""

    opportunity_id: str
    name: str
    summary: str
    timeline: str
    scorecard: tuple[tuple[str, str], ...]  # (element, answer)


@dataclass(frozen=True)
class Preview:
    org_id: str
    pack: str
    opportunities: tuple[OpportunityPreview, ...]
    warnings: tuple[str, ...]
    realism: dict[str, Any]
    scorecards: dict[str, Any]
    llm: dict[str, Any] | None  # estimated requests, tokens and cost when the LLM is on
    plan: dict[str, Any] = field(repr=False)
    targets: tuple[str, ...] = ()  # the target keys, in write order
    scripted: tuple[ScriptedPreview, ...] = ()

    def totals(self) -> dict[str, dict[str, int]]:
        """kind -> {"new", "existing"} over every target."""
        out: dict[str, dict[str, int]] = {}
        for op in self.opportunities:
            _add(out, op.new, op.existing)
        return out

    def target_totals(self) -> dict[str, dict[str, dict[str, int]]]:
        """target key -> kind -> {"new", "existing"}."""
        out: dict[str, dict[str, dict[str, int]]] = {key: {} for key in self.targets}
        for op in self.opportunities:
            for key, counts in op.targets.items():
                _add(out.setdefault(key, {}), counts["new"], counts["existing"])
        return out

    def outline(self) -> dict[str, int]:
        """The plan in numbers: records to add, records that exist, deals, deals with an add."""
        totals = self.totals().values()
        return {
            "to_add": sum(c["new"] for c in totals),
            "unchanged": sum(c["existing"] for c in totals),
            "deals": len(self.opportunities),
            "deals_changed": sum(1 for op in self.opportunities if any(op.new.values())),
        }

    def asdict(self) -> dict[str, Any]:
        return {
            "org_id": self.org_id,
            "pack": self.pack,
            "outline": self.outline(),
            "totals": self.totals(),
            "targets": self.target_totals(),
            "opportunities": [op.__dict__ for op in self.opportunities],
            "warnings": list(self.warnings),
            "realism": self.realism,
            "scorecards": self.scorecards,
            "llm_estimate": self.llm,
            "scripted": [s.__dict__ for s in self.scripted],
        }


def _add(out: dict[str, dict[str, int]], new: Counts, existing: Counts) -> None:
    for bucket, counts in (("new", new), ("existing", existing)):
        for kind, n in counts.items():
            out.setdefault(kind, {"new": 0, "existing": 0})[bucket] += n


def dry_run(
    config: Config, secrets: Secrets, *, max_opps: int | None = None, today: date | None = None
) -> Preview:
    """What `run` would do now in each target, computed by the same prepare() without writing."""
    now = clock.now()
    today = today or now.date()
    warnings: list[str] = []
    state = StateStore.open_readonly(config.state.url)
    try:
        with open_targets(config, secrets, now) as opened:
            source = opened.source
            options = PrepareOptions(today=today, max_opps=max_opps)
            prepared = prepare(
                source, opened.targets, state, config, secrets, options, Hooks(warnings.append)
            )
            previews = _previews(state, prepared.plan, prepared.items)
            scripted = tuple(
                _scripted(prepared.plan, op, prepared.users, prepared.scorecards)
                for op in prepared.plan.opportunities
                if op.scenario is not None
            )
            keys = tuple(t.key for t in opened.targets)
    finally:
        state.close()
    plan = prepared.plan
    sheets = HeuristicContent(seed=config.run.seed, pack=config.run.name)
    plan_json = plan.to_json()
    whole = {o.opportunity.id: o for o in (prepared.whole or plan).opportunities}
    from demo_gen.stages.storyline import told_story

    for op, op_json in zip(plan.opportunities, plan_json["opportunities"], strict=True):
        # the sheet the texts were written from: the deal's whole story (stages/storyline.py)
        told = told_story(whole[op.opportunity.id], config) if prepared.whole else op
        op_json["fact_sheet"] = sheets.sheet(told).to_json()
        for item in op_json["meetings"] + op_json["emails"]:
            item["text"] = prepared.texts.get(item["key"], "")
    first = {s.opportunity_id for s in scripted}
    previews = tuple(sorted(previews, key=lambda p: p.opportunity_id not in first))
    return Preview(
        org_id=source.org_id,
        pack=config.run.name,
        scripted=scripted,
        opportunities=previews,
        warnings=tuple(warnings),
        realism=realism_report(plan, config.activity) | text_report(plan, prepared.scorecards),
        scorecards=scorecard_summary(prepared.scorecards),
        llm=_llm_estimate(config, plan, load_templates(config)),
        plan=plan_json,
        targets=keys,
    )


def _previews(
    state: StateStore, plan: Plan, items: dict[str, list[WorkItem]]
) -> tuple[OpportunityPreview, ...]:
    """Per opportunity and target: + what would be created, = what the ledger says exists."""
    there = {
        key: created_ids(state.items_by_signature(key, [i.signature for i in found]))
        for key, found in items.items()
    }
    out = []
    for op in plan.opportunities:
        o = op.opportunity
        per: dict[str, dict[str, Counts]] = {}
        new: Counts = {}
        existing: Counts = {}
        for key, found in items.items():
            counts: dict[str, Counts] = {"new": {}, "existing": {}}
            for item in (i for i in found if i.opportunity_id == o.id):
                bucket = "existing" if item.signature in there[key] else "new"
                counts[bucket][item.kind] = counts[bucket].get(item.kind, 0) + 1
                total = existing if bucket == "existing" else new
                total[item.kind] = total.get(item.kind, 0) + 1
            per[key] = counts
        out.append(OpportunityPreview(o.id, o.name, o.stage, new, existing, per))
    return tuple(out)


def _scripted(
    plan: Plan, op: OpportunityPlan, users: Sequence[Seller], cards: Sequence[Scorecard]
) -> ScriptedPreview:
    assert op.scenario is not None
    o = op.opportunity
    mine = [card for card in cards if card.opportunity_id == o.id]
    answers = tuple((a.element, a.text) for card in mine[:1] for a in card.answers)
    timeline = deal_timeline(plan, o.id, users)
    return ScriptedPreview(o.id, o.name, op.scenario.summary(), timeline, answers)


def _llm_estimate(
    config: Config, plan: Plan, templates: Sequence[Template]
) -> dict[str, Any] | None:
    """Requests, tokens and cost a run would spend on the LLM (with an empty cache)."""
    if not config.llm.enabled:
        return None
    questions = scorecard_questions(templates, plan.opportunities, config)
    return estimate(
        plan.opportunities, config.llm, questions, seed=config.run.seed, pack=config.run.name
    )
