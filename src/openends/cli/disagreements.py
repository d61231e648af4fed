"""``openends disagreements A B -o ADJUDICATE.xlsx``: the answers two codings disagree on.

Example:
    $ openends disagreements coded_by_ann.xlsx coded_by_ben.xlsx -o adjudicate.xlsx
    $ openends disagreements codes.csv hand_coded.csv --responses survey.csv --text answer \\
        --id id -o adjudicate.xlsx
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from openends.cli.agree import CodebookOption, read_codings
from openends.cli.common import (
    AttrOption,
    IdOption,
    JsonOption,
    SheetOption,
    console,
    print_json,
    read_cleaned,
    reports_errors,
)

if TYPE_CHECKING:
    import pandas as pd

    from openends.agreement.disagreements import Disagreements


def register(app: typer.Typer) -> None:
    app.command("disagreements")(disagreements_command)


def disagreements_to_sheet(first: Path, second: Path, out: Path, *,
                           codebook: Path | None = None, responses: Path | None = None,
                           text: list[str] | None = None, id: str | None = None,
                           attrs: list[str] | None = None, sheet: str | None = None,
                           only_disputed: bool = False, force: bool = False) -> Disagreements:
    """Read two codings, find where they differ and write the adjudication sheet."""
    from openends.agreement.disagreements import find_disagreements
    from openends.coding.codebook import load_codebook
    from openends.errors import ConfigError, OutputExistsError
    from openends.sheets import HOW_TO_SETTLE, check_sheet_path, write_coding_sheet

    check_sheet_path(out)
    if out.exists() and not force:
        raise OutputExistsError(out)
    book = load_codebook(codebook) if codebook is not None else None
    codings = read_codings([first, second], codebook=codebook)
    answers: dict[str, str] = {}
    for coding in codings:
        answers.update(coding.answers)
    context = None
    if responses is not None:
        if not text:
            raise ConfigError("--responses needs --text: the answer column(s) of the survey file")
        cleaned = read_cleaned(responses, text=text, id=id, attrs=attrs, sheet=sheet)
        answers.update(_shown_answers(cleaned))
        context = _context(cleaned, attrs)
    found = find_disagreements(codings[0], codings[1], answers=answers, context=context,
                               themes=book.ids if book is not None else None,
                               only_disputed=only_disputed)
    write_coding_sheet(found.table, out, themes=found.themes, codebook=book,
                       highlight=found.disputed, instructions=HOW_TO_SETTLE)
    return found


def _shown_answers(cleaned: pd.DataFrame) -> dict[str, str]:
    """Each answer's redacted text by id: personal data never reaches the sheet."""
    from openends.io import as_text

    return {as_text(answer): as_text(text)
            for answer, text in zip(cleaned["response_id"], cleaned["redacted_text"],
                                    strict=True)}


def _context(cleaned: pd.DataFrame, attrs: list[str] | None) -> pd.DataFrame:
    """``question`` (when there are several) and the ``--attr`` columns, by answer id."""
    from openends.sheets import context_columns

    return cleaned.assign(response_id=cleaned["response_id"].astype(str)).set_index(
        "response_id")[context_columns(cleaned, attrs)]


@reports_errors
def disagreements_command(
    first: Annotated[Path, typer.Argument(help="First coding (A).", show_default=False)],
    second: Annotated[Path, typer.Argument(help="Second coding (B).", show_default=False)],
    out: Annotated[Path, typer.Option(
        "-o", "--out", help="Adjudication sheet to write: .xlsx, .csv or .tsv.")],
    codebook: CodebookOption = None,
    responses: Annotated[Path | None, typer.Option(
        "--responses", help="Survey file with the answers' text, when neither coding is a "
        "coding sheet (with --text, --id, --attr).")] = None,
    text: Annotated[list[str] | None, typer.Option(
        "--text", help="Answer column of --responses; repeat for several questions.")] = None,
    id: IdOption = None,
    attr: AttrOption = None,
    sheet: SheetOption = None,
    only_disagreements: Annotated[bool, typer.Option(
        "--only-disagreements", help="List only the disputed answers (default: all answers "
        "both coded, disputed first, so the settled sheet is the whole consensus coding).")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUT if it exists.")] = False,
    json: JsonOption = False,
) -> None:
    """The answers two codings disagree on, as a sheet for a third person to settle.

    Disputed theme cells are blank and highlighted; type 0 or 1 in each. The settled
    sheet is a coding: train on it, or compare it with 'openends agree'.
    """
    found = disagreements_to_sheet(first, second, out, codebook=codebook, responses=responses,
                                   text=text, id=id, attrs=attr, sheet=sheet,
                                   only_disputed=only_disagreements, force=force)
    summary: dict[str, Any] = {**found.to_dict(), "output": str(out)}
    if json:
        print_json(summary)
        return
    console().print(found)
    console().print(f"\nWrote {out}: settle the highlighted cells (0 or 1), then e.g. "
                    f"openends train SURVEY --text COL --labels {out.name} -o MODEL")
