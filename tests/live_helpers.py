"""live's tools for tests and bench/bench_live.py: a live run's passes (its `live.jsonl`) and
each created row's due moment, read from the ledger."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from refresh_helpers import Pack

from demo_gen.commands.live_loop import LIVE_LOG
from demo_gen.ledger.store import StateStore


def live_passes(pack: Pack, run_id: str) -> list[dict[str, Any]]:
    """The passes of a live run, in order (one line of its `live.jsonl` each)."""
    path = pack.root / "runs" / run_id / LIVE_LOG
    return [json.loads(line) for line in path.read_text().splitlines()]


def live_dues(pack: Pack, run_id: str, future_days: int) -> dict[str, datetime]:
    """Each created row's due moment: an email or call at its time, a meeting when it enters the
    window; a child (invitee, relation, an email's Task) with its parent."""
    state = StateStore(f"sqlite:///{pack.root / 'state.sqlite'}")
    try:
        rows = {r.signature: r for r in state.run_items(run_id, {"created"})}
    finally:
        state.close()
    ahead = timedelta(days=1 + future_days)

    def own(sig: str) -> datetime:
        row = rows[sig]
        if row.parent_signature in rows:
            return own(row.parent_signature)
        at = datetime.fromisoformat(str(row.planned_start))
        return at - ahead if row.kind == "meeting" else at

    return {sig: own(sig) for sig, row in rows.items() if row.planned_start}
