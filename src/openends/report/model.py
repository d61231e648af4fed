"""The report as data: one object every renderer (terminal, Markdown, HTML, tables) reads.

A :class:`Report` holds numbers that are already computed and checked by
:mod:`openends.stats`; renderers only format them. Every share travels with its base
(``n``), count (``k``) and Wilson interval; a change is marked significant only after
correction; quotes are redacted text.

Example:
    >>> import pandas as pd
    >>> report = Report(title="Survey", base="answers", correction="holm",
    ...                 wave=None, by=(), counts={"rows": 2, "ok": 2},
    ...                 themes=pd.DataFrame(), prevalence=pd.DataFrame(),
    ...                 changes=pd.DataFrame(), trends=pd.DataFrame(),
    ...                 cooccurrence=pd.DataFrame(), keywords=pd.DataFrame(), quotes={})
    >>> report.title
    'Survey'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Quote:
    """A representative answer for a theme: redacted text and the evidence that coded it."""

    response_id: str
    text: str
    evidence: str = ""
    context: str = ""
    """Where the answer comes from: its ``by`` groups and wave, e.g. ``"police, 2019"``."""


@dataclass(frozen=True)
class Report:
    """Everything a theme-prevalence report shows.

    - ``counts``: input rows and answers per status (``rows``, ``ok``, ``empty``, ...):
      every input row is accounted for;
    - ``themes``: one row per theme in codebook order: ``theme, label, parent, question``
      (the question whose answers are its base, "" for all) ``, scope`` (the base in
      words, e.g. "tech answers") ``, base, n, k, pct, ci_low, ci_high, small_base`` (pct
      and interval as proportions 0-1);
    - ``prevalence``: ``theme, <by...>, <wave>, base, n, k, pct, ci_low, ci_high,
      small_base``: the wave x group matrix (``prevalence.csv``);
    - ``changes``: wave-over-wave tests (:func:`openends.stats.wave_changes`;
      ``changes.csv``): ``significant`` is after correction;
    - ``trends``: Cochran-Armitage trend tests across the ordered waves;
    - ``cooccurrence``: :func:`openends.stats.cooccurrence` of the themes;
    - ``keywords``: the terms that mark each wave (or group) within a scope: ``scope``
      (e.g. "police tech answers"), ``by`` (the column compared), then the keyness columns
      of :func:`openends.keywords.keyness.keyness` (``group, rank, keyphrase, score, ...,
      count, share, count_rest, share_rest, answers, answers_rest``); empty when not
      computed;
    - ``quotes``: two or three redacted answers per theme;
    - ``quality``: how good the codes are when known, e.g. ``{"kind": "agreement",
      "kappa": 0.89, "kappa_low": 0.86, "kappa_high": 0.91, "n": 400}`` or
      ``{"kind": "cross-validated", "macro_f1": 0.49, ...}``; None when unknown;
    - ``headlines``: the largest significant changes in words, each share with its base;
    - ``differences``: :func:`openends.stats.group_differences` across the groups of each
      ``by`` column (``theme, between, <wave>, groups, n, k, pct, chi2, ...``);
    - ``alpha``: the level below which a corrected p-value is ``significant``.

    ``trends`` has, beside the columns of :func:`openends.stats.trend_tests`, the first
    and last wave's ``n`` and ``k`` (``wave_first, wave_last, n_first, k_first, n_last,
    k_last``) and the Newcombe interval of the difference between them
    (``diff_low_pp, diff_high_pp``). The p-values of ``trends``, ``changes`` and
    ``differences`` are corrected together: :attr:`tests` counts them.
    """

    title: str
    base: str
    correction: str
    wave: str | None
    by: tuple[str, ...]
    counts: dict[str, int]
    themes: pd.DataFrame
    prevalence: pd.DataFrame
    changes: pd.DataFrame
    trends: pd.DataFrame
    cooccurrence: pd.DataFrame
    keywords: pd.DataFrame
    quotes: dict[str, list[Quote]]
    quality: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    headlines: list[str] = field(default_factory=list)
    differences: pd.DataFrame = field(default_factory=pd.DataFrame)
    alpha: float = 0.05

    @property
    def tests(self) -> int:
        """How many tests the correction ran across (trends, changes and differences)."""
        return sum(int(table["p"].notna().sum()) for table in
                   (self.trends, self.changes, self.differences) if "p" in table.columns)

    def to_dict(self) -> dict[str, Any]:
        """Everything in the report as JSON-ready data (NaN as None)."""
        from openends.report.tables import json_records

        return {
            "title": self.title, "base": self.base, "correction": self.correction,
            "alpha": self.alpha, "tests": self.tests, "wave": self.wave, "by": list(self.by),
            "counts": dict(self.counts), "headlines": list(self.headlines),
            "themes": json_records(self.themes), "prevalence": json_records(self.prevalence),
            "trends": json_records(self.trends), "changes": json_records(self.changes),
            "differences": json_records(self.differences),
            "cooccurrence": json_records(self.cooccurrence),
            "keywords": json_records(self.keywords),
            "quotes": {theme: [{"response_id": quote.response_id, "text": quote.text,
                                "evidence": quote.evidence, "context": quote.context}
                               for quote in quotes] for theme, quotes in self.quotes.items()},
            "quality": json_records(pd.DataFrame([self.quality]))[0] if self.quality else None,
            "notes": list(self.notes)}

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from openends.report.terminal import render_terminal

        yield render_terminal(self, width=options.max_width)
