"""Keyness: weighted log-odds with an informative prior on corpora whose answer is known."""

from __future__ import annotations

import math
import random
import re

import pandas as pd
import pytest

from openends.errors import ConfigError
from openends.keywords.keyness import keyness


def two_groups() -> tuple[list[str], list[str]]:
    """60 answers per group. A: 'encryption' in 30 (B: 3), 'live streaming' in 15;
    B: 'budget cuts' in 30; both: 'police work' in 20 each; A: the typo 'encrpytion' twice."""
    texts, groups = [], []
    for i in range(60):
        words = [f"alpha{i}"]
        if i < 30:
            words.append("encryption everywhere")
        if 30 <= i < 45:
            words.append("live streaming")
        if i % 3 == 0:
            words.append("police work")
        if i in (50, 51):
            words.append("encrpytion")
        texts.append(". ".join(words))
        groups.append("A")
    for i in range(60):
        words = [f"beta{i}"]
        if i < 30:
            words.append("budget cuts")
        if i < 3:
            words.append("encryption rarely")
        if i % 3 == 0:
            words.append("police work")
        texts.append(". ".join(words))
        groups.append("B")
    return texts, groups


def terms(table: pd.DataFrame, group: str) -> list[str]:
    return table.loc[table["group"] == group, "keyphrase"].tolist()


def test_the_words_that_distinguish_each_group_come_first() -> None:
    table = keyness(*two_groups())
    assert terms(table, "A")[:2] == ["encryption", "live streaming"]
    assert terms(table, "B")[0] == "budget cuts"
    assert "police work" not in terms(table, "A") + terms(table, "B")  # shared equally


def test_scores_follow_monroe_et_al_with_the_pooled_prior() -> None:
    table = keyness(*two_groups())
    row = table[(table["group"] == "A") & (table["keyphrase"] == "encryption")].iloc[0]
    assert (row["count"], row["answers"], row["count_rest"], row["answers_rest"]) == (30, 60, 3,
                                                                                      60)
    a0 = 0.1 * 120
    a_w = a0 * 33 / 120
    delta = (math.log((30 + a_w) / (60 + a0 - 30 - a_w))
             - math.log((3 + a_w) / (60 + a0 - 3 - a_w)))
    assert row["log_odds"] == pytest.approx(delta, abs=1e-6)
    assert row["score"] == pytest.approx(delta / math.sqrt(1 / (30 + a_w) + 1 / (3 + a_w)),
                                         abs=1e-6)
    assert row["share"] == pytest.approx(0.5) and row["share_rest"] == pytest.approx(0.05)


def test_min_count_and_the_prior_keep_rare_typos_down() -> None:
    texts, groups = two_groups()
    assert "encrpytion" not in terms(keyness(texts, groups), "A")
    everything = keyness(texts, groups, min_count=1, min_z=-100, top=1000)
    ranked = terms(everything, "A")
    assert ranked.index("encryption") < ranked.index("encrpytion")


def test_a_term_nearly_always_inside_a_longer_one_gives_way_to_it() -> None:
    listed = terms(keyness(*two_groups(), min_z=-100, top=1000), "A")
    assert "live streaming" in listed
    assert "streaming" not in listed and "live" not in listed


def test_ctfidf_ranks_frequent_group_terms_above_shared_ones() -> None:
    table = keyness(*two_groups(), min_z=-100, top=1000)
    mine = table[table["group"] == "A"].set_index("keyphrase")["ctfidf"]
    assert mine["encryption"] > mine["police work"] > 0


def test_output_does_not_depend_on_row_order() -> None:
    texts, groups = two_groups()
    pairs = list(zip(texts, groups, strict=True))
    random.Random(3).shuffle(pairs)
    shuffled = keyness([text for text, _ in pairs], [group for _, group in pairs])
    pd.testing.assert_frame_equal(shuffled, keyness(texts, groups))


def test_missing_groups_are_left_out_and_one_group_is_an_error() -> None:
    texts, groups = two_groups()
    with_missing = keyness(texts + ["encryption"] * 5, groups + [None] * 5)
    row = with_missing[with_missing["keyphrase"] == "encryption"].iloc[0]
    assert row["count"] + row["count_rest"] == 33
    with pytest.raises(ConfigError, match="at least two groups"):
        keyness(["a text", "another"], ["only", "only"])


def test_empty_and_one_word_answers_are_counted_in_the_group_sizes() -> None:
    texts, groups = two_groups()
    table = keyness([*texts, "", "Encryption"], [*groups, "A", "A"])
    row = table[(table["group"] == "A") & (table["keyphrase"] == "encryption")].iloc[0]
    assert (row["count"], row["answers"]) == (31, 62)


RISING = {"encryption": r"encrypt", "cryptocurrency": r"crypto|bitcoin|wallet|payment",
          "live streaming": r"stream"}


def test_sample_project_waves_are_marked_by_their_planted_trends(
        sample_cleaned: pd.DataFrame) -> None:
    police = sample_cleaned[(sample_cleaned["group"] == "police")
                            & (sample_cleaned["question"] == "tech")
                            & (sample_cleaned["status"] == "ok")]
    table = keyness(police["redacted_text"].tolist(), police["wave"].tolist())
    latest, first = " | ".join(terms(table, "2019")), " | ".join(terms(table, "2017"))
    for theme, pattern in RISING.items():
        assert re.search(pattern, latest, re.IGNORECASE), f"{theme} does not mark 2019: {latest}"
        assert not re.search(pattern, first, re.IGNORECASE), f"{theme} marks 2017: {first}"
    assert not table["keyphrase"].str.contains("darknet", case=False).any()  # planted non-change
