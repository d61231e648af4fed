"""``openends demo``: the sample survey project in ``corpora/``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from openends.cli.common import JsonOption, OutOption, console, print_json, reports_errors


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)


@reports_errors
def demo_command(
    out: OutOption = None,
    project: Annotated[Path | None, typer.Option(
        "--project", help="Project file to use instead of the sample project.")] = None,
    json: JsonOption = False,
) -> None:
    """Run openends on the sample survey project and show what it finds."""
    from openends.clean import clean_responses, for_export
    from openends.config import load_project
    from openends.io import write_table
    from openends.pipeline import cleaning_options, read_project
    from openends.sample import sample_project_path

    config = load_project(project or sample_project_path())
    survey = read_project(config)
    options = cleaning_options(config)
    cleaned, cleaning = clean_responses(survey.responses, options)
    written = (write_table(for_export(cleaned, options), out / "responses.parquet")
               if out else None)
    if json:
        print_json({**survey.to_dict(), "cleaning": cleaning.to_dict(),
                    "outputs": [str(written)] if written else []})
        return
    console().print(survey)
    console().print()
    console().print(cleaning)
    if written:
        console().print(f"\nWrote {len(survey.responses):,} responses to {written}")
