"""The report in a real browser: headless Chromium (the Debian package) opens a small run's
report and finds every deal's timeline and every chart, with no request and no console error.

Skipped, with the reason, where Chromium is absent (`apt-get install chromium`; CI's .ci/run
installs it). Driven through Playwright's Python package against /usr/bin/chromium: no browser
is downloaded.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from report_helpers import ReportedRun, make_reported_run, story_of

CHROMIUM = os.environ.get("DEMO_GEN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).is_file(),
        reason=f"Chromium not found at {CHROMIUM}: `apt-get install chromium` (CI's .ci/run does)",
    ),
]


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory, seeded_org_file: Path) -> ReportedRun:
    return make_reported_run(tmp_path_factory.mktemp("browser"), seeded_org_file, limit=6)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]'")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with playwright.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1500, "height": 1000},
        )  # fmt: skip
        yield context
        context.close()


class Visit:
    """A page opened on the report, with what it requested and logged."""

    def __init__(self, context: Any, path: Path) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.as_uri(), wait_until="load")


@pytest.fixture
def visit(browser: Any, reported: ReportedRun) -> Iterator[Visit]:
    v = Visit(browser, reported.root / "report.html")
    yield v
    v.page.close()


def test_every_deal_and_chart_renders_with_no_request_and_no_console_error(visit, reported):
    page = visit.page
    page.evaluate(
        "async () => { await demoGenExpandAll('deals-'); await demoGenExpandAll('seller-'); }"
    )
    deals = reported.summary["opportunities"]
    assert page.locator("section.deal svg.tl").count() == deals
    for n in range(1, deals + 1):
        timeline = page.locator(f"#deal-{n} svg.tl")
        box = timeline.bounding_box()
        assert box and box["width"] > 600 and box["height"] > 60, n
        assert timeline.locator("a.mark").count() > 0, n
    charts = page.locator("[data-chart]")
    assert charts.count() > 20
    for i in range(charts.count()):
        svg = charts.nth(i).locator("svg")
        box = svg.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 20, charts.nth(i).get_attribute(
            "data-chart"
        )
    assert page.locator("section.seller figure.week svg.cal").count() > 0
    assert visit.requests == [(reported.root / "report.html").as_uri()]
    assert visit.errors == []


def test_a_cited_activity_opens_when_its_link_is_clicked(visit):
    page = visit.page
    cite = page.locator("p.cites a").first
    target = cite.get_attribute("href")
    assert target and target.startswith("#d")
    cite.click()
    page.wait_for_function(f"document.querySelector('{target}').open === true")
    assert page.evaluate("location.hash") == target
    assert page.locator(f"{target} pre.text").is_visible()
    assert visit.errors == []


def test_the_index_sorts_by_amount(visit):
    page = visit.page
    page.click("table.index th:nth-child(6)")
    values = page.eval_on_selector_all(
        "table.index tbody tr td:nth-child(6)", "cells => cells.map(c => Number(c.dataset.v))"
    )
    assert values == sorted(values) and len(values) > 1
    page.click("table.index th:nth-child(6)")
    values = page.eval_on_selector_all(
        "table.index tbody tr td:nth-child(6)", "cells => cells.map(c => Number(c.dataset.v))"
    )
    assert values == sorted(values, reverse=True)


def test_show_more_expands_the_compressed_deals(browser, reported, monkeypatch, tmp_path):
    """Deals beyond the first are inflated by the page itself (DecompressionStream)."""
    from demo_gen.html_report import page as page_module
    from demo_gen.html_report.build import render_story

    monkeypatch.setattr(page_module, "EAGER", 2)
    monkeypatch.setattr(page_module, "CHUNK", 2)
    html, deals, _, _ = render_story(story_of(reported))
    path = tmp_path / "lazy.html"
    path.write_text(html, encoding="utf-8")
    v = Visit(browser, path)
    assert v.page.locator("section.deal").count() == 2
    v.page.click("#more-deals")
    v.page.wait_for_function("document.querySelectorAll('section.deal').length === 4")
    v.page.goto(path.as_uri() + f"#deal-{deals}")  # a link into the last block expands it
    v.page.wait_for_selector(f"#deal-{deals} svg.tl")
    assert v.errors == [] and v.requests == [path.as_uri()]  # a jump in the page is no request
