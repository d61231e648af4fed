"""What every coder shares: the codes table, the answers it codes, and the contract.

A coder is an estimator: options in ``__init__``; ``fit(responses)`` prepares what it
needs (compiles patterns, embeds the codebook, ...) and returns itself;
``code(responses)`` returns the long codes table of SPEC section 3, one row per
answer and theme coded: ``response_id``, ``theme``, ``score`` (0-1, how sure),
``source`` (``rule``, ``semantic``, ``model``) and ``evidence`` (the matched words,
the closest sentence or example). Only answers with status ``ok`` are coded; the
text coded is ``redacted_text`` (else ``clean_text``, else ``text``), so evidence
never carries personal data.

Example:
    >>> table = pd.DataFrame({"response_id": ["a", "b", "c"], "status": ["ok", "empty", "ok"],
    ...                       "redacted_text": ["Encrypted phones", "", "More staff"]})
    >>> answers = CodingInput.of(table)
    >>> answers.ids, answers.texts, answers.positions.tolist()
    (['a', 'c'], ['Encrypted phones', 'More staff'], [0, 2])
    >>> codes_frame([("a", "encryption", 0.9, "rule", "Encrypted")])
      response_id       theme  score source   evidence
    0           a  encryption    0.9   rule  Encrypted
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from openends.errors import UnknownColumnError

CODE_COLUMNS = ["response_id", "theme", "score", "source", "evidence"]
TEXT_COLUMNS = ("redacted_text", "clean_text", "text")


@dataclass(frozen=True)
class CodingInput:
    """The answers a coder codes: their ids, texts, questions and row positions."""

    ids: list[str]
    texts: list[str]
    questions: list[str | None]
    positions: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def of(cls, responses: pd.DataFrame) -> CodingInput:
        """The ``ok`` answers of a responses table (all non-empty ones without ``status``)."""
        if "response_id" not in responses.columns:
            raise UnknownColumnError("response_id", list(responses.columns))
        column = next((name for name in TEXT_COLUMNS if name in responses.columns), None)
        if column is None:
            raise UnknownColumnError("text", list(responses.columns))
        texts = responses[column].fillna("").astype(str)
        if "status" in responses.columns:
            wanted = (responses["status"] == "ok").to_numpy()
        else:
            wanted = (texts.str.strip() != "").to_numpy()
        positions = np.flatnonzero(wanted)
        questions: list[str | None] = (
            [None if pd.isna(value) else str(value)
             for value in responses["question"].iloc[positions]]
            if "question" in responses.columns else [None] * len(positions))
        return cls(responses["response_id"].iloc[positions].astype(str).tolist(),
                   texts.iloc[positions].tolist(), questions, positions)


def codes_frame(rows: Iterable[tuple[str, str, float, str, str]]) -> pd.DataFrame:
    """A long codes table from ``(response_id, theme, score, source, evidence)`` rows."""
    table = pd.DataFrame(list(rows), columns=CODE_COLUMNS)
    table["score"] = table["score"].astype("float64").round(4)
    return table.astype({"response_id": "str", "theme": "str", "source": "str",
                         "evidence": "str"})


@runtime_checkable
class Coder(Protocol):
    """The contract of a coder (see the module docstring)."""

    name: str

    def fit(self, responses: pd.DataFrame) -> Coder: ...

    def code(self, responses: pd.DataFrame) -> pd.DataFrame: ...
