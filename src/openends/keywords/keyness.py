"""Keyness: the words and phrases that mark one group of answers against the others.

For each group (a wave, a respondent group, a theme...) and each term (a candidate
phrase of :mod:`~openends.keywords.candidates`, up to ``max_words`` lemmas), counts
are *answers*: how many answers of the group use the term, so one long answer
repeating a word does not outweigh many people mentioning it once.

The score is the weighted log-odds ratio with an informative Dirichlet prior of
Monroe, Colaresi and Quinn (2008, "Fightin' Words", *Political Analysis* 16(4),
section 3.5), group ``i`` against all other answers ``j``. As counts are answers, the
odds are those of an answer using the term (``n`` = answers in a group), and the
prior is the pooled data, weighted as ``prior_weight`` (10%) of it:
``a_0 = prior_weight * (n_i + n_j)`` and ``a_w = a_0 * (y_iw + y_jw) / (n_i + n_j)``::

    delta_w = log((y_iw + a_w) / (n_i + a_0 - y_iw - a_w))
            - log((y_jw + a_w) / (n_j + a_0 - y_jw - a_w))
    var_w   ~ 1 / (y_iw + a_w) + 1 / (y_jw + a_w)
    z_w     = delta_w / sqrt(var_w)

The prior pulls every term towards its pooled share, most strongly the rare ones, so
a typo used twice cannot top a list the way it does with raw log-odds;
``min_count`` (answers using the term, over all groups) removes the rarest outright.
Only terms with ``z >= min_z`` (1.96 by default) are listed, so a group with nothing
distinctive gets an empty list rather than noise. That threshold ranks and filters;
it is not a test corrected for the many terms compared, and a claim that a share
changed belongs to the statistics of coded themes. Beside the z-score, each row
carries BERTopic's class-based TF-IDF (Grootendorst 2022),
``tf_{t,c} / sum_t tf_{t,c} * log(1 + A / f_t)``, with ``A`` the mean number of term
uses per group and ``f_t`` the term's uses over all groups.

A term whose answers are mostly (``COVERED``: half or more) also answers of one longer
term containing it is dropped in favour of the longer one ("streaming" when nearly
every answer says "live streaming"), so lists do not repeat one idea.

The counts are additive: :func:`term_counts` of consecutive parts of a table (partitions
counted on workers), combined by :func:`merge_term_counts`, give
:func:`keyness_from_counts` the very table :func:`keyness` gives for the whole. They are
kept per term and group, never per answer, so a part's counts stay small.

Example:
    >>> texts = ["encryption everywhere", "strong encryption", "encryption apps",
    ...          "more staff", "more staff please", "staff and training"]
    >>> table = keyness(texts, ["2019", "2019", "2019", "2017", "2017", "2017"], min_count=2,
    ...                 min_z=0)
    >>> table.loc[table["rank"] == 1, ["group", "keyphrase", "count", "count_rest"]].values.tolist()
    [['2017', 'staff', 3, 0], ['2019', 'encryption', 3, 0]]
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from openends.errors import ConfigError
from openends.keywords.candidates import Key, PhraseFinder, contains, shown_form

COVERED = 0.5
PRIOR_WEIGHT = 0.1
KEYNESS_COLUMNS = ["group", "rank", "keyphrase", "score", "log_odds", "ctfidf", "count",
                   "share", "count_rest", "share_rest", "answers", "answers_rest"]


@dataclass
class TermCounts:
    """What keyness is computed from, per term and group and never per answer, so the
    counts of parts of a table add up (:func:`merge_term_counts`) to those of the whole.

    ``answers[group][key]`` is how many answers of ``group`` use the term ``key``,
    ``forms[key]`` how many answers write it in each form (in order of first use, so the
    shown form breaks ties the same way) and ``sizes[group]`` how many answers ``group`` has.

    Example:
        >>> counts = term_counts(["Encryption.", "More encryption.", "Staff."], ["a", "a", "b"],
        ...                      max_words=1)
        >>> counts.answers["a"][("encryption",)], counts.forms[("encryption",)], counts.sizes
        (2, Counter({'Encryption': 1, 'encryption': 1}), Counter({'a': 2, 'b': 1}))
    """

    answers: dict[str, Counter[Key]] = field(default_factory=dict)
    forms: dict[Key, Counter[str]] = field(default_factory=dict)
    sizes: Counter[str] = field(default_factory=Counter)


def term_counts(texts: Sequence[str], groups: Sequence[Hashable], *, max_words: int = 3,
                finder: PhraseFinder | None = None) -> TermCounts:
    """The :class:`TermCounts` of ``texts`` in ``groups`` (labels as text); texts whose
    group is missing (None or NaN) are left out.

    Example:
        >>> term_counts(["live streaming", "streaming", ""], ["a", "b", None]).answers["b"]
        Counter({('stream',): 1})
    """
    labels = [None if _missing(group) else str(group) for group in groups]
    if len(labels) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(labels)} group labels")
    finder = finder or PhraseFinder(max_words=max_words)
    answers: defaultdict[str, Counter[Key]] = defaultdict(Counter)
    forms: defaultdict[Key, Counter[str]] = defaultdict(Counter)
    sizes: Counter[str] = Counter()
    for text, label in zip(texts, labels, strict=True):
        if label is None:
            continue
        sizes[label] += 1
        used = answers[label]
        for key, phrase in finder(text).phrases.items():
            used[key] += 1
            forms[key][phrase.surface] += 1
    return TermCounts(dict(answers), dict(forms), sizes)


def merge_term_counts(parts: Iterable[TermCounts]) -> TermCounts:
    """The counts of consecutive parts of a table: those of the whole table, forms in the
    order of their first use across the parts. The parts are left as they were.

    Example:
        >>> whole = term_counts(["Encryption.", "more encryption", "Staff."], ["a", "a", "b"])
        >>> parts = [term_counts(["Encryption."], ["a"]),
        ...          term_counts(["more encryption", "Staff."], ["a", "b"])]
        >>> merge_term_counts(parts) == whole
        True
    """
    answers: defaultdict[str, Counter[Key]] = defaultdict(Counter)
    forms: defaultdict[Key, Counter[str]] = defaultdict(Counter)
    sizes: Counter[str] = Counter()
    for part in parts:
        for group, used in part.answers.items():
            answers[group].update(used)
        for key, written in part.forms.items():
            forms[key].update(written)
        sizes.update(part.sizes)
    return TermCounts(dict(answers), dict(forms), sizes)


def keyness(texts: Sequence[str], groups: Sequence[Hashable], *, top: int = 15,
            min_count: int = 5, min_z: float = 1.96, prior_weight: float = PRIOR_WEIGHT,
            max_words: int = 3, finder: PhraseFinder | None = None) -> pd.DataFrame:
    """The terms that mark each group, best first (see the module docstring).

    Texts whose group is missing (None or NaN) are left out. Returns one row per
    group and term: ``group``, ``rank``, ``keyphrase``, ``score`` (the z-score),
    ``log_odds`` (delta), ``ctfidf``, ``count`` and ``share`` (answers of the group
    using the term), ``count_rest`` and ``share_rest`` (the other answers),
    ``answers`` and ``answers_rest`` (group sizes). Groups come in sorted order.
    """
    return keyness_from_counts(term_counts(texts, groups, max_words=max_words, finder=finder),
                               top=top, min_count=min_count, min_z=min_z,
                               prior_weight=prior_weight)


def keyness_from_counts(counts: TermCounts, *, top: int = 15, min_count: int = 5,
                        min_z: float = 1.96, prior_weight: float = PRIOR_WEIGHT) -> pd.DataFrame:
    """:func:`keyness` of counted (and perhaps merged) answers: the same table.

    Example:
        >>> counts = merge_term_counts([term_counts(["more staff"] * 3, ["2017"] * 3),
        ...                             term_counts(["encryption"] * 3, ["2019"] * 3)])
        >>> table = keyness_from_counts(counts, min_count=2, min_z=0)
        >>> table[["group", "keyphrase"]].values.tolist()
        [['2017', 'staff'], ['2019', 'encryption']]
    """
    names = sorted(counts.sizes)
    if len(names) < 2:
        raise ConfigError(f"keyness needs at least two groups to compare; found {len(names)}"
                          + (f" ({names[0]!r})" if names else ""))
    used = sum(counts.sizes.values())
    table = _counts_by_group(counts, names)
    totals = table.sum(axis=1)
    # A term in every answer cannot mark a group (and has no odds against).
    frequent = totals.index[(totals >= min_count) & (totals < used)]
    table = table.loc[_without_covered(frequent, totals)]
    rows = []
    for name in names:
        size, rest = counts.sizes[name], used - counts.sizes[name]
        scored = _scores(table, name, (size, rest), prior_weight)
        scored = scored[scored["score"] >= min_z].head(top)
        for rank, (key, row) in enumerate(zip(scored.index, scored.to_dict("records"),
                                              strict=True), start=1):
            rows.append((name, rank, shown_form(counts.forms[key]), row["score"],
                         row["log_odds"], row["ctfidf"], int(row["count"]), row["count"] / size,
                         int(row["count_rest"]), row["count_rest"] / rest if rest else 0.0,
                         size, rest))
    result = pd.DataFrame(rows, columns=KEYNESS_COLUMNS)
    for column in ("score", "log_odds", "ctfidf", "share", "share_rest"):
        result[column] = result[column].astype("float64").round(6)
    return result.astype({"group": "str", "keyphrase": "str"})


def _missing(value: Hashable) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _counts_by_group(counts: TermCounts, names: Sequence[str]) -> pd.DataFrame:
    """Answers using each term, one column per group; rows sorted by key (stable order)."""
    used = [counts.answers.get(name, Counter()) for name in names]
    keys: list[Key] = sorted(set().union(*used))
    return pd.DataFrame([[group[key] for group in used] for key in keys],
                        index=pd.Index(keys, tupleize_cols=False), columns=list(names),
                        dtype="int64")


def _without_covered(keys: Iterable[Key], totals: pd.Series) -> list[Key]:
    """Keys minus those whose answers mostly also use one longer key containing them."""
    keys = list(keys)
    longer_by_word: dict[str, list[Key]] = defaultdict(list)
    for key in keys:
        if len(key) > 1:
            for word in set(key):
                longer_by_word[word].append(key)
    kept = []
    for key in keys:
        candidates = longer_by_word.get(key[0], [])
        covered = any(len(other) > len(key) and contains(other, key)
                      and totals[other] >= COVERED * totals[key] for other in candidates)
        if not covered:
            kept.append(key)
    return kept


def _scores(counts: pd.DataFrame, name: str, sizes: tuple[int, int],
            prior_weight: float) -> pd.DataFrame:
    """Monroe et al.'s z-scores and BERTopic's c-TF-IDF of group ``name`` against the rest,
    sorted by z, then count, then key."""
    mine = counts[name].to_numpy(dtype=float)
    rest = counts.drop(columns=name).sum(axis=1).to_numpy(dtype=float)
    n_mine, n_rest = sizes
    a0 = prior_weight * (n_mine + n_rest)
    prior = (mine + rest) / (n_mine + n_rest) * a0
    log_odds = (np.log((mine + prior) / (n_mine + a0 - mine - prior))
                - np.log((rest + prior) / (n_rest + a0 - rest - prior)))
    z = log_odds / np.sqrt(1 / (mine + prior) + 1 / (rest + prior))
    all_counts = counts.to_numpy(dtype=float)
    mean_per_group = all_counts.sum() / all_counts.shape[1]
    ctfidf = mine / max(mine.sum(), 1.0) * np.log(1 + mean_per_group / (mine + rest))
    table = pd.DataFrame({"score": z, "log_odds": log_odds, "ctfidf": ctfidf, "count": mine,
                          "count_rest": rest, "order": range(len(counts))}, index=counts.index)
    return table.sort_values(["score", "count", "order"], ascending=[False, False, True],
                             kind="mergesort")
