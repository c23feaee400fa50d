"""`demo-gen report`: every deal drawn, every citation linked, every realism figure charted,
nothing to fetch; `latest` and unknown runs; the texts are the ones the run wrote to the org."""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_helpers import LAZY as LAZY_BLOCK
from report_helpers import ReportedRun, expand, make_reported_run, story_of
from test_scripted_e2e import _config as scripted_config
from test_scripted_stories import LATE, QUIET, STALL, seeded  # noqa: F401

from demo_gen.cli import cli
from demo_gen.commands.runref import resolve_run_id
from demo_gen.errors import UsageError
from demo_gen.html_report import page
from demo_gen.html_report.build import render_story
from demo_gen.html_report.charts import target_range
from demo_gen.html_report.deal_view import anchor_of
from demo_gen.ledger.store import StateStore
from demo_gen.local_org.store.core import Store
from demo_gen.stages.timeline import deal_timeline, script_line

UNSCRIPTED = re.compile(r'badge scripted|script-mark|data-scripted|class="[^"]*\bscripted')
DRAWN = ("meeting", "email", "call")  # the ledger's kinds a timeline draws (LinkedIn is a call)


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory, seeded_org_file: Path) -> ReportedRun:
    return make_reported_run(tmp_path_factory.mktemp("report"), seeded_org_file)


def _deal_sections(html: str) -> dict[str, str]:
    """deal anchor -> its section's HTML."""
    parts = re.split(r'(?=<section class="deal" id=")', html)
    out = {}
    for part in parts[1:]:
        anchor = re.match(r'<section class="deal" id="([^"]+)"', part)
        assert anchor
        out[anchor.group(1)] = part.split("</section>", 1)[0]
    return out


def _scorecards(reported: ReportedRun) -> list[dict]:
    text = (reported.run_dir / "scorecards.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line]


def test_every_deal_of_the_run_has_a_timeline_with_its_activities(reported):
    """One timeline per deal of the run, one mark per meeting, email and call it created."""
    state = StateStore.open_readonly(f"sqlite:///{reported.root / 'state.sqlite'}")
    try:
        opp_ids = state.run_opportunities(reported.run_id)
        items = state.run_items(reported.run_id)
    finally:
        state.close()
    made: Counter[str] = Counter(i.opportunity_id for i in items if i.kind in DRAWN)
    deals = _deal_sections(reported.expanded)
    assert len(deals) == len(opp_ids) == reported.summary["opportunities"] > 0
    drawn = set()
    for n, section in enumerate(deals.values(), start=1):
        opp = re.search(r'data-opportunity="([^"]+)"', section)
        assert opp and '<svg class="tl"' in section
        drawn.add(opp.group(1))
        assert section.count('class="lane ') >= 2  # the seller and at least one customer
        marks = re.findall(r'<a href="#(d\d+-[^"]+)" class="mark', section)
        assert len(marks) == made[opp.group(1)] > 0, f"deal {n}"
        for anchor in marks:  # every mark opens a record of the same deal
            assert anchor.startswith(f"d{n}-") and f'id="{anchor}"' in section
    assert drawn == set(opp_ids)


def test_every_scorecard_answer_links_to_the_records_it_cites(reported):
    deals = _deal_sections(reported.expanded)
    order = {}
    for anchor, section in deals.items():
        name = re.search(r"<h3>(.*?)</h3>", section)
        assert name
        order[htmllib.unescape(name.group(1))] = (anchor, section)
    cited = 0
    for card in _scorecards(reported):
        anchor, section = order[card["opportunity_name"]]
        number = anchor.removeprefix("deal-")
        items = re.findall(r'<ol class="answers">(.*?)</ol>', section, re.S)
        assert len(items) == 1
        shown = re.findall(r"<li>(.*?)</li>", items[0], re.S)
        assert len(shown) == len(card["answers"])
        for answer, html in zip(card["answers"], shown, strict=True):
            links = re.findall(r'<a href="#([^"]+)">', html)
            assert links == [anchor_of(f"d{number}-", k) for k in answer["evidence_keys"]]
            for target in links:
                assert f'id="{target}"' in section
                cited += 1
    assert cited > 0


def test_every_realism_figure_has_a_chart_with_its_target(reported):
    realism = reported.summary["realism"]
    names = [k for k, v in realism.items() if isinstance(v, dict) and "target" in v]
    names += [f"text.{k}" for k, v in realism["text"].items() if v.get("target")]
    assert len(names) > 20
    for name in names:
        figure = re.search(rf'<figure class="bullet [^"]*" data-chart="{re.escape(name)}">'
                           r"(.*?)</figure>", reported.html, re.S)  # fmt: skip
        assert figure, f"no chart for {name}"
        assert "<svg" in figure.group(1) and "target" in figure.group(1)
    for histogram in ("weekday", "start-minute", "send-hour", "reply-delay", "per-stage",
                      "people-per-deal"):  # fmt: skip
        assert f'data-chart="{histogram}"' in reported.html


def test_the_page_fetches_nothing(reported):
    """No URL to load: no src attribute, no external href, no url(http…), a CSP of 'none'."""
    page_html = reported.expanded
    assert "default-src 'none'" in page_html
    assert not re.search(r"\ssrc=", page_html)
    assert not re.search(r'href="(?!#)', page_html.replace('xmlns:xlink="http', ""))
    assert not re.search(r"url\((?!#)", page_html)
    assert "@import" not in page_html and "<link" not in page_html


def test_meeting_and_email_texts_are_the_ones_in_the_org(reported):
    state = StateStore.open_readonly(f"sqlite:///{reported.root / 'state.sqlite'}")
    try:
        ids = {i.remote_id for i in state.run_items(reported.run_id) if i.kind == "meeting"}
    finally:
        state.close()
    store = Store(reported.root / "org.sqlite")
    try:
        notes = [r["Description"] for r in store.rows("Event") if r["Id"] in ids]
    finally:
        store.close()
    shown = {htmllib.unescape(t) for t in re.findall(r'<pre class="text">(.*?)</pre>',
                                                     reported.expanded, re.S)}  # fmt: skip
    assert notes and all(n in shown for n in notes if n)


def test_deals_beyond_the_first_are_compressed_and_complete(reported, monkeypatch):
    from demo_gen.html_report.build import render_story
    from demo_gen.html_report.story import RunStory

    monkeypatch.setattr(page, "EAGER", 2)
    monkeypatch.setattr(page, "CHUNK", 2)
    story = story_of(reported)
    assert isinstance(story, RunStory)
    html, deals, _, _ = render_story(story)
    assert len(_deal_sections(html)) == 2
    assert html.count('type="application/x-gzip-b64" id="deals-') == (deals - 2 + 1) // 2
    assert list(_deal_sections(expand(html))) == [f"deal-{n}" for n in range(1, deals + 1)]


def test_a_run_that_left_no_summary_is_still_drawn(reported):
    """An interrupted or failed run has no summary: its deals are drawn all the same."""
    from dataclasses import replace

    from demo_gen.html_report.build import render_story

    html, deals, _, _ = render_story(replace(story_of(reported), summary={}))
    assert deals == len(_deal_sections(expand(html))) > 0
    assert "no counts recorded" in html


def test_latest_names_the_newest_run_and_unknown_ids_are_usage_errors(reported):
    state = StateStore.open_readonly(f"sqlite:///{reported.root / 'state.sqlite'}")
    try:
        assert resolve_run_id(state, "latest") == reported.run_id
        assert resolve_run_id(state, reported.run_id) == reported.run_id
        assert resolve_run_id(state, "nope") == "nope"  # the command checks that it exists
    finally:
        state.close()


def test_latest_is_the_newest_of_several_runs():
    class Ledger:
        runs = [_row("run-b", "2026-11-30T10:00:00Z"), _row("run-a", "2026-11-29T10:00:00Z")]

        def list_runs(self):  # newest first, as StateStore.list_runs
            return self.runs

        def get_run(self, run_id):
            return next((r for r in self.runs if r.run_id == run_id), None)

    assert resolve_run_id(Ledger(), "latest") == "run-b"
    assert resolve_run_id(Ledger(), "run-a") == "run-a"


def _row(run_id: str, started: str):
    from demo_gen.ledger.store import RunRow

    return RunRow(run_id, "p", "00D", "run", "completed", started, None, "f", None)


def test_latest_in_an_empty_ledger_is_a_usage_error(tmp_path):
    state = StateStore(f"sqlite:///{tmp_path / 'state.sqlite'}")
    try:
        with pytest.raises(UsageError, match="no run yet"):
            resolve_run_id(state, "latest")
    finally:
        state.close()


def test_report_cli_writes_next_to_the_run_and_says_where(reported):
    result = CliRunner().invoke(cli, ["report", "-c", str(reported.config), "--json"])
    assert result.exit_code == 0, result.stderr
    written = json.loads(result.stdout)
    assert written["path"] == str(reported.run_dir / "report.html")
    assert written["run_id"] == reported.run_id
    assert Path(written["path"]).stat().st_size == written["bytes"]


def test_report_of_an_unknown_run_is_one_line_and_exit_2(reported):
    result = CliRunner().invoke(cli, ["report", "nope", "-c", str(reported.config)])
    assert result.exit_code == 2
    assert "error: unknown run id: nope" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("target", "bounds"),
    [("<= 0.35", (None, 0.35)), ("≥ 0.35", (0.35, None)), ("24–72", (24.0, 72.0)),
     ("0", (0.0, 0.0)), ("< 0.05", (None, 0.05)), (">= 0.6 of deals", (0.6, None)),
     ("n/a", None)],
)  # fmt: skip
def test_target_ranges(target, bounds):
    assert target_range(target) == bounds


def test_an_llm_run_is_drawn_with_the_llm_texts_and_no_request(make_config, org_db):
    """The texts come from the ledger's cache, exactly as the run wrote them to the org."""
    from llm_server import LlmServer
    from test_llm_e2e import llm_config

    with LlmServer() as server:
        config = llm_config(make_config, server.url)
        run = CliRunner().invoke(cli, ["run", "-c", str(config), "--json"])
        assert run.exit_code == 0, run.stderr
        calls = server.count
        out = config.parent / "llm-report.html"
        made = CliRunner().invoke(cli, ["report", "-c", str(config), "--out", str(out)])
        assert made.exit_code == 0, made.stderr
        assert server.count == calls  # the report asked nothing
    page_html = expand(out.read_text(encoding="utf-8"))
    shown = {
        htmllib.unescape(t) for t in re.findall(r'<pre class="text">(.*?)</pre>', page_html, re.S)
    }
    store = Store(org_db)
    try:
        notes = [e["Description"] for e in store.rows("Event") if e["Description"]]
    finally:
        store.close()
    llm_notes = [n for n in notes if n.startswith("LLM: ")]
    assert llm_notes and all(n in shown for n in llm_notes)


@pytest.fixture(scope="module")
def scripted_report(tmp_path_factory: pytest.TempPathFactory, seeded) -> ReportedRun:  # noqa: F811
    """The example's three scripted stories run against the `make demo` org, then reported."""
    root = tmp_path_factory.mktemp("scripted-report")
    db = root / "org.sqlite"
    shutil.copy(seeded[0], db)
    config = scripted_config(root, db)
    run = CliRunner().invoke(cli, ["run", "-c", str(config), "--json"])
    assert run.exit_code == 0, run.stderr
    out = root / "report.html"
    made = CliRunner().invoke(cli, ["report", "latest", "-c", str(config), "--out", str(out)])
    assert made.exit_code == 0, made.stderr
    html = out.read_text(encoding="utf-8")
    summary = json.loads(run.stdout)
    return ReportedRun(root, config, summary["run_id"], summary, html, expand(html))


def test_scripted_deals_come_first_with_their_story_and_marks(scripted_report):
    """Index and sections open with the scripted deals, drawn eagerly, badged, with the script's
    line and exactly the activities dry-run marks `<<<` highlighted on the timeline and the list."""
    plan = story_of(scripted_report).plan
    by_id = {op.opportunity.id: op for op in plan.opportunities}
    sections = list(_deal_sections(scripted_report.expanded).items())
    assert len(sections) > page.EAGER  # some deals are drawn lazily, and they are unscripted
    opp_of = [re.search(r'data-opportunity="([^"]+)"', s).group(1) for _, s in sections]  # type: ignore[union-attr]
    kinds = [by_id[i].scenario is not None for i in opp_of]
    assert kinds == sorted(kinds, reverse=True) and kinds.count(True) == 3  # scripted ones first
    names = {by_id[i].opportunity.name for i in opp_of[:3]}
    assert names == {STALL, LATE, QUIET}
    index = re.findall(r"<tr><td data-v=\"(\d+)\">.*?</tr>", scripted_report.html)
    rows = re.findall(r"<tr><td data-v=\"\d+\">.*?</tr>", scripted_report.html)
    assert index[:3] == ["1", "2", "3"] and all("badge scripted" in r for r in rows[:3])
    assert not any("scripted" in r for r in rows[3:])
    wanted = {STALL: "chaser, unanswered", LATE: "ThoughtSpot enters", QUIET: "champion's last"}
    for n, ((_anchor, section), opp_id) in enumerate(zip(sections, opp_of, strict=True), start=1):
        op = by_id[opp_id]
        if op.scenario is None:
            assert not UNSCRIPTED.search(section), f"deal {n} is not scripted"
            continue
        assert section in scripted_report.html  # eager: in the page as it opens, not compressed
        assert 'data-scripted="true"' in section
        assert '<span class="badge scripted">scripted story</span>' in section
        assert script_line(op) in htmllib.unescape(section)
        assert re.search(r"scripted \([^)]*:\d+\)", section)  # the script's file:line
        marked = {anchor_of(f"d{n}-", k): v for k, v in op.scenario.marks.items()}
        assert marked and wanted[op.opportunity.name] in htmllib.unescape(section)
        svg = set(re.findall(r'<a href="#([^"]+)" class="mark [^"]*scripted"', section))
        acts = set(re.findall(r'<details class="act \w+ scripted" id="([^"]+)"', section))
        assert svg == acts == set(marked), op.opportunity.name
        notes = re.findall(r'<span class="script-mark">◆ ([^<]*)</span>', section)
        timeline = deal_timeline(plan, opp_id)
        assert sorted(htmllib.unescape(x) for x in notes) == sorted(
            line.split("<<< ", 1)[1] for line in timeline.splitlines() if "<<< " in line
        )  # the same marks as dry-run's timeline


def test_an_unscripted_run_has_no_script_marks(reported):
    assert 'class="badge scripted"' not in reported.expanded
    assert 'data-scripted="true"' not in reported.expanded
    assert not re.search(r'class="(?:mark|act) [^"]*scripted', reported.expanded)


def test_scripted_deals_are_drawn_eagerly_even_beyond_the_eager_count(scripted_report, monkeypatch):
    monkeypatch.setattr(page, "EAGER", 2)  # fewer than the three scripted deals
    html = render_story(story_of(scripted_report))[0]
    eager = LAZY_BLOCK.sub("", html)  # the page as it opens, compressed blocks left out
    assert eager.count('data-scripted="true"') == 3
    assert len(_deal_sections(eager)) == 3  # and nothing more than them
