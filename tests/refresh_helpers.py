"""Refresh tests' tools: a pack on its own org and ledger, driven by the CLI with `--today`,
and the org read back as a VP would read it (records by deal, without ids and stamps)."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from demo_gen.cli import cli
from demo_gen.local_org.store import Store

ACTIVITIES = ("Event", "EventRelation", "Task", "EmailMessage", "EmailMessageRelation")
SYSTEM = frozenset({
    "Id", "CreatedDate", "LastModifiedDate", "SystemModstamp", "CreatedById", "LastModifiedById",
    "IsDeleted", "EventId", "EmailMessageId", "ActivityId", "ParentId", "TaskId",
})  # fmt: skip
"""Fields a record gets from when and by which call it was made: not part of the story."""


@dataclass
class Pack:
    """One org (a copy of the seeded fixture), one ledger, one config."""

    root: Path
    org: Path
    config: Path

    @classmethod
    def make(cls, root: Path, seeded: Path, limit: int = 8, **run: Any) -> Pack:
        root.mkdir(parents=True, exist_ok=True)
        org = root / "org.sqlite"
        shutil.copy(seeded, org)
        data = {
            "run": {"name": "test-pack", "seed": 42, "anchor_date": None,
                    "runs_dir": str(root / "runs"), **run},
            "salesforce": {"local": {"db": str(org)}, "query": {
                "stages_allowed": ["Qualification", "Discovery", "Evaluation", "Proposal",
                                   "Negotiation"],
                "opportunity_type": None, "limit": limit}},
            "state": {"url": f"sqlite:///{root / 'state.sqlite'}"},
        }  # fmt: skip
        config = root / "demo.yaml"
        config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return cls(root, org, config)

    def cli(self, *args: str, env: dict[str, str] | None = None) -> Any:
        result = CliRunner().invoke(cli, [*args, "-c", str(self.config)], env=env)
        return result

    def ok(self, *args: str) -> dict[str, Any]:
        result = self.cli(*args, "--json")
        assert result.exit_code == 0, (args, result.exit_code, result.output[-2000:])
        return json.loads(result.stdout)

    def rows(self, sobject: str) -> list[dict[str, Any]]:
        store = Store(self.org)
        try:
            return [dict(r) for r in store.rows(sobject)]
        finally:
            store.close()


def written(report: dict[str, Any]) -> int:
    """Records a run created and records it updated."""
    return sum(c.get("created", 0) + c.get("updated", 0) for c in report["counts"].values())


def story_rows(pack: Pack) -> dict[str, Counter[str]]:
    """Every activity record (and every Opportunity's stage), as a multiset of its fields
    without ids and stamps, children named by their parent's subject and start."""
    events = {r["Id"]: r for r in pack.rows("Event")}
    mails = {r["Id"]: r for r in pack.rows("EmailMessage")}
    out: dict[str, Counter[str]] = {}
    for sobject in ACTIVITIES:
        bag: Counter[str] = Counter()
        for row in pack.rows(sobject):
            parent = events.get(row.get("EventId") or "") or mails.get(
                row.get("EmailMessageId") or ""
            )
            fields = {k: v for k, v in row.items() if k not in SYSTEM and v is not None}
            if row.get("TaskSubtype") == "Email":  # the org's own Task: stamped when it is made
                fields.pop("CompletedDateTime", None)
            if parent is not None:
                when = parent.get("StartDateTime") or parent.get("MessageDate")
                fields["parent"] = f"{parent.get('Subject')}@{when}"
            bag[json.dumps(fields, sort_keys=True, default=str)] += 1
        out[sobject] = bag
    out["Opportunity"] = Counter(
        f"{r['Id']}:{r.get('StageName')}:{r.get('Probability')}" for r in pack.rows("Opportunity")
    )
    return out


def boundary(day: date) -> str:
    """A day's start in the org's ISO text (UTC; sellers' midnights come later, never earlier)."""
    return datetime.combine(day, time(0), tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S")


def meetings_by_deal(pack: Pack) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in pack.rows("Event"):
        if row.get("WhatId") and row.get("WhoId"):
            out.setdefault(row["WhatId"], []).append(row)
    return out


def next_days(day: date, n: int) -> str:
    return boundary(day + timedelta(days=n))
