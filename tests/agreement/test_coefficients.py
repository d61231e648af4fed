"""Agreement coefficients against published worked examples and against the libraries."""

from __future__ import annotations

import math

import numpy as np
import pytest

from openends.agreement.binary import statistics, unit_counts
from openends.agreement.coefficients import (
    cohen_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)

NAN = math.nan


def from_table(table: list[list[int]]) -> np.ndarray:
    """Two coders' ratings (units x 2) from their contingency table."""
    pairs = [[row, column] for row, counts in enumerate(table)
             for column, count in enumerate(counts) for _ in range(count)]
    return np.array(pairs, dtype=float)


def test_two_coders_match_gwets_published_abstractors_example() -> None:
    # Gwet (2014), irrCAC's cont3x3abstractors: kappa2.table 0.7964094, gwet.ac1.table
    # 0.8493305, krippen2.table 0.7972585, pa2.table 0.89.
    ratings = from_table([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
    assert percent_agreement(ratings) == pytest.approx(0.89)
    assert cohen_kappa(ratings) == pytest.approx(0.7964094, abs=1e-7)
    assert gwet_ac1(ratings) == pytest.approx(0.8493305, abs=1e-7)
    assert krippendorff_alpha(ratings) == pytest.approx(0.7972585, abs=1e-7)


def test_four_coders_with_missing_codes_match_krippendorffs_example() -> None:
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 observers,
    # 12 units, missing values; nominal alpha 0.743. Gwet (2014, p. 120; irrCAC's
    # cac.raw4raters): percent agreement 0.8182, AC1 0.7754.
    ratings = np.array([
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN]]).T
    assert krippendorff_alpha(ratings) == pytest.approx(0.743, abs=5e-4)
    assert percent_agreement(ratings) == pytest.approx(0.8182, abs=5e-5)
    assert gwet_ac1(ratings) == pytest.approx(0.7754, abs=5e-5)


def test_cohens_textbook_example() -> None:
    # 50 items: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: po 0.7, pe 0.5, kappa 0.4.
    ratings = from_table([[15, 10], [5, 20]])
    assert percent_agreement(ratings) == pytest.approx(0.7)
    assert cohen_kappa(ratings) == pytest.approx(0.4)


def test_perfect_agreement() -> None:
    ratings = from_table([[30, 0], [0, 10]])
    assert (percent_agreement(ratings), cohen_kappa(ratings), krippendorff_alpha(ratings),
            gwet_ac1(ratings)) == (1.0, 1.0, 1.0, 1.0)


def test_chance_agreement_is_near_zero() -> None:
    rng = np.random.default_rng(7)
    ratings = (rng.random((20_000, 2)) < 0.3).astype(float)
    assert abs(cohen_kappa(ratings)) < 0.03 and abs(krippendorff_alpha(ratings)) < 0.03
    assert percent_agreement(ratings) == pytest.approx(0.3**2 + 0.7**2, abs=0.01)
    # AC1's chance model is a coder who sometimes rates at random, so independent coders
    # score zero only when a theme is as common as its absence (Gwet 2008).
    assert gwet_ac1(ratings) == pytest.approx(0.276, abs=0.03)
    coin = (rng.random((20_000, 2)) < 0.5).astype(float)
    assert abs(gwet_ac1(coin)) < 0.03


def test_a_rare_theme_keeps_ac1_high_where_kappa_collapses() -> None:
    # 98 answers both coders leave uncoded, one each codes alone: the "kappa paradox".
    ratings = from_table([[98, 1], [1, 0]])
    assert percent_agreement(ratings) == pytest.approx(0.98)
    assert cohen_kappa(ratings) == pytest.approx(-0.0101, abs=1e-4)
    assert gwet_ac1(ratings, np.array([0, 1])) > 0.97


def test_undefined_statistics_are_nan_not_errors() -> None:
    never = np.zeros((10, 2))
    assert math.isnan(cohen_kappa(never)) and math.isnan(krippendorff_alpha(never))
    assert gwet_ac1(never, np.array([0, 1])) == 1.0  # agreement on absence, Gwet's reading
    assert math.isnan(percent_agreement(np.array([[1.0, NAN], [NAN, 0.0]])))


@pytest.mark.parametrize("seed", range(40))
def test_the_bootstrap_sums_equal_the_libraries(seed: int) -> None:
    from sklearn.metrics import precision_recall_fscore_support

    rng = np.random.default_rng(seed)
    n, coders = int(rng.integers(5, 80)), int(rng.integers(2, 5))
    ratings = (rng.random((n, coders)) < rng.random() ** 2).astype(float)
    ratings[rng.random((n, coders)) < 0.25] = NAN
    summed = {name: float(value[0]) for name, value in
              statistics(unit_counts(ratings).sum(axis=0)).items()}
    expected = {"agreement": percent_agreement(ratings), "kappa": cohen_kappa(ratings),
                "alpha": krippendorff_alpha(ratings),
                "ac1": gwet_ac1(ratings, np.array([0, 1]))}
    both = ~np.isnan(ratings[:, :2]).any(axis=1)
    if ratings[both, :2].sum():
        precision, recall, f1, _ = precision_recall_fscore_support(
            ratings[both, 1], ratings[both, 0], average="binary", zero_division=np.nan)
        expected |= {"precision": precision, "recall": recall, "f1": f1}
    for name, value in expected.items():
        if math.isnan(value):
            assert math.isnan(summed[name]), name
        else:
            assert summed[name] == pytest.approx(value, abs=1e-9), name
