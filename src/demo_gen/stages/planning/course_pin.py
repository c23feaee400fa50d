"""A deal's turns and its own values as its story began, as the ledger pins them.

The story ahead is pinned at its first write (`storyline.whole_story`). Its turns move the
deal's own fields (CloseDate, StageName, Probability) once `refresh --advance-stages` writes
them, so a later day reads the deal back with moved values; the story, its texts and its
figures are told of the deal as it was when the story began — the values kept here — and
each day's view applies the turns due by then (`course.deal_on`). That is what a first run
made on a later day sees too: the org before any turn.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

from demo_gen.errors import StateError
from demo_gen.stages.model import Opportunity
from demo_gen.stages.plan import PlannedTurn

FORMAT = 1


def dump_course(opp: Opportunity, turns: tuple[PlannedTurn, ...], kind: str) -> str:
    body = {
        "format": FORMAT,
        "course": kind,
        "opportunity_id": opp.id,
        "origin": {
            "stage": opp.stage, "probability": opp.probability,
            "close_date": opp.close_date.isoformat(), "is_closed": opp.is_closed,
            "is_won": opp.is_won,
        },
        "turns": [_turn(t) for t in turns],
    }  # fmt: skip
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def _turn(t: PlannedTurn) -> dict[str, Any]:
    return {
        "key": t.key, "day": t.day.isoformat(), "reason": t.reason, "stage": t.stage,
        "close_date": t.close_date.isoformat() if t.close_date else None,
    }  # fmt: skip


def load_course(text: str, opp: Opportunity) -> tuple[Opportunity, tuple[PlannedTurn, ...], str]:
    """(the deal as its story began, its turns, its course's kind); a pin that does not fit is
    a StateError."""
    try:
        body = json.loads(text)
        if body["format"] != FORMAT or body["opportunity_id"] != opp.id:
            raise ValueError(f"format {body['format']}, opportunity {body['opportunity_id']}")
        o = body["origin"]
        origin = replace(
            opp, stage=o["stage"], probability=o["probability"],
            close_date=date.fromisoformat(o["close_date"]), is_closed=bool(o["is_closed"]),
            is_won=bool(o["is_won"]),
        )  # fmt: skip
        turns = _turns(body)
    except (ValueError, KeyError, TypeError) as exc:
        raise StateError(
            f"the pinned course of {opp.id} cannot be read ({exc})",
            hint="the state store was edited or written by another version of demo-gen",
        ) from exc
    return origin, turns, str(body["course"])


def course_of(text: str) -> tuple[str, tuple[date, tuple[PlannedTurn, ...], str]]:
    """(deal id, (its close date as the story began, its turns, its kind)) of a pin."""
    body = json.loads(text)
    origin = date.fromisoformat(body["origin"]["close_date"])
    return body["opportunity_id"], (origin, _turns(body), str(body["course"]))


def _turns(body: dict[str, Any]) -> tuple[PlannedTurn, ...]:
    opp_id = body["opportunity_id"]
    return tuple(
        PlannedTurn(
            key=t["key"], opportunity_id=opp_id, day=date.fromisoformat(t["day"]),
            reason=t["reason"], stage=t["stage"],
            close_date=date.fromisoformat(t["close_date"]) if t["close_date"] else None,
        )
        for t in body["turns"]
    )  # fmt: skip
