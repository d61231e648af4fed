"""The yake keyphrase method: YAKE's phrases, collapsed like the other methods, higher is better."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from openends.keywords.base import Keyphrase, KeyphraseMethod
from openends.keywords.candidates import contains
from openends.keywords.registry import get_method
from openends.keywords.yake_method import YakeKeyphrases, yake_key

TEXTS = [
    "Offenders use encrypted apps and encrypted phones. Encrypted apps hide the evidence "
    "from officers, and the encrypted phones are hard to open.",
    "More staff and more training. Training takes time; staff leave.",
    "Cloud storage accounts hold most of the evidence in fraud cases.",
    "Bitcoin",
]


class FakeExtractor:
    """Stands in for ``yake.KeywordExtractor``: returns fixed phrases, records each construction."""

    made: ClassVar[list[dict[str, Any]]] = []
    phrases: ClassVar[list[tuple[str, float]]] = []

    def __init__(self, lan: str = "en", n: int = 3, dedup_lim: float = 0.9, top: int = 20) -> None:
        FakeExtractor.made.append({"lan": lan, "n": n, "dedup_lim": dedup_lim, "top": top})

    def extract_keywords(self, text: str) -> list[tuple[str, float]]:
        return list(self.phrases)


class OldFakeExtractor(FakeExtractor):
    """The keyword name of yake before 0.6."""

    def __init__(self, lan: str = "en", n: int = 3, dedupLim: float = 0.9,
                 top: int = 20) -> None:
        FakeExtractor.made.append({"lan": lan, "n": n, "dedupLim": dedupLim, "top": top})


@pytest.fixture
def fake_yake(monkeypatch: pytest.MonkeyPatch) -> type[FakeExtractor]:
    import yake

    monkeypatch.setattr(FakeExtractor, "made", [])
    monkeypatch.setattr(FakeExtractor, "phrases", [])
    monkeypatch.setattr(yake, "KeywordExtractor", FakeExtractor)
    return FakeExtractor


def test_follows_the_method_contract() -> None:
    method = get_method("yake")
    assert isinstance(method, YakeKeyphrases)
    assert isinstance(method, KeyphraseMethod)
    assert method.name == "yake"
    assert (method.max_words, method.language, method.dedup_threshold) == (3, "en", 0.9)


def test_fit_returns_the_method_and_learns_nothing() -> None:
    method = YakeKeyphrases(max_words=2)
    before = dict(vars(method))
    assert method.fit(TEXTS) is method
    assert vars(method) == before


def test_empty_and_blank_texts_give_no_phrases() -> None:
    method = YakeKeyphrases().fit([])
    assert method.extract([]) == []
    assert method.extract(["", "   ", "\n"]) == [[], [], []]
    assert method.extract(TEXTS, top=0) == [[] for _ in TEXTS]


def test_one_word_text() -> None:
    [[found]] = YakeKeyphrases().extract(["Encryption"])
    assert (found.phrase, found.key) == ("Encryption", ("encryption",))
    assert 0 < found.score <= 1


def test_yake_scores_become_higher_is_better(fake_yake: type[FakeExtractor]) -> None:
    fake_yake.phrases = [("encrypted apps", 0.1), ("evidence", 0.25), ("officers", 3.0)]
    found = YakeKeyphrases().extract(["any text"], top=5)[0]
    assert found == [Keyphrase("encrypted apps", 1 / 1.1, ("encrypt", "app")),
                     Keyphrase("evidence", 1 / 1.25, ("evidence",)),
                     Keyphrase("officers", 1 / 4.0, ("officer",))]


def test_duplicates_and_sub_phrases_collapse(fake_yake: type[FakeExtractor]) -> None:
    fake_yake.phrases = [("encrypted apps", 0.1), ("Encrypted app", 0.2), ("apps", 0.3),
                         ("phones", 0.4), ("apps and phones", 0.5), ("U.S.", 0.6), ("--", 0.7)]
    found = YakeKeyphrases().extract(["any text"], top=10)[0]
    # The same lemma key keeps its best form, a part of a better phrase goes, the reverse
    # stays (the longer phrase says more), and a phrase without words is dropped.
    assert [(item.phrase, item.key) for item in found] == [
        ("encrypted apps", ("encrypt", "app")), ("phones", ("phone",)),
        ("apps and phones", ("app", "and", "phone")), ("U.S.", ("u", "s"))]


def test_asks_yake_for_more_than_top_once_per_call(fake_yake: type[FakeExtractor]) -> None:
    fake_yake.phrases = [(f"word{index}", index / 10) for index in range(20)]
    found = YakeKeyphrases(max_words=2, language="de", dedup_threshold=0.7).extract(
        ["one text", "another text", "a third"], top=4)
    assert [len(phrases) for phrases in found] == [4, 4, 4]
    assert fake_yake.made == [{"lan": "de", "n": 2, "dedup_lim": 0.7, "top": 12}]


def test_older_yake_keyword_name(monkeypatch: pytest.MonkeyPatch,
                                 fake_yake: type[FakeExtractor]) -> None:
    import yake

    monkeypatch.setattr(yake, "KeywordExtractor", OldFakeExtractor)
    YakeKeyphrases(dedup_threshold=0.8).extract(["text"], top=1)
    assert fake_yake.made == [{"lan": "en", "n": 3, "dedupLim": 0.8, "top": 3}]


def test_real_yake_honours_top_length_and_ranking() -> None:
    method = YakeKeyphrases(max_words=2).fit(TEXTS)
    results = method.extract(TEXTS, top=4)
    assert len(results) == len(TEXTS)
    for found in results:
        assert 1 <= len(found) <= 4
        assert all(len(item.key) <= 2 for item in found)
        assert all(0 < item.score <= 1 for item in found)
        assert [item.score for item in found] == sorted((item.score for item in found),
                                                        reverse=True)
        keys = [item.key for item in found]
        assert len(set(keys)) == len(keys)
        assert not any(contains(keys[i], keys[j]) for i in range(len(keys))
                       for j in range(i + 1, len(keys)))
        assert all(yake_key(item.phrase) == item.key for item in found)
    # YAKE keeps the casing of the text.
    assert results[3][0].phrase == "Bitcoin"


def test_same_input_same_output_in_any_order() -> None:
    method = YakeKeyphrases().fit(TEXTS)
    first = method.extract(TEXTS, top=5)
    assert method.extract(TEXTS, top=5) == first
    assert method.extract(list(reversed(TEXTS)), top=5) == list(reversed(first))
