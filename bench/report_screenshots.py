"""Screenshots of a report for the docs: one deal's timeline and one seller's busiest week.

    python bench/report_screenshots.py runs/<run_id>/report.html [--deal 1] [--out docs/]

Opens the page in headless Chromium (/usr/bin/chromium, through Playwright) at 1500×1000.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--deal", type=int, default=1)
    parser.add_argument("--seller", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000}, device_scale_factor=1)
        page.goto(args.report.resolve().as_uri() + f"#deal-{args.deal}", wait_until="load")
        page.wait_for_selector(f"#deal-{args.deal} svg.tl")
        _shot(page, f"#deal-{args.deal}", args.out / "report-timeline.png")
        page.goto(args.report.resolve().as_uri() + f"#seller-{args.seller}", wait_until="load")
        page.wait_for_selector(f"#seller-{args.seller} figure.week")
        weeks = page.locator(f"#seller-{args.seller} figure.week")
        counts = [
            int(weeks.nth(i).locator("a.block.meeting").count()) for i in range(weeks.count())
        ]
        busiest = max(range(len(counts)), key=lambda i: (counts[i], i))
        weeks.nth(busiest).screenshot(path=args.out / "report-seller-week.png")
        browser.close()
    print(args.out / "report-timeline.png", args.out / "report-seller-week.png")
    return 0


def _shot(page, selector: str, path: Path, margin: int = 14, height: int = 720) -> None:  # type: ignore[no-untyped-def]
    """The element with a white margin around it."""
    box = page.eval_on_selector(
        selector,
        "e => { const r = e.getBoundingClientRect();"
        " return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}; }",
    )
    clip = {"x": max(0, box["x"] - margin), "y": box["y"] + 2,  # below the deal's top border
            "width": box["width"] + 2 * margin, "height": min(box["height"], height)}  # fmt: skip
    page.screenshot(path=path, clip=clip, full_page=True)


if __name__ == "__main__":
    sys.exit(main())
