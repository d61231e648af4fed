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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
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
    layout = ResponseLayout.choose(info.columns, info.path, text, id, attrs, source=source)
    respondent_ids = layout.respondent_ids(table)
    if id is not None:
        check = IdCheck(id, info.path)
        check.add(respondent_ids, first_row=1)
        check.raise_errors()
    attributes = {name: table[column].to_numpy() for name, column in layout.attributes.items()}
    responses = layout.answers(table, respondent_ids, attributes)
    return responses, layout.describe(info, n_responses=len(responses))


@dataclass(frozen=True)
class ResponseLayout:
    """Which columns of a survey table hold the answers, the id and the attributes.

    Example:
        >>> layout = ResponseLayout.choose(("id", "q1", "q2"), Path("wave.csv"), ["q1", "q2"], "id")
        >>> table = pd.DataFrame({"id": ["A"], "q1": ["Encryption"], "q2": [None]})
        >>> layout.answers(table, layout.respondent_ids(table), {})["response_id"].tolist()
        ['A:q1', 'A:q2']
    """

    questions: dict[str, str]
    attributes: dict[str, str]
    id_column: str | None
    source: str

    @classmethod
    def choose(cls, columns: Sequence[str], path: Path, text: ColumnSpec, id: str | None = None,
               attrs: ColumnSpec = None, *, source: str | None = None) -> ResponseLayout:
        """Check the chosen columns against the file's ``columns`` (see :func:`read_responses`)."""
        questions = parse_column_specs(text)
        if not questions:
            raise ConfigError("choose at least one answer column with --text")
        attributes = parse_column_specs(attrs)
        for column in [*questions.values(), *attributes.values(), *([id] if id else [])]:
            if column not in columns:
                raise UnknownColumnError(column, columns, path=path)
        for name in [*attributes, *(questions if len(questions) > 1 else [])]:
            if name in RESERVED_COLUMNS:
                raise ConfigError(f"{name!r} is a reserved column name; rename it with NAME=COLUMN")
        return cls(questions, attributes, id, source or path.name)

    def respondent_ids(self, table: pd.DataFrame, first_row: int = 1) -> list[str]:
        """The id of each row of ``table``, whose first row is data row ``first_row`` (1-based)."""
        if self.id_column is None:
            return [f"{self.source}:{row}" for row in range(first_row, first_row + len(table))]
        return [as_text(value) for value in table[self.id_column]]

    def answers(self, table: pd.DataFrame, respondent_ids: list[str],
                attributes: Mapping[str, np.ndarray | pd.Series]) -> pd.DataFrame:
        """The long table of ``table``'s answers: each row's answers together, in question order.

        ``attributes`` holds each attribute's values for the rows, as an array
        (pandas infers its dtype) or a Series with a 0-based index (kept as is).
        """
        several = len(self.questions) > 1
        parts = []
        for order, (question, column) in enumerate(self.questions.items()):
            part = pd.DataFrame({
                "response_id": [f"{rid}:{question}" if several else rid for rid in respondent_ids],
                "text": [as_text(value) for value in table[column]],
            })
            if several:
                part.insert(1, "respondent_id", respondent_ids)
                part.insert(2, "question", question)
            for name, values in attributes.items():
                part[name] = values
            part["_row"], part["_order"] = range(len(table)), order
            parts.append(part)
        combined = pd.concat(parts, ignore_index=True).sort_values(["_row", "_order"],
                                                                   kind="stable")
        responses = combined.drop(columns=["_row", "_order"]).reset_index(drop=True)
        responses["source"] = self.source
        return responses

    def describe(self, info: ReadInfo, n_responses: int) -> ReadInfo:
        """``info`` with the chosen columns and the number of answers."""
        return replace(info, text_columns=self.questions, id_column=self.id_column,
                       attributes=self.attributes, n_responses=n_responses)


class IdCheck:
    """Ids met so far, to raise the error for empty or repeated ids once all are seen.

    Example:
        >>> check = IdCheck("id", Path("wave.csv"))
        >>> check.add(["A", "B"], first_row=1)
        >>> check.add(["A"], first_row=3)
        >>> try:
        ...     check.raise_errors()
        ... except DuplicateIdError as error:
        ...     print(error.examples)
        {'A': [1, 3]}
    """

    def __init__(self, column: str, path: Path) -> None:
        self.column = column
        self.path = path
        self.missing: list[int] = []
        self._first_rows: dict[str, int] = {}
        self._repeated: dict[str, list[int]] = {}

    def add(self, ids: Sequence[str], first_row: int) -> None:
        """Note the ids of consecutive rows, the first being data row ``first_row`` (1-based)."""
        for row, value in enumerate(ids, start=first_row):
            if not value.strip():
                self.missing.append(row)
            first = self._first_rows.setdefault(value, row)
            if first != row:
                self._repeated.setdefault(value, [first]).append(row)

    def raise_errors(self) -> None:
        """Raise MissingIdError for empty ids, else DuplicateIdError for repeated ones."""
        if self.missing:
            raise MissingIdError(self.column, self.missing, path=self.path)
        if self._repeated:
            # Examples in the order the values first appear.
            repeated = sorted(self._repeated.items(), key=lambda item: item[1][0])
            raise DuplicateIdError(self.column, dict(repeated[:3]), len(repeated), path=self.path)


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
