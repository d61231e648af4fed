"""The words that describe a topic: specific to its answers, and used together.

Class-based TF-IDF ranks a topic's terms by their frequency in the topic's
answers joined together, so one long answer that repeats a word can put it on
top, and words frequent everywhere creep in. Here a term's *specificity* is

    share_in_topic x log((share_in_topic + e) / (share_elsewhere + e))

where a share is the fraction of *answers* (not words) that use the term: high
when many of the topic's answers use it and few others do. The top words are
then picked from the 30 most specific, one at a time, each time taking the word
with the best specificity x ((1 + its mean NPMI with the words already picked) / 2)^2
(NPMI from how often two words share an answer): words that name the same thing
together, rather than one word from each of several sub-themes.

Measured on BBC News (K = 10-50, static embeddings): NPMI coherence 0.132 with
BERTopic's c-TF-IDF (frequent words reduced), 0.181 with specificity alone and
0.197 with the coherent pick, diversity 0.89 / 0.84 / 0.84. On the NHS answers
(K = 14-30): -0.072 with specificity alone, 0.006 with the coherent pick, at a
diversity of 0.72 / 0.67.

Example:
    >>> import numpy as np
    >>> from scipy import sparse
    >>> uses = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [1, 0, 1], [1, 0, 1]]))
    >>> weights = term_specificity(uses, np.array([0, 0, 1, 1]), 2)
    >>> weights.round(3).tolist()   # term 0 is in every answer: it marks no topic
    [[0.0, 6.909, 0.0], [0.0, 0.0, 6.909]]
    >>> describe_topics(uses, ["staff", "kind", "rude"], np.array([0, 0, 1, 1]), 2)
    [[('kind', 6.908755)], [('rude', 6.908755)]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from bertopic.representation import BaseRepresentation
from scipy import sparse

SMOOTHING = 1e-3
POOL = 30
"""Top words are picked from this many of a topic's most specific words."""


def term_specificity(uses: Any, labels: np.ndarray, n_topics: int) -> np.ndarray:
    """Weights (topics x terms) from a documents x terms matrix (counts or 0/1).

    Terms a topic uses less than other answers get 0.
    """
    present = sparse.csr_matrix(uses, dtype=np.float64)
    present.data[:] = 1.0
    membership = sparse.csr_matrix(
        (np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(n_topics, len(labels)))
    in_topic = np.asarray((membership @ present).todense())
    sizes = np.bincount(labels, minlength=n_topics)[:, None].astype(np.float64)
    share = in_topic / np.maximum(sizes, 1)
    elsewhere = (in_topic.sum(axis=0) - in_topic) / np.maximum(len(labels) - sizes, 1)
    weights: np.ndarray = np.maximum(
        share * np.log((share + SMOOTHING) / (elsewhere + SMOOTHING)), 0.0)
    return weights


def describe_topics(uses: Any, vocabulary: Sequence[str], labels: np.ndarray, n_topics: int,
                    *, n_words: int = 10, n_phrases: int = 10
                    ) -> list[list[tuple[str, float]]]:
    """Each topic's terms, best first: up to ``n_words`` words chosen for specificity and
    coherence, then up to ``n_phrases`` multi-word terms by specificity; with weights
    (specificity, rounded to 6 places)."""
    terms = np.asarray(vocabulary)
    weights = term_specificity(uses, labels, n_topics)
    present = sparse.csc_matrix(uses, dtype=np.float64)
    present.data[:] = 1.0
    single = np.array([" " not in term for term in terms])
    answers_with = np.asarray(present.sum(axis=0)).ravel()
    described = []
    for row in weights:
        order = np.argsort(-row, kind="stable")
        order = order[row[order] > 0]
        words = order[single[order]][:POOL].tolist()
        phrases = order[~single[order]][:n_phrases].tolist()
        chosen = _coherent(words, row, present, answers_with, n_words)
        described.append([(str(terms[i]), round(float(row[i]), 6)) for i in chosen + phrases])
    return described


def _coherent(candidates: list[int], row: np.ndarray, present: Any, answers_with: np.ndarray,
              n_words: int) -> list[int]:
    """Greedy pick: specificity x ((1 + mean NPMI with the words picked so far) / 2)^2."""
    if not candidates:
        return []
    columns = present[:, candidates]
    together = np.asarray((columns.T @ columns).todense())
    n = present.shape[0]
    alone = answers_with[candidates] / n
    with np.errstate(divide="ignore", invalid="ignore"):
        joint = together / n
        surprise = -np.log(np.minimum(joint, 1 - 1e-12))
        npmi = np.where(together > 0, np.log(joint / np.outer(alone, alone)) / surprise, -1.0)
    strength = row[candidates] / row[candidates[0]]
    picked = [0]
    while len(picked) < min(n_words, len(candidates)):
        rest = [j for j in range(len(candidates)) if j not in picked]
        fit = [strength[j] * ((1 + npmi[j, picked].mean()) / 2) ** 2 for j in rest]
        picked.append(rest[int(np.argmax(fit))])
    return [candidates[j] for j in picked]


class SpecificTerms(BaseRepresentation):  # type: ignore[misc]
    """A BERTopic representation model over :func:`describe_topics`.

    BERTopic calls it after class-based TF-IDF; it returns each topic's words
    (specific and coherent) followed by its most specific phrases.
    """

    def __init__(self, n_words: int = 10) -> None:
        self.n_words = n_words

    def extract_topics(self, topic_model: Any, documents: pd.DataFrame, c_tf_idf: Any,
                       topics: Mapping[int, list[tuple[str, float]]]
                       ) -> dict[int, list[tuple[str, float]]]:
        vectorizer = topic_model.vectorizer_model
        labels = documents["Topic"].to_numpy(dtype=np.int64)
        offset = 1 if labels.min() < 0 else 0  # an outlier topic -1 becomes row 0
        described = describe_topics(vectorizer.transform(documents["Document"]),
                                    vectorizer.get_feature_names_out(), labels + offset,
                                    int(labels.max()) + 1 + offset, n_words=self.n_words,
                                    n_phrases=self.n_words)
        return {topic: described[topic + offset] for topic in sorted(set(labels.tolist()))}
