"""Draw answers for hand-coding: at random, stratified by groups, or where a coder is least sure.

Only answers with status ``ok`` are drawn, and none whose ``response_id`` is in
``exclude`` (answers already coded). ``random`` is a simple random sample;
``stratified`` allocates the sample to the groups of the ``by`` columns in proportion
to their size (largest remainder; at least one answer per group when the sample has
room for one from each; blank values are their own group, ``(blank)``);
``uncertain`` takes the answers with the highest ``uncertainty`` (e.g. one minus a
trained coder's confidence), ties broken at random. Asking for more answers than
there are takes them all (:attr:`DrawnSample.short` says so). The same seed always
draws the same answers, and they come in a shuffled order, so coders never see a
group in one block.

Example:
    >>> cleaned = pd.DataFrame({"response_id": [f"r{i}" for i in range(8)],
    ...                         "status": ["ok"] * 7 + ["empty"],
    ...                         "wave": ["2017"] * 4 + ["2018"] * 2 + [None] * 2})
    >>> sample = draw_sample(cleaned, 4, strategy="stratified", by=["wave"], seed=1)
    >>> sample.strata
    {'2017': 2, '2018': 1, '(blank)': 1}
    >>> sorted(sample.rows.tolist()) == sorted(draw_sample(
    ...     cleaned, 4, strategy="stratified", by=["wave"], seed=1).rows.tolist())
    True
    >>> draw_sample(cleaned, 10, exclude={"r0"}).n, sample.eligible
    (6, 7)
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from openends.errors import ConfigError, UnknownColumnError
from openends.io.responses import as_text

STRATEGIES = ("random", "stratified", "uncertain")
BLANK = "(blank)"


@dataclass(frozen=True)
class DrawnSample:
    """The answers drawn (``rows``: index labels of the responses table, in a shuffled
    order) and how: ``eligible`` ok answers to draw from after leaving out the
    ``excluded`` ones; per group, answers drawn (``strata``) and eligible
    (``stratum_sizes``) when stratified."""

    rows: pd.Index
    strategy: str
    seed: int
    requested: int
    eligible: int
    excluded: int = 0
    by: tuple[str, ...] = ()
    strata: dict[str, int] = field(default_factory=dict)
    stratum_sizes: dict[str, int] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """How many answers were drawn."""
        return len(self.rows)

    @property
    def short(self) -> bool:
        """Fewer answers were eligible than asked for, so all of them were taken."""
        return self.n < self.requested

    def to_dict(self) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "strategy": self.strategy, "seed": self.seed, "requested": self.requested,
            "drawn": self.n, "eligible": self.eligible, "excluded": self.excluded}
        if self.strategy == "stratified":
            summary |= {"by": list(self.by), "strata": dict(self.strata),
                        "stratum_sizes": dict(self.stratum_sizes)}
        return summary


def check_sample_options(n: int, *, strategy: str = "random", by: Sequence[str] = ()) -> None:
    """Raise a ConfigError for a sample that cannot be drawn whatever the answers are.

    Example:
        >>> check_sample_options(0)
        Traceback (most recent call last):
        ...
        openends.errors.ConfigError: the sample size must be at least 1, not 0
    """
    if strategy not in STRATEGIES:
        raise ConfigError(f"unknown sampling strategy {strategy!r}; choose one of "
                          f"{', '.join(STRATEGIES)}")
    if n < 1:
        raise ConfigError(f"the sample size must be at least 1, not {n}")
    if strategy == "stratified" and not by:
        raise ConfigError("stratified sampling needs the column(s) to stratify by (--by)")
    if by and strategy != "stratified":
        raise ConfigError(f"stratifying by {', '.join(by)} needs the stratified strategy "
                          f"(--strategy stratified), not {strategy!r}")


def draw_sample(cleaned: pd.DataFrame, n: int, *, strategy: str = "random",
                by: Sequence[str] = (), seed: int = 0, uncertainty: np.ndarray | None = None,
                exclude: Collection[str] = ()) -> DrawnSample:
    """Draw ``n`` ok answers of a cleaned responses table (see the module docstring);
    ``uncertainty`` (strategy ``uncertain``) has one value per row, higher = less sure,
    NaN allowed for rows that are not drawn from (NaN rows come last)."""
    by = [by] if isinstance(by, str) else list(by)
    check_sample_options(n, strategy=strategy, by=by)
    for column in ["response_id", "status", *by]:
        if column not in cleaned.columns:
            raise UnknownColumnError(column, [str(name) for name in cleaned.columns])
    if (uncertainty is None) == (strategy == "uncertain"):
        raise ConfigError("uncertain sampling needs each answer's uncertainty (--model)"
                          if uncertainty is None else
                          f"uncertainty applies to the uncertain strategy only, not {strategy!r}")
    ok = (cleaned["status"] == "ok").to_numpy()
    skipped = cleaned["response_id"].map(as_text).isin({str(item) for item in exclude})
    eligible = ok & ~skipped.to_numpy()
    rng = np.random.default_rng(seed)
    order = rng.permutation(np.flatnonzero(eligible))
    details: dict[str, Any] = {}
    if strategy == "random":
        chosen = order[:n]
    elif strategy == "uncertain":
        assert uncertainty is not None
        chosen = order[_most_uncertain(cleaned, uncertainty, order)[:n]]
    else:
        chosen, details = _stratified(cleaned, by, order, n)
    rows = cleaned.index[rng.permutation(chosen)]
    return DrawnSample(rows, strategy, seed, n, len(order), int((ok & skipped).sum()),
                       tuple(by), **details)


def _most_uncertain(cleaned: pd.DataFrame, uncertainty: np.ndarray,
                    order: np.ndarray) -> np.ndarray:
    """Positions in ``order``, most uncertain first (stable: ties keep the seeded order)."""
    values = np.asarray(uncertainty, dtype=float)
    if values.shape != (len(cleaned),):
        raise ConfigError(f"uncertainty has {values.size} value(s) but there are "
                          f"{len(cleaned)} answers; give one value per row")
    key = -values[order]
    key[np.isnan(key)] = np.inf
    return np.argsort(key, kind="stable")


def _stratified(cleaned: pd.DataFrame, by: list[str], order: np.ndarray,
                n: int) -> tuple[np.ndarray, dict[str, Any]]:
    """The first answers of each group (in the seeded order), allocated proportionally."""
    values = [[as_text(value).strip() for value in cleaned[column].iloc[order]] for column in by]
    groups: dict[tuple[str, ...], list[int]] = {}
    for key, position in zip(zip(*values, strict=True), order.tolist(), strict=True):
        groups.setdefault(key, []).append(position)
    ordered = sorted(groups, key=lambda key: [(not part, part) for part in key])  # blanks last
    sizes = {_label(key): len(groups[key]) for key in ordered}
    counts = allocate(sizes, n)
    chosen = np.array([position for key in ordered
                       for position in groups[key][:counts[_label(key)]]], dtype=np.int64)
    return chosen, {"strata": counts, "stratum_sizes": sizes}


def _label(key: tuple[str, ...]) -> str:
    return " / ".join(part or BLANK for part in key)


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Split ``n`` over groups in proportion to ``sizes`` (largest remainder), at least one
    per non-empty group when ``n`` allows; all of every group when ``n`` covers them.

    Example:
        >>> allocate({"a": 60, "b": 30, "c": 10}, 10)
        {'a': 6, 'b': 3, 'c': 1}
        >>> allocate({"a": 97, "b": 2, "c": 1}, 3)
        {'a': 1, 'b': 1, 'c': 1}
    """
    total = sum(sizes.values())
    if n >= total:
        return dict(sizes)
    labels = list(sizes)
    quotas = [n * sizes[label] / total for label in labels]
    counts = [math.floor(quota) for quota in quotas]
    by_remainder = sorted(range(len(labels)),
                          key=lambda item: (counts[item] - quotas[item], -sizes[labels[item]]))
    for item in by_remainder[:n - sum(counts)]:
        counts[item] += 1
    if n >= sum(1 for size in sizes.values() if size):
        for item in sorted(range(len(labels)), key=lambda item: -quotas[item]):
            if counts[item] == 0 and sizes[labels[item]]:
                donor = max((other for other in range(len(labels)) if counts[other] > 1),
                            key=lambda other: counts[other] - quotas[other])
                counts[donor] -= 1
                counts[item] += 1
    return dict(zip(labels, counts, strict=True))
