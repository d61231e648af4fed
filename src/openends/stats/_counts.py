"""Counts behind every statistic: the base (n) and the answers mentioning each theme (k).

Every function of :mod:`openends.stats` reads the same two tables: wide codes
(``response_id`` plus one 0/1 column per theme) and the cleaned responses table
(``response_id``, ``status`` and the attribute columns to group by). This module
checks them against each other and counts, so the statistics modules only do maths.

Group values are shown as text; a missing or blank value is its own group,
:data:`BLANK`, so every answer stays in the table and the counts reconcile.

Example:
    >>> codes = pd.DataFrame({"response_id": ["a", "b", "c"], "tor": [1, 0, 0]})
    >>> responses = pd.DataFrame({"response_id": ["a", "b", "c"],
    ...                           "status": ["ok", "ok", "empty"], "wave": [1, 2, 2]})
    >>> mention_counts(codes, responses, themes=["tor"], by=["wave"], base="answers")
      theme wave     base  n  k
    0   tor    1  answers  1  1
    1   tor    2  answers  1  0
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from openends.errors import ConfigError, UnknownColumnError

ID = "response_id"
RESPONDENT = "respondent_id"
SUBSTANTIVE = "ok"
BLANK = "(blank)"
"""The group of answers with no value in a grouping column."""
BASES = ("answers", "all", "respondents")
NOT_THEMES = frozenset({ID, "status", "decision"})
"""Columns of wide codes that are never themes (``CodingResult.wide()`` adds them)."""
SMALL_BASE = 30
"""A base below this many answers (or respondents) is flagged ``small_base``."""
_ALL = "__all__"
_WEIGHT = "__weight__"


def theme_columns(codes: pd.DataFrame, themes: Sequence[str] | None) -> list[str]:
    """``themes`` checked against the codes' columns; None means every theme column."""
    if themes is None:
        return [str(column) for column in codes.columns if column not in NOT_THEMES]
    if isinstance(themes, str):
        themes = [themes]
    for theme in themes:
        if theme not in codes.columns:
            raise UnknownColumnError(theme, [str(column) for column in codes.columns])
    return list(themes)


def group_label(value: object) -> str:
    """A group value as text: missing or blank values become :data:`BLANK`, whole
    floats lose their ``.0`` (a wave column with a gap is read as floats).

    Example:
        >>> group_label(2017.0), group_label(None), group_label("  "), group_label("North")
        ('2017', '(blank)', '(blank)', 'North')
    """
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):  # type: ignore[call-overload]
        return BLANK
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    return text if text else BLANK


def natural_key(label: str) -> tuple[int, tuple[tuple[int, float | str], ...]]:
    """Sort key: numbers numerically ("wave 2" before "wave 10"), :data:`BLANK` last.

    Example:
        >>> sorted(["wave 10", "(blank)", "wave 2"], key=natural_key)
        ['wave 2', 'wave 10', '(blank)']
    """
    if label == BLANK:
        return (1, ())
    parts = re.split(r"(\d+(?:\.\d+)?)", label.casefold())
    return (0, tuple((0, float(part)) if index % 2 else (1, part)
                     for index, part in enumerate(parts) if part))


def check_choice(name: str, value: str, choices: Sequence[str]) -> None:
    """A ConfigError naming the choices when ``value`` is not one of them."""
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(map(repr, choices))}, not {value!r}")


def mention_counts(codes: pd.DataFrame, responses: pd.DataFrame, *,
                   themes: Sequence[str] | None, by: Sequence[str], base: str,
                   weight: str | None = None) -> pd.DataFrame:
    """Long table ``theme, <by...>, base, n, k``: one row per theme and group combination
    seen in ``responses`` (groups in natural order, also those with n = 0 or k = 0).

    ``base`` is ``"answers"`` (substantive answers, status ``ok``), ``"all"`` (every
    answer row; answers that were not coded count as not mentioning) or
    ``"respondents"`` (a respondent counts once in a group, as mentioning a theme when
    any of their substantive answers in the group does; n = respondents with at least
    one substantive answer there; without a ``respondent_id`` column every answer is
    its own respondent).

    ``weight`` names a column of ``responses`` saying how many answers each row stands
    for (whole numbers: e.g. rows compressed to their distinct combinations, with the
    count of each); with base ``"respondents"``, how many respondents, the same on every
    row of a respondent. None: every row is one answer. A weighted table gives the
    counts of the table it summarises.

    Example (three answers, two of them alike, as two weighted rows):
        >>> codes = pd.DataFrame({"response_id": ["x", "y"], "tor": [1, 0]})
        >>> rows = pd.DataFrame({"response_id": ["x", "y"], "status": "ok", "count": [2, 1]})
        >>> mention_counts(codes, rows, themes=None, by=[], base="answers", weight="count")
          theme     base  n  k
        0   tor  answers  3  2
    """
    check_choice("base", base, BASES)
    by = [by] if isinstance(by, str) else list(by)
    themes = theme_columns(codes, themes)
    frame, marks = aligned(codes, responses, themes, by, weight=weight)
    keys = by or [_ALL]
    for column in by:
        frame[column] = [group_label(value) for value in frame[column]]
    if not by:
        frame[_ALL] = ""
    groups = (frame[keys].drop_duplicates()
              .sort_values(keys, key=lambda column: column.map(natural_key))
              .set_index(keys).index)
    counted = frame["status"].eq(SUBSTANTIVE) if base != "all" else pd.Series(True, frame.index)
    table = pd.concat([frame.loc[counted, keys], marks.loc[counted]], axis=1)
    table[_WEIGHT] = frame.loc[counted, weight] if weight is not None else 1
    if base == "respondents":
        unit = RESPONDENT if RESPONDENT in frame.columns else ID
        table[unit] = frame.loc[counted, unit]
        table = table.groupby([*keys, unit], sort=False)[[*themes, _WEIGHT]].max().reset_index()
    table[themes] = table[themes].mul(table[_WEIGHT], axis=0)
    grouped = table.groupby(keys, sort=False)
    sizes = grouped[_WEIGHT].sum().reindex(groups, fill_value=0)
    mentions = grouped[themes].sum().reindex(groups, fill_value=0)
    labels = groups.to_frame(index=False)
    rows = [labels.assign(theme=theme, base=base, n=sizes.to_numpy(),
                          k=mentions[theme].to_numpy()) for theme in themes]
    if not rows:
        return pd.DataFrame(columns=["theme", *by, "base", "n", "k"])
    long = pd.concat(rows, ignore_index=True)
    return long[["theme", *by, "base", "n", "k"]].astype({"n": "int64", "k": "int64"})


def aligned(codes: pd.DataFrame, responses: pd.DataFrame, themes: list[str],
            by: list[str], *, weight: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The responses' id, status, grouping (and ``weight``) columns, and each answer's 0/1
    marks (int64, 0 where an answer that is not substantive has no codes), row by row.

    The responses are the scope: codes of answers not in them are ignored (so passing
    only the police answers to one question analyses those), but every substantive
    answer in them must have codes.

    Example:
        >>> codes = pd.DataFrame({"response_id": ["b", "a"], "tor": [0, 1]})
        >>> responses = pd.DataFrame({"response_id": ["a", "b", "c"],
        ...                           "status": ["ok", "ok", "empty"]})
        >>> aligned(codes, responses, ["tor"], [])[1]["tor"].tolist()
        [1, 0, 0]
    """
    available = [str(column) for column in responses.columns]
    weights = [] if weight is None else [weight]
    for column in [ID, "status", *by, *weights]:
        if column not in responses.columns:
            raise UnknownColumnError(column, available)
    wanted = [ID, "status", *by, *weights] + [RESPONDENT] * (RESPONDENT in responses.columns)
    frame = responses[list(dict.fromkeys(wanted))].reset_index(drop=True).copy()
    if weight is not None:
        frame[weight] = whole_weights(frame[weight], weight)
    ids = frame[ID].astype(str)
    if ids.duplicated().any():
        raise ConfigError(f"the responses table has duplicated response ids (e.g. "
                          f"{ids[ids.duplicated()].iloc[0]!r}); each answer needs its own id")
    if ID in codes.columns:
        code_ids = codes[ID].astype(str)
        if code_ids.duplicated().any():
            raise ConfigError(f"the codes have more than one row for response "
                              f"{code_ids[code_ids.duplicated()].iloc[0]!r}; give wide codes, "
                              "one row per answer")
        marks = codes[themes].set_axis(code_ids.to_numpy()).reindex(ids.to_numpy())
    elif len(codes) == len(frame):
        marks = codes[themes]
    else:
        raise ConfigError(f"the codes have no {ID!r} column and {len(codes)} rows for "
                          f"{len(frame)} answers; give the id column, or codes for every answer")
    raw = marks.reset_index(drop=True)
    marks = raw.apply(pd.to_numeric, errors="coerce")
    substantive = frame["status"].eq(SUBSTANTIVE).to_numpy()
    uncoded = marks.isna().all(axis=1).to_numpy() & substantive
    if uncoded.any():
        raise ConfigError(
            f"{int(uncoded.sum())} substantive answer(s) have no codes (e.g. "
            f"{ids[uncoded].iloc[0]!r}); code every answer with status 'ok', or pass only "
            "the responses that were coded")
    for theme in themes:
        bad = ~marks.loc[substantive, theme].isin([0, 1])
        if bad.any():
            example = raw.loc[substantive, theme][bad].iloc[0]
            raise ConfigError(f"theme column {theme!r} has values other than 0 and 1 (e.g. "
                              f"{example!r}); codes must be 0/1")
    return frame, marks.fillna(0).astype("int64")


def whole_weights(values: pd.Series, column: str) -> np.ndarray:
    """The weights of a column as int64 counts; a ConfigError unless whole numbers >= 0.

    Example:
        >>> whole_weights(pd.Series([2, 1.0]), "count").tolist()
        [2, 1]
    """
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(numbers) & (numbers >= 0) & (numbers == np.floor(numbers)))
    if bad.any():
        raise ConfigError(f"weight column {column!r} has values that are not whole numbers of "
                          f"0 or more (e.g. {values.to_numpy()[bad][0]!r}); a weight counts the "
                          "answers a row stands for")
    return numbers.astype("int64")


def ordered_levels(values: pd.Series, order: Sequence[object] | None, name: str) -> list[str]:
    """The levels of a column to compare, in ``order`` or naturally; blanks left out.
    A level in ``order`` that never occurs is an error (a typo would drop it silently);
    levels not in ``order`` are left out."""
    present = {label for label in values if label != BLANK}
    if order is None:
        return sorted(present, key=natural_key)
    levels = [group_label(level) for level in order]
    missing = [level for level in levels if level not in present]
    if missing:
        raise ConfigError(f"{name} {missing[0]!r} in the order given does not occur; the "
                          f"values are {', '.join(map(repr, sorted(present, key=natural_key)))}")
    return levels

