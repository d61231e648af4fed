"""``openends run PROJECT.toml``: the whole pipeline of a survey project.

Example:
    $ openends run survey/project.toml
    $ openends run survey/project.toml --only report --json > summary.json
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from openends.cli.common import JsonOption, OutOption, console, print_json, reports_errors

if TYPE_CHECKING:
    from openends.project.run import RunResult, StepRecord


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)


@reports_errors
def run_command(
    project: Annotated[Path, typer.Argument(help="The project file (TOML).")],
    only: Annotated[str | None, typer.Option(
        "--only", help="Run one step (read, clean, topics, code, keywords, stats, report); "
        "the other outputs of the previous run are kept.")] = None,
    out: OutOption = None,
    engine: Annotated[str | None, typer.Option(
        "--engine", help="Where the steps run: local (this process) or dask (partitions on "
        "a Dask cluster). Default: the project's [engine] name, else local.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="With --engine dask: a running Dask scheduler's address (e.g. "
        "tcp://10.0.0.5:8786). Default: a local cluster sized to this machine.")] = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No report on the terminal, only the run summary.")] = False,
    json: JsonOption = False,
) -> None:
    """Run a survey project: read, clean, topics, code, keywords, stats, report."""
    result = run_and_show(project, only=only, out=out, quiet=quiet, json=json, engine=engine,
                          scheduler=scheduler)
    if json:
        print_json(result.to_dict())


def run_and_show(project: Path, *, only: str | None = None, out: Path | None = None,
                 quiet: bool = False, json: bool = False, engine: str | None = None,
                 scheduler: str | None = None) -> RunResult:
    """Run with progress on stderr; then the run summary and (unless ``quiet``) the report,
    or nothing for ``json`` (the caller prints the summary object)."""
    from openends.project.run import run_project

    result = run_project(project, only=only, output=out, progress=show_progress,
                         engine=engine, scheduler=scheduler)
    if json:
        return result
    console().print(result)
    if not quiet and result.report is not None and (only is None or
                                                    only in {"stats", "report"}):
        console().print()
        console().print(result.report)
    return result


def show_progress(step: str, index: int, total: int, record: StepRecord | None) -> None:
    """One line per finished step on stderr; on a terminal also the step now running."""
    terminal = sys.stderr.isatty()
    if record is None:
        if terminal:
            sys.stderr.write(f"[{index}/{total}] {step} ...\r")
            sys.stderr.flush()
        return
    cached = ", from the cache" if record.cached else ""
    line = f"[{index}/{total}] {step}: {record.detail} ({record.seconds:.1f} s{cached})"
    sys.stderr.write(("\x1b[2K" if terminal else "") + line + "\n")
    sys.stderr.flush()
