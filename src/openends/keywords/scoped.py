"""The report's keyness, counted in parts: :func:`~openends.report.build.scoped_keyness`
for a table too large for one process.

A *scope* is the substantive answers (status ``ok``) to one question ("" for every
answer) in one group of the ``within`` columns; keyness compares the values of
``compared`` within it. Each consecutive part of the cleaned responses table (a
partition on a worker) is counted on its own by :func:`scoped_term_counts`, keeping
counts per scope, term and value, never per answer; :func:`merge_scoped_counts` adds
the parts' counts in table order and :func:`scoped_keyness_from_counts` scores them
once. The result is the table and the skipped scopes that ``scoped_keyness`` gives for
the whole table, which is these steps over a single part.

Example (with the sample project's cleaned responses in 8 parts)::

    parts = [scoped_term_counts(cleaned.iloc[start:start + 500], ["tech", "help"], "wave",
                                ["group"]) for start in range(0, len(cleaned), 500)]
    table, skipped = scoped_keyness_from_counts(merge_scoped_counts(parts), top=8)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from openends.keywords.keyness import (
    TermCounts,
    keyness_from_counts,
    merge_term_counts,
    term_counts,
)
from openends.report.build import KEYWORDS_PER_GROUP, MIN_KEYWORD_ANSWERS, base_phrase
from openends.stats import BLANK, group_label, natural_key

Scope = tuple[str, tuple[str, ...]]
"""A question ("" for every answer) and the labels of the ``within`` columns."""


@dataclass
class ScopedCounts:
    """The :class:`~openends.keywords.keyness.TermCounts` of each scope, its answers
    grouped by their label of ``compared`` (blank ones left out), scopes in the order they
    first occur in the table (which orders ties of the natural sort the same way).

    Example:
        >>> answers = pd.DataFrame({"status": "ok", "redacted_text": ["More staff", "Encryption"],
        ...                         "wave": [2017.0, 2019.0], "group": "police"})
        >>> counts = scoped_term_counts(answers, [""], "wave", ["group"])
        >>> list(counts.scopes), counts.scopes[("", ("police",))].sizes
        ([('', ('police',))], Counter({'2017': 1, '2019': 1}))
    """

    compared: str
    questions: tuple[str, ...]
    within: tuple[str, ...]
    scopes: dict[Scope, TermCounts] = field(default_factory=dict)


def scoped_term_counts(responses: pd.DataFrame, questions: Sequence[str], compared: str,
                       within: Sequence[str] = ()) -> ScopedCounts:
    """The term counts of one part of a cleaned responses table (columns ``status``,
    ``redacted_text``, ``question`` unless ``questions`` is ``[""]``, ``compared`` and the
    ``within`` columns), per scope; values are labelled by
    :func:`~openends.stats.group_label`.

    Example:
        >>> answers = pd.DataFrame({"status": ["ok", "ok", "empty"], "question": "tech",
        ...                         "redacted_text": ["Encryption", "Staff", ""],
        ...                         "wave": ["2019", " ", "2019"]})
        >>> scoped_term_counts(answers, ["tech"], "wave").scopes[("tech", ())].sizes
        Counter({'2019': 1})
    """
    counts = ScopedCounts(compared, tuple(questions), tuple(within))
    substantive = responses[responses["status"] == "ok"]
    for question in dict.fromkeys(questions):
        asked = (substantive[substantive["question"].map(group_label) == question]
                 if question else substantive)
        groups = (asked.groupby([asked[column].map(group_label) for column in within],
                                sort=False) if within else [((), asked)])
        for key, part in groups:
            labels = part[compared].map(group_label)
            labelled = (labels != BLANK).to_numpy()
            texts = part["redacted_text"].fillna("").astype(str)[labelled]
            values = tuple(map(str, key if isinstance(key, tuple) else (key,)))
            counts.scopes[(question, values)] = term_counts(texts.tolist(),
                                                            labels[labelled].tolist())
    return counts


def merge_scoped_counts(parts: Iterable[ScopedCounts]) -> ScopedCounts:
    """The counts of consecutive parts of a table (in table order): those of the whole.

    Example:
        >>> answers = pd.DataFrame({"status": "ok", "redacted_text": ["Staff", "Encryption"],
        ...                         "wave": ["2017", "2019"]})
        >>> parts = [scoped_term_counts(answers.iloc[[row]], [""], "wave") for row in (0, 1)]
        >>> merge_scoped_counts(parts) == scoped_term_counts(answers, [""], "wave")
        True
    """
    parts = list(parts)
    if not parts:
        raise ValueError("no scoped counts to merge")
    first = parts[0]
    for part in parts[1:]:
        if (part.compared, part.questions, part.within) != (first.compared, first.questions,
                                                            first.within):
            raise ValueError(f"cannot merge the counts of {part.compared!r} by question "
                             f"{part.questions} within {part.within} with those of "
                             f"{first.compared!r} by question {first.questions} within "
                             f"{first.within}")
    counted: dict[Scope, list[TermCounts]] = {}
    for part in parts:
        for scope, counts in part.scopes.items():
            counted.setdefault(scope, []).append(counts)
    return ScopedCounts(first.compared, first.questions, first.within,
                        {scope: merge_term_counts(counts) for scope, counts in counted.items()})


def scoped_keyness_from_counts(counts: ScopedCounts, *, top: int = KEYWORDS_PER_GROUP,
                               min_count: int = 5) -> tuple[pd.DataFrame, list[str]]:
    """The terms that mark each value of ``compared`` in each scope, as
    :func:`~openends.report.build.scoped_keyness` gives them: ``scope`` (e.g. "police tech
    answers"), ``by`` and the columns of :func:`~openends.keywords.keyness.keyness`,
    questions in the order given and groups in natural order; and the scopes skipped.

    A scope with one value of ``compared`` is left out; one with fewer than
    :data:`~openends.report.build.MIN_KEYWORD_ANSWERS` answers is skipped and named.

    Example:
        >>> answers = pd.DataFrame({"status": "ok", "wave": ["2017"] * 30 + ["2019"] * 30,
        ...                         "redacted_text": ["more staff"] * 30 + ["encryption"] * 30})
        >>> counts = scoped_term_counts(answers, [""], "wave")
        >>> table, skipped = scoped_keyness_from_counts(counts)
        >>> table[["scope", "group", "keyphrase"]].values.tolist(), skipped
        ([['answers', '2017', 'staff'], ['answers', '2019', 'encryption']], [])
        >>> scoped_keyness_from_counts(scoped_term_counts(answers.head(40), [""], "wave"))[1]
        ['keywords of answers: too few answers (40)']
    """
    tables, skipped = [], []
    for question in counts.questions:
        scopes = sorted((scope for scope in counts.scopes if scope[0] == question),
                        key=lambda scope: tuple(natural_key(value) for value in scope[1]))
        for scope in scopes:
            counted = counts.scopes[scope]
            if len(counted.sizes) < 2:
                continue
            name = base_phrase("answers", question, scope[1])
            answers = counted.sizes.total()
            if answers < MIN_KEYWORD_ANSWERS:
                skipped.append(f"keywords of {name}: too few answers ({answers})")
            elif top < 1:  # find_keywords refuses it, which was reported for each scope
                skipped.append(f"keywords of {name}: --top must be at least 1, not {top}")
            else:
                table = keyness_from_counts(counted, top=top, min_count=min_count)
                tables.append(table.assign(scope=name, by=counts.compared))
    if not tables:
        return pd.DataFrame(), skipped
    table = pd.concat(tables, ignore_index=True)
    return table[["scope", "by", *[c for c in table.columns if c not in {"scope", "by"}]]], skipped
