"""One deal's plan as canonical JSON and back: what the ledger pins so a rerun replans nothing.

`dump_plan` writes everything an `OpportunityPlan` holds except the Opportunity itself (anchor,
the org's Events its story follows, meetings, emails, tasks, the colleagues on the deal), with
sorted keys, datetimes as UTC ISO strings and tuples as lists. `load_plan` rebuilds the same
frozen values around the current Opportunity, so `load_plan(dump_plan(p), p.opportunity) == p`.
`fingerprint` names everything in the configuration that planning reads, so a pin is only ever
used under the settings that made it.
"""

from __future__ import annotations

import hashlib
import json
import types
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from demo_gen.config.model import Config
from demo_gen.errors import StateError
from demo_gen.stages.model import Opportunity, Seller
from demo_gen.stages.plan import OpportunityPlan, PlannedEmail, PlannedMeeting, PlannedTask
from demo_gen.stages.stories.scenario import Scenario

FORMAT = 1
"""Bumped when the stored shape changes: a pin of another format is not read (a new plan)."""

_Item = PlannedMeeting | PlannedEmail | PlannedTask
_T = TypeVar("_T", PlannedMeeting, PlannedEmail, PlannedTask)


def fingerprint(config: Config) -> str:
    """A short hash of the settings planning reads: run.seed, run.name and the activity section.

    The LLM, scorecards and the query are left out: changing them keeps every deal's plan.
    """
    parts: dict[str, Any] = {
        "format": FORMAT,
        "seed": config.run.seed,
        "pack": config.run.name,
        "activity": config.activity.model_dump(mode="json"),
    }
    if config.stories:  # a script reshapes its deal: a pin made under other scripts is not used
        parts["stories"] = [s.model_dump(mode="json") for s in config.stories]
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def pin_key(pack: str, org_id: str, opportunity_id: str, config_print: str, anchor: date) -> str:
    """The content-store key of one deal's pinned plan."""
    return f"plan/{pack}/{org_id}/{opportunity_id}/{config_print}/{anchor.isoformat()}"


def dump_plan(op: OpportunityPlan) -> str:
    """Canonical JSON of the plan's own fields (not the Opportunity, only its id)."""
    body = {
        "format": FORMAT,
        "opportunity_id": op.opportunity.id,
        "anchor": op.anchor.isoformat(),
        "anchor_event_ids": list(op.anchor_event_ids),
        "meetings": [_dump_item(m) for m in op.meetings],
        "emails": [_dump_item(e) for e in op.emails],
        "tasks": [_dump_item(t) for t in op.tasks],
    }
    if op.scenario is not None:  # only scripted deals carry the key: other pins read as before
        body["scenario"] = op.scenario.dump()
    if op.team:  # likewise: a pin made before the team was kept reads as a deal without one
        body["team"] = [{f.name: getattr(u, f.name) for f in fields(u)} for u in op.team]
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def load_plan(text: str, opportunity: Opportunity) -> OpportunityPlan:
    """The pinned plan around `opportunity`; a pin that does not fit it is a StateError."""
    try:
        body = json.loads(text)
        if body["format"] != FORMAT or body["opportunity_id"] != opportunity.id:
            raise ValueError(f"format {body['format']}, opportunity {body['opportunity_id']}")
        return OpportunityPlan(
            opportunity=opportunity,
            anchor=date.fromisoformat(body["anchor"]),
            meetings=tuple(_load_item(PlannedMeeting, m) for m in body["meetings"]),
            emails=tuple(_load_item(PlannedEmail, e) for e in body["emails"]),
            tasks=tuple(_load_item(PlannedTask, t) for t in body["tasks"]),
            anchor_event_ids=tuple(body["anchor_event_ids"]),
            scenario=Scenario.load(body["scenario"]) if body.get("scenario") else None,
            team=tuple(Seller(**u) for u in body.get("team", ())),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise StateError(
            f"the pinned plan of {opportunity.id} cannot be read ({exc})",
            hint="the state store was edited or written by another version of demo-gen",
        ) from exc


def _dump_item(item: _Item) -> dict[str, Any]:
    return {f.name: _dump_value(getattr(item, f.name)) for f in fields(item)}


def _dump_value(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime in a plan: {value.isoformat()}")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, tuple):
        return [_dump_value(v) for v in value]
    return value


def _load_item(cls: type[_T], data: dict[str, Any]) -> _T:
    hints, names = _shape(cls)
    if set(data) != names:
        raise ValueError(f"{cls.__name__} fields differ: {sorted(set(data) ^ names)}")
    return cls(**{name: _load_value(hints[name], value) for name, value in data.items()})


_SHAPES: dict[type, tuple[dict[str, Any], frozenset[str]]] = {}


def _shape(cls: type) -> tuple[dict[str, Any], frozenset[str]]:
    """A plan class's field types and names, resolved once per class (`get_type_hints` was a
    fifth of every `live` pass: each pass loads every deal's pins)."""
    if cls not in _SHAPES:
        _SHAPES[cls] = (get_type_hints(cls), frozenset(f.name for f in fields(cls)))
    return _SHAPES[cls]


def _load_value(hint: Any, value: Any) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        (inner,) = [a for a in get_args(hint) if a is not type(None)]
        return _load_value(inner, value)
    if hint is datetime:
        return datetime.fromisoformat(value).astimezone(UTC)
    if origin is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_load_value(args[0], v) for v in value)
        return tuple(_load_value(a, v) for a, v in zip(args, value, strict=True))
    return value
