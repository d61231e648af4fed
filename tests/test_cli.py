"""The command line: version, help, inspect on every sample file, every command of the SPEC."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openends import __version__
from openends.cli import app
from openends.io import inspect_file

runner = CliRunner()
SAMPLE_FILES = ["police_2017.csv", "police_2018.xlsx", "police_2019.sav", "employer_2018.csv"]
RESPONDENTS = {"police_2017.csv": 482, "police_2018.xlsx": 517, "police_2019.sav": 546,
               "employer_2018.csv": 304}
EXPECTED_ANSWER_COLUMNS = {
    "police_2017.csv": ["Q4", "Q5"],
    "police_2018.xlsx": ["TechChanges", "MostHelpful"],
    "police_2019.sav": ["q_tech", "q_help"],
    "employer_2018.csv": ["discovered", "reaction"],
}


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"openends {__version__}"


def test_python_dash_m_runs_the_same_cli() -> None:
    completed = subprocess.run([sys.executable, "-m", "openends", "--version"],
                               capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == f"openends {__version__}"


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_inspect_finds_the_answer_columns_of_every_sample_file(corpora: Path, name: str) -> None:
    result = runner.invoke(app, ["inspect", str(corpora / name), "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["answer_columns"] == EXPECTED_ANSWER_COLUMNS[name]
    assert summary["file"]["n_rows"] == RESPONDENTS[name]
    for column in EXPECTED_ANSWER_COLUMNS[name]:
        assert len(summary["samples"][column]) == 5


def test_inspect_terminal_output(corpora: Path) -> None:
    result = runner.invoke(app, ["inspect", str(corpora / "police_2017.csv"), "--samples", "2"],
                           env={"COLUMNS": "120"})
    assert result.exit_code == 0
    out = result.stdout
    assert "CSV, cp1252" in out and "Qualtrics export (2 header rows skipped)" in out
    assert "482 rows, 13 columns" in out
    assert "Sample answers from 'Q4' (What changes have you seen" in out
    assert "free text:" in out


def test_inspect_reports_column_types(corpora: Path) -> None:
    inspection = inspect_file(corpora / "police_2019.sav")
    kinds = {column.name: column.kind for column in inspection.columns}
    assert kinds == {"resp_id": "id", "country": "category", "role": "category",
                     "unit_size": "category", "q_tech": "text", "q_help": "text"}
    assert all(0.9 < column.fill_rate <= 1 for column in inspection.columns)


SPEC_COMMANDS = ["inspect", "clean", "topics", "keywords", "code", "train", "agree", "report",
                 "codebook draft", "codebook check", "sample", "disagreements", "show",
                 "models build", "init", "run", "demo"]


@pytest.mark.parametrize("command", SPEC_COMMANDS)
def test_every_command_of_the_specification_is_built(command: str) -> None:
    result = runner.invoke(app, [*command.split(), "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "not built" not in result.stdout and "Usage: openends" in result.stdout


def test_unknown_option_is_a_usage_error(corpora: Path) -> None:
    result = runner.invoke(app, ["inspect", str(corpora / "police_2017.csv"), "--colour"])
    assert result.exit_code == 2


def test_inspect_redacts_sample_answers(tmp_path: Path) -> None:
    path = tmp_path / "wave.csv"
    rows = [f"{i},Please write to officer{i}@example.org about the encrypted phones" for i in
            range(6)]
    path.write_text("id,answer\n" + "\n".join(rows), encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(path), "--json"])
    samples = json.loads(result.stdout)["samples"]["answer"]
    assert samples and all("[EMAIL]" in text and "@" not in text for text in samples)
    raw = runner.invoke(app, ["inspect", str(path), "--json", "--no-redact"])
    assert "@example.org" in raw.stdout


def test_readme_inspect_excerpt_is_real_output(corpora: Path) -> None:
    readme = (corpora.parent / "README.md").read_text(encoding="utf-8")
    command = "$ openends inspect corpora/employer_2018.csv --samples 2\n"
    excerpt = readme[readme.index(command) + len(command):readme.index("Sample answers from")]
    result = runner.invoke(app, ["inspect", str(corpora / "employer_2018.csv"), "--samples",
                                 "2"], env={"COLUMNS": "100"})
    output = [line.rstrip() for line in result.stdout.splitlines()]
    for line in excerpt.strip().splitlines():
        assert line.rstrip() in output, line
