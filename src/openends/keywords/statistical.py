"""``statistical``: our default keyphrase method, phrase TF-IDF with a position prior.

A candidate phrase scores the sum of its words' weights, times the square root of
how often the phrase itself occurs, divided by ``1 + first position / text length``
(phrases that come early carry the topic). A word's weight is its count in the text
x its inverse document frequency over the answers the method was fitted on x the
square of its rarity in general English (:mod:`~openends.keywords.background`): the
background keeps everyday words down even in a small set of answers, where document
frequencies alone say little.
The best phrases are taken greedily, skipping any that is part of, or contains,
one already chosen. Summing word weights favours informative multi-word phrases;
the phrase count and position separate phrases that share words. Each of these
parts earns its place on the SemEval-2017 benchmark (``scripts/bench/keywords.py``).

Example:
    >>> texts = ["Offenders use end-to-end encryption and encrypted apps.",
    ...          "More staff, more training.", "Encryption everywhere."]
    >>> method = StatisticalKeyphrases().fit(texts)
    >>> [found.phrase for found in method.extract(texts, top=3)[0]]
    ['Offenders use end-to-end encryption', 'encrypted apps']
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from openends.errors import NotFittedError
from openends.keywords.background import rarity
from openends.keywords.base import Keyphrase
from openends.keywords.candidates import MAX_WORDS, PhraseFinder, select_distinct


class DocumentFrequencies(NamedTuple):
    """Each word lemma's number of texts, and the number of texts counted."""

    words: Counter[str]
    documents: int


def merge_frequencies(parts: Iterable[DocumentFrequencies]) -> DocumentFrequencies:
    """The counts of all the texts of ``parts``: fitting on them equals fitting on the
    texts at once.

    Example:
        >>> method = StatisticalKeyphrases()
        >>> both = merge_frequencies([method.count(["Encryption everywhere."]),
        ...                           method.count(["More encryption, more staff."])])
        >>> both.words["encryption"], both.documents
        (2, 2)
    """
    words: Counter[str] = Counter()
    documents = 0
    for part in parts:
        words.update(part.words)
        documents += part.documents
    return DocumentFrequencies(words, documents)


class StatisticalKeyphrases:
    """Phrase TF-IDF keyphrases (see the module docstring).

    ``max_words`` caps the phrase length; ``stop_words`` replaces the default list;
    ``background=False`` leaves out general-English rarity (plain phrase TF-IDF).
    ``fit`` counts in how many texts each word lemma occurs.
    """

    name = "statistical"

    def __init__(self, *, max_words: int = MAX_WORDS,
                 stop_words: Iterable[str] | None = None, background: bool = True) -> None:
        self.max_words = max_words
        self.stop_words = stop_words
        self.background = background

    def fit(self, texts: Sequence[str]) -> StatisticalKeyphrases:
        return self.fit_counts(self.count(texts))

    def count(self, texts: Sequence[str]) -> DocumentFrequencies:
        """In how many of ``texts`` each word lemma occurs: what ``fit`` learns, counted
        in parts (e.g. per partition) and added up with :func:`merge_frequencies`."""
        finder = PhraseFinder(max_words=1, stop_words=self.stop_words)
        frequency: Counter[str] = Counter()
        for text in texts:
            frequency.update(finder(text).words.keys())
        return DocumentFrequencies(frequency, len(texts))

    def fit_counts(self, counts: DocumentFrequencies) -> StatisticalKeyphrases:
        """Fitted on the texts behind ``counts``, as ``fit(texts)`` fits."""
        self.document_frequency_ = counts.words
        self.n_documents_ = counts.documents
        return self

    def idf(self, word: str) -> float:
        """Smoothed inverse document frequency: ``ln((N + 1) / (df + 1)) + 1``."""
        if not hasattr(self, "document_frequency_"):
            raise NotFittedError("the statistical keyphrase method", "call fit(texts) first")
        return math.log((self.n_documents_ + 1) / (self.document_frequency_[word] + 1)) + 1

    def extract(self, texts: Sequence[str], top: int = 10) -> list[list[Keyphrase]]:
        finder = PhraseFinder(max_words=self.max_words, stop_words=self.stop_words)
        return [self._best(finder(text), top) for text in texts]

    def _best(self, found, top: int) -> list[Keyphrase]:  # type: ignore[no-untyped-def]
        weight = {word: count * self.idf(word) * (rarity(word) ** 2 if self.background else 1.0)
                  for word, count in found.words.items()}
        length = max(found.n_tokens, 1)
        score = {key: sum(weight[word] for word in key) * math.sqrt(phrase.count)
                 / (1 + phrase.first / length)
                 for key, phrase in found.phrases.items()}
        ranked = sorted(score, key=lambda key: (-score[key], found.phrases[key].first, key))
        return [Keyphrase(found.phrases[key].surface, score[key], key)
                for key in select_distinct(ranked, top)]
