"""The trained coder: learns codes, estimates its quality honestly, decides auto/review,
explains its codes, and saves to JSON and NumPy files that load back identically."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openends.coding.base import CODE_COLUMNS
from openends.coding.store import load_trained_coder, save_trained_coder
from openends.coding.trained import TrainedCoder, assign_folds
from openends.errors import (
    ConfigError,
    ModelError,
    ModelIntegrityError,
    NotFittedError,
    OpenendsError,
    OutputExistsError,
)

PHRASES = {
    "encryption": ["encrypted phones", "encryption everywhere", "encrypted chat apps",
                   "end to end encryption"],
    "crypto": ["bitcoin payments", "monero", "cryptocurrency wallets", "paid in bitcoin"],
    "cloud": ["cloud storage", "dropbox accounts", "icloud backups",
              "files kept online in the cloud"],
}
RARE = ("darknet", ["tor hidden services"])
FILLERS = ["we see", "more and more", "in many cases", "lately", "offenders use", "every year",
           "it is common", "as usual", "in our unit", "this year"]


def make_corpus(size: int, seed: int) -> tuple[list[str], pd.DataFrame]:
    """Answers that mention the phrases of their themes among filler words (some none)."""
    rng = np.random.default_rng(seed)
    texts, rows = [], []
    for index in range(size):
        chosen = [theme for theme in PHRASES if rng.random() < 0.35]
        rare = index < 2
        parts = [str(rng.choice(PHRASES[theme])) for theme in chosen]
        parts += [RARE[1][0]] if rare else []
        parts += [str(filler) for filler in rng.choice(FILLERS, size=2, replace=False)]
        rng.shuffle(parts)
        texts.append(" ".join(parts).capitalize())
        rows.append({**{theme: int(theme in chosen) for theme in PHRASES}, RARE[0]: int(rare)})
    return texts, pd.DataFrame(rows)


@pytest.fixture(scope="module")
def corpus() -> tuple[list[str], pd.DataFrame]:
    return make_corpus(240, seed=1)


@pytest.fixture(scope="module")
def coder(corpus: tuple[list[str], pd.DataFrame]) -> TrainedCoder:
    texts, labels = corpus
    return TrainedCoder(embedder=None, seed=0).fit(texts, labels)


def test_learnable_codes_are_learned_with_a_high_cross_validated_f1(
        coder: TrainedCoder) -> None:
    quality = coder.quality_
    assert coder.themes_ == ["encryption", "crypto", "cloud"]
    assert [item.theme for item in quality.themes] == coder.themes_
    assert quality.macro_f1_modelled > 0.9 and quality.sample_f1 > 0.9 and quality.exact > 0.85
    assert all(item.f1 > 0.85 and item.n_positive > 50 for item in quality.themes)
    texts, labels = make_corpus(80, seed=2)
    predicted = coder.predict(texts)
    truth = labels[coder.themes_].to_numpy()
    assert predicted.shape == truth.shape and set(np.unique(predicted)) <= {0, 1}
    assert (predicted == truth).all(axis=1).mean() > 0.9


def test_rare_themes_are_reported_not_modelled_and_never_predicted(
        coder: TrainedCoder) -> None:
    assert coder.too_few_ == {"darknet": 2}
    assert "darknet" not in coder.themes_ and "darknet" not in coder.thresholds_
    assert coder.quality_.too_few == {"darknet": 2}
    # darknet has positives but is never predicted: it counts as F1 0 in the macro average
    assert coder.quality_.macro_f1 < coder.quality_.macro_f1_modelled
    assert coder.predict_proba(["tor hidden services"]).shape == (1, 3)


def test_thresholds_are_chosen_per_theme_between_0_and_1(coder: TrainedCoder) -> None:
    assert set(coder.thresholds_) == set(coder.themes_)
    assert all(0 < value < 1 for value in coder.thresholds_.values())
    assert [item.threshold for item in coder.quality_.themes] == [
        coder.thresholds_[theme] for theme in coder.themes_]


def test_the_same_seed_gives_the_same_coder(corpus: tuple[list[str], pd.DataFrame],
                                            coder: TrainedCoder) -> None:
    texts, labels = corpus
    again = TrainedCoder(embedder=None, seed=0).fit(texts, labels)
    assert np.array_equal(again.predict_proba(texts), coder.predict_proba(texts))
    assert again.thresholds_ == coder.thresholds_


def test_folds_spread_every_themes_positives() -> None:
    labels = np.zeros((50, 2), dtype=int)
    labels[:5, 0] = 1
    labels[5:30, 1] = 1
    folds = assign_folds(labels, 5, seed=3)
    assert sorted(folds[:5].tolist()) == [0, 1, 2, 3, 4]
    assert np.bincount(folds).tolist() == [10] * 5


def test_min_precision_1_marks_nothing_auto_and_0_everything(
        coder: TrainedCoder) -> None:
    texts, _ = make_corpus(60, seed=4)
    nothing, accuracy, share = coder.decide(texts, 1.0)
    assert set(nothing) == {"review"} and share == 0.0 and np.isnan(accuracy)
    everything, accuracy, share = coder.decide(texts, 0.0)
    assert set(everything) == {"auto"} and share == 1.0 and 0.85 < accuracy <= 1


def test_decisions_are_monotone_in_min_precision(coder: TrainedCoder) -> None:
    texts, _ = make_corpus(60, seed=4)
    texts += ["Something else entirely", "Bitcoin maybe, or encrypted phones in the cloud"]
    previous = None
    for level in (0.0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 1.0):
        decisions, _, _ = coder.decide(texts, level)
        auto = {index for index, decision in enumerate(decisions) if decision == "auto"}
        assert previous is None or auto <= previous
        previous = auto


def test_the_curve_and_held_out_estimates_of_semi_automatic_coding(
        coder: TrainedCoder) -> None:
    curve = coder.curve_
    assert list(curve.columns) == ["cutoff", "n", "share", "accuracy", "lower_bound"]
    assert curve["cutoff"].is_monotonic_decreasing and curve["n"].is_monotonic_increasing
    assert curve["share"].iloc[-1] == 1.0 and (curve["lower_bound"] <= curve["accuracy"]).all()
    estimate = coder.quality_.at(0.95)
    assert estimate is not None and 0 <= estimate.auto_share <= 1
    assert estimate.n_auto == round(estimate.auto_share * coder.quality_.n_answers)
    if estimate.n_auto:
        assert estimate.accuracy >= 0.9
    with pytest.raises(ConfigError, match="between 0 and 1"):
        coder.decide(["x"], 1.5)


def responses_table(texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({
        "response_id": [f"r{index}" for index in range(len(texts) + 1)],
        "status": ["ok"] * len(texts) + ["empty"],
        "redacted_text": [*texts, ""],
    })


def test_codes_are_long_with_probabilities_and_evidence_from_the_answer(
        coder: TrainedCoder) -> None:
    texts, _ = make_corpus(40, seed=5)
    responses = responses_table(texts)
    codes = coder.code(responses)
    assert list(codes.columns) == CODE_COLUMNS
    assert set(codes["source"]) == {"model"} and codes["score"].between(0, 1).all()
    assert "r40" not in set(codes["response_id"])  # only ok answers are coded
    assert len(codes) == int(coder.predict(texts).sum())
    assert (codes["evidence"].str.len() > 0).all()
    by_id = dict(zip(responses["response_id"], responses["redacted_text"].str.lower(),
                     strict=True))
    for row in codes.itertuples():
        for term in str(row.evidence).split(", "):
            assert term in by_id[str(row.response_id)]
    encrypted = codes[codes["theme"] == "encryption"]["evidence"]
    assert encrypted.str.contains("encrypt").mean() > 0.8


def test_codes_carry_one_decision_per_answer_with_min_precision(coder: TrainedCoder) -> None:
    texts, _ = make_corpus(40, seed=6)
    responses = responses_table(texts)
    codes = coder.code(responses, min_precision=0.9)
    assert set(codes["decision"]) <= {"auto", "review"}
    assert (codes.groupby("response_id")["decision"].nunique() == 1).all()
    decisions, _, _ = coder.decide(texts, 0.9)
    expected = dict(zip(responses["response_id"], decisions, strict=False))
    assert all(expected[row.response_id] == row.decision for row in codes.itertuples())


def test_the_question_is_learned_when_answers_carry_one() -> None:
    texts = ["Nothing", "Nothing at all", "Nothing really", "Nothing, sorry"] * 15
    questions = (["improve"] * 4 + ["good"] * 4) * 7 + ["improve"] * 4
    labels = pd.DataFrame({
        "satisfied": [int(question == "improve") for question in questions],
        "unhappy": [int(question == "good") for question in questions]})
    coder = TrainedCoder(embedder=None, seed=0).fit(texts, labels, questions=questions)
    assert coder.questions_ == ["good", "improve"]
    assert coder.predict(["Nothing"], questions=["improve"]).tolist() == [[1, 0]]
    assert coder.predict(["Nothing"], questions=["good"]).tolist() == [[0, 1]]
    responses = pd.DataFrame({"response_id": ["a", "b"], "question": ["good", "improve"],
                              "text": ["Nothing", "Nothing"]})
    assert coder.code(responses)[["response_id", "theme"]].values.tolist() == [
        ["a", "unhappy"], ["b", "satisfied"]]


@pytest.mark.parametrize(("change", "error", "message"), [
    (lambda texts, labels: (texts[:-1], labels), ConfigError, "rows of labels"),
    (lambda texts, labels: (texts, labels.replace({1: 2})), ConfigError, "must be 0 or 1"),
    (lambda texts, labels: (texts[:6], labels[:6]), ModelError, "at least 10"),
    (lambda texts, labels: (texts, labels[["darknet"]]), ModelError, "no theme has at least"),
])
def test_bad_training_input_fails_clearly(corpus: tuple[list[str], pd.DataFrame], change: object,
                                          error: type[OpenendsError], message: str) -> None:
    texts, labels = change(*corpus)  # type: ignore[operator]
    with pytest.raises(error, match=message):
        TrainedCoder(embedder=None).fit(texts, labels)


def test_an_unfitted_coder_says_so() -> None:
    with pytest.raises(NotFittedError, match="trained coder is not fitted"):
        TrainedCoder().predict(["x"])


# -- saving and loading ---------------------------------------------------------------------

def test_save_load_round_trip_gives_identical_probabilities_without_pickle(
        coder: TrainedCoder, corpus: tuple[list[str], pd.DataFrame], tmp_path: Path) -> None:
    folder = save_trained_coder(coder, tmp_path / "coder")
    names = {path.name for path in folder.rglob("*") if path.is_file()}
    assert not any(name.endswith((".pkl", ".pickle", ".joblib")) for name in names)
    assert {path.suffix for path in folder.rglob("*") if path.is_file()} <= {".json", ".npy"}
    for path in folder.glob("*.npy"):
        np.load(path, allow_pickle=False)
    loaded = load_trained_coder(folder)
    texts = corpus[0] + ["Something new entirely", "Bitcoin"]
    assert np.array_equal(loaded.predict_proba(texts), coder.predict_proba(texts))
    assert loaded.thresholds_ == coder.thresholds_ and loaded.too_few_ == coder.too_few_
    assert json.dumps(loaded.quality_.to_dict()) == json.dumps(coder.quality_.to_dict())
    assert loaded.decide(texts, 0.9)[0] == coder.decide(texts, 0.9)[0]
    responses = responses_table(texts)
    pd.testing.assert_frame_equal(loaded.code(responses, min_precision=0.9),
                                  coder.code(responses, min_precision=0.9))


def test_a_fitted_tfidf_embedder_travels_with_the_coder(
        corpus: tuple[list[str], pd.DataFrame], tmp_path: Path) -> None:
    texts, labels = corpus
    coder = TrainedCoder(embedder="tfidf", seed=0).fit(texts, labels)
    assert coder.embedder_identity_ is not None
    assert coder.embedder_identity_.startswith("tfidf:")
    loaded = load_trained_coder(save_trained_coder(coder, tmp_path / "coder"))
    assert np.array_equal(loaded.predict_proba(texts), coder.predict_proba(texts))
    other = TrainedCoder(embedder="tfidf", seed=0).fit(texts[:100], labels[:100]).embedder_
    assert other is not None
    with pytest.raises(ModelError, match="trained with the tfidf embedder"):
        load_trained_coder(tmp_path / "coder", embedder=other)


def edit_manifest(folder: Path, change: dict[str, object]) -> None:
    path = folder / "openends-coder.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(change)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def test_a_tampered_or_newer_coder_is_refused(coder: TrainedCoder, tmp_path: Path) -> None:
    folder = save_trained_coder(coder, tmp_path / "coder")
    edit_manifest(folder, {"thresholds": {theme: 0.01 for theme in coder.themes_}})
    with pytest.raises(ModelError, match="changed after the coder was saved"):
        load_trained_coder(folder)
    folder = save_trained_coder(coder, tmp_path / "coder", force=True)
    edit_manifest(folder, {"format": 99})
    with pytest.raises(ModelError, match="format 99 is not one this version"):
        load_trained_coder(folder)
    folder = save_trained_coder(coder, tmp_path / "coder", force=True)
    np.save(folder / "coef.npy", np.zeros_like(coder.coef_), allow_pickle=False)
    with pytest.raises(ModelIntegrityError, match=r"coef\.npy: sha256"):
        load_trained_coder(folder)
    with pytest.raises(ModelError, match="not a trained coder folder"):
        load_trained_coder(tmp_path)


def test_saving_never_overwrites_other_files(coder: TrainedCoder, tmp_path: Path) -> None:
    folder = save_trained_coder(coder, tmp_path / "coder")
    with pytest.raises(OutputExistsError, match="--force"):
        save_trained_coder(coder, folder)
    assert save_trained_coder(coder, folder, force=True) == folder
    other = tmp_path / "documents"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ModelError, match="holds no trained coder"):
        save_trained_coder(coder, other, force=True)
    assert (other / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["coder", "documents"]


@pytest.mark.slow
def test_the_static_embedder_round_trip_offline(
        corpus: tuple[list[str], pd.DataFrame], static_model: Path, tmp_path: Path,
        no_network: None) -> None:
    texts, labels = corpus
    coder = TrainedCoder(seed=0, models_dir=static_model.parent).fit(texts, labels)
    assert coder.embedder_identity_ is not None
    assert coder.embedder_identity_.startswith("static:")
    assert coder.quality_.macro_f1_modelled > 0.9
    loaded = load_trained_coder(save_trained_coder(coder, tmp_path / "coder"),
                                models_dir=static_model.parent)
    assert np.array_equal(loaded.predict_proba(texts), coder.predict_proba(texts))
    edit = tmp_path / "coder" / "openends-coder.json"
    manifest = json.loads(edit.read_text(encoding="utf-8"))
    assert manifest["embedder"] == "static" and manifest["embedder_dimensions"] > 0
