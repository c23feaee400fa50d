"""The page: Jinja2 templates (package data) filled from the views, as one self-contained file.

Everything is inline: CSS, SVG, a small script and no URL to fetch. The first `EAGER` deals and
the first seller are in the DOM; the others are rendered by the same templates but kept
gzip-compressed (base64) in inert `<script type="application/x-gzip-b64">` blocks that the page's
script expands on demand (a click in the index, "show more", or a link to inside one), with the
browser's own DecompressionStream. A 2,000-opportunity run's page is about 20 MB (ADR 0005).
"""

from __future__ import annotations

import base64
import gzip
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2

from demo_gen.html_report.charts import Chart
from demo_gen.html_report.deal_view import DealView
from demo_gen.html_report.week_view import SellerView

_INDENT = re.compile(r"\n[ \t]+(?=<)")  # template indentation (text is escaped: no raw "<")
EAGER = 20
"""Deals drawn in the DOM as the page opens; the rest expand on demand, `CHUNK` at a time."""
CHUNK = 25


@dataclass(frozen=True)
class Lazy:
    """A block of rendered HTML kept compressed until the page expands it."""

    id: str
    payload: str  # base64 of gzip of the HTML
    first: int  # the deal numbers inside (0, 0 for a seller's weeks): a link to one expands it
    last: int


def environment() -> jinja2.Environment:
    """The report's templates, HTML-escaped by default."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("demo_gen.html_report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = lambda v: "—" if v is None else f"{v:,.0f}"
    env.filters["num"] = _num
    return env


def render_page(
    context: dict[str, Any],
    deals: Sequence[DealView],
    sellers: Sequence[SellerView],
    charts: Sequence[Chart],
) -> str:
    """The whole report as one HTML string."""
    env = environment()
    deal_tpl = env.get_template("deal.html.j2")
    seller_tpl = env.get_template("seller.html.j2")
    lazies: list[Lazy] = []
    eager_deals = [deal_tpl.render(deal=d) for d in deals[:EAGER]]
    deal_chunk: dict[int, str] = {}
    for n, group in enumerate(_chunks(deals[EAGER:], CHUNK)):
        html = "".join(deal_tpl.render(deal=d) for d in group)
        lazies.append(_lazy(f"deals-{n}", html, group[0].number, group[-1].number))
        deal_chunk.update({d.number: f"deals-{n}" for d in group})
    eager_sellers = [seller_tpl.render(seller=s) for s in sellers[:1]]
    for s in sellers[1:]:
        html = seller_tpl.render(seller=s)
        lazies.append(_lazy(f"{s.anchor}-body", html, 0, 0))
    html = env.get_template("page.html.j2").render(
        **context,
        deals=deals,
        deal_chunk=deal_chunk,
        eager_deals=eager_deals,
        sellers=sellers,
        eager_sellers=eager_sellers,
        charts=charts,
        lazies=lazies,
        css=env.loader.get_source(env, "report.css")[0],  # type: ignore[union-attr]
        script=env.loader.get_source(env, "report.js")[0],  # type: ignore[union-attr]
    )
    return _INDENT.sub("\n", html)


def _lazy(block_id: str, html: str, first: int, last: int) -> Lazy:
    packed = gzip.compress(_INDENT.sub("\n", html).encode("utf-8"), compresslevel=9, mtime=0)
    return Lazy(block_id, base64.b64encode(packed).decode("ascii"), first, last)


def _chunks(items: Sequence[DealView], size: int) -> Iterable[Sequence[DealView]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "—" if value is None else str(value)
