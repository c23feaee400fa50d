"""The launcher starts the embedded local org; the Salesforce client only connects to an address.

The client side (`crm`, `crm_transport`) must never import the server (`demo_gen.local_org`):
the org is reached over the wire, and serving it is the command layer's job (`org_launch`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import requests

import demo_gen
from demo_gen.commands.org_launch import local_org_address, open_crm
from demo_gen.config.model import Secrets, load_config
from demo_gen.errors import TargetError, UsageError
from demo_gen.targets.salesforce.client import connect

CLIENT_SIDE = ("targets/salesforce/client.py", "targets/salesforce/transport.py")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):  # top-level and function-level imports alike
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("name", CLIENT_SIDE)
def test_the_client_side_never_imports_the_local_org(name):
    modules = imported_modules(Path(demo_gen.__file__).parent / name)
    assert sorted(m for m in modules if m.startswith("demo_gen.local_org")) == []
    assert "demo_gen.commands.org_launch" not in modules  # the launcher sits above the client


def test_the_embedded_org_is_served_only_while_a_command_uses_it(make_config):
    config = load_config(make_config())
    with local_org_address(config) as url:
        assert url is not None and url.startswith("http://127.0.0.1:")
        assert connect(config, Secrets(), url).org_id().startswith("00D")
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)
    with open_crm(config, Secrets()) as crm:
        assert crm.label == "local org" and crm.count("Opportunity") > 0


def test_a_served_org_is_connected_to_not_started(make_config, served_org):
    config = load_config(make_config(salesforce={"local": {"url": served_org.url}}))
    with local_org_address(config) as url:
        assert url is None  # nothing started: the configured address is used as is
    with open_crm(config, Secrets()) as crm:
        assert crm.org_id().startswith("00D")


def test_the_client_alone_cannot_reach_an_embedded_org(make_config):
    config = load_config(make_config())
    with pytest.raises(UsageError, match="no local org address"):
        connect(config, Secrets())


def test_a_served_org_that_does_not_answer_says_how_to_start_it(make_config):
    config = load_config(make_config(salesforce={"local": {"url": "http://127.0.0.1:9"}}))
    with pytest.raises(TargetError, match="no local org answers") as caught:
        connect(config, Secrets())
    assert "demo-gen org serve --port 9" in (caught.value.hint or "")


def test_a_missing_org_database_is_a_usage_error(make_config, tmp_path):
    config = load_config(make_config(salesforce={"local": {"db": str(tmp_path / "none.db")}}))
    with pytest.raises(UsageError, match="does not exist"), open_crm(config, Secrets()):
        pass
