"""``yake``: YAKE! keyphrases (Campos et al., 2020), an unsupervised single-text method.

YAKE scores each phrase of one text from its words' casing, position, frequency,
spread over sentences and the variety of their neighbours; nothing is learned
from other texts, so :meth:`YakeKeyphrases.fit` only returns the method. YAKE's
scores are *lower is better*; here they become ``1 / (1 + yake_score)``, which
keeps YAKE's order, lies in (0, 1] and, like every other method, is higher for
better phrases. The phrase is shown as YAKE returns it (the casing of the text).

YAKE is asked for three times as many phrases as wanted; they are then collapsed
like those of the other methods: phrases with the same lemma key
(:func:`~openends.keywords.candidates.lemma` of each word token) keep the best
one, and a phrase that is part of a better one is skipped
(:func:`~openends.keywords.candidates.select_distinct`).

Example:
    >>> texts = ["Offenders use end-to-end encryption and encrypted apps. "
    ...          "Encrypted apps are everywhere.", ""]
    >>> found = YakeKeyphrases().fit(texts).extract(texts, top=3)
    >>> [(phrase.phrase, round(phrase.score, 3)) for phrase in found[0]]
    [('encrypted apps', 0.91), ('encryption and encrypted', 0.868), ('Offenders', 0.854)]
    >>> found[1]
    []
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from openends.keywords.base import Keyphrase
from openends.keywords.candidates import TOKEN, Key, lemma, select_distinct

OVERSAMPLE = 3
"""YAKE is asked for this many times ``top`` phrases, as collapsing drops some."""


def yake_key(phrase: str) -> Key:
    """The lemma key of a phrase: the lemmas of its word tokens (punctuation left out).

    Example:
        >>> yake_key("Encrypted apps"), yake_key("U.S. officers")
        (('encrypt', 'app'), ('u', 's', 'officer'))
    """
    return tuple(lemma(token) for token in TOKEN.findall(phrase) if token[0].isalnum())


class YakeKeyphrases:
    """YAKE keyphrases through the ``yake`` package (see the module docstring).

    ``max_words`` caps the phrase length (YAKE's ``n``), ``language`` picks YAKE's
    stop-word list, and ``dedup_threshold`` is YAKE's own near-duplicate limit
    (``dedup_lim``; 1 turns YAKE's deduplication off).
    """

    name = "yake"

    def __init__(self, *, max_words: int = 3, language: str = "en",
                 dedup_threshold: float = 0.9) -> None:
        self.max_words = max_words
        self.language = language
        self.dedup_threshold = dedup_threshold

    def fit(self, texts: Sequence[str]) -> YakeKeyphrases:
        """Nothing to learn: YAKE reads each text on its own."""
        return self

    def extract(self, texts: Sequence[str], top: int = 10) -> list[list[Keyphrase]]:
        if top <= 0:
            return [[] for _ in texts]
        extractor = self._extractor(OVERSAMPLE * top)
        return [self._best(extractor.extract_keywords(text) if text.strip() else [], top)
                for text in texts]

    def _extractor(self, size: int) -> Any:
        import yake

        # yake 0.6 and later call the option dedup_lim; earlier versions dedupLim.
        options = inspect.signature(yake.KeywordExtractor).parameters
        dedup = "dedup_lim" if "dedup_lim" in options else "dedupLim"
        return yake.KeywordExtractor(lan=self.language, n=self.max_words, top=size,
                                     **{dedup: self.dedup_threshold})

    @staticmethod
    def _best(found: Sequence[tuple[str, float]], top: int) -> list[Keyphrase]:
        best: dict[Key, Keyphrase] = {}
        for phrase, yake_score in found:  # best first: YAKE sorts by its score
            key = yake_key(phrase)
            if key and key not in best:
                best[key] = Keyphrase(phrase, 1.0 / (1.0 + float(yake_score)), key)
        ranked = sorted(best, key=lambda key: -best[key].score)  # stable: keeps YAKE's ties
        return [best[key] for key in select_distinct(ranked, top)]
