"""Tests of change against statsmodels, scipy, R's worked example and hand computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency, fisher_exact, norm
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from openends.errors import ConfigError
from openends.stats import (
    cochran_armitage,
    difference_interval,
    group_differences,
    trend_tests,
    two_proportion_test,
    wave_changes,
    wilson_interval,
)


def survey(cells: dict[tuple[str, ...], dict[str, tuple[int, int]]],
           columns: tuple[str, ...] = ("wave",)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Codes and responses where, in each cell (values of ``columns``), theme t is
    mentioned by k of n answers: ``{cell: {theme: (k, n)}}``; every theme of a cell
    must have the same n."""
    response_rows, code_rows = [], []
    for cell, themes in cells.items():
        (n,) = {n for _, n in themes.values()}
        for index in range(n):
            response_id = f"{'-'.join(cell)}:{index}"
            response_rows.append({"response_id": response_id, "status": "ok",
                                  **dict(zip(columns, cell, strict=True))})
            code_rows.append({"response_id": response_id,
                              **{theme: int(index < k) for theme, (k, _) in themes.items()}})
    return pd.DataFrame(code_rows), pd.DataFrame(response_rows)


def test_z_test_p_equals_statsmodels() -> None:
    for k1, n1, k2, n2 in [(64, 447, 110, 471), (30, 100, 45, 120), (200, 400, 190, 410)]:
        test, p = two_proportion_test(k1, n1, k2, n2)
        assert test == "two-proportion z"
        assert p == pytest.approx(float(proportions_ztest([k1, k2], [n1, n2])[1]), rel=1e-12)


def test_fisher_exact_below_an_expected_count_of_five() -> None:
    # 2 x 2 with n 20 and 20: 10 mentions give a smallest expected count of 5 (z-test),
    # 9 mentions 4.5 (Fisher).
    assert two_proportion_test(3, 20, 7, 20)[0] == "two-proportion z"
    test, p = two_proportion_test(2, 20, 7, 20)
    assert test == "Fisher exact"
    assert p == pytest.approx(fisher_exact([[2, 18], [7, 13]])[1], rel=1e-12)
    assert two_proportion_test(0, 50, 0, 60) == ("Fisher exact", 1.0)
    codes, responses = survey({("1",): {"tor": (1, 15)}, ("2",): {"tor": (6, 15)}})
    row = wave_changes(codes, responses).iloc[0]
    assert row["test"] == "Fisher exact"
    assert row["p"] == pytest.approx(fisher_exact([[1, 14], [6, 9]])[1])
    assert row["small_base"]


def test_newcombe_interval_equals_statsmodels_and_the_hand_formula() -> None:
    for k1, n1, k2, n2 in [(48, 80, 56, 70), (5, 40, 0, 35), (64, 447, 110, 471)]:
        low, high = difference_interval(k1, n1, k2, n2)
        expected = confint_proportions_2indep(k2, n2, k1, n1, method="newcomb", compare="diff")
        assert (low, high) == pytest.approx(expected, abs=1e-12)
        # Newcombe (1998) method 10, from each proportion's Wilson interval.
        p1, p2 = k1 / n1, k2 / n2
        (l1,), (u1,) = wilson_interval(k1, n1)
        (l2,), (u2,) = wilson_interval(k2, n2)
        difference = p2 - p1
        assert low == pytest.approx(difference - math.hypot(p2 - l2, u1 - p1), abs=1e-12)
        assert high == pytest.approx(difference + math.hypot(u2 - p2, p1 - l1), abs=1e-12)


def test_wave_changes_row_by_row() -> None:
    codes, responses = survey({("2017",): {"tor": (64, 447)}, ("2018",): {"tor": (110, 471)},
                               ("2019",): {"tor": (176, 498)}})
    table = wave_changes(codes, responses, correction="none")
    assert table[["wave1", "wave2"]].values.tolist() == [["2017", "2018"], ["2018", "2019"]]
    first = table.iloc[0]
    assert (first["n1"], first["k1"], first["n2"], first["k2"]) == (447, 64, 471, 110)
    assert first["diff_pp"] == pytest.approx(100 * (110 / 471 - 64 / 447))
    low, high = confint_proportions_2indep(110, 471, 64, 447, method="newcomb", compare="diff")
    assert (first["diff_low_pp"], first["diff_high_pp"]) == pytest.approx((100 * low, 100 * high))
    assert first["p"] == first["p_adjusted"]
    assert first["p"] == pytest.approx(proportions_ztest([64, 110], [447, 471])[1])


@pytest.mark.parametrize(("correction", "method"), [("holm", "holm"), ("bh", "fdr_bh")])
def test_correction_covers_every_row_of_the_call(correction: str, method: str) -> None:
    cells = {(wave, unit): {"tor": (10 + 4 * w + u, 100), "vpn": (20 - 3 * w, 100),
                            "cloud": (30 + 7 * w * u, 100)}
             for w, wave in enumerate(["1", "2", "3"]) for u, unit in enumerate(["a", "b"])}
    codes, responses = survey(cells, ("wave", "unit"))
    table = wave_changes(codes, responses, by=["unit"], correction=correction)
    assert len(table) == 3 * 2 * 2
    assert table["p_adjusted"].to_numpy() == pytest.approx(
        multipletests(table["p"], method=method)[1], rel=1e-12)
    assert (table["correction"] == correction).all()
    trends = trend_tests(codes, responses, by=["unit"], correction=correction)
    assert trends["p_adjusted"].to_numpy() == pytest.approx(
        multipletests(trends["p"], method=method)[1], rel=1e-12)


def test_significant_means_significant_after_correction() -> None:
    themes = {"tor": (20, 35)} | {f"flat{i}": (20, 20) for i in range(9)}
    codes, responses = survey({("1",): {theme: (k1, 200) for theme, (k1, _) in themes.items()},
                               ("2",): {theme: (k2, 200) for theme, (_, k2) in themes.items()}})
    raw = wave_changes(codes, responses, correction="none").set_index("theme")
    holm = wave_changes(codes, responses).set_index("theme")
    assert 0.01 < raw.loc["tor", "p"] < 0.05 and raw.loc["tor", "significant"]
    assert holm.loc["tor", "p"] == raw.loc["tor", "p"]
    assert holm.loc["tor", "p_adjusted"] >= 0.05 and not holm.loc["tor", "significant"]


def test_wave_order_natural_given_and_checked() -> None:
    codes, responses = survey({(wave,): {"tor": (5 + int(wave), 60)}
                               for wave in ["10", "9", "11"]})
    assert wave_changes(codes, responses)["wave1"].tolist() == ["9", "10"]
    table = wave_changes(codes, responses, order=["11", "9"])
    assert table[["wave1", "wave2"]].values.tolist() == [["11", "9"]]
    with pytest.raises(ConfigError, match="'12' in the order given does not occur"):
        wave_changes(codes, responses, order=["9", "12"])
    with pytest.raises(ConfigError, match="leave it out of by"):
        wave_changes(codes, responses, by=["wave"])
    with pytest.raises(ConfigError, match="correction must be one of"):
        wave_changes(codes, responses, correction="bonferroni")
    blank = responses.assign(wave=responses["wave"].where(responses["wave"] != "11", None))
    assert wave_changes(codes, blank)["wave2"].tolist() == ["10"]


def test_cochran_armitage_matches_rs_prop_trend_test_example() -> None:
    # R, ?prop.trend.test: smokers <- c(83, 90, 129, 70); patients <- c(86, 93, 136, 82)
    # gives X-squared = 8.2249, df = 1, p-value = 0.004132.
    z, p = cochran_armitage([83, 90, 129, 70], [86, 93, 136, 82])
    assert z * z == pytest.approx(8.2249, abs=5e-5)
    assert p == pytest.approx(0.004132, abs=5e-7)


def test_cochran_armitage_by_hand_on_a_2_by_3_table() -> None:
    # k = 2, 5, 9 of 20 each, scores 0, 1, 2: N = 60, p = 16/60,
    # T = (0*2 + 1*5 + 2*9) - p * (0 + 20 + 40) = 23 - 16 = 7,
    # Var T = p (1 - p) (20 * (0 + 1 + 4) - 60**2 / 60) = (4/15)(11/15) * 40.
    z, p = cochran_armitage([2, 5, 9], [20, 20, 20])
    expected_z = 7 / math.sqrt(4 / 15 * 11 / 15 * 40)
    assert z == pytest.approx(expected_z, rel=1e-12)
    assert p == pytest.approx(2 * norm.sf(expected_z), rel=1e-12)


def test_cochran_armitage_is_linear_by_linear_times_sqrt_n_over_n_minus_1() -> None:
    k, n = np.array([12, 19, 31, 30]), np.array([80, 95, 101, 90])
    table = Table(np.vstack([k, n - k]))
    linear = table.test_ordinal_association(row_scores=np.array([1.0, 0.0]),
                                            col_scores=np.arange(4.0))
    total = n.sum()
    assert cochran_armitage(k, n)[0] == pytest.approx(
        linear.zscore * math.sqrt(total / (total - 1)), rel=1e-10)
    assert cochran_armitage([0, 0, 0], [10, 20, 30]) == (0.0, 1.0)


def test_trend_tests_rows_and_spacing_of_a_missing_wave() -> None:
    codes, responses = survey({("2017",): {"tor": (10, 100)}, ("2018",): {"tor": (20, 100)},
                               ("2019",): {"tor": (30, 100)}})
    row = trend_tests(codes, responses).iloc[0]
    assert row["waves"] == "2017, 2018, 2019"
    assert (row["n"], row["k"], row["change_pp"]) == (300, 60, pytest.approx(20.0))
    assert (row["z"], row["p"]) == pytest.approx(cochran_armitage([10, 20, 30], [100] * 3))
    gap = responses.assign(unit="a")
    gap.loc[gap["wave"] == "2018", "unit"] = "b"
    by_unit = trend_tests(codes, gap, by=["unit"], order=["2017", "2018", "2019"])
    assert by_unit["unit"].tolist() == ["a"]  # unit b has one wave: no trend to test
    assert by_unit.iloc[0]["z"] == pytest.approx(
        cochran_armitage([10, 30], [100, 100], scores=[0, 2])[0])


def test_group_differences_equal_scipy_and_are_corrected_across_themes() -> None:
    cells = {("north",): {"tor": (12, 60), "vpn": (30, 60)},
             ("south",): {"tor": (25, 70), "vpn": (33, 70)},
             ("east",): {"tor": (8, 50), "vpn": (20, 50)}}
    codes, responses = survey(cells, ("region",))
    table = group_differences(codes, responses, between="region").set_index("theme")
    for theme in ("tor", "vpn"):
        k = np.array([cells[(region,)][theme][0] for region in ("east", "north", "south")])
        n = np.array([50, 60, 70])
        chi2, p, dof, _ = chi2_contingency(np.vstack([k, n - k]), correction=False)
        assert table.loc[theme, "chi2"] == pytest.approx(chi2)
        assert table.loc[theme, "p"] == pytest.approx(p)
        assert table.loc[theme, "dof"] == dof == 2
    assert table["p_adjusted"].to_numpy() == pytest.approx(
        multipletests(table["p"], method="holm")[1])
    blank = responses.assign(region=responses["region"].replace("east", ""))
    assert group_differences(codes, blank, between="region")["groups"].tolist() == [2, 2]


def test_group_differences_flag_low_expected_counts() -> None:
    codes, responses = survey({("a",): {"tor": (1, 20)}, ("b",): {"tor": (4, 20)}},
                              ("unit",))
    row = group_differences(codes, responses, between="unit").iloc[0]
    assert row["low_expected"] and row["small_base"]
    none, _ = survey({("a",): {"tor": (0, 20)}, ("b",): {"tor": (0, 20)}}, ("unit",))
    flat = group_differences(none, responses, between="unit").iloc[0]
    assert (flat["chi2"], flat["p"]) == (0.0, 1.0)
