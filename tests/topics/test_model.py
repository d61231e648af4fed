"""TopicModel on the sample project, with the TF-IDF embedder (no neural model needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from openends.cli import app
from openends.errors import ConfigError, NotFittedError, TooFewAnswersError
from openends.topics import (
    TopicModel,
    fit_on_sample,
    load_topic_model,
    save_topic_model,
    topics_by,
)
from openends.topics.model import candidate_sizes
from openends.topics.summary import TopicSummary, evaluate_topics


@pytest.fixture(scope="module")
def cleaned() -> pd.DataFrame:
    from openends.clean import clean_responses
    from openends.config import load_project
    from openends.pipeline import cleaning_options, read_project
    from openends.sample import sample_project_path

    project = load_project(sample_project_path())
    table, _ = clean_responses(read_project(project).responses, cleaning_options(project))
    return table


@pytest.fixture(scope="module")
def fitted(cleaned: pd.DataFrame) -> TopicModel:
    return TopicModel(n_topics=8, embedder="tfidf", seed=0).fit(cleaned)


def test_every_row_is_accounted_for_and_only_ok_answers_get_topics(
        cleaned: pd.DataFrame, fitted: TopicModel) -> None:
    assignments = fitted.assignments_
    assert assignments["response_id"].tolist() == cleaned["response_id"].tolist()
    assert assignments["status"].tolist() == cleaned["status"].tolist()
    ok = (cleaned["status"] == "ok").to_numpy()
    assert ok.sum() < len(cleaned)  # the sample has non-answers, duplicates, other languages
    assert assignments.loc[ok, "topic"].notna().all()
    assert assignments.loc[~ok, "topic"].isna().all()
    assert assignments.loc[~ok, "probability"].isna().all()
    assert assignments.loc[ok, "probability"].between(0, 1).all()
    assert sum(topic.size for topic in fitted.topics_) == ok.sum()


def test_a_large_set_is_fitted_on_a_stratified_sample_and_all_answers_assigned(
        cleaned: pd.DataFrame) -> None:
    model = fit_on_sample(TopicModel(n_topics=8, embedder="tfidf", seed=0), cleaned,
                          size=1000, seed=0)
    ok = (cleaned["status"] == "ok").to_numpy()
    assert model.n_modelled_ == pytest.approx(1000, abs=10) and ok.sum() > 3000
    assignments = model.assignments_
    assert assignments["response_id"].tolist() == cleaned["response_id"].tolist()
    assert assignments.loc[ok, "topic"].notna().all() and assignments.loc[~ok, "topic"].isna().all()
    assert sum(topic.size for topic in model.topics_) == ok.sum()
    assert sum(topic.share for topic in model.topics_) == pytest.approx(1, abs=1e-5)
    again = fit_on_sample(TopicModel(n_topics=8, embedder="tfidf", seed=0), cleaned,
                          size=1000, seed=0)
    assert again.assignments_.equals(assignments)
    whole = fit_on_sample(TopicModel(n_topics=8, embedder="tfidf", seed=0), cleaned,
                          size=10_000, seed=0)
    assert whole.n_modelled_ == ok.sum()  # below the size, every answer is fitted


def test_exactly_k_topics_for_every_method(cleaned: pd.DataFrame) -> None:
    for method in ("bertopic", "nmf", "lda"):
        model = TopicModel(method, n_topics=6, embedder="tfidf", seed=0).fit(cleaned)
        numbered = [topic.topic for topic in model.topics_ if topic.topic >= 0]
        assert numbered == list(range(6)), method
        assigned = model.assignments_["topic"].dropna().astype(int)
        assert set(assigned) <= {-1, *range(6)}, method


def test_topics_describe_themes_with_words_phrases_and_representatives(
        cleaned: pd.DataFrame, fitted: TopicModel) -> None:
    ids = set(cleaned["response_id"])
    redacted = dict(zip(cleaned["response_id"], cleaned["redacted_text"], strict=True))
    for topic in fitted.topics_:
        assert topic.label and topic.label != "(no words)"
        assert 1 <= len(topic.words) <= 10
        assert len(topic.weights) == len(topic.words) and min(topic.weights) > 0
        assert all(" " in phrase for phrase in topic.phrases)
        assert set(topic.representatives) <= ids
        assert list(topic.examples) == [redacted[r] for r in topic.representatives]
        assert not any(word in {"the", "and", "be", "nothing"} for word in topic.words)
    sizes = [topic.size for topic in fitted.topics_]
    assert sizes == sorted(sizes, reverse=True)


def test_same_seed_same_topics(cleaned: pd.DataFrame, fitted: TopicModel) -> None:
    again = TopicModel(n_topics=8, embedder="tfidf", seed=0).fit(cleaned)
    pd.testing.assert_frame_equal(again.assignments_, fitted.assignments_)
    assert again.topics_ == fitted.topics_


def test_nmf_with_a_seed_is_reproducible(cleaned: pd.DataFrame) -> None:
    first = TopicModel("nmf", n_topics=5, seed=3).fit(cleaned)
    second = TopicModel("nmf", n_topics=5, seed=3).fit(cleaned)
    pd.testing.assert_frame_equal(first.assignments_, second.assignments_)


def test_auto_chooses_among_candidate_sizes(cleaned: pd.DataFrame) -> None:
    model = TopicModel(n_topics="auto", embedder="tfidf").fit(cleaned)
    n_ok = int((cleaned["status"] == "ok").sum())
    tried = [candidate.n_topics for candidate in model.candidates_]
    assert tried == candidate_sizes(n_ok)
    assert len(model.topics_) in tried
    assert all(-1 <= candidate.npmi <= 1 and 0 < candidate.diversity <= 1
               for candidate in model.candidates_)


def test_candidate_sizes_grow_with_the_survey() -> None:
    assert candidate_sizes(50) == [2]
    small, large = candidate_sizes(800), candidate_sizes(20_000)
    assert small[0] < large[0] and large[0] == 10 and large[-1] == 40
    assert len(large) <= 16


def test_save_load_transform_round_trip(cleaned: pd.DataFrame, fitted: TopicModel,
                                       tmp_path: Path) -> None:
    folder = save_topic_model(fitted, tmp_path / "topics")
    saved = json.loads((folder / "topics.json").read_text(encoding="utf-8"))
    assert [item["topic"] for item in saved] == [topic.topic for topic in fitted.topics_]
    assert {"topic", "label", "words", "weights", "size", "representatives"} <= set(saved[0])
    csv = pd.read_csv(folder / "assignments.csv", dtype={"response_id": str})
    assert csv["response_id"].tolist() == cleaned["response_id"].tolist()
    assert not [path for path in folder.rglob("*")
                if path.suffix in {".pkl", ".pickle", ".joblib", ".bin", ".pt"}]
    loaded = load_topic_model(folder)
    assert loaded.topics_ == fitted.topics_
    new = cleaned.head(300)
    pd.testing.assert_frame_equal(loaded.transform(new), fitted.transform(new))


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_sklearn_models_round_trip(cleaned: pd.DataFrame, method: str, tmp_path: Path) -> None:
    model = TopicModel(method, n_topics=4, seed=0).fit(cleaned)
    loaded = load_topic_model(save_topic_model(model, tmp_path / method))
    pd.testing.assert_frame_equal(loaded.transform(cleaned), model.transform(cleaned))
    # transform of the answers it was fitted on gives back the fitted assignments
    pd.testing.assert_frame_equal(model.transform(cleaned), model.assignments_)


def test_a_failed_save_keeps_the_previous_folder(fitted: TopicModel, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    folder = save_topic_model(fitted, tmp_path / "topics")
    before = (folder / "topics.json").read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(OSError):
        save_topic_model(fitted, folder)
    assert (folder / "topics.json").read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["topics"]


def test_transform_refuses_another_embedder(fitted: TopicModel, cleaned: pd.DataFrame,
                                            tmp_path: Path) -> None:
    from openends.embed.tfidf import TfidfEmbedder

    other = TfidfEmbedder(seed=1).fit(cleaned["clean_text"].head(200).tolist())
    loaded = load_topic_model(save_topic_model(fitted, tmp_path / "t"), embedder=other)
    with pytest.raises(ConfigError, match="fitted with embedder"):
        loaded.transform(cleaned.head(20))


def test_too_few_answers_is_a_clear_error(cleaned: pd.DataFrame) -> None:
    ok = cleaned[cleaned["status"] == "ok"]
    with pytest.raises(TooFewAnswersError, match="only 49 answers"):
        TopicModel(n_topics=2, embedder="tfidf").fit(ok.head(49))
    model = TopicModel(n_topics=2, embedder="tfidf").fit(ok.head(50))
    assert model.assignments_["topic"].notna().sum() == 50


def test_options_are_checked_when_fitting(cleaned: pd.DataFrame) -> None:
    TopicModel(method="bertopik")  # nothing is checked in __init__
    with pytest.raises(ConfigError, match="did you mean 'bertopic'"):
        TopicModel(method="bertopik").fit(cleaned)
    with pytest.raises(ConfigError, match="at least 2"):
        TopicModel(n_topics=1).fit(cleaned)
    with pytest.raises(ConfigError, match="HDBSCAN finds the number"):
        TopicModel(n_topics=5, clustering="hdbscan").fit(cleaned)
    with pytest.raises(NotFittedError):
        TopicModel().transform(cleaned)


def test_topics_by_counts_add_up(cleaned: pd.DataFrame, fitted: TopicModel) -> None:
    counts = topics_by(fitted.assignments_, cleaned, "wave")
    per_wave = cleaned[cleaned["status"] == "ok"].groupby("wave").size()
    assert counts.groupby("wave")["count"].sum().to_dict() == per_wave.to_dict()
    assert np.allclose(counts.groupby("wave")["share"].sum(), 1.0)


def test_quality_and_summary(cleaned: pd.DataFrame, fitted: TopicModel) -> None:
    quality = evaluate_topics(fitted, cleaned, stability_seed=1)
    assert quality.n_topics == 8
    assert -1 <= quality.npmi <= 1 and 0 < quality.diversity <= 1
    assert quality.outlier_share == 0.0
    assert quality.stability == 1.0  # Ward clustering uses no random numbers
    summary = TopicSummary.of(fitted, cleaned, quality=quality)
    assert summary.n_modelled + sum(summary.excluded.values()) == len(cleaned)
    from rich.console import Console

    console = Console(width=100, record=True, color_system=None)
    console.print(summary)
    text = console.export_text()
    assert fitted.topics_[0].label.split(",")[0] in text
    assert "stability (ARI, two seeds)" in text


def test_cli_topics_writes_a_folder_the_library_reads(corpora: Path, tmp_path: Path) -> None:
    out = tmp_path / "topics"
    result = CliRunner().invoke(app, [
        "topics", str(corpora / "police_2017.csv"), "--text", "tech=Q4", "--text", "help=Q5",
        "--id", "ResponseId", "--embedder", "tfidf", "--n-topics", "5", "--by", "question",
        "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["modelled"] + sum(summary["not_modelled"].values()) == summary["responses"]
    model = load_topic_model(out)
    assert len(model.topics_) == 5
    by_question = pd.read_csv(out / "topics_by_question.csv")
    assert set(by_question["question"]) == {"tech", "help"}
    assert by_question["count"].sum() == summary["modelled"]


@pytest.mark.parametrize("arguments, message", [
    (["--n-topics", "many"], "--n-topics must be 'auto' or a whole number"),
    (["--method", "lsa"], "unknown method 'lsa'"),
    (["--embedder", "bert"], "bert"),
])
def test_cli_topics_bad_options_exit_2(corpora: Path, tmp_path: Path, arguments: list[str],
                                       message: str) -> None:
    out = tmp_path / "topics"
    result = CliRunner().invoke(app, [
        "topics", str(corpora / "police_2017.csv"), "--text", "Q4", "-o", str(out),
        *arguments])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_fit_save_load_transform_never_use_the_network(cleaned: pd.DataFrame, tmp_path: Path,
                                                       no_network: None) -> None:
    model = TopicModel(n_topics=4, embedder="tfidf").fit(cleaned)
    loaded = load_topic_model(save_topic_model(model, tmp_path / "topics"))
    assert loaded.transform(cleaned.head(50))["topic"].notna().any()


@pytest.mark.slow
def test_default_static_embedder_offline(cleaned: pd.DataFrame, static_model: Path,
                                         tmp_path: Path, no_network: None) -> None:
    fitted = TopicModel(embedder="static", models_dir=static_model.parent, seed=0).fit(cleaned)
    n_ok = int((cleaned["status"] == "ok").sum())
    assert len(fitted.topics_) in candidate_sizes(n_ok)
    assert fitted.embedder_identity_.startswith("static:")
    loaded = load_topic_model(save_topic_model(fitted, tmp_path / "topics"),
                              models_dir=static_model.parent)
    pd.testing.assert_frame_equal(loaded.transform(cleaned), fitted.transform(cleaned))


def test_every_public_name_of_the_package_resolves() -> None:
    import openends.topics as package

    for name in package.__all__:
        assert getattr(package, name) is not None, name
