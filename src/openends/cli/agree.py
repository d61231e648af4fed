"""``openends agree A B [C ...]``: agreement between codings, per theme and overall.

Example:
    $ openends agree coded_by_ann.xlsx coded_by_ben.xlsx
    $ openends agree codes.csv hand_coded.csv --codebook codebook.yml -o agreement.csv
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from openends.cli.common import JsonOption, console, print_json, reports_errors

if TYPE_CHECKING:
    from openends.agreement import Agreement
    from openends.coding.codings import Coding

CodingFiles = Annotated[list[Path], typer.Argument(
    help="Codings: codes files (long or wide) or coding sheets, e.g. from 'openends code' "
    "or 'openends sample'.", show_default=False)]
CodingIdOption = Annotated[str | None, typer.Option(
    "--id", help="Id column of the codings (default: response_id; without one, rows align "
    "by position).")]
CodebookOption = Annotated[Path | None, typer.Option(
    "--codebook", help="Codebook (.yml): its theme ids are the columns every coding must use.")]


def register(app: typer.Typer) -> None:
    app.command("agree")(agree_command)


def read_codings(files: list[Path], *, id: str | None = None,
                 codebook: Path | None = None) -> list[Coding]:
    """Each file as a :class:`~openends.coding.codings.Coding` named after it."""
    from openends.coding.codebook import load_codebook
    from openends.coding.codings import read_coding

    themes = load_codebook(codebook).ids if codebook is not None else None
    return [read_coding(file, id_column=id, themes=themes) for file in files]


def agreement_of_files(files: list[Path], *, id: str | None = None,
                       codebook: Path | None = None, resamples: int = 1000,
                       seed: int = 0) -> Agreement:
    """Read the codings and measure their agreement (:func:`openends.agreement.agree`)."""
    from openends.agreement import agree
    from openends.errors import ConfigError

    if len(files) < 2:
        raise ConfigError("give two or more codings to compare, e.g. openends agree A B")
    return agree(read_codings(files, id=id, codebook=codebook), resamples=resamples, seed=seed)


@reports_errors
def agree_command(
    codings: CodingFiles,
    id: CodingIdOption = None,
    codebook: CodebookOption = None,
    out: Annotated[Path | None, typer.Option(
        "-o", "--out", help="Write the statistics table: .csv, .tsv, .parquet, .json or .xlsx."
    )] = None,
    resamples: Annotated[int, typer.Option(
        "--resamples", min=100, help="Bootstrap resamples behind the 95% intervals.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 0,
    json: JsonOption = False,
) -> None:
    """Agreement between two or more codings: per theme and overall, with 95% intervals.

    Percent agreement, Krippendorff's alpha and Gwet's AC1 for any number of codings
    (missing codes allowed); with two, Cohen's kappa and precision/recall/F1 of the
    first against the second. Themes below a kappa (or alpha) of 0.6 are flagged.
    """
    from openends.io import write_table

    result = agreement_of_files(codings, id=id, codebook=codebook, resamples=resamples,
                                seed=seed)
    written = write_table(result.table, out) if out is not None else None
    if json:
        print_json({**result.to_dict(), "output": str(written) if written else None})
        return
    console().print(result)
    if written is not None:
        console().print(f"\nWrote {written}")
