"""The planner: opportunities + settings + anchor dates → Plan. Pure, seeded, deterministic.

Rules (the parts live in `demo_gen.planning`):
- Time: the anchor instant is 00:00 of the anchor date in the owner's zone. An item is `past` iff
  it starts before that instant. Past items fill [end − past_days, end), where end is the anchor,
  or the close date for a deal that closed before it (its history leads up to the close). Future
  meetings fill [anchor + 1 day, anchor + 1 + future_days days) so that a run at any hour of the
  anchor day sees past items done and future items ahead. Emails are history and only fill the
  past window.
  Nothing falls before the opportunity's created date, and nothing after its close date (owner's
  local end of day) when it is closed; closed deals have no future meetings.
- Randomness: every stream is `random.Random(f"{seed}/{pack}/{opportunity id}/...")`; an item's
  `content_seed` comes from `Random(f"{seed}/{pack}/{item key}/content")`. So adding an
  opportunity never changes another's plan, and the same inputs give the same plan anywhere.
- An opportunity without contacts gets no meetings and no emails (said in `Plan.notes`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from demo_gen.config import Config
from demo_gen.model import Opportunity
from demo_gen.plan import OpportunityPlan, Plan, PlannedEmail, PlannedMeeting
from demo_gen.planning.cadence import RANK, future_types, past_types, stage_slice
from demo_gen.planning.context import Context, build_context
from demo_gen.planning.meetings import MeetingDraft, schedule
from demo_gen.planning.threads import EmailDraft, plan_threads, renumber


def plan(opportunities: Sequence[Opportunity], config: Config, anchors: Mapping[str, date]) -> Plan:
    """Same inputs, same plan, on any machine and any PYTHONHASHSEED.

    `anchors` maps every opportunity id to its anchor date.
    """
    planned = [_plan_one(opp, config, anchors[opp.id]) for opp in opportunities]
    return Plan(
        opportunities=tuple(p for p, _ in planned),
        seed=config.run.seed,
        pack=config.run.name,
        notes=tuple(note for _, notes in planned for note in notes),
    )


def plan_opportunity(opportunity: Opportunity, config: Config, anchor: date) -> OpportunityPlan:
    """The plan of one opportunity; identical to its entry in `plan()`."""
    return _plan_one(opportunity, config, anchor)[0]


def _plan_one(
    opportunity: Opportunity, config: Config, anchor: date
) -> tuple[OpportunityPlan, list[str]]:
    ctx = build_context(opportunity, config, anchor)
    if not opportunity.contacts:
        note = f"{opportunity.id}: no contacts, so no meetings or emails were planned"
        return OpportunityPlan(opportunity, anchor, (), ()), [note]
    drafts, notes = _meeting_drafts(ctx)
    last_rank = max((RANK[d.meeting_type] for d in drafts), default=0)
    meetings = _meetings(ctx, config, drafts)
    emails = _emails(ctx, config, plan_threads(ctx, drafts, last_rank), meetings)
    return OpportunityPlan(opportunity, anchor, tuple(meetings), tuple(emails)), notes


def _meeting_drafts(ctx: Context) -> tuple[list[MeetingDraft], list[str]]:
    opp = ctx.opportunity
    rng = ctx.rng("cadence")
    current = stage_slice(opp, rng)
    counts = ctx.settings.meetings
    n_past = rng.randint(counts.past_min, counts.past_max)
    n_future = 0 if opp.is_closed else rng.randint(counts.future_min, counts.future_max)
    born = opp.created_date >= ctx.history_end() - timedelta(days=ctx.settings.past_days)
    kinds = past_types(n_past, current[0], current[1], born, rng)
    past, notes = schedule(ctx, kinds, ctx.past_bounds(), "past", current)
    floor = max([current[0]] + [RANK[d.meeting_type] for d in past])
    kinds = future_types(n_future, floor, max(floor, current[1]), rng)
    future, more = schedule(ctx, kinds, ctx.future_bounds(), "future", current)
    return past + future, notes + more


def _content_seed(config: Config, key: str) -> int:
    return random.Random(f"{config.run.seed}/{config.run.name}/{key}/content").getrandbits(32)


def _meetings(ctx: Context, config: Config, drafts: list[MeetingDraft]) -> list[PlannedMeeting]:
    out = []
    for seq, draft in enumerate(drafts, start=1):
        key = f"{ctx.opportunity.id}/meeting/{seq}"
        out.append(
            PlannedMeeting(
                key=key,
                opportunity_id=ctx.opportunity.id,
                seq=seq,
                meeting_type=draft.meeting_type,
                subject=draft.subject,
                start=draft.start,
                duration_minutes=draft.duration,
                location=draft.location,
                past=draft.start < ctx.anchor_instant,
                organizer_id=ctx.opportunity.owner.id,
                primary_contact_id=draft.invitees[0],
                invitee_ids=draft.invitees,
                stage=draft.stage,
                content_seed=_content_seed(config, key),
            )
        )
    return out


def _emails(
    ctx: Context, config: Config, drafts: list[EmailDraft], meetings: list[PlannedMeeting]
) -> list[PlannedEmail]:
    ordered = renumber(drafts)
    keys = [f"{ctx.opportunity.id}/email/{seq}" for seq in range(1, len(ordered) + 1)]
    by_position = {(e.thread, e.position): key for e, key in zip(ordered, keys, strict=True)}
    out = []
    for seq, (draft, key) in enumerate(zip(ordered, keys, strict=True), start=1):
        meeting = meetings[draft.meeting_index].key if draft.meeting_index is not None else None
        out.append(
            PlannedEmail(
                key=key,
                opportunity_id=ctx.opportunity.id,
                seq=seq,
                thread_key=by_position[(draft.thread, 0)],
                subject=draft.subject,
                sent_at=draft.sent_at,
                direction=draft.direction,
                from_contact_id=draft.from_contact_id,
                to_contact_ids=draft.to_contact_ids,
                meeting_key=meeting,
                in_reply_to=by_position.get((draft.thread, draft.position - 1)),
                purpose=draft.purpose,
                content_seed=_content_seed(config, key),
            )
        )
    return out
