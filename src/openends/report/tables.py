"""The report's tables for scripts, and writing a report in any format.

:func:`report_tables` gives the numbers behind the report as plain tables:
``prevalence`` (theme x group x wave: ``n, k, pct, ci_low, ci_high``; SPEC section 5),
``themes`` (each theme over all waves and groups), ``changes`` (wave over wave),
``trends`` (across all waves), ``cooccurrence``, and when computed ``differences``
(across groups) and ``keywords``. Shares are proportions (0-1); differences are in
percentage points; ``p_adjusted`` and ``significant`` are after the report's correction.

:func:`write_report` writes a report as a terminal text, Markdown, HTML, or the tables
as CSV, JSON or Parquet files. Everything is rendered before the first file is written,
and every file is written atomically, so a failure leaves no half-written output.

Example:
    >>> from openends.report.model import Report
    >>> empty = Report(title="Survey", base="answers", correction="holm", wave=None, by=(),
    ...                counts={"rows": 0, "ok": 0}, themes=pd.DataFrame(),
    ...                prevalence=pd.DataFrame(), changes=pd.DataFrame(),
    ...                trends=pd.DataFrame(), cooccurrence=pd.DataFrame(),
    ...                keywords=pd.DataFrame(), quotes={})
    >>> sorted(report_tables(empty))
    ['changes', 'cooccurrence', 'prevalence', 'themes', 'trends']
"""

from __future__ import annotations

import io
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from openends.errors import ConfigError

if TYPE_CHECKING:
    from openends.report.model import Report

FORMATS = ("terminal", "md", "html", "csv", "json", "parquet")
TABLE_FORMATS = ("csv", "json", "parquet")
SUFFIXES = {".txt": "terminal", ".md": "md", ".markdown": "md", ".html": "html",
            ".htm": "html", ".csv": "csv", ".json": "json", ".parquet": "parquet"}
DOCUMENTS = {"terminal": "report.txt", "md": "report.md", "html": "report.html"}
TEXT_WIDTH = 100
"""Tables written even when empty, so scripts find the same files every time."""


def report_tables(report: Report) -> dict[str, pd.DataFrame]:
    """The report's numbers as tables (see the module docstring), by name."""
    questions = (dict(zip(report.themes["theme"], report.themes["question"], strict=True))
                 if "question" in report.themes.columns else {})
    overall = report.themes.drop(columns=["label", "parent", "scope"], errors="ignore")
    matrix = report.prevalence if len(report.prevalence) else overall
    if len(matrix) and "question" not in matrix.columns:
        matrix = matrix.copy()
        matrix.insert(1, "question", matrix["theme"].map(questions).fillna(""))
    tables = {"prevalence": matrix, "themes": report.themes, "changes": report.changes,
              "trends": report.trends, "cooccurrence": report.cooccurrence}
    if len(report.differences):
        tables["differences"] = report.differences
    if len(report.keywords):
        tables["keywords"] = report.keywords
    return {name: table.reset_index(drop=True) for name, table in tables.items()}


def infer_format(out: Path | None) -> str:
    """The format an output path asks for: its extension, else ``terminal`` (no path)
    or ``csv`` (a folder).

    Example:
        >>> infer_format(None), infer_format(Path("r.md")), infer_format(Path("tables"))
        ('terminal', 'md', 'csv')
    """
    if out is None:
        return "terminal"
    suffix = out.suffix.lower()
    if not suffix:
        return "csv"
    if suffix not in SUFFIXES:
        raise ConfigError(f"{out.name}: cannot tell the report format from {suffix!r}; use "
                          f"{', '.join(SUFFIXES)} or say --format ({', '.join(FORMATS)})")
    return SUFFIXES[suffix]


def render_text(report: Report, width: int = TEXT_WIDTH) -> str:
    """The terminal report as plain text (no colour) at ``width`` columns."""
    from rich.console import Console

    console = Console(width=width, color_system=None, file=io.StringIO(), highlight=False,
                      soft_wrap=False, emoji=False)
    console.print(report)
    text: str = console.file.getvalue()  # type: ignore[attr-defined]
    return text


def render_document(report: Report, format: str) -> str:
    """The report as one document: ``terminal`` (plain text), ``md`` or ``html``."""
    if format == "terminal":
        return render_text(report)
    if format == "md":
        from openends.report.markdown import render_markdown

        return render_markdown(report)
    if format == "html":
        try:
            from openends.report.html import render_html  # type: ignore[import-not-found,unused-ignore]
        except ImportError as error:
            raise ConfigError("the HTML report is not available in this version; use "
                              "--format md") from error
        return str(render_html(report))
    raise ConfigError(f"{format!r} is not a document format; use terminal, md or html")


def write_report(report: Report, out: Path | None, format: str | None = None) -> list[Path]:
    """Write ``report`` in ``format`` (default: from ``out``'s extension) and return the
    files written.

    - ``terminal``: printed on stdout without ``out``; else plain text at 100 columns;
    - ``md``, ``html``: one document (on stdout without ``out``; into ``out/report.md``
      or ``out/report.html`` when ``out`` is a folder);
    - ``csv``, ``json``, ``parquet``: one file per table of :func:`report_tables`, in the
      folder ``out`` (``out/prevalence.csv``, ...), or beside it with its stem when ``out``
      has the format's extension (``out/r.csv`` gives ``out/r_prevalence.csv``, ...).
    """
    format = format or infer_format(out)
    if format not in FORMATS:
        raise ConfigError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    if format in TABLE_FORMATS:
        return _write_tables(report, out, format)
    if format == "terminal" and out is None:
        from rich.console import Console

        Console(highlight=False, soft_wrap=False).print(report)
        return []
    text = render_document(report, format)
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return []
    path = out / DOCUMENTS[format] if out.is_dir() or not out.suffix else out
    _write_text(path, text)
    return [path]


def json_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as JSON-ready records: numpy scalars as Python ones, NaN as None.

    Example:
        >>> json_records(pd.DataFrame({"n": [3], "pct": [float("nan")], "flag": [True]}))
        [{'n': 3, 'pct': None, 'flag': True}]
    """
    return [{str(key): json_value(value) for key, value in row.items()}
            for row in table.to_dict("records")]


def json_value(value: Any) -> Any:
    """One value as JSON-ready data (numpy scalars unwrapped, non-finite floats None)."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def _write_tables(report: Report, out: Path | None, format: str) -> list[Path]:
    if out is None:
        raise ConfigError(f"--format {format} writes one file per table: give the folder "
                          "with -o (e.g. -o report/)")
    suffix = f".{format}"
    if out.suffix and out.suffix.lower() != suffix:
        raise ConfigError(f"{out.name}: --format {format} writes {suffix} files; give a folder "
                          f"or a name ending in {suffix}")
    if not out.suffix and out.exists() and not out.is_dir():
        raise ConfigError(f"{out}: is a file; --format {format} writes one file per table into "
                          "a folder: give a folder, or a name ending in " + suffix)
    tables = report_tables(report)
    paths = {name: (out.parent / f"{out.stem}_{name}{suffix}" if out.suffix
                    else out / f"{name}{suffix}") for name in tables}
    contents = {name: _table_bytes(table, format) for name, table in tables.items()}
    for name, content in contents.items():
        _write_bytes(paths[name], content)
    return list(paths.values())


def _table_bytes(table: pd.DataFrame, format: str) -> bytes:
    """A table serialised in memory, so nothing is written until every table is ready."""
    if format == "csv":
        return table.to_csv(index=False).encode("utf-8")
    if format == "json":
        return (json.dumps(json_records(table), ensure_ascii=False, indent=2) + "\n").encode()
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _write_text(path: Path, text: str) -> None:
    _write_bytes(path, text.encode("utf-8"))


def _write_bytes(path: Path, content: bytes) -> None:
    from openends.io.write import atomic_file

    with atomic_file(path) as temporary:
        temporary.write_bytes(content)
