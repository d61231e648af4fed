"""``embedding``: KeyBERT-style keyphrases, the candidate phrases closest in meaning to the text.

Each text and each of its candidate phrases (:class:`~openends.keywords.candidates.PhraseFinder`,
embedded in lower case) get a vector from an embedder; a phrase's score is its
cosine similarity to its text. The ``candidates`` most similar phrases (at least
``top``) go to Maximal Marginal Relevance as KeyBERT defines it (``keybert._mmr.mmr``,
https://maartengr.github.io/KeyBERT/api/mmr.html, after Carbonell & Goldstein, 1998):
the most similar phrase first, then again and again the phrase that maximises ::

    (1 - diversity) * similarity(phrase, text) - diversity * max similarity(phrase, picked)

so ``diversity=0`` (the default, best on SemEval-2017) is the plain similarity
ranking and higher values push near-duplicates of picked phrases out. As in
KeyBERT, the picked phrases are returned by similarity to the text, highest
first. A phrase that is part of one already picked is skipped, as in the other
methods; ties go to the phrase that comes first in the text, then to the smaller
lemma key.

All texts go to the embedder in one call and all distinct candidate phrases of
all texts in another, both sorted, so an :class:`~openends.embed.EmbeddingCache`
and batching serve them well and the result of a text does not depend on the
other texts or their order.

Example (``tfidf`` vectors, so it runs without a model; ``static`` is the default):
    >>> texts = ["Offenders use encrypted phones and encrypted apps.",
    ...          "Cloud storage accounts hold the evidence.",
    ...          "More staff and more training for encrypted phones.",
    ...          "Encrypted apps hide the evidence from officers.",
    ...          "Training on cloud storage for more staff."]
    >>> plain = EmbeddingKeyphrases(embedder="tfidf").fit(texts)
    >>> [found.phrase for found in plain.extract(texts, top=3)[1]]
    ['storage accounts', 'storage accounts hold', 'Cloud storage accounts']
    >>> diverse = EmbeddingKeyphrases(embedder="tfidf", diversity=0.5).fit(texts)
    >>> [found.phrase for found in diverse.extract(texts, top=3)[1]]
    ['storage accounts', 'Cloud', 'evidence']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from openends.embed.base import Embedder
from openends.embed.cache import EmbeddingCache, embed_texts
from openends.errors import NotFittedError
from openends.keywords.base import Keyphrase
from openends.keywords.candidates import Phrase, PhraseFinder, TextPhrases, contains

DEFAULT_DIVERSITY = 0.0
"""No MMR penalty by default: on SemEval-2017 (F1@10, static embedder) diversity 0 scored
0.200, 0.3 scored 0.186 and 0.5 scored 0.176; raise it for less repetitive lists."""


class EmbeddingKeyphrases:
    """Embedding similarity keyphrases with MMR (see the module docstring).

    ``embedder`` is a registered name (``static``, ``minilm``, ``tfidf``), a model
    folder, or an :class:`~openends.embed.Embedder`; ``models_dir`` is where a named
    one is built or found, and ``cache`` stores the vectors. ``diversity`` (0 to 1)
    weighs MMR's penalty for similarity to phrases already picked; ``candidates``
    is how many of the most similar phrases MMR chooses from; ``max_words`` caps
    the phrase length and ``stop_words`` replaces the default list.

    ``fit`` resolves the embedder into ``embedder_``; an embedder that must be
    fitted and is not (``tfidf``) is fitted on the texts given to ``fit``.
    """

    name = "embedding"

    def __init__(self, *, embedder: str | Embedder = "static", cache: EmbeddingCache | None = None,
                 diversity: float = DEFAULT_DIVERSITY, candidates: int = 20, max_words: int = 3,
                 models_dir: Path | None = None, stop_words: Iterable[str] | None = None) -> None:
        self.embedder = embedder
        self.cache = cache
        self.diversity = diversity
        self.candidates = candidates
        self.max_words = max_words
        self.models_dir = models_dir
        self.stop_words = stop_words

    def fit(self, texts: Sequence[str]) -> EmbeddingKeyphrases:
        if isinstance(self.embedder, str):
            from openends.embed.registry import get_embedder

            embedder = get_embedder(self.embedder, models_dir=self.models_dir)
        else:
            embedder = self.embedder
        if _needs_fit(embedder):
            embedder.fit(list(texts))  # type: ignore[attr-defined]
        self.embedder_ = embedder
        return self

    def extract(self, texts: Sequence[str], top: int = 10) -> list[list[Keyphrase]]:
        if not hasattr(self, "embedder_"):
            raise NotFittedError("the embedding keyphrase method", "call fit(texts) first")
        texts = list(texts)
        finder = PhraseFinder(max_words=self.max_words, stop_words=self.stop_words)
        found = [finder(text) for text in texts]
        if top <= 0 or not any(phrases.phrases for phrases in found):
            return [[] for _ in texts]
        text_rows = self._embed({text for text, phrases in zip(texts, found, strict=True)
                                 if phrases.phrases})
        phrase_rows = self._embed({phrase.surface.lower() for phrases in found
                                   for phrase in phrases.phrases.values()})
        return [self._best(phrases, text_rows.get(text), phrase_rows, top)
                for text, phrases in zip(texts, found, strict=True)]

    def _embed(self, strings: set[str]) -> dict[str, np.ndarray]:
        """Vectors of distinct strings, embedded in one sorted call."""
        ordered = sorted(strings)
        vectors = embed_texts(ordered, self.embedder_, cache=self.cache)
        return dict(zip(ordered, vectors, strict=True))

    def _best(self, found: TextPhrases, text_vector: np.ndarray | None,
              phrase_rows: dict[str, np.ndarray], top: int) -> list[Keyphrase]:
        if text_vector is None:
            return []
        phrases = list(found.phrases.values())
        vectors = np.stack([phrase_rows[phrase.surface.lower()] for phrase in phrases])
        similarity = (vectors @ text_vector).astype(np.float64)
        order = sorted(range(len(phrases)),
                       key=lambda i: (-similarity[i], phrases[i].first, phrases[i].key))
        pool = order[:max(self.candidates, top)]
        picked = mmr([phrases[i] for i in pool], similarity[pool], vectors[pool],
                     diversity=self.diversity, top=top)
        chosen = sorted(picked, key=lambda i: (-similarity[pool[i]], phrases[pool[i]].first,
                                               phrases[pool[i]].key))
        return [Keyphrase(phrases[pool[i]].surface, float(similarity[pool[i]]),
                          phrases[pool[i]].key) for i in chosen]


def mmr(phrases: Sequence[Phrase], similarity: np.ndarray, vectors: np.ndarray, *,
        diversity: float, top: int) -> list[int]:
    """Positions of up to ``top`` phrases picked by Maximal Marginal Relevance, in pick order.

    ``similarity`` is each phrase's similarity to the text and ``vectors`` their
    rows (length 1). A phrase that is part of one already picked is never picked.

    Example:
        >>> phrases = [Phrase((word,), word, 1, first) for first, word in enumerate("abc")]
        >>> vectors = np.array([[1.0, 0.0], [0.96, 0.28], [0.0, 1.0]])
        >>> similarity = np.array([0.9, 0.85, 0.4])
        >>> mmr(phrases, similarity, vectors, diversity=0.0, top=2)
        [0, 1]
        >>> mmr(phrases, similarity, vectors, diversity=0.5, top=2)
        [0, 2]
    """
    if not phrases or top <= 0:
        return []
    between = vectors @ vectors.T
    picked: list[int] = []
    closest = np.full(len(phrases), -np.inf)  # max similarity to a picked phrase
    left = set(range(len(phrases)))
    while left and len(picked) < top:
        value = (1 - diversity) * similarity - diversity * closest if picked else similarity
        best = min(left, key=lambda i: (-value[i], phrases[i].first, phrases[i].key))
        picked.append(best)
        closest = np.maximum(closest, between[best])
        left = {i for i in left if not contains(phrases[best].key, phrases[i].key)}
    return picked


def _needs_fit(embedder: Embedder) -> bool:
    """Whether the embedder can be fitted and is not yet (its ``identity`` says so)."""
    if not callable(getattr(embedder, "fit", None)):
        return False
    try:
        embedder.identity  # noqa: B018
    except NotFittedError:
        return True
    return False

