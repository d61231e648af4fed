"""What changed: tests between waves and between groups, corrected for multiple testing.

- :func:`wave_changes`: each pair of consecutive waves, per theme (and group): the
  difference in percentage points with Newcombe's hybrid score interval (statsmodels
  ``confint_proportions_2indep(method="newcomb")``) and a two-sided test: the pooled
  two-proportion z-test (statsmodels ``proportions_ztest``), or Fisher's exact test
  (scipy ``fisher_exact``) when any expected count of the 2 x 2 table is below 5, where
  the z-test's normal approximation is poor (Cochran's rule).
- :func:`trend_tests`: the Cochran-Armitage test for a linear trend across ordered waves
  (scores 0, 1, 2, ... by position in the wave order), with the binomial variance of
  Armitage (1955), as R's ``prop.trend.test`` reports it. statsmodels'
  ``Table.test_ordinal_association`` (linear-by-linear association) uses the
  hypergeometric variance; its z times sqrt(N / (N - 1)) is this z.
- :func:`group_differences`: Pearson's chi-square test (scipy ``chi2_contingency``,
  without Yates' correction) of a theme's prevalence across the groups of an attribute.

Every function corrects the p-values of all the rows it returns together (statsmodels
``multipletests``): ``"holm"`` (default; controls the family-wise error rate), ``"bh"``
(Benjamini-Hochberg; controls the false discovery rate) or ``"none"``. ``significant``
is ``p_adjusted < alpha``, never the raw p. Missing or blank waves and groups are not
compared (they have no place in an order and are not a group); a base below 30 is
flagged ``small_base``.

Example (the share mentioning Tor rises from 10% to 30% of 100 answers):
    >>> codes = pd.DataFrame({"response_id": [str(i) for i in range(200)],
    ...                       "tor": [1] * 10 + [0] * 90 + [1] * 30 + [0] * 70})
    >>> responses = pd.DataFrame({"response_id": codes["response_id"], "status": "ok",
    ...                           "wave": ["2018"] * 100 + ["2019"] * 100})
    >>> row = wave_changes(codes, responses).iloc[0]
    >>> row["wave1"], row["wave2"], round(float(row["diff_pp"]), 1), row["test"]
    ('2018', '2019', 20.0, 'two-proportion z')
    >>> bool(row["significant"])
    True
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

from openends.errors import ConfigError
from openends.stats._counts import (
    SMALL_BASE,
    check_choice,
    mention_counts,
    ordered_levels,
)
from openends.stats.prevalence import check_level

CORRECTIONS = {"holm": "holm", "bh": "fdr_bh", "fdr_bh": "fdr_bh", "none": None}
"""Accepted ``correction`` names and the statsmodels ``multipletests`` method of each."""
FISHER_BELOW = 5
"""Fisher's exact test replaces the z-test when an expected count is below this."""
Z_TEST, FISHER = "two-proportion z", "Fisher exact"


def adjust_p(p: Sequence[float] | np.ndarray, correction: str = "holm") -> np.ndarray:
    """p-values corrected together for multiple testing (NaN entries left out).

    Example:
        >>> adjust_p([0.01, 0.04, 0.03], "holm").round(3).tolist()
        [0.03, 0.06, 0.06]
        >>> adjust_p([0.01, 0.04, 0.03], "bh").round(3).tolist()
        [0.03, 0.04, 0.04]
    """
    from statsmodels.stats.multitest import multipletests

    check_choice("correction", correction, list(CORRECTIONS))
    values = np.asarray(p, dtype=float)
    adjusted = values.copy()
    tested = ~np.isnan(values)
    method = CORRECTIONS[correction]
    if method is not None and tested.any():
        adjusted[tested] = multipletests(values[tested], method=method)[1]
    return adjusted


def two_proportion_test(k1: int, n1: int, k2: int, n2: int) -> tuple[str, float]:
    """The test's name and two-sided p-value for k1 of n1 against k2 of n2: the pooled
    z-test, or Fisher's exact test when an expected count is below 5.

    Example:
        >>> two_proportion_test(10, 100, 30, 100)[0], two_proportion_test(1, 20, 6, 20)[0]
        ('two-proportion z', 'Fisher exact')
    """
    from scipy.stats import fisher_exact

    mentions, total = k1 + k2, n1 + n2
    smallest_expected = min(n1, n2) * min(mentions, total - mentions) / total
    if smallest_expected < FISHER_BELOW:
        return FISHER, float(fisher_exact([[k1, n1 - k1], [k2, n2 - k2]])[1])
    from statsmodels.stats.proportion import proportions_ztest

    return Z_TEST, float(proportions_ztest([k1, k2], [n1, n2])[1])


def difference_interval(k1: int, n1: int, k2: int, n2: int, *,
                        level: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval of p2 - p1 (statsmodels), as proportions.

    Example:
        >>> [round(limit, 4) for limit in difference_interval(48, 80, 56, 70)]
        [0.0524, 0.3339]
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(k2, n2, k1, n1, method="newcomb", compare="diff",
                                           alpha=1 - level)
    return float(low), float(high)


def cochran_armitage(k: Sequence[int] | np.ndarray, n: Sequence[int] | np.ndarray,
                     scores: Sequence[float] | np.ndarray | None = None) -> tuple[float, float]:
    """Cochran-Armitage trend test of k_i out of n_i over ordered groups: z (positive
    when the share rises with the scores) and the two-sided p-value.

    T = sum t_i (k_i - n_i p), Var T = p (1 - p) (sum n_i t_i^2 - (sum n_i t_i)^2 / N),
    z = T / sqrt(Var T), with p = K / N the pooled share and t_i the scores (default
    0, 1, 2, ...). When no answer or every answer mentions the theme, z = 0 and p = 1.

    Example (R's ``prop.trend.test`` help page: X-squared = 8.2249, p-value = 0.004132):
        >>> z, p = cochran_armitage([83, 90, 129, 70], [86, 93, 136, 82])
        >>> round(z * z, 4), round(p, 6)
        (8.2249, 0.004132)
    """
    from scipy.stats import norm

    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    t = np.arange(len(k), dtype=float) if scores is None else np.asarray(scores, dtype=float)
    if not len(k) == len(n) == len(t):
        raise ConfigError("cochran_armitage needs as many counts, bases and scores")
    total = n.sum()
    pooled = k.sum() / total
    statistic = float((t * (k - n * pooled)).sum())
    variance = float(pooled * (1 - pooled) * ((n * t * t).sum() - (n * t).sum() ** 2 / total))
    if variance <= 0:
        return 0.0, 1.0
    z = statistic / np.sqrt(variance)
    return float(z), float(2 * norm.sf(abs(z)))


def wave_changes(codes: pd.DataFrame, responses: pd.DataFrame, *,
                 themes: Sequence[str] | None = None, wave: str = "wave",
                 by: Sequence[str] = (), base: str = "answers",
                 order: Sequence[object] | None = None, correction: str = "holm",
                 alpha: float = 0.05, level: float = 0.95,
                 weight: str | None = None) -> pd.DataFrame:
    """Wave-over-wave change of each theme's share, per group in ``by``.

    For each theme, group and pair of consecutive waves that both have answers in the
    base (waves in ``order``, else naturally: numbers numerically; waves not in
    ``order`` are left out): ``theme, <by...>, wave1, wave2, n1, k1, pct1, n2, k2, pct2,
    diff_pp, diff_low_pp, diff_high_pp, test, p, p_adjusted, correction, significant,
    small_base``. ``diff_pp`` is pct2 - pct1 in percentage points, with its Newcombe
    interval at ``level``; ``test`` is ``"two-proportion z"`` or ``"Fisher exact"`` (an
    expected count below 5); ``p_adjusted`` corrects all rows of the table together
    (``correction``: ``"holm"``, ``"bh"`` or ``"none"``); ``significant`` is
    ``p_adjusted < alpha``; ``small_base`` marks n1 or n2 < 30. ``codes``,
    ``responses``, ``themes``, ``base`` and ``weight`` are as for
    :func:`~openends.stats.prevalence`.

    Example:
        >>> codes = pd.DataFrame({"response_id": list("abcdef"), "tor": [1, 0, 0, 1, 1, 0]})
        >>> responses = pd.DataFrame({"response_id": list("abcdef"), "status": "ok",
        ...                           "wave": [1, 1, 1, 2, 2, 2]})
        >>> wave_changes(codes, responses)[["wave1", "wave2", "k1", "k2", "test", "p"]]
          wave1 wave2  k1  k2          test    p
        0     1     2   1   2  Fisher exact  1.0
    """
    by = _checked(by, wave, correction, alpha, level)
    counts = mention_counts(codes, responses, themes=themes, by=[*by, wave], base=base,
                            weight=weight)
    waves = ordered_levels(counts[wave], order, "wave")
    rows = []
    for key, present, n, k in _series(counts, by, wave, waves):
        for (first, n1, k1), (second, n2, k2) in pairwise(zip(present, n, k, strict=True)):
            test, p = two_proportion_test(k1, n1, k2, n2)
            low, high = difference_interval(k1, n1, k2, n2, level=level)
            rows.append({**key, "wave1": first, "wave2": second,
                         "n1": n1, "k1": k1, "pct1": k1 / n1, "n2": n2, "k2": k2,
                         "pct2": k2 / n2, "diff_pp": 100 * (k2 / n2 - k1 / n1),
                         "diff_low_pp": 100 * low, "diff_high_pp": 100 * high,
                         "test": test, "p": p, "small_base": min(n1, n2) < SMALL_BASE})
    columns = ["theme", *by, "wave1", "wave2", "n1", "k1", "pct1", "n2", "k2", "pct2",
               "diff_pp", "diff_low_pp", "diff_high_pp", "test", "p"]
    return _corrected(rows, columns, correction, alpha)


def trend_tests(codes: pd.DataFrame, responses: pd.DataFrame, *,
                themes: Sequence[str] | None = None, wave: str = "wave",
                by: Sequence[str] = (), base: str = "answers",
                order: Sequence[object] | None = None, correction: str = "holm",
                alpha: float = 0.05, weight: str | None = None) -> pd.DataFrame:
    """Cochran-Armitage test of a linear trend across the ordered waves, per theme and
    group (see :func:`cochran_armitage`; waves scored 0, 1, 2, ... by their place in the
    order, so a group missing a middle wave keeps the spacing).

    One row per theme and group with answers in the base in two or more waves:
    ``theme, <by...>, waves (e.g. "2017, 2018, 2019"), n, k, pct_first, pct_last,
    change_pp (last minus first wave, percentage points), z (positive: rising), p,
    p_adjusted, correction, significant, small_base`` (a wave's base below 30).
    Arguments as for :func:`wave_changes`.

    Example:
        >>> codes = pd.DataFrame({"response_id": [str(i) for i in range(300)],
        ...     "tor": [1] * 10 + [0] * 90 + [1] * 20 + [0] * 80 + [1] * 30 + [0] * 70})
        >>> responses = pd.DataFrame({"response_id": codes["response_id"], "status": "ok",
        ...                           "wave": [2017] * 100 + [2018] * 100 + [2019] * 100})
        >>> row = trend_tests(codes, responses).iloc[0]
        >>> row["waves"], round(float(row["z"]), 2), bool(row["significant"])
        ('2017, 2018, 2019', 3.54, True)
    """
    by = _checked(by, wave, correction, alpha, 0.95)
    counts = mention_counts(codes, responses, themes=themes, by=[*by, wave], base=base,
                            weight=weight)
    waves = ordered_levels(counts[wave], order, "wave")
    rows = []
    for key, present, n, k in _series(counts, by, wave, waves):
        if len(present) < 2:
            continue
        z, p = cochran_armitage(k, n, [waves.index(level) for level in present])
        rows.append({**key, "waves": ", ".join(present), "n": int(n.sum()),
                     "k": int(k.sum()), "pct_first": k[0] / n[0], "pct_last": k[-1] / n[-1],
                     "change_pp": 100 * (k[-1] / n[-1] - k[0] / n[0]), "z": z, "p": p,
                     "small_base": bool((n < SMALL_BASE).any())})
    columns = ["theme", *by, "waves", "n", "k", "pct_first", "pct_last", "change_pp", "z", "p"]
    return _corrected(rows, columns, correction, alpha)


def group_differences(codes: pd.DataFrame, responses: pd.DataFrame, *, between: str,
                      themes: Sequence[str] | None = None, by: Sequence[str] = (),
                      base: str = "answers", correction: str = "holm",
                      alpha: float = 0.05, weight: str | None = None) -> pd.DataFrame:
    """Chi-square test of whether a theme's share differs across the groups of the
    attribute ``between`` (e.g. ``"country"``), per theme and per stratum in ``by``
    (e.g. ``["wave"]``).

    One row per theme and stratum with two or more groups that have answers in the
    base: ``theme, <by...>, groups (how many), n, k, pct, chi2, dof, p, p_adjusted,
    correction, significant, small_base`` (a group's base below 30) and
    ``low_expected`` (an expected count below 5: the chi-square approximation is
    doubtful; merge small groups). Blank values of ``between`` are not a group and are
    left out. When no answer or every answer mentions the theme, chi2 = 0 and p = 1.
    Other arguments as for :func:`wave_changes`.

    Example:
        >>> codes = pd.DataFrame({"response_id": [str(i) for i in range(200)],
        ...                       "tor": [1] * 50 + [0] * 50 + [1] * 20 + [0] * 80})
        >>> responses = pd.DataFrame({"response_id": codes["response_id"], "status": "ok",
        ...                           "unit": ["cyber"] * 100 + ["local"] * 100})
        >>> row = group_differences(codes, responses, between="unit").iloc[0]
        >>> int(row["groups"]), round(float(row["chi2"]), 2), bool(row["significant"])
        (2, 19.78, True)
    """
    from scipy.stats import chi2_contingency

    by = _checked(by, between, correction, alpha, 0.95)
    counts = mention_counts(codes, responses, themes=themes, by=[*by, between], base=base,
                            weight=weight)
    groups = ordered_levels(counts[between], None, between)
    rows = []
    for key, present, n, k in _series(counts, by, between, groups):
        if len(present) < 2:
            continue
        if 0 < k.sum() < n.sum():
            chi2, p, dof, expected = chi2_contingency(np.vstack([k, n - k]), correction=False)
            low_expected = bool((expected < FISHER_BELOW).any())
        else:
            chi2, p, dof, low_expected = 0.0, 1.0, len(present) - 1, False
        rows.append({**key, "groups": len(present), "n": int(n.sum()),
                     "k": int(k.sum()), "pct": k.sum() / n.sum(), "chi2": float(chi2),
                     "dof": int(dof), "p": float(p), "small_base": bool((n < SMALL_BASE).any()),
                     "low_expected": low_expected})
    columns = ["theme", *by, "groups", "n", "k", "pct", "chi2", "dof", "p"]
    table = _corrected(rows, columns, correction, alpha)
    return table.assign(low_expected=[row["low_expected"] for row in rows])


def _checked(by: Sequence[str], compared: str, correction: str, alpha: float,
             level: float) -> list[str]:
    by = [by] if isinstance(by, str) else list(by)
    if compared in by:
        raise ConfigError(f"{compared!r} is the column compared; leave it out of by")
    check_choice("correction", correction, list(CORRECTIONS))
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must be between 0 and 1 (e.g. 0.05), not {alpha}")
    check_level(level)
    return by


def _series(counts: pd.DataFrame, by: list[str], column: str, levels: list[str],
            ) -> Iterator[tuple[dict[str, object], list[str], np.ndarray, np.ndarray]]:
    """For each theme and ``by`` group: its key, the ``levels`` of ``column`` with answers
    in the base (in order), and their n and k."""
    for key, part in counts.groupby(["theme", *by], sort=False):
        values = key if isinstance(key, tuple) else (key,)
        bases = dict(zip(part[column], part["n"], strict=True))
        mentions = dict(zip(part[column], part["k"], strict=True))
        present = [level for level in levels if bases.get(level, 0) > 0]
        yield (dict(zip(["theme", *by], values, strict=True)), present,
               np.array([bases[level] for level in present], dtype=np.int64),
               np.array([mentions[level] for level in present], dtype=np.int64))


def _corrected(rows: list[dict[str, object]], columns: list[str], correction: str,
               alpha: float) -> pd.DataFrame:
    """The rows as a table with ``p_adjusted`` (all rows corrected together),
    ``correction``, ``significant`` and ``small_base``."""
    table = pd.DataFrame(rows, columns=[*columns, "small_base"])
    small = table.pop("small_base").astype(bool)
    adjusted = adjust_p(table["p"].to_numpy(dtype=float), correction)
    return table.assign(p_adjusted=adjusted, correction=correction,
                        significant=adjusted < alpha, small_base=small)
