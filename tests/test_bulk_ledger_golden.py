"""What a Bulk run leaves in the ledger, row for row, on SQLite and on PostgreSQL: the
signature, kind, status, remote id, identity snapshot and parent of every item of a run of
several chunks (one job per record type, ledger/bulk_span.py), against a golden taken before
the ledger's hot statements went through `ledger/fastsql.py`. The identity is compared byte for
byte (its JSON text), with only the org's CreatedDate — the time of the run — masked.

Regenerate on purpose with DEMO_GEN_UPDATE_GOLDEN=1 (SQLite), then check the diff."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ANCHOR
from state_backends import Backend

from demo_gen.commands.run import RunOptions, run
from demo_gen.config.model import Secrets, load_config
from demo_gen.ledger import bulk_settle
from demo_gen.ledger.store import StateStore

GOLDEN = Path(__file__).parent / "golden" / "bulk_ledger_rows.txt"
_UPDATE = bool(os.environ.get("DEMO_GEN_UPDATE_GOLDEN"))  # read before conftest clears DEMO_GEN_*
_CREATED = re.compile(r'"CreatedDate": "[^"]*"')


def _config(root: Path, db: Path, url: str) -> Path:
    data = {
        "run": {"name": "span", "seed": 42, "anchor_date": ANCHOR.isoformat(),
                "runs_dir": str(root / "runs")},
        "salesforce": {"local": {"db": str(db)},
                       "bulk": {"mode": "always", "poll_seconds": 0, "query_min_records": 1},
                       "query": {"opportunity_type": None, "limit": 7}},
        "state": {"url": url},
    }  # fmt: skip
    path = root / "c.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _line(sig: str, kind: str, status: str, remote_id: str | None, identity: str | None,
          parent: str | None) -> str:  # fmt: skip
    """One row, kept small: signatures cut to 16 hex digits, the identity's JSON text masked
    and hashed."""
    masked = None if identity is None else _CREATED.sub('"CreatedDate": "*"', identity)
    digest = "-" if masked is None else hashlib.sha256(masked.encode()).hexdigest()[:20]
    return " ".join([sig[:16], kind, status, remote_id or "-", digest, (parent or "-")[:16]])


def _run_and_compare(org_db: Path, root: Path, backend: Backend) -> None:
    report = run(
        load_config(_config(root, org_db, backend.url)),
        Secrets(),
        RunOptions(today=ANCHOR, chunk_deals=2),
    )
    assert report.opportunities == 7
    rows = backend.execute(
        "SELECT signature, kind, status, remote_id, identity, parent_signature FROM items"
    )
    lines = sorted(_line(*row) for row in rows)
    masked = [json.loads(r[4]) for r in rows if r[4] is not None]
    assert masked and all("CreatedDate" in m for m in masked)  # what the mask hides is there
    if _UPDATE and backend.name == "sqlite":
        GOLDEN.write_text("\n".join(lines) + "\n", encoding="utf-8")
    golden = GOLDEN.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(golden)
    assert lines == golden


def test_a_bulk_runs_ledger_rows_are_the_golden_ones(
    org_db: Path, tmp_path: Path, state_backend: Backend
) -> None:
    _run_and_compare(org_db, tmp_path, state_backend)


@pytest.mark.parametrize("per_commit", [bulk_settle.RECORD_BATCH, 50])
def test_a_job_read_back_through_query_jobs_commits_per_record_batch_with_the_same_rows(
    org_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_commit: int
) -> None:
    """A job read back through query jobs records `RECORD_BATCH` rows per commit (the
    413 email relations: one commit, not three of 200); smaller commits give the same rows."""
    monkeypatch.setattr(bulk_settle, "RECORD_BATCH", per_commit)
    sizes: list[int] = []
    real = StateStore.record_batch

    def counted(self: StateStore, target: str, created: Any, failed: Any, *args: Any,
                **kwargs: Any) -> None:  # fmt: skip
        sizes.append(len(created) + len(failed))
        real(self, target, created, failed, *args, **kwargs)

    monkeypatch.setattr(StateStore, "record_batch", counted)
    _run_and_compare(org_db, tmp_path, Backend("sqlite", f"sqlite:///{tmp_path / 'l.sqlite'}"))
    assert max(sizes) == min(per_commit, 413)  # the email relations' job
    assert sum(sizes) >= 931 - 162 - 66  # every row but email Tasks and adopted invitees
