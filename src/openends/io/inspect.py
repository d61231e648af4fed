"""``inspect_file``: what a survey file holds, and which columns look like answers.

Example:
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "wave.csv"
    >>> rows = [f"{i},North,Case {i}: offenders use more encrypted apps" for i in range(9)]
    >>> _ = path.write_text("id,region,answer\\n" + "\\n".join(rows), encoding="utf-8")
    >>> inspect_file(path).answer_columns
    ['answer']
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from openends.io.info import ReadInfo
from openends.io.responses import as_text
from openends.io.tables import read_table

_WORD = re.compile(r"[^\W\d_]{2,}")
_NUMBER = re.compile(r"^\s*[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?\s*$")
_DATE = re.compile(r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?)?\s*$")
MIN_ANSWER_WORDS = 3.0
MIN_ANSWER_DISTINCT = 0.3


@dataclass(frozen=True)
class ColumnProfile:
    """One column's type, fill rate and whether it looks like free-text answers."""

    name: str
    kind: str
    fill_rate: float
    n_distinct: int
    mean_words: float
    label: str | None = None
    answer_reason: str | None = None

    @property
    def looks_like_answers(self) -> bool:
        return self.answer_reason is not None


@dataclass(frozen=True)
class Inspection:
    """The result of :func:`inspect_file`; renders itself for the terminal."""

    info: ReadInfo
    columns: list[ColumnProfile]
    samples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def answer_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.looks_like_answers]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "file": self.info.to_dict(),
            "columns": [asdict(column) for column in self.columns],
            "answer_columns": self.answer_columns,
            "samples": self.samples,
        }

    def __rich__(self) -> RenderableType:
        info = self.info
        header = Text.assemble(
            (f"{info.path.name}\n", "bold"), f"{info.describe()}\n",
            f"{info.n_rows:,} rows, {len(info.columns)} columns",
        )
        table = Table(show_edge=False, pad_edge=False, expand=False)
        for title, justify in (("column", "left"), ("type", "left"), ("filled", "right"),
                               ("distinct", "right"), ("words", "right"),
                               ("answers?", "left")):
            table.add_column(title, justify=justify, overflow="fold")  # type: ignore[arg-type]
        for column in self.columns:
            table.add_row(
                column.name, column.kind, f"{column.fill_rate:.0%}", f"{column.n_distinct:,}",
                f"{column.mean_words:.1f}" if column.kind == "text" else "",
                Text(column.answer_reason or "", style="green"),
            )
        parts: list[RenderableType] = [Panel(header, expand=False), table]
        labels = {column.name: column.label for column in self.columns}
        for name, answers in self.samples.items():
            label = labels.get(name)
            question = f" ({_one_line(label, 100)})" if label else ""
            sample = Text(f"\nSample answers from {name!r}{question}:\n", style="bold")
            for answer in answers:
                sample.append(f"  - {_one_line(answer)}\n")
            parts.append(sample)
        if not self.samples:
            parts.append(Text("\nNo column looks like free-text answers.", style="yellow"))
        return Group(*parts)


def inspect_file(path: str | Path, *, sheet: str | None = None, n_samples: int = 5,
                 redact: bool = True) -> Inspection:
    """Profile every column of a survey file and pick the likely answer columns.

    Sample answers are redacted (e-mails, phone numbers, URLs...) unless ``redact=False``.
    """
    table, info = read_table(path, sheet=sheet)
    profiles = [profile_column(table[column], info.column_labels.get(column))
                for column in table.columns]
    samples = {}
    for profile in profiles:
        if profile.looks_like_answers:
            filled = [text for text in map(as_text, table[profile.name]) if text.strip()]
            samples[profile.name] = _spread(filled, n_samples)
    if redact and samples:
        from openends.clean.redact import Redactor

        redactor = Redactor()
        samples = {name: redactor.redact_many(texts)[0] for name, texts in samples.items()}
    return Inspection(info=info, columns=profiles, samples=samples)


def profile_column(values: pd.Series, label: str | None = None) -> ColumnProfile:
    """Type, fill rate and answer-likeness of one column.

    Example:
        >>> profile_column(pd.Series(["1", "2", ""])).kind
        'number'
    """
    texts = [as_text(value).strip() for value in values]
    filled = [text for text in texts if text]
    fill_rate = len(filled) / len(texts) if texts else 0.0
    distinct = len(set(filled))
    words = [len(_WORD.findall(text)) for text in filled]
    mean_words = sum(words) / len(words) if words else 0.0
    kind = _kind(values, filled, distinct)
    reason = None
    distinct_share = distinct / len(filled) if filled else 0.0
    if kind == "text" and mean_words >= MIN_ANSWER_WORDS and distinct_share >= MIN_ANSWER_DISTINCT:
        reason = f"free text: {mean_words:.1f} words on average, {distinct_share:.0%} distinct"
    return ColumnProfile(name=str(values.name), kind=kind, fill_rate=fill_rate,
                         n_distinct=distinct, mean_words=mean_words, label=label,
                         answer_reason=reason)


def _kind(values: pd.Series, filled: list[str], distinct: int) -> str:
    if not filled:
        return "empty"
    if pd.api.types.is_bool_dtype(values):
        return "boolean"
    if pd.api.types.is_numeric_dtype(values) or all(_NUMBER.match(text) for text in filled):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(values) or all(_DATE.match(t) for t in filled):
        return "date"
    if distinct <= max(12, 0.05 * len(filled)) and distinct < 0.5 * len(filled):
        return "category"
    if distinct == len(filled) and not any(" " in text for text in filled):
        return "id"
    return "text"


def _spread(items: list[str], n: int) -> list[str]:
    """Up to ``n`` items spread evenly through the list (deterministic)."""
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def _one_line(text: str, width: int = 160) -> str:
    flat = " ⏎ ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
