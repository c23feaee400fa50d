"""refresh: the same deal story, revealed up to today (DESIGN.md §1).

`refresh` is `run` with each deal's whole story (its pinned plan and its story ahead,
`storyline`) revealed as of the clock's day: what the window now covers and no run wrote yet is
created (emails of the days that passed, meetings that entered the window), and the records
that exist get what happened since (`due_changes`): a passed meeting's outcome (its notes in
place of the agenda, its invitees' answers, the planned no-show) and, with `--advance-stages`,
the Opportunity's StageName and Probability on the story's dates, its CloseDate when the
story slips, and its close (Closed Won / Closed Lost) on the day after its close date; each
deal's scorecard becomes the day's (`refresh_cards`: its score and its answers' texts and
citations). Updates keep their before-values in the ledger (`updates`), so `reset` restores
them.

`due_changes` is the core a live writer calls too: given the whole story, the records as the
run built them and the ids the ledger holds, the updates due by a day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from demo_gen.commands.prepare import Prepared
from demo_gen.commands.refresh_cards import CARDS, card_changes
from demo_gen.config.model import Config
from demo_gen.errors import UsageError
from demo_gen.ledger.store import StateStore
from demo_gen.ledger.update_protocol import Change, Event, Updatable, apply
from demo_gen.ledger.updates import UpdateLedger
from demo_gen.stages.items import INVITEE, MEETING, WorkItem
from demo_gen.stages.plan import OpportunityPlan, Plan
from demo_gen.stages.planning.course import CLOSED_PROBABILITY, deal_on
from demo_gen.stages.planning.outcome import (
    PROBABILITY,
    boundary_of,
    passed_since_planned,
    stage_on,
)
from demo_gen.stages.planning.timezones import owner_zone

OUTCOME, STAGE, REPLY = "update:outcome", "update:stage", "update:reply"
"""The report's count kinds of the three kinds of update (a reply: an email marked Replied)."""


@dataclass(frozen=True)
class DueChanges:
    outcomes: tuple[Change, ...]
    stages: tuple[Change, ...]
    replies: tuple[Change, ...] = ()


def check_refreshable(config: Config) -> None:
    """A pinned `run.anchor_date` fixes the story's day: there is nothing to reveal."""
    if config.run.anchor_date is not None:
        raise UsageError(
            f"refresh does nothing: run.anchor_date pins the story to "
            f"{config.run.anchor_date.isoformat()}",
            hint="set run.anchor_date to null to let the story move with the days",
        )


def due_changes(
    whole: Plan,
    items: Sequence[WorkItem],
    ids: Mapping[str, str],
    today: date,
    *,
    advance_stages: bool,
) -> DueChanges:
    """The updates due by `today`: each passed meeting's outcome on its records (those in `ids`,
    signature -> record id), each answered email's Status (Replied) and, when asked, each deal's
    own fields along its story (`deal_change`)."""
    by_label = {i.label: i for i in items if i.kind == MEETING}
    invitees: dict[str, list[WorkItem]] = {}
    for item in items:
        if item.kind == INVITEE and item.parent:
            invitees.setdefault(item.parent, []).append(item)
    replies = tuple(_replied(i, ids) for i in items if _was_answered(i, ids))
    outcomes: list[Change] = []
    stages: list[Change] = []
    for op in whole.opportunities:
        for meeting in passed_since_planned(op, today):
            made = by_label.get(meeting.key)
            if made is not None and made.signature in ids:
                outcomes += _outcome(made, invitees.get(made.signature, ()), ids)
        change = deal_change(op, today) if advance_stages else None
        if change is not None:
            stages.append(change)
    return DueChanges(tuple(outcomes), tuple(stages), replies)


def deal_change(op: OpportunityPlan, today: date) -> Change | None:
    """The deal's own fields as its story has them on `today`, in one change: the stage of its
    latest meeting along the path, or the close (Closed Won / Closed Lost) once due, and the
    close date its slips moved it to (`planning.course`). None when the story moved nothing."""
    opp = op.opportunity
    day = boundary_of(op, today).astimezone(owner_zone(opp)).date()
    view = deal_on(op, day)
    fields: dict[str, object] = {}
    stage = stage_on(op, today)
    if view.is_closed and view.stage != opp.stage:
        fields = {"StageName": view.stage, "Probability": CLOSED_PROBABILITY[view.stage]}
    elif stage is not None:
        fields = {"StageName": stage, "Probability": PROBABILITY[stage]}
    if view.close_date != opp.close_date:
        fields["CloseDate"] = view.close_date.isoformat()
    if not fields:
        return None
    if "CloseDate" not in fields:
        key = f"{opp.id}/stage/{fields['StageName']}"
    else:
        key = f"{opp.id}/course/{fields.get('StageName', '-')}/{fields['CloseDate']}"
    return Change(key, "Opportunity", opp.id, fields)


def _was_answered(item: WorkItem, ids: Mapping[str, str]) -> bool:
    """An inbound EmailMessage the day's story has answered (Status 2, Replied) that exists."""
    return (
        item.record_type == "EmailMessage"
        and item.record.get("Status") == "2"
        and item.signature in ids
    )


def _replied(item: WorkItem, ids: Mapping[str, str]) -> Change:
    """An email written before its answer was: Status Read (1) becomes Replied (2) once the
    answer is in the story (a first run on that day writes it Replied)."""
    return Change(f"{item.signature}/replied", "EmailMessage", ids[item.signature], {"Status": "2"})


def _outcome(
    meeting: WorkItem, invitees: Sequence[WorkItem], ids: Mapping[str, str]
) -> list[Change]:
    """A passed meeting's notes in its Event, its invitees' final answers in their relations."""
    notes = {"Description": meeting.record.get("Description", "")}
    out = [Change(f"{meeting.signature}/outcome", "Event", ids[meeting.signature], notes)]
    for link in invitees:
        if link.signature in ids:
            answer = {"Status": link.record["Status"]}
            out.append(Change(f"{link.signature}/answer", "EventRelation", ids[link.signature],
                              answer))  # fmt: skip
    return out


def apply_due(
    target: Updatable,
    state: StateStore,
    run_id: str,
    prepared: Prepared,
    today: date,
    *,
    advance_stages: bool,
    event: Event,
) -> dict[str, dict[str, int]]:
    """Make the updates due by `today` in `target` (the org); the report's counts per kind."""
    assert prepared.whole is not None
    items = prepared.items[target.key]
    rows = state.items_by_signature(target.key, [i.signature for i in items])
    ids = {s: r.remote_id for s, r in rows.items() if r.status == "created" and r.remote_id}
    due = due_changes(prepared.whole, items, ids, today, advance_stages=advance_stages)
    cards = card_changes(target, items, ids, today)  # refresh_cards.py
    ledger = UpdateLedger(state)
    out: dict[str, dict[str, int]] = {}
    for kind, changes in (
        (OUTCOME, due.outcomes),
        (REPLY, due.replies),
        (STAGE, due.stages),
        (CARDS, tuple(cards)),
    ):
        counts = apply(target, ledger, run_id, changes, event)
        out[kind] = {"created": 0, "skipped": counts.same, "failed": counts.failed,
                     "deferred": 0, "updated": counts.done}  # fmt: skip
        event("updates.made", kind=kind, **counts.asdict())
    return out
