"""The sample project reads whole, and project files fail clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from openends.cli import app
from openends.config import load_project
from openends.errors import ConfigError
from openends.pipeline import read_project
from openends.topics import load_topic_model

runner = CliRunner()


def test_sample_project_keeps_every_answer(corpora: Path) -> None:
    survey = read_project(load_project(corpora / "project.toml"))
    counts = survey.responses.groupby(["group", "wave"], sort=False).size().to_dict()
    assert counts == {("police", "2017"): 2 * 482, ("police", "2018"): 2 * 517,
                      ("police", "2019"): 2 * 546, ("employers", "2018"): 2 * 304}
    assert survey.responses["response_id"].is_unique
    assert set(survey.responses["question"]) == {"tech", "help", "discovered", "reaction"}


def test_hand_coded_sample_joins_the_project(corpora: Path) -> None:
    survey = read_project(load_project(corpora / "project.toml"))
    coded = pd.read_csv(corpora / "hand_coded.csv")
    assert len(coded) >= 300
    assert set(coded["response_id"]) <= set(survey.responses["response_id"])


def test_attributes_are_the_same_across_drifting_column_names(corpora: Path) -> None:
    responses = read_project(load_project(corpora / "project.toml")).responses
    police = responses[responses["group"] == "police"]
    by_wave = police.groupby("wave")["country"].apply(lambda s: set(s.dropna()) - {""})
    assert by_wave["2017"] == by_wave["2018"] == by_wave["2019"]
    assert "Sweden" in by_wave["2019"]  # SPSS value labels, not codes


def test_demo_runs_the_sample_project_and_ends_with_the_report(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "-o", str(tmp_path), "--embedder", "tfidf"],
                           env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.stderr
    assert "[2/7] clean: ok 3,382, empty 92, non_substantive 139" in result.stderr
    assert "Agreement of openends (A) with hand-coded (B) on 400 answers" in result.stdout
    report_at = result.stdout.index("Sample survey: police and employers\n")
    assert "Coding quality: kappa" in result.stdout[report_at:]
    assert f"Open {tmp_path / 'report.html'}" in result.stdout
    written = pd.read_parquet(tmp_path / "responses.parquet")
    assert len(written) == 3698
    topics = load_topic_model(tmp_path / "topics")
    assert topics.assignments_["response_id"].tolist() == written["response_id"].tolist()
    assert (tmp_path / "topics" / "topics_by_wave.csv").exists()
    marks = pd.read_csv(tmp_path / "keywords.csv", dtype={"value": str})
    assert set(marks["scope"]) == {"police help answers", "police tech answers"}
    codes = pd.read_csv(tmp_path / "codes.csv", keep_default_na=False)
    assert set(codes["response_id"]) == set(written["response_id"])
    coded = codes[codes["theme"] != ""]
    assert (coded["evidence"] != "").all() and coded["score"].astype(float).between(0, 1).all()
    assert len(pd.read_csv(tmp_path / "codes_wide.csv")) == 3698
    assert (tmp_path / "report.html").read_text(encoding="utf-8").count("<svg") > 10


def test_demo_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--json", "--embedder", "tfidf", "-o", str(tmp_path)])
    summary = json.loads(result.stdout)
    assert summary["responses"] == 3698 == sum(summary["statuses"].values())
    assert [step["step"] for step in summary["steps"]] == [
        "read", "clean", "topics", "code", "keywords", "stats", "report"]
    assert {"responses.parquet", "codes.csv", "codes_wide.csv", "topics", "keywords.csv",
            "prevalence.csv", "changes.csv", "report.md", "report.html",
            "manifest.json", "run.log"} <= set(summary["outputs"])
    tech = pd.read_csv(tmp_path / "keywords.csv", dtype={"value": str}).query(
        "scope == 'police tech answers'")
    assert set(tech["value"]) <= {"2017", "2018", "2019"}
    marking_2019 = " ".join(tech.loc[tech["value"] == "2019", "keyphrase"]).lower()
    assert all(word in marking_2019 for word in ("encrypt", "bitcoin", "live streaming"))
    overall = summary["agreement"]["themes"][-1]
    assert overall["theme"] == "(all themes)" and overall["n"] == 400


@pytest.mark.slow
def test_demo_with_the_default_static_embedder(static_model: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENENDS_CACHE", str(static_model.parent.parent))
    result = runner.invoke(app, ["demo", "--json", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    topics = json.loads((tmp_path / "out" / "topics" / "topics.json").read_text())
    assert 10 <= len(topics) <= 40 and all(topic["topic"] != -1 for topic in topics)
    overall = summary["agreement"]["themes"][-1]  # rules + semantic (static) vs hand codes
    assert overall["f1"] > 0.8 and overall["kappa"] > 0.8


@pytest.mark.parametrize(("content", "message"), [
    ('name = "x"\n', "waves: Field required"),
    ('name = "x"\ncolour = 1\n[[waves]]\nwave = "1"\nfile = "a.csv"\ntext = {q = "Q"}\n',
     "colour: unknown key"),
    ('name = "x"\n[[waves]]\nwave = "1"\nfile = "a.csv"\ntext = {}\n', "waves.0.text"),
    ('name = "x"\n[[waves]]\nwave = "1"\ntext = {q = "Q"}\n', "waves.0.file: Field required"),
    ("name = \n", "not valid TOML"),
])
def test_project_file_errors_name_the_key(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "project.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_project(path)
    result = runner.invoke(app, ["demo", "--project", str(path)])
    assert result.exit_code == 2 and message.split(":")[0] in result.stderr


def write_panel(folder: Path, waves: tuple[str, ...]) -> Path:
    """A panel: the same respondent ids in every wave's file."""
    for year in dict.fromkeys(waves):
        (folder / f"{year}.csv").write_text("id,answer\n1,Encryption\n2,Bitcoin\n",
                                            encoding="utf-8")
    (folder / "project.toml").write_text(
        'name = "x"\n' + "".join(
            f'[[waves]]\nwave = "{y}"\nfile = "{y}.csv"\nid = "id"\ntext = {{q = "answer"}}\n'
            for y in waves), encoding="utf-8")
    return folder / "project.toml"


def test_panel_ids_repeated_across_waves_are_prefixed_with_the_wave(tmp_path: Path) -> None:
    responses = read_project(load_project(write_panel(tmp_path, ("2020", "2021")))).responses
    assert responses["response_id"].tolist() == ["2020/1", "2020/2", "2021/1", "2021/2"]
    assert responses["respondent_id"].astype(str).tolist() == ["1", "2", "1", "2"]


def test_ids_repeated_within_one_wave_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"within one wave \('1' in 2020\.csv, 2020\.csv"):
        read_project(load_project(write_panel(tmp_path, ("2020", "2020"))))


def test_cleaning_table_overrides_only_what_it_names(tmp_path: Path) -> None:
    from openends.clean import CleaningOptions
    from openends.pipeline import cleaning_options

    path = tmp_path / "project.toml"
    path.write_text('name = "x"\nseed = 7\n[[waves]]\nwave = "1"\nfile = "a.csv"\n'
                    'text = {q = "Q"}\n[cleaning]\nexpected_languages = ["sv"]\n'
                    'non_answers = ["ask hr"]\n', encoding="utf-8")
    options = cleaning_options(load_project(path))
    defaults = CleaningOptions()
    assert options.expected_languages == ("sv",) and options.non_answers == ("ask hr",)
    assert options.seed == 7
    assert options.languages == defaults.languages and options.redact is defaults.redact
    assert options.duplicate_min_words == defaults.duplicate_min_words
