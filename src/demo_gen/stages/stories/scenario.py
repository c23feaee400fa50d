"""One deal's scripted story, resolved against its plan: the value the planner, the fact sheet,
the writer and the scorecards read.

`Scenario` is what the user's `stories:` entry says in the planner's terms (meeting kinds, stage
names, contact ids, days); `marks` name the activities the script shaped, so dry-run can show
them. A deal without a script has `OpportunityPlan.scenario is None` and is planned, written and
scored exactly as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Scenario:
    """What one scripted deal's story must contain (see `config_stories` for the vocabulary)."""

    where: str  # "demo.yaml:41", where the script was written
    pace: str = "seeded"  # seeded | on_track | stalled | slipping
    stall_after: str | None = None  # planner meeting kind
    stall_day: date | None = None  # seller-local day of the meeting it stalled after
    champion_id: str | None = None
    quiet_from: date | None = None  # the champion's last day of taking part is the day before
    economic_buyer_id: str | None = None
    economic_buyer_absent: bool = False
    new_executive_id: str | None = None
    new_executive_stage: str | None = None
    competitor: str | None = None
    competitor_stage: str | None = None
    risks: tuple[str, ...] = ()
    metrics: tuple[str, str, str] | None = None  # metric, baseline, target
    criteria: tuple[str, ...] = ()
    critical_event: tuple[str, date] | None = None
    marks: Mapping[str, str] = field(default_factory=dict)  # activity key -> what the script did

    def summary(self) -> str:
        """One line a person reads: what this deal's script says."""
        parts = []
        if self.pace == "stalled":
            parts.append(f"stalls after the {self.stall_after} meeting")
        elif self.pace != "seeded":
            parts.append(self.pace.replace("_", " "))
        if self.quiet_from is not None:
            parts.append(f"champion quiet from {self.quiet_from:%d %b %Y}")
        if self.economic_buyer_absent:
            parts.append("economic buyer never attends")
        if self.new_executive_stage:
            parts.append(f"a new executive joins in {self.new_executive_stage}")
        if self.competitor:
            parts.append(f"{self.competitor} enters in {self.competitor_stage}")
        parts += [r.replace("_", " ") for r in self.risks]
        if self.metrics or self.criteria or self.critical_event:
            parts.append("pinned facts")
        return "; ".join(parts) or "no scripted events"

    def dump(self) -> dict[str, Any]:
        """Every field, JSON-ready (dates ISO): what a pinned plan keeps; `load` reads it back."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, date):
                value = value.isoformat()
            elif name == "critical_event" and value is not None:
                value = [value[0], value[1].isoformat()]
            elif isinstance(value, tuple):
                value = list(value)
            elif name == "marks":
                value = dict(sorted(value.items()))
            out[name] = value
        return out

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> Scenario:
        """The Scenario `dump` wrote (ValueError, KeyError or TypeError for anything else)."""
        values = dict(data)
        for name in ("stall_day", "quiet_from"):
            if values.get(name) is not None:
                values[name] = date.fromisoformat(values[name])
        event = values.get("critical_event")
        if event is not None:
            values["critical_event"] = (str(event[0]), date.fromisoformat(event[1]))
        if values.get("metrics") is not None:
            values["metrics"] = tuple(values["metrics"])
        values["risks"] = tuple(values.get("risks", ()))
        values["criteria"] = tuple(values.get("criteria", ()))
        values["marks"] = dict(values.get("marks", {}))
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "summary": self.summary(),
            "marks": dict(sorted(self.marks.items())),
        }
