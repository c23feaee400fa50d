"""The whole story of every deal and its view on one day: what `refresh` reveals.

`whole_story` joins each deal's plan (pinned at its first write, `pinning`) to its story ahead
(`planning.ahead`), which is pinned the same way the first time a writing command computes it —
so a deal's story never changes afterwards, whatever else changes in the org (another deal
selected, a stage moved by `--advance-stages`). `on_day` is then `planning.outcome.reveal` for
every deal: the plan `refresh` writes on that day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime

from demo_gen.commands.progress import Progress
from demo_gen.config.model import Config
from demo_gen.ledger.pinning import PinStore
from demo_gen.stages.content.stories import ScorecardQuestion, StoryResult, StoryWriter
from demo_gen.stages.model import BusyEvent, Opportunity, Seller
from demo_gen.stages.plan import OpportunityPlan, Plan
from demo_gen.stages.plan_codec import dump_plan, fingerprint, load_plan, pin_key
from demo_gen.stages.planning.ahead import Ahead, Teller, with_ahead
from demo_gen.stages.planning.course_pin import dump_course, load_course
from demo_gen.stages.planning.outcome import boundary_of, has_passed, realize, reveal
from demo_gen.stages.planning.story import STAGES
from demo_gen.stages.scorecards import Seen

AHEAD_SUFFIX = "/ahead"
"""A deal's story ahead is pinned under its plan's pin key and this suffix."""
TURNS_SUFFIX = "/turns"
"""...and its turns, with the deal's values as the story began, under this one after it."""


def whole_story(
    store: PinStore,
    config: Config,
    org_id: str,
    plan: Plan,
    *,
    users: Sequence[Seller],
    events: Sequence[BusyEvent],
    write: bool,
) -> Plan:
    """Every deal's plan with its story ahead; a writing command pins the ahead it computed,
    with its turns and the deal's own values as the story began (`course_pin`): the whole story
    is told of the deal as it was then, whatever `--advance-stages` has moved since."""
    story = StoryAhead(store, config, org_id, users, events, write=write)
    for op in plan.opportunities:
        story.book(op)
    order = sorted(plan.opportunities, key=lambda op: (op.opportunity.created_date,
                                                       op.opportunity.id))  # fmt: skip
    wholes = {}
    for start in range(0, len(order), PIN_BATCH):
        for op in story.tell(order[start : start + PIN_BATCH]):
            wholes[op.opportunity.id] = op
    return replace(
        plan, opportunities=tuple(wholes[op.opportunity.id] for op in plan.opportunities)
    )


PIN_BATCH = 100
"""Deals whose pinned stories ahead are read (and the new ones pinned) at a time. A batch's
plans, whole stories and new pins' JSON are held together: 100 rather than 500 kept the story
ahead's pass 39 MB lower at 2,000 deals (187 -> 148 MB), for a few more short transactions."""


class StoryAhead:
    """`whole_story` a batch of deals at a time: `book` every deal's plan, then `tell` the deals
    in CreatedDate-then-id order, in batches (`planning.ahead.Teller`). Each batch's pins are
    read, and a writing command's new ones written, with the batch."""

    def __init__(
        self,
        store: PinStore,
        config: Config,
        org_id: str,
        users: Sequence[Seller],
        events: Sequence[BusyEvent],
        *,
        write: bool,
    ) -> None:
        self.store, self.config, self.org_id, self.write = store, config, org_id, write
        self.printed = fingerprint(config)
        self.teller = Teller(config, users, events)

    def book(self, op: OpportunityPlan) -> None:
        """A deal's plan in the shared calendar (every deal's, before any is told)."""
        self.teller.book(op)

    def tell(self, ops: Sequence[OpportunityPlan]) -> list[OpportunityPlan]:
        """The whole stories of `ops`, the next deals in CreatedDate-then-id order."""
        keys = [self._key(op) for op in ops]
        found = self.store.get_contents([k for key in keys for k in (key, key + TURNS_SUFFIX)])
        fresh: dict[str, str] = {}
        out = []
        for op, key in zip(ops, keys, strict=True):
            kept, origin = _kept(found, key, op)
            ahead = self.teller.tell(op, kept)
            if kept is None and key not in found:
                fresh[key] = dump_plan(
                    OpportunityPlan(op.opportunity, op.anchor, ahead.meetings, ahead.emails)
                )
                fresh[key + TURNS_SUFFIX] = dump_course(op.opportunity, ahead.turns, ahead.course)
            out.append(with_ahead(replace(op, opportunity=origin), ahead))
        if self.write:
            self.store.put_contents(fresh)
        return out

    def _key(self, op: OpportunityPlan) -> str:
        opp_id, pack = op.opportunity.id, self.config.run.name
        return pin_key(pack, self.org_id, opp_id, self.printed, op.anchor) + AHEAD_SUFFIX


def _kept(
    found: Mapping[str, str], key: str, op: OpportunityPlan
) -> tuple[Ahead | None, Opportunity]:
    """The deal's pinned story ahead (None: none yet) and its values as the story began."""
    text = found.get(key)
    if text is None:
        return None, op.opportunity
    pinned = load_plan(text, op.opportunity)
    turned = found.get(key + TURNS_SUFFIX)
    origin, turns, kind = (
        load_course(turned, op.opportunity) if turned else (op.opportunity, (), "")
    )
    return Ahead(op.opportunity.id, pinned.meetings, pinned.emails, turns, kind), origin


def on_day(whole: Plan, today: date | None, config: Config, *, advance: bool = False) -> Plan:
    """The plan of `today`: each deal's whole story revealed up to that day (None: up to each
    deal's own anchor, as `run` writes it); `advance`: the deal's own turns (close date, stage)
    are written, so the day shows the deal as its story has it (`outcome.reveal`)."""
    return replace(
        whole,
        opportunities=tuple(
            reveal(op, today or op.anchor, config, advance=advance) for op in whole.opportunities
        ),
    )


def seen_on(
    whole: OpportunityPlan, day: date | None, config: Config, *, advance_stages: bool, stage: str
) -> Seen:
    """The day a deal's scorecard is made on (`scorecards.Seen`): `day` (None: its anchor, as
    `run` writes it), the story its texts are told from, and its stage that day — with
    `--advance-stages` the story's open stage (`furthest_stage`; a deal the story has
    closed keeps the card of its last open stage, so a card's questions only grow along the
    path and the day's card is the same however the days were refreshed), else `stage`, the
    Opportunity's own in the org."""
    on = day or whole.anchor
    if advance_stages:
        stage = furthest_stage(whole, on)
    return Seen(told_story(whole, config), on, stage)


def furthest_stage(whole: OpportunityPlan, on: date) -> str:
    """The furthest stage on the path (Qualification … Negotiation) that a customer meeting
    held before `on` reached, or the deal's own when that is further. Not the latest meeting's
    (`planning.outcome.stage_on`): a won deal's kickoff is off the path, and its card must not
    fall back to the stage the story began in once the kickoff has been held."""
    boundary, exact = boundary_of(whole, on), isinstance(on, datetime)
    reached = [
        STAGES.index(m.stage)
        for m in whole.meetings
        if m.primary_contact_id and m.stage in STAGES and has_passed(m, boundary, exact=exact)
    ]
    own = whole.opportunity.stage
    top = max(reached, default=-1)
    if top < 0 or (own in STAGES and STAGES.index(own) >= top):
        return own
    return STAGES[top]


AGENDA_SUFFIX = "#agenda"
"""The key of a meeting's agenda copy in the one plan the texts are written from."""


def told_story(op: OpportunityPlan, config: Config) -> OpportunityPlan:
    """A deal's whole story as its texts are written from it: every meeting realized (notes,
    emails, calls), with an agenda copy (key + AGENDA_SUFFIX) of each meeting planned upcoming,
    whatever the day: the same plan."""
    done = tuple(realize(m, config) for m in op.meetings)
    copies = tuple(
        replace(m, key=m.key + AGENDA_SUFFIX) for m in op.meetings if m.status == "scheduled"
    )
    return replace(op, meetings=done + copies)


def story_texts(
    writer: StoryWriter,
    plan: Plan,
    whole: Plan,
    questions: Mapping[str, Sequence[ScorecardQuestion]],
    progress: Progress,
    config: Config,
) -> dict[str, StoryResult]:
    """Each deal's texts, the same whatever the day they are written on, in one request per
    deal: written from the whole story as it turns out (every meeting realized: notes, emails,
    calls), with an upcoming copy (key + AGENDA_SUFFIX) of each meeting planned as upcoming,
    whose text is the agenda of a meeting still ahead in `plan`. (Texts from the day's plan
    alone would change as the days reveal more: a fact said in a later meeting moves.)"""
    ahead = {
        op.opportunity.id: {m.key for m in op.meetings if m.status == "scheduled"}
        for op in plan.opportunities
    }
    told = [told_story(op, config) for op in whole.opportunities]
    results = writer.write_all(told, questions, progress)
    out = {}
    for oid, result in results.items():
        texts = dict(result.content.texts)
        for key in ahead.get(oid, ()):
            texts[key] = texts.pop(key + AGENDA_SUFFIX)
        texts = {k: v for k, v in texts.items() if not k.endswith(AGENDA_SUFFIX)}
        out[oid] = replace(result, content=replace(result.content, texts=texts))
    return out
