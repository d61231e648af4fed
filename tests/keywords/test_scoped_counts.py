"""Keyness counted in parts: partitions of a table, counted apart and merged in order, give
exactly the keyness of the whole table (what a Dask engine's workers rely on)."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from itertools import pairwise

import pandas as pd
import pytest

from openends.keywords.keyness import (
    TermCounts,
    keyness,
    keyness_from_counts,
    merge_term_counts,
    term_counts,
)
from openends.keywords.scoped import (
    ScopedCounts,
    merge_scoped_counts,
    scoped_keyness_from_counts,
    scoped_term_counts,
)
from openends.report.build import scoped_keyness

Split = Callable[[pd.DataFrame], list[pd.DataFrame]]


def at(*cuts: int) -> Split:
    """Consecutive parts cut at row positions (a negative cut counts from the end)."""
    def split(table: pd.DataFrame) -> list[pd.DataFrame]:
        ends = [0, *(cut % len(table) for cut in cuts), len(table)]
        return [table.iloc[start:end] for start, end in pairwise(ends)]
    return split


def by_wave(table: pd.DataFrame) -> list[pd.DataFrame]:
    """One part per run of answers of one wave (a partition holding a single wave)."""
    runs = table["wave"].ne(table["wave"].shift()).cumsum()
    return [part for _, part in table.groupby(runs, sort=False)]


SPLITS: dict[str, Split] = {
    "1 part": at(),
    "3 uneven parts": at(7, 2000),
    "8 uneven parts, one empty": at(1, 400, 400, 1500, 1998, 2500, -3),
    "single waves": by_wave,
}


@pytest.fixture(scope="module")
def questions(sample_cleaned: pd.DataFrame) -> list[str]:
    """The codebook's questions, in the order the report scopes them."""
    from openends.coding.codebook import load_codebook
    from openends.sample import sample_project_path

    book = load_codebook(sample_project_path().parent / "codebook.yml")
    return list(dict.fromkeys(question for theme in book.themes
                              if (question := theme.question)))


def in_parts(parts: list[pd.DataFrame], questions: list[str], compared: str,
             within: list[str], **options: int) -> tuple[pd.DataFrame, list[str]]:
    counts: list[ScopedCounts] = [
        pickle.loads(pickle.dumps(scoped_term_counts(part, questions, compared, within)))
        for part in parts]  # as a worker sends them
    return scoped_keyness_from_counts(merge_scoped_counts(counts), **options)


def assert_same(got: tuple[pd.DataFrame, list[str]],
                expected: tuple[pd.DataFrame, list[str]]) -> None:
    pd.testing.assert_frame_equal(got[0], expected[0])
    assert got[1] == expected[1]


@pytest.mark.slow
@pytest.mark.parametrize("split", SPLITS.values(), ids=SPLITS.keys())
def test_waves_within_groups_over_the_codebook_questions(
        sample_cleaned: pd.DataFrame, questions: list[str], split: Split) -> None:
    parts = split(sample_cleaned)
    assert sum(map(len, parts)) == len(sample_cleaned)
    expected = scoped_keyness(sample_cleaned, questions, "wave", ["group"])
    assert len(expected[0]) and set(expected[0]["scope"]) >= {"police tech answers"}
    assert_same(in_parts(parts, questions, "wave", ["group"]), expected)


@pytest.mark.slow
@pytest.mark.parametrize("split", SPLITS.values(), ids=SPLITS.keys())
def test_the_keyword_table_of_a_run(sample_cleaned: pd.DataFrame, split: Split) -> None:
    from openends.project.steps import keyword_table

    questions = sorted(sample_cleaned["question"].unique())
    expected = scoped_keyness(sample_cleaned, questions, "wave", ["group"], top=8, min_count=5)
    got = in_parts(split(sample_cleaned), questions, "wave", ["group"], top=8, min_count=5)
    assert_same(got, expected)
    assert got[0]["keyphrase"].tolist() == keyword_table(sample_cleaned)[0]["keyphrase"].tolist()


@pytest.mark.slow
def test_small_scopes_are_skipped_the_same_way(sample_cleaned: pd.DataFrame,
                                               questions: list[str]) -> None:
    expected = scoped_keyness(sample_cleaned, questions, "wave", ["group", "role"], top=0)
    assert any("too few answers" in line for line in expected[1])
    assert any("--top must be at least 1" in line for line in expected[1])
    got = in_parts(at(900, 2100)(sample_cleaned), questions, "wave", ["group", "role"], top=0)
    assert_same(got, expected)


@pytest.mark.slow
def test_merged_term_counts_are_the_counts_of_the_whole(sample_cleaned: pd.DataFrame) -> None:
    texts = sample_cleaned["redacted_text"].fillna("").tolist()
    waves = sample_cleaned["wave"].tolist()
    whole = term_counts(texts, waves)
    cuts = [0, 5, 1200, 1201, 3000, len(texts)]
    parts = [term_counts(texts[start:end], waves[start:end])
             for start, end in pairwise(cuts)]
    kept = copy.deepcopy(parts)
    merged = merge_term_counts(parts)
    assert merged == whole and parts == kept
    assert all(list(merged.forms[key]) == list(forms) for key, forms in whole.forms.items())
    pd.testing.assert_frame_equal(keyness_from_counts(merged), keyness(texts, waves))


def test_counts_hold_nothing_per_answer() -> None:
    texts = [f"encrypted apps and live streaming, case {number % 7}" for number in range(200)]
    groups = ["2017", "2019"] * 100
    once = term_counts(texts, groups)
    many = term_counts(texts * 20, groups * 20)
    assert many.sizes == {"2017": 2000, "2019": 2000}
    assert list(many.forms) == list(once.forms) and list(many.answers) == list(once.answers)
    assert len(pickle.dumps(many)) < 1.2 * len(pickle.dumps(once))


TIED = ["Police use an encrypted app", "They all have encrypted apps", "an encrypted app",
        "encrypted apps mostly"]


def test_a_tie_in_written_forms_goes_to_the_first_across_parts() -> None:
    """'encrypted app' and 'encrypted apps' are written by two answers each: the form
    written first in the table is shown, wherever the parts were cut."""
    texts = [*TIED, "more staff", "more staff please", "staff and training"]
    waves = ["2019"] * 4 + ["2017"] * 3

    def shown(texts: list[str], waves: list[str], cut: int) -> list[str]:
        merged = merge_term_counts([term_counts(texts[:cut], waves[:cut]),
                                    term_counts(texts[cut:], waves[cut:])])
        table = keyness_from_counts(merged, min_count=1, min_z=-100, top=100)
        pd.testing.assert_frame_equal(table, keyness(texts, waves, min_count=1, min_z=-100,
                                                     top=100))
        latest = table.loc[table["group"] == "2019", "keyphrase"]
        return [phrase for phrase in latest if phrase.startswith("encrypted")]

    for cut in range(len(texts) + 1):
        assert shown(texts, waves, cut) == ["encrypted app"]
        assert shown(texts[::-1], waves[::-1], cut) == ["encrypted apps"]


def generated_table() -> pd.DataFrame:
    """205 answers in two waves and two regions whose labels tie in natural order ("north",
    "North"). The first "north" answer has no wave: "north" is seen first, though "North"
    has the first answer with a wave. In each region, 2019 answers alternate "an encrypted
    app" and "encrypted apps", as many of each, so the form written first is shown."""
    rows: list[tuple[str, str | None, str]] = [("north", None, "an encrypted app")]
    written: dict[str, int] = {}
    for number in range(204):
        region, wave = "North" if number % 3 == 0 else "north", "2019" if number % 2 else "2017"
        text = f"more staff {number % 3}"
        if wave == "2019":
            written[region] = written.get(region, 0) + 1
            text = "encrypted apps" if written[region] % 2 == 0 else "an encrypted app"
        rows.append((region, wave, text))
    table = pd.DataFrame(rows, columns=["region", "wave", "redacted_text"])
    return table.assign(status="ok", question="tech", response_id=range(len(table)))


@pytest.mark.parametrize("cuts", [(), (1,), (4,), (2, 3, 60), (50, 50, -1)])
def test_generated_ties_follow_the_whole_table(cuts: tuple[int, ...]) -> None:
    table = generated_table()
    expected = scoped_keyness(table, ["tech"], "wave", ["region"], min_count=2)
    assert list(dict.fromkeys(expected[0]["scope"])) == ["north tech answers",
                                                         "North tech answers"]
    encrypted = expected[0].loc[expected[0]["keyphrase"].str.startswith("encrypted")]
    assert encrypted["keyphrase"].tolist() == ["encrypted app", "encrypted app"]
    assert_same(in_parts(at(*cuts)(table), ["tech"], "wave", ["region"], min_count=2), expected)


def test_counts_of_other_scopes_do_not_merge() -> None:
    table = generated_table()
    by_wave = scoped_term_counts(table, ["tech"], "wave")
    with pytest.raises(ValueError, match="cannot merge"):
        merge_scoped_counts([by_wave, scoped_term_counts(table, ["tech"], "region")])
    with pytest.raises(ValueError, match="no scoped counts"):
        merge_scoped_counts([])
    assert isinstance(by_wave, ScopedCounts)
    assert isinstance(by_wave.scopes[("tech", ())], TermCounts)
