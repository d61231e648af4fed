"""``openends init FILE... -o PROJECT.toml``: draft a project file from data files.

Example:
    $ openends init police_2017.csv police_2018.xlsx employer_2018.csv -o project.toml
    $ openends run project.toml
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from openends.cli.common import JsonOption, console, print_json, reports_errors


def register(app: typer.Typer) -> None:
    app.command("init")(init_command)


@reports_errors
def init_command(
    files: Annotated[list[Path], typer.Argument(
        help="Survey files, one wave each: CSV, TSV, XLSX, Parquet, JSONL, .sav or .dta.",
        show_default=False)],
    out: Annotated[Path, typer.Option("-o", "--out", help="Project file to write (.toml).")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUT if it exists.")] = False,
    json: JsonOption = False,
) -> None:
    """Draft a project file from data files: waves, answer columns, ids and attributes."""
    from openends.project.draft import check_target, draft_project, write_draft

    check_target(out, force=force)  # before reading the data, which may take a while
    draft = draft_project(files, out)
    write_draft(draft, out, force=force)
    if json:
        print_json(draft.to_dict())
    else:
        console().print(draft)
