"""Prevalence: Wilson intervals against statsmodels and the formula, bases counted by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from openends.errors import ConfigError, UnknownColumnError
from openends.stats import BLANK, prevalence, wilson_interval

Z95 = 1.959963984540054


def wilson_by_hand(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """(k + z^2/2) / (n + z^2) -/+ z / (n + z^2) * sqrt(k (n - k) / n + z^2 / 4)."""
    centre = (k + z * z / 2) / (n + z * z)
    half = z / (n + z * z) * math.sqrt(k * (n - k) / n + z * z / 4)
    return centre - half, centre + half


def test_wilson_worked_example() -> None:
    low, high = wilson_interval(81, 263)
    assert (round(low[0], 4), round(high[0], 4)) == (0.2553, 0.3662)
    assert (low[0], high[0]) == pytest.approx(wilson_by_hand(81, 263), abs=1e-12)


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_wilson_equals_statsmodels(level: float) -> None:
    rng = np.random.default_rng(3)
    n = rng.integers(1, 500, size=40)
    k = rng.integers(0, n + 1)
    low, high = wilson_interval(k, n, level=level)
    expected_low, expected_high = proportion_confint(k, n, alpha=1 - level, method="wilson")
    assert low == pytest.approx(expected_low, abs=1e-12)
    assert high == pytest.approx(expected_high, abs=1e-12)


def test_wilson_limits_at_the_edges_and_an_empty_base() -> None:
    low, high = wilson_interval([0, 7, 0], [7, 7, 0])
    assert low[0] == 0.0 and high[1] == 1.0
    assert high[0] == pytest.approx(wilson_by_hand(0, 7)[1])
    assert math.isnan(low[2]) and math.isnan(high[2])


@pytest.fixture
def survey() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Four respondents, two questions; r3 left both blank, r2's second answer is 'n/a'."""
    responses = pd.DataFrame({
        "response_id": ["r1:q1", "r1:q2", "r2:q1", "r2:q2", "r3:q1", "r3:q2", "r4:q1", "r4:q2"],
        "respondent_id": ["r1", "r1", "r2", "r2", "r3", "r3", "r4", "r4"],
        "question": ["q1", "q2"] * 4,
        "status": ["ok", "ok", "ok", "non_substantive", "empty", "empty", "ok", "ok"],
        "wave": ["A", "A", "A", "A", "B", "B", "B", "B"],
    })
    codes = pd.DataFrame({"response_id": responses["response_id"],
                          "status": responses["status"],
                          "tor": [1, 0, 0, 0, 0, 0, 0, 1], "vpn": 0})
    return codes, responses


def counts(table: pd.DataFrame) -> list[tuple[object, ...]]:
    return [tuple(row) for row in table.drop(columns=["pct", "ci_low", "ci_high"])
            .itertuples(index=False)]


def test_the_three_bases_counted_by_hand(survey: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    codes, responses = survey
    tables = {base: prevalence(codes, responses, themes=["tor"], base=base)
              for base in ("answers", "all", "respondents")}
    assert counts(tables["answers"]) == [("tor", "answers", 5, 2, True)]
    assert counts(tables["all"]) == [("tor", "all", 8, 2, True)]
    assert counts(tables["respondents"]) == [("tor", "respondents", 3, 2, True)]


def test_respondents_by_wave_and_a_group_with_no_substantive_answer(
        survey: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    codes, responses = survey
    by_wave = prevalence(codes, responses, themes=["tor"], by=["wave"], base="respondents")
    assert counts(by_wave) == [("tor", "A", "respondents", 2, 1, True),
                               ("tor", "B", "respondents", 1, 1, True)]
    by_question = prevalence(codes, responses, themes=["tor"], by=["wave", "question"])
    assert counts(by_question) == [
        ("tor", "A", "q1", "answers", 2, 1, True), ("tor", "A", "q2", "answers", 1, 0, True),
        ("tor", "B", "q1", "answers", 1, 0, True), ("tor", "B", "q2", "answers", 1, 1, True)]
    empty_question = responses.assign(question=["q1", "q2", "q1", "q3", "q1", "q3", "q1", "q2"])
    table = prevalence(codes, empty_question, themes=["tor"], by=["question"])
    q3 = table[table["question"] == "q3"].iloc[0]
    assert (q3["n"], q3["k"], q3["small_base"]) == (0, 0, True)
    assert math.isnan(q3["pct"]) and math.isnan(q3["ci_low"])


def test_default_themes_skip_id_status_and_decision_and_keep_k_zero_rows(
        survey: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    codes, responses = survey
    table = prevalence(codes.assign(decision="auto"), responses, by=["wave"])
    assert table["theme"].tolist() == ["tor", "tor", "vpn", "vpn"]
    vpn = table[table["theme"] == "vpn"]
    assert vpn["k"].tolist() == [0, 0] and vpn["pct"].tolist() == [0.0, 0.0]
    assert vpn["ci_low"].tolist() == [0.0, 0.0]
    assert table.columns.tolist() == ["theme", "wave", "base", "n", "k", "pct", "ci_low",
                                      "ci_high", "small_base"]


def test_interval_columns_equal_statsmodels() -> None:
    rng = np.random.default_rng(5)
    responses = pd.DataFrame({"response_id": [f"a{i}" for i in range(600)], "status": "ok",
                              "region": rng.choice(["north", "south", "east"], 600)})
    codes = pd.DataFrame({"response_id": responses["response_id"],
                          "tor": (rng.random(600) < 0.3).astype(int)})
    table = prevalence(codes, responses, by=["region"], level=0.9)
    low, high = proportion_confint(table["k"], table["n"], alpha=0.1, method="wilson")
    assert table["ci_low"].to_numpy() == pytest.approx(np.asarray(low))
    assert table["ci_high"].to_numpy() == pytest.approx(np.asarray(high))
    assert table["pct"].to_numpy() == pytest.approx((table["k"] / table["n"]).to_numpy())
    assert table["n"].sum() == 600


def test_blank_group_values_are_their_own_group_listed_last() -> None:
    responses = pd.DataFrame({"response_id": list("abcde"), "status": "ok",
                              "wave": [10, 9, np.nan, 9, 10],
                              "country": ["SE", None, " ", "NO", "SE"]})
    codes = pd.DataFrame({"response_id": list("abcde"), "tor": [1, 1, 1, 0, 0]})
    by_wave = prevalence(codes, responses, by=["wave"])
    assert by_wave["wave"].tolist() == ["9", "10", BLANK]
    assert by_wave["n"].tolist() == [2, 2, 1]
    by_country = prevalence(codes, responses, by=["country"])
    assert by_country["country"].tolist() == ["NO", "SE", BLANK]
    assert by_country["n"].tolist() == [1, 2, 2] and by_country["k"].tolist() == [0, 1, 2]


def test_small_base_flag_is_below_thirty() -> None:
    responses = pd.DataFrame({"response_id": [str(i) for i in range(59)], "status": "ok",
                              "group": ["small"] * 29 + ["large"] * 30})
    codes = pd.DataFrame({"response_id": responses["response_id"], "tor": 1})
    table = prevalence(codes, responses, by=["group"]).set_index("group")
    assert table.loc["small", "small_base"] and not table.loc["large", "small_base"]


def test_codes_without_ids_align_by_position_and_other_answers_are_ignored() -> None:
    responses = pd.DataFrame({"response_id": ["x", "y"], "status": ["ok", "ok"]})
    by_position = prevalence(pd.DataFrame({"tor": [1, 0]}), responses)
    assert (by_position.loc[0, "n"], by_position.loc[0, "k"]) == (2, 1)
    extra = pd.DataFrame({"response_id": ["y", "x", "z"], "tor": [0, 1, 1]})
    assert prevalence(extra, responses)["k"].tolist() == [1]


def test_respondents_without_a_respondent_column_are_the_answers(
        survey: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    codes, responses = survey
    single = responses.drop(columns="respondent_id")
    assert counts(prevalence(codes, single, themes=["tor"], base="respondents"))[0][2:] == (5, 2,
                                                                                             True)


def test_bad_input_says_what_to_fix(survey: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    codes, responses = survey
    with pytest.raises(UnknownColumnError, match="did you mean 'wave'"):
        prevalence(codes, responses, by=["Wave"])
    with pytest.raises(UnknownColumnError, match="no column 'tors'"):
        prevalence(codes, responses, themes=["tors"])
    with pytest.raises(ConfigError, match="base must be one of"):
        prevalence(codes, responses, base="people")
    with pytest.raises(ConfigError, match="1 substantive answer"):
        prevalence(codes.iloc[1:], responses)
    with pytest.raises(ConfigError, match="values other than 0 and 1"):
        prevalence(codes.assign(tor=[2, 0, 0, 0, 0, 0, 0, 0]), responses)
    with pytest.raises(ConfigError, match="more than one row"):
        prevalence(pd.concat([codes, codes.iloc[:1]]), responses)
    with pytest.raises(ConfigError, match="no 'response_id' column"):
        prevalence(codes.drop(columns="response_id").iloc[:3], responses)
    with pytest.raises(ConfigError, match="confidence level"):
        prevalence(codes, responses, level=95)
