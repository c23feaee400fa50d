"""Plan pinning: a deal's plan is kept in the ledger the first time a run is about to write it.

Planning is shared across deals (one calendar), so the same deal would get another plan when the
set of selected deals changes or when other Events appear in the org; since a signature holds a
meeting's start, a moved meeting would be a new record. A pinned deal is never replanned: runs
and dry-runs load its pin and the planner books it first. The key holds the pack, the org, the
deal, a fingerprint of the planning settings (`plan_codec.fingerprint`) and the anchor date, so
other settings or another anchor give a new plan (docs/design-departures.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import Protocol

from demo_gen.config.model import Config
from demo_gen.stages.model import Opportunity
from demo_gen.stages.plan import OpportunityPlan, Plan
from demo_gen.stages.plan_codec import dump_plan, fingerprint, load_plan, pin_key


class PinStore(Protocol):
    """Where pins live (the state store's content table); a key keeps its first value."""

    def get_contents(self, keys: Sequence[str]) -> dict[str, str]: ...

    def put_contents(self, values: Mapping[str, str]) -> None: ...


def load_pins(
    store: PinStore,
    config: Config,
    org_id: str,
    opportunities: Sequence[Opportunity],
    anchors: Mapping[str, date],
) -> dict[str, OpportunityPlan]:
    """The pinned plans of those `opportunities` that have one, around their current values."""
    keys = _keys(config, org_id, [(o.id, anchors[o.id]) for o in opportunities])
    found = store.get_contents(list(keys.values()))
    return {o.id: load_plan(found[keys[o.id]], o) for o in opportunities if keys[o.id] in found}


def save_pins(store: PinStore, config: Config, org_id: str, plan: Plan) -> int:
    """Pin every deal of `plan` that has something to write, in one transaction; how many."""
    kept = {
        op.opportunity.id: op for op in plan.opportunities if op.meetings or op.emails or op.tasks
    }
    deals = [(op.opportunity.id, op.anchor) for op in kept.values()]
    return save_pins_of(store, config, org_id, deals, kept.__getitem__)


def save_pins_of(
    store: PinStore,
    config: Config,
    org_id: str,
    deals: Sequence[tuple[str, date]],
    plan_of: Callable[[str], OpportunityPlan],
) -> int:
    """`save_pins` of the `deals` (id, anchor) that have something to write, each plan got from
    `plan_of(id)` only when its batch is inserted; how many."""
    keys = _keys(config, org_id, deals)
    store.put_contents(_Dumps({keys[opp_id]: opp_id for opp_id, _ in deals}, plan_of))
    return len(deals)


class _Dumps(Mapping[str, str]):
    """pin key -> `dump_plan` of its deal, made when it is read: the store inserts the pins a
    batch at a time, so the JSON of a whole run's plans is never held at once."""

    def __init__(self, ids: Mapping[str, str], plan_of: Callable[[str], OpportunityPlan]) -> None:
        self._ids, self._plan_of = ids, plan_of

    def __getitem__(self, key: str) -> str:
        return dump_plan(self._plan_of(self._ids[key]))

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def _keys(config: Config, org_id: str, deals: Sequence[tuple[str, date]]) -> dict[str, str]:
    printed = fingerprint(config)
    return {
        opp_id: pin_key(config.run.name, org_id, opp_id, printed, anchor)
        for opp_id, anchor in deals
    }
