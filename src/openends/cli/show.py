"""``openends show THEME --codes CODES --responses FILE --text COL``: the answers coded with
a theme, evidence highlighted, paged in the terminal.

Example:
    $ openends show encryption --codes codes.csv --responses corpora/police_2017.csv \\
        --text tech=Q4 --text help=Q5 --id ResponseId --where question=tech
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from openends.cli.common import (
    AttrOption,
    IdOption,
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

if TYPE_CHECKING:
    from openends.show import ThemeAnswers


def register(app: typer.Typer) -> None:
    app.command("show")(show_command)


def parse_where(filters: list[str] | None) -> dict[str, str]:
    """``COLUMN=VALUE`` filters as ``{column: value}``.

    Example:
        >>> parse_where(["wave=2019", "question = tech"])
        {'wave': '2019', 'question': 'tech'}
    """
    where: dict[str, str] = {}
    for item in filters or []:
        column, equals, value = item.partition("=")
        column = column.strip()
        if not equals or not column:
            raise ConfigError(f"--where takes COLUMN=VALUE (e.g. --where wave=2019), not {item!r}")
        if column in where:
            raise ConfigError(f"--where names column {column!r} twice; give each column once")
        where[column] = value.strip()
    return where


def show_answers(theme: str, codes: Path, responses: Path, *, text: list[str],
                 id: str | None = None, attrs: list[str] | None = None,
                 sheet: str | None = None, where: list[str] | None = None,
                 limit: int | None = None) -> ThemeAnswers:
    """Read the responses and codes, and find the answers coded with ``theme``
    (:func:`openends.show.show_theme`)."""
    from openends.show import show_theme

    filters = parse_where(where)
    cleaned = read_cleaned(responses, text=text, id=id, sheet=sheet,
                           attrs=attrs_with(attrs, list(filters)))
    return show_theme(theme, codes, cleaned, where=filters, limit=limit)


@reports_errors
def show_command(
    theme: Annotated[str, typer.Argument(help="Theme id, as in the codes.", show_default=False)],
    codes: Annotated[Path, typer.Option(
        "--codes", help="Codes file (long or wide, e.g. from 'openends code') or coding sheet.")],
    responses: Annotated[Path, typer.Option(
        "--responses", help="Survey file the codes were made from.")],
    text: TextOption,
    id: IdOption = None,
    attr: AttrOption = None,
    sheet: SheetOption = None,
    where: Annotated[list[str] | None, typer.Option(
        "--where", help="Only answers whose column has this value, e.g. wave=2019 "
        "(repeatable).")] = None,
    limit: Annotated[int | None, typer.Option(
        "--limit", min=0, help="Show at most this many answers.")] = None,
    no_pager: Annotated[bool, typer.Option(
        "--no-pager", help="Print straight to the terminal instead of paging.")] = False,
    json: JsonOption = False,
) -> None:
    """Every answer coded with a theme, its evidence highlighted (redacted text only)."""
    found = show_answers(theme, codes, responses, text=text, id=id, attrs=attr, sheet=sheet,
                         where=where, limit=limit)
    if json:
        print_json(found.to_dict())
        return
    out = console()
    if no_pager or not sys.stdout.isatty():
        out.print(found)
        return
    # less shows the highlights only when told to pass colours through (as git does).
    os.environ.setdefault("LESS", "-R")
    with out.pager(styles=True):
        out.print(found)
