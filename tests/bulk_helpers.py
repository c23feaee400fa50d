"""The configuration of a Bulk run in chunks on the local org, for the tests that make one."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import ANCHOR

BULK = {"mode": "always", "poll_seconds": 0, "query_min_records": 1}
DEALS = 7  # four chunks of two


def bulk_config(root: Path, name: str, url: str | None, db: Path | None = None) -> Path:
    """`root/c.yaml`: pack `name`, seed 42, every record through Bulk, `DEALS` deals; the org
    served at `url`, or opened from `db` (or both: `db` is the served file)."""
    local: dict[str, str | None] = {"url": url}
    if db is not None:
        local["db"] = str(db)
    data = {
        "run": {"name": name, "seed": 42, "anchor_date": ANCHOR.isoformat(),
                "runs_dir": str(root / "runs")},
        "salesforce": {"local": local, "bulk": BULK,
                       "query": {"opportunity_type": None, "limit": DEALS}},
        "state": {"url": f"sqlite:///{root / 'state.sqlite'}"},
    }  # fmt: skip
    path = root / "c.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path
