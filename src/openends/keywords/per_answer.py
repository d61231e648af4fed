"""Each answer's own keyphrases, as ``[keywords] per_answer`` asks of a survey project.

They are found in the redacted text of the answers cleaning left usable (status
``ok``), by a keyphrase method fitted on all of them, and come as one row per phrase:
``response_id``, ``rank``, ``keyphrase``, ``score`` (``keyphrases.csv``; an answer
without a phrase has no row). Only the ``statistical`` method learns from the answers
(in how many each word occurs); it can count them in parts and add the counts up
(:func:`count_part`, then :func:`~openends.keywords.statistical.merge_frequencies`), so
answers split into partitions get the keyphrases they would get together.

Example:
    >>> table = pd.DataFrame({"response_id": ["a", "b", "c"], "status": ["ok", "ok", "empty"],
    ...     "redacted_text": ["Offenders use encrypted apps.", "More staff.", ""]})
    >>> answer_keyphrases(table, "statistical", top=2)[["response_id", "keyphrase"]]
      response_id                     keyphrase
    0           a  Offenders use encrypted apps
    1           b                         staff
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from openends.keywords.base import keyphrase_table
from openends.keywords.registry import get_method
from openends.keywords.statistical import DocumentFrequencies, StatisticalKeyphrases


def usable_answers(table: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The ids and redacted texts of the answers with status ``ok``, in order."""
    chosen = table[table["status"].astype(str) == "ok"]
    return (chosen["response_id"].astype(str).tolist(),
            chosen["redacted_text"].fillna("").astype(str).tolist())


def count_part(table: pd.DataFrame, method: str) -> DocumentFrequencies | None:
    """What ``method`` learns from this part of the answers, to be added up with the
    other parts' (None: the method learns nothing from answers)."""
    found = get_method(method)
    if not isinstance(found, StatisticalKeyphrases):
        return None
    return found.count(usable_answers(table)[1])


def answer_keyphrases(table: pd.DataFrame, method: str, *, top: int,
                      counts: DocumentFrequencies | None = None, embedder: str = "static",
                      cache: Any = None) -> pd.DataFrame:
    """The ``top`` keyphrases of each usable answer of ``table``, by ``method`` fitted on
    ``counts`` (all answers' counts, when ``table`` is a part of them) or on ``table``."""
    ids, texts = usable_answers(table)
    found = get_method(method, embedder=embedder, cache=cache)
    if counts is not None and isinstance(found, StatisticalKeyphrases):
        found.fit_counts(counts)
    else:
        found.fit(texts)
    return keyphrase_table(ids, found.extract(texts, top=top))
