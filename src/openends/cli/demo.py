"""``openends demo``: ``openends run`` on the sample survey project in ``corpora/``.

Example:
    $ openends demo                 # writes the project's output folder, out/sample
    $ openends demo -o /tmp/sample --embedder tfidf
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from openends.cli.common import JsonOption, OutOption, console, print_json, reports_errors

if TYPE_CHECKING:
    from openends.config import ProjectConfig


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)


@reports_errors
def demo_command(
    out: OutOption = None,
    project: Annotated[Path | None, typer.Option(
        "--project", help="Project file to use instead of the sample project.")] = None,
    embedder: Annotated[str | None, typer.Option(
        "--embedder", help="Embedder for the topics and the semantic coder (static, minilm, "
        "tfidf or a folder) instead of the project's.")] = None,
    json: JsonOption = False,
) -> None:
    """Run the sample survey project and show its report (and agreement with hand codes)."""
    from openends.cli.run import show_progress
    from openends.config import load_project
    from openends.project.run import run_project
    from openends.sample import sample_project_path

    config = load_project(project or sample_project_path())
    if embedder is not None:
        config = with_embedder(config, embedder)
    result = run_project(config, output=out, progress=show_progress)
    if json:
        print_json({**result.to_dict(),
                    "agreement": result.agreement.to_dict() if result.agreement else None,
                    "report": result.report.to_dict() if result.report else None})
        return
    for shown in (result.agreement, result, result.report):
        if shown is not None:
            console().print(shown)
            console().print()
    if (result.output / "report.html").is_file():
        console().print(f"Open {result.output / 'report.html'} for the report with charts.")


def with_embedder(config: ProjectConfig, embedder: str) -> ProjectConfig:
    """The project with ``embedder`` for its topics and its semantic coder."""
    return config.model_copy(update={
        "topics": config.topics.model_copy(update={"embedder": embedder}),
        "coding": config.coding.model_copy(update={"embedder": embedder}),
    })
