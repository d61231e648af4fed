"""The ``openends`` command line: thin Typer commands over the library's functions.

Example:
    $ openends inspect corpora/police_2017.csv
    $ openends demo
"""

from __future__ import annotations

from typing import Annotated

import typer

from openends import __version__
from openends.cli import (
    agree,
    clean,
    code,
    codebook,
    demo,
    disagreements,
    init,
    inspect,
    keywords,
    models,
    report,
    run,
    sample,
    show,
    topics,
    train,
)
from openends.cli.common import set_debug

app = typer.Typer(
    name="openends",
    help="Analyse free-text answers to open-ended survey questions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"openends {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Analyse free-text answers to open-ended survey questions."""
    set_debug(debug)


inspect.register(app)
clean.register(app)
demo.register(app)
topics.register(app)
keywords.register(app)
code.register(app)
train.register(app)
codebook.register(app)
models.register(app)
sample.register(app)
agree.register(app)
disagreements.register(app)
report.register(app)
show.register(app)
run.register(app)
init.register(app)


def main() -> None:
    """Entry point of the ``openends`` console script."""
    app()
