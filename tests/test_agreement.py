"""Agreement of two codings: statistics against scikit-learn and by hand, unmatched answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from openends.agreement import ALL, compare_codings


def codings() -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"r{i}" for i in range(10)]
    coded = pd.DataFrame({"response_id": ids, "a": [1, 1, 1, 0, 0, 0, 0, 0, 1, 0],
                          "b": [0] * 10})
    reference = pd.DataFrame({"response_id": ids[::-1], "a": [1, 1, 1, 0, 0, 0, 0, 1, 0, 0][::-1],
                              "b": [0] * 10})
    return coded, reference


def test_statistics_match_a_hand_computation() -> None:
    coded, reference = codings()
    row = compare_codings(coded, reference).table.set_index("theme").loc["a"]
    # a: coded 1 1 1 0 0 0 0 0 1 0, reference 1 1 1 0 0 0 0 1 0 0 (after aligning ids)
    tp, fp, fn, tn = 3, 1, 1, 5
    observed = (tp + tn) / 10
    expected = (4 / 10) * (4 / 10) + (6 / 10) * (6 / 10)
    assert row["agreement"] == pytest.approx(observed)
    assert row["kappa"] == pytest.approx((observed - expected) / (1 - expected), abs=1e-4)
    assert (row["precision"], row["recall"]) == (tp / (tp + fp), tp / (tp + fn))
    assert row["f1"] == pytest.approx(2 * tp / (2 * tp + fp + fn), abs=1e-4)


def test_a_theme_nobody_coded_has_full_agreement_and_no_kappa() -> None:
    coded, reference = codings()
    row = compare_codings(coded, reference).table.set_index("theme").loc["b"]
    assert row["agreement"] == 1.0 and math.isnan(row["kappa"]) and math.isnan(row["f1"])


def test_perfect_agreement_and_the_pooled_row() -> None:
    coded, _ = codings()
    table = compare_codings(coded, coded.copy()).table.set_index("theme")
    assert table.loc["a", "kappa"] == 1.0 and table.loc[ALL, "agreement"] == 1.0
    assert table.loc[ALL, "n"] == 10


def test_answers_in_only_one_coding_are_reported_not_compared() -> None:
    coded, reference = codings()
    extra = pd.concat([coded, pd.DataFrame({"response_id": ["new"], "a": [1], "b": [1]})])
    result = compare_codings(extra, reference.iloc[1:])
    assert result.only_in_coded == ["new", "r9"] and result.only_in_reference == []
    assert result.table.set_index("theme").loc[ALL, "n"] == 9
    assert np.isfinite(result.table["agreement"]).all()
