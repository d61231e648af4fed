"""``openends codebook draft TOPICS_DIR -o YML``: the ``codebook`` command group.

Commands of the group are added to :data:`codebook_app`: ``draft`` and ``check``.

Example:
    $ openends topics survey.csv --text answer -o topics
    $ openends codebook draft topics -o codebook.yml --min-size 10
    $ openends codebook check codebook.yml
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from openends.cli.common import JsonOption, print_json, reports_errors

codebook_app = typer.Typer(help="Draft and check codebooks.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(codebook_app, name="codebook")


def describe_skipped(skipped: dict[str, list[int]], min_size: int) -> str:
    """The part of the summary line about topics left out of the draft.

    Example:
        >>> describe_skipped({"outliers": [-1], "small": []}, 1)
        ' (1 skipped: outliers)'
        >>> describe_skipped({"outliers": [-1], "small": [7, 9]}, 10)
        ' (3 skipped: outliers, 2 with fewer than 10 answers)'
    """
    outliers, small = skipped["outliers"], skipped["small"]
    if not outliers and not small:
        return ""
    fewer = f"fewer than {min_size} answers"
    reasons = [
        *(["outliers"] if outliers else []),
        *([f"{len(small)} with {fewer}" if outliers else fewer] if small else []),
    ]
    return f" ({len(outliers) + len(small)} skipped: {', '.join(reasons)})"


@codebook_app.command("draft")
@reports_errors
def draft_command(
    topics_dir: Annotated[Path, typer.Argument(
        help="Folder written by 'openends topics' (with topics.json).", show_default=False)],
    out: Annotated[Path, typer.Option("-o", "--out", help="Codebook to write (.yml).")],
    name: Annotated[str | None, typer.Option(
        "--name", help="Codebook name (default: 'Draft codebook from <folder name>').")] = None,
    min_size: Annotated[int, typer.Option(
        "--min-size", min=1, help="Skip topics with fewer answers than this.")] = 1,
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUT if it exists.")] = False,
    json: JsonOption = False,
) -> None:
    """A draft codebook from topics, to review and edit."""
    from openends.topics.draft import draft_codebook, read_topics, skipped_topics, write_codebook

    codebook = draft_codebook(topics_dir, name=name, min_size=min_size)
    topics = read_topics(topics_dir)
    skipped = skipped_topics(topics, min_size=min_size)
    written = write_codebook(codebook, out, force=force)
    themes = codebook["themes"]
    if json:
        print_json({"name": codebook["name"], "themes": len(themes), "topics": len(topics),
                    "skipped": skipped, "min_size": min_size, "output": str(written)})
        return
    typer.echo(f"Drafted {len(themes)} theme{'' if len(themes) == 1 else 's'} from "
               f"{len(topics)} topic{'' if len(topics) == 1 else 's'}"
               f"{describe_skipped(skipped, min_size)} -> {written}")


@codebook_app.command("check")
@reports_errors
def check_command(
    codebook: Annotated[Path, typer.Argument(help="Codebook (.yml) to validate.",
                                             show_default=False)],
    json: JsonOption = False,
) -> None:
    """Validate a codebook and summarise it: themes, hierarchy, patterns, warnings."""
    from openends.cli.common import console
    from openends.coding.codebook import load_codebook
    from openends.coding.summary import CodebookSummary

    summary = CodebookSummary.of(load_codebook(codebook))
    if json:
        print_json(summary.to_dict())
        return
    console().print(summary)
