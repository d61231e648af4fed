"""What every command shares: error handling, options, JSON and console output."""

from __future__ import annotations

import functools
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from openends.errors import OpenendsError

if TYPE_CHECKING:
    import pandas as pd

F = TypeVar("F", bound=Callable[..., Any])

InputFile = Annotated[Path, typer.Argument(help="Survey file: CSV, TSV, XLSX, Parquet, JSONL, "
                                           ".sav or .dta.", show_default=False)]
SheetOption = Annotated[str | None, typer.Option("--sheet", help="Workbook sheet to read.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON summary on stdout.")]
OutOption = Annotated[Path | None, typer.Option("-o", "--out", help="Output file or folder.")]
TextOption = Annotated[list[str], typer.Option(
    "--text", help="Answer column; repeat for several questions, or NAME=COLUMN.")]
IdOption = Annotated[str | None, typer.Option("--id", help="Respondent id column.")]
AttrOption = Annotated[list[str] | None, typer.Option(
    "--attr", help="Attribute column to keep (repeatable), or NAME=COLUMN.")]


def attrs_with(attrs: list[str] | None, groups: list[str]) -> list[str] | None:
    """The ``--attr`` columns plus each ``--by`` column not named yet (columns a
    multi-question read makes itself, ``question`` and ``respondent_id``, need no reading).

    Example:
        >>> attrs_with(["region=Q1"], ["region", "wave", "question"])
        ['region=Q1', 'wave']
    """
    chosen = list(attrs or [])
    for name in groups:
        if name not in {"question", "respondent_id"} and not any(
                attr.split("=")[0] == name for attr in chosen):
            chosen.append(name)
    return chosen or None


def read_cleaned(file: Path, *, text: list[str], id: str | None, attrs: list[str] | None,
                 sheet: str | None) -> pd.DataFrame:
    """The answers of ``file``, read and cleaned with the default options: what every
    command that analyses answers starts from."""
    from openends.clean import clean_responses
    from openends.io import read_responses

    responses, _ = read_responses(file, text=text, id=id, attrs=attrs, sheet=sheet)
    cleaned: pd.DataFrame = clean_responses(responses)[0]
    return cleaned


def console() -> Console:
    """The stdout console; plain text (no colour) when stdout is not a terminal."""
    return Console(highlight=False, soft_wrap=False)


def print_json(data: Any) -> None:
    """One machine-readable object on stdout (NaN and infinities as null: valid JSON)."""
    sys.stdout.write(json.dumps(json_safe(data), ensure_ascii=False, indent=2, default=str)
                     + "\n")


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float replaced by None.

    Example:
        >>> json_safe({"a": [1.0, float("nan")], "b": "x"})
        {'a': [1.0, None], 'b': 'x'}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


_state = {"debug": False}


def set_debug(debug: bool) -> None:
    """Set by the root command's ``--debug`` option."""
    _state["debug"] = debug


def is_debug() -> bool:
    return _state["debug"]


def reports_errors(command: F) -> F:
    """Turn openends errors into one line on stderr and exit status 2 (1 for bugs)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.BadParameter):
            raise
        except OpenendsError as error:
            if is_debug():
                raise
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("interrupted; nothing was written", err=True)
            raise typer.Exit(130) from None
        except Exception as error:
            if is_debug():
                raise
            typer.echo(f"internal error ({type(error).__name__}); this is a bug in openends. "
                       "Run again with --debug for the traceback and report it", err=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]
