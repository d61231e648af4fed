"""Topic quality: NPMI coherence exactly as gensim computes it, diversity and stability.

:func:`npmi_coherence` gives the figures of gensim's ``CoherenceModel(coherence="c_npmi")``,
the measure OCTIS and the BERTopic paper report, so a score can be set beside a
published one. :func:`topic_diversity` is the share of distinct words among the top
words of all topics (Dieng et al., as in OCTIS), and :func:`stability` compares two
runs' topic assignments with the adjusted Rand index.

Example:
    >>> documents = [["wait", "time", "long"], ["wait", "time", "staff"], ["staff", "friendly"]]
    >>> coherence = npmi_coherence([["wait", "time"], ["staff", "friendly"]], documents)
    >>> [round(score, 3) for score in coherence.per_topic], round(coherence.mean, 3)
    ([1.0, 0.369], 0.685)
    >>> topic_diversity([["wait", "time"], ["staff", "time"]], top_n=2)
    0.75
    >>> stability([0, 0, 1, -1], [5, 5, 2, -1])
    1.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

EPSILON = 1e-12
"""gensim's smoothing constant: a pair that never co-occurs keeps a finite score."""

_Term = tuple[str, ...]
_IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TopicCoherence:
    """NPMI coherence of a set of topics: the mean over topics and each topic's score.

    A topic with fewer than two words found in the documents scores nan and is left
    out of ``mean`` (which is nan only when no topic has a score).
    """

    mean: float
    per_topic: tuple[float, ...]


def npmi_coherence(topics: Sequence[Sequence[str]], documents: Sequence[Sequence[str]], *,
                   top_n: int = 10, window: int = 10) -> TopicCoherence:
    """Mean NPMI of each topic's word pairs over sliding windows of the documents.

    The figures are those of gensim 4.4's ``CoherenceModel(topics=topics,
    texts=documents, coherence="c_npmi", topn=top_n, window_size=window)``:

    - Each document of ``n`` tokens gives ``n - window + 1`` windows, or one window
      when it is not longer than ``window`` (an empty document too); the number of
      windows in all documents is the denominator of every probability.
    - A word counts once per window it is in, with gensim's sliding bookkeeping: when
      the window moves on, the word that leaves at its left edge is marked absent even
      if it occurs again further on in the window, until a new occurrence enters at
      the right edge. This undercounts words repeated within ``window`` tokens; it is
      kept because the figures published with gensim (OCTIS, BERTopic) include it.
    - Every ordered pair of distinct positions among a topic's first ``top_n`` words
      scores ``log((p(a, b) + eps) / (p(a) p(b))) / -log(p(a, b) + eps)`` with
      ``eps = 1e-12``, so a pair that never co-occurs scores
      ``-1 - log(p(a) p(b)) / log(eps)``, a little above -1. A topic's score is the
      mean over its pairs; ``mean`` is the mean over topics.

    Words that occur in none of the documents are left out of their topic before
    pairing, as gensim drops words missing from its dictionary (when topics come from
    the same documents, as they do here, none are missing). A topic word of several
    space-separated tokens ("wait time") is a phrase: it occurs where its tokens
    follow each other in a document, and is counted in windows by the same rule as a
    single word, entering a window with its last token and leaving with its first.

    Matching is exact: pass topics and documents through the same tokenising and
    lower-casing. Unlike gensim, a topic longer than ``top_n`` is always cut to
    ``top_n`` words (gensim cuts every topic only when the first one is longer).

    Raises:
        ValueError: no topics, no documents, ``top_n`` below 2 or ``window`` below 1.
        TypeError: a topic or document is a string rather than a sequence of words.

    Example:
        >>> documents = [["long", "wait", "time"], ["wait", "time", "again"],
        ...              ["time", "to", "wait"], ["long", "queue"]]
        >>> coherence = npmi_coherence([["wait time", "long"], ["wait", "time"]], documents)
        >>> [round(score, 3) for score in coherence.per_topic]
        [0.0, 1.0]
    """
    if not topics:
        raise ValueError("no topics to score; pass at least one topic (a list of words)")
    if not documents:
        raise ValueError("no documents to count words in; pass the tokenised documents")
    if top_n < 2:
        raise ValueError(f"top_n must be at least 2 to form word pairs, got {top_n}")
    if window < 1:
        raise ValueError(f"window must be at least 1 token, got {window}")
    _check_word_lists(topics, "topic", "a list of words")
    _check_word_lists(documents, "document", "a list of tokens (e.g. text.split())")

    topic_terms = [[tuple(word.split()) for word in topic[:top_n]] for topic in topics]
    term_index: dict[_Term, int] = {}
    for terms in topic_terms:
        for term in terms:
            term_index.setdefault(term, len(term_index))
    occurrences, co_occurrences, n_windows = _window_counts(list(term_index), documents, window)

    per_topic = tuple(
        _topic_npmi([term_index[term] for term in terms], occurrences, co_occurrences, n_windows)
        for terms in topic_terms
    )
    scored = [score for score in per_topic if not math.isnan(score)]
    return TopicCoherence(mean=float(np.mean(scored)) if scored else math.nan,
                          per_topic=per_topic)


def topic_diversity(topics: Sequence[Sequence[str]], *, top_n: int = 10) -> float:
    """Distinct words among every topic's first ``top_n`` / (``top_n`` x number of topics).

    1.0 when no two topics share a top word; near ``1 / len(topics)`` when all
    topics repeat the same words (Dieng et al. 2020; OCTIS's ``TopicDiversity``).

    A topic with fewer than ``top_n`` words (a small topic of short answers) counts
    the words it has: the denominator is the number of top words actually listed,
    so missing words are neither repeats nor new words. With full topics this is
    exactly OCTIS's figure.

    Raises:
        ValueError: no topics, or ``top_n`` below 1.

    Example:
        >>> topic_diversity([["staff", "rude"], ["staff", "friendly"]], top_n=2)
        0.75
        >>> topic_diversity([["staff", "rude"], ["staff"]], top_n=2)
        0.6666666666666666
    """
    if not topics:
        raise ValueError("no topics to score; pass at least one topic (a list of words)")
    if top_n < 1:
        raise ValueError(f"top_n must be at least 1, got {top_n}")
    _check_word_lists(topics, "topic", "a list of words")
    listed = [word for topic in topics for word in topic[:top_n]]
    if not listed:
        raise ValueError("the topics have no words to score")
    return len(set(listed)) / len(listed)


def stability(labels_a: Sequence[int] | np.ndarray, labels_b: Sequence[int] | np.ndarray,
              ) -> float:
    """Adjusted Rand index between two topic assignments of the same answers.

    1.0 when the two runs group the answers identically, whatever the topic numbers;
    near 0 for unrelated groupings. Outliers (-1) are compared as one more group.

    Raises:
        ValueError: the assignments are empty or of different lengths.

    Example:
        >>> stability([0, 0, 1, 1], [1, 1, 0, 0])
        1.0
        >>> round(stability([0, 0, 1, 1], [0, 1, 0, 1]), 3)
        -0.5
    """
    from sklearn.metrics import adjusted_rand_score

    first, second = np.asarray(labels_a), np.asarray(labels_b)
    if first.ndim != 1 or second.ndim != 1:
        raise ValueError("labels must be one-dimensional: one topic number per answer")
    if len(first) != len(second):
        raise ValueError(f"labels cover different numbers of answers ({len(first)} and "
                         f"{len(second)}); compare two runs over the same answers")
    if len(first) == 0:
        raise ValueError("no labels to compare; pass one topic number per answer")
    return float(adjusted_rand_score(first, second))


def _check_word_lists(items: Sequence[Sequence[str]], what: str, expected: str) -> None:
    for number, item in enumerate(items):
        if isinstance(item, str):
            raise TypeError(f"{what} {number} is a string ({item[:40]!r}); each {what} "
                            f"must be {expected}")


def _topic_npmi(terms: list[int], occurrences: _IntArray, co_occurrences: _IntArray,
                n_windows: int) -> float:
    """Mean NPMI over ordered pairs of distinct positions, gensim's formula term by term."""
    found = np.array([term for term in terms if occurrences[term] > 0], dtype=np.int64)
    if len(found) < 2:
        return math.nan
    probability = occurrences[found] / n_windows
    joint = co_occurrences[np.ix_(found, found)] / n_windows
    pmi = np.log((joint + EPSILON) / np.outer(probability, probability))
    npmi = pmi / -np.log(joint + EPSILON)
    return float(npmi[~np.eye(len(found), dtype=bool)].mean())


def _window_counts(terms: list[_Term], documents: Sequence[Sequence[str]],
                   window: int) -> tuple[_IntArray, _IntArray, int]:
    """Windows holding each term, windows holding each pair of terms, and all windows.

    Only the tokens of the terms are looked at: the documents become one array of
    token codes (-1 for any other token), each term's occurrences become runs of
    windows, and the co-occurrences are ``X.T @ X`` of the windows x terms matrix.
    """
    from scipy import sparse

    token_code: dict[str, int] = {}
    for term in terms:
        for token in term:
            token_code.setdefault(token, len(token_code))
    lengths = np.fromiter((len(document) for document in documents), dtype=np.int64,
                          count=len(documents))
    codes = np.fromiter((token_code.get(token, -1) for document in documents for token in document),
                        dtype=np.int64, count=int(lengths.sum()))
    doc_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    windows_per_doc = np.maximum(lengths - window + 1, 1)
    window_offsets = np.concatenate(([0], np.cumsum(windows_per_doc)[:-1]))
    n_windows = int(windows_per_doc.sum())

    relevant = np.flatnonzero(codes >= 0)
    by_code = relevant[np.argsort(codes[relevant], kind="stable")]
    bounds = np.searchsorted(codes[by_code], np.arange(len(token_code) + 1))
    positions = [by_code[bounds[code]:bounds[code + 1]] for code in range(len(token_code))]

    rows = [np.zeros(0, dtype=np.int64)]
    columns = [np.zeros(0, dtype=np.int64)]
    for column, term in enumerate(terms):
        if not term or len(term) > window:
            continue
        starts = _phrase_starts([token_code[token] for token in term], positions, codes,
                                doc_starts, lengths)
        first, last = _windows_present(starts, len(term), doc_starts, lengths,
                                       window_offsets, window)
        rows.append(_every_integer(first, last))
        columns.append(np.full(len(rows[-1]), column, dtype=np.int64))

    all_rows = np.concatenate(rows)
    windows_by_terms = sparse.csr_matrix(
        (np.ones(len(all_rows), dtype=np.int64), (all_rows, np.concatenate(columns))),
        shape=(n_windows, len(terms)))
    windows_by_terms.data[:] = 1  # a term's overlapping runs were summed; present is present
    co_occurrences = np.asarray((windows_by_terms.T @ windows_by_terms).toarray(), dtype=np.int64)
    return co_occurrences.diagonal().copy(), co_occurrences, n_windows


def _phrase_starts(term_codes: list[int], positions: list[_IntArray], codes: _IntArray,
                   doc_starts: _IntArray, lengths: _IntArray) -> _IntArray:
    """Corpus positions where the term's tokens follow each other within one document."""
    starts = positions[term_codes[0]]
    if len(term_codes) == 1:
        return starts
    ends = starts + len(term_codes) - 1
    doc = np.searchsorted(doc_starts, starts, side="right") - 1
    keep = ends < doc_starts[doc] + lengths[doc]
    for offset, code in enumerate(term_codes[1:], start=1):
        keep[keep] &= codes[starts[keep] + offset] == code
    return starts[keep]


def _windows_present(starts: _IntArray, length: int, doc_starts: _IntArray, lengths: _IntArray,
                     window_offsets: _IntArray, window: int) -> tuple[_IntArray, _IntArray]:
    """First and last window (numbered across all documents) counting each occurrence.

    This is gensim's bookkeeping for one word: an occurrence switches the word on in
    the document's first window or where its last token enters at the right edge;
    the word is switched off when the first token of any of its occurrences leaves at
    the left edge. So an occurrence counts until the first token of the earliest
    occurrence in the window it entered (its own, if no earlier one is there) leaves.
    """
    doc = np.searchsorted(doc_starts, starts, side="right") - 1
    start_in_doc = starts - doc_starts[doc]
    n_tokens = lengths[doc]
    one_window = n_tokens <= window
    entered = np.where(one_window, 0, np.maximum(start_in_doc + length - window, 0))
    earliest = starts[np.searchsorted(starts, doc_starts[doc] + entered)] - doc_starts[doc]
    left = np.where(one_window, 0, np.minimum(earliest, n_tokens - window))
    return window_offsets[doc] + entered, window_offsets[doc] + left


def _every_integer(first: _IntArray, last: _IntArray) -> _IntArray:
    """All integers from ``first[i]`` to ``last[i]``, run after run.

    Example:
        >>> _every_integer(np.array([0, 5]), np.array([2, 6])).tolist()
        [0, 1, 2, 5, 6]
    """
    run_lengths = last - first + 1
    run_offsets = np.repeat(first - np.cumsum(run_lengths) + run_lengths, run_lengths)
    return run_offsets + np.arange(int(run_lengths.sum()))
