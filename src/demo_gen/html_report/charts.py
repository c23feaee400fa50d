"""The realism figures as charts, each with its target drawn in: Vega-Lite specs built with
Altair, rendered to static SVG by vl-convert (an embedded Vega engine: no browser, no network).

Histograms come from the run's realism report (summary.json) or, for distributions the report
keeps only as percentiles (reply delays, meetings per stage, people per deal), from the plan.
Every figure with a target (`{"value", "target", "ok"}`) also gets a bullet chart: the target's
range shaded, the value as a bar, green when it holds. See docs/adr/0005-report-charts.md.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import vl_convert

from demo_gen.stages.plan import Plan
from demo_gen.stages.planning.story import STAGES

OK, MISS, TARGET = "#16a34a", "#dc2626", "#f59e0b"
_BOUND = re.compile(r"^\s*(<=|<|>=|>|≤|≥)?\s*(-?[0-9.]+)(?:\s*[–-]\s*(-?[0-9.]+))?")
_DELAY_BINS = ((0.25, "< 15 min"), (1, "15–60 min"), (4, "1–4 h"), (24, "4–24 h"),
               (72, "1–3 days"), (float("inf"), "> 3 days"))  # fmt: skip


_ZERO_COUNTS = ("stage_order_violations", "weekend_meetings", "holiday_meetings")


@dataclass(frozen=True)
class Chart:
    """One rendered chart: `svg` is inline markup, `name` the figure it shows."""

    name: str
    title: str
    caption: str
    svg: str
    ok: bool | None
    kind: str = "histogram"  # histogram | bullet


def target_range(target: str) -> tuple[float | None, float | None] | None:
    """The range a target string allows: "<= 0.35" → (None, 0.35), "24–72" → (24, 72),
    "0" → (0, 0); None when it holds no number."""
    found = _BOUND.match(target)
    if found is None:
        return None
    op, low, high = found.group(1), float(found.group(2)), found.group(3)
    if high is not None:
        return low, float(high)
    if op in ("<=", "<", "≤"):
        return None, low
    if op in (">=", ">", "≥"):
        return low, None
    return low, low


def realism_charts(realism: Mapping[str, Any], plan: Plan) -> list[Chart]:
    """The histograms first, then one bullet chart per figure that has a target."""
    charts = [
        _weekday(realism),
        _start_minutes(realism),
        _send_hours(realism),
        _reply_delays(plan, realism),
        _per_stage(plan, realism),
        _people_per_deal(plan, realism),
    ]
    figures = {k: v for k, v in realism.items() if _is_figure(v)}
    for name in _ZERO_COUNTS:  # plain counts whose target is none at all
        if isinstance(realism.get(name), int):
            figures[name] = {"value": realism[name], "target": "0", "ok": realism[name] == 0}
    text = realism.get("text")
    if isinstance(text, Mapping):
        figures.update({f"text.{k}": v for k, v in text.items() if _is_figure(v)})
    charts += [_bullet(name, fig) for name, fig in figures.items()]
    return [c for c in charts if c is not None]


def _is_figure(value: Any) -> bool:
    return isinstance(value, Mapping) and "target" in value and value.get("target") is not None


def render(chart: Any, name: str) -> str:
    """Static SVG of an Altair chart, its ids made unique on the page."""
    svg = vl_convert.vegalite_to_svg(chart.to_dict())
    prefix = re.sub(r"[^a-z0-9]+", "-", name.lower())
    return re.sub(r'(id="|url\(#|href="#)', lambda m: f"{m.group(1)}{prefix}-", svg)


def _data(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Inline data: the values travel inside the spec."""
    return {"values": [dict(r) for r in rows]}


def _bars(rows: Sequence[Mapping[str, Any]], x: str, y: str, title: str) -> Any:
    return (
        alt.Chart(_data(rows))
        .mark_bar(color="#3b82f6", cornerRadiusTopLeft=2, cornerRadiusTopRight=2)
        .encode(
            x=alt.X(f"{x}:N", sort=[r[x] for r in rows], title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{y}:Q", title=title),
            tooltip=[f"{x}:N", f"{y}:Q"],
        )
    )


def _rule(value: float, label: str, axis: str = "y") -> Any:
    data = _data([{"v": value, "label": label}])
    enc = {axis: alt.X("v:Q") if axis == "x" else alt.Y("v:Q")}
    line = alt.Chart(data).mark_rule(color=TARGET, strokeDash=[5, 3], size=2).encode(**enc)
    at = {"x": alt.value(4)} if axis == "y" else {"y": alt.value(4)}
    text = (
        alt.Chart(data)
        .mark_text(color="#b45309", align="left", dx=4 if axis == "x" else 0, dy=-7, fontSize=11)
        .encode(**enc, **at, text="label:N")
    )
    return line + text


def _xrule(category: str, label: str) -> Any:
    data = _data([{"k": category, "label": label}])
    line = alt.Chart(data).mark_rule(color=TARGET, strokeDash=[5, 3], size=2).encode(x="k:N")
    text = (
        alt.Chart(data)
        .mark_text(color="#b45309", align="left", dx=4, baseline="top", fontSize=11)
        .encode(x="k:N", y=alt.value(2), text="label:N")
    )
    return line + text


def _style(chart: Any, width: int = 340, height: int = 170) -> Any:
    return (
        chart.properties(width=width, height=height)
        .configure_view(strokeWidth=0)
        .configure_axis(labelColor="#475569", titleColor="#475569", gridColor="#e2e8f0")
    )


def _shares(hist: Mapping[str, int]) -> list[dict[str, Any]]:
    total = sum(hist.values()) or 1
    return [{"k": k, "share": round(v / total, 4), "n": v} for k, v in hist.items()]


def _fig(realism: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = realism.get(name)
    return value if isinstance(value, Mapping) else {}


def _weekday(realism: Mapping[str, Any]) -> Chart | None:
    hist = realism.get("weekday_histogram")
    if not isinstance(hist, Mapping):
        return None
    fig = _fig(realism, "monday_friday_share")
    chart = _bars(_shares(hist), "k", "share", "share of meetings")
    chart = chart + _rule(0.175, "Mon, Fri: ≤ 17.5% each (≤ 35% together)")
    caption = f"Monday + Friday: {fig.get('value')} (target {fig.get('target')})"
    return Chart("weekday", "Meetings by weekday", caption,
                 render(_style(chart), "weekday"), fig.get("ok"))  # fmt: skip


def _start_minutes(realism: Mapping[str, Any]) -> Chart | None:
    hist = realism.get("start_minute_histogram")
    if not isinstance(hist, Mapping):
        return None
    share = realism.get("meetings_on_half_hour_share")
    chart = _bars(_shares(hist), "k", "share", "share of meetings") + _rule(
        0.5, "most on :00 and :30"
    )
    caption = f"on the hour or half hour: {share}; a few on :15 and :45, none elsewhere"
    ok = bool(hist.get("other", 0) == 0)
    return Chart("start-minute", "Meeting start minutes", caption,
                 render(_style(chart), "start-minute"), ok)  # fmt: skip


def _send_hours(realism: Mapping[str, Any]) -> Chart | None:
    hist = realism.get("send_hour_histogram")
    if not isinstance(hist, Mapping):
        return None
    fig = _fig(realism, "send_hour_max_share")
    chart = _bars(_shares(hist), "k", "share", "share of emails") + _rule(0.2, "no hour above 20%")
    caption = (
        f"busiest hour: {fig.get('value')} of sends (target {fig.get('target')}), sender's time"
    )
    return Chart("send-hour", "Emails by hour sent", caption,
                 render(_style(chart), "send-hour"), fig.get("ok"))  # fmt: skip


def _reply_delays(plan: Plan, realism: Mapping[str, Any]) -> Chart | None:
    delays = []
    for op in plan.opportunities:
        sent = {e.key: e.sent_at for e in op.emails}
        for e in op.emails:
            if e.in_reply_to in sent:
                delays.append((e.sent_at - sent[e.in_reply_to]).total_seconds() / 3600)
    if not delays:
        return None
    counts = Counter(next(label for bound, label in _DELAY_BINS if d < bound) for d in delays)
    rows = [
        {"k": label, "share": round(counts[label] / len(delays), 4)} for _, label in _DELAY_BINS
    ]
    p50, p90 = _fig(realism, "reply_delay_hours_p50"), _fig(realism, "reply_delay_hours_p90")
    chart = _bars(rows, "k", "share", "share of replies") + _rule(0.5, "half within 1.5 h")
    caption = (f"median {p50.get('value')} h (target {p50.get('target')}); "
               f"90th percentile {p90.get('value')} h (target {p90.get('target')})")  # fmt: skip
    ok = bool(p50.get("ok", True) and p90.get("ok", True))
    return Chart("reply-delay", "Reply delays", caption,
                 render(_style(chart), "reply-delay"), ok)  # fmt: skip


def _per_stage(plan: Plan, realism: Mapping[str, Any]) -> Chart | None:
    counts = Counter(m.stage for op in plan.opportunities for m in op.meetings)
    if not counts:
        return None
    order = [s for s in STAGES if s in counts] + sorted(s for s in counts if s not in STAGES)
    deals = max(len(plan.opportunities), 1)
    rows = [{"k": s, "per deal": round(counts[s] / deals, 2)} for s in order]
    violations = realism.get("stage_order_violations", 0)
    chart = _bars(rows, "k", "per deal", "meetings per deal")
    caption = f"meetings at each stage of the deal; out of stage order: {violations} (target 0)"
    return Chart("per-stage", "Meetings per stage", caption,
                 render(_style(chart), "per-stage"), violations == 0)  # fmt: skip


def _people_per_deal(plan: Plan, realism: Mapping[str, Any]) -> Chart | None:
    sizes = Counter()  # type: Counter[int]
    for op in plan.opportunities:
        people = {p for m in op.meetings for p in m.invitee_ids}
        for e in op.emails:
            people.update((*e.to_contact_ids, *e.cc_contact_ids))
            people.update((e.from_contact_id,) if e.from_contact_id else ())
        people.update(t.who_id for t in op.tasks)
        sizes[len(people)] += 1
    if not sizes:
        return None
    rows = [{"k": str(n), "deals": sizes.get(n, 0)} for n in range(max(sizes) + 1)]
    fig = _fig(realism, "six_plus_external_people_share")
    chart = _bars(rows, "k", "deals", "deals") + _xrule("6", "≥ 6 on accounts with ≥ 8 contacts")
    caption = f"deals at accounts with ≥ 8 contacts reaching 6+: {fig.get('value')} (target ≥ 0.6)"
    return Chart("people-per-deal", "External people per deal", caption,
                 render(_style(chart), "people-per-deal"), fig.get("ok"))  # fmt: skip


def _bullet(name: str, fig: Mapping[str, Any]) -> Chart | None:
    """The target's range shaded, the value as a bar; with nothing counted, the range alone."""
    value, target = fig.get("value"), str(fig.get("target"))
    bounds = target_range(target)
    if bounds is None or (value is not None and not isinstance(value, int | float)):
        return None
    low, high = bounds
    measured = float(value) if value is not None else 0.0
    top = max(abs(measured), abs(low or 0), abs(high or 0), 1) * 1.3
    if 0 < max(measured, high or 0, low or 0) <= 1:
        top = 1.0
    scale = alt.Scale(domain=[0, top])
    band = {"a": low if low is not None else 0, "b": high if high is not None else top}
    base = alt.Chart(_data([band]))
    zone = base.mark_rect(color="#dcfce7", stroke=OK, strokeDash=[3, 2]).encode(
        x=alt.X("a:Q", scale=scale, title=None), x2="b:Q"
    )
    if band["a"] == band["b"]:
        zone = base.mark_rule(color=OK, size=3).encode(x=alt.X("a:Q", scale=scale, title=None))
    layers = zone
    if value is not None:
        layers += (
            alt.Chart(_data([{"v": value}]))
            .mark_bar(color=OK if fig.get("ok") else MISS, height=10)
            .encode(x=alt.X("v:Q", scale=scale, title=None), tooltip=["v:Q"])
        )
    label = name.removeprefix("text.").replace("_", " ")
    chart: Any = layers.properties(width=300, height=26).configure_view(strokeWidth=0)
    chart = chart.configure_axis(labelColor="#475569", gridColor="#f1f5f9", tickCount=4)
    caption = (
        f"{value} · target {target}" if value is not None else f"nothing to count · target {target}"
    )
    ok = None if value is None else bool(fig.get("ok"))
    return Chart(name, label, caption, render(chart, f"bullet-{name}"), ok, "bullet")
