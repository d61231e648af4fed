"""Human codes as a 0/1 table, one row per coded answer, to train or check a coder with.

Codes come in either shape of SPEC section 3:

- **wide**: an id column and one 0/1 column per theme (blank cells read as 0);
- **long**: one row per answer and theme coded (``response_id``, ``theme``, and
  optionally ``score``, which must then be 0 or 1; a row with score 0 codes nothing).
  Other columns of a long codes table (``source``, ``evidence``, ...) are ignored.

They are matched to the answers **by id** when the codes have an id column
(``response_id``, or the column named by ``id_column``), else **by row position**, in
which case the codes must have exactly one row per answer.

Which answers the result covers:

- wide, joined on id: the answers whose id is in the file; answers missing from the
  file are left out (a hand-coded sample covers some answers only), never guessed;
- long: every answer; an answer with no row has no codes (all zeros);
- by position: every answer.

Every id in the codes must be an answer's ``response_id``; anything that is not a
0 or 1, an unknown theme (when ``themes`` are given), a wide file without a column
for one of them, a missing or repeated id is a :class:`LabelsError`.

Example:
    >>> responses = pd.DataFrame({"response_id": ["a", "b", "c"]})
    >>> wide = pd.DataFrame({"response_id": ["c", "a"], "crypto": [1, 0], "tor": ["0", "1"]})
    >>> read_labels(wide, responses)
       crypto  tor
    0       0    1
    2       1    0
    >>> long = pd.DataFrame({"response_id": ["b", "b"], "theme": ["tor", "crypto"]})
    >>> read_labels(long, responses, themes=["crypto", "tor"])
       crypto  tor
    0       0    0
    1       1    1
    2       0    0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from openends.errors import (
    DuplicateIdError,
    LabelsError,
    UnknownColumnError,
    closest_match,
)

ID_COLUMN = "response_id"
LONG_COLUMNS = ("theme",)
_TRUE = {"1", "1.0", "true", "yes"}
_FALSE = {"0", "0.0", "false", "no", ""}


def read_labels(codes: str | Path | pd.DataFrame, responses: pd.DataFrame, *,
                id_column: str | None = None,
                themes: Sequence[str] | None = None) -> pd.DataFrame:
    """The human codes in ``codes`` as a 0/1 int table indexed like ``responses``' rows.

    ``codes`` is a file (any format :func:`openends.io.read_table` reads) or a
    DataFrame. ``id_column`` names the codes' id column (default ``response_id``
    when present, else the codes align with the answers by row position); its
    values are matched with ``responses["response_id"]``. ``themes`` (e.g. a
    codebook's ids) fixes the columns and their order; without it they are the
    wide file's columns, or the long file's themes in order of appearance.
    """
    table, where = _table(codes)
    if id_column is not None and id_column not in table.columns:
        raise UnknownColumnError(id_column, list(table.columns), path=where)
    id_name = id_column if id_column is not None else (
        ID_COLUMN if ID_COLUMN in table.columns else None)
    answer_ids = responses[ID_COLUMN].astype(str).tolist() if ID_COLUMN in responses.columns \
        else None
    if "theme" in table.columns:
        return _long(table, where, id_name, responses, answer_ids, themes)
    return _wide(table, where, id_name, responses, answer_ids, themes)


def _table(codes: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if isinstance(codes, pd.DataFrame):
        table = codes.copy()
        table.columns = [str(column) for column in table.columns]
        return table.reset_index(drop=True), "codes"
    from openends.io import read_table

    table, _ = read_table(codes)
    return table, Path(codes).name


def _long(table: pd.DataFrame, where: str, id_name: str | None, responses: pd.DataFrame,
          answer_ids: list[str] | None, themes: Sequence[str] | None) -> pd.DataFrame:
    if id_name is None or answer_ids is None:
        raise LabelsError(where, "long codes (a 'theme' column) need an id column: add "
                          f"{ID_COLUMN!r} (the answers' ids), or give the one they have with --id")
    ids = _ids(table[id_name], where, id_name)
    theme_values = [_text(value) for value in table["theme"]]
    blank = [row for row, value in enumerate(theme_values) if not value]
    if blank:
        raise LabelsError(where, f"column 'theme' is empty on {len(blank)} row(s) (e.g. data "
                          f"row {_row(blank[0])}); every row of long codes names a theme")
    coded = np.ones(len(table), dtype=bool)
    if "score" in table.columns:
        coded = np.array([_zero_one(value, where, "score", row) == 1
                          for row, value in enumerate(table["score"])], dtype=bool)
    columns = _theme_order(themes, list(dict.fromkeys(theme_values)), where)
    _check_known(ids, answer_ids, where, id_name)
    labels = pd.DataFrame(0, index=responses.index, columns=columns, dtype="int64")
    position = {answer: row for row, answer in enumerate(answer_ids)}
    theme_position = {theme: column for column, theme in enumerate(columns)}
    values = labels.to_numpy(copy=True)
    for answer, theme, is_coded in zip(ids, theme_values, coded, strict=True):
        if is_coded:
            values[position[answer], theme_position[theme]] = 1
    return pd.DataFrame(values, index=responses.index, columns=columns, dtype="int64")


def _wide(table: pd.DataFrame, where: str, id_name: str | None, responses: pd.DataFrame,
          answer_ids: list[str] | None, themes: Sequence[str] | None) -> pd.DataFrame:
    present = [column for column in table.columns if column != id_name]
    if not present:
        raise LabelsError(where, "has no theme columns; wide codes have an id column and one "
                          "0/1 column per theme")
    columns = _theme_order(themes, present, where)
    missing = [theme for theme in columns if theme not in table.columns]
    if missing:
        raise LabelsError(where, f"has no column for theme(s) {_listed(missing)}; wide codes "
                          "need one 0/1 column per theme (a theme nobody coded is a column "
                          "of zeros)")
    values = np.array([[_zero_one(value, where, column, row)
                        for row, value in enumerate(table[column])] for column in columns],
                      dtype="int64").T.reshape(len(table), len(columns))
    if id_name is None:
        if len(table) != len(responses):
            raise LabelsError(where, f"has {len(table)} row(s) but there are {len(responses)} "
                              f"answers; codes without an id column ({ID_COLUMN!r}) are matched "
                              "to the answers by row position, so the counts must be equal. Add "
                              "the answers' ids, or give the id column with --id")
        return pd.DataFrame(values, index=responses.index, columns=columns, dtype="int64")
    if answer_ids is None:
        raise UnknownColumnError(ID_COLUMN, list(responses.columns))
    ids = _ids(table[id_name], where, id_name)
    repeated = pd.Series(ids).duplicated(keep=False).to_numpy()
    if repeated.any():
        examples: dict[str, list[int]] = {}
        for row in np.flatnonzero(repeated):
            examples.setdefault(ids[row], []).append(_row(int(row)))
        raise DuplicateIdError(id_name, dict(list(examples.items())[:3]), len(examples),
                               path=where)
    _check_known(ids, answer_ids, where, id_name)
    row_of = {answer: row for row, answer in enumerate(ids)}
    rows = [position for position, answer in enumerate(answer_ids) if answer in row_of]
    ordered = values[[row_of[answer_ids[position]] for position in rows]]
    return pd.DataFrame(ordered, index=responses.index[rows], columns=columns, dtype="int64")


def _theme_order(themes: Sequence[str] | None, present: list[str], where: str) -> list[str]:
    """The columns of the result: ``themes`` in their order, after checking none is unknown."""
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


def _ids(values: pd.Series, where: str, column: str) -> list[str]:
    ids = [_text(value) for value in values]
    empty = [row for row, value in enumerate(ids) if not value]
    if empty:
        raise LabelsError(where, f"id column {column!r} is empty on {len(empty)} row(s) (e.g. "
                          f"data row {_row(empty[0])}); every coded answer needs its id")
    return ids


def _check_known(ids: list[str], answer_ids: list[str], where: str, column: str) -> None:
    known = set(answer_ids)
    unknown = list(dict.fromkeys(answer for answer in ids if answer not in known))
    if unknown:
        raise LabelsError(where, f"{len(unknown)} id(s) in column {column!r} are not answers "
                          f"of the survey file (e.g. {_listed(unknown[:3])}); code the same "
                          "file, or check that the ids are the answers' response_id values")


def _zero_one(value: object, where: str, column: str, row: int) -> int:
    """A cell as 0 or 1; blank is 0; anything else is an error naming the cell."""
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, int | np.integer) and value in (0, 1):
        return int(value)
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return 0
        if value in (0.0, 1.0):
            return int(value)
    elif value is None or value is pd.NA or value is pd.NaT:
        return 0
    elif isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return int(value.strip().lower() in _TRUE)
    raise LabelsError(where, f"column {column!r} has {_text(value)!r} on data row {_row(row)}; "
                      "codes must be 0 or 1 (blank counts as 0)")


def _text(value: object) -> str:
    from openends.io import as_text

    return as_text(value).strip()


def _row(position: int) -> int:
    """A 0-based position as the 1-based data row that errors name (as openends.io does)."""
    return position + 1


def _listed(values: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(repr(value) for value in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")
