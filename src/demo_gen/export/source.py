"""Where `export` gets its records: the ledger says which exist, the prepare path what they hold.

A run's export reads the run's rows from the ledger (through `_ledger_row`, the one place that
knows the ledger's column names) and rebuilds the records' fields by replaying the run's deals
through `prepare()` read-only, as dry-run does: the pinned plans (ledger/pinning.py) make the
replay give
the run's own meetings, emails and calls, the heuristic writer gives the same text from the same
seed, and with the LLM on the texts come from the content cache only (no request).
Nothing is written: the state store is opened read-only and the org is only read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from demo_gen.commands.prepare import Hooks, PrepareOptions, prepare
from demo_gen.config.model import Config, Secrets
from demo_gen.ledger.store import ItemRow, StateStore
from demo_gen.stages.items import WorkItem
from demo_gen.targets.open import open_targets

TARGET = "salesforce"
"""The org's target name (the part of its ledger key before `:`): its columns are always there."""


@dataclass(frozen=True)
class LedgerRow:
    """What the ledger says about one record: target-neutral names."""

    signature: str
    kind: str
    opportunity_id: str
    run_id: str
    status: str
    target: str  # the target's name: "salesforce", "caldav"
    account: str  # the target's own account: the org id (a calendar copy: its org's id)
    remote_id: str | None  # the target's id of the record


@dataclass(frozen=True)
class Planned:
    """The records the prepare path gives, with each seller's time zone (User id → IANA zone)."""

    org_id: str
    pack: str
    items: tuple[WorkItem, ...]
    time_zones: Mapping[str, str]
    target: str = ""  # the org's ledger key ("salesforce:<org id>")


def ledger_rows(store: StateStore, run_id: str) -> list[LedgerRow]:
    """The ledger's rows owned by `run_id`."""
    return [_ledger_row(row) for row in store.run_items(run_id)]


def ledger_status(
    store: StateStore, target: str, signatures: Sequence[str]
) -> dict[str, LedgerRow]:
    """The ledger's rows of these planned records in `target` (a ledger key), for `--plan`."""
    found = store.items_by_signature(target, list(signatures))
    return {sig: _ledger_row(row) for sig, row in found.items()}


def _ledger_row(row: ItemRow) -> LedgerRow:
    """The one place that knows the ledger's column names (v3: `target`, `remote_id`).

    A ledger key is `<target name>:<account>` ("salesforce:<org id>", "caldav:<org id>")."""
    name, _, account = row.target.partition(":")
    return LedgerRow(
        signature=row.signature,
        kind=row.kind,
        opportunity_id=row.opportunity_id,
        run_id=row.run_id,
        status=row.status,
        target=name,
        account=account,
        remote_id=row.remote_id,
    )


def planned_items(
    config: Config,
    secrets: Secrets,
    store: StateStore,
    today: date,
    *,
    only_ids: Sequence[str] | None = None,
    max_opps: int | None = None,
    reveal: date | None = None,
    advance_stages: bool = False,
) -> Planned:
    """The records a run would write now (or, with `only_ids`, a past run's deals), read-only:
    one call to `prepare()` without a run id, as dry-run makes; `reveal` and `advance_stages`
    show the story as a refresh or live run wrote it (`PrepareOptions`)."""
    only = None if only_ids is None else tuple(only_ids)
    options = PrepareOptions(today=today, max_opps=max_opps, only_ids=only, reveal=reveal,
                             advance_stages=advance_stages)  # fmt: skip
    warnings: list[str] = []  # dry-run shows them; an export's files hold records only
    with open_targets(config, secrets) as opened:
        source = opened.source
        prepared = prepare(
            source, (source,), store, config, secrets, options, Hooks(warnings.append)
        )
    zones = {user.id: user.time_zone for user in prepared.users}
    for op in prepared.plan.opportunities:
        zones.setdefault(op.opportunity.owner.id, op.opportunity.owner.time_zone)
    items = tuple(prepared.items[source.key])
    return Planned(source.org_id, config.run.name, items, zones, target=source.key)
