"""The statistical (default) keyphrase method and the corpus top phrases."""

from __future__ import annotations

import pytest

from openends.errors import NotFittedError
from openends.keywords import get_method
from openends.keywords.corpus import corpus_keyphrases
from openends.keywords.statistical import StatisticalKeyphrases

TEXTS = [
    "Offenders increasingly use end-to-end encryption on their phones.",
    "Live streaming of abuse is paid with cryptocurrency. Live streaming is growing.",
    "More staff and better forensic tools would help us.",
    "Encryption",
    "",
    "Darknet forums with strict membership rules; the darknet forums are hard to enter.",
]


def phrases(results: list) -> list[list[str]]:  # type: ignore[type-arg]
    return [[found.phrase for found in result] for result in results]


def test_phrases_come_in_their_written_form_and_without_sub_phrases() -> None:
    method = StatisticalKeyphrases().fit(TEXTS)
    results = method.extract(TEXTS, top=5)
    assert results[3][0].phrase == "Encryption" and len(results[3]) == 1
    assert results[4] == []
    streaming = phrases(results)[1]
    assert streaming[0] == "Live streaming"
    assert not {"streaming", "Live", "live"} & set(streaming)
    keys = [found.key for found in results[5]]
    assert ("darknet", "forum") in keys and ("darknet",) not in keys


def test_scores_descend_and_everyday_words_rank_below_rare_ones() -> None:
    text = ["It is possible that encryption is a problem for us"]
    result = StatisticalKeyphrases().fit(text).extract(text, top=10)[0]
    scores = [found.score for found in result]
    assert scores == sorted(scores, reverse=True)
    ranked = [found.phrase for found in result]
    assert ranked.index("encryption") < ranked.index("possible")


def test_order_of_answers_does_not_change_any_answer_s_phrases() -> None:
    forward = phrases(StatisticalKeyphrases().fit(TEXTS).extract(TEXTS))
    backward = phrases(StatisticalKeyphrases().fit(TEXTS[::-1]).extract(TEXTS[::-1]))
    assert backward[::-1] == forward
    assert phrases(StatisticalKeyphrases().fit(TEXTS).extract(TEXTS)) == forward


def test_rarer_words_across_answers_weigh_more() -> None:
    texts = ["phones and tablets", "phones and laptops", "phones and servers"]
    method = StatisticalKeyphrases(background=False).fit(texts)
    assert method.idf("tablet") > method.idf("phone")
    assert [found.phrase for found in method.extract(texts[:1], top=1)[0]] == ["tablets"]


def test_extract_before_fit_says_how_to_fix_it() -> None:
    with pytest.raises(NotFittedError, match="fit"):
        StatisticalKeyphrases().extract(["encryption"])


def test_registry_returns_the_default_method_and_rejects_unknown_names() -> None:
    from openends.errors import ConfigError

    assert isinstance(get_method("statistical"), StatisticalKeyphrases)
    with pytest.raises(ConfigError, match="did you mean 'yake'"):
        get_method("yak")


def test_corpus_keyphrases_count_answers_and_collapse_sub_phrases() -> None:
    texts = ["Live streaming.", "live streaming of abuse", "Live streaming again", "darknet",
             "the darknet", "streaming"]
    table = corpus_keyphrases(texts, StatisticalKeyphrases(), top=5)
    rows = table.set_index("keyphrase")
    assert table["keyphrase"].tolist()[:2] == ["live streaming", "darknet"]
    assert rows.loc["live streaming", "count"] == 3 and rows.loc["darknet", "count"] == 2
    assert "live" not in rows.index
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
