"""``openends report CODES --responses FILE``: every format, the JSON summary, coding
quality from hand codes, a project file, and bad input (one line, exit 2, nothing
written). Data: the generated survey of ``conftest.py`` written as files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from report_data import CODEBOOK, EMAIL, PHONE, generated_survey
from typer.testing import CliRunner

from openends.cli import app

runner = CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """The survey (one row per respondent: tech and help answers), wide codes, long codes
    with evidence, and the codebook, as files."""
    responses, wide, evidence = generated_survey()
    responses["id"] = responses["response_id"].str.split(":").str[0]
    tech = responses[responses["question"] == "tech"].set_index("id")
    help_ = responses[responses["question"] == "help"].set_index("id")["text"]
    survey = tech[["wave", "region"]].assign(tech=tech["text"],
                                             help=help_.reindex(tech.index).fillna(""))
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    paths = {"survey": inputs / "survey.csv", "wide": inputs / "codes_wide.csv",
             "long": inputs / "codes.csv", "codebook": inputs / "codebook.yml"}
    survey.reset_index().to_csv(paths["survey"], index=False)
    wide.to_csv(paths["wide"], index=False)
    coded = set(evidence["response_id"])
    uncoded = wide.loc[~wide["response_id"].isin(coded), ["response_id"]].assign(
        theme="", score=None, source="", evidence="")
    pd.concat([evidence, uncoded], ignore_index=True).to_csv(paths["long"], index=False)
    paths["codebook"].write_text(yaml.safe_dump(CODEBOOK.model_dump(exclude_none=True)),
                                 encoding="utf-8")
    return paths


def args(files: dict[str, Path], codes: str = "wide") -> list[str]:
    return ["report", str(files[codes]), "--responses", str(files["survey"]), "--text",
            "tech=tech", "--text", "help=help", "--id", "id", "--attr", "region",
            "--wave", "wave", "--by", "region", "--codebook", str(files["codebook"])]


def test_terminal_report(files: dict[str, Path]) -> None:
    result = runner.invoke(app, args(files), env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Theme prevalence: codes_wide.csv" in out
    assert "encryption: 10.3% (n=39) → 51.3% (n=39) of north tech answers" in " ".join(
        out.split())
    assert "Across waves" in out and "52.6% (19)!" in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_markdown_file_from_long_codes_with_evidence(files: dict[str, Path],
                                                     tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.md"
    result = runner.invoke(app, [*args(files, "long"), "-o", str(out), "--title", "Survey"])
    assert result.exit_code == 0, result.stderr
    assert f"Wrote {out}" in " ".join(result.stdout.split())
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Survey\n") and "## Significant changes" in text
    assert "> **Encryption**" in text
    assert EMAIL not in text and PHONE not in text


@pytest.mark.parametrize("format", ["csv", "json", "parquet"])
def test_tables_for_scripts(files: dict[str, Path], tmp_path: Path, format: str) -> None:
    out = tmp_path / "tables"
    result = runner.invoke(app, [*args(files), "--format", format, "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    names = {path.name for path in out.iterdir()}
    assert {f"{name}.{format}" for name in ("prevalence", "themes", "changes", "trends",
                                            "cooccurrence", "differences")} <= names
    path = out / f"prevalence.{format}"
    prevalence = (pd.read_csv(path, dtype={"wave": str}) if format == "csv" else
                  pd.read_json(path, dtype={"wave": str}) if format == "json" else
                  pd.read_parquet(path))
    row = prevalence.set_index(["theme", "region", "wave"]).loc[("encryption", "north", "2019")]
    assert (row["n"], row["k"]) == (39, 20) and row["ci_low"] < row["pct"] < row["ci_high"]


def test_a_folder_gets_csv_tables_and_a_stem_names_them(files: dict[str, Path],
                                                        tmp_path: Path) -> None:
    result = runner.invoke(app, [*args(files), "-o", str(tmp_path / "folder")])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "folder" / "changes.csv").exists()
    result = runner.invoke(app, [*args(files), "-o", str(tmp_path / "stem" / "survey.csv")])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "stem" / "survey_prevalence.csv").exists()


def test_html_file(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(app, [*args(files, "long"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "<html" in text.lower() and "encryption" in text
    assert EMAIL not in text and PHONE not in text


def test_json_summary(files: dict[str, Path]) -> None:
    result = runner.invoke(app, [*args(files), "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["counts"]["rows"] == 480 and summary["counts"]["ok"] == 291
    assert summary["outputs"] == [] and summary["tests"] == 21
    assert summary["headlines"][0].startswith("encryption: 10.3% (n=39)")


def test_coding_quality_from_hand_codes(files: dict[str, Path], tmp_path: Path) -> None:
    hand = tmp_path / "inputs" / "hand.csv"
    pd.read_csv(files["wide"]).head(100).to_csv(hand, index=False)
    result = runner.invoke(app, [*args(files), "--reference", str(hand)],
                           env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.stderr
    assert "Coding quality: kappa 1.00" in result.stdout and "on 100 answers" in result.stdout


def test_project_file(files: dict[str, Path], tmp_path: Path) -> None:
    survey = pd.read_csv(files["survey"], dtype=str, keep_default_na=False)
    folder = tmp_path / "project"
    folder.mkdir()
    waves = ""
    for wave, part in survey.groupby("wave"):
        part.drop(columns=["wave"]).to_csv(folder / f"{wave}.csv", index=False)
        waves += (f'[[waves]]\nwave = "{wave}"\nfile = "{wave}.csv"\nid = "id"\n'
                  'text = { tech = "tech", help = "help" }\nattrs = { region = "region" }\n')
    (folder / "project.toml").write_text(
        f'name = "Generated project"\n{waves}[coding]\ncodebook = "{files["codebook"]}"\n',
        encoding="utf-8")
    result = runner.invoke(app, ["report", str(files["long"]), "--project",
                                 str(folder / "project.toml"), "--by", "region", "-o",
                                 str(tmp_path / "report.md")])
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# Generated project") and "| north | `encryption` | ▂▅█" in text


@pytest.mark.parametrize(("extra", "message"), [
    (["--by", "country"], "no column 'country'"),
    (["--format", "pdf"], "--format must be one of"),
    (["--format", "csv"], "give a folder with -o"),
    (["--base", "people"], "base must be one of"),
    (["--correction", "bonferroni"], "correction must be one of"),
])
def test_bad_options(files: dict[str, Path], tmp_path: Path, extra: list[str],
                     message: str) -> None:
    out = tmp_path / "out"
    arguments = [*args(files), *extra]
    if "csv" not in extra:
        arguments += ["-o", str(out / "report.md")]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_bad_codes(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    wide = pd.read_csv(files["wide"])
    unknown = tmp_path / "inputs" / "unknown.csv"
    wide.assign(response_id=wide["response_id"] + "x").to_csv(unknown, index=False)
    partial = tmp_path / "inputs" / "partial.csv"
    wide.iloc[10:].to_csv(partial, index=False)
    for codes, message in ((unknown, "are not answers of the survey file"),
                           (partial, "substantive answers have no codes")):
        arguments = args(files)
        arguments[1] = str(codes)
        result = runner.invoke(app, [*arguments, "-o", str(out / "tables")])
        assert result.exit_code == 2, result.stdout
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    result = runner.invoke(app, ["report", str(files["wide"]), "-o", str(out / "r.md")])
    assert result.exit_code == 2 and "--responses FILE --text" in result.stderr
    assert not out.exists()


def test_terminal_text_file(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    result = runner.invoke(app, [*args(files), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "Across waves" in text and "\x1b[" not in text
    assert max(len(line) for line in text.splitlines()) <= 100


@pytest.mark.slow
def test_demo_ends_with_the_report(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "-o", str(tmp_path), "--embedder", "tfidf"],
                           env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.stderr
    report = result.stdout[result.stdout.rindex("Sample survey: police and employers\n"):]
    assert "Coding quality: kappa" in report and "against hand-coded on 400" in report
    assert "encryption: " in report and "rising trend p < 0.001 (Holm)" in " ".join(
        report.split())
    assert "Significant changes (p < 0.05 after Holm correction across 48 tests)" in report
    changes = pd.read_csv(tmp_path / "changes.csv")
    assert not changes.loc[changes["theme"] == "darknet", "significant"].any()
    prevalence = pd.read_csv(tmp_path / "prevalence.csv", dtype={"wave": str})
    assert {"theme", "question", "group", "wave", "n", "k", "pct", "ci_low",
            "ci_high"} <= set(prevalence.columns)
    assert (tmp_path / "report.md").read_text(encoding="utf-8").startswith(
        "# Sample survey: police and employers")


def test_the_wave_column_is_used_without_being_named(files: dict[str, Path]) -> None:
    named = [argument for argument in args(files) if argument not in ("--wave",)]
    named.remove("wave")  # the value of --wave
    result = runner.invoke(app, [*named, "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["wave"] == "wave"


def test_two_groupings_without_waves_render(files: dict[str, Path], tmp_path: Path) -> None:
    survey = pd.read_csv(files["survey"], dtype=str).assign(
        team=lambda table: ["a", "b"] * (len(table) // 2) + ["a"] * (len(table) % 2))
    survey.drop(columns=["wave"]).to_csv(tmp_path / "nowave.csv", index=False)
    base = ["report", str(files["wide"]), "--responses", str(tmp_path / "nowave.csv"),
            "--text", "tech=tech", "--text", "help=help", "--id", "id",
            "--by", "region", "--by", "team", "--codebook", str(files["codebook"])]
    for extra in ([], ["--format", "md"]):
        result = runner.invoke(app, [*base, *extra], env={"COLUMNS": "100"})
        assert result.exit_code == 0, result.stderr


def test_a_folder_named_like_a_file_gets_the_document(files: dict[str, Path],
                                                      tmp_path: Path) -> None:
    folder = tmp_path / "out.md"
    folder.mkdir()
    result = runner.invoke(app, [*args(files), "-o", str(folder)])
    assert result.exit_code == 0, result.stderr
    assert (folder / "report.md").is_file()
    taken = tmp_path / "tables"
    taken.write_text("not a folder")
    result = runner.invoke(app, [*args(files), "--format", "csv", "-o", str(taken)])
    assert result.exit_code == 2 and "is a file" in result.stderr


def test_a_significant_trend_is_named_by_the_tests_direction() -> None:
    from openends.report.build import build_report

    shares = {"1": 0.10, "2": 0.10, "3": 0.40, "4": 0.09}
    ids, waves, values = [], [], []
    for wave, share in shares.items():
        for index in range(500):
            ids.append(f"{wave}-{index}")
            waves.append(wave)
            values.append(int(index < share * 500))
    responses = pd.DataFrame({"response_id": ids, "status": "ok", "wave": waves,
                              "redacted_text": "x", "text": "x", "clean_text": "x"})
    codes = pd.DataFrame({"response_id": ids, "tor": values})
    report = build_report(codes, responses, keywords=False)
    trend = report.trends.iloc[0]
    assert trend["significant"] and trend["z"] > 0 and trend["change_pp"] < 0
    assert any("tor" in line and "rising trend" in line for line in report.headlines)
