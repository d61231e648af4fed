"""``openends demo``: the sample survey project in ``corpora/``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from openends.cli.common import JsonOption, OutOption, console, print_json, reports_errors

if TYPE_CHECKING:
    import pandas as pd

    from openends.keywords.find import KeywordResult
    from openends.report.model import Report


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)


@reports_errors
def demo_command(
    out: OutOption = None,
    project: Annotated[Path | None, typer.Option(
        "--project", help="Project file to use instead of the sample project.")] = None,
    embedder: Annotated[str, typer.Option(
        "--embedder", help="Embedder for the topics and the semantic coder: static, minilm, "
        "tfidf or a folder.")
    ] = "static",
    json: JsonOption = False,
) -> None:
    """Run openends on the sample survey project and show what it finds."""
    from openends.clean import clean_responses, for_export
    from openends.config import load_project
    from openends.io import write_table
    from openends.pipeline import (
        cleaning_options,
        code_project,
        project_report,
        read_project,
        reference_agreement,
    )
    from openends.sample import sample_project_path
    from openends.topics import TopicModel, save_topic_model, topics_by
    from openends.topics.summary import TopicSummary, evaluate_topics

    config = load_project(project or sample_project_path())
    survey = read_project(config)
    options = cleaning_options(config)
    cleaned, cleaning = clean_responses(survey.responses, options)
    model = TopicModel(embedder=embedder, seed=config.seed).fit(cleaned)
    by = {name: topics_by(model.assignments_, cleaned, name) for name in ("question", "wave")}
    topics = TopicSummary.of(model, cleaned, quality=evaluate_topics(model, cleaned), by=by)
    marks = wave_keywords(cleaned)
    coding = code_project(config, cleaned, embedder=embedder)
    agreement = reference_agreement(config, coding)
    report = project_report(config, cleaned, coding, agreement)
    outputs = []
    if out:
        outputs.append(write_table(for_export(cleaned, options), out / "responses.parquet"))
        outputs.append(save_topic_model(model, out / "topics", extras={
            f"topics_by_{name}.csv": table for name, table in by.items()}))
        if marks:
            outputs.append(write_table(wave_keyword_table(marks), out / "keywords_by_wave.csv"))
        if coding is not None:
            outputs.append(write_table(coding.long(), out / "codes.csv"))
            outputs.append(write_table(coding.wide(), out / "codes_wide.csv"))
        if agreement is not None:
            outputs.append(write_table(agreement.table, out / "agreement.csv"))
        if report is not None:
            outputs += write_report_files(report, out)
    if json:
        print_json({**survey.to_dict(), "cleaning": cleaning.to_dict(),
                    "topics": topics.to_dict(),
                    "keywords_by_wave": [result.to_dict() for result in marks],
                    "coding": coding.to_dict() if coding is not None else None,
                    "agreement": agreement.to_dict() if agreement is not None else None,
                    "report": report.to_dict() if report is not None else None,
                    "outputs": [str(path) for path in outputs]})
        return
    console().print(survey)
    console().print()
    console().print(cleaning)
    console().print()
    console().print(topics)
    for result in marks:
        console().print()
        console().print(result)
    for shown in (coding, agreement, report):
        if shown is not None:
            console().print()
            console().print(shown)
    for path in outputs:
        console().print(f"\nWrote {path}")


def wave_keywords(cleaned: pd.DataFrame) -> list[KeywordResult]:
    """The terms that mark each wave, for every survey group and question asked in two
    or more waves (the sample project: the police questions, 2017-2019)."""
    from openends.keywords.find import find_keywords

    results = []
    for (group, question), answers in cleaned.groupby(["group", "question"], sort=True):
        if answers.loc[answers["status"] == "ok", "wave"].nunique() >= 2:
            result = find_keywords(answers, by="wave", top=8)
            result.scope = f"{group} answers to {question!r}"
            results.append(result)
    return results


def wave_keyword_table(results: list[KeywordResult]) -> pd.DataFrame:
    """One table of :func:`wave_keywords`: ``scope`` first, then the keyness columns."""
    import pandas as pd

    return pd.concat([result.table.assign(scope=result.scope).rename(columns={"group": "wave"})
                      for result in results], ignore_index=True).pipe(
        lambda table: table[["scope", *table.columns.drop("scope")]])


def write_report_files(report: Report, out: Path) -> list[Path]:
    """``report.md``, ``report.html``, ``prevalence.csv`` and ``changes.csv``."""
    from openends.io import write_table
    from openends.report.tables import report_tables, write_report

    tables = report_tables(report)
    written = [*write_report(report, out / "report.md", "md"),
               write_table(tables["prevalence"], out / "prevalence.csv"),
               write_table(tables["changes"], out / "changes.csv")]
    written += write_report(report, out / "report.html", "html")
    return written
