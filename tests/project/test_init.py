"""``openends init``: a project file drafted from data files, and ``draft_project``."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from openends.cli import app
from openends.config import ProjectConfig, load_project
from openends.pipeline import read_project
from openends.project import draft_project, write_draft
from openends.project.draft import toml_inline_table, toml_string

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

runner = CliRunner()
SAMPLE_FILES = ["police_2017.csv", "police_2018.xlsx", "police_2019.sav", "employer_2018.csv"]
ANSWERS = [f"Offenders now use {word} apps far more than before, case {i}"
           for i, word in enumerate(["encrypted", "cloud", "gaming", "chat", "darknet", "Tor"] * 2)]


def init(*arguments: str) -> Any:
    return runner.invoke(app, ["init", *arguments], env={"COLUMNS": "120"})


def write_csv(path: Path, columns: dict[str, list[str]]) -> Path:
    pd.DataFrame(columns).to_csv(path, index=False, encoding="utf-8")
    return path


def survey(n: int = len(ANSWERS), *, id_column: str = "ID", first_id: int = 1) -> dict[str, Any]:
    return {id_column: [str(first_id + i) for i in range(n)],
            "Region": ["North", "South"] * (n // 2),
            "Comments": ANSWERS[:n]}


@pytest.fixture(scope="module")
def sample_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """The four sample files copied to a folder, drafted with ``openends init --json``."""
    folder = tmp_path_factory.mktemp("sample")
    for name in SAMPLE_FILES:
        shutil.copy(Path(__file__).resolve().parents[2] / "corpora" / name, folder / name)
    result = init(*(str(folder / name) for name in SAMPLE_FILES), "-o",
                  str(folder / "project.toml"), "--json")
    assert result.exit_code == 0, result.output
    return folder, json.loads(result.stdout)


def test_the_sample_files_give_a_project_that_loads_with_the_right_columns(
        corpora: Path, sample_project: tuple[Path, Any]) -> None:
    folder, _ = sample_project
    drafted = load_project(folder / "project.toml")
    reference = load_project(corpora / "project.toml")
    assert [(wave.group, wave.wave) for wave in drafted.waves] == [
        ("police", "2017"), ("police", "2018"), ("police", "2019"), ("employer", "2018")]
    for mine, theirs in zip(drafted.waves, reference.waves, strict=True):
        assert list(mine.text.values()) == list(theirs.text.values())
        assert mine.id == theirs.id
        assert set(theirs.attrs.values()) <= set(mine.attrs.values())
        assert mine.sheet == theirs.sheet
        assert mine.file == Path(theirs.file).name and mine.path == folder / mine.file
    assert drafted.name == "Survey project" and drafted.output == "out" and drafted.seed == 0
    # Qualtrics bookkeeping (Status, Finished) is not an attribute.
    assert list(drafted.waves[0].attrs.values()) == ["Q1", "Q2", "Q3"]


def test_the_draft_reads_as_one_responses_table(sample_project: tuple[Path, Any]) -> None:
    folder, _ = sample_project
    responses = read_project(load_project(folder / "project.toml")).responses
    assert len(responses) == 2 * (482 + 517 + 546 + 304)
    assert responses["response_id"].is_unique
    assert {"country", "role", "unit_size", "sector", "org_size"} <= set(responses.columns)


def test_drifting_question_names_are_kept_and_commented(
        sample_project: tuple[Path, Any]) -> None:
    folder, _ = sample_project
    text = (folder / "project.toml").read_text(encoding="utf-8")
    blocks = text.split("[[waves]]")
    assert [("Question names differ" in block) for block in blocks[:-1]] == [
        True, True, True, False]  # each comment sits above its wave; employers have one wave
    waves = load_project(folder / "project.toml").waves
    assert [list(wave.text) for wave in waves] == [
        ["q4", "q5"], ["tech_changes", "most_helpful"], ["q_tech", "q_help"],
        ["discovered", "reaction"]]
    # The same attribute column name (up to case) gets the same name in every wave.
    assert list(waves[1].attrs) == list(waves[2].attrs) == ["country", "role", "unit_size"]
    assert "# q4 = \"Q4\": What changes have you seen in how offenders use technology?" in text


def test_json_summary(sample_project: tuple[Path, Any]) -> None:
    folder, summary = sample_project
    assert summary["output"] == str(folder / "project.toml")
    assert summary["waves"][0] == {"group": "police", "wave": "2017"}
    assert summary["questions"][:2] == ["q4", "q5"] and len(summary["questions"]) == 8
    files = {entry["file"]: entry for entry in summary["files"]}
    assert list(files) == SAMPLE_FILES
    assert files["employer_2018.csv"]["id"] == "ID"
    assert files["employer_2018.csv"]["attrs"] == {"sector": "Sector", "org_size": "OrgSize"}
    assert files["police_2018.xlsx"]["sheet"] == "Responses"
    assert files["police_2017.csv"]["rows"] == 482
    assert any("question names differ" in note for note in files["police_2019.sav"]["notes"])


def test_terminal_summary_names_the_next_step(corpora: Path, tmp_path: Path) -> None:
    shutil.copy(corpora / "employer_2018.csv", tmp_path)
    result = init(str(tmp_path / "employer_2018.csv"), "-o", str(tmp_path / "project.toml"))
    assert result.exit_code == 0, result.output
    assert "employer_2018.csv │ employer │ 2018 │  304" in result.stdout
    assert f"openends run {tmp_path / 'project.toml'}" in result.stdout
    assert "Question names differ" not in result.stdout


def test_paths_are_relative_to_the_project_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    csv = write_csv(data / "staff_2024.csv", survey())
    out = tmp_path / "projects" / "staff.toml"
    draft = draft_project([csv], out)
    write_draft(draft, out)
    wave = load_project(out).waves[0]
    assert wave.file == "../data/staff_2024.csv"
    assert wave.path == csv.resolve()
    assert (wave.group, wave.wave, wave.text) == ("staff", "2024", {"comments": "Comments"})
    assert load_project(out).name == "Staff"


def test_odd_column_names_round_trip(tmp_path: Path) -> None:
    answer = 'Svar på "frågan" \\ nu\t(fritext)'
    attribute = "Région \"A\""
    n = len(ANSWERS)
    table = pd.DataFrame({"Response ID": [f"R{i}" for i in range(n)],
                          attribute: ["Nord", "Süd"] * (n // 2), answer: ANSWERS,
                          "Ny\nrad": [f"Another long answer about {i} things" for i in range(n)]})
    path = tmp_path / "enkät 2021.parquet"
    table.to_parquet(path)
    result = init(str(path), "-o", str(tmp_path / "project.toml"))
    assert result.exit_code == 0, result.output
    wave = load_project(tmp_path / "project.toml").waves[0]
    assert wave.text == {"svar_pa_fragan_nu_fritext": answer, "ny_rad": "Ny\nrad"}
    assert wave.attrs == {"region_a": attribute}
    assert (wave.id, wave.file, wave.wave, wave.group) == (
        "Response ID", "enkät 2021.parquet", "2021", "enkät")
    responses = read_project(load_project(tmp_path / "project.toml")).responses
    assert responses["text"].tolist()[:2] == [ANSWERS[0], "Another long answer about 0 things"]


def test_toml_strings_and_keys_are_escaped() -> None:
    tricky = 'a "quote", a \\ backslash, a\nnewline, a \x7f, å and 🙂'
    parsed = tomllib.loads(f"x = {toml_string(tricky)}\n"
                           f"t = {toml_inline_table({tricky: tricky, 'plain': 'v'})}\n")
    assert parsed == {"x": tricky, "t": {tricky: tricky, "plain": "v"}}


def test_a_file_without_an_id_column_is_numbered_with_a_comment(tmp_path: Path) -> None:
    columns = survey()
    del columns["ID"]
    path = write_csv(tmp_path / "feedback.csv", columns)
    draft = draft_project([path], tmp_path / "project.toml")
    write_draft(draft, tmp_path / "project.toml")
    text = (tmp_path / "project.toml").read_text(encoding="utf-8")
    assert "# id: no column looks like a unique respondent id" in text
    wave = load_project(tmp_path / "project.toml").waves[0]
    assert wave.id is None and (wave.wave, wave.group) == ("feedback", None)
    assert draft.name == "Feedback"


def test_ids_repeated_across_waves_are_not_used_for_the_later_wave(tmp_path: Path) -> None:
    first = write_csv(tmp_path / "staff_2023.csv", survey())
    second = write_csv(tmp_path / "staff_2024.csv", survey(first_id=5))
    out = tmp_path / "project.toml"
    write_draft(draft_project([first, second], out), out)
    project = load_project(out)
    assert [wave.id for wave in project.waves] == ["ID", None]
    assert "its values also appear in staff_2023.csv" in out.read_text(encoding="utf-8")
    assert read_project(project).responses["response_id"].is_unique
    # The same columns in both waves: the same names, and no comment about drift.
    assert project.waves[0].text == project.waves[1].text == {"comments": "Comments"}
    assert "Question names differ" not in out.read_text(encoding="utf-8")


def test_a_workbook_whose_first_sheet_holds_no_answers(tmp_path: Path) -> None:
    path = tmp_path / "police_2020.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Field": ["Survey", "Exported"], "Value": ["Police", "2020-05-01"]}
                     ).to_excel(writer, sheet_name="About", index=False)
        pd.DataFrame(survey()).to_excel(writer, sheet_name="Data", index=False)
    draft = draft_project([path], tmp_path / "project.toml")
    assert (draft.waves[0].sheet, draft.waves[0].text) == ("Data", {"comments": "Comments"})


def test_the_commented_optional_tables_are_valid(sample_project: tuple[Path, Any]) -> None:
    folder, _ = sample_project
    text = (folder / "project.toml").read_text(encoding="utf-8")
    optional = text[text.index("# Optional settings"):]
    setting = re.compile(r"^# (\[\w+\]|\w+ = .*)$")
    uncommented = "\n".join(line[2:] for line in optional.splitlines() if setting.match(line))
    data = tomllib.loads(text + "\n" + uncommented)
    assert set(data) >= {"cleaning", "coding", "topics", "keywords", "report"}
    ProjectConfig.model_validate(data)


def test_an_existing_project_file_is_kept_unless_forced(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "staff_2024.csv", survey())
    out = tmp_path / "project.toml"
    out.write_text("# my project\n", encoding="utf-8")
    result = init(str(path), "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"error: {out}: already exists; pass --force to "
                                     "overwrite it, or choose another -o path")
    assert out.read_text(encoding="utf-8") == "# my project\n"
    assert init(str(path), "-o", str(out), "--force").exit_code == 0
    assert load_project(out).waves[0].wave == "2024"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["project.toml", "staff_2024.csv"]


@pytest.mark.parametrize(("make", "arguments", "message"), [
    (False, ["{tmp}/missing.csv"], "missing.csv: file not found; check the path"),
    (True, ["{tmp}/codes_2024.csv"], "codes_2024.csv: no column looks like free-text answers"),
    (True, ["{tmp}/staff_2024.csv", "{tmp}/staff_2024.csv"], "staff_2024.csv: is given twice"),
    (True, ["{tmp}/staff_2024.csv", "-o", "{tmp}/project.yml"],
     "project.yml: a project file is TOML; give -o a file name ending in .toml"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
        tmp_path: Path, make: bool, arguments: list[str], message: str) -> None:
    if make:
        write_csv(tmp_path / "staff_2024.csv", survey())
        write_csv(tmp_path / "codes_2024.csv", {"ID": ["1", "2", "3"], "code": ["a", "b", "a"]})
    filled = [argument.format(tmp=tmp_path) for argument in arguments]
    if "-o" not in filled:
        filled += ["-o", str(tmp_path / "project.toml")]
    result = init(*filled)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {message}") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert not list(tmp_path.glob("*.toml")) and not list(tmp_path.glob(".*"))


def test_init_is_built() -> None:
    result = runner.invoke(app, ["init", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "--force" in result.stdout
