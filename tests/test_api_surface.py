"""The public api's names and signatures are a contract: they change only on purpose.

`tests/golden/api_surface.json` is the checked-in snapshot of `demo_gen.api.__all__`: for each
name its kind and signature (functions), fields (dataclasses) or value. A name added, removed or
renamed, or a parameter renamed, reordered, retyped or given another default, fails here until
the snapshot is rewritten on purpose: `DEMO_GEN_UPDATE_GOLDEN=1 pytest tests/test_api_surface.py`
(and the change is said in the commit message, since callers break).
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from demo_gen import api

SNAPSHOT = Path(__file__).parent / "golden" / "api_surface.json"
UPDATE_GOLDEN = os.environ.get("DEMO_GEN_UPDATE_GOLDEN") == "1"  # read before env cleanup


def describe(name: str, value: Any) -> dict[str, Any]:
    """What a caller relies on in one exported name."""
    if dataclasses.is_dataclass(value) and isinstance(value, type):
        fields = {f.name: str(f.type) for f in dataclasses.fields(value)}
        frozen = value.__dataclass_params__.frozen  # type: ignore[attr-defined]
        return {"kind": "dataclass", "frozen": frozen, "fields": fields}
    if inspect.isfunction(value):
        return {"kind": "function", "signature": str(inspect.signature(value))}
    return {"kind": type(value).__name__, "value": repr(value)}


def surface() -> dict[str, Any]:
    return {name: describe(name, getattr(api, name)) for name in sorted(api.__all__)}


def test_the_exported_names_and_signatures_match_the_snapshot():
    current = surface()
    if UPDATE_GOLDEN:
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n", "utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert sorted(current) == sorted(expected), "names added or removed: update the snapshot"
    changed = {n: (expected[n], current[n]) for n in current if current[n] != expected[n]}
    assert changed == {}, "signatures changed: update the snapshot on purpose"


def test_every_exported_name_exists_and_every_command_has_its_function():
    assert all(hasattr(api, name) for name in api.__all__)
    commands = {"run", "dry_run", "smoke", "status", "reset", "doctor", "report", "export"}
    commands |= {"story", "org_init", "org_serve"}
    assert commands <= set(api.__all__)


def test_the_cli_options_are_the_api_keywords():
    """Each command's options (not the rendering ones) are keywords of its api function."""
    from demo_gen.cli import cli

    rendering = {"as_json", "realism", "open_page", "config_path"}
    renamed = {"preview": "dry_run", "fmt": "format", "run_ref": "run_id"}
    pairs = [(cli.commands[n], n.replace("-", "_")) for n in cli.commands if n != "org"]
    org = cli.commands["org"]
    pairs += [(org.commands[n], f"org_{n}") for n in org.commands]  # type: ignore[attr-defined]
    for command, name in pairs:
        function = getattr(api, name, None)
        assert function is not None, f"`demo-gen {command.name}` has no api.{name}: add it"
        keywords = set(inspect.signature(function).parameters)
        options = {renamed.get(p.name, p.name) for p in command.params} - rendering
        assert options - keywords == set(), f"{command.name}: options the api lacks"


def test_importing_the_api_loads_nothing_heavy():
    code = (
        "import sys, demo_gen.api; "
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pydantic', 'sqlalchemy', 'simple_salesforce', 'werkzeug', 'openai', 'httpx', "
        "'click', 'rich', 'requests') or m.startswith('demo_gen.local_org'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == ""
