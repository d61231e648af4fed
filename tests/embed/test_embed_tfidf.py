"""The tfidf embedder: fitted on first use, deterministic, saved without pickle."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from openends.embed import TfidfEmbedder
from openends.errors import ModelError, NotFittedError

SUBJECTS = ["encrypted phones", "cloud storage", "live streaming", "cryptocurrency wallets",
            "darknet forums", "more staff", "better training", "faster forensic tools"]
VERBS = ["make investigations slower", "appear in most cases", "are harder to trace",
         "need new skills"]
ANSWERS = [f"{subject} {verb}" for subject in SUBJECTS for verb in VERBS]


def test_vectors_are_float32_unit_rows_in_input_order() -> None:
    embedder = TfidfEmbedder(seed=0)
    vectors = embedder.embed(ANSWERS)
    assert vectors.shape == (len(ANSWERS), embedder.dimensions) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    again = embedder.embed(list(reversed(ANSWERS)))
    np.testing.assert_allclose(again, vectors[::-1], atol=1e-6)


def test_dimensions_are_capped_by_texts_terms_and_the_maximum() -> None:
    assert TfidfEmbedder().fit(ANSWERS[:5]).dimensions == 4
    assert TfidfEmbedder(max_dimensions=6).fit(ANSWERS).dimensions == 6


def test_unknown_words_give_a_zero_row_and_empty_input_an_empty_array() -> None:
    embedder = TfidfEmbedder().fit(ANSWERS)
    vectors = embedder.embed(["zebra quantum", "encrypted phones"])
    assert not vectors[0].any() and np.isclose(np.linalg.norm(vectors[1]), 1.0)
    assert embedder.embed([]).shape == (0, embedder.dimensions)


def test_same_seed_same_vectors_and_identity() -> None:
    first, second = TfidfEmbedder(seed=4), TfidfEmbedder(seed=4)
    np.testing.assert_array_equal(first.embed(ANSWERS), second.embed(ANSWERS))
    assert first.identity == second.identity and first.identity.startswith("tfidf:")


def test_identity_changes_with_the_fit() -> None:
    assert TfidfEmbedder().fit(ANSWERS).identity != TfidfEmbedder().fit(ANSWERS[:20]).identity


def test_save_and_load_give_identical_vectors_without_pickle(tmp_path: Path) -> None:
    embedder = TfidfEmbedder(seed=2).fit(ANSWERS)
    embedder.save(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "components.npy", "idf.npy", "tfidf.json"]
    state = json.loads((tmp_path / "tfidf.json").read_text(encoding="utf-8"))
    assert state["params"]["seed"] == 2 and "encrypted phones" in state["vocabulary"]
    for name in ("components.npy", "idf.npy"):
        assert np.load(tmp_path / name, allow_pickle=False).dtype != object
    loaded = TfidfEmbedder.load(tmp_path)
    assert loaded.identity == embedder.identity and loaded.dimensions == embedder.dimensions
    new = ["encrypted cloud storage", "more training for staff"]
    np.testing.assert_array_equal(loaded.embed(new), embedder.embed(new))


def test_a_changed_saved_state_is_refused(tmp_path: Path) -> None:
    TfidfEmbedder().fit(ANSWERS).save(tmp_path)
    components = np.load(tmp_path / "components.npy")
    np.save(tmp_path / "components.npy", components * 2)
    with pytest.raises(ModelError, match="was changed after it was saved"):
        TfidfEmbedder.load(tmp_path)


def test_not_fitted_is_a_clear_error() -> None:
    embedder = TfidfEmbedder()
    for use in (lambda: embedder.identity, lambda: embedder.dimensions,
                lambda: embedder.embed([])):
        with pytest.raises(NotFittedError, match="tfidf embedder is not fitted yet; call fit"):
            use()


def test_texts_without_words_cannot_be_fitted() -> None:
    with pytest.raises(ModelError, match="found no words"):
        TfidfEmbedder().fit(["the", "and of", "a"])
    with pytest.raises(ModelError, match="at least 2 texts"):
        TfidfEmbedder().fit(["encrypted phones everywhere"])


def test_loading_a_folder_without_a_saved_embedder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="holds no saved tfidf embedder"):
        TfidfEmbedder.load(tmp_path)
