"""``openends run --engine dask`` on the sample project: the local engine's numbers, on a
local Dask cluster, with answers split into many partitions; a lost worker changes
nothing; a failed run leaves the previous outputs."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from distributed.diagnostics.plugin import WorkerPlugin
from typer.testing import CliRunner

from openends.cli import app
from openends.project import run_project

pytestmark = pytest.mark.slow
CORPORA = Path(__file__).resolve().parents[2] / "corpora"
runner = CliRunner()
SAME_FILES = ("codes.csv", "codes_wide.csv", "agreement.csv", "keywords.csv", "keyphrases.csv",
              "prevalence.csv", "changes.csv", "report.md", "report.html",
              "topics/topics.json", "topics/assignments.csv", "topics/topics_by_wave.csv",
              "topics/topics_by_question.csv")


def copy_project(folder: Path, engine: str = "", topics: str = "") -> Path:
    """The sample project in ``folder`` (output ``folder/out``), with extra tables."""
    shutil.copytree(CORPORA, folder)
    project = folder / "project.toml"
    text = project.read_text(encoding="utf-8").replace('output = "../out/sample"',
                                                       'output = "out"')
    project.write_text(text + engine + topics, encoding="utf-8")
    return project


SMALL_PARTITIONS = '\n[engine]\nworkers = 2\nmemory_limit = "3GB"\npartition_size = 300\n'


@pytest.fixture(scope="module")
def cache(static_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache holding only the built static model, for every run of this module."""
    folder = tmp_path_factory.mktemp("dask-cache")
    (folder / "models").symlink_to(static_model.parent)
    return folder


@pytest.fixture(scope="module")
def local(cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project's outputs from the local engine."""
    project = copy_project(tmp_path_factory.mktemp("local") / "project")
    run_project(project, cache_dir=cache / "local")
    return project.parent / "out"


@pytest.fixture(scope="module")
def dask_run(cache: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The same project on a local cluster started by the run (2 workers, partitions of
    300 answers: 15 of them), through the command line."""
    project = copy_project(tmp_path_factory.mktemp("dask") / "project", SMALL_PARTITIONS)
    previous = os.environ.get("OPENENDS_CACHE")
    os.environ["OPENENDS_CACHE"] = str(cache)
    try:
        done = runner.invoke(app, ["run", str(project), "--engine", "dask", "--json"])
    finally:
        if previous is not None:
            os.environ["OPENENDS_CACHE"] = previous
    assert done.exit_code == 0, done.output
    return {"project": project, "output": project.parent / "out",
            "summary": json.loads(done.stdout)}


def test_the_same_numbers_as_the_local_engine(local: Path, dask_run: dict[str, Any]) -> None:
    output = dask_run["output"]
    for name in SAME_FILES:
        assert (output / name).read_bytes() == (local / name).read_bytes(), name
    mine = pd.read_parquet(output / "responses.parquet")
    pd.testing.assert_frame_equal(mine, pd.read_parquet(local / "responses.parquet"))
    assert (output / "responses.parquet").is_dir()
    assert len(list((output / "responses.parquet").glob("part-*.parquet"))) == 15


def test_the_manifest_reconciles_every_answer(local: Path, dask_run: dict[str, Any]) -> None:
    manifest = json.loads((dask_run["output"] / "manifest.json").read_text(encoding="utf-8"))
    theirs = json.loads((local / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"]["name"] == "dask" and manifest["engine"]["workers"] == 2
    counts = manifest["counts"]
    partitions = counts.pop("partitions")
    assert counts == theirs["counts"]
    assert sum(partitions["answers"]) == 3698 and partitions["count"] == 15
    assert set(partitions["reconciled"].values()) == {3698}
    assert {"read", "cleaned", "coded answers", "codes.csv", "codes_wide.csv",
            "topics/assignments.csv"} <= set(partitions["reconciled"])
    assert manifest["outputs"] and not any(entry["path"].startswith(".work")
                                           for entry in manifest["outputs"])
    assert dask_run["summary"]["statuses"] == {
        key: value for key, value in theirs["counts"]["statuses"].items() if value}


def test_topics_fitted_on_a_sample_assign_the_same(cache: Path, cluster: Any,
                                                   tmp_path: Path) -> None:
    """A sample-fitted model (fit_sample below the answers) transforms each partition on
    the workers as the local engine transforms the whole table."""
    sample = '\n[topics]\nfit_sample = 1500\n'
    off = '\n[coding]\ncodebook = "codebook.yml"\nsemantic = false\n'
    outputs = []
    for engine, extra in (("local", ""), ("dask", SMALL_PARTITIONS)):
        project = copy_project(tmp_path / engine, extra, sample)
        text = project.read_text(encoding="utf-8")
        text = text.replace('[coding]\ncodebook = "codebook.yml"           # rules + semantic '
                            'matching\nreference = "hand_coded.csv"        # 400 hand-coded '
                            'answers: agreement shown by the demo\n', "")
        project.write_text(text + off, encoding="utf-8")
        run_project(project, cache_dir=cache / f"sample-{engine}", engine=engine,
                    scheduler=cluster.scheduler_address if engine == "dask" else None)
        outputs.append(project.parent / "out")
    for name in ("topics/topics.json", "topics/topics_by_wave.csv", "codes.csv"):
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name
    local, dask = (pd.read_csv(output / "topics" / "assignments.csv") for output in outputs)
    pd.testing.assert_frame_equal(local[["response_id", "topic"]],
                                  dask[["response_id", "topic"]])
    # Matrix products over a partition, not the whole table: the last printed digit of a
    # probability can differ (BLAS sums in another order), never the topic.
    assert (local["probability"] - dask["probability"]).abs().max() <= 2e-6
    log = (outputs[1] / "run.log").read_text(encoding="utf-8")
    assert re.search(r"fitted on a sample of 1,(4\d\d|500)\n", log)  # by wave and question


class KillOnce(WorkerPlugin):  # type: ignore[misc]
    """A worker plugin: the worker that starts the first task whose key starts with
    ``prefix`` dies on the spot (once: a marker file records it)."""

    def __init__(self, prefix: str, marker: str) -> None:
        self.prefix, self.marker = prefix, marker

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if (finish == "executing" and str(key).startswith(self.prefix)
                and not Path(self.marker).exists()):
            Path(self.marker).write_text(str(key), encoding="utf-8")
            os._exit(1)


@pytest.fixture(scope="module")
def cluster(cache: Path) -> Iterator[Any]:
    """A local cluster of two workers, restarted by their nannies when they die, for the
    runs of this module that do not start their own (a cluster outlives runs, as a
    user's does)."""
    import cloudpickle

    from distributed import LocalCluster

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    env = {"OPENENDS_CACHE": str(cache), "HF_HUB_OFFLINE": "1"}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, memory_limit="3GB", env=env) as started:
        yield started
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def test_a_lost_worker_loses_and_duplicates_nothing(local: Path, cluster: Any, cache: Path,
                                                    tmp_path: Path) -> None:
    from distributed import Client

    marker = tmp_path / "killed"
    with Client(cluster) as client:
        client.register_plugin(KillOnce("code-00003", str(marker)), name="kill-once")
        project = copy_project(tmp_path / "project", SMALL_PARTITIONS)
        try:
            run_project(project, cache_dir=cache / "killed", engine="dask",
                        scheduler=cluster.scheduler_address)
        finally:
            client.unregister_worker_plugin("kill-once")
    assert marker.read_text(encoding="utf-8").startswith("code-00003-")  # a worker died
    output = project.parent / "out"
    for name in ("codes.csv", "codes_wide.csv", "prevalence.csv", "changes.csv"):
        assert (output / name).read_bytes() == (local / name).read_bytes(), name
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["counts"]["partitions"]["reconciled"].values()) == {3698}


def test_a_failed_run_leaves_the_previous_outputs(dask_run: dict[str, Any], cache: Path,
                                                  cluster: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from openends.distributed import steps

    output = dask_run["output"]
    before = {path: path.read_bytes() for path in output.rglob("*") if path.is_file()}

    def broken(state: Any) -> None:
        raise RuntimeError("injected failure")

    monkeypatch.setattr(steps, "DASK_STEPS", tuple(
        step if step.name != "stats" else steps.Step("stats", step.needs, broken, step.write,
                                                     step.outputs)
        for step in steps.DASK_STEPS))
    monkeypatch.setattr("openends.project.run.DASK_STEPS", steps.DASK_STEPS)
    with pytest.raises(RuntimeError, match="injected failure"):
        run_project(dask_run["project"], cache_dir=cache / "failed", engine="dask",
                    scheduler=cluster.scheduler_address)
    after = {path: path.read_bytes() for path in output.rglob("*") if path.is_file()}
    assert after == before
    assert not [path.name for path in output.parent.iterdir() if path.name.startswith(".")]


@pytest.mark.parametrize(("arguments", "message"), [
    (["--engine", "spark"], "--engine: no engine 'spark'; choose one of: local, dask"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler: a Dask scheduler is for"),
    (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"],
     "engine.scheduler: cannot reach the Dask scheduler at tcp://127.0.0.1:9"),
])
def test_engine_errors_are_one_line(arguments: list[str], message: str,
                                    tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    done = runner.invoke(app, ["run", str(project), *arguments])
    assert done.exit_code == 2
    assert done.output.strip().splitlines() == [f"error: {done.output.split('error: ')[1]}"
                                                .strip()]
    assert message in done.output
    assert not (project.parent / "out").exists()


@pytest.mark.parametrize(("table", "setting", "changed"), [
    ("topics", "[coding]", '[topics]\nembedder = "tfidf"\n\n[coding]'),
    ("keywords", "per_answer = 5", 'per_answer = 5\nmethod = "embedding"\nembedder = "tfidf"')])
def test_tfidf_is_refused_on_dask(table: str, setting: str, changed: str, tmp_path: Path,
                                  cache: Path) -> None:
    project = copy_project(tmp_path / "project", SMALL_PARTITIONS)
    text = project.read_text(encoding="utf-8")
    project.write_text(text.replace(setting, changed), encoding="utf-8")
    with pytest.raises(Exception, match=fr"{table}\.embedder: tfidf learns its vocabulary"):
        run_project(project, cache_dir=cache / "tfidf", engine="dask")
    assert not (project.parent / "out").exists()


def typed_waves(folder: Path) -> Path:
    """Two Parquet waves whose attributes differ in columns and types: the first has an
    integer and a yes/no attribute the second lacks (as exports of two years do)."""
    folder.mkdir(parents=True)
    texts = ["We seize encrypted phones in most cases now", "More staff please",
             "Bitcoin payments for the material", "n/a", "Tor and onion sites everywhere"]
    first = pd.DataFrame({"id": [f"a{index}" for index in range(40)],
                          "answer": [texts[index % 5] + f" case {index}" for index in range(40)],
                          "years": list(range(40)), "sworn": [index % 2 == 0
                                                               for index in range(40)]})
    second = pd.DataFrame({"id": [f"b{index}" for index in range(30)],
                           "answer": [texts[index % 5] for index in range(30)]})
    first.to_parquet(folder / "wave1.parquet")
    second.to_parquet(folder / "wave2.parquet")
    project = folder / "project.toml"
    project.write_text(
        'name = "typed"\noutput = "out"\n'
        '[[waves]]\nwave = "2020"\nfile = "wave1.parquet"\nid = "id"\n'
        'text = { tech = "answer" }\nattrs = { years = "years", sworn = "sworn" }\n'
        '[[waves]]\nwave = "2021"\nfile = "wave2.parquet"\nid = "id"\n'
        'text = { tech = "answer" }\n'
        '[topics]\nenabled = false\n[keywords]\nenabled = false\n'
        '[engine]\nworkers = 1\npartition_size = 100\n', encoding="utf-8")
    return project


def test_waves_with_other_columns_and_types(cache: Path, cluster: Any,
                                            tmp_path: Path) -> None:
    """Missing attributes and integer or yes/no columns come out as the local engine's
    concatenation gives them (floats with gaps, objects), not cast wrongly per wave."""
    project = typed_waves(tmp_path / "typed")
    tables = {}
    for engine in ("local", "dask"):
        run_project(project, cache_dir=cache / f"typed-{engine}", engine=engine,
                    output=tmp_path / engine,
                    scheduler=cluster.scheduler_address if engine == "dask" else None)
        tables[engine] = pd.read_parquet(tmp_path / engine / "responses.parquet")
    pd.testing.assert_frame_equal(tables["dask"], tables["local"])
    assert tables["dask"]["years"].isna().sum() == 30
    assert tables["dask"]["sworn"].tolist()[:2] == [True, False]


def test_a_panel_counted_by_respondent_is_refused(cache: Path, tmp_path: Path) -> None:
    project = typed_waves(tmp_path / "panel")
    frame = pd.read_parquet(project.parent / "wave2.parquet")
    frame.assign(id=[f"a{index}" for index in range(30)]).to_parquet(
        project.parent / "wave2.parquet")
    project.write_text(project.read_text(encoding="utf-8") +
                       '[report]\nbase = "respondents"\n', encoding="utf-8")
    done = runner.invoke(app, ["run", str(project), "--engine", "dask"])
    assert done.exit_code == 2
    assert "report.base: counting respondents across the waves of a panel" in done.output
    assert not (project.parent / "out").exists()


def test_a_trained_coder_codes_each_partition_as_the_whole(cache: Path, cluster: Any,
                                                           tmp_path: Path) -> None:
    """A coder trained on the 2017 hand codes (its files read by each task) with
    semi-automatic decisions: the same codes and decisions on both engines."""
    hand = pd.read_csv(CORPORA / "hand_coded.csv", dtype={"response_id": str})
    labels = tmp_path / "labels.csv"
    hand[hand["response_id"].str.startswith("R_")].to_csv(labels, index=False)
    trained = runner.invoke(app, [
        "train", str(CORPORA / "police_2017.csv"), "--text", "tech=Q4", "--text", "help=Q5",
        "--id", "ResponseId", "--labels", str(labels), "--codebook",
        str(CORPORA / "codebook.yml"), "--embedder", "none", "-o", str(tmp_path / "coder")])
    assert trained.exit_code == 0, trained.output
    outputs = []
    for engine, extra in (("local", ""), ("dask", SMALL_PARTITIONS)):
        project = copy_project(tmp_path / engine, extra, '\n[topics]\nenabled = false\n')
        text = project.read_text(encoding="utf-8").replace(
            'reference = "hand_coded.csv"',
            f'reference = "hand_coded.csv"\nmodel = "{tmp_path / "coder"}"\n'
            "min_precision = 0.9\nsemantic = false")
        project.write_text(text, encoding="utf-8")
        run_project(project, cache_dir=cache / f"trained-{engine}", engine=engine,
                    scheduler=cluster.scheduler_address if engine == "dask" else None)
        outputs.append(project.parent / "out")
    for name in ("codes.csv", "codes_wide.csv", "prevalence.csv", "agreement.csv"):
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name
    codes = pd.read_csv(outputs[1] / "codes.csv", keep_default_na=False)
    assert {"model", "rule"} <= set(codes["source"])
    assert "review" in set(codes["decision"]) <= {"", "auto", "review"}
