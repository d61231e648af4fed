"""``openends inspect FILE``."""

from __future__ import annotations

from typing import Annotated

import typer

from openends.cli.common import (
    InputFile,
    JsonOption,
    SheetOption,
    console,
    print_json,
    reports_errors,
)


def register(app: typer.Typer) -> None:
    app.command("inspect")(inspect_command)


@reports_errors
def inspect_command(
    file: InputFile,
    sheet: SheetOption = None,
    samples: Annotated[int, typer.Option("--samples", min=0, help="Sample answers to show.")] = 5,
    no_redact: Annotated[bool, typer.Option("--no-redact", help="Show sample answers as written.")
                         ] = False,
    json: JsonOption = False,
) -> None:
    """Format, encoding, rows, columns with types and fill rates, likely answer columns."""
    from openends.io import inspect_file

    inspection = inspect_file(file, sheet=sheet, n_samples=samples, redact=not no_redact)
    if json:
        print_json(inspection.to_dict())
    else:
        console().print(inspection)
