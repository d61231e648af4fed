"""What every keyphrase method shares: the result type, the contract and the table.

A method is an estimator: options in ``__init__``, ``fit(texts)`` learns what it
needs from a set of answers (word frequencies, nothing, ...), and
``extract(texts, top)`` gives each text its best phrases, highest score first,
with duplicates and sub-phrases collapsed. Scores are comparable within one
method and one text only.

Example:
    >>> keyphrase_table(["r1", "r2"], [[Keyphrase("encryption", 2.5, ("encryption",))], []])
      response_id  rank   keyphrase  score
    0          r1     1  encryption    2.5
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol, runtime_checkable

import pandas as pd

from openends.keywords.candidates import Key

KEYWORD_COLUMNS = ["response_id", "rank", "keyphrase", "score"]


class Keyphrase(NamedTuple):
    """A phrase as written in the text, its score (higher is better) and its lemma key."""

    phrase: str
    score: float
    key: Key


@runtime_checkable
class KeyphraseMethod(Protocol):
    """The contract of a keyphrase method (see the module docstring)."""

    name: str

    def fit(self, texts: Sequence[str]) -> KeyphraseMethod: ...

    def extract(self, texts: Sequence[str], top: int = 10) -> list[list[Keyphrase]]: ...


def keyphrase_table(ids: Sequence[str], results: Sequence[Sequence[Keyphrase]]) -> pd.DataFrame:
    """One row per phrase: ``response_id``, ``rank`` (1 = best), ``keyphrase``, ``score``."""
    rows = [(response_id, rank, found.phrase, round(float(found.score), 6))
            for response_id, phrases in zip(ids, results, strict=True)
            for rank, found in enumerate(phrases, start=1)]
    table = pd.DataFrame(rows, columns=KEYWORD_COLUMNS)
    return table.astype({"response_id": "str", "rank": "int64", "keyphrase": "str",
                         "score": "float64"})
