"""The sample project's planted trends (corpora/README.md) come out significant after
correction, and its planted non-changes do not. Coded with the rule coder only, for
speed; its codes track the planted shares (e.g. encryption 14.3% -> 23.4% -> 35.3% of
the substantive police answers to 'tech', against 14.9 -> 24.9 -> 38.0 planted)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from openends.stats import prevalence, trend_tests, wave_changes

CORPORA = Path(__file__).resolve().parents[2] / "corpora"
RISING = ["encryption", "cryptocurrency", "live_streaming"]
FLAT_TECH = ["darknet"]
TECH = ["encryption", "cryptocurrency", "darknet", "anonymisation", "cloud_storage",
        "live_streaming", "self_produced", "volume", "social_media"]


@pytest.fixture(scope="module")
def coded() -> tuple[pd.DataFrame, pd.DataFrame]:
    from openends.clean import clean_responses
    from openends.coding.codebook import load_codebook
    from openends.coding.combine import code_responses
    from openends.config import load_project
    from openends.pipeline import cleaning_options, read_project

    project = load_project(CORPORA / "project.toml")
    cleaned, _ = clean_responses(read_project(project).responses, cleaning_options(project))
    coding = code_responses(cleaned, codebook=load_codebook(CORPORA / "codebook.yml"),
                            semantic=False)
    return coding.wide(), cleaned


def police(cleaned: pd.DataFrame, question: str) -> pd.DataFrame:
    return cleaned[(cleaned["group"] == "police") & (cleaned["question"] == question)]


def test_rising_themes_have_a_significant_rising_trend_and_darknet_does_not(
        coded: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    codes, cleaned = coded
    trends = trend_tests(codes, police(cleaned, "tech"), themes=TECH).set_index("theme")
    assert (trends["waves"] == "2017, 2018, 2019").all()
    for theme in RISING:
        assert trends.loc[theme, "significant"] and trends.loc[theme, "z"] > 3, theme
    assert not trends.loc["darknet", "significant"]
    assert trends.loc["darknet", "p"] > 0.5
    assert trends.loc["encryption", "change_pp"] == pytest.approx(21.0, abs=3)


def test_wave_over_wave_changes(coded: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    codes, cleaned = coded
    changes = wave_changes(codes, police(cleaned, "tech"), themes=TECH)
    by_theme = changes.groupby("theme")
    assert by_theme["significant"].all()["encryption"]
    assert (changes.loc[changes["theme"] == "encryption", "diff_pp"] > 5).all()
    assert changes.loc[(changes["theme"] == "cryptocurrency") & (changes["wave1"] == "2018"),
                       "significant"].item()
    assert not by_theme["significant"].any()["darknet"]
    assert (changes["test"] == "two-proportion z").all()


def test_the_most_common_help_theme_is_flat(coded: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    codes, cleaned = coded
    trends = trend_tests(codes, police(cleaned, "help"), themes=["more_resources", "training"])
    assert not trends["significant"].any()


def test_prevalence_bases_reconcile_with_the_statuses(
        coded: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    codes, cleaned = coded
    by = ["group", "question", "wave"]
    answers = prevalence(codes, cleaned, themes=["encryption"], by=by)
    every = prevalence(codes, cleaned, themes=["encryption"], by=by, base="all")
    assert every["n"].sum() == len(cleaned)
    assert answers["n"].sum() == (cleaned["status"] == "ok").sum()
    assert (answers["k"] == every["k"]).all()
    tech_2019 = answers.set_index(by).loc[("police", "tech", "2019")]
    assert tech_2019["ci_low"] < 0.38 < tech_2019["ci_high"]  # the planted 38.0%
    people = prevalence(codes, cleaned, themes=["encryption"], by=["group", "wave"],
                        base="respondents").set_index(["group", "wave"])
    assert people.loc[("police", "2019"), "k"] == tech_2019["k"]
    assert people.loc[("police", "2019"), "n"] < answers.set_index(by).loc[
        ("police", slice(None), "2019"), "n"].sum()
