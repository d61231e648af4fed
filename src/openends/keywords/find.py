"""``find_keywords``: keywords of a responses table, per answer, per group or for the whole set.

Only substantive answers (status ``ok``) are used; the others are counted by status
in the result, never silently dropped. Text comes from ``redacted_text``, so nothing
shown or written carries personal data (unless redaction was turned off when
cleaning). A table that was not cleaned yet is cleaned first.

Example (with the sample project's cleaned responses)::

    result = find_keywords(cleaned, by="wave")
    result.table.head()
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from rich.console import Group
from rich.table import Table
from rich.text import Text

from openends.errors import ConfigError, UnknownColumnError
from openends.io.responses import as_text
from openends.keywords.corpus import corpus_keyphrases
from openends.keywords.keyness import PRIOR_WEIGHT, keyness
from openends.keywords.per_answer import answer_keyphrases
from openends.keywords.registry import DEFAULT_METHOD, get_method

if TYPE_CHECKING:
    from openends.embed.cache import EmbeddingCache

Mode = Literal["corpus", "per-response", "by"]
SHOWN_ANSWERS = 15


@dataclass
class KeywordResult:
    """The keyword table and what it was made from; renders itself in the terminal."""

    table: pd.DataFrame
    mode: Mode
    method: str
    used: int
    excluded: dict[str, int] = field(default_factory=dict)
    by: str | None = None
    groups: dict[str, int] = field(default_factory=dict)
    scope: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (the table itself goes to the output file)."""
        summary: dict[str, Any] = {"mode": self.mode, "method": self.method, "scope": self.scope,
                                   "answers_used": self.used, "excluded": self.excluded,
                                   "rows": len(self.table)}
        if self.mode == "by":
            summary |= {"by": self.by, "groups": self.groups,
                        "terms": {group: part["keyphrase"].tolist()
                                  for group, part in self.table.groupby("group", sort=False)}}
        elif self.mode == "corpus":
            summary["keyphrases"] = self.table["keyphrase"].tolist()
        return summary

    def headline(self) -> str:
        excluded = ", ".join(f"{count:,} {status}" for status, count in self.excluded.items())
        what = {"corpus": "Top phrases", "per-response": "Keyphrases per answer",
                "by": f"Terms that mark each {self.by}"}[self.mode]
        method = "weighted log-odds, informative prior" if self.mode == "by" else self.method
        scope = f" in {self.scope}" if self.scope else ""
        return (f"{what}{scope} ({method}) from {self.used:,} substantive answers"
                + (f"; left out: {excluded}" if excluded else ""))

    def __rich__(self) -> Group:
        head = Text(self.headline(), style="bold")
        if self.mode == "by":
            return Group(head, self._by_table(), Text(
                "z >= 1.96 under the prior; answers using the term in the group vs the rest.",
                style="dim"))
        if self.mode == "corpus":
            table = Table(show_edge=False)
            for name, justify in (("rank", "right"), ("keyphrase", "left"),
                                  ("answers using it", "right"), ("score", "right")):
                table.add_column(name, justify=justify)  # type: ignore[arg-type]
            for row in self.table.itertuples():
                table.add_row(str(row.rank), str(row.keyphrase), f"{row.count:,}",
                              f"{row.score:.1f}")
            return Group(head, table)
        return Group(head, self._per_response_table())

    def _by_table(self) -> Table:
        table = Table(show_edge=False)
        table.add_column(self.by or "group")
        table.add_column("answers", justify="right")
        table.add_column("terms (answers in group, share vs rest)", overflow="fold")
        for group, size in self.groups.items():
            part = self.table[self.table["group"] == group]
            terms = "; ".join(f"{row.keyphrase} ({row.count}, {row.share:.0%} vs "
                              f"{row.share_rest:.0%})" for row in part.itertuples())
            table.add_row(group, f"{size:,}", terms or "[dim]nothing stands out[/dim]")
        return table

    def _per_response_table(self) -> Table:
        table = Table(show_edge=False)
        table.add_column("response_id")
        table.add_column("keyphrases", overflow="fold")
        shown = self.table["response_id"].drop_duplicates().head(SHOWN_ANSWERS)
        for response_id in shown:
            phrases = self.table.loc[self.table["response_id"] == response_id, "keyphrase"]
            table.add_row(str(response_id), "; ".join(phrases))
        rest = self.table["response_id"].nunique() - len(shown)
        if rest > 0:
            table.add_row("", f"[dim]... and {rest:,} more answers in the output[/dim]")
        return table


def find_keywords(responses: pd.DataFrame, *, by: str | None = None, per_response: bool = False,
                  method: str = DEFAULT_METHOD, top: int | None = None, min_count: int = 5,
                  min_z: float = 1.96, prior_weight: float = PRIOR_WEIGHT,
                  embedder: str = "static", cache: EmbeddingCache | None = None) -> KeywordResult:
    """Keywords of ``responses``: the whole set (default), each answer, or each ``by`` group.

    ``top`` defaults to 10 per answer, 15 per group and 30 for the whole set.
    ``method`` picks the keyphrase method (not used with ``by``, which is keyness).
    """
    if by and per_response:
        raise ConfigError("choose --per-response or --by, not both")
    if top is not None and top < 1:
        raise ConfigError(f"--top must be at least 1, not {top}")
    if by and by not in responses.columns:
        raise UnknownColumnError(by, list(responses.columns))
    cleaned = _cleaned(responses)
    usable = cleaned["status"] == "ok"
    excluded = Counter(cleaned.loc[~usable, "status"].astype(str))
    if by:
        labels = cleaned[by].map(as_text).str.strip()
        missing = usable & labels.eq("")
        if missing.any():
            excluded[f"no {by}"] = int(missing.sum())
        usable &= ~missing
    chosen = cleaned[usable]
    texts = chosen["redacted_text"].fillna("").astype(str).tolist()
    left_out = {status: count for status, count in sorted(excluded.items())}
    if by:
        groups = labels[usable]
        table = keyness(texts, groups.tolist(), top=top or 15, min_count=min_count,
                        min_z=min_z, prior_weight=prior_weight)
        sizes = groups.value_counts()
        return KeywordResult(table, "by", method, len(texts), left_out, by=by, groups={
            str(name): int(sizes[name]) for name in sorted(sizes.index)})
    if per_response:
        table = answer_keyphrases(cleaned, method, top=top or 10, embedder=embedder,
                                  cache=cache)
        return KeywordResult(table, "per-response", method, len(texts), left_out)
    extractor = get_method(method, embedder=embedder, cache=cache)
    return KeywordResult(corpus_keyphrases(texts, extractor, top=top or 30), "corpus", method,
                         len(texts), left_out)


def _cleaned(responses: pd.DataFrame) -> pd.DataFrame:
    if {"status", "redacted_text"} <= set(responses.columns):
        return responses
    from openends.clean import clean_responses

    cleaned: pd.DataFrame = clean_responses(responses)[0]
    return cleaned
