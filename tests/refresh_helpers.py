"""Refresh tests' tools: a pack on its own org and ledger, driven by the CLI with `--today`,
and the org read back as a VP would read it (records by deal, without ids and stamps)."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from demo_gen.cli import cli
from demo_gen.local_org.store.core import Store

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
    _open: Store | None = field(default=None, repr=False, compare=False)

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

    def ours(self) -> set[str]:
        """The ids of every record the ledger says the pack created."""
        from demo_gen.ledger.store import StateStore

        state = StateStore(f"sqlite:///{self.root / 'state.sqlite'}")
        try:
            return {
                row.remote_id
                for run in state.list_runs()
                for row in state.run_items(run.run_id, {"created"})
                if row.remote_id
            }
        finally:
            state.close()

    def reset_every_run(self) -> None:
        """`demo-gen reset` of every run in the ledger, newest first (each must exit 0)."""
        from demo_gen.ledger.store import StateStore

        state = StateStore(f"sqlite:///{self.root / 'state.sqlite'}")
        try:
            runs = [r.run_id for r in state.list_runs()]
        finally:
            state.close()
        for run_id in sorted(runs, reverse=True):
            result = self.cli("reset", run_id, "--yes", "--json")
            assert result.exit_code == 0, result.output[-2000:]

    def rows(self, sobject: str) -> list[dict[str, Any]]:
        if self._open is not None:
            return [dict(r) for r in self._open.rows(sobject)]
        store = Store(self.org)
        try:
            return [dict(r) for r in store.rows(sobject)]
        finally:
            store.close()

    @contextmanager
    def reading(self) -> Iterator[Pack]:
        """Read the org once for many `rows` calls (opening a Store loads every record); the
        pack must not be written meanwhile."""
        if self._open is not None:
            yield self
            return
        self._open = Store(self.org)
        try:
            yield self
        finally:
            self._open.close()
            self._open = None


@contextmanager
def restored(pack: Pack) -> Iterator[Pack]:
    """The pack, for a test that changes it; put back byte for byte afterwards (its org, ledger
    and run folders all live under its root), so tests sharing one pack stay independent."""
    root = pack.root
    backup = root.with_name(root.name + "-backup")
    shutil.copytree(root, backup)
    try:
        yield pack
    finally:
        shutil.rmtree(root)
        backup.rename(root)


def written(report: dict[str, Any]) -> int:
    """Records a run created and records it updated."""
    return sum(c.get("created", 0) + c.get("updated", 0) for c in report["counts"].values())


def story_rows(pack: Pack) -> dict[str, Counter[str]]:
    """Every activity record (and every Opportunity's stage), as a multiset of its fields
    without ids and stamps, children named by their parent's subject and start."""
    with pack.reading():
        return _story_rows(pack)


def _story_rows(pack: Pack) -> dict[str, Counter[str]]:
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
            if sobject == "Task":  # the local org stamps a completed Task when it is made
                fields.pop("CompletedDateTime", None)
            if parent is not None:
                when = parent.get("StartDateTime") or parent.get("MessageDate")
                fields["parent"] = f"{parent.get('Subject')}@{when}"
            bag[json.dumps(fields, sort_keys=True, default=str)] += 1
        out[sobject] = bag
    out["Opportunity"] = Counter(
        f"{r['Id']}:{r.get('StageName')}:{r.get('Probability')}" for r in pack.rows("Opportunity")
    )
    out.update(card_rows(pack))
    return out


CARDS = ("DemoGen_Scorecard__c", "DemoGen_Scorecard_Answer__c")


def card_rows(pack: Pack, *, ids: bool = False) -> dict[str, Counter[str]]:
    """Every scorecard and answer record as a multiset of its fields, without stamps; an
    answer names its scorecard by its Name and the records it cites by subject@time (record ids
    differ from org to org). `ids`: keep each record's own Id (the same org, day after day)."""
    with pack.reading():
        return _card_rows(pack, ids=ids)


def _card_rows(pack: Pack, *, ids: bool) -> dict[str, Counter[str]]:
    cited = {r["Id"]: f"{r.get('Subject')}@{r.get('StartDateTime')}" for r in pack.rows("Event")}
    cited |= {r["Id"]: f"{r.get('Subject')}@{r.get('MessageDate')}"
              for r in pack.rows("EmailMessage")}  # fmt: skip
    cards = {r["Id"]: r["Name"] for r in pack.rows(CARDS[0])}
    out: dict[str, Counter[str]] = {}
    for sobject in CARDS:
        bag: Counter[str] = Counter()
        for row in pack.rows(sobject):
            fields = {k: v for k, v in row.items() if k not in SYSTEM and v is not None}
            if ids:
                fields["Id"] = row["Id"]
            if "Scorecard__c" in fields:
                fields["Scorecard__c"] = cards.get(fields["Scorecard__c"], "?")
            if "Evidence_Ids__c" in fields:
                fields["Evidence_Ids__c"] = [
                    cited.get(i, "?") for i in str(fields["Evidence_Ids__c"]).split(",")
                ]
            bag[json.dumps(fields, sort_keys=True, default=str)] += 1
        out[sobject] = bag
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


@dataclass(frozen=True)
class DayFigures:
    """What a VP sees in the org on one day, over the pack's open deals."""

    day: date
    open_deals: int
    active: int  # open, its story neither stalling nor slipping that day
    active_covered: int  # of those, with a customer meeting in the next 14 days
    covered: int  # open deals with a customer meeting in the next 14 days
    past_with_agenda: int  # meetings before the day still showing an agenda
    duplicates: int  # activities with the same deal, subject and time more than once
    uncovered: tuple[str, ...] = ()  # the active deals without a meeting ahead


def day_figures(
    pack: Pack, day: date, deal_ids: set[str], future_days: int = 21, pack_name: str = "test-pack"
) -> DayFigures:
    """The figures of `day` (each deal's day starts at midnight in its owner's zone). Whether a
    deal's story stalls or slips comes from its pinned course (`commands.told.pinned_courses`)."""
    with pack.reading():
        return _day_figures(pack, day, deal_ids, pack_name)


def _day_figures(pack: Pack, day: date, deal_ids: set[str], pack_name: str) -> DayFigures:
    from zoneinfo import ZoneInfo

    from demo_gen.commands.told import pinned_courses
    from demo_gen.ledger.store import StateStore
    from demo_gen.stages.planning.course import slipping_on

    zones = {u["Id"]: u.get("TimeZoneSidKey") or "UTC" for u in pack.rows("User")}
    opps = {o["Id"]: o for o in pack.rows("Opportunity") if o["Id"] in deal_ids}
    org_id = pack.rows("Organization")[0]["Id"]
    state = StateStore(f"sqlite:///{pack.root / 'state.sqlite'}")
    try:
        courses = pinned_courses(state, pack_name, org_id)
    finally:
        state.close()
    ours = pack.ours()
    meetings = {k: [m for m in v if m["Id"] in ours] for k, v in meetings_by_deal(pack).items()}
    counts = dict(open_deals=0, active=0, active_covered=0, covered=0, past_with_agenda=0)
    uncovered = []
    for oid, opp in opps.items():
        zone = ZoneInfo(zones.get(opp["OwnerId"], "UTC"))
        start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
        soon = start + timedelta(days=14)
        mine = [(_when(m["StartDateTime"]), m) for m in meetings.get(oid, [])]
        counts["past_with_agenda"] += sum(
            1 for when, m in mine if when < start and "Agenda:" in (m.get("Description") or "")
        )
        if opp.get("IsClosed"):
            continue
        counts["open_deals"] += 1
        covered = any(start <= when < soon for when, _ in mine)
        counts["covered"] += covered
        origin, turns, kind = courses.get(oid, (date.min, (), ""))
        quiet = kind != "active" or slipping_on(origin, turns, day)
        if not quiet:
            counts["active"] += 1
            counts["active_covered"] += covered
            if not covered:
                uncovered.append(oid)
    return DayFigures(day=day, duplicates=duplicates(pack, ours), uncovered=tuple(uncovered),
                      **counts)  # fmt: skip


def _when(text: Any) -> datetime:
    if isinstance(text, datetime):
        return text if text.tzinfo else text.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(text).replace("Z", "+00:00").replace("+0000", "+00:00"))


def duplicates(pack: Pack, ours: set[str]) -> int:
    """Our activities on a deal with the same subject and time as another."""
    seen: Counter[tuple[str, str, str, str]] = Counter()
    for sobject, when in (
        ("Event", "StartDateTime"),
        ("EmailMessage", "MessageDate"),
        ("Task", "Description"),
    ):  # a call's text names it: its time is a date
        for row in pack.rows(sobject):
            if row["Id"] not in ours or row.get("TaskSubtype") == "Email":
                continue  # the Task the org made for an EmailMessage
            deal = str(row.get("WhatId") or row.get("RelatedToId"))
            seen[(sobject, deal, str(row.get("Subject")), str(row.get(when)),
                  str(row.get("ActivityDate")))] += 1  # fmt: skip
    return sum(n - 1 for n in seen.values() if n > 1)
