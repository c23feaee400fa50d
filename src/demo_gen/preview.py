"""dry-run: the whole pipeline up to the writes, writing nothing anywhere.

It reads the org and a read-only ledger, plans, and says per opportunity what would be created
(`+`) and what already exists (`=`). Not the org, not the state store, not a calendar, not runs/.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from demo_gen import planner
from demo_gen.compose import (
    load_templates,
    opportunity_items,
    scorecard_questions,
    scorecard_summary,
    scorecards_for,
)
from demo_gen.config import Config, Secrets
from demo_gen.content import HeuristicContent
from demo_gen.content.stories import estimate
from demo_gen.crm import open_crm
from demo_gen.model import Seller
from demo_gen.pinning import load_pins
from demo_gen.plan import OpportunityPlan, Plan
from demo_gen.realism import realism_report
from demo_gen.runner import capabilities, own_record_ids, own_tag
from demo_gen.scorecards import Scorecard, Template
from demo_gen.selection import select_opportunities
from demo_gen.state import StateStore, created_ids
from demo_gen.textmetrics import text_report
from demo_gen.timeline import deal_timeline


@dataclass(frozen=True)
class OpportunityPreview:
    opportunity_id: str
    name: str
    stage: str
    new: dict[str, int]  # kind -> to create (+)
    existing: dict[str, int]  # kind -> already in the org (=)


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
    scripted: tuple[ScriptedPreview, ...] = ()

    def totals(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for op in self.opportunities:
            for kind, n in op.new.items():
                out.setdefault(kind, {"new": 0, "existing": 0})["new"] += n
            for kind, n in op.existing.items():
                out.setdefault(kind, {"new": 0, "existing": 0})["existing"] += n
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
            "opportunities": [op.__dict__ for op in self.opportunities],
            "warnings": list(self.warnings),
            "realism": self.realism,
            "scorecards": self.scorecards,
            "llm_estimate": self.llm,
            "scripted": [s.__dict__ for s in self.scripted],
        }


def dry_run(
    config: Config, secrets: Secrets, *, max_opps: int | None = None, today: date | None = None
) -> Preview:
    """What `run` would do now, computed without writing anything."""
    today = today or datetime.now(UTC).date()
    state = StateStore.open_readonly(config.state.url)
    try:
        with open_crm(config, secrets) as crm:
            org_id = crm.org_id()
            own = own_record_ids(state, config.run.name, org_id)
            selection = select_opportunities(
                crm,
                config.salesforce.query,
                max_opps=max_opps,
                exclude_event_ids=own,
                own_tag=own_tag(config),
            )
            caps = capabilities(crm, config)
            opps = selection.snapshot.opportunities
            ids = [o.id for o in opps]
            known = {} if config.run.anchor_date else state.anchors(config.run.name, org_id, ids)
            anchors = {o: config.run.anchor_date or known.get(o, today) for o in ids}
            snap = selection.snapshot
            pins = load_pins(state, config, org_id, opps, anchors)  # read, never written here
            plan = planner.plan(
                opps, config, anchors, users=snap.users, events=snap.events, pinned=pins
            )
            writer = HeuristicContent(seed=config.run.seed, pack=config.run.name)
            templates = load_templates(config)
            previews = []
            scripted: list[ScriptedPreview] = []
            cards_all = []
            texts_by_key: dict[str, str] = {}
            for op in plan.opportunities:
                texts = writer.write(op).texts
                texts_by_key.update(texts)
                cards = scorecards_for(templates, op, config, texts=texts)
                cards_all.extend(cards)
                items = opportunity_items(
                    op, texts, cards, org_id=org_id, pack=config.run.name, caps=caps
                )
                there = created_ids(state.items_by_signature(org_id, [i.signature for i in items]))
                new: dict[str, int] = {}
                existing: dict[str, int] = {}
                for item in items:
                    bucket = existing if item.signature in there else new
                    bucket[item.kind] = bucket.get(item.kind, 0) + 1
                o = op.opportunity
                previews.append(OpportunityPreview(o.id, o.name, o.stage, new, existing))
                if op.scenario is not None:
                    scripted.append(_scripted(plan, op, snap.users, cards))
    finally:
        state.close()
    plan_json = plan.to_json()
    for op, op_json in zip(plan.opportunities, plan_json["opportunities"], strict=True):
        op_json["fact_sheet"] = writer.sheet(op).to_json()
        for item in op_json["meetings"] + op_json["emails"]:
            item["text"] = texts_by_key.get(item["key"], "")
    first = {s.opportunity_id for s in scripted}
    previews.sort(key=lambda p: p.opportunity_id not in first)  # scripted deals first
    return Preview(
        org_id=org_id,
        pack=config.run.name,
        scripted=tuple(scripted),
        opportunities=tuple(previews),
        warnings=tuple(selection.warnings) + plan.notes,
        realism=realism_report(plan, config.activity) | text_report(plan, cards_all),
        scorecards=scorecard_summary(cards_all),
        llm=_llm_estimate(config, plan, templates),
        plan=plan_json,
    )


def _scripted(
    plan: Plan, op: OpportunityPlan, users: Sequence[Seller], cards: Sequence[Scorecard]
) -> ScriptedPreview:
    assert op.scenario is not None
    o = op.opportunity
    answers = tuple((a.element, a.text) for card in cards[:1] for a in card.answers)
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
