"""``openends code FILE --text COL (--codebook YML | --model DIR) -o OUT``: codes."""

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
    console,
    print_json,
    read_cleaned,
    reports_errors,
)


def register(app: typer.Typer) -> None:
    app.command("code")(code_command)


@reports_errors
def code_command(
    file: InputFile,
    text: TextOption,
    out: Annotated[Path, typer.Option(
        "-o", "--out", help="Codes table: .csv, .tsv, .parquet, .json, .jsonl or .xlsx.")],
    codebook: Annotated[Path | None, typer.Option(
        "--codebook", help="Codebook (.yml): rules and semantic matching.")] = None,
    model: Annotated[Path | None, typer.Option(
        "--model", help="Trained coder folder (from 'openends train').")] = None,
    id: IdOption = None,
    attr: AttrOption = None,
    sheet: SheetOption = None,
    wide: Annotated[bool, typer.Option(
        "--wide", help="One row per answer, one 0/1 column per theme.")] = False,
    min_precision: Annotated[float | None, typer.Option(
        "--min-precision", help="With --model: mark an answer 'auto' when answers like it "
        "get their whole code set right at least this often, else 'review'.")] = None,
    embedder: Annotated[str, typer.Option(
        "--embedder", help="Embedder of the semantic coder: static, minilm or a folder.")
    ] = "static",
    no_semantic: Annotated[bool, typer.Option(
        "--no-semantic", help="Rules only (no embeddings) for a codebook.")] = False,
    json: JsonOption = False,
) -> None:
    """Codes for every answer, with evidence and confidence, and a summary per theme."""
    from openends.coding.codebook import load_codebook
    from openends.coding.combine import code_responses
    from openends.embed import EmbeddingCache, default_cache_dir
    from openends.io import write_table

    book = load_codebook(codebook) if codebook else None
    coder = None
    if model is not None:
        from openends.coding.store import load_trained_coder

        coder = load_trained_coder(model)
    cleaned = read_cleaned(file, text=text, id=id, attrs=attr, sheet=sheet)
    result = code_responses(cleaned, codebook=book, model=coder, semantic=not no_semantic,
                            embedder=embedder, min_precision=min_precision,
                            cache=EmbeddingCache(default_cache_dir() / "embeddings"))
    written = write_table(result.wide() if wide else result.long(), out)
    if json:
        print_json({**result.to_dict(), "output": str(written)})
        return
    console().print(result)
    console().print(f"\nWrote {written}")
