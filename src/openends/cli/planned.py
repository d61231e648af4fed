"""Commands of the specification that this version does not implement yet.

They exist so that ``openends --help`` shows the whole command line, and they
fail clearly (exit status 2) instead of doing something partial.
"""

from __future__ import annotations

from collections.abc import Callable

import typer

from openends.errors import NotBuiltError

PLANNED: dict[str, str] = {}
PLANNED_GROUPS: dict[str, dict[str, str]] = {}
_ANY_ARGUMENTS = {"allow_extra_args": True, "ignore_unknown_options": True}


def _not_built(name: str, summary: str) -> Callable[[typer.Context], None]:
    def command(context: typer.Context) -> None:
        typer.echo(f"error: {NotBuiltError(name)}", err=True)
        raise typer.Exit(NotBuiltError.exit_code)

    command.__doc__ = f"{summary} (not built yet)"
    return command


def register(app: typer.Typer) -> None:
    for name, summary in PLANNED.items():
        app.command(name, context_settings=_ANY_ARGUMENTS)(_not_built(name, summary))
    # A group with built commands (e.g. codebook) is already on the app: add to it.
    built = {info.name: info.typer_instance for info in app.registered_groups}
    for group, commands in PLANNED_GROUPS.items():
        sub = built.get(group)
        if sub is None:
            sub = typer.Typer(help=f"openends {group} commands.", no_args_is_help=True)
            app.add_typer(sub, name=group)
        for name, summary in commands.items():
            sub.command(name, context_settings=_ANY_ARGUMENTS)(
                _not_built(f"{group} {name}", summary))
