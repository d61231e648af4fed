"""Agreement between two or more codings of the same answers, per theme and overall.

:func:`agree` lines the codings up by answer id and reports, for each theme and for
all themes pooled (each answer-theme pair one decision): the answers compared (coded by
at least two codings), each coding's prevalence among them, percent agreement,
Krippendorff's alpha and Gwet's AC1 (any number of codings, missing codes allowed);
with two codings also Cohen's kappa and precision, recall and F1 of the first against
the second (the reference). Every statistic has a 95% percentile bootstrap interval
from resampling answers (seeded: the same inputs give the same intervals), except for
a theme fewer than 5 compared answers have or one coding never used: resampling a
handful of codes gives intervals of zero width that claim a certainty the data lack.
Answers only one coding has are reported and left out of every statistic; themes below
a kappa (alpha, for three or more codings) of 0.6 are flagged.

Example:
    >>> from openends.coding.codings import Coding
    >>> a = Coding("tool", pd.DataFrame({"tor": [1, 0, 1, 0]}, index=["1", "2", "3", "4"]))
    >>> b = Coding("ann", pd.DataFrame({"tor": [1, 0, 0, 1]}, index=["1", "2", "3", "5"]))
    >>> result = agree([a, b], resamples=200)
    >>> result.table.loc[0, ["theme", "n", "agreement", "precision", "recall"]].to_dict()
    {'theme': 'tor', 'n': 3, 'agreement': 0.6667, 'precision': 0.5, 'recall': 1.0}
    >>> result.only_in
    {'tool': ['4'], 'ann': ['5']}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from openends.agreement.binary import (
    N_COUNTS,
    STATISTICS,
    bootstrap_weights,
    intervals,
    unit_counts,
)
from openends.agreement.coefficients import (
    cohen_kappa,
    gwet_ac1,
    krippendorff_alpha,
    pairable,
    percent_agreement,
)
from openends.coding.codings import Coding
from openends.errors import ConfigError

ALL = "(all themes)"
FLAG_BELOW = 0.6
MIN_CODED = 5  # fewer answers with the theme than this: no interval, the data cannot say
RESAMPLES = 1000
LEVEL = 0.95
_CODES = np.array([0.0, 1.0])


@dataclass(frozen=True)
class Agreement:
    """Per-theme statistics (``table``), what was not compared, and how."""

    table: pd.DataFrame
    names: tuple[str, ...]
    only_in: dict[str, list[str]]
    not_coded: dict[str, int]
    themes_left_out: list[str] = field(default_factory=list)
    resamples: int = RESAMPLES

    @property
    def pairwise(self) -> bool:
        """Two codings: kappa and precision/recall/F1 of the first against the second."""
        return len(self.names) == 2

    @property
    def flagged(self) -> list[str]:
        """Themes whose kappa (alpha with three or more codings) is below 0.6."""
        return self.table.loc[self.table["flag"] & (self.table["theme"] != ALL),
                              "theme"].tolist()

    def to_dict(self) -> dict[str, Any]:
        return {"codings": list(self.names), "themes": self.table.to_dict(orient="records"),
                "flagged": self.flagged, "only_in": {name: len(ids) for name, ids
                                                     in self.only_in.items()},
                "not_coded": self.not_coded, "themes_left_out": self.themes_left_out,
                "interval": f"{LEVEL:.0%} percentile bootstrap over answers, "
                            f"{self.resamples} resamples"}

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from openends.agreement.render import render_agreement

        yield render_agreement(self, width=options.max_width)


def agree(codings: Sequence[Coding], *, themes: Sequence[str] | None = None,
          resamples: int = RESAMPLES, seed: int = 0) -> Agreement:
    """Agreement of ``codings`` (two or more), per theme in ``themes`` (default: the
    themes every coding has, in the first one's order) and pooled."""
    if len(codings) < 2:
        raise ConfigError("agreement needs at least two codings")
    names = _unique_names([coding.name for coding in codings])
    _check_alignment(codings, names)
    shared = [theme for theme in codings[0].themes
              if all(theme in coding.themes for coding in codings[1:])]
    wanted = list(themes) if themes is not None else shared
    missing = [theme for theme in wanted if theme not in shared]
    if missing:
        raise ConfigError(f"theme(s) {', '.join(map(repr, missing))} are not in every coding")
    left_out = sorted({theme for coding in codings for theme in coding.themes} - set(wanted))
    coded_by = [set(coding.codes.index) for coding in codings]
    units = [answer for answer in dict.fromkeys(
        answer for coding in codings for answer in coding.codes.index)
        if sum(answer in ids for ids in coded_by) >= 2]
    if not units:
        blank = sum(len(coding.not_coded) for coding in codings)
        raise ConfigError("no answer is coded in two of the codings ("
                          + ", ".join(f"{name}: {len(coding.codes):,} coded"
                                      for name, coding in zip(names, codings, strict=True))
                          + (f"; {blank:,} rows left blank" if blank else "")
                          + "); compare codings of the same answers, with the same ids")
    ratings = {theme: np.column_stack([
        coding.codes[theme].reindex(units).to_numpy(dtype=float) for coding in codings])
        for theme in wanted}
    weights = bootstrap_weights(len(units), resamples, seed)
    rows = [_row(theme, ratings[theme], names, weights) for theme in wanted]
    rows.append(_pooled_row(ratings, wanted, len(units), names, weights))
    compared = set(units)
    only_in = {name: [answer for answer in coding.codes.index if answer not in compared]
               for name, coding in zip(names, codings, strict=True)}
    not_coded = {name: len(coding.not_coded) for name, coding in zip(names, codings,
                                                                     strict=True)}
    return Agreement(pd.DataFrame(rows), names, only_in, not_coded, left_out, resamples)


def _unique_names(names: list[str]) -> tuple[str, ...]:
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return tuple(unique)


def _check_alignment(codings: Sequence[Coding], names: tuple[str, ...]) -> None:
    positional = [coding.positional for coding in codings]
    if any(positional) and not all(positional):
        which = [name for name, by_row in zip(names, positional, strict=True) if by_row]
        raise ConfigError(f"{', '.join(which)} ha{'s' if len(which) == 1 else 've'} no "
                          "'response_id' column, the others do: give every coding the answers' "
                          "ids (or name the id column with --id)")
    if all(positional):
        sizes = {len(coding.codes) + len(coding.not_coded) for coding in codings}
        if len(sizes) > 1:
            raise ConfigError("codings without ids are matched by row position, so they need "
                              f"the same number of rows (found {sorted(sizes)})")


def _row(theme: str, ratings: np.ndarray, names: tuple[str, ...], weights: np.ndarray,
         counts: np.ndarray | None = None) -> dict[str, Any]:
    """One theme's statistics; ``counts`` (per answer) when ``ratings`` stacks several
    themes, so the bootstrap resamples answers with all their themes, as they were coded."""
    counts = unit_counts(ratings) if counts is None else counts
    point = {"agreement": percent_agreement(ratings), "alpha": krippendorff_alpha(ratings),
             "ac1": gwet_ac1(ratings, _CODES)}
    if len(names) == 2:
        point["kappa"] = cohen_kappa(ratings)
        point.update(_precision_recall(ratings))
    used = ratings[(ratings == 1).any(axis=1)]
    # a handful of codes, or a coding that never used the theme: every resample gives the
    # same value, an interval of zero width that claims a certainty the data lack
    few = len(used) < MIN_CODED or not (used == 1).any(axis=0).all()
    bounds = {} if few else intervals(weights @ counts, LEVEL)
    row: dict[str, Any] = {"theme": theme, "n": int((counts[:, 0] > 0).sum()),
                           "coded_by_any": len(used)}
    compared = ratings[pairable(ratings)]
    for column, name in enumerate(names):
        values = compared[:, column]
        coded = values[~np.isnan(values)]
        row[f"prevalence_{name}"] = round(float(coded.mean()), 4) if len(coded) else np.nan
    for name in STATISTICS:
        if name in point:
            low, high = bounds.get(name, (np.nan, np.nan))
            row[name] = round(point[name], 4)
            row[f"{name}_low"], row[f"{name}_high"] = round(low, 4), round(high, 4)
    judged = point.get("kappa", point["alpha"])
    row["flag"] = bool(np.isfinite(judged) and judged < FLAG_BELOW)
    return row


def _pooled_row(ratings: dict[str, np.ndarray], themes: list[str], n_units: int,
                names: tuple[str, ...], weights: np.ndarray) -> dict[str, Any]:
    """All themes together: every answer-theme pair is one decision."""
    stacked = np.vstack([ratings[theme] for theme in themes]) if themes else np.zeros(
        (0, len(names)))
    per_answer = sum((unit_counts(ratings[theme]) for theme in themes),
                     start=np.zeros((n_units, N_COUNTS)))
    return _row(ALL, stacked, names, weights, per_answer)


def _precision_recall(ratings: np.ndarray) -> dict[str, float]:
    """Precision, recall and F1 of the first coding against the second (scikit-learn)."""
    from sklearn.metrics import precision_recall_fscore_support

    both = ~np.isnan(ratings[:, :2]).any(axis=1)
    coded, reference = ratings[both, 0], ratings[both, 1]
    if not (coded.sum() or reference.sum()):
        return {"precision": float("nan"), "recall": float("nan"), "f1": float("nan")}
    precision, recall, f1, _ = precision_recall_fscore_support(
        reference, coded, average="binary", zero_division=np.nan)
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1)}
