"""The vocabulary topics are described in: lemmas, stop words removed, words and bigrams.

Topic models count terms in the ``lemmas`` column that cleaning adds (lower-case
lemmas of the redacted answer), so "waiting" and "waited" are one term and no
personal data reaches a topic label.

Example:
    >>> documents = ["staff be friendly and helpful", "the staff be very friendly"]
    >>> term_documents(documents)
    [['staff', 'friendly', 'helpful'], ['staff', 'friendly']]
    >>> vectorizer = term_vectorizer(len(documents))
    >>> sorted(vectorizer.fit(documents).vocabulary_)[:3]
    ['friendly', 'friendly helpful', 'helpful']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from openends.nlp import stop_words

WORD = r"(?u)\b[^\W\d_]{2,}\b"
"""A term's words: two or more letters (numbers and one-letter tokens carry no theme)."""

_WORD = re.compile(WORD)


def topic_stop_words(extra: Sequence[str] = ()) -> list[str]:
    """:func:`openends.nlp.stop_words` (English and survey filler words) that can be terms.

    Example:
        >>> "the" in topic_stop_words() and "really" in topic_stop_words()
        True
    """
    # Only whole words: "'ll" can never match a term, and scikit-learn warns about it.
    return sorted(word for word in stop_words(tuple(extra)) if _WORD.fullmatch(word))


def term_vectorizer(n_documents: int, *, extra_stop_words: Sequence[str] = ()) -> Any:
    """A scikit-learn ``CountVectorizer`` over lemmas: words and bigrams, stop words removed.

    Terms must occur in at least two answers once there are 100 answers or more,
    so that a typo never becomes a topic's top word.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(
        token_pattern=WORD,
        stop_words=topic_stop_words(extra_stop_words),
        ngram_range=(1, 2),
        min_df=2 if n_documents >= 100 else 1,
        lowercase=True,
    )


def term_documents(documents: Sequence[str], *,
                   extra_stop_words: Sequence[str] = ()) -> list[list[str]]:
    """Each document's word terms in order, as the coherence measure reads them."""
    stops = set(topic_stop_words(extra_stop_words))
    return [[word for word in _WORD.findall(document.lower()) if word not in stops]
            for document in documents]


def describe_terms(terms: Sequence[str], weights: Sequence[float], *,
                   n_words: int = 10) -> tuple[list[str], list[float], list[str]]:
    """Split terms ranked best first into the top words (unigrams, with weights) and the
    top phrases; terms with no weight are dropped.

    Example:
        >>> describe_terms(["staff", "staff friendly", "friendly", "wait"], [4, 3, 2, 0],
        ...                n_words=3)
        (['staff', 'friendly'], [4.0, 2.0], ['staff friendly'])
    """
    ranked = list(zip(terms, weights, strict=True))
    words = [(term, float(weight)) for term, weight in ranked
             if " " not in term and float(weight) > 0][:n_words]
    phrases = [term for term, weight in ranked if " " in term and float(weight) > 0
               and len(set(term.split())) > 1][:n_words]  # not "good good"
    return [word for word, _ in words], [weight for _, weight in words], phrases


def topic_label(words: Sequence[str], phrases: Sequence[str], *, size: int = 3) -> str:
    """A short label: the best phrases first, then words the phrases do not already say.

    Example:
        >>> topic_label(["staff", "friendly", "helpful", "polite"], ["staff friendly"])
        'staff friendly, helpful, polite'
    """
    chosen: list[str] = []
    said: set[str] = set()
    for term in [*phrases[:2], *words]:
        if set(term.split()) <= said:
            continue
        chosen.append(term)
        said.update(term.split())
        if len(chosen) == size:
            break
    return ", ".join(chosen) if chosen else "(no words)"
