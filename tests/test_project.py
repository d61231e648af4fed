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


def test_demo_prints_the_summary_and_writes_responses(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "-o", str(tmp_path), "--embedder", "tfidf"],
                           env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.stderr
    assert "3,698 answers from 4 file(s)" in result.stdout
    assert "Qualtrics export" in result.stdout
    assert "Cleaned 3,698 rows in, 3,698 rows out" in result.stdout
    assert "non_substantive" in result.stdout and "Redactions: EMAIL" in result.stdout
    assert "Topic shares by question" in result.stdout and "Topic quality" in result.stdout
    written = pd.read_parquet(tmp_path / "responses.parquet")
    assert len(written) == 3698
    topics = load_topic_model(tmp_path / "topics")
    assert topics.assignments_["response_id"].tolist() == written["response_id"].tolist()
    assert (tmp_path / "topics" / "topics_by_wave.csv").exists()
    assert "Terms that mark each wave in police answers to 'tech'" in result.stdout
    marks = pd.read_csv(tmp_path / "keywords_by_wave.csv")
    assert set(marks["scope"]) == {"police answers to 'help'", "police answers to 'tech'"}
    assert "Coded 3,382 of 3,698 answers with rules + semantic" in " ".join(
        result.stdout.split())
    assert "Agreement of openends (A) with hand-coded (B) on 400 answers" in result.stdout
    codes = pd.read_csv(tmp_path / "codes.csv", keep_default_na=False)
    assert set(codes["response_id"]) == set(written["response_id"])
    coded = codes[codes["theme"] != ""]
    assert (coded["evidence"] != "").all() and coded["score"].astype(float).between(0, 1).all()
    assert len(pd.read_csv(tmp_path / "codes_wide.csv")) == 3698


def test_demo_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--json", "--embedder", "tfidf"])
    summary = json.loads(result.stdout)
    assert summary["responses"] == 3698
    assert [wave["respondents"] for wave in summary["waves"]] == [482, 517, 546, 304]
    topics = summary["topics"]
    assert topics["modelled"] + sum(topics["not_modelled"].values()) == 3698
    assert 10 <= len(topics["topics"]) <= 40
    assert set(topics["by"]) == {"question", "wave"}
    tech = next(result for result in summary["keywords_by_wave"] if "'tech'" in result["scope"])
    assert set(tech["groups"]) == {"2017", "2018", "2019"}
    marking_2019 = " ".join(tech["terms"]["2019"]).lower()
    assert all(word in marking_2019 for word in ("encrypt", "bitcoin", "live streaming"))
    assert summary["coding"]["coded"] + sum(summary["coding"]["not_coded"].values()) == 3698
    overall = summary["agreement"]["themes"][-1]
    assert overall["theme"] == "(all themes)" and overall["n"] == 400


@pytest.mark.slow
def test_demo_with_the_default_static_embedder(static_model: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENENDS_CACHE", str(static_model.parent.parent))
    result = runner.invoke(app, ["demo", "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    topics = summary["topics"]
    assert 10 <= len(topics["topics"]) <= 40
    assert topics["quality"]["outlier_share"] == 0.0
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


def test_ids_clashing_across_waves_are_refused(tmp_path: Path) -> None:
    for year in ("2020", "2021"):
        (tmp_path / f"{year}.csv").write_text("id,answer\n1,Encryption\n", encoding="utf-8")
    (tmp_path / "project.toml").write_text(
        'name = "x"\n' + "".join(
            f'[[waves]]\nwave = "{y}"\nfile = "{y}.csv"\nid = "id"\ntext = {{q = "answer"}}\n'
            for y in ("2020", "2021")), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'1' in 2020\.csv, 2021\.csv"):
        read_project(load_project(tmp_path / "project.toml"))


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
