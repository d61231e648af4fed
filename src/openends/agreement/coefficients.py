"""Agreement coefficients for nominal codes from any number of coders, missing codes allowed.

``ratings`` is a units x coders array of category codes (numbers), NaN where a coder
did not code a unit. Cohen's kappa comes from scikit-learn and Krippendorff's alpha
from the ``krippendorff`` package; Gwet's AC1 (Gwet 2008; 2014, ch. 2-4) and percent
agreement follow Gwet's formulas for several raters with missing ratings, and the
tests check them against the worked examples of Gwet's irrCAC package.

Example (Cohen's classic 2 x 2 example: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no):
    >>> a = np.array([1] * 25 + [0] * 25)
    >>> b = np.array([1] * 20 + [0] * 5 + [1] * 10 + [0] * 15)
    >>> ratings = np.column_stack([a, b]).astype(float)
    >>> round(percent_agreement(ratings), 3), round(cohen_kappa(ratings), 3)
    (0.7, 0.4)
"""

from __future__ import annotations

import warnings

import numpy as np


def pairable(ratings: np.ndarray) -> np.ndarray:
    """The units (rows) that at least two coders coded: the ones agreement is about."""
    return np.asarray((~np.isnan(ratings)).sum(axis=1) >= 2)


def percent_agreement(ratings: np.ndarray) -> float:
    """Share of agreeing coder pairs, averaged over the units two or more coders coded
    (for two coders: the share of units they coded alike)."""
    rows = ratings[pairable(ratings)]
    if not len(rows):
        return float("nan")
    counts = _category_counts(rows)
    m = counts.sum(axis=1)
    return float(((counts * (counts - 1)).sum(axis=1) / (m * (m - 1))).mean())


def _category_counts(rows: np.ndarray) -> np.ndarray:
    """Units x categories: how many coders put each unit in each category used."""
    levels = np.unique(rows[~np.isnan(rows)])
    return np.stack([(rows == level).sum(axis=1) for level in levels], axis=1)


def cohen_kappa(ratings: np.ndarray) -> float:
    """Cohen's kappa of the first two coders over the units both coded (scikit-learn);
    NaN when it is undefined (both coders used one and the same category throughout)."""
    from sklearn.metrics import cohen_kappa_score

    both = ~np.isnan(ratings[:, :2]).any(axis=1)
    a, b = ratings[both, 0], ratings[both, 1]
    if not len(a) or len(set(a.tolist()) | set(b.tolist())) < 2:
        return float("nan")
    return float(cohen_kappa_score(a, b))


def krippendorff_alpha(ratings: np.ndarray) -> float:
    """Krippendorff's alpha for nominal data (the ``krippendorff`` package); NaN when
    undefined (fewer than two categories among the pairable values)."""
    import krippendorff

    usable = ratings[pairable(ratings)]
    if len(np.unique(usable[~np.isnan(usable)])) < 2:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(krippendorff.alpha(reliability_data=usable.T,
                                        level_of_measurement="nominal"))


def gwet_ac1(ratings: np.ndarray, categories: np.ndarray | None = None) -> float:
    """Gwet's AC1: (pa - pe) / (1 - pe) with pa the percent agreement and
    pe = sum_k pi_k (1 - pi_k) / (q - 1), pi_k the mean over coded units of the share of
    a unit's codes in category k, q the number of categories (default: those used; give
    ``categories`` when some possible ones were never used, e.g. ``[0, 1]`` for codes).

    Unlike kappa, AC1 stays high when coders agree on a rare theme's absence, which is
    why it is reported beside kappa for rare themes (Gwet 2008).
    """
    coded = ratings[(~np.isnan(ratings)).any(axis=1)]
    values = coded[~np.isnan(coded)]
    levels = np.unique(values) if categories is None else np.asarray(categories, dtype=float)
    q = len(levels)
    pa = percent_agreement(ratings)
    if q < 2 or np.isnan(pa):
        return float("nan")
    per_unit = (~np.isnan(coded)).sum(axis=1, keepdims=True)
    shares = np.stack([(coded == level).sum(axis=1) for level in levels], axis=1) / per_unit
    pi = shares.mean(axis=0)
    pe = float((pi * (1 - pi)).sum() / (q - 1))
    return float((pa - pe) / (1 - pe)) if pe < 1 else float("nan")
