"""Agreement on 0/1 codes from per-answer counts, so a bootstrap costs one matrix product.

For 0/1 codes every statistic of :mod:`openends.agreement.coefficients` (and precision,
recall and F1 of the first coder against the second) is a function of sums over answers
of a few per-answer counts: how many coders coded the answer (m), how many gave the
theme (k), and the first two coders' 2 x 2 cell. :func:`unit_counts` builds those per
answer; :func:`statistics` turns their sums into the statistics; a bootstrap replicate
is the same sums weighted by how often each answer was drawn (:func:`bootstrap_weights`,
:func:`intervals`). The tests check that the sums give the same values as
scikit-learn, ``krippendorff`` and the coefficient functions.

Example:
    >>> ratings = np.array([[1, 1], [1, 0], [0, 0], [0, 0]], dtype=float)
    >>> stats = statistics(unit_counts(ratings).sum(axis=0))
    >>> {name: round(float(stats[name][0]), 3) for name in ("agreement", "kappa", "f1")}
    {'agreement': 0.75, 'kappa': 0.5, 'f1': 0.667}
"""

from __future__ import annotations

import numpy as np

STATISTICS = ("agreement", "kappa", "alpha", "ac1", "precision", "recall", "f1")
(_PAIRABLE, _AGREE, _O01, _N1, _N0, _RATED, _PI,
 _BOTH, _N11, _N10, _N01, _N00) = range(12)
N_COUNTS = 12


def unit_counts(ratings: np.ndarray) -> np.ndarray:
    """Per answer (row of 0/1/NaN ``ratings``, one column per coder): the counts the
    statistics are sums of. Answers x 12 array."""
    present = ~np.isnan(ratings)
    m = present.sum(axis=1).astype(float)
    k = np.nansum(ratings, axis=1)
    pair = m >= 2
    rated = m >= 1
    counts = np.zeros((len(ratings), N_COUNTS))
    with np.errstate(divide="ignore", invalid="ignore"):
        counts[:, _PAIRABLE] = pair
        counts[:, _AGREE] = np.where(pair, (k * (k - 1) + (m - k) * (m - k - 1))
                                     / (m * (m - 1)), 0.0)
        counts[:, _O01] = np.where(pair, k * (m - k) / (m - 1), 0.0)
        counts[:, _N1] = np.where(pair, k, 0.0)
        counts[:, _N0] = np.where(pair, m - k, 0.0)
        counts[:, _RATED] = rated
        counts[:, _PI] = np.where(rated, k / m, 0.0)
    if ratings.shape[1] >= 2:
        a, b = ratings[:, 0], ratings[:, 1]
        both = present[:, 0] & present[:, 1]
        counts[:, _BOTH] = both
        counts[:, _N11] = both & (a == 1) & (b == 1)
        counts[:, _N10] = both & (a == 1) & (b == 0)
        counts[:, _N01] = both & (a == 0) & (b == 1)
        counts[:, _N00] = both & (a == 0) & (b == 0)
    return counts


def statistics(sums: np.ndarray) -> dict[str, np.ndarray]:
    """The statistics from summed counts (one row of sums, or one per bootstrap replicate);
    NaN where a statistic is undefined (e.g. kappa when nobody used the theme)."""
    s = np.atleast_2d(sums)
    with np.errstate(divide="ignore", invalid="ignore"):
        agreement = s[:, _AGREE] / s[:, _PAIRABLE]
        n = s[:, _N1] + s[:, _N0]
        alpha = 1 - (n - 1) * s[:, _O01] / (s[:, _N1] * s[:, _N0])
        pi = s[:, _PI] / s[:, _RATED]
        pe = 2 * pi * (1 - pi)
        ac1 = (agreement - pe) / (1 - pe)
        both, n11, n10, n01, n00 = (s[:, column] for column in (_BOTH, _N11, _N10, _N01, _N00))
        observed = (n11 + n00) / both
        chance = ((n11 + n10) * (n11 + n01) + (n01 + n00) * (n10 + n00)) / both ** 2
        kappa = np.where(chance < 1, (observed - chance) / (1 - chance), np.nan)
        precision = n11 / (n11 + n10)
        recall = n11 / (n11 + n01)
        f1 = np.where(n11 + n10 + n01 > 0, 2 * n11 / (2 * n11 + n10 + n01), np.nan)
    alpha = np.where(s[:, _N1] * s[:, _N0] > 0, alpha, np.nan)
    return {"agreement": agreement, "kappa": kappa, "alpha": alpha, "ac1": ac1,
            "precision": precision, "recall": recall, "f1": f1}


def bootstrap_weights(n_units: int, resamples: int, seed: int) -> np.ndarray:
    """How often each answer is drawn in each of ``resamples`` resamples (with
    replacement, same size): resamples x answers, seeded, so intervals are reproducible.

    Example:
        >>> bootstrap_weights(5, 3, seed=0).sum(axis=1).tolist()
        [5, 5, 5]
    """
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_units, np.full(n_units, 1 / n_units), size=resamples)


def intervals(replicate_sums: np.ndarray, level: float = 0.95) -> dict[str, tuple[float, float]]:
    """Percentile intervals of every statistic from the summed counts of each bootstrap
    replicate (``bootstrap_weights(...) @ unit_counts(...)``).

    A replicate where a statistic is undefined is left out of its interval; when more
    than half are, the interval is undefined (NaN): the data cannot support it.
    """
    replicates = statistics(replicate_sums)
    tail = (1 - level) / 2 * 100
    bounds = {}
    for name, values in replicates.items():
        finite = values[np.isfinite(values)]
        if len(finite) * 2 <= len(values):
            bounds[name] = (float("nan"), float("nan"))
        else:
            low, high = np.percentile(finite, [tail, 100 - tail])
            bounds[name] = (float(low), float(high))
    return bounds
