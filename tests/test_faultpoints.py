"""The crash hook fires only at the named point and hit, and ends the process like kill -9."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
from demo_gen.faultpoints import crash_point
for i in range(1, 4):
    print(i, flush=True)
    crash_point("pending:meeting")
    crash_point("pending:email")
print("done", flush=True)
"""


def _run(env_value: str | None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin"}
    if env_value is not None:
        env["DEMO_GEN_CRASH_AT"] = env_value
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False
    )


def test_no_variable_no_crash():
    done = _run(None)
    assert done.returncode == 0 and done.stdout.split() == ["1", "2", "3", "done"]


def test_named_point_and_hit():
    done = _run("pending:email#2")
    assert done.returncode == 137
    assert done.stdout.split() == ["1", "2"]


def test_first_hit_by_default_and_other_points_ignored():
    assert _run("pending:meeting").stdout.split() == ["1"]
    assert _run("sent:meeting").returncode == 0
