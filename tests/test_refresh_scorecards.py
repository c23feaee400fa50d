"""refresh: scorecards follow the days (issue 14).

The session's refresh series (tests/refresh_series.py: a first run on day 0, then refreshes with
`--advance-stages` through day 30) is read on days 0, 1, 2, 3, 4, 9 and 30: the org's
scorecards are read back as a user reads them — the answer records, the records their
Evidence_Ids__c cite — and checked against that day: nothing cited is dated on or after the
day's start in the deal owner's zone, and every date, number and contact name of an answer is in
a record it cites (its subject, date, text or people). Then: the answers of day 0 are the same
records on day 30, now citing the month's meetings and emails. That resetting every run newest
first walks the scorecards back through the days, each card and answer the same record with the
values of the day before, is checked step by step in tests/test_refresh.py over the same series.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import ANCHOR
from refresh_helpers import CARDS, Pack, card_rows, story_rows
from refresh_series import Series, scratch

from demo_gen.stages.facts import fmt_day, local_day
from demo_gen.stages.facts.claims import claims, found

READ_DAYS = (0, 1, 2, 3, 4, 9, 30)
"""The days of the series whose scorecards are read (days after the first run's)."""
ANSWER = CARDS[1]


@dataclass
class Day:
    day: date
    report: dict[str, Any]
    story: dict[str, Counter[str]]  # story_rows, for the reset walk back
    cards: dict[str, Counter[str]]  # card_rows with record ids
    answers: dict[str, dict[str, Any]]  # answer record id -> record
    late: list[str]  # cited records dated on or after the day's start
    unsupported: list[str]  # claims found in no cited record
    checked: int  # claims looked for
    cited_after_day_0: int  # answers citing a record of a day after day 0


def _when(text: Any) -> datetime:
    value = str(text).replace("Z", "+00:00").replace("+0000", "+00:00")
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _read_day(pack: Pack, day: date, report: dict[str, Any]) -> Day:
    """The org's scorecards on `day`, checked against that day (module docstring)."""
    with pack.reading():
        return _checked_day(pack, day, report)


def _checked_day(pack: Pack, day: date, report: dict[str, Any]) -> Day:
    zones = {u["Id"]: u.get("TimeZoneSidKey") or "UTC" for u in pack.rows("User")}
    opps = {o["Id"]: o for o in pack.rows("Opportunity")}
    contacts = {c["Id"]: c for c in pack.rows("Contact")}
    cards = {c["Id"]: c for c in pack.rows(CARDS[0])}
    records = _cited_records(pack, contacts)
    late: list[str] = []
    unsupported: list[str] = []
    checked = after_day_0 = 0
    answers = {a["Id"]: a for a in pack.rows(ANSWER)}
    for answer in answers.values():
        opp = opps[cards[answer["Scorecard__c"]]["Opportunity__c"]]
        zone = zones.get(opp["OwnerId"], "UTC")
        start = datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))
        day_0 = datetime.combine(ANCHOR, time(0), tzinfo=ZoneInfo(zone))
        cited = [records[i] for i in str(answer.get("Evidence_Ids__c") or "").split(",") if i]
        assert cited, answer
        late += [f"{answer['Name']}: {when}" for when, _ in cited if when >= start]
        after_day_0 += any(when >= day_0 for when, _ in cited)
        names = [c["Name"] for c in contacts.values() if c.get("AccountId") == opp["AccountId"]]
        stacks = [f"{fmt_day(local_day(when, zone))}\n{text}" for when, text in cited]
        checked += len(claims(answer["Answer__c"], names))
        unsupported += [
            f"{answer['Name']}: {claim!r} in {answer['Answer__c']!r}"
            for claim in claims(answer["Answer__c"], names)
            if not any(found(claim, stack) for stack in stacks)
        ]
    return Day(
        day, report, story_rows(pack), card_rows(pack, ids=True), answers, late, unsupported,
        checked, after_day_0,
    )  # fmt: skip


def _cited_records(
    pack: Pack, contacts: dict[str, dict[str, Any]]
) -> dict[str, tuple[datetime, str]]:
    """Every Event and EmailMessage: its time, and what a reader sees in it (subject, text,
    the names of the contacts in it)."""
    people: dict[str, list[str]] = {}
    for rel in pack.rows("EventRelation"):
        people.setdefault(rel["EventId"], []).append(rel["RelationId"])
    for rel in pack.rows("EmailMessageRelation"):
        people.setdefault(rel["EmailMessageId"], []).append(rel.get("RelationId") or "")
    out: dict[str, tuple[datetime, str]] = {}
    for sobject, when, body in (
        ("Event", "StartDateTime", "Description"),
        ("EmailMessage", "MessageDate", "TextBody"),
    ):
        for row in pack.rows(sobject):
            ids = [*people.get(row["Id"], []), row.get("WhoId") or ""]
            names = " ".join(contacts[i]["Name"] for i in ids if i in contacts)
            text = f"{row.get('Subject')}\n{row.get(body) or ''}\n{names}"
            out[row["Id"]] = (_when(row[when]), text)
    return out


@pytest.fixture(scope="module")
def days(refresh_series: Series) -> list[Day]:
    series, out = refresh_series, []
    for index, (day, report) in enumerate(zip(series.days, series.reports, strict=True)):
        if (day - ANCHOR).days in READ_DAYS and report is not series.rerun:
            out.append(_read_day(series.org_after(index), day, report))
    assert [d.day for d in out] == [ANCHOR + timedelta(days=n) for n in READ_DAYS]
    return out


def test_no_answer_cites_a_record_of_a_later_day(days: list[Day]) -> None:
    for d in days:
        assert d.answers, d.day
        assert d.late == [], (d.day, d.late[:5])


def test_every_claim_of_every_answer_is_in_a_record_it_cites(days: list[Day]) -> None:
    for d in days:
        assert d.checked > 2 * len(d.answers), (d.day, d.checked)  # dates, numbers, names
        assert d.unsupported == [], (d.day, d.unsupported[:5])


def test_the_cards_follow_the_month_in_the_same_records(days: list[Day]) -> None:
    first, last = days[0], days[-1]
    assert first.cited_after_day_0 == 0
    assert last.cited_after_day_0 > 0  # the month's meetings and emails are cited
    for before, after in zip(days, days[1:], strict=False):
        assert set(before.answers) <= set(after.answers), after.day  # never deleted
    changed = [
        i for i, a in first.answers.items() if last.answers[i]["Answer__c"] != a["Answer__c"]
    ]
    assert changed, "no answer of day 0 reads differently on day 30"
    updated = sum(d.report["counts"]["update:scorecard"]["updated"] for d in days[1:])
    created = sum(d.report["counts"]["answer"]["created"] for d in days[1:])
    assert updated > 0 and created > 0, (updated, created)


def test_a_same_day_rerun_updates_no_scorecard(refresh_series: Series, days: list[Day]) -> None:
    with scratch(refresh_series) as pack:
        again = pack.ok("refresh", "--advance-stages", "--today", days[-1].day.isoformat())
        assert again["counts"]["update:scorecard"] == {
            "created": 0, "skipped": 0, "failed": 0, "deferred": 0, "updated": 0,
        }  # fmt: skip
        assert again["counts"]["answer"]["created"] == 0
        assert card_rows(pack, ids=True) == days[-1].cards


def test_reset_of_a_live_run_walks_each_scorecard_back_through_its_passes(
    seeded_org_file: Path, tmp_path: Path
) -> None:
    """`live` is one run of many passes: a scorecard it brought up to date pass after pass has
    several updates in that one run, and its reset must undo them all, newest first. The live
    run starts on day 4 and runs four simulated days: its first pass brings the cards to day 4,
    and two answers then take a second update of the same fields, which is what the order of
    the undo shows on (undone oldest first, they keep their first update's values). Starting
    on day 1 it took eight days, twice the time, to give as many."""
    from test_live import FakeWall, Frames

    from demo_gen.commands.live_loop import LiveOptions, live
    from demo_gen.config.model import Secrets, load_config
    from demo_gen.ledger.store import StateStore
    from demo_gen.ledger.updates import UpdateLedger

    pack = Pack.make(tmp_path / "live", seeded_org_file)
    pack.ok("run", "--today", ANCHOR.isoformat())
    day_0, cards_0 = story_rows(pack), card_rows(pack, ids=True)
    start = datetime.combine(ANCHOR + timedelta(days=4), time(0), tzinfo=UTC)
    options = LiveOptions(speed=3600.0, start=start, until=start + timedelta(days=4),
                          advance_stages=True, tick_s=0.5)  # fmt: skip
    wall = FakeWall()
    report = live(load_config(pack.config, env={}), Secrets.from_env({}), options, Frames(),
                  lambda: False, wall=wall, sleep=wall.sleep)  # fmt: skip
    state = StateStore(f"sqlite:///{pack.root / 'state.sqlite'}")
    try:
        rows = UpdateLedger(state).of_run(report.run_id or "", ("done",))
    finally:
        state.close()
    per_record = Counter(r.record_id for r in rows if r.record_type in CARDS)
    assert per_record and max(per_record.values()) >= 2, per_record
    assert card_rows(pack, ids=True) != cards_0
    result = pack.cli("reset", report.run_id or "", "--yes", "--json")
    assert result.exit_code == 0, result.output[-1500:]
    assert card_rows(pack, ids=True) == cards_0
    assert story_rows(pack) == day_0


def test_an_answer_the_day_no_longer_gives_is_left_as_it_is(refresh_series: Series) -> None:
    """Evidence only grows, so the scorer takes no answer back; a stage moved back by hand makes
    the card expect less, and the answers it no longer gives keep their records as they were.
    (On the series' org of day 30; a copy, put back afterwards.)"""
    with scratch(refresh_series) as pack:
        _moved_back_then_refreshed(pack, refresh_series.days[-1])


def _moved_back_then_refreshed(pack: Pack, day: date) -> None:
    from demo_gen.commands.org_launch import open_crm
    from demo_gen.config.model import Secrets, load_config

    cards = {c["Id"]: c for c in pack.rows(CARDS[0])}
    answers = pack.rows(ANSWER)
    per_opp = Counter(cards[a["Scorecard__c"]]["Opportunity__c"] for a in answers)
    opp_id = max(per_opp, key=lambda o: (per_opp[o], o))
    with open_crm(load_config(pack.config, env={}), Secrets()) as crm:
        (moved,) = crm.update([{"attributes": {"type": "Opportunity"}, "Id": opp_id,
                                "StageName": "Qualification", "Probability": 10}])  # fmt: skip
    assert moved.success
    before = {a["Id"]: a for a in pack.rows(ANSWER)}
    later = pack.ok("refresh", "--today", (day + timedelta(days=1)).isoformat())
    after = {a["Id"]: a for a in pack.rows(ANSWER)}
    assert set(before) <= set(after)  # nothing deleted (a deal the day-30 refresh closed
    # gets the card of its Closed stage now that the flag is off: `storyline.seen_on`)
    mine = [i for i, a in before.items() if cards[a["Scorecard__c"]]["Opportunity__c"] == opp_id]
    made = [a for i, a in after.items() if i not in before]
    assert not [a for a in made if a["Scorecard__c"] in {before[i]["Scorecard__c"] for i in mine}]
    card = next(c for c in map(json.loads, _jsonl(pack, later["run_id"]))
                if c["opportunity_id"] == opp_id)  # fmt: skip
    given = {a["element_id"] for a in card["answers"]}
    left = [i for i in mine if before[i]["Element__c"] not in given]
    assert left, (given, [before[i]["Element__c"] for i in mine])
    assert all(after[i] == before[i] for i in left)


def _jsonl(pack: Pack, run_id: str) -> list[str]:
    path = pack.root / "runs" / run_id / "scorecards.jsonl"
    return path.read_text(encoding="utf-8").splitlines()
