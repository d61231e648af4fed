"""What a fitted topic model found, measured and shown: :class:`TopicQuality` and
:class:`TopicSummary` (both render themselves in the terminal).

Example (``model`` fitted on ``cleaned``)::

    quality = evaluate_topics(model, cleaned, stability_seed=1)
    console.print(TopicSummary.of(model, cleaned, quality=quality))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Group
from rich.table import Table
from rich.text import Text

from openends.topics.model import Topic, TopicModel


@dataclass(frozen=True)
class TopicQuality:
    """Quality of a topic model, measured on the answers it modelled.

    ``npmi``: mean NPMI coherence of each topic's top 10 words with those answers
    as the reference corpus (gensim's ``c_npmi``); ``diversity``: distinct share
    of all top words; ``outliers_found``: share of answers the clustering left
    out before they were reassigned; ``outlier_share``: share without a topic in
    the end; ``stability``: adjusted Rand index between this fit and one with
    another seed (None when not measured).
    """

    n_topics: int
    npmi: float
    diversity: float
    outliers_found: float
    outlier_share: float
    stability: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {key: (None if value is None else round(float(value), 4))
                if key != "n_topics" else value for key, value in vars(self).items()}

    def __rich__(self) -> Table:
        table = Table(title="Topic quality", title_justify="left", show_header=False,
                      box=None, padding=(0, 2))
        rows = [("topics", f"{self.n_topics}"),
                ("NPMI coherence (top 10 words)", f"{self.npmi:.3f}"),
                ("diversity", f"{self.diversity:.3f}"),
                ("outliers before reassignment", f"{self.outliers_found:.1%}"),
                ("answers without a topic", f"{self.outlier_share:.1%}"),
                ("stability (ARI, two seeds)",
                 "not measured" if self.stability is None else f"{self.stability:.3f}")]
        for name, value in rows:
            table.add_row(name, value)
        return table


def evaluate_topics(model: TopicModel, responses: pd.DataFrame, *,
                    stability_seed: int | None = None) -> TopicQuality:
    """NPMI, diversity and outlier shares of a fitted model; with ``stability_seed``,
    also refit with that seed and compare the two assignments (adjusted Rand index)."""
    from openends.topics.evaluate import npmi_coherence, stability, topic_diversity
    from openends.topics.model import _Answers
    from openends.topics.terms import term_documents

    answers = _Answers.of(responses)
    topics = [list(topic.words) for topic in model.topics_ if topic.topic >= 0 and topic.words]
    documents = term_documents(answers.lemmas)
    coherence = npmi_coherence(topics, documents).mean if topics else float("nan")
    diversity = topic_diversity(topics) if topics else float("nan")
    labels = model.assignments_["topic"].dropna().to_numpy(dtype=np.int64)
    modelled = max(len(labels), 1)
    agreement = None
    if stability_seed is not None:
        other = TopicModel(model.method, n_topics=model.n_topics, embedder=model._embedder(),
                           clustering=model.clustering, seed=stability_seed,
                           n_words=model.n_words, cache=model.cache).fit(responses)
        agreement = stability(labels, other.assignments_["topic"].dropna().to_numpy(np.int64))
    return TopicQuality(n_topics=sum(topic.topic >= 0 for topic in model.topics_),
                        npmi=coherence, diversity=diversity,
                        outliers_found=model.outliers_found_ / modelled,
                        outlier_share=float((labels < 0).mean()) if len(labels) else 0.0,
                        stability=agreement)


@dataclass
class TopicSummary:
    """The terminal summary of ``openends topics``: counts, one row per topic, quality."""

    topics: list[Topic]
    method: str
    n_responses: int
    n_modelled: int
    excluded: dict[str, int]
    quality: TopicQuality | None = None
    by: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    @classmethod
    def of(cls, model: TopicModel, responses: pd.DataFrame, *,
           quality: TopicQuality | None = None,
           by: Mapping[str, pd.DataFrame] | None = None) -> TopicSummary:
        assignments = model.assignments_
        excluded = (assignments.loc[assignments["topic"].isna(), "status"]
                    .value_counts().sort_index().to_dict())
        return cls(topics=model.topics_, method=model.method, n_responses=len(responses),
                   n_modelled=int(assignments["topic"].notna().sum()),
                   excluded={str(key): int(value) for key, value in excluded.items()},
                   quality=quality, by=by or {})

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "responses": self.n_responses,
                "modelled": self.n_modelled, "not_modelled": self.excluded,
                "topics": [topic.to_dict() for topic in self.topics],
                "quality": self.quality.to_dict() if self.quality else None,
                "by": {name: table.to_dict("records") for name, table in self.by.items()}}

    def __rich__(self) -> Group:
        left_out = ", ".join(f"{count:,} {status}" for status, count in self.excluded.items())
        header = Text(f"{len([t for t in self.topics if t.topic >= 0])} topics ({self.method}) "
                      f"in {self.n_modelled:,} of {self.n_responses:,} answers"
                      + (f"; not modelled: {left_out}" if left_out else ""))
        table = Table(show_lines=False, pad_edge=False, expand=False)
        table.add_column("topic", justify="right")
        table.add_column("size", justify="right")
        table.add_column("share", justify="right")
        table.add_column("label", overflow="fold", max_width=28)
        table.add_column("top words", overflow="fold", ratio=2)
        table.add_column("a representative answer", overflow="ellipsis", ratio=3)
        for topic in self.topics:
            example = topic.examples[0] if topic.examples else ""
            table.add_row(str(topic.topic), f"{topic.size:,}", f"{topic.share:.1%}",
                          topic.label, ", ".join(topic.words[:6]), _shortened(example))
        parts: list[Any] = [header, table]
        if self.quality is not None:
            parts.append(self.quality)
        for name, counts in self.by.items():
            parts.append(_by_table(name, counts))
        return Group(*parts)


def _shortened(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


def _by_table(name: str, counts: pd.DataFrame) -> Table:
    """Topics (rows) by the values of one attribute (columns): share of each group."""
    shares = counts.pivot(index="topic", columns=name, values="share").fillna(0.0)
    sizes = counts.groupby(name)["count"].sum()
    table = Table(title=f"Topic shares by {name}", title_justify="left", pad_edge=False)
    table.add_column("topic", justify="right")
    for value in shares.columns:
        table.add_column(f"{value}\n(n={sizes[value]:,})", justify="right")
    for topic, row in shares.iterrows():
        table.add_row(str(topic), *(f"{share:.0%}" for share in row))
    return table
