"""The HTML report at scale: plan a large org, draw it, measure the file and open it in Chromium.

Builds a local org of N opportunities (default 2,000) in a temp directory, selects and plans them
all as `bench_story.py` does, writes their texts and scorecards as a run would, draws the report
from that story (`html_report.render_story`: the same page `demo-gen report` writes) and prints
its size. With `--browser` it opens the file in headless Chromium (/usr/bin/chromium) and prints
the time to the load event, the deals and charts in the DOM, requests made and console errors;
it then expands one compressed block of deals and checks they arrive.

    python bench/bench_report.py [--opportunities 2000] [--browser] [--keep report.html]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from demo_gen.commands.org_launch import open_crm
from demo_gen.config.model import Config, Secrets
from demo_gen.html_report import render_story
from demo_gen.html_report.story import RunStory
from demo_gen.ledger.store import RunRow
from demo_gen.local_org.fixture.build import FixtureSpec, build_org
from demo_gen.local_org.store.core import Store
from demo_gen.stages import planner
from demo_gen.stages.compose import load_templates, scorecards_for
from demo_gen.stages.content import HeuristicContent
from demo_gen.stages.realism import realism_report
from demo_gen.stages.textmetrics import text_report
from demo_gen.targets.salesforce.selection import select_opportunities

ANCHOR = date(2026, 11, 30)
FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=2000)
    parser.add_argument("--browser", action="store_true", help="open it in headless Chromium")
    parser.add_argument("--keep", type=Path, help="also copy the report here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="demo-gen-report-"))
    try:
        story = _story(work, args.opportunities)
        started = time.perf_counter()
        html, deals, sellers, charts = render_story(story)
        seconds = time.perf_counter() - started
        path = work / "report.html"
        path.write_text(html, encoding="utf-8")
        size = path.stat().st_size
        print(f"deals {deals}  sellers {sellers}  charts {charts}  render {seconds:.1f} s")
        print(f"report size: {size:,} bytes ({size / 2**20:.1f} MiB); limit 25 MB")
        if args.keep:
            shutil.copy(path, args.keep)
        if args.browser:
            return _open(path, deals)
        return 0 if size < 25_000_000 else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _story(work: Path, opportunities: int) -> RunStory:
    db = work / "org.sqlite"
    store = Store(db)
    build_org(store, FixtureSpec(anchor=ANCHOR, opportunities=opportunities))
    store.close()
    config = Config.model_validate({
        "run": {"name": "se-demo-pack", "seed": 42},
        "salesforce": {"local": {"db": str(db)},
                       "query": {"limit": opportunities, "opportunity_type": None,
                                 "stages_allowed": []}},
    })  # fmt: skip
    with open_crm(config, Secrets()) as crm:
        snap = select_opportunities(crm, config.salesforce.query).snapshot
    anchors = {o.id: ANCHOR for o in snap.opportunities}
    plan = planner.plan(snap.opportunities, config, anchors, users=snap.users, events=snap.events)
    writer = HeuristicContent(seed=config.run.seed, pack=config.run.name)
    templates = load_templates(config)
    texts: dict[str, str] = {}
    cards = []
    for op in plan.opportunities:
        written = writer.write(op).texts
        texts.update(written)
        cards += scorecards_for(templates, op, config, texts=written)
    realism = realism_report(plan, config.activity) | text_report(plan, cards)
    run = RunRow("bench", config.run.name, snap.org_id, "run", "completed",
                 f"{ANCHOR}T09:00:00+00:00", None, config.fingerprint(), None)  # fmt: skip
    return RunStory(run, {}, {"realism": realism}, (), plan, snap.users, texts,
                    tuple(c.to_json() for c in cards), ())  # fmt: skip


def _open(path: Path, deals: int) -> int:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=list(FLAGS))
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        started = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load", timeout=120_000)
        loaded = time.perf_counter() - started
        drawn = page.locator("section.deal svg.tl").count()
        charts = page.locator("[data-chart] svg").count()
        started = time.perf_counter()
        page.click("#more-deals")
        page.wait_for_function(f"document.querySelectorAll('section.deal').length > {drawn}")
        expanded = time.perf_counter() - started
        after = page.locator("section.deal svg.tl").count()
        browser.close()
    print(f"browser: load event {loaded:.2f} s; {drawn} deals and {charts} charts in the DOM;"
          f" 'show more' -> {after} deals in {expanded:.2f} s")  # fmt: skip
    print(f"requests {len(requests)} ({', '.join(sorted(set(requests)))}); console errors "
          f"{len(errors)} {errors[:3]}")  # fmt: skip
    ok = not errors and requests == [path.as_uri()] and after > drawn and drawn < deals
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
