"""The layout of a coding sheet: one row per answer, one column per theme.

Columns, in order: ``response_id``, the context columns (e.g. ``question``,
``wave``), ``answer`` (the redacted text: personal data never leaves the tool), one
column per theme (empty, for the coder: 1 if the answer has the theme, 0 or blank if
not) and ``note`` (free text for the coder).

Example:
    >>> cleaned = pd.DataFrame({"response_id": ["r1", "r2"], "status": ["ok", "ok"],
    ...                         "text": ["Mail me at a@b.se", "More staff"],
    ...                         "redacted_text": ["Mail me at [EMAIL]", "More staff"],
    ...                         "wave": [2017.0, None]})
    >>> sheet_table(cleaned, [1, 0], ["staffing", "contact"], ["wave"])
      response_id  wave              answer staffing contact  note
    0          r2  None          More staff     None    None  None
    1          r1  2017  Mail me at [EMAIL]     None    None  None
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from openends.errors import ConfigError, UnknownColumnError
from openends.io.responses import as_text

ID_COLUMN = "response_id"
ANSWER_COLUMN = "answer"
NOTE_COLUMN = "note"
CODES_SHEET = "codes"
CODEBOOK_SHEET = "codebook"
HOW_TO_SHEET = "how to code"
SHOWN_TEXT = "redacted_text"


def sheet_table(cleaned: pd.DataFrame, rows: Sequence[int] | pd.Index, themes: Sequence[str],
                context: Sequence[str] = ()) -> pd.DataFrame:
    """The coding-sheet table of the answers at index labels ``rows`` of a cleaned
    responses table, in that order: ids, ``context`` columns (as text, blanks empty),
    the redacted answer, an empty cell per theme and an empty note."""
    for column in [ID_COLUMN, SHOWN_TEXT, *context]:
        if column not in cleaned.columns:
            raise UnknownColumnError(column, list(cleaned.columns))
    names = [ID_COLUMN, *context, ANSWER_COLUMN, *themes, NOTE_COLUMN]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigError(f"the coding sheet would have column(s) {', '.join(map(repr, repeated))}"
                          " twice; rename the attribute (NAME=COLUMN) or the theme")
    picked = cleaned.loc[list(rows)]
    table = pd.DataFrame({ID_COLUMN: picked[ID_COLUMN].map(as_text).to_numpy()}, dtype=object)
    for column in context:
        table[column] = _column([as_text(value).strip() or None for value in picked[column]])
    table[ANSWER_COLUMN] = _column([as_text(value) for value in picked[SHOWN_TEXT]])
    for column in [*themes, NOTE_COLUMN]:
        table[column] = _column([None] * len(table))
    return table


def _column(values: list[str | None]) -> pd.Series:
    """Plain Python values (None for blank), not a string dtype that turns None into NaN."""
    return pd.Series(values, dtype=object)


def context_columns(cleaned: pd.DataFrame, attrs: Sequence[str] | None = None,
                    by: Sequence[str] = ()) -> list[str]:
    """The context columns a sheet shows before the answer: ``question`` when the answers
    come from several questions, then the ``by`` columns, then the ``--attr`` columns
    (their names: ``NAME`` of ``NAME=COLUMN``).

    Example:
        >>> cleaned = pd.DataFrame({"question": ["tech", "help"], "wave": [1, 2]})
        >>> context_columns(cleaned, ["region = Q1"], by=["wave"])
        ['question', 'wave', 'region']
    """
    from openends.io.responses import parse_column_specs

    several = "question" in cleaned.columns and cleaned["question"].nunique() > 1
    return list(dict.fromkeys([*(["question"] if several else []), *by,
                               *parse_column_specs(list(attrs or []))]))
