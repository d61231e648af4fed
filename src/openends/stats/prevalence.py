"""Theme prevalence: of a base of n answers (or respondents), k mention a theme.

Every share comes with its base (n), its count (k) and a Wilson score interval
(statsmodels' ``proportion_confint(method="wilson")``), which keeps sensible limits
for small bases and for shares near 0 or 1 where the textbook normal interval does
not. A base below 30 is flagged ``small_base``. Shares are proportions (0-1).

Example (two waves; the empty answer of 2019 is outside the default base):
    >>> codes = pd.DataFrame({"response_id": ["a", "b", "c", "d"], "tor": [1, 0, 1, 0]})
    >>> responses = pd.DataFrame({"response_id": ["a", "b", "c", "d"],
    ...     "status": ["ok", "ok", "ok", "empty"], "wave": ["2018", "2018", "2019", "2019"]})
    >>> table = prevalence(codes, responses, themes=["tor"], by=["wave"])
    >>> table[["theme", "wave", "n", "k", "pct", "small_base"]]
      theme  wave  n  k  pct  small_base
    0   tor  2018  2  1  0.5        True
    1   tor  2019  1  1  1.0        True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from openends.errors import ConfigError
from openends.stats._counts import SMALL_BASE, mention_counts


def wilson_interval(k: np.ndarray | Sequence[int] | int, n: np.ndarray | Sequence[int] | int,
                    *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of k out of n (statsmodels), as proportions; NaN where n is 0.

    Example:
        >>> low, high = wilson_interval([81, 0], [263, 0])
        >>> np.round(low, 4).tolist(), np.round(high, 4).tolist()
        ([0.2553, nan], [0.3662, nan])
    """
    from statsmodels.stats.proportion import proportion_confint

    check_level(level)
    k, n = np.atleast_1d(np.asarray(k, dtype=float)), np.atleast_1d(np.asarray(n, dtype=float))
    low, high = np.full(k.shape, np.nan), np.full(k.shape, np.nan)
    some = n > 0
    if some.any():
        low[some], high[some] = proportion_confint(k[some], n[some], alpha=1 - level,
                                                   method="wilson")
    # The limits at k = 0 and k = n are exactly 0 and 1; the formula leaves rounding dust.
    low[some & (k == 0)], high[some & (k == n)] = 0.0, 1.0
    return low, high


def check_level(level: float) -> None:
    """A ConfigError unless 0 < level < 1."""
    if not 0 < level < 1:
        raise ConfigError(f"the confidence level must be between 0 and 1 (e.g. 0.95), "
                          f"not {level}")


def prevalence(codes: pd.DataFrame, responses: pd.DataFrame, *,
               themes: Sequence[str] | None = None, by: Sequence[str] = (),
               base: str = "answers", level: float = 0.95,
               weight: str | None = None) -> pd.DataFrame:
    """Share of the base mentioning each theme, by group, with Wilson intervals.

    ``codes`` is wide (``response_id`` and one 0/1 column per theme, e.g.
    ``CodingResult.wide()``); ``responses`` the cleaned responses table with ``status``
    and the ``by`` columns (e.g. ``wave``, ``group``, ``question``). ``themes`` defaults
    to every column of ``codes`` but ``response_id``, ``status`` and ``decision``.

    ``base``:

    - ``"answers"`` (default): substantive answers (status ``ok``);
    - ``"all"``: every answer row whatever its status (non-answers count as not
      mentioning the theme);
    - ``"respondents"``: a respondent counts once in each group, as mentioning a theme
      when any of their substantive answers there does; n is the respondents with at
      least one substantive answer in the group (needs ``respondent_id``; without it
      each answer is a respondent).

    ``weight`` names a column of ``responses`` counting the answers (or, with base
    ``"respondents"``, the respondents) each row stands for, e.g. rows compressed to their
    distinct combinations: the result is that of the rows they summarise.

    Returns ``theme, <by...>, base, n, k, pct, ci_low, ci_high, small_base``: one row per
    theme and group combination found in ``responses`` (groups in natural order,
    numbers numerically), including groups where k = 0 and groups with no answer in the
    base (n = 0: pct and interval NaN). A missing or blank group value is its own group,
    ``"(blank)"``, listed last. ``pct`` and the interval are proportions (0-1);
    ``small_base`` marks n < 30.

    Example:
        >>> codes = pd.DataFrame({"response_id": ["a", "b"], "tor": [1, 0]})
        >>> responses = pd.DataFrame({"response_id": ["a", "b"], "status": ["ok", "ok"]})
        >>> row = prevalence(codes, responses).iloc[0]
        >>> int(row["n"]), int(row["k"]), float(row["pct"])
        (2, 1, 0.5)
        >>> round(float(row["ci_low"]), 3), round(float(row["ci_high"]), 3)
        (0.095, 0.905)
    """
    check_level(level)
    counts = mention_counts(codes, responses, themes=themes, by=by, base=base, weight=weight)
    return with_intervals(counts, level=level)


def with_intervals(counts: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """A counts table (``n``, ``k``) with ``pct``, the Wilson interval and ``small_base``."""
    n, k = counts["n"].to_numpy(), counts["k"].to_numpy()
    low, high = wilson_interval(k, n, level=level)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
    return counts.assign(pct=pct, ci_low=low, ci_high=high, small_base=n < SMALL_BASE)
