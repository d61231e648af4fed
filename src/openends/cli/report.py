"""``openends report CODES --responses FILE --text COL``: the theme-prevalence report.

Example:
    $ openends code survey.csv --text answer --attr wave --codebook book.yml -o codes.csv
    $ openends report codes.csv --responses survey.csv --text answer --wave wave
    $ openends report codes.csv --responses survey.csv --text answer --by region -o report.md
    $ openends report codes.csv --project corpora/project.toml --by group -o tables/
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from openends.cli.common import (
    AttrOption,
    IdOption,
    JsonOption,
    OutOption,
    SheetOption,
    attrs_with,
    console,
    print_json,
    read_cleaned,
    reports_errors,
)
from openends.errors import ConfigError
from openends.report.build import DEFAULT_WAVE

if TYPE_CHECKING:
    import pandas as pd

    from openends.coding.codebook import Codebook



def register(app: typer.Typer) -> None:
    app.command("report")(report_command)


@reports_errors
def report_command(
    codes: Annotated[Path, typer.Argument(
        help="Codes: a long or wide codes file or a coding sheet (e.g. from 'openends code').",
        show_default=False)],
    responses: Annotated[Path | None, typer.Option(
        "--responses", help="The survey file the codes are of (read and cleaned as "
        "'openends code' does).")] = None,
    text: Annotated[list[str] | None, typer.Option(
        "--text", help="Answer column of --responses; repeat for several questions, or "
        "QUESTION=COLUMN.")] = None,
    id: IdOption = None,
    attr: AttrOption = None,
    sheet: SheetOption = None,
    project: Annotated[Path | None, typer.Option(
        "--project", help="Project file (.toml): read its waves instead of --responses; its "
        "codebook and hand-coded reference are used unless given.")] = None,
    by: Annotated[list[str] | None, typer.Option(
        "--by", help="Attribute column to split each theme by (repeatable).")] = None,
    wave: Annotated[str | None, typer.Option(
        "--wave", help="Column of ordered waves (default: 'wave' when the answers have it).")
    ] = None,
    codebook: Annotated[Path | None, typer.Option(
        "--codebook", help="Codebook (.yml): labels, hierarchy, and each theme's question "
        "(its base).")] = None,
    reference: Annotated[Path | None, typer.Option(
        "--reference", help="Hand codes of some of the answers: the report shows the codes' "
        "agreement with them.")] = None,
    base: Annotated[str, typer.Option(
        "--base", help="What a share is of: answers (substantive), all (every answer row) or "
        "respondents.")] = "answers",
    correction: Annotated[str, typer.Option(
        "--correction", help="Multiple-testing correction across all tests: holm, bh or none.")
    ] = "holm",
    format: Annotated[str | None, typer.Option(
        "--format", help="terminal, md, html, csv, json or parquet (default: from -o's "
        "extension; a folder gets CSV tables; no -o prints to the terminal).")] = None,
    out: OutOption = None,
    title: Annotated[str | None, typer.Option("--title", help="Title of the report.")] = None,
    json: JsonOption = False,
) -> None:
    """The theme-prevalence report: shares with bases and 95% intervals, changes across
    waves tested and corrected, keywords, redacted quotes."""
    from openends.coding.codebook import load_codebook
    from openends.report.build import build_report
    from openends.report.tables import FORMATS, TABLE_FORMATS, infer_format, write_report

    chosen = format or infer_format(out)
    if chosen not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}, not {format!r}")
    if chosen in TABLE_FORMATS and out is None:
        raise ConfigError(f"--format {chosen} writes one file per table: give a folder with -o")
    groups = list(by or [])
    if wave is None and responses is not None and project is None:
        wave = _default_wave(responses, sheet)
    cleaned, settings = _answers(responses, project, text=text or [], id=id,
                                 attrs=attrs_with(attr, [*groups, *([wave] if wave else [])]),
                                 sheet=sheet)
    codebook = codebook or settings.get("codebook")
    reference = reference or settings.get("reference")
    book = load_codebook(codebook) if codebook is not None else None
    wide, evidence = read_codes(codes, cleaned, book)
    quality = coding_quality(wide, reference, cleaned) if reference is not None else None
    report = build_report(wide, cleaned, codebook=book, evidence=evidence,
                          wave=wave or DEFAULT_WAVE, by=groups, base=base, correction=correction,
                          title=title or settings.get("title") or f"Theme prevalence: {codes.name}",
                          quality=quality)
    written = [] if json and out is None else write_report(report, out, chosen)
    if json:
        print_json({**report.to_dict(), "outputs": [str(path) for path in written]})
        return
    for path in written:
        console().print(f"Wrote {path}")


def _answers(responses: Path | None, project: Path | None, *, text: list[str],
             id: str | None, attrs: list[str] | None, sheet: str | None,
             ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The cleaned answers, and what a project file says (codebook, reference, title)."""
    if project is not None and responses is not None:
        raise ConfigError("give --responses or --project, not both")
    if project is not None:
        from openends.clean import clean_responses
        from openends.config import load_project
        from openends.pipeline import cleaning_options, read_project

        config = load_project(project)
        cleaned = clean_responses(read_project(config).responses, cleaning_options(config))[0]
        settings: dict[str, Any] = {"title": config.name}
        for name in ("codebook", "reference"):
            value = getattr(config.coding, name)
            if value is not None:
                settings[name] = config.path(value)
        return cleaned, settings
    if responses is None:
        raise ConfigError("give the survey file the codes are of: --responses FILE --text "
                          "COLUMN (or a project file with --project)")
    if not text:
        raise ConfigError("choose the answer column of --responses with --text")
    return read_cleaned(responses, text=text, id=id, attrs=attrs, sheet=sheet), {}


def read_codes(codes: Path, cleaned: pd.DataFrame, codebook: Codebook | None,
               ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Wide codes of the answers (``response_id`` and one 0/1 column per theme) from any
    codes file, and its long rows with evidence when it has them (for quotes)."""
    from openends.coding.codings import read_coding
    from openends.coding.labels import labels_of

    coding = read_coding(codes, themes=codebook.ids if codebook is not None else None)
    labels = labels_of(coding, cleaned)
    substantive = cleaned["status"] == "ok"
    uncoded = substantive & ~cleaned.index.isin(labels.index)
    if uncoded.any():
        example = cleaned.loc[uncoded, "response_id"].iloc[0]
        raise ConfigError(
            f"{codes.name}: {int(uncoded.sum()):,} of {int(substantive.sum()):,} substantive "
            f"answers have no codes (e.g. {example!r}); code every answer of the survey file "
            "(openends code), with the same --text, --id and --sheet")
    wide = labels.reset_index(drop=True)
    wide.insert(0, "response_id", cleaned.loc[labels.index, "response_id"].astype(str).to_numpy())
    return wide, coding.evidence


def coding_quality(wide: pd.DataFrame, reference: Path,
                   cleaned: pd.DataFrame) -> dict[str, Any]:
    """Agreement of the codes with hand codes of some answers, as a report's ``quality``
    (:func:`openends.pipeline.agreement_with_reference`, as the demo measures it)."""
    from openends.pipeline import agreement_with_reference
    from openends.report.build import quality_from_agreement

    agreement = agreement_with_reference(wide, cleaned, reference)
    return quality_from_agreement(agreement, against=reference.name)


def _default_wave(responses: Path, sheet: str | None) -> str | None:
    """``wave`` when the survey file has a column of that name (the ``--wave`` default)."""
    from openends.io import read_table

    header, _ = read_table(responses, sheet=sheet)
    return DEFAULT_WAVE if DEFAULT_WAVE in {str(column) for column in header.columns} else None
