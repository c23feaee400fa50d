"""The `stories:` section applied: which deal each script names, and its plan shaped to the script.

`script_plans(plans, config, events)` finds each script's deal among the selected opportunities
(by id, by name, or by a query; an unknown or ambiguous name is a ConfigError listing the
candidates), checks the script is possible for that deal (a Closed Won deal does not stall, a
Discovery deal has no pricing meeting to stall after, a competitor cannot enter at a stage the
deal has not reached), and applies it (`script_apply`). Every refusal names file:line of the
script and says why. Unscripted deals are returned untouched.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from demo_gen.config.model import Config
from demo_gen.config.stories import DealRef, StoryScript, kind_of
from demo_gen.stages.content.scripted import JOIN_MARK, STALL_MARK
from demo_gen.stages.facts.dates import fmt_day, is_working_day
from demo_gen.stages.model import BusyEvent, Opportunity
from demo_gen.stages.plan import OpportunityPlan
from demo_gen.stages.planning.story import STAGES
from demo_gen.stages.planning.timezones import country_code
from demo_gen.stages.stories.apply import (
    ScriptRefused,
    chasers,
    customer_meetings,
    first_held,
    local,
    silence,
    stall,
)
from demo_gen.stages.stories.people import new_executive
from demo_gen.stages.stories.scenario import Scenario

_RISK_KINDS = {
    "pricing_objection": ("proposal", "negotiation", "business_case"),
    "security_review_blocked": ("technical_deep_dive", "demo", "business_case"),
    "legal_delay": ("legal_review", "negotiation"),
}
_COMPETITOR_KINDS = frozenset(
    {"discovery", "demo", "technical_deep_dive", "business_case", "proposal", "negotiation",
     "legal_review"}
)  # fmt: skip


def add_mark(marks: dict[str, str], key: str, what: str) -> None:
    """Mark `key` with `what` ("a; b" when the script marks it twice)."""
    marks[key] = f"{marks[key]}; {what}" if key in marks else what


def find_deal(ref: DealRef, opportunities: Sequence[Opportunity], taken: set[str]) -> Opportunity:
    """The deal `ref` names among `opportunities`: LookupError when none is, ValueError when
    a name fits several (listed)."""
    if ref.id is not None:
        found = [o for o in opportunities if o.id[:15] == ref.id[:15]]
        if not found:
            raise LookupError(f"no selected opportunity has id {ref.id}")
        return found[0]
    if ref.name is not None:
        return _by_name(ref.name, opportunities)
    assert ref.query is not None
    q = ref.query
    for o in sorted(opportunities, key=lambda o: o.id):
        if (
            o.id not in taken
            and (q.name_contains is None or q.name_contains.lower() in o.name.lower())
            and (q.account is None or q.account.lower() in o.account.name.lower())
            and (q.stage is None or q.stage.lower() == o.stage.lower())
            and (q.min_amount is None or (o.amount or 0) >= q.min_amount)
        ):
            return o
    raise LookupError("no selected opportunity matches the query")


def _by_name(name: str, opportunities: Sequence[Opportunity]) -> Opportunity:
    wanted = name.strip().lower()
    exact = [o for o in opportunities if o.name.lower() == wanted]
    near = exact or [o for o in opportunities if wanted in o.name.lower()]
    if len(near) == 1:
        return near[0]
    if not near:
        raise LookupError(f"no selected opportunity is named {name!r}")
    listed = "; ".join(f"{o.name} ({o.id}, {o.stage})" for o in near[:6])
    more = f" and {len(near) - 6} more" if len(near) > 6 else ""
    raise ValueError(f"{name!r} matches {len(near)} opportunities: {listed}{more}; use deal.id")


def script_plans(
    plans: Sequence[OpportunityPlan],
    config: Config,
    events: Sequence[BusyEvent] = (),
    *,
    keep: frozenset[str] = frozenset(),
) -> tuple[list[OpportunityPlan], list[str]]:
    """`plans` with each scripted deal's plan shaped by its script, and notes for scripts whose
    deal is not among them. ConfigError (file:line, why) for an ambiguous name or a script the
    deal cannot follow. A deal in `keep` (pinned: its script was applied when it was first
    planned) is left as is.
    """
    notes: list[str] = []
    if not config.stories:
        return list(plans), notes
    opps = [p.opportunity for p in plans]
    index = {p.opportunity.id: n for n, p in enumerate(plans)}
    out = list(plans)
    taken: set[str] = set()
    for n, script in enumerate(config.stories):
        loc = ("stories", str(n))
        try:
            opp = find_deal(script.deal, opps, taken)
        except LookupError as exc:  # not selected (another org, --max-opps): said, not fatal
            notes.append(f"{config.locate(loc) or 'stories.' + str(n)}: {exc}; not scripted")
            continue
        except ValueError as exc:
            raise config.error((*loc, "deal"), str(exc)) from None
        if opp.id in taken:
            raise config.error((*loc, "deal"), f"{opp.name!r} is scripted twice")
        taken.add(opp.id)
        where = config.locate(loc) or f"stories[{n}]"
        if opp.id in keep:
            continue
        hours = (config.activity.business_hours.start, config.activity.business_hours.end)
        try:
            shaped = apply_script(out[index[opp.id]], script, where, out, events, hours)
            out[index[opp.id]] = shaped
        except ScriptRefused as exc:
            raise config.error((*loc, *exc.part.split(".")), exc.reason) from None
    return out, notes


def script_key(script: StoryScript) -> str:
    """A digest of what a script says (not of its file, line or directory)."""
    text = json.dumps(script.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def apply_script(
    op: OpportunityPlan,
    script: StoryScript,
    where: str,
    plans: Sequence[OpportunityPlan] = (),
    events: Sequence[BusyEvent] = (),
    hours: tuple[time, time] = (time(9), time(17)),
) -> OpportunityPlan:
    """One deal's plan shaped by its script, with the `Scenario` the writers read attached."""
    from demo_gen.stages.facts.people import choose_roles

    if not op.meetings:
        raise ScriptRefused("deal", f"{op.opportunity.name!r} has no contacts, so no story")
    roles = choose_roles(op)
    # the script itself, not where it sits: editing the file elsewhere leaves this story as it was
    rng = random.Random(f"{script_key(script)}/{op.opportunity.id}/script")
    s = Scenario(
        where=where,
        champion_id=roles.champion.id if roles.champion else None,
        economic_buyer_id=roles.economic_buyer.id if roles.economic_buyer else None,
    )
    marks: dict[str, str] = {}
    op, s = _people(op, script, s, marks, (plans, events, hours))
    owner = op.opportunity.owner.id
    busy = [
        (m.start, m.start + timedelta(minutes=m.duration_minutes))
        for p in (op, *plans)
        for m in p.meetings
        if owner in (m.organizer_id, *m.internal_ids)
    ]
    op, s = _pace(op, script, s, marks, rng, busy)
    s = _competition(op, script, s, marks)
    s = _risks(op, script, s, marks)
    s = _facts(op, script, s)
    return replace(op, scenario=replace(s, marks=marks))


def _people(
    op: OpportunityPlan,
    script: StoryScript,
    s: Scenario,
    marks: dict[str, str],
    world: tuple[Sequence[OpportunityPlan], Sequence[BusyEvent], tuple[time, time]],
) -> tuple[OpportunityPlan, Scenario]:
    people, opp = script.people, op.opportunity
    if people.economic_buyer_absent:
        if opp.is_closed and opp.is_won:
            raise ScriptRefused(
                "people.economic_buyer_absent", "a Closed Won deal was signed by its economic buyer"
            )
        if s.economic_buyer_id:
            op = silence(op, s.economic_buyer_id, None)
        s = replace(s, economic_buyer_absent=True)
    if people.champion_quiet_from is not None:
        op, s = _quiet(op, script, s, marks)
    if people.new_executive is not None:
        op, key, who = new_executive(op, people.new_executive, s, *world)
        add_mark(marks, key, JOIN_MARK)
        s = replace(s, new_executive_id=who, new_executive_stage=people.new_executive)
    return op, s


def _quiet(
    op: OpportunityPlan, script: StoryScript, s: Scenario, marks: dict[str, str]
) -> tuple[OpportunityPlan, Scenario]:
    quiet = script.people.champion_quiet_from
    assert quiet is not None
    opp = op.opportunity
    if s.champion_id is None:
        raise ScriptRefused("people", f"{opp.name!r} has no champion among its contacts")
    if opp.is_closed and opp.is_won:
        raise ScriptRefused("people", "a Closed Won deal's champion carried it to signature")
    if quiet.after is not None:
        last = first_held(op, kind_of(quiet.after), "people.champion_quiet_from")
        since = local(op, last.start) + timedelta(days=1)
    else:
        assert quiet.on is not None
        since = quiet.on
    if since > op.anchor:
        raise ScriptRefused(
            "people.champion_quiet_from",
            f"the champion cannot go quiet on {since}: the story so far ends {op.anchor}",
        )
    before = [m for m in customer_meetings(op) if s.champion_id in m.invitee_ids]
    before = [m for m in before if local(op, m.start) < since]
    if not before:
        raise ScriptRefused(
            "people.champion_quiet_from",
            f"the champion takes part in no meeting before {since}, so cannot go quiet",
        )
    add_mark(marks, before[-1].key, "the champion's last meeting")
    return silence(op, s.champion_id, since), replace(s, quiet_from=since)


def _pace(
    op: OpportunityPlan,
    script: StoryScript,
    s: Scenario,
    marks: dict[str, str],
    rng: random.Random,
    busy: Sequence[tuple[datetime, datetime]] = (),
) -> tuple[OpportunityPlan, Scenario]:
    pace, opp = script.pace, op.opportunity
    if pace is None:
        return op, s
    if pace.stall_after is not None:
        kind = kind_of(pace.stall_after)
        op, last = stall(op, kind)
        add_mark(marks, last.key, STALL_MARK)
        to = s.champion_id if s.quiet_from is None and s.champion_id else last.invitee_ids[0]
        op, keys = chasers(op, last, to, rng, busy)
        marks.update({k: "chaser, unanswered" for k in keys})
        return op, replace(s, pace="stalled", stall_after=kind, stall_day=local(op, last.start))
    if opp.is_closed:
        word = "on_track" if pace.on_track else "slipping"
        raise ScriptRefused("pace", f"a closed deal ({opp.stage}) is not {word}: it is decided")
    if pace.on_track:
        ahead = [m for m in op.meetings if not m.past and not m.internal]
        if not ahead:
            raise ScriptRefused(
                "pace",
                f"{opp.name!r}'s seeded story has no next meeting (it fades or closes before "
                "the next one); script another deal, or a stall",
            )
        add_mark(marks, ahead[0].key, "next step booked (on track)")
        return op, replace(s, pace="on_track")
    return op, replace(s, pace="slipping")


def _competition(
    op: OpportunityPlan, script: StoryScript, s: Scenario, marks: dict[str, str]
) -> Scenario:
    c = script.competition
    if c is None:
        return s
    rank = STAGES.index(c.enters_at)
    there = [
        m
        for m in customer_meetings(op)
        if m.meeting_type in _COMPETITOR_KINDS and _rank(m.stage) >= rank
    ]
    if not there:
        raise ScriptRefused(
            "competition",
            f"{op.opportunity.name!r} has held no meeting in {c.enters_at} or later "
            f"(it is in {op.opportunity.stage}), so {c.competitor} cannot enter there",
        )
    add_mark(marks, there[0].key, f"{c.competitor} enters")
    return replace(s, competitor=c.competitor, competitor_stage=c.enters_at)


def _rank(stage: str) -> int:
    """The index of a meeting's stage label on the path (closed labels count as the last)."""
    from demo_gen.stages.planning.story import _STAGE_INDEX

    key = stage.strip().lower()
    if key in _STAGE_INDEX:
        return _STAGE_INDEX[key]
    return len(STAGES) - 1 if key.startswith("closed") else 0


def _risks(
    op: OpportunityPlan, script: StoryScript, s: Scenario, marks: dict[str, str]
) -> Scenario:
    """Each risk in the first free meeting of its most fitting kind (pricing: the proposal)."""
    held = customer_meetings(op)
    for risk in script.risks:
        kinds = _RISK_KINDS[risk]
        found = [m for k in kinds for m in held if m.meeting_type == k]
        if not found:
            raise ScriptRefused(
                "risks",
                f"{risk} needs a past {' or '.join(kinds)} meeting and "
                f"{op.opportunity.name!r} ({op.opportunity.stage}) has none",
            )
        free = [m for m in found if "risk:" not in marks.get(m.key, "")]
        add_mark(marks, (free or found)[0].key, f"risk: {risk}")
    return replace(s, risks=tuple(script.risks))


def _facts(op: OpportunityPlan, script: StoryScript, s: Scenario) -> Scenario:
    f = script.facts
    event = None
    if f.critical_event is not None:
        event = (f.critical_event.name, f.critical_event.on)
        _check_event_day(op, event[1])
    metrics = (f.metrics.metric, f.metrics.baseline, f.metrics.target) if f.metrics else None
    return replace(s, metrics=metrics, criteria=tuple(f.decision_criteria), critical_event=event)


def _check_event_day(op: OpportunityPlan, day: date) -> None:
    country = country_code(op.opportunity.account.billing_country)
    created = op.opportunity.created_date.date()
    if day <= created:
        raise ScriptRefused(
            "facts", f"the critical event on {day} is before the deal was created ({created})"
        )
    if not is_working_day(day, country):
        raise ScriptRefused(
            "facts", f"the critical event on {fmt_day(day)} is not a working day; pick another"
        )
