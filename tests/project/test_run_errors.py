"""Every project-file error ends ``openends run`` with one line naming the key, exit 2, and
nothing written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from openends.cli import app

runner = CliRunner()

WAVE = ('[[waves]]\nwave = "2024"\nfile = "staff_2024.csv"\nid = "id"\n'
        'text = { comments = "Q7" }\nattrs = { region = "Region" }\n')
VALID = f'name = "Staff survey"\noutput = "out"\nseed = 1\n{WAVE}'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A one-wave project folder (its project file is written by each test)."""
    answers = ["More staff on nights", "Encrypted phones slow us down", "", "n/a"] * 10
    pd.DataFrame({"id": [f"S{index:02d}" for index in range(40)],
                  "Region": ["North", "South"] * 20, "Q7": answers}).to_csv(
        tmp_path / "staff_2024.csv", index=False)
    (tmp_path / "codebook.yml").write_text(
        "name: staff\nthemes:\n  - id: staffing\n    label: Staffing\n"
        "    description: Not enough staff\n    include: [staff]\n", encoding="utf-8")
    return tmp_path / "project.toml"


def run(project: Path, content: str, *extra: str) -> tuple[int, str]:
    project.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["run", str(project), *extra])
    return result.exit_code, result.stderr


CASES = [
    ("name = \n", "not valid TOML"),
    (f'{VALID}colour = "blue"\n', "colour: unknown key"),
    ('name = "x"\n', "waves: Field required"),
    (f'seed = "one"\n{VALID.replace("seed = 1", "")}', "seed:"),
    (VALID.replace('id = "id"', 'id = "id"\ncolour = "x"'), "waves.0.colour: unknown key"),
    (VALID.replace('text = { comments = "Q7" }', "text = {}"), "waves.0.text"),
    (VALID.replace('file = "staff_2024.csv"\n', ""), "waves.0.file: Field required"),
    (VALID.replace("staff_2024.csv", "staff_2025.csv"), "waves.0.file: "),
    (VALID.replace('"Q7"', '"Q8"'), "waves.0.text.comments: "),
    (VALID.replace('"Region"', '"Area"'), "waves.0.attrs.region: "),
    (VALID.replace('id = "id"', 'id = "Region"'), "waves.0.id: "),
    (VALID + "[[waves]]\nwave = \"2024\"\nfile = \"staff_2024.csv\"\nid = \"id\"\n"
     "text = { comments = \"Q7\" }\n", "waves: 40 response id(s) occur more than once"),
    (VALID.replace('attrs = { region = "Region" }', 'attrs = { group = "Region" }'),
     "waves.0.attrs: Value error, 'group' is a column openends adds"),
    (VALID.replace("seed = 1", "seed = -5"), "seed: Input should be greater than or equal"),
    (VALID.replace("seed = 1", "seed = true"), "seed: Input should be a valid integer"),
    (f'{VALID}[coding]\nmin_precision = 0.9\n', "coding: Value error, min_precision needs"),
    (f'{VALID}[coding]\ncodebook = "book.yml"\n', "coding.codebook: "),
    (f'{VALID}[coding]\ncodebook = "staff_2024.csv"\n', "coding.codebook: "),
    (f'{VALID}[coding]\ncodebook = "codebook.yml"\nreference = "hand.csv"\n',
     "coding.reference: "),
    (f'{VALID}[coding]\nmin_precision = 2\nmodel = "m"\n', "coding.min_precision"),
    (f'{VALID}[cleaning]\nduplicate_min_words = 0\n', "cleaning.duplicate_min_words"),
    (f'{VALID}[cleaning]\nspacy_model = "xx_none_sm"\n', "cleaning: "),
    (VALID.replace('id = "id"', 'id = "id"\nsheet = "2024"'), "waves.0.sheet: "),
    (f'{VALID}[topics]\nmethod = "lsa"\n', "topics.method"),
    (f'{VALID}[topics]\nn_topics = 1\n', "topics.n_topics"),
    (f'{VALID}[topics]\nclustering = "kmeans"\n', "topics.clustering"),
    (f'{VALID}[keywords]\ntop = 0\n', "keywords.top"),
    (f'{VALID}[keywords]\nby = "year"\n', "keywords.by: no column 'year'"),
    (f'{VALID}[report]\nformats = ["pdf"]\n', "report.formats.0"),
    (f'{VALID}[report]\ncorrection = "bonferroni"\n', "report.correction"),
    (f'{VALID}[report]\nbase = "people"\n', "report.base"),
    (f'{VALID}[report]\nby = ["department"]\n', "report.by.0: no column 'department'"),
    (f'{VALID}[report]\nwave = "year"\n', "report.wave: no column 'year'"),
    (VALID.replace('output = "out"', 'output = "."'), "output: "),
    (VALID.replace('output = "out"', 'output = ".."'), "output: "),
]


@pytest.mark.parametrize(("content", "message"), CASES,
                         ids=[message.split(":")[0] for _, message in CASES])
def test_project_file_errors_name_the_key(project: Path, content: str, message: str) -> None:
    project.write_text(content, encoding="utf-8")
    before = sorted(path.name for path in project.parent.iterdir())
    status, stderr = run(project, content)
    assert status == 2, stderr
    assert message in stderr
    lines = stderr.strip().splitlines()  # progress lines of steps done, then the error
    assert lines[-1].startswith("error: ") and "Traceback" not in stderr
    assert all(line.startswith("[") for line in lines[:-1])
    assert sorted(path.name for path in project.parent.iterdir()) == before


def test_an_unknown_step_is_refused(project: Path) -> None:
    status, stderr = run(project, VALID, "--only", "clustering")
    assert status == 2 and "--only: no step 'clustering'; choose one of: read, clean" in stderr


def test_a_manifest_of_another_tool_is_no_licence_to_replace(project: Path) -> None:
    (project.parent / "out").mkdir()
    (project.parent / "out" / "manifest.json").write_text('{"name": "web app"}')
    (project.parent / "out" / "thesis.docx").write_text("years of work", encoding="utf-8")
    status, stderr = run(project, VALID)
    assert status == 2 and "holds files that openends run did not write" in stderr
    assert (project.parent / "out" / "thesis.docx").is_file()


def test_a_file_added_to_an_earlier_output_is_not_deleted(project: Path) -> None:
    content = f"{VALID}[topics]\nenabled = false\n"
    assert run(project, content)[0] == 0
    (project.parent / "out" / "my notes.txt").write_text("keep", encoding="utf-8")
    status, stderr = run(project, content)
    assert status == 2 and "my notes.txt" in stderr
    assert (project.parent / "out" / "my notes.txt").read_text(encoding="utf-8") == "keep"


def test_an_output_inside_an_input_folder_or_the_cache_is_refused(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project.parent / "coder").mkdir()
    status, stderr = run(project, VALID.replace('output = "out"', 'output = "coder/out"')
                         + '[coding]\nmodel = "coder"\n')
    assert status == 2 and "output: " in stderr and "lies inside" in stderr
    monkeypatch.setenv("OPENENDS_CACHE", str(project.parent / "out" / "cache"))
    status, stderr = run(project, VALID)
    assert status == 2 and "output: " in stderr and "cache" in stderr


def test_only_refuses_changed_inputs(project: Path) -> None:
    content = f"{VALID}[topics]\nenabled = false\n"
    assert run(project, content, "--only", "report")[0] == 2  # no earlier run yet
    assert run(project, content)[0] == 0
    data = project.parent / "staff_2024.csv"
    data.write_text(data.read_text(encoding="utf-8").replace("More staff", "Fewer staff"),
                    encoding="utf-8")
    status, stderr = run(project, content, "--only", "report")
    assert status == 2 and "--only: the inputs changed since the last run (staff_2024.csv)" \
        in stderr


def test_outputs_follow_the_umask(project: Path) -> None:
    import os

    old = os.umask(0o077)
    try:
        status, stderr = run(project, f"{VALID}[topics]\nenabled = false\n")
    finally:
        os.umask(old)
    assert status == 0, stderr
    out = project.parent / "out"
    assert (out.stat().st_mode & 0o777) == 0o700
    assert ((out / "responses.parquet").stat().st_mode & 0o777) == 0o600


def test_an_embedder_folder_is_relative_to_the_project_file(project: Path) -> None:
    status, stderr = run(project, f'{VALID}[topics]\nembedder = "models/mine"\n')
    assert status == 2
    assert f"topics.embedder: {project.parent / 'models' / 'mine'} is not a folder" in stderr


def test_a_run_of_the_same_output_is_refused_while_one_runs(project: Path) -> None:
    from openends.project.publish import staged_output

    project.write_text(VALID, encoding="utf-8")
    with staged_output(project.parent / "out"):
        status, stderr = run(project, VALID)
    assert status == 2 and "another run is writing" in stderr
    assert run(project, f"{VALID}[topics]\nenabled = false\n")[0] == 0  # once it ended


def test_a_folder_of_other_files_is_not_replaced(project: Path) -> None:
    (project.parent / "out").mkdir()
    (project.parent / "out" / "thesis.docx").write_text("years of work", encoding="utf-8")
    status, stderr = run(project, VALID)
    assert status == 2 and "holds files that openends run did not write" in stderr
    assert (project.parent / "out" / "thesis.docx").read_text(encoding="utf-8") == (
        "years of work")


def test_a_missing_project_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(tmp_path / "project.toml")])
    assert result.exit_code == 2 and "project file not found" in result.stderr


def test_an_engine_that_does_not_exist(project: Path) -> None:
    status, stderr = run(project, VALID, "--engine", "spark")
    assert status == 2 and "--engine: no engine 'spark'; choose one of: local, dask" in stderr


def test_an_engine_named_in_the_project_file_is_checked(project: Path) -> None:
    status, stderr = run(project, VALID + '[engine]\nname = "spark"\n')
    assert status == 2 and "engine.name: Input should be 'local' or 'dask'" in stderr


def test_a_small_project_runs_and_writes_only_inside_its_output(project: Path) -> None:
    content = f'{VALID}[coding]\ncodebook = "codebook.yml"\nsemantic = false\n' \
              "[topics]\nenabled = false\n"
    project.write_text(content, encoding="utf-8")
    before = sorted(path.name for path in project.parent.iterdir())
    status, stderr = run(project, content)
    assert status == 0, stderr
    after = sorted(path.name for path in project.parent.iterdir())
    assert after == sorted([*before, "out"])
    written = {path.name for path in (project.parent / "out").iterdir()}
    assert "topics" not in written and {"codes.csv", "report.md", "manifest.json"} <= written
    codes = pd.read_csv(project.parent / "out" / "codes_wide.csv")
    assert len(codes) == 40 and codes["staffing"].sum() == 10


def test_the_terminal_shows_the_summary_then_the_report_and_quiet_only_the_summary(
        project: Path) -> None:
    content = f'{VALID}[coding]\ncodebook = "codebook.yml"\nsemantic = false\n' \
              "[topics]\nenabled = false\n"
    project.write_text(content, encoding="utf-8")
    shown = runner.invoke(app, ["run", str(project)], env={"COLUMNS": "100"}).stdout
    summary_at = shown.index("Staff survey: 40 answers")
    assert shown.index("Staff survey\n", summary_at) > summary_at  # the report comes last
    quiet = runner.invoke(app, ["run", str(project), "-q"], env={"COLUMNS": "100"}).stdout
    assert "Staff survey: 40 answers" in quiet and "Staff survey\n" not in quiet


def test_only_read_counts_the_answers_and_keeps_every_output(project: Path) -> None:
    import json

    content = f"{VALID}[topics]\nenabled = false\n"
    assert run(project, content)[0] == 0
    before = sorted(path.name for path in (project.parent / "out").iterdir())
    result = runner.invoke(app, ["run", str(project), "--only", "read", "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["responses"] == 40 and [step["step"] for step in summary["steps"]] == ["read"]
    assert sorted(path.name for path in (project.parent / "out").iterdir()) == before
