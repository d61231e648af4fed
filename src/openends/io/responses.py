"""``read_responses``: a survey file as the responses table of SPEC section 3.

Example:
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "wave.csv"
    >>> _ = path.write_text("id,region,q1,q2\\nA,North,Encryption,More staff\\n", encoding="utf-8")
    >>> responses, info = read_responses(path, text=["q1", "q2"], id="id", attrs=["region"])
    >>> responses[["response_id", "question", "text", "region"]].values.tolist()
    [['A:q1', 'q1', 'Encryption', 'North'], ['A:q2', 'q2', 'More staff', 'North']]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from openends.errors import ConfigError, DuplicateIdError, MissingIdError, UnknownColumnError
from openends.io.info import ReadInfo
from openends.io.tables import read_table

RESERVED_COLUMNS = frozenset(
    {"response_id", "respondent_id", "text", "clean_text", "redacted_text", "status",
     "language", "source", "question"}
)
ColumnSpec = str | Sequence[str] | Mapping[str, str] | None


def parse_column_specs(specs: ColumnSpec) -> dict[str, str]:
    """Normalise column choices to ``{name: column}``.

    Accepts a column name, a list of names or ``name=COLUMN`` strings, or a mapping.

    Example:
        >>> parse_column_specs(["Q4", "help=Q5"])
        {'Q4': 'Q4', 'help': 'Q5'}
    """
    if specs is None:
        return {}
    if isinstance(specs, str):
        specs = [specs]
    if isinstance(specs, Mapping):
        return {str(name): str(column) for name, column in specs.items()}
    parsed: dict[str, str] = {}
    for spec in specs:
        name, sep, column = spec.partition("=")
        name, column = (name.strip(), column.strip()) if sep else (spec, spec)
        if not name or not column:
            raise ConfigError(f"invalid column choice {spec!r}; use COLUMN or NAME=COLUMN")
        if name in parsed:
            raise ConfigError(f"{name!r} is chosen twice; give each column its own name")
        parsed[name] = column
    return parsed


def read_responses(
    path: str | Path,
    text: str | Sequence[str] | Mapping[str, str],
    id: str | None = None,
    attrs: ColumnSpec = None,
    sheet: str | None = None,
    *,
    source: str | None = None,
) -> tuple[pd.DataFrame, ReadInfo]:
    """Read the answers of one survey file, one row per answer, in file order.

    ``text`` names the answer column, or several (a list, or ``{question: column}``),
    which gives a long table with ``respondent_id`` and ``question`` columns.
    ``response_id`` is the id column's value (``<id>:<question>`` for several
    questions), else ``<source>:<row>`` with 1-based data rows. ``attrs`` adds
    attribute columns, renamed with ``name=COLUMN``. Rows are never dropped or
    reordered; missing answers become empty strings.
    """
    table, info = read_table(path, sheet=sheet)
    questions = parse_column_specs(text)
    if not questions:
        raise ConfigError("choose at least one answer column with --text")
    attributes = parse_column_specs(attrs)
    _check_columns([*questions.values(), *attributes.values(), *([id] if id else [])], info)
    for name in [*attributes, *(questions if len(questions) > 1 else [])]:
        if name in RESERVED_COLUMNS:
            raise ConfigError(f"{name!r} is a reserved column name; rename it with NAME=COLUMN")
    source_name = source or info.path.name
    respondent_ids = _respondent_ids(table, id, source_name, info.path)
    responses = _long_table(table, questions, attributes, respondent_ids)
    responses["source"] = source_name
    info = replace(info, text_columns=questions, id_column=id, attributes=attributes,
                   n_responses=len(responses))
    return responses, info


def _check_columns(columns: Iterable[str], info: ReadInfo) -> None:
    for column in columns:
        if column not in info.columns:
            raise UnknownColumnError(column, info.columns, path=info.path)


def _respondent_ids(table: pd.DataFrame, id_column: str | None, source: str,
                    path: Path) -> list[str]:
    rows = range(1, len(table) + 1)
    if id_column is None:
        return [f"{source}:{row}" for row in rows]
    ids = [as_text(value) for value in table[id_column]]
    missing = [row for row, value in zip(rows, ids, strict=True) if not value.strip()]
    if missing:
        raise MissingIdError(id_column, missing, path=path)
    seen: dict[str, list[int]] = {}
    for row, value in zip(rows, ids, strict=True):
        seen.setdefault(value, []).append(row)
    duplicated = {value: where for value, where in seen.items() if len(where) > 1}
    if duplicated:
        examples = dict(list(duplicated.items())[:3])
        raise DuplicateIdError(id_column, examples, len(duplicated), path=path)
    return ids


def _long_table(table: pd.DataFrame, questions: dict[str, str], attributes: dict[str, str],
                respondent_ids: list[str]) -> pd.DataFrame:
    several = len(questions) > 1
    parts = []
    for order, (question, column) in enumerate(questions.items()):
        part = pd.DataFrame({
            "response_id": [f"{rid}:{question}" if several else rid for rid in respondent_ids],
            "text": [as_text(value) for value in table[column]],
        })
        if several:
            part.insert(1, "respondent_id", respondent_ids)
            part.insert(2, "question", question)
        for name, attribute_column in attributes.items():
            part[name] = table[attribute_column].to_numpy()
        part["_row"], part["_order"] = range(len(table)), order
        parts.append(part)
    combined = pd.concat(parts, ignore_index=True).sort_values(["_row", "_order"], kind="stable")
    return combined.drop(columns=["_row", "_order"]).reset_index(drop=True)


def as_text(value: object) -> str:
    """A cell as text: missing values become ``""``, whole floats lose their ``.0``.

    Example:
        >>> as_text(2017.0), as_text(None), as_text(float("nan")), as_text(" Encryption ")
        ('2017', '', '', ' Encryption ')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value)
