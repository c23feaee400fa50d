"""The bench scripts still run against today's code (they are not imported by anything else,
so a rename elsewhere breaks them silently): the cheapest one, on a tiny org."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent.parent / "bench"


def test_bench_run_compares_both_contenders_on_a_tiny_org(tmp_path):
    result = subprocess.run(
        [sys.executable, str(BENCH / "bench_run.py"), "--opportunities", "20", "--limit", "3"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "records per API request: demo-gen" in result.stdout
