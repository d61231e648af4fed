"""``openends topics FILE --text COL -o DIR``: topics, assignments and the fitted model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from openends.cli.common import (
    AttrOption,
    IdOption,
    InputFile,
    JsonOption,
    SheetOption,
    TextOption,
    attrs_with,
    console,
    print_json,
    read_cleaned,
    reports_errors,
)
from openends.errors import ConfigError


def register(app: typer.Typer) -> None:
    app.command("topics")(topics_command)


def parse_n_topics(value: str) -> int | str:
    """``auto`` or a whole number of at least 2.

    Example:
        >>> parse_n_topics("auto"), parse_n_topics("12")
        ('auto', 12)
    """
    if value.strip().lower() == "auto":
        return "auto"
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"--n-topics must be 'auto' or a whole number, not {value!r}") from None
    if number < 2:
        raise ConfigError(f"--n-topics must be at least 2, not {number}")
    return number


@reports_errors
def topics_command(
    file: InputFile,
    text: TextOption,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")],
    id: IdOption = None,
    attr: AttrOption = None,
    sheet: SheetOption = None,
    method: Annotated[str, typer.Option(
        "--method", help="bertopic, nmf or lda.")] = "bertopic",
    embedder: Annotated[str, typer.Option(
        "--embedder", help="static, minilm, tfidf, or a local sentence-transformers folder "
        "(bertopic only).")] = "static",
    n_topics: Annotated[str, typer.Option(
        "--n-topics", help="'auto' or an exact number of topics.")] = "auto",
    clustering: Annotated[str, typer.Option(
        "--clustering", help="ward (deterministic) or hdbscan (UMAP + HDBSCAN, as "
        "BERTopic; bertopic only).")] = "ward",
    by: Annotated[list[str] | None, typer.Option(
        "--by", help="Attribute column to count topics by (repeatable).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every random step.")] = 0,
    evaluate: Annotated[bool, typer.Option(
        "--evaluate", help="Measure NPMI, diversity, outliers and stability across two "
        "seeds (fits twice).")] = False,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Do not read or write the embedding cache.")] = False,
    json: JsonOption = False,
) -> None:
    """Topics, assignments and the fitted model, with a terminal summary."""
    from openends.embed import EmbeddingCache, default_cache_dir
    from openends.topics import TopicModel, save_topic_model, topics_by
    from openends.topics.summary import TopicSummary, evaluate_topics

    wanted = parse_n_topics(n_topics)
    groups = list(dict.fromkeys(by or []))
    cleaned = read_cleaned(file, text=text, id=id, attrs=attrs_with(attr, groups),
                           sheet=sheet)
    cache = None if no_cache else EmbeddingCache(default_cache_dir() / "embeddings")
    model = TopicModel(method, n_topics=wanted, embedder=embedder, clustering=clustering,
                       seed=seed, cache=cache).fit(cleaned)
    counts = {name: topics_by(model.assignments_, cleaned, name) for name in groups}
    quality = evaluate_topics(model, cleaned, stability_seed=seed + 1) if evaluate else None
    extras: dict[str, Any] = {f"topics_by_{name}.csv": table for name, table in counts.items()}
    if quality is not None:
        extras["quality.json"] = quality.to_dict()
    save_topic_model(model, out, extras=extras)
    summary = TopicSummary.of(model, cleaned, quality=quality, by=counts)
    if json:
        print_json({**summary.to_dict(), "output": str(out)})
        return
    console().print(summary)
    console().print(f"\nWrote topics.json, assignments.csv and model/ to {out}")
