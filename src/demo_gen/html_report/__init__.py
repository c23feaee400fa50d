"""The HTML report of a run: deal timelines, sellers' weeks, realism charts, in one offline file.

story.py     the run read back (ledger, runs/<id>/, the org, pinned plans): the only I/O
deal_view.py one deal's lanes, marks and activities (pure)
week_view.py a seller's weeks as calendars (pure)
charts.py    realism figures as Vega-Lite charts (Altair), rendered to SVG by vl-convert
page.py      Jinja2 templates → one HTML string; deals beyond the first kept compressed
build.py     `write_report`: what `demo-gen report` calls
"""

from demo_gen.html_report.build import ReportFile, render_story, write_report

__all__ = ["ReportFile", "render_story", "write_report"]
