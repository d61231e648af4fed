"""Which themes come together, and sub-themes rolled up into their parents.

Example:
    >>> codes = pd.DataFrame({"response_id": list("abcd"), "tor": [1, 1, 0, 0],
    ...                       "vpn": [1, 0, 1, 0]})
    >>> cooccurrence(codes)[["theme_a", "theme_b", "n", "count_a", "both", "share_of_a",
    ...                      "lift"]]
      theme_a theme_b  n  count_a  both  share_of_a  lift
    0     tor     vpn  4        2     1         0.5   1.0
    1     vpn     tor  4        2     1         0.5   1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from openends.errors import ConfigError
from openends.stats._counts import SUBSTANTIVE, theme_columns, whole_weights

if TYPE_CHECKING:
    from openends.coding.codebook import Codebook


def cooccurrence(codes: pd.DataFrame, themes: Sequence[str] | None = None, *,
                 weight: str | None = None) -> pd.DataFrame:
    """How often each pair of themes is coded on the same answer.

    ``codes`` is wide (one 0/1 column per theme; ``themes`` defaults to every column but
    ``response_id``, ``status`` and ``decision``). When it has a ``status`` column (as
    ``CodingResult.wide()`` does) only substantive answers (``ok``) count. One row per
    ordered pair of different themes: ``theme_a, theme_b, n`` (answers counted),
    ``count_a, count_b, both``, ``share_of_a`` (both / count_a: of the answers with a,
    the share that also have b) and ``lift`` (P(a and b) / (P(a) P(b)): above 1 the two
    come together more often than if they were unrelated). Shares and lift are NaN
    where a theme is never coded.

    ``weight`` names a column of ``codes`` (not a theme) counting the answers each row
    stands for (whole numbers, e.g. rows compressed to their distinct combinations); the
    result is that of the answers they summarise.

    Example:
        >>> codes = pd.DataFrame({"tor": [1, 1, 0, 0], "vpn": [1, 1, 0, 1]})
        >>> table = cooccurrence(codes, ["tor", "vpn"])
        >>> table[["theme_a", "theme_b", "count_a", "both", "share_of_a"]]
          theme_a theme_b  count_a  both  share_of_a
        0     tor     vpn        2     2    1.000000
        1     vpn     tor        3     2    0.666667
        >>> table["lift"].round(3).tolist()
        [1.333, 1.333]
        >>> alike = pd.DataFrame({"tor": [1, 0, 0], "vpn": [1, 0, 1], "count": [2, 1, 1]})
        >>> cooccurrence(alike, weight="count").equals(table)
        True
    """
    themes = theme_columns(codes if weight is None else codes.drop(columns=weight), themes)
    rows = codes if "status" not in codes.columns else codes[codes["status"] == SUBSTANTIVE]
    marks = rows[themes].apply(pd.to_numeric, errors="coerce")
    if not marks.isin([0, 1]).all().all():
        bad = next(theme for theme in themes if not marks[theme].isin([0, 1]).all())
        raise ConfigError(f"theme column {bad!r} has values other than 0 and 1; codes "
                          "must be 0/1")
    matrix = marks.to_numpy(dtype=float)
    weights = (np.ones(len(matrix), dtype="int64") if weight is None
               else whole_weights(rows[weight], weight))
    both = (matrix * weights[:, None]).T @ matrix
    counts = np.diag(both).copy()
    n = int(weights.sum())
    first, second = (index.ravel() for index in np.indices(both.shape))
    pairs = first != second
    first, second = first[pairs], second[pairs]
    joint = both[first, second]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(counts[first] > 0, joint / counts[first], np.nan)
        expected = counts[first] * counts[second]
        lift = np.where(expected > 0, joint * n / np.where(expected > 0, expected, 1), np.nan)
    names = np.array(themes, dtype=object)
    return pd.DataFrame({
        "theme_a": names[first], "theme_b": names[second], "n": n,
        "count_a": counts[first].astype("int64"), "count_b": counts[second].astype("int64"),
        "both": joint.astype("int64"), "share_of_a": share, "lift": lift})


def roll_up(codes: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Wide codes with each parent theme coded wherever one of its descendants is.

    A parent column the codes lack is added just before its first child's column.
    Columns that are not themes of the codebook (``response_id``, ``status``, themes
    the codebook does not know) are kept as they are.

    Example:
        >>> from openends.coding.codebook import Codebook
        >>> book = Codebook.model_validate({"name": "x", "themes": [
        ...     {"id": "crypto", "label": "Crypto"},
        ...     {"id": "monero", "label": "Monero", "parent": "crypto"}]})
        >>> roll_up(pd.DataFrame({"response_id": ["a", "b"], "monero": [1, 0]}), book)
          response_id  crypto  monero
        0           a       1       1
        1           b       0       0
    """
    rolled = codes.copy()
    for theme in [theme for theme in codebook.ids if theme in codes.columns]:
        mentioned = pd.to_numeric(codes[theme], errors="coerce").fillna(0).astype("int64")
        below = theme
        for parent in codebook.ancestors(theme):
            if parent not in rolled.columns:
                rolled.insert(list(rolled.columns).index(below), parent, 0)
            below = parent
            rolled[parent] = np.maximum(
                pd.to_numeric(rolled[parent], errors="coerce").fillna(0).astype("int64"),
                mentioned)
    return rolled
