"""``openends sample FILE --text COL --n N -o SHEET``: answers drawn for hand-coding, as a sheet.

Example:
    $ openends sample survey.csv --text answer --id id --attr wave --n 60 \\
        --strategy stratified --by wave --codebook codebook.yml -o sheet.xlsx
    $ openends sample survey.csv --text answer --n 40 --strategy uncertain \\
        --model models/coder --exclude hand_coded.csv -o more.xlsx
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from rich.text import Text

    from openends.coding.trained import TrainedCoder
    from openends.sampling import DrawnSample

_SHOWN_STRATA = 8


def register(app: typer.Typer) -> None:
    app.command("sample")(sample_command)


@dataclass(frozen=True)
class SampleRun:
    """What ``openends sample`` did: the answers drawn, the sheet's themes, where it went."""

    sample: DrawnSample
    themes: list[str]
    output: Path

    def to_dict(self) -> dict[str, Any]:
        return {**self.sample.to_dict(), "themes": list(self.themes),
                "output": str(self.output)}

    def __rich__(self) -> Text:
        from rich.text import Text

        sample = self.sample
        if sample.short:
            drawn = f"Drew all {sample.n:,} ok answers ({sample.requested:,} asked for)"
        elif sample.strategy == "uncertain":
            drawn = f"Drew the {sample.n:,} least certain of {sample.eligible:,} ok answers"
        else:
            drawn = f"Drew {sample.n:,} of {sample.eligible:,} ok answers"
        if sample.strategy == "stratified":
            groups = [f"{label} {count:,}" for label, count in sample.strata.items()]
            more = len(groups) - _SHOWN_STRATA
            shown = ", ".join(groups[:_SHOWN_STRATA]) + (f", and {more} more" if more > 0 else "")
            drawn += f" (stratified by {', '.join(sample.by)}: {shown})"
        elif sample.strategy == "random" and not sample.short:
            drawn += " at random"
        if sample.excluded:
            drawn += f"; {sample.excluded:,} already coded left out"
        return Text(f"{drawn} -> {self.output}\n", style="bold").append(
            f"Code it, then: openends agree {self.output} OTHER", style="")


def sample_to_sheet(file: Path, text: list[str], out: Path, n: int, *,
                    id: str | None = None, attrs: list[str] | None = None,
                    sheet: str | None = None, strategy: str = "random",
                    by: list[str] | None = None, seed: int = 0,
                    codebook: Path | None = None, model: Path | None = None,
                    exclude: Path | None = None, force: bool = False) -> SampleRun:
    """Read and clean the answers, draw ``n`` of them and write them as a coding sheet
    with a column per theme (of the codebook, else of the trained coder)."""
    from openends.coding.codebook import load_codebook
    from openends.errors import ConfigError, OutputExistsError
    from openends.sampling import check_sample_options, draw_sample
    from openends.sheets import check_sheet_path, context_columns, sheet_table, write_coding_sheet

    by = list(by or [])
    check_sample_options(n, strategy=strategy, by=by)
    check_sheet_path(out)
    if out.exists() and not force:
        raise OutputExistsError(out)
    if strategy == "uncertain" and model is None:
        raise ConfigError("--strategy uncertain needs --model: the trained coder whose least "
                          "certain answers to draw")
    book = load_codebook(codebook) if codebook is not None else None
    coder = _load_coder(model) if model is not None else None
    if book is not None:
        themes = book.ids
    elif coder is not None:
        themes = list(coder.themes_)
    else:
        raise ConfigError("give --codebook (or --model) so the sheet has a column per theme")
    skip = _coded_ids(exclude) if exclude is not None else set()
    cleaned = read_cleaned(file, text=text, id=id, attrs=attrs_with(attrs, by), sheet=sheet)
    uncertainty = None
    if strategy == "uncertain" and coder is not None:
        uncertainty = _uncertainty(coder, cleaned)
    sample = draw_sample(cleaned, n, strategy=strategy, by=by, seed=seed,
                         uncertainty=uncertainty, exclude=skip)
    if not sample.n:
        left_out = f" ({sample.excluded:,} already coded)" if sample.excluded else ""
        raise ConfigError(f"{Path(file).name}: no ok answers left to draw{left_out}; "
                          "nothing was written")
    table = sheet_table(cleaned, sample.rows, themes, context_columns(cleaned, attrs, by))
    written = write_coding_sheet(table, out, themes=themes, codebook=book)
    return SampleRun(sample, themes, written)


def _load_coder(model: Path) -> TrainedCoder:
    from openends.coding.store import load_trained_coder

    return load_trained_coder(model)


def _coded_ids(path: Path) -> set[str]:
    """The ``response_id`` values of a codes file (answers already coded)."""
    from openends.errors import UnknownColumnError
    from openends.io import read_table
    from openends.io.responses import as_text
    from openends.sheets import ID_COLUMN, restore

    codes, _ = read_table(path)
    if ID_COLUMN not in codes.columns:
        raise UnknownColumnError(ID_COLUMN, list(codes.columns), path=path)
    # A CSV coding sheet's ids may carry the apostrophe that keeps them from being formulas.
    return {restore(as_text(value).strip()) for value in codes[ID_COLUMN]} - {""}


def _uncertainty(coder: TrainedCoder, cleaned: pd.DataFrame) -> np.ndarray:
    """One minus the coder's confidence that an answer's whole code set is right, per row
    (NaN for answers that are not ok)."""
    import numpy as np

    from openends.coding.base import CodingInput

    answers = CodingInput.of(cleaned)
    uncertainty = np.full(len(cleaned), np.nan)
    if len(answers):
        uncertainty[answers.positions] = 1.0 - coder.confidence(answers.texts,
                                                                questions=answers.questions)
    return uncertainty


@reports_errors
def sample_command(
    file: InputFile,
    text: TextOption,
    n: Annotated[int, typer.Option("--n", "-n", help="How many answers to draw.",
                                   show_default=False)],
    out: Annotated[Path, typer.Option(
        "-o", "--out", help="Coding sheet: .xlsx (with the codebook and instructions), "
        ".csv or .tsv.", show_default=False)],
    id: IdOption = None,
    attr: AttrOption = None,
    sheet: SheetOption = None,
    strategy: Annotated[str, typer.Option(
        "--strategy", help="random, stratified (by --by) or uncertain (where --model is "
        "least sure).")] = "random",
    by: Annotated[list[str] | None, typer.Option(
        "--by", help="Column to stratify by (repeatable); also shown in the sheet.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the draw.")] = 0,
    codebook: Annotated[Path | None, typer.Option(
        "--codebook", help="Codebook (.yml): a column per theme, and the codebook sheet.")
    ] = None,
    model: Annotated[Path | None, typer.Option(
        "--model", help="Trained coder folder: its themes (without --codebook) and, for "
        "--strategy uncertain, its confidence.")] = None,
    exclude: Annotated[Path | None, typer.Option(
        "--exclude", help="Codes file whose response_id answers are already coded: not drawn.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUT if it exists.")] = False,
    json: JsonOption = False,
) -> None:
    """Answers drawn for hand-coding, as a coding sheet."""
    run = sample_to_sheet(file, text, out, n, id=id, attrs=attr, sheet=sheet,
                          strategy=strategy, by=by, seed=seed, codebook=codebook, model=model,
                          exclude=exclude, force=force)
    if json:
        print_json(run.to_dict())
        return
    console().print(run)
