"""``openends models build [--out DIR] [--force]``.

Example:
    $ openends models build
    $ openends models build --out models/static --force --json
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from openends.cli.common import JsonOption, console, print_json, reports_errors


def register(app: typer.Typer) -> None:
    models = typer.Typer(help="Build the models that embed answers.", no_args_is_help=True)
    models.command("build")(build_command)
    app.add_typer(models, name="models")


@reports_errors
def build_command(
    out: Annotated[Path | None, typer.Option(
        "-o", "--out", help="Folder for the model (default: the cache's models folder).",
        show_default=False)] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Rebuild even when a verified model is already there.")] = False,
    json: JsonOption = False,
) -> None:
    """Build the static embedder from the installed model package."""
    from openends.embed.static import build_static_model, is_built, static_model_dir

    target = out if out is not None else static_model_dir()
    existed = is_built(target) and not force
    started = time.perf_counter()
    folder = build_static_model(target, force=force, progress=True)
    seconds = round(time.perf_counter() - started, 1)
    if json:
        print_json({"model": "static", "path": str(folder), "built": not existed,
                    "seconds": seconds})
    elif existed:
        _say(f"The static embedder in {folder} is already built and verified; "
             "use --force to build it again")
    else:
        _say(f"Built the static embedder in {folder} ({seconds:.0f} s)")


def _say(line: str) -> None:
    """One line on stdout; a path in it is neither wrapped nor read as markup."""
    console().print(line, soft_wrap=True, markup=False)
