"""One coder's codes, read from any codes file or coding sheet, as a 0/1 table by answer id.

A *coding* is what one coder (a person, or the tool) decided for a set of answers.
:func:`read_coding` accepts every shape codes come in:

- **long** (a ``theme`` column, as ``openends code`` writes): one row per answer and
  theme; a row with an empty theme is an answer coded with no theme; a ``score`` of 0
  codes nothing (any other score, e.g. a coder's confidence, codes the theme). An
  answer with no row at all was not coded, nor was one whose ``status`` (as ``openends
  code`` writes it) is not ``ok``: the tool did not code empty, non-substantive,
  duplicate or other-language answers.
- **coding sheet** (an ``answer`` column, as ``openends sample`` and ``openends
  disagreements`` write): the theme columns are the ones after ``answer`` (``note``
  is free text); a row whose theme cells are all blank was not coded yet; in an
  adjudication sheet, a row whose disputed cells (listed in ``to_settle``) are still
  blank is not settled yet, and counts as not coded.
- **wide** (an id column and one 0/1 column per theme, as ``openends code --wide``
  writes; its ``status`` and ``decision`` columns are not themes, and rows whose status
  is not ``ok`` were not coded): a row whose theme cells are all blank was not coded.
  Without an id column the rows are numbered ``#1``, ``#2``, ... and align with other
  codings by position.

In a workbook the ``codes`` sheet is read (else the first); its ``codebook`` sheet, when
there is one, names the themes. Text read from a CSV/TSV sheet loses the apostrophe
the sheet writer put before a leading ``=``, ``+``, ``-`` or ``@``.

Cells are 0 or 1 (also ``true``/``false``, ``yes``/``no``; blank is 0 in a row that
was coded). Anything else, an unknown or missing theme column (when ``themes`` are
given), a blank or repeated id is a :class:`~openends.errors.LabelsError` naming the
file, column and data row.

Example:
    >>> sheet = pd.DataFrame({"response_id": ["a", "b", "c"], "answer": ["x", "y", "z"],
    ...                       "tor": [1, None, None], "crypto": [None, 0, None],
    ...                       "note": ["", "", ""]})
    >>> coding = read_coding(sheet, name="ann")
    >>> coding.codes
       tor  crypto
    a    1       0
    b    0       0
    >>> coding.not_coded
    ('c',)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from openends.errors import (
    DuplicateIdError,
    LabelsError,
    OpenendsError,
    SheetNotFoundError,
    UnknownColumnError,
    closest_match,
)
from openends.io.responses import as_text
from openends.sheets.layout import ANSWER_COLUMN, ID_COLUMN, NOTE_COLUMN
from openends.sheets.neutralise import restore

__all__ = ["ANSWER_COLUMN", "ID_COLUMN", "NOTE_COLUMN", "SETTLE_COLUMN", "Coding", "read_coding"]

SETTLE_COLUMN = "to_settle"
TOOL_COLUMNS = ("status", "decision")
POSITION_PREFIX = "#"
_TRUE = {"1", "1.0", "true", "yes"}
_FALSE = {"0", "0.0", "false", "no", ""}


@dataclass(frozen=True)
class Coding:
    """One coder's codes: ``codes`` is a 0/1 int table indexed by answer id (str), one
    column per theme, holding only the answers this coder coded; ``not_coded`` are the
    ids the file lists without codes; ``answers`` the answer texts a sheet carried;
    ``evidence`` the ``response_id, theme, evidence`` rows of long codes that have them
    (as ``openends code`` writes); ``source`` the file name errors give."""

    name: str
    codes: pd.DataFrame
    not_coded: tuple[str, ...] = ()
    answers: dict[str, str] = field(default_factory=dict)
    positional: bool = False
    evidence: pd.DataFrame | None = None
    source: str = "codes"

    @property
    def themes(self) -> list[str]:
        return [str(column) for column in self.codes.columns]

    def wide(self) -> pd.DataFrame:
        """The codes as a wide table with a ``response_id`` column (SPEC section 3).

        Example:
            >>> coding = Coding("a", pd.DataFrame({"tor": [1]}, index=["r1"]))
            >>> coding.wide().to_dict("records")
            [{'response_id': 'r1', 'tor': 1}]
        """
        return self.codes.rename_axis(ID_COLUMN).reset_index()

    def long(self, source: str = "human") -> pd.DataFrame:
        """The codes as long codes (SPEC section 3): a row per answer and theme coded,
        ``score`` 1, and a row with an empty theme for an answer coded with none.

        Example:
            >>> coding = Coding("a", pd.DataFrame({"tor": [1, 0]}, index=["r1", "r2"]))
            >>> coding.long()[["response_id", "theme", "score", "source"]].values.tolist()
            [['r1', 'tor', 1.0, 'human'], ['r2', '', nan, 'human']]
        """
        rows = []
        for answer, codes in zip(self.codes.index, self.codes.to_numpy(), strict=True):
            themes = [theme for theme, value in zip(self.themes, codes, strict=True) if value]
            rows += [(answer, theme, 1.0) for theme in themes] or [(answer, "", math.nan)]
        table = pd.DataFrame(rows, columns=[ID_COLUMN, "theme", "score"])
        return table.assign(source=source, evidence="")


def read_coding(codes: str | Path | pd.DataFrame, *, name: str | None = None,
                id_column: str | None = None, themes: Sequence[str] | None = None,
                sheet: str | None = None) -> Coding:
    """The coding in ``codes`` (a file any :func:`openends.io.read_table` reads, or a
    DataFrame). ``id_column`` names its id column (default ``response_id`` when present);
    ``themes`` (e.g. a codebook's ids) fixes the theme columns and their order and makes
    any other theme an error; ``name`` labels the coding in reports (default: the file's
    stem)."""
    table, where = _table(codes, sheet)
    if themes is None and not isinstance(codes, pd.DataFrame):
        themes = _sheet_codebook(Path(codes))
    delimited = not isinstance(codes, pd.DataFrame) and Path(codes).suffix.lower() in {
        ".csv", ".tsv", ".txt"}
    unquote = restore if delimited else _same
    label = name if name is not None else (Path(codes).stem if not isinstance(
        codes, pd.DataFrame) else "codes")
    if id_column is not None and id_column not in table.columns:
        raise UnknownColumnError(id_column, list(table.columns), path=where)
    id_name = id_column if id_column is not None else (
        ID_COLUMN if ID_COLUMN in table.columns else None)
    if "theme" in table.columns:
        return _long(table, where, label, id_name, themes, unquote)
    return _wide(table, where, label, id_name, themes, unquote)


def _same(text: str) -> str:
    return text


def _table(codes: str | Path | pd.DataFrame, sheet: str | None) -> tuple[pd.DataFrame, str]:
    """The codes table; a workbook's ``codes`` sheet (as openends writes it) wherever it
    stands among the sheets, unless ``sheet`` names another."""
    if isinstance(codes, pd.DataFrame):
        table = codes.copy()
        table.columns = [str(column) for column in table.columns]
        return table.reset_index(drop=True), "codes"
    from openends.io import read_table
    from openends.sheets.layout import CODES_SHEET

    if sheet is None and Path(codes).suffix.lower() == ".xlsx":
        try:
            table, _ = read_table(codes, sheet=CODES_SHEET)
            return table, Path(codes).name
        except SheetNotFoundError:
            pass
    table, _ = read_table(codes, sheet=sheet)
    return table, Path(codes).name


def _sheet_codebook(path: Path) -> list[str] | None:
    """The theme ids of a workbook's ``codebook`` sheet (as ``openends sample`` writes
    it), so moved or renamed theme columns are caught; None for other files."""
    if path.suffix.lower() != ".xlsx":
        return None
    from openends.io import read_table
    from openends.sheets.layout import CODEBOOK_SHEET

    try:
        book, _ = read_table(path, sheet=CODEBOOK_SHEET)
    except OpenendsError:
        return None
    if "theme" not in book.columns:
        return None
    ids = [_text(value) for value in book["theme"]]
    return [theme for theme in ids if theme] or None


def _long(table: pd.DataFrame, where: str, name: str, id_name: str | None,
          themes: Sequence[str] | None, unquote: Callable[[str], str]) -> Coding:
    if id_name is None:
        raise LabelsError(where, "long codes (a 'theme' column) need an id column: add "
                          f"{ID_COLUMN!r} (the answers' ids), or give the one they have with --id")
    ids = _ids(table[id_name], where, id_name, unquote)
    theme_values = [_text(value) for value in table["theme"]]
    coded = [bool(theme) for theme in theme_values]
    if "score" in table.columns:
        coded = [has_theme and _score(value, where, row) > 0 for row, (value, has_theme)
                 in enumerate(zip(table["score"], coded, strict=True))]
    named = list(dict.fromkeys(theme for theme in theme_values if theme))
    columns = _theme_order(themes, named, where)
    answers = list(dict.fromkeys(ids))
    row_of = {answer: row for row, answer in enumerate(answers)}
    column_of = {theme: column for column, theme in enumerate(columns)}
    values = np.zeros((len(answers), len(columns)), dtype="int64")
    for answer, theme, is_coded in zip(ids, theme_values, coded, strict=True):
        if is_coded:
            values[row_of[answer], column_of[theme]] = 1
    skipped = _skipped_by_the_tool(table, ids)
    kept = np.array([answer not in skipped for answer in answers], dtype=bool)
    index = pd.Index(answers, dtype=object)
    evidence = None
    if "evidence" in table.columns:
        evidence = pd.DataFrame({ID_COLUMN: ids, "theme": theme_values,
                                 "evidence": [_text(value) for value in table["evidence"]]})
    return Coding(name, pd.DataFrame(values[kept], index=index[kept], columns=columns),
                  tuple(index[~kept]), evidence=evidence, source=where)


def _skipped_by_the_tool(table: pd.DataFrame, ids: list[str]) -> set[str]:
    """Answers ``openends code`` did not code (its ``status`` column says other than
    ``ok``: empty, non-substantive, duplicate, other language): not coded, not "no theme"."""
    if "status" not in table.columns:
        return set()
    return {answer for answer, status in zip(ids, table["status"], strict=True)
            if _text(status) not in {"", "ok"}}


def _wide(table: pd.DataFrame, where: str, name: str, id_name: str | None,
          themes: Sequence[str] | None, unquote: Callable[[str], str]) -> Coding:
    present = _theme_columns(table, id_name)
    if not present:
        raise LabelsError(where, "has no theme columns; codes have an id column and one 0/1 "
                          "column per theme (or a 'theme' column, one row per code)")
    columns = _theme_order(themes, present, where)
    missing = [theme for theme in columns if theme not in table.columns]
    if missing:
        raise LabelsError(where, f"has no column for theme(s) {_listed(missing)}; codes need "
                          "one 0/1 column per theme (a theme nobody coded is a column of zeros)")
    cells = np.array([[_cell(value, where, column, row) for row, value in enumerate(table[column])]
                      for column in columns], dtype=float).T.reshape(len(table), len(columns))
    blank = np.isnan(cells)
    coded = ~blank.all(axis=1) if columns else np.ones(len(table), dtype=bool)
    if SETTLE_COLUMN in table.columns:
        coded &= _settled(table[SETTLE_COLUMN], blank, columns, where)
    positional = id_name is None
    ids = ([f"{POSITION_PREFIX}{row + 1}" for row in range(len(table))] if id_name is None
           else _ids(table[id_name], where, id_name, unquote))
    _check_unique(ids, where, id_name)
    skipped = _skipped_by_the_tool(table, ids)
    coded &= np.array([answer not in skipped for answer in ids], dtype=bool)
    values = np.nan_to_num(cells, nan=0.0).astype("int64")
    index = pd.Index(ids, dtype=object)
    codes = pd.DataFrame(values[coded], index=index[coded], columns=columns)
    answers = {}
    if ANSWER_COLUMN in table.columns:
        answers = {answer_id: unquote(_text(text)) for answer_id, text
                   in zip(ids, table[ANSWER_COLUMN], strict=True)}
    not_coded = tuple(answer for answer, done in zip(ids, coded, strict=True) if not done)
    return Coding(name, codes, not_coded, answers, positional, source=where)


def _theme_columns(table: pd.DataFrame, id_name: str | None) -> list[str]:
    """A sheet's theme columns are those after ``answer`` (bar ``note``); a codes file's,
    every column but the id and the tool's ``status``/``decision``."""
    columns = [str(column) for column in table.columns]
    if ANSWER_COLUMN in columns:
        after = columns[columns.index(ANSWER_COLUMN) + 1:]
        return [column for column in after if column != NOTE_COLUMN]
    return [column for column in columns if column != id_name and column not in TOOL_COLUMNS]


def _settled(disputes: pd.Series, blank: np.ndarray, columns: list[str],
             where: str) -> np.ndarray:
    """Rows of an adjudication sheet whose disputed cells all hold a 0 or 1."""
    column_of = {theme: column for column, theme in enumerate(columns)}
    settled = np.ones(len(disputes), dtype=bool)
    for row, listed in enumerate(disputes):
        for theme in filter(None, (part.strip() for part in _text(listed).split(","))):
            if theme not in column_of:
                raise LabelsError(where, f"column {SETTLE_COLUMN!r} names {theme!r} on data row "
                                  f"{row + 1}, which is not a theme column of the sheet")
            settled[row] &= not blank[row, column_of[theme]]
    return settled


def _theme_order(themes: Sequence[str] | None, present: list[str], where: str) -> list[str]:
    """The theme columns: ``themes`` in their order, after checking none present is unknown."""
    if themes is None:
        return present
    wanted = [str(theme) for theme in themes]
    unknown = [theme for theme in present if theme not in wanted]
    if unknown:
        suggestion = closest_match(unknown[0], wanted)
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        raise LabelsError(where, f"theme(s) {_listed(unknown)} are not in the codebook{hint}; "
                          "rename them to the codebook's theme ids, or add them to the codebook")
    return wanted


def _ids(values: pd.Series, where: str, column: str,
         unquote: Callable[[str], str] = restore) -> list[str]:
    ids = [unquote(_text(value)) for value in values]  # a CSV sheet quotes '=...' ids
    empty = [row for row, value in enumerate(ids) if not value]
    if empty:
        raise LabelsError(where, f"id column {column!r} is empty on {len(empty)} row(s) (e.g. "
                          f"data row {empty[0] + 1}); every coded answer needs its id")
    return ids


def _check_unique(ids: list[str], where: str, column: str | None) -> None:
    repeated = pd.Series(ids).duplicated(keep=False).to_numpy()
    if column is not None and repeated.any():
        examples: dict[str, list[int]] = {}
        for row in np.flatnonzero(repeated):
            examples.setdefault(ids[row], []).append(int(row) + 1)
        raise DuplicateIdError(column, dict(list(examples.items())[:3]), len(examples),
                               path=where)


def _cell(value: object, where: str, column: str, row: int) -> float:
    """A theme cell as 0.0, 1.0 or NaN (blank); anything else names the cell."""
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, int | np.integer) and value in (0, 1):
        return float(value)
    if isinstance(value, float | np.floating):
        if math.isnan(value) or value in (0.0, 1.0):
            return float(value)
    elif value is None or value is pd.NA or value is pd.NaT:
        return math.nan
    elif isinstance(value, str):
        word = value.strip().lower()
        if word == "":
            return math.nan
        if word in _TRUE | _FALSE:
            return float(word in _TRUE)
    raise LabelsError(where, f"column {column!r} has {_text(value)!r} on data row {row + 1}; "
                      "codes must be 0 or 1 (blank counts as 0)")


def _score(value: object, where: str, row: int) -> float:
    """A long row's score: blank codes the theme, 0 does not, else a number in (0, 1]."""
    text = _text(value)
    if not text:
        return 1.0
    try:
        score = float(text)
    except ValueError:
        score = math.nan
    if not 0.0 <= score <= 1.0:
        raise LabelsError(where, f"column 'score' has {text!r} on data row {row + 1}; a score "
                          "is a number from 0 (not coded) to 1")
    return score


def _text(value: object) -> str:
    return as_text(value).strip()


def _listed(values: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(repr(value) for value in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")
