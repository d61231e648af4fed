"""Corpus keyphrases: the top phrases of a whole set of answers, with counts.

Each answer's keyphrases come from a method (the default one unless told); a phrase
then scores the sum, over answers, of its score divided by the best score in that
answer, so every answer votes with a weight of at most one per phrase and long
answers do not dominate. Sub-phrases of a phrase ranked higher are skipped. ``count``
is the number of answers that use the phrase at all, ``answers`` the number in which
it is among the answer's own keyphrases.

Example:
    >>> from openends.keywords.statistical import StatisticalKeyphrases
    >>> texts = ["Encryption.", "Encryption of phones", "More staff", "staff", "encryption"]
    >>> table = corpus_keyphrases(texts, StatisticalKeyphrases(), top=2)
    >>> table[["rank", "keyphrase", "count"]].values.tolist()
    [[1, 'encryption', 3], [2, 'staff', 2]]
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

import pandas as pd

from openends.keywords.base import KeyphraseMethod
from openends.keywords.candidates import Key, PhraseFinder, select_distinct, shown_form

CORPUS_COLUMNS = ["rank", "keyphrase", "score", "count", "answers"]


def corpus_keyphrases(texts: Sequence[str], method: KeyphraseMethod, *, top: int = 20,
                      per_answer: int = 10) -> pd.DataFrame:
    """The ``top`` phrases of ``texts`` by ``method`` (fitted here on ``texts``)."""
    results = method.fit(texts).extract(texts, top=per_answer)
    votes: dict[Key, float] = defaultdict(float)
    chosen_in: Counter[Key] = Counter()
    forms: dict[Key, Counter[str]] = defaultdict(Counter)
    for phrases in results:
        best = max((found.score for found in phrases), default=0.0)
        for found in phrases:
            votes[found.key] += found.score / best if best > 0 else 1.0
            chosen_in[found.key] += 1
            forms[found.key][found.phrase] += 1
    ranked = sorted(votes, key=lambda key: (-votes[key], -chosen_in[key], key))
    keys = select_distinct(ranked, top)
    using = _answers_using(texts, set(keys))
    rows = [(rank, shown_form(forms[key]), round(votes[key], 6),
             max(using[key], chosen_in[key]), chosen_in[key])
            for rank, key in enumerate(keys, start=1)]
    return pd.DataFrame(rows, columns=CORPUS_COLUMNS).astype({"keyphrase": "str"})


def _answers_using(texts: Sequence[str], keys: set[Key]) -> Counter[Key]:
    """How many texts have each key among their candidate phrases."""
    longest = max((len(key) for key in keys), default=1)
    finder = PhraseFinder(max_words=longest)
    using: Counter[Key] = Counter()
    for text in texts:
        using.update(keys.intersection(finder(text).phrases))
    return using
