"""Drawing answers for hand-coding: only ok answers, deterministic, proportional, shuffled."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from openends.errors import ConfigError, UnknownColumnError
from openends.sampling import BLANK, allocate, draw_sample


@pytest.fixture
def cleaned() -> pd.DataFrame:
    """200 answers (every tenth not ok) in waves of 100, 60 and 30, and 10 without a wave;
    the index is not 0..n-1, so rows are index labels."""
    waves = ["2017"] * 100 + ["2018"] * 60 + ["2019"] * 30 + [None] * 10
    return pd.DataFrame({
        "response_id": [f"r{row:03d}" for row in range(200)],
        "status": ["empty" if row % 10 == 9 else "ok" for row in range(200)],
        "wave": waves,
        "unit": ["small", "large"] * 100,
    }, index=pd.RangeIndex(1000, 1200))


def ok_ids(cleaned: pd.DataFrame) -> set[str]:
    return set(cleaned.loc[cleaned["status"] == "ok", "response_id"])


def test_random_draws_ok_answers_deterministically(cleaned: pd.DataFrame) -> None:
    sample = draw_sample(cleaned, 20, seed=3)
    assert sample.n == 20 and sample.eligible == 180 and not sample.short
    assert set(cleaned.loc[sample.rows, "response_id"]) <= ok_ids(cleaned)
    assert sample.rows.is_unique
    assert draw_sample(cleaned, 20, seed=3).rows.equals(sample.rows)
    assert set(draw_sample(cleaned, 20, seed=4).rows) != set(sample.rows)
    assert sample.to_dict() == {"strategy": "random", "seed": 3, "requested": 20, "drawn": 20,
                                "eligible": 180, "excluded": 0}


def test_exclude_skips_answers_already_coded(cleaned: pd.DataFrame) -> None:
    coded = {f"r{row:03d}" for row in range(0, 150)} | {"not-an-answer"}
    sample = draw_sample(cleaned, 500, exclude=coded)
    drawn = set(cleaned.loc[sample.rows, "response_id"])
    assert drawn == ok_ids(cleaned) - coded
    assert sample.eligible == sample.n == 45 and sample.excluded == 135
    assert sample.short and sample.requested == 500


def test_more_than_eligible_takes_them_all_in_a_shuffled_order(cleaned: pd.DataFrame) -> None:
    for strategy, options in [("random", {}), ("stratified", {"by": ["wave"]}),
                              ("uncertain", {"uncertainty": np.zeros(200)})]:
        sample = draw_sample(cleaned, 1000, strategy=strategy, **options)  # type: ignore[arg-type]
        assert sample.short and sample.n == 180
        assert set(cleaned.loc[sample.rows, "response_id"]) == ok_ids(cleaned)
        assert list(sample.rows) != sorted(sample.rows)


def test_stratified_allocates_proportionally(cleaned: pd.DataFrame) -> None:
    sample = draw_sample(cleaned, 36, strategy="stratified", by=["wave"], seed=1)
    # eligible: 90, 54, 27 and 9 blank of 180: 18, 10.8, 5.4, 1.8 -> 18, 11, 5, 2
    assert sample.stratum_sizes == {"2017": 90, "2018": 54, "2019": 27, BLANK: 9}
    assert sample.strata == {"2017": 18, "2018": 11, "2019": 5, BLANK: 2}
    waves = cleaned.loc[sample.rows, "wave"].fillna(BLANK).value_counts().to_dict()
    assert waves == sample.strata
    assert sample.to_dict()["strata"] == sample.strata and sample.to_dict()["by"] == ["wave"]
    # shuffled: the first ten rows do not all come from one wave
    assert cleaned.loc[sample.rows[:10], "wave"].nunique(dropna=False) > 1


def test_stratified_gives_every_group_one_when_there_is_room(cleaned: pd.DataFrame) -> None:
    sample = draw_sample(cleaned, 4, strategy="stratified", by=["wave"])
    assert sample.strata == {"2017": 1, "2018": 1, "2019": 1, BLANK: 1}
    small = draw_sample(cleaned, 2, strategy="stratified", by=["wave"])
    assert small.strata == {"2017": 1, "2018": 1, "2019": 0, BLANK: 0}


def test_stratified_by_two_columns(cleaned: pd.DataFrame) -> None:
    sample = draw_sample(cleaned, 20, strategy="stratified", by=["wave", "unit"], seed=2)
    assert sum(sample.strata.values()) == 20 and len(sample.strata) == 8
    assert f"{BLANK} / large" in sample.strata and all(sample.strata.values())


@pytest.mark.parametrize(("sizes", "n"), [
    ({"a": 5, "b": 5, "c": 5}, 7), ({"a": 1000, "b": 1, "c": 1, "d": 1}, 4),
    ({"a": 3, "b": 97}, 50), ({"a": 10}, 3), ({"a": 2, "b": 2}, 4)])
def test_allocation_sums_to_n_within_sizes(sizes: dict[str, int], n: int) -> None:
    counts = allocate(sizes, n)
    assert sum(counts.values()) == n
    assert all(0 < counts[group] <= sizes[group] for group in sizes)
    total = sum(sizes.values())
    assert all(abs(counts[group] - n * sizes[group] / total) < 1.5 or counts[group] == 1
               for group in sizes)


def test_uncertain_takes_the_least_certain(cleaned: pd.DataFrame) -> None:
    uncertainty = np.linspace(0, 1, 200)
    uncertainty[cleaned["status"].to_numpy() != "ok"] = np.nan
    sample = draw_sample(cleaned, 10, strategy="uncertain", uncertainty=uncertainty)
    positions = cleaned.index.get_indexer(sample.rows)
    ok_positions = np.flatnonzero(cleaned["status"].to_numpy() == "ok")
    assert sorted(positions) == sorted(ok_positions[-10:])
    assert list(positions) != sorted(positions)  # shuffled


def test_uncertain_ties_are_broken_by_the_seed(cleaned: pd.DataFrame) -> None:
    uncertainty = np.where(np.arange(200) < 100, 0.9, 0.1)
    draws = [set(draw_sample(cleaned, 10, strategy="uncertain", uncertainty=uncertainty,
                             seed=seed).rows) for seed in (0, 0, 1)]
    assert draws[0] == draws[1] != draws[2]
    assert all(label < 1100 for label in draws[0] | draws[2])


@pytest.mark.parametrize(("options", "error", "message"), [
    ({"n": 0}, ConfigError, "the sample size must be at least 1, not 0"),
    ({"strategy": "systematic"}, ConfigError,
     "unknown sampling strategy 'systematic'; choose one of random, stratified, uncertain"),
    ({"strategy": "stratified"}, ConfigError, "stratified sampling needs the column"),
    ({"strategy": "stratified", "by": ["wav"]}, UnknownColumnError,
     "no column 'wav'; did you mean 'wave'?"),
    ({"by": ["wave"]}, ConfigError, "needs the stratified strategy"),
    ({"strategy": "uncertain"}, ConfigError, "uncertain sampling needs each answer's "),
    ({"strategy": "uncertain", "uncertainty": np.zeros(3)}, ConfigError,
     "uncertainty has 3 value"),
])
def test_bad_options_are_config_errors(cleaned: pd.DataFrame, options: dict[str, object],
                                       error: type[Exception], message: str) -> None:
    arguments: dict[str, object] = {"n": 10, **options}
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        draw_sample(cleaned, **arguments)  # type: ignore[arg-type]
