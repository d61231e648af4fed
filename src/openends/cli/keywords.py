"""``openends keywords FILE --text COL -o OUT``: top phrases, keyphrases per answer, or keyness."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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


def register(app: typer.Typer) -> None:
    app.command("keywords")(keywords_command)


@reports_errors
def keywords_command(
    file: InputFile,
    text: TextOption,
    out: Annotated[Path, typer.Option(
        "-o", "--out", help="Output table: .csv, .tsv, .parquet, .json, .jsonl or .xlsx.")],
    id: IdOption = None,
    attr: AttrOption = None,
    sheet: SheetOption = None,
    per_response: Annotated[bool, typer.Option(
        "--per-response", help="Keyphrases of every answer.")] = False,
    by: Annotated[str | None, typer.Option(
        "--by", help="Attribute column (wave, group, ...): the terms that mark each value "
        "against the others.")] = None,
    top: Annotated[int | None, typer.Option(
        "--top", help="Phrases per answer (10), per group (15) or overall (30).")] = None,
    method: Annotated[str, typer.Option(
        "--method", help="statistical (default, best measured), embedding or yake.")
    ] = "statistical",
    min_count: Annotated[int, typer.Option(
        "--min-count", help="With --by: answers a term needs over all groups.")] = 5,
    embedder: Annotated[str, typer.Option(
        "--embedder", help="Embedder of the embedding method: static, minilm or a folder.")
    ] = "static",
    json: JsonOption = False,
) -> None:
    """Keywords: the top phrases of all answers, each answer's keyphrases, or keyness by group."""
    from openends.embed import EmbeddingCache, default_cache_dir
    from openends.io import write_table
    from openends.keywords.find import find_keywords

    attrs = attrs_with(attr, [by] if by else [])
    cleaned = read_cleaned(file, text=text, id=id, attrs=attrs, sheet=sheet)
    cache = EmbeddingCache(default_cache_dir() / "embeddings") if method == "embedding" else None
    result = find_keywords(cleaned, by=by, per_response=per_response, method=method, top=top,
                           min_count=min_count, embedder=embedder, cache=cache)
    written = write_table(result.table, out)
    if json:
        print_json({**result.to_dict(), "output": str(written)})
        return
    console().print(result)
    console().print(f"\nWrote {written}")
