"""Agreement of codings: per-theme statistics, pooled row, intervals, unmatched answers."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pandas as pd
import pytest

from openends.agreement import ALL, agree
from openends.coding.codings import Coding
from openends.errors import ConfigError


def coding(name: str, ids: list[str], **themes: list[int]) -> Coding:
    return Coding(name, pd.DataFrame(themes, index=pd.Index(ids, dtype=object)))


def two_codings() -> tuple[Coding, Coding]:
    ids = [f"r{i}" for i in range(10)]
    coded = coding("tool", ids, a=[1, 1, 1, 0, 0, 0, 0, 0, 1, 0], b=[0] * 10)
    reference = coding("ann", ids[::-1], a=[1, 1, 1, 0, 0, 0, 0, 1, 0, 0][::-1], b=[0] * 10)
    return coded, reference


def test_statistics_match_a_hand_computation() -> None:
    row = agree(two_codings()).table.set_index("theme").loc["a"]
    # a: tool 1 1 1 0 0 0 0 0 1 0, ann 1 1 1 0 0 0 0 1 0 0 (after aligning the ids)
    tp, fp, fn, tn = 3, 1, 1, 5
    observed = (tp + tn) / 10
    expected = (4 / 10) * (4 / 10) + (6 / 10) * (6 / 10)
    assert row["agreement"] == pytest.approx(observed)
    assert row["kappa"] == pytest.approx((observed - expected) / (1 - expected), abs=1e-4)
    assert (row["precision"], row["recall"]) == (tp / (tp + fp), tp / (tp + fn))
    assert row["f1"] == pytest.approx(2 * tp / (2 * tp + fp + fn), abs=1e-4)
    assert (row["prevalence_tool"], row["prevalence_ann"]) == (0.4, 0.4)


def test_intervals_hold_the_estimate_and_repeat_with_the_seed() -> None:
    first = agree(two_codings(), seed=3).table.set_index("theme").loc["a"]
    again = agree(two_codings(), seed=3).table.set_index("theme").loc["a"]
    other = agree(two_codings(), seed=4).table.set_index("theme").loc["a"]
    for name in ("agreement", "kappa", "alpha", "ac1", "f1"):
        assert first[f"{name}_low"] <= first[name] <= first[f"{name}_high"], name
        assert first[f"{name}_low"] < first[f"{name}_high"], name
    assert first.equals(again) and not first.equals(other)


def test_a_theme_nobody_coded_agrees_fully_and_has_no_kappa() -> None:
    row = agree(two_codings()).table.set_index("theme").loc["b"]
    assert row["agreement"] == 1.0 and row["ac1"] == 1.0
    assert math.isnan(row["kappa"]) and math.isnan(row["alpha"]) and math.isnan(row["f1"])
    assert not row["flag"]


def test_perfect_agreement_and_the_pooled_row() -> None:
    coded, _ = two_codings()
    table = agree([coded, Coding("copy", coded.codes.copy())]).table.set_index("theme")
    assert table.loc["a", "kappa"] == 1.0 and table.loc[ALL, "agreement"] == 1.0
    assert table.loc[ALL, "n"] == 10
    # four answers with the theme: too few for an interval (it would be (1.00, 1.00))
    assert table.loc[ALL, "coded_by_any"] == 4 and math.isnan(table.loc[ALL, "kappa_low"])


def test_the_pooled_row_treats_each_answer_theme_pair_as_one_decision() -> None:
    coded, reference = two_codings()
    pooled = agree([coded, reference]).table.set_index("theme").loc[ALL]
    a = np.concatenate([coded.codes[theme].to_numpy() for theme in ("a", "b")])
    b = np.concatenate([reference.codes.loc[coded.codes.index, theme].to_numpy()
                        for theme in ("a", "b")])
    assert pooled["agreement"] == pytest.approx((a == b).mean(), abs=1e-4)
    assert pooled["alpha"] == pytest.approx(krippendorff.alpha(
        reliability_data=np.vstack([a, b]), level_of_measurement="nominal"), abs=1e-4)


def test_answers_in_only_one_coding_are_reported_not_compared() -> None:
    coded, reference = two_codings()
    extra = Coding("tool", pd.concat([coded.codes, pd.DataFrame(
        {"a": [1], "b": [1]}, index=["new"])]))
    shorter = Coding("ann", reference.codes.drop(index="r9"))
    result = agree([extra, shorter])
    assert result.only_in == {"tool": ["r9", "new"], "ann": []}
    assert result.table.set_index("theme").loc[ALL, "n"] == 9
    assert result.to_dict()["only_in"] == {"tool": 2, "ann": 0}


def test_three_coders_with_missing_codes() -> None:
    ids = [f"r{i}" for i in range(8)]
    first = coding("c1", ids, t=[1, 1, 0, 0, 1, 0, 1, 0])
    second = coding("c2", ids[:6], t=[1, 0, 0, 0, 1, 0])
    third = coding("c3", ids[2:], t=[0, 0, 1, 1, 1, 1])
    result = agree([first, second, third])
    row = result.table.set_index("theme").loc["t"]
    matrix = np.array([[1, 1, 0, 0, 1, 0, 1, 0],
                       [1, 0, 0, 0, 1, 0, math.nan, math.nan],
                       [math.nan, math.nan, 0, 0, 1, 1, 1, 1]])
    assert row["alpha"] == pytest.approx(krippendorff.alpha(
        reliability_data=matrix, level_of_measurement="nominal"), abs=1e-4)
    assert row["n"] == 8 and "kappa" not in row.index and "f1" not in row.index
    assert not result.pairwise


def test_a_theme_below_kappa_06_is_flagged() -> None:
    ids = [str(i) for i in range(20)]
    tool = coding("tool", ids, rare=[1] * 4 + [0] * 16, good=[1] * 10 + [0] * 10)
    ann = coding("ann", ids, rare=[0, 0, 0, 1] + [0] * 16, good=[1] * 10 + [0] * 10)
    assert agree([tool, ann]).flagged == ["rare"]


def test_codings_without_ids_align_by_position_only_with_each_other() -> None:
    by_row = Coding("x", pd.DataFrame({"t": [1, 0]}, index=["#1", "#2"]), positional=True)
    with_ids = coding("y", ["a", "b"], t=[1, 0])
    with pytest.raises(ConfigError, match="x has no 'response_id' column"):
        agree([by_row, with_ids])
    longer = Coding("z", pd.DataFrame({"t": [1, 0, 1]}, index=["#1", "#2", "#3"]),
                    positional=True)
    with pytest.raises(ConfigError, match="same number of rows"):
        agree([by_row, longer])


def test_themes_not_in_every_coding_are_left_out_and_named() -> None:
    ids = ["a", "b"]
    result = agree([coding("x", ids, t=[1, 0], u=[0, 1]), coding("y", ids, t=[1, 0])])
    assert result.table["theme"].tolist() == ["t", ALL] and result.themes_left_out == ["u"]
    with pytest.raises(ConfigError, match="'u' are not in every coding"):
        agree([coding("x", ids, t=[1, 0], u=[0, 1]), coding("y", ids, t=[1, 0])],
              themes=["t", "u"])


def test_answers_one_coding_has_change_no_statistic() -> None:
    coded, reference = two_codings()
    base = agree([coded, reference]).table.drop(columns=[]).set_index("theme")
    for value in (0, 1):
        extra = pd.DataFrame({"a": [value] * 50, "b": [value] * 50},
                             index=[f"x{i}" for i in range(50)])
        wider = Coding("tool", pd.concat([coded.codes, extra]))
        table = agree([wider, reference]).table.set_index("theme")
        assert table.loc["a", ["agreement", "kappa", "alpha", "ac1"]].equals(
            base.loc["a", ["agreement", "kappa", "alpha", "ac1"]])
        assert table.loc["a", "kappa_low"] == base.loc["a", "kappa_low"]


def test_nothing_in_common_is_an_error_not_an_empty_table() -> None:
    with pytest.raises(ConfigError, match="no answer is coded in two of the codings"):
        agree([coding("x", ["a"], t=[1]), coding("y", ["b"], t=[1])])
