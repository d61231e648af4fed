"""A built :class:`~openends.report.model.Report` saved to a folder and read back whole,
in formats that run no code when read (Parquet tables, JSON), so a re-run of an unchanged
project shows the same report without computing it again.

Example:
    >>> import tempfile
    >>> import pandas as pd
    >>> from openends.report.model import Quote, Report
    >>> empty = pd.DataFrame()
    >>> report = Report("Staff", "answers", "holm", "wave", (), {"rows": 2},
    ...                 pd.DataFrame({"theme": ["staffing"], "k": [1]}), empty, empty,
    ...                 empty, empty, empty, {"staffing": [Quote("r1", "More staff")]})
    >>> folder = Path(tempfile.mkdtemp())
    >>> save_report(report, folder)
    >>> again = load_report(folder)
    >>> again.themes.equals(report.themes), again.quotes == report.quotes
    (True, True)
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import pandas as pd

from openends.io.write import json_scalar
from openends.report.model import Quote, Report

_META = "report.json"


def save_report(report: Report, folder: Path) -> None:
    """Every table of ``report`` as ``NAME.parquet`` and the rest as ``report.json``."""
    meta: dict[str, Any] = {}
    for field in fields(report):
        value = getattr(report, field.name)
        if isinstance(value, pd.DataFrame):
            value.to_parquet(folder / f"{field.name}.parquet", index=False)
        elif field.name == "quotes":
            meta["quotes"] = {theme: [asdict(quote) for quote in quotes]
                              for theme, quotes in value.items()}
        else:
            meta[field.name] = list(value) if isinstance(value, tuple) else value
    (folder / _META).write_text(json.dumps(meta, default=json_scalar, ensure_ascii=False),
                                encoding="utf-8")


def load_report(folder: Path) -> Report:
    """The report :func:`save_report` wrote."""
    meta = json.loads((folder / _META).read_text(encoding="utf-8"))
    values: dict[str, Any] = {}
    for field in fields(Report):
        path = folder / f"{field.name}.parquet"
        if path.is_file():
            values[field.name] = pd.read_parquet(path)
        elif field.name == "quotes":
            values["quotes"] = {theme: [Quote(**quote) for quote in quotes]
                                for theme, quotes in meta["quotes"].items()}
        elif field.name == "by":
            values["by"] = tuple(meta["by"])
        elif field.name in meta:
            values[field.name] = meta[field.name]
    return Report(**values)
