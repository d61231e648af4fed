"""The embedding keyphrase method: similarity to the text, then KeyBERT's Maximal Marginal
Relevance; checked exactly with a fake embedder whose vectors are designed here."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from openends.embed import EmbeddingCache, TfidfEmbedder, normalise_rows
from openends.errors import NotFittedError
from openends.keywords.base import KeyphraseMethod
from openends.keywords.candidates import PhraseFinder, contains, select_distinct
from openends.keywords.embedding import EmbeddingKeyphrases, mmr
from openends.keywords.registry import get_method

DIMENSIONS = 3
# "mobiles" is a near-duplicate of "phones" (cosine 0.96); "cloud" is unlike both.
WORDS = {"phones": [1.0, 0.0, 0.0], "mobiles": [0.96, 0.28, 0.0], "cloud": [0.0, 0.0, 1.0]}
WORD = re.compile(r"[^\W_]+")

TEXTS = [
    "Offenders use encrypted apps and encrypted phones; encrypted apps hide the evidence.",
    "More staff and more training. Training takes time.",
    "Cloud storage accounts hold most of the evidence in fraud cases.",
    "Bitcoin",
    "",
]


def word_vector(word: str) -> np.ndarray:
    """A fixed vector for the designed words, a seeded random one for any other word."""
    if word in WORDS:
        return np.array(WORDS[word])
    return np.asarray(np.random.default_rng(zlib.crc32(word.encode())).normal(size=DIMENSIONS))


class FakeEmbedder:
    """Bag of words: a text's vector is the sum of its lower-cased words' vectors, normalised."""

    name = "fake"
    dimensions = DIMENSIONS

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    @property
    def identity(self) -> str:
        return "fake:1"

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self.calls.append(list(texts))
        rows = [sum((word_vector(word) for word in WORD.findall(text.lower())),
                    np.zeros(DIMENSIONS)) for text in texts]
        vectors: np.ndarray = normalise_rows(np.array(rows).reshape(len(texts), DIMENSIONS))
        return vectors


class FittableEmbedder(FakeEmbedder):
    """Like tfidf: no identity until fitted."""

    def __init__(self) -> None:
        super().__init__()
        self.fitted_on: list[str] | None = None

    def fit(self, texts: Sequence[str]) -> FittableEmbedder:
        self.fitted_on = list(texts)
        return self

    @property
    def identity(self) -> str:
        if self.fitted_on is None:
            raise NotFittedError("the fittable embedder", "fit it")
        return "fittable:1"


def fitted(texts: Sequence[str] = TEXTS, **options: Any) -> EmbeddingKeyphrases:
    options.setdefault("embedder", FakeEmbedder())
    return EmbeddingKeyphrases(**options).fit(texts)


def calls(method: EmbeddingKeyphrases) -> list[list[str]]:
    """What the method's fake embedder was asked to embed, call by call."""
    embedder = method.embedder_
    assert isinstance(embedder, FakeEmbedder)
    return embedder.calls


def similarity_ranking(text: str, top: int, max_words: int = 3) -> list[tuple[tuple[str, ...],
                                                                             float]]:
    """Candidates by cosine similarity to the text, sub-phrases of better ones skipped."""
    embedder = FakeEmbedder()
    found = PhraseFinder(max_words=max_words)(text)
    [text_vector] = embedder.embed([text])
    similarity = {key: float(embedder.embed([phrase.surface.lower()])[0] @ text_vector)
                  for key, phrase in found.phrases.items()}
    ranked = sorted(similarity, key=lambda key: (-similarity[key], found.phrases[key].first, key))
    return [(key, similarity[key]) for key in select_distinct(ranked, top)]


def test_follows_the_method_contract_and_stores_options_as_given() -> None:
    embedder = FakeEmbedder()
    cache = EmbeddingCache(Path("unused"))
    method = get_method("embedding", embedder=embedder, cache=cache)
    assert isinstance(method, EmbeddingKeyphrases)
    assert isinstance(method, KeyphraseMethod)
    assert method.name == "embedding"
    assert vars(method) == {"embedder": embedder, "cache": cache, "diversity": 0.0,
                            "candidates": 20, "max_words": 3, "models_dir": None,
                            "stop_words": None}
    assert embedder.calls == []


def test_extract_before_fit_fails() -> None:
    with pytest.raises(NotFittedError, match="call fit"):
        EmbeddingKeyphrases(embedder=FakeEmbedder()).extract(["Encrypted phones"])


def test_empty_texts_and_texts_without_candidates() -> None:
    method = fitted()
    assert method.extract([]) == []
    assert method.extract(["", "  ", "the and of", "..."]) == [[], [], [], []]
    assert method.extract(TEXTS, top=0) == [[] for _ in TEXTS]
    assert calls(method) == []


def test_one_word_text() -> None:
    [[found]] = fitted().extract(["Encryption"])
    assert (found.phrase, found.key) == ("Encryption", ("encryption",))
    assert found.score == pytest.approx(1.0)


def test_no_diversity_is_the_similarity_ranking() -> None:
    method = fitted(diversity=0.0, candidates=100)
    for text, found in zip(TEXTS, method.extract(TEXTS, top=6), strict=True):
        expected = similarity_ranking(text, top=6)
        assert [item.key for item in found] == [key for key, _ in expected]
        assert [item.score for item in found] == pytest.approx([score for _, score in expected],
                                                               abs=1e-6)


def test_diversity_moves_the_pick_away_from_a_near_duplicate() -> None:
    text = "Phones, phones, mobiles, cloud."
    # Similarity to the text: phones 0.944, mobiles 0.931, cloud 0.319.
    plain = fitted([text], diversity=0.0).extract([text], top=2)[0]
    assert [item.phrase for item in plain] == ["phones", "mobiles"]
    # After "phones", mobiles scores 0.5 * 0.931 - 0.5 * 0.96 < 0 and cloud 0.5 * 0.319.
    diverse = fitted([text], diversity=0.5).extract([text], top=2)[0]
    assert [item.phrase for item in diverse] == ["phones", "cloud"]
    assert diverse[0].score == plain[0].score
    assert diverse[1].score == pytest.approx(1 / np.sqrt(2.96**2 + 0.28**2 + 1), abs=1e-6)
    # A little diversity is not enough to drop the near-duplicate.
    little = fitted([text], diversity=0.3).extract([text], top=2)[0]
    assert [item.phrase for item in little] == ["phones", "mobiles"]


def test_mmr_picks_by_keybert_rule_and_skips_parts_of_picked_phrases() -> None:
    from openends.keywords.candidates import Phrase

    phrases = [Phrase(("encrypt", "phone"), "encrypted phones", 1, 0),
               Phrase(("phone",), "phones", 1, 1), Phrase(("cloud",), "cloud", 1, 2)]
    vectors = normalise_rows([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]])
    similarity = np.array([0.9, 0.85, 0.1])
    # "phones" is part of the picked "encrypted phones", so it is never picked.
    assert mmr(phrases, similarity, vectors, diversity=0.0, top=3) == [0, 2]
    assert mmr(phrases, similarity, vectors, diversity=0.0, top=1) == [0]
    assert mmr([], similarity[:0], vectors[:0], diversity=0.5, top=3) == []


def test_ties_go_to_the_earlier_phrase() -> None:
    from openends.keywords.candidates import Phrase

    phrases = [Phrase(("b",), "b", 1, 1), Phrase(("a",), "a", 1, 0), Phrase(("c",), "c", 1, 0)]
    vectors = normalise_rows(np.eye(3))
    assert mmr(phrases, np.array([0.5, 0.5, 0.5]), vectors, diversity=0.5, top=3) == [1, 2, 0]


def test_duplicates_and_sub_phrases_collapse_and_ranks_descend() -> None:
    results = fitted(diversity=0.0).extract(TEXTS, top=10)
    for found in results:
        keys = [item.key for item in found]
        assert len(set(keys)) == len(keys)
        # With no diversity the pick order is the ranking: nothing follows a phrase it is part of.
        assert not any(contains(keys[i], keys[j]) for i in range(len(keys))
                       for j in range(i + 1, len(keys)))
    for found in fitted(diversity=0.7, candidates=5).extract(TEXTS, top=10):
        assert len(found) <= 10
        assert all(len(item.key) <= 3 for item in found)
        assert [item.score for item in found] == sorted((item.score for item in found),
                                                        reverse=True)


def test_at_least_top_candidates_go_to_mmr() -> None:
    found = fitted(candidates=2).extract(TEXTS[:1], top=5)[0]
    assert len(found) == 5


def test_same_input_same_output_in_any_order() -> None:
    method = fitted()
    first = method.extract(TEXTS, top=5)
    assert method.extract(TEXTS, top=5) == first
    assert method.extract(list(reversed(TEXTS)), top=5) == list(reversed(first))
    # A text's phrases do not depend on the other texts.
    assert method.extract(TEXTS[2:3], top=5) == first[2:3]


def test_texts_and_phrases_are_embedded_in_one_call_each() -> None:
    method = fitted()
    method.extract(TEXTS, top=5)
    assert len(calls(method)) == 2
    texts, phrases = calls(method)
    assert texts == sorted(text for text in set(TEXTS) if text)
    assert phrases == sorted(set(phrases))
    assert all(phrase == phrase.lower() for phrase in phrases)


def test_cache_gives_the_same_phrases_without_embedding_again(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    method = fitted(cache=cache)
    first = method.extract(TEXTS, top=5)
    assert first == fitted().extract(TEXTS, top=5)
    embedded = len(calls(method))
    assert method.extract(TEXTS, top=5) == first
    assert len(calls(method)) == embedded


def test_fit_fits_an_unfitted_embedder_once() -> None:
    embedder = FittableEmbedder()
    method = EmbeddingKeyphrases(embedder=embedder).fit(TEXTS)
    assert method.embedder_ is embedder
    assert embedder.fitted_on == TEXTS
    method.fit(["other texts"])
    assert embedder.fitted_on == TEXTS  # already fitted: left as it is
    assert method.extract(["Encrypted phones"])[0]


def test_a_named_embedder_is_resolved_in_fit() -> None:
    texts = ["Offenders use encrypted phones and encrypted apps.",
             "Cloud storage accounts hold the evidence.",
             "More staff and more training for encrypted phones."]
    method = EmbeddingKeyphrases(embedder="tfidf")
    assert method.embedder == "tfidf"
    method.fit(texts)
    assert isinstance(method.embedder_, TfidfEmbedder)
    assert method.embedder_.is_fitted
    results = method.extract(texts, top=3)
    assert [len(found) for found in results] == [3, 3, 3]
    # Refitting makes a new embedder, fitted on the new texts.
    assert method.fit(texts[:2]).embedder_.params_["n_documents"] == 2


@pytest.mark.slow
def test_real_static_embedder(static_model: Path) -> None:
    texts = ["Offenders increasingly use end-to-end encrypted messaging apps, so officers "
             "cannot read the messages on seized phones.",
             "We need more staff and better training in digital forensics.",
             "Fraud moved online: fake web shops, phishing e-mails and cryptocurrency scams."]
    method = EmbeddingKeyphrases(models_dir=static_model.parent).fit(texts)
    results = method.extract(texts, top=4)
    assert all(1 <= len(found) <= 4 for found in results)
    for found in results:
        assert all(-1 <= item.score <= 1 for item in found)
        assert [item.score for item in found] == sorted((item.score for item in found),
                                                        reverse=True)
    assert method.extract(list(reversed(texts)), top=4) == list(reversed(results))
    # The second text has three phrases that are not part of another one.
    assert {item.key for item in results[1]} <= {
        ("staff",), ("better",), ("better", "train"), ("train",), ("digital",),
        ("digital", "forensics"), ("forensics",)}
