"""Writing the export's tables as JSONL, CSV or Parquet, and its `manifest.json`.

JSONL: one object per line, keys in column order, times as ISO 8601 with `+00:00`. CSV: a header,
empty cells for nulls, `true`/`false`, ISO times, lists joined by spaces. Parquet (pyarrow): typed
columns — `timestamp[us, tz=UTC]`, `int64`, `double`, `bool`, `list<string>`. The same tables give
the same bytes in JSONL and CSV; the manifest holds no clock.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from demo_gen.errors import UsageError
from demo_gen.export.rows import Column, Table

Format = Literal["jsonl", "csv", "parquet"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "parquet")
MANIFEST_VERSION = 1


def check_format(name: str) -> Format:
    """The format named, or a UsageError listing the ones there are."""
    for known in FORMATS:
        if name == known:
            return known
    raise UsageError(f"unknown export format {name!r}: use one of {', '.join(FORMATS)}")


def prepare_dir(out: Path) -> None:
    """Make `out` (and its parents) and prove it takes a file; UsageError otherwise."""
    probe = out / ".demo-gen-write-test"
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"cannot write the export to {out}: {exc.strerror or exc}") from exc


def write_tables(
    tables: Sequence[Table], out: Path, fmt: Format, header: Mapping[str, Any]
) -> dict[str, Any]:
    """Write every table and the manifest into `out`; the manifest, as written."""
    files = {}
    for table in tables:
        path = out / f"{table.name}.{fmt}"
        try:
            if fmt == "parquet":
                _write_parquet(table, path)
            else:
                path.write_bytes(_jsonl(table) if fmt == "jsonl" else _csv(table))
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
        files[table.name] = {
            "file": path.name,
            "rows": len(table.rows),
            "columns": [{"name": c.name, "type": _type_name(c)} for c in table.columns],
        }
    manifest = {"version": MANIFEST_VERSION, **header, "format": fmt, "tables": files}
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (out / "manifest.json").write_text(text, encoding="utf-8")
    return manifest


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _jsonl(table: Table) -> bytes:
    lines = [
        json.dumps({c.name: _plain(row[c.name]) for c in table.columns}, ensure_ascii=False)
        for row in table.rows
    ]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def _csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in table.columns])
    for row in table.rows:
        writer.writerow([_cell(row[c.name]) for c in table.columns])
    return buffer.getvalue().encode("utf-8")


_ARROW_NAMES = {
    "string": "string",
    "int": "int64",
    "float": "double",
    "bool": "bool",
    "timestamp": "timestamp[us, tz=UTC]",
    "strings": "list<string>",
}


def _type_name(column: Column) -> str:
    return _ARROW_NAMES[column.type]


def _write_parquet(table: Table, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "string": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "strings": pa.list_(pa.string()),
    }
    schema = pa.schema([pa.field(c.name, types[c.type]) for c in table.columns])
    arrays = {c.name: [row[c.name] for row in table.rows] for c in table.columns}
    pq.write_table(pa.Table.from_pydict(arrays, schema=schema), path)
