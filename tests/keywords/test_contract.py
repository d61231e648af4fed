"""The contract every keyphrase method keeps (one test over all registered methods)."""

from __future__ import annotations

import pytest

from openends.keywords import METHODS, KeyphraseMethod, get_method

TEXTS = ["Offenders use encrypted apps and encrypted phones.", "", "Bitcoin",
         "Live streaming on the darknet; live streaming is paid with crypto.",
         "More staff, more training and better forensic tools."] * 2


def make(name: str) -> KeyphraseMethod:
    return get_method(name, embedder="tfidf")  # fitted on the texts: no model needed


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_method_keeps_the_contract(name: str) -> None:
    method = make(name)
    assert isinstance(method, KeyphraseMethod) and method.name == name
    assert method.fit(TEXTS) is method
    results = method.extract(TEXTS, top=3)
    assert len(results) == len(TEXTS)
    assert results[1] == [] and results[2][0].phrase == "Bitcoin"
    for text, phrases in zip(TEXTS, results, strict=True):
        assert len(phrases) <= 3
        assert all(found.phrase in text for found in phrases)  # shown as written
        scores = [found.score for found in phrases]
        assert scores == sorted(scores, reverse=True)
        keys = [found.key for found in phrases]
        assert len(set(keys)) == len(keys)
    assert make(name).fit(TEXTS).extract(TEXTS, top=3) == results  # deterministic
