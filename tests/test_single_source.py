"""One source of truth (issue 12 item 7): things once written in several places stay written once.

Each check walks the syntax trees of src/demo_gen (not the local org, which is the org: it has
its own clock and its own platform limits) and fails when a second definition reappears:
the clock read anywhere but `clock.py`; a literal 200 used as a batch or chunk size anywhere
but `config.MAX_BATCH`; the tagged-object list anywhere but `targets/salesforce.py`; the
scorecard objects' API names anywhere but `items.py`; the scorecard label anywhere but
`items.scorecard_label`; the tag-field check anywhere but `targets/salesforce.missing_tag_fields`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import demo_gen

SRC = Path(demo_gen.__file__).parent
CHUNKY = re.compile(r"CHUNK|BATCH|COLLECTION|SAMPLE|PAGE|_SIZE", re.IGNORECASE)


def modules() -> list[tuple[str, ast.Module]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        name = path.relative_to(SRC).as_posix()
        if not name.startswith("local_org/"):
            out.append((name, ast.parse(path.read_text(encoding="utf-8"))))
    return out


MODULES = modules()


def where(predicate) -> list[str]:
    """`module:line` of every node the predicate accepts."""
    return [
        f"{name}:{node.lineno}"
        for name, tree in MODULES
        for node in ast.walk(tree)
        if hasattr(node, "lineno") and predicate(node)
    ]


def is_200(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value == 200 and type(node.value) is int


def chunk_200(node: ast.AST) -> bool:
    """200 as a size: NAME_CHUNK = 200, range(a, b, 200), x[i : i + 200], chunks(x, 200)."""
    if isinstance(node, ast.Assign | ast.AnnAssign) and is_200(node.value):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(CHUNKY.search(ast.unparse(t)) for t in targets)
    if isinstance(node, ast.Call):
        callee = ast.unparse(node.func)
        if callee == "range" and len(node.args) == 3 and is_200(node.args[2]):
            return True
        return "chunk" in callee.lower() and any(is_200(a) for a in node.args)
    if isinstance(node, ast.Slice) and isinstance(node.upper, ast.BinOp):
        return is_200(node.upper.right) or is_200(node.upper.left)
    return False


def test_the_200_record_chunk_is_config_max_batch_only():
    (found,) = where(chunk_200)
    path, _, number = found.partition(":")
    assert path == "config/model.py"
    line = (SRC / path).read_text(encoding="utf-8").splitlines()[int(number) - 1]
    assert line.startswith("MAX_BATCH = 200")


def test_the_clock_is_read_in_clock_py_only():
    def reads_the_clock(node: ast.AST) -> bool:
        if not isinstance(node, ast.Call):
            return False
        callee = ast.unparse(node.func)
        return callee.endswith(("datetime.now", "date.today", ".utcnow")) or callee == "time.time"

    assert [w.split(":")[0] for w in where(reads_the_clock)] == ["clock.py"]


def strings(node: ast.AST) -> set[str]:
    return {e.value for e in getattr(node, "elts", ()) if isinstance(e, ast.Constant)}


def test_the_tagged_object_list_is_written_once():
    tagged = {"Event", "Task", "EmailMessage"}

    def lists_them(node: ast.AST) -> bool:
        return isinstance(node, ast.Tuple | ast.List | ast.Set) and tagged <= strings(node)

    assert [w.split(":")[0] for w in where(lists_them)] == ["targets/salesforce/target.py"]


@pytest.mark.parametrize("api_name", ["DemoGen_Scorecard__c", "DemoGen_Scorecard_Answer__c"])
def test_the_scorecard_objects_are_named_in_items_only(api_name):
    def names_it(node: ast.AST) -> bool:
        return isinstance(node, ast.Constant) and node.value == api_name

    assert [w.split(":")[0] for w in where(names_it)] == ["stages/items.py"]


def test_the_scorecard_label_is_built_in_one_function():
    def builds_it(node: ast.AST) -> bool:
        return isinstance(node, ast.JoinedStr) and any(
            isinstance(v, ast.Constant) and "/scorecard/" in str(v.value) for v in node.values
        )

    assert [w.split(":")[0] for w in where(builds_it)] == ["stages/items.py"]


def test_the_tag_fields_are_checked_in_one_function():
    """Only missing_tag_fields compares an org's fields with run_tag_field / signature_field."""

    def compares_them(node: ast.AST) -> bool:
        if not isinstance(node, ast.Compare) or not any(
            isinstance(op, ast.In | ast.NotIn) for op in node.ops
        ):
            return False
        return any(
            isinstance(n, ast.Attribute) and n.attr in ("run_tag_field", "signature_field")
            for n in ast.walk(node)
        )

    def in_missing_tag_fields(node: ast.AST) -> bool:
        return isinstance(node, ast.FunctionDef) and any(
            compares_them(n) or _loops_over_tag_fields(n) for n in ast.walk(node)
        )

    assert [
        f"{name}:{node.name}"
        for name, tree in MODULES
        for node in ast.walk(tree)
        if in_missing_tag_fields(node)
    ] == ["targets/salesforce/target.py:missing_tag_fields"]


def _loops_over_tag_fields(node: ast.AST) -> bool:
    """`for f in (config.run.signature_field, config.run.run_tag_field) if f not in have`."""
    if not isinstance(node, ast.comprehension | ast.For):
        return False
    attrs = {n.attr for n in ast.walk(node.iter) if isinstance(n, ast.Attribute)}
    return {"run_tag_field", "signature_field"} <= attrs
