"""Topic quality measures: NPMI coherence as gensim counts it, diversity, stability."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter

import numpy as np
import pytest

from openends.topics.evaluate import (
    EPSILON,
    TopicCoherence,
    _window_counts,
    npmi_coherence,
    stability,
    topic_diversity,
)


def never_together(p_a: float, p_b: float) -> float:
    """gensim's NPMI of a pair that shares no window: log(eps / (p_a p_b)) / -log(eps)."""
    return math.log(EPSILON / (p_a * p_b)) / -math.log(EPSILON)


# --- npmi_coherence: values worked out by hand -------------------------------------------------

def test_npmi_by_hand_on_a_tiny_corpus() -> None:
    # Every document is shorter than the window, so each is one window: N = 4.
    # cat in 3 windows, dog in 2, fish in 2; cat+dog 2, cat+fish 1, dog+fish 1.
    #   cat,dog : log((2/4) / (3/4 * 2/4)) / -log(2/4) = log(4/3) / log(2) =  0.41504
    #   cat,fish: log((1/4) / (3/4 * 2/4)) / -log(1/4) = log(2/3) / log(4) = -0.29248
    #   dog,fish: log((1/4) / (2/4 * 2/4)) / -log(1/4) = log(1)   / log(4) =  0
    # The topic is the mean over its pairs (each ordered pair counted twice leaves it unchanged).
    documents = [["cat", "dog"], ["cat", "dog", "fish"], ["cat"], ["fish", "bird"]]
    expected = (math.log(4 / 3) / math.log(2) + math.log(2 / 3) / math.log(4) + 0.0) / 3

    result = npmi_coherence([["cat", "dog", "fish"]], documents)

    assert result.per_topic == pytest.approx((expected,), abs=1e-9)
    assert result.mean == pytest.approx(0.040852, abs=1e-6)


def test_words_always_together_score_one() -> None:
    documents = [["wait", "time", "long"], ["wait", "time"], ["staff"], ["staff", "long"]]
    result = npmi_coherence([["wait", "time"]], documents)
    assert result.mean == pytest.approx(1.0, abs=1e-9)


def test_words_never_together_score_gensims_zero_cooccurrence_value() -> None:
    # N = 4 windows; each word in 2: log(eps / (1/2 * 1/2)) / -log(eps) = -0.949828, not -1.
    documents = [["staff", "x"], ["staff"], ["queue"], ["queue", "y"]]
    result = npmi_coherence([["staff", "queue"]], documents)
    assert result.mean == pytest.approx(never_together(0.5, 0.5), abs=1e-12)
    assert result.mean == pytest.approx(-0.949828, abs=1e-6)


def test_long_documents_slide_short_and_empty_documents_are_one_window() -> None:
    # 12 tokens with a window of 10: windows start at 0, 1 and 2; "a" is only in the first
    # and "b" only in the last. The empty document is one more window: N = 3 + 1 = 4.
    long = ["a", *["x"] * 10, "b"]
    result = npmi_coherence([["a", "b"]], [long, []], window=10)
    assert result.mean == pytest.approx(never_together(1 / 4, 1 / 4), abs=1e-12)

    # With a window as long as the document there is one window holding both: N = 2.
    together = npmi_coherence([["a", "b"]], [long, []], window=12)
    assert together.mean == pytest.approx(1.0, abs=1e-9)


def test_window_counts_follow_gensims_bookkeeping_for_repeated_words() -> None:
    # Windows of 3 over "a b a c d": [a b a], [b a c], [a c d]. gensim marks "a" absent
    # when its first occurrence leaves the window, although a second "a" is still inside,
    # and only marks it present again when an "a" enters at the right edge. So "a" counts
    # in window 0 only and never meets "c". The empty and the one-token documents are a
    # window each: 5 windows.
    occurrences, co_occurrences, n_windows = _window_counts(
        [("a",), ("b",), ("c",), ("d",)], [["a", "b", "a", "c", "d"], [], ["a"]], 3)
    assert n_windows == 5
    assert occurrences.tolist() == [2, 2, 2, 1]
    assert co_occurrences[0, 2] == co_occurrences[2, 0] == 0
    assert co_occurrences[1, 2] == 1

    result = npmi_coherence([["a", "c"]], [["a", "b", "a", "c", "d"], [], ["a"]], window=3)
    assert result.mean == pytest.approx(never_together(2 / 5, 2 / 5), abs=1e-12)


def simulated_counts(terms: list[tuple[str, ...]], documents: list[list[str]],
                     window: int) -> tuple[Counter[int], Counter[tuple[int, int]], int]:
    """gensim's window-by-window bookkeeping, one window at a time (slow, for checking).

    In a document's first window every term found in it is present; moving one token on,
    a term whose occurrence starts at the token that leaves is switched off, then a term
    whose occurrence ends at the token that enters is switched on.
    """
    counts: Counter[int] = Counter()
    pairs: Counter[tuple[int, int]] = Counter()
    n_windows = 0
    for doc in documents:
        found = [(index, start, start + len(term) - 1)
                 for index, term in enumerate(terms)
                 for start in range(len(doc) - len(term) + 1)
                 if tuple(doc[start:start + len(term)]) == term]
        if len(doc) <= window:
            states = [{index for index, _, _ in found}]
        else:
            states, present = [], set()
            for k in range(len(doc) - window + 1):
                if k == 0:
                    present = {index for index, _, end in found if end < window}
                else:
                    present -= {index for index, start, _ in found if start == k - 1}
                    present |= {index for index, _, end in found if end == k + window - 1}
                states.append(set(present))
        for present in states:
            n_windows += 1
            counts.update(present)
            pairs.update(itertools.permutations(sorted(present), 2))
    return counts, pairs, n_windows


@pytest.mark.parametrize("seed", range(8))
def test_window_counts_match_a_window_by_window_simulation(seed: int) -> None:
    rng = random.Random(seed)
    vocabulary = ["a", "b", "c", "d", "e"]
    documents = [[rng.choice(vocabulary) for _ in range(rng.choice([0, 1, 3, 4, 5, 9, 30]))]
                 for _ in range(12)]
    terms = [("a",), ("b",), ("c",), ("a", "b"), ("b", "b"), ("c", "a", "d"), ("zzz",)]
    window = rng.choice([1, 2, 3, 4, 6])

    occurrences, co_occurrences, n_windows = _window_counts(terms, documents, window)
    counts, pairs, expected_windows = simulated_counts(terms, documents, window)

    assert n_windows == expected_windows
    assert occurrences.tolist() == [counts[index] for index in range(len(terms))]
    for first, second in itertools.permutations(range(len(terms)), 2):
        assert co_occurrences[first, second] == pairs[first, second]


# Figures from gensim 4.4.0: CoherenceModel(topics=GENSIM_TOPICS, texts=GENSIM_DOCUMENTS,
# dictionary=Dictionary(GENSIM_DOCUMENTS), coherence="c_npmi", topn=4, window_size=window,
# processes=1), get_coherence_per_topic() and aggregate_measures(); gensim is not needed here.
GENSIM_DOCUMENTS = [line.split() for line in (
    "staff rude staff wait long queue staff rude",
    "wait long wait long time",
    "friendly staff helpful",
    "",
    "queue queue queue time wait staff friendly helpful rude long",
    "helpful friendly",
    "time wait",
    "rude staff long wait queue",
)]
GENSIM_TOPICS = [["staff", "rude", "friendly", "helpful"], ["wait", "long", "queue", "time"],
                 ["staff", "queue", "time", "helpful"]]
GENSIM_C_NPMI = {
    4: (-0.021599945481515653,
        (0.24879620941454958, 0.007260926280962439, -0.320856972140059)),
    10: (0.2806541488759136,
         (0.33474153626994946, 0.41567069359274855, 0.09155021676504281)),
}


@pytest.mark.parametrize("window", sorted(GENSIM_C_NPMI))
def test_matches_gensim_c_npmi(window: int) -> None:
    mean, per_topic = GENSIM_C_NPMI[window]
    result = npmi_coherence(GENSIM_TOPICS, GENSIM_DOCUMENTS, top_n=4, window=window)
    assert result.mean == pytest.approx(mean, abs=1e-12)
    assert result.per_topic == pytest.approx(per_topic, abs=1e-12)


def test_only_the_first_top_n_words_count() -> None:
    longer = [[*topic, "zzz", "queue"] for topic in GENSIM_TOPICS]
    assert (npmi_coherence(longer, GENSIM_DOCUMENTS, top_n=4, window=4)
            == npmi_coherence(GENSIM_TOPICS, GENSIM_DOCUMENTS, top_n=4, window=4))


def test_words_missing_from_the_documents_are_left_out_of_their_topic() -> None:
    documents = [["cat", "dog"], ["cat", "dog", "fish"], ["cat"], ["fish", "bird"]]
    with_missing = npmi_coherence([["cat", "unicorn", "dog", "fish", ""]], documents)
    assert with_missing == npmi_coherence([["cat", "dog", "fish"]], documents)


def test_topics_with_fewer_than_two_found_words_score_nan_and_are_left_out_of_the_mean() -> None:
    documents = [["wait", "time", "long"], ["wait", "time"], ["staff"], ["staff", "long"]]
    result = npmi_coherence([["wait", "time"], ["staff", "unicorn"], []], documents)
    assert result.per_topic[0] == pytest.approx(1.0, abs=1e-9)
    assert math.isnan(result.per_topic[1]) and math.isnan(result.per_topic[2])
    assert result.mean == result.per_topic[0]

    nothing = npmi_coherence([["unicorn", "dragon"]], documents)
    assert math.isnan(nothing.mean) and isinstance(nothing, TopicCoherence)


def test_phrases_occur_where_their_tokens_follow_each_other_in_one_document() -> None:
    # "wait time" occurs in documents 0 and 1 only: not in "time to wait", and not across the
    # end of document 3 and the start of document 4. N = 5 windows.
    #   "wait time" 2, "long" 2, together 1: log((1/5) / (2/5 * 2/5)) / -log(1/5) = 0.13865
    documents = [["long", "wait", "time"], ["wait", "time", "again"], ["time", "to", "wait"],
                 ["long", "wait"], ["time", "staff"]]
    result = npmi_coherence([["wait time", "long"]], documents)
    assert result.mean == pytest.approx(math.log(1.25) / math.log(5), abs=1e-9)


def test_phrases_enter_a_window_with_their_last_token_and_leave_with_their_first() -> None:
    # Windows of 3 over "long wait time x y": [long wait time], [wait time x], [time x y].
    # "wait time" is in windows 0 and 1, "long" in window 0, "y" in window 2: N = 3.
    documents = [["long", "wait", "time", "x", "y"]]
    result = npmi_coherence([["wait time", "long"], ["wait time", "y"]], documents, window=3)
    expected_long = math.log((1 / 3) / (2 / 3 * 1 / 3)) / -math.log(1 / 3)
    assert result.per_topic[0] == pytest.approx(expected_long, abs=1e-9)
    assert result.per_topic[1] == pytest.approx(never_together(2 / 3, 1 / 3), abs=1e-12)

    # A phrase longer than the window never fits in one.
    assert math.isnan(npmi_coherence([["wait time x", "long"]], documents, window=2).mean)


@pytest.mark.parametrize(("topics", "documents", "options", "message"), [
    ([], [["a"]], {}, "no topics"),
    ([["a", "b"]], [], {}, "no documents"),
    ([["a", "b"]], [["a"]], {"top_n": 1}, "top_n must be at least 2"),
    ([["a", "b"]], [["a"]], {"window": 0}, "window must be at least 1"),
])
def test_npmi_rejects_degenerate_input(topics: list[list[str]], documents: list[list[str]],
                                       options: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        npmi_coherence(topics, documents, **options)


def test_npmi_rejects_strings_where_word_lists_belong() -> None:
    with pytest.raises(TypeError, match=r"document 1 is a string .*text\.split\(\)"):
        npmi_coherence([["a", "b"]], [["a", "b"], "a b"])
    with pytest.raises(TypeError, match="topic 0 is a string"):
        npmi_coherence(["a b"], [["a", "b"]])


# --- topic_diversity ----------------------------------------------------------------------------

def test_diversity_counts_distinct_top_words() -> None:
    assert topic_diversity([["a", "b", "c"], ["d", "e", "f"]], top_n=3) == 1.0
    # 4 distinct words among 2 x 3.
    assert topic_diversity([["a", "b", "c"], ["a", "b", "d"]], top_n=3) == pytest.approx(4 / 6)
    # All topics the same: 1 / number of topics.
    assert topic_diversity([["a", "b"]] * 4, top_n=2) == 0.25
    # Only the first top_n words of each topic count.
    assert topic_diversity([["a", "b", "x"], ["a", "c", "y"]], top_n=2) == 0.75


def test_diversity_rejects_degenerate_input() -> None:
    with pytest.raises(ValueError, match="no topics"):
        topic_diversity([])
    with pytest.raises(ValueError, match="top_n must be at least 1"):
        topic_diversity([["a"]], top_n=0)
    # a short topic counts the words it has
    assert topic_diversity([["a", "b", "c"], ["a", "e"]], top_n=3) == pytest.approx(4 / 5)
    with pytest.raises(ValueError, match="no words"):
        topic_diversity([[], []], top_n=3)
    with pytest.raises(TypeError, match="topic 0 is a string"):
        topic_diversity(["abc"], top_n=2)


# --- stability -----------------------------------------------------------------------------------

def test_stability_ignores_topic_numbers() -> None:
    first = [0, 0, 1, 1, 2, 2, -1, -1]
    relabelled = [7, 7, 3, 3, -1, -1, 5, 5]
    assert stability(first, relabelled) == 1.0
    assert stability(np.array(first), np.array(relabelled)) == 1.0


def test_stability_is_below_one_for_different_groupings() -> None:
    first = [0, 0, 1, 1, 2, 2, -1, -1]
    assert stability(first, [0, 1, 1, 1, 2, 2, -1, -1]) < 1.0
    # Outliers are a group of their own: moving answers into it changes the score.
    assert stability(first, [0, 0, 1, 1, -1, -1, -1, -1]) < 1.0
    assert stability([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)


def test_stability_rejects_mismatched_or_empty_labels() -> None:
    with pytest.raises(ValueError, match="different numbers of answers"):
        stability([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="no labels"):
        stability([], [])
    with pytest.raises(ValueError, match="one-dimensional"):
        stability(np.zeros((2, 2), dtype=int), np.zeros((2, 2), dtype=int))
