"""``openends run`` on the sample project: every output, twice identically, cached, atomic."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from openends.cli import app
from openends.project import run_project

pytestmark = pytest.mark.slow
CORPORA = Path(__file__).resolve().parents[2] / "corpora"
runner = CliRunner()
SPEC_OUTPUTS = {"responses.parquet", "codes.csv", "codes_wide.csv", "topics", "keywords.csv",
                "prevalence.csv", "changes.csv", "report.md", "report.html", "manifest.json"}
ASKED_OUTPUTS = {"run.log", "agreement.csv", "keyphrases.csv"}  # by the sample project


def copy_project(folder: Path) -> Path:
    """The sample project copied into ``folder``, its output in ``folder/out``."""
    shutil.copytree(CORPORA, folder)
    project = folder / "project.toml"
    project.write_text(project.read_text(encoding="utf-8").replace(
        'output = "../out/sample"', 'output = "out"'), encoding="utf-8")
    return project


def contents(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def without_timings(manifest: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(manifest)
    data.pop("timings")
    return data


@pytest.fixture(scope="module")
def first(static_model: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One cold run of the sample project with the default (static) embedder, in a process
    of its own with a fixed hash seed (the tests run in this process, with another one)."""
    root = tmp_path_factory.mktemp("run")
    project = copy_project(root / "project")
    cache = root / "cache"
    cache.mkdir()
    (cache / "models").symlink_to(static_model.parent)
    env = {**os.environ, "OPENENDS_CACHE": str(cache), "PYTHONHASHSEED": "1",
           "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "openends", "run", str(project), "--json"],
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return {"project": project, "cache": cache, "summary": json.loads(done.stdout),
            "output": project.parent / "out", "files": contents(project.parent / "out")}


@pytest.fixture
def models(static_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENENDS_CACHE", str(static_model.parent.parent))


def test_every_output_of_the_specification(first: dict[str, Any]) -> None:
    output, files = first["output"], first["files"]
    assert {path.name for path in output.iterdir()} == SPEC_OUTPUTS | ASKED_OUTPUTS
    responses = pd.read_parquet(output / "responses.parquet")
    wide = pd.read_csv(output / "codes_wide.csv")
    codes = pd.read_csv(output / "codes.csv", keep_default_na=False)
    assert len(responses) == len(wide) == 3698 and responses["response_id"].is_unique
    assert set(codes["response_id"]) == set(responses["response_id"])
    assert list(wide["response_id"]) == list(responses["response_id"])
    assigned = pd.read_csv(output / "topics" / "assignments.csv")
    assert set(assigned["response_id"]) == set(responses["response_id"])
    prevalence = pd.read_csv(output / "prevalence.csv")
    assert {"theme", "group", "wave", "n", "k", "pct", "ci_low", "ci_high"} <= set(
        prevalence.columns)
    assert "p_adjusted" in pd.read_csv(output / "changes.csv").columns
    keywords = pd.read_csv(output / "keywords.csv", dtype={"value": str})
    assert list(keywords.columns[:5]) == ["scope", "value", "rank", "keyphrase", "score"]
    assert files["report.html"].count(b"<svg") > 10 and b"<script" not in files["report.html"]
    phrases = pd.read_csv(output / "keyphrases.csv", keep_default_na=False)
    assert list(phrases.columns) == ["response_id", "rank", "keyphrase", "score"]
    usable = set(responses.loc[responses["status"] == "ok", "response_id"])
    assert set(phrases["response_id"]) <= usable
    assert len(set(phrases["response_id"])) > 0.9 * len(usable)
    assert phrases.groupby("response_id")["rank"].agg(list).map(
        lambda ranks: ranks == list(range(1, len(ranks) + 1)) and len(ranks) <= 5).all()
    assert "keywords: up to 5 keyphrases of each answer (statistical)" in files[
        "run.log"].decode()
    steps = first["summary"]["steps"]
    assert first["summary"]["responses"] == 3698
    assert [step["step"] for step in steps] == [
        "read", "clean", "topics", "code", "keywords", "stats", "report"]
    assert not any(step["cached"] for step in steps)


def test_manifest_traces_inputs_counts_and_outputs(first: dict[str, Any]) -> None:
    project, files = first["project"], first["files"]
    manifest = json.loads(files["manifest.json"])
    assert manifest["seed"] == 2017 and manifest["config"]["name"] == manifest["project"]
    waves = [entry for entry in manifest["inputs"] if entry["role"] == "wave"]
    assert [(entry["path"], entry["rows"], entry["answers"]) for entry in waves] == [
        ("police_2017.csv", 482, 964), ("police_2018.xlsx", 517, 1034),
        ("police_2019.sav", 546, 1092), ("employer_2018.csv", 304, 608)]
    for entry in manifest["inputs"]:
        digest = hashlib.sha256((project.parent / entry["path"]).read_bytes()).hexdigest()
        assert entry["sha256"] == digest
    assert {entry["role"] for entry in manifest["inputs"]} == {"wave", "codebook",
                                                               "reference"}
    counts = manifest["counts"]
    assert counts["answers"] == sum(counts["statuses"].values()) == 3698
    assert counts["coded"] == counts["statuses"]["ok"]
    listed = {entry["path"]: entry["sha256"] for entry in manifest["outputs"]}
    assert listed == {name: hashlib.sha256(data).hexdigest() for name, data in files.items()
                      if name != "manifest.json"}
    assert {"openends", "pandas", "scikit-learn", "spacy", "python"} <= set(
        manifest["packages"])
    assert manifest["timings"]["steps"] == [
        {"step": step["step"], "seconds": step["seconds"], "cached": step["cached"]}
        for step in first["summary"]["steps"]]


def test_the_log_holds_no_answer(first: dict[str, Any]) -> None:
    log = first["files"]["run.log"].decode("utf-8")
    assert "3,698 answers" in log and "redactions: EMAIL" in log
    responses = pd.read_parquet(first["output"] / "responses.parquet")
    answers = responses.loc[responses["clean_text"].str.len() > 12, "clean_text"]
    assert not [answer for answer in answers if answer in log]


def test_a_second_cold_run_in_another_process_writes_the_same_bytes_offline(
        first: dict[str, Any], tmp_path: Path, models: None, no_network: None) -> None:
    run_project(first["project"], output=tmp_path / "again", cache_dir=tmp_path / "cache")
    again = contents(tmp_path / "again")
    assert set(again) == set(first["files"])
    differing = [name for name in again if again[name] != first["files"][name]]
    assert differing == ["manifest.json"]
    assert without_timings(again["manifest.json"]) == without_timings(
        first["files"]["manifest.json"])


def test_a_rerun_takes_every_step_from_the_cache(first: dict[str, Any], tmp_path: Path,
                                                 models: None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def heavy(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("heavy work on a re-run")

    monkeypatch.setattr("openends.clean.pipeline.clean_responses", heavy)
    monkeypatch.setattr("openends.topics.model.TopicModel.fit", heavy)
    monkeypatch.setattr("openends.coding.combine.code_responses", heavy)
    monkeypatch.setattr("openends.embed.static.StaticEmbedder.embed", heavy)
    monkeypatch.setattr("openends.clean.pipeline.combine_cleaned", heavy)
    monkeypatch.setattr("openends.pipeline.project_report", heavy)
    monkeypatch.setattr("openends.clean.pipeline.redact_originals", heavy)
    result = run_project(first["project"], output=tmp_path / "warm", cache_dir=first["cache"])
    assert [step.name for step in result.steps if step.cached] == [
        "clean", "topics", "code", "keywords", "stats"]
    warm = contents(tmp_path / "warm")
    assert {name for name in warm if warm[name] != first["files"][name]} == {"manifest.json"}


def test_a_new_wave_cleans_and_embeds_only_its_answers(first: dict[str, Any], tmp_path: Path,
                                                       models: None,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_project(tmp_path / "project")
    new_answers = write_new_wave(project.parent / "police_2020.csv")
    with project.open("a", encoding="utf-8") as stream:
        stream.write('\n[[waves]]\ngroup = "police"\nwave = "2020"\nfile = "police_2020.csv"\n'
                     'id = "id"\ntext = { tech = "tech", help = "help" }\n'
                     'attrs = { country = "country" }\n')
    cleaned_sizes: list[int] = []
    embedded: list[str] = []
    from openends.clean import pipeline
    from openends.embed.static import StaticEmbedder

    clean, embed = pipeline.clean_responses, StaticEmbedder.embed

    def counted_clean(responses: pd.DataFrame, *args: Any, **kwargs: Any) -> Any:
        cleaned_sizes.append(len(responses))
        return clean(responses, *args, **kwargs)

    def counted_embed(self: StaticEmbedder, texts: Any, **kwargs: Any) -> Any:
        embedded.extend(texts)
        return embed(self, texts, **kwargs)

    monkeypatch.setattr(pipeline, "clean_responses", counted_clean)
    monkeypatch.setattr(StaticEmbedder, "embed", counted_embed)
    result = run_project(project, cache_dir=first["cache"])
    assert cleaned_sizes == [2 * len(new_answers)]
    assert embedded and set(embedded) <= set(new_answers["tech"]) | set(new_answers["help"])
    assert result.responses == 3698 + 2 * len(new_answers)
    prevalence = pd.read_csv(project.parent / "out" / "prevalence.csv", dtype={"wave": str})
    assert "2020" in set(prevalence["wave"])


def write_new_wave(path: Path) -> pd.DataFrame:
    """A 2020 police wave: answers no earlier wave has (each names the year)."""
    topics = ["encrypted phones", "bitcoin payments", "cloud storage", "live streams",
              "the darknet", "more training", "specialist staff", "forensic tools"]
    rows = [{"id": f"P20-{index:03d}", "country": ["Sweden", "Norway"][index % 2],
             "tech": f"In 2020 case {index} we saw {topics[index % 8]} and "
                     f"{topics[(index * 3 + 1) % 8]} more often than before",
             "help": f"What helped most in case {index} was {topics[(index + 5) % 8]}"}
            for index in range(60)]
    table = pd.DataFrame(rows)
    table.to_csv(path, index=False)
    return table


def test_a_failed_run_leaves_the_previous_outputs(first: dict[str, Any], tmp_path: Path,
                                                  models: None,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "out"
    shutil.copytree(first["output"], output)
    before = contents(output)

    def failing(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("injected failure while the stats step writes")

    monkeypatch.setattr("openends.report.tables.report_tables", failing)
    with pytest.raises(RuntimeError, match="injected"):
        run_project(first["project"], output=output, cache_dir=first["cache"])
    assert contents(output) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


def test_an_interrupted_run_says_so_and_leaves_the_previous_outputs(
        first: dict[str, Any], tmp_path: Path, models: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "out"
    shutil.copytree(first["output"], output)
    before = contents(output)

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("openends.report.tables.write_report", interrupted)
    result = runner.invoke(app, ["run", str(first["project"]), "-o", str(output)],
                           env={"OPENENDS_CACHE": str(first["cache"])})
    assert result.exit_code == 130 and "interrupted" in result.stderr
    assert contents(output) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


def test_a_killed_runs_leftovers_are_cleared(first: dict[str, Any], tmp_path: Path,
                                             models: None) -> None:
    output = tmp_path / "out"
    shutil.copytree(first["output"], output)
    (tmp_path / ".out.run-killed").mkdir()
    (tmp_path / ".out.run-killed" / "codes.csv").write_text("half", encoding="utf-8")
    run_project(first["project"], output=output, cache_dir=first["cache"])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


def test_only_one_step_rewrites_its_outputs_and_keeps_the_rest(
        first: dict[str, Any], tmp_path: Path, models: None) -> None:
    output = tmp_path / "out"
    shutil.copytree(first["output"], output)
    (output / "keywords.csv").write_text("kept from an earlier run\n", encoding="utf-8")
    (output / "report.md").write_text("stale\n", encoding="utf-8")
    result = run_project(first["project"], output=output, cache_dir=first["cache"],
                         only="report")
    assert [step.name for step in result.steps] == ["read", "clean", "code", "stats", "report"]
    assert [step.name for step in result.steps if step.written] == ["report"]
    now = contents(output)
    assert now["report.md"] == first["files"]["report.md"]
    assert now["keywords.csv"] == b"kept from an earlier run\n"
    manifest = json.loads(now["manifest.json"])
    assert manifest["only"] == "report" and "keywords.csv" in manifest["carried_over"]


def test_cli_summary_and_progress(first: dict[str, Any], tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(first["project"]), "-o", str(tmp_path / "out"),
                                 "--json"], env={"OPENENDS_CACHE": str(first["cache"])})
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["responses"] == 3698 and set(summary["outputs"]) >= SPEC_OUTPUTS
    assert [step["cached"] for step in summary["steps"]] == [False] + [True] * 5 + [False]
    assert "[1/7] read: 3,698 answers from 4 file(s)" in result.stderr
    assert "[7/7] report: md, html" in result.stderr
