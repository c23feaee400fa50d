"""Where `export` gets its records: the ledger says which exist, the prepare path what they hold.

A run's export reads the run's rows from the ledger (through `_ledger_row`, the one place that
knows the ledger's column names) and rebuilds the records' fields by replaying the run's deals
through the dry-run path (`planned_items`): the pinned plans (pinning.py) make the replay give
the run's own meetings, emails and calls, the heuristic writer gives the same text from the same
seed, and with the LLM on the texts come from the content cache only (`StoryWriter(offline=True)`:
no request).
Nothing is written: the state store is opened read-only and the org is only read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from demo_gen import planner
from demo_gen.compose import (
    llm_answers,
    load_templates,
    opportunity_items,
    scorecard_questions,
    scorecards_for,
)
from demo_gen.config import Config, Secrets
from demo_gen.content.stories import StoryWriter
from demo_gen.crm import SalesforceCrm, open_crm
from demo_gen.items import WorkItem
from demo_gen.model import Seller
from demo_gen.pinning import load_pins
from demo_gen.plan import Plan
from demo_gen.runner import capabilities, own_record_ids, own_tag
from demo_gen.selection import select_opportunities
from demo_gen.state import ItemRow, StateStore

TARGET = "salesforce"
"""Today's one target: the org (a real one or the local org). A calendar target adds its name."""


@dataclass(frozen=True)
class LedgerRow:
    """What the ledger says about one record: target-neutral names."""

    signature: str
    kind: str
    opportunity_id: str
    run_id: str
    status: str
    target: str
    account: str  # the target's own account: the org id
    remote_id: str | None  # the target's id of the record


@dataclass(frozen=True)
class Planned:
    """The records the prepare path gives, with each seller's time zone (User id → IANA zone)."""

    org_id: str
    pack: str
    items: tuple[WorkItem, ...]
    time_zones: Mapping[str, str]


def ledger_rows(store: StateStore, run_id: str) -> list[LedgerRow]:
    """The ledger's rows owned by `run_id`."""
    return [_ledger_row(row) for row in store.run_items(run_id)]


def ledger_status(
    store: StateStore, org_id: str, signatures: Sequence[str]
) -> dict[str, LedgerRow]:
    """The ledger's rows of these planned records, where it has them (for `--plan`)."""
    found = store.items_by_signature(org_id, list(signatures))
    return {sig: _ledger_row(row) for sig, row in found.items()}


def _ledger_row(row: ItemRow) -> LedgerRow:
    """The one place that knows the ledger's column names (v2: `target`, `remote_id`)."""
    return LedgerRow(
        signature=row.signature,
        kind=row.kind,
        opportunity_id=row.opportunity_id,
        run_id=row.run_id,
        status=row.status,
        target=TARGET,
        account=row.org_id,
        remote_id=row.sf_id,
    )


def planned_items(
    config: Config,
    secrets: Secrets,
    store: StateStore,
    today: date,
    *,
    only_ids: Sequence[str] | None = None,
    max_opps: int | None = None,
) -> Planned:
    """The records a run would write now (or, with `only_ids`, a past run's deals), read-only.

    This is the adapter onto the runner's prepare step (select → anchor → plan → text →
    scorecards → items); once one `prepare()` exists, its body becomes one call to it.
    """
    with open_crm(config, secrets) as crm:
        plan, org_id, users = _plan(config, crm, store, today, only_ids, max_opps)
        caps = capabilities(crm, config)
    templates = load_templates(config)
    writer = StoryWriter(
        config.llm,
        secrets.openai_api_key,
        store,
        offline=True,
        seed=config.run.seed,
        pack=config.run.name,
    )
    stories = writer.write_all(
        plan.opportunities, scorecard_questions(templates, plan.opportunities, config)
    )
    items: list[WorkItem] = []
    zones = {user.id: user.time_zone for user in users}
    for op in plan.opportunities:
        story = stories[op.opportunity.id]
        texts = story.content.texts
        cards = scorecards_for(templates, op, config, llm_answers(story), texts)
        items.extend(
            opportunity_items(op, texts, cards, org_id=org_id, pack=config.run.name, caps=caps)
        )
        zones.setdefault(op.opportunity.owner.id, op.opportunity.owner.time_zone)
    return Planned(org_id, config.run.name, tuple(items), zones)


def _plan(
    config: Config,
    crm: SalesforceCrm,
    store: StateStore,
    today: date,
    only_ids: Sequence[str] | None,
    max_opps: int | None,
) -> tuple[Plan, str, tuple[Seller, ...]]:
    org_id = crm.org_id()
    selection = select_opportunities(
        crm,
        config.salesforce.query,
        max_opps=max_opps,
        only_ids=only_ids,
        exclude_event_ids=own_record_ids(store, config.run.name, org_id),
        own_tag=own_tag(config),
    )
    opps = selection.snapshot.opportunities
    ids = [o.id for o in opps]
    known = {} if config.run.anchor_date else store.anchors(config.run.name, org_id, ids)
    anchors = {o: config.run.anchor_date or known.get(o, today) for o in ids}
    pins = load_pins(store, config, org_id, opps, anchors)  # read, never written here
    snap = selection.snapshot
    plan = planner.plan(opps, config, anchors, users=snap.users, events=snap.events, pinned=pins)
    return plan, org_id, snap.users
