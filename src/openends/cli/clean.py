"""``openends clean FILE --text COL -o OUT``."""

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
    reports_errors,
)


def register(app: typer.Typer) -> None:
    app.command("clean")(clean_command)


def _codes(values: list[str] | None) -> tuple[str, ...] | None:
    """Language codes from repeated and comma-separated options; None when not given."""
    if not values:
        return None
    return tuple(code.strip().lower() for value in values for code in value.split(",") if code)


@reports_errors
def clean_command(
    file: InputFile,
    text: TextOption,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output table (.parquet, .csv, ...).")],
    id: IdOption = None,
    attr: AttrOption = None,
    sheet: SheetOption = None,
    expect: Annotated[list[str] | None, typer.Option(
        "--expect", help="Expected language(s), ISO 639-1 (default: en).")] = None,
    languages: Annotated[list[str] | None, typer.Option(
        "--languages", help="Languages the detector chooses from (default: en,sv,de,fr,es).")
    ] = None,
    non_answer: Annotated[list[str] | None, typer.Option(
        "--non-answer", help="Extra whole-answer phrase that means no answer (repeatable).")
    ] = None,
    redact_term: Annotated[list[str] | None, typer.Option(
        "--redact-term", help="A name of an organisation or place to redact (repeatable).")
    ] = None,
    no_redact: Annotated[bool, typer.Option("--no-redact", help="Keep personal data.")] = False,
    spacy_model: Annotated[str | None, typer.Option(
        "--spacy-model", help="Installed spaCy pipeline (lemmas; person names with NER).")
    ] = None,
    json: JsonOption = False,
) -> None:
    """The responses table with statuses and a summary of what cleaning did."""
    from openends.clean import CleaningOptions, clean_responses, for_export
    from openends.io import read_responses, write_table

    responses, _ = read_responses(file, text=text, id=id, attrs=attr, sheet=sheet)
    chosen = {"expected_languages": _codes(expect), "languages": _codes(languages)}
    options = CleaningOptions(
        **{key: value for key, value in chosen.items() if value is not None},
        non_answers=tuple(non_answer or ()), redact=not no_redact,
        redact_terms=tuple(redact_term or ()), spacy_model=spacy_model,
    )
    cleaned, summary = clean_responses(responses, options)
    written = write_table(for_export(cleaned, options), out)
    if json:
        print_json({**summary.to_dict(), "output": str(written)})
        return
    console().print(summary)
    console().print(f"\nWrote {len(cleaned):,} rows to {written}")
