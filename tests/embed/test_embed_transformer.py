"""Sentence-transformer folders: safetensors only, hashes in the identity; minilm offline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from openends.embed import SentenceTransformerEmbedder, get_embedder, transformer
from openends.embed.integrity import source_model_path
from openends.errors import ModelError, ModelIntegrityError


def test_a_folder_without_weights_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError, match=r"has no weights \(\*\.safetensors\)"):
        SentenceTransformerEmbedder(tmp_path)


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="is not a folder"):
        SentenceTransformerEmbedder(tmp_path / "nowhere")


@pytest.mark.parametrize("pickle_file", ["pytorch_model.bin", "2_Dense/pytorch_model.bin",
                                         "model.pt"])
def test_pickle_weights_are_refused(tmp_path: Path, pickle_file: str) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"weights")
    (tmp_path / pickle_file).parent.mkdir(exist_ok=True)
    (tmp_path / pickle_file).write_bytes(b"pickle")
    if "/" not in pickle_file:  # beside safetensors weights: ignored, never loaded
        SentenceTransformerEmbedder(tmp_path)
        (tmp_path / "model.safetensors").unlink()
    with pytest.raises(ModelError, match="is a pickle file, and loading it could run code"):
        SentenceTransformerEmbedder(tmp_path)


def test_identity_follows_the_weights_not_the_location(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "model.safetensors").write_bytes(b"same weights")
    first = SentenceTransformerEmbedder(tmp_path / "a")
    assert first.identity == SentenceTransformerEmbedder(tmp_path / "b").identity
    (tmp_path / "b" / "model.safetensors").write_bytes(b"other weights")
    assert first.identity != SentenceTransformerEmbedder(tmp_path / "b").identity
    assert first.name == f"path:{(tmp_path / 'a').resolve()}"


def test_identity_follows_the_pooling_and_tokenizer_files_too(tmp_path: Path) -> None:
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "model.safetensors").write_bytes(b"weights")
    (tmp_path / "1_Pooling" / "config.json").write_text('{"pooling_mode_mean_tokens": true}')
    before = SentenceTransformerEmbedder(tmp_path).identity
    (tmp_path / "README.md").write_text("notes")  # documentation does not change the model
    assert SentenceTransformerEmbedder(tmp_path).identity == before
    (tmp_path / "1_Pooling" / "config.json").write_text('{"pooling_mode_cls_token": true}')
    assert SentenceTransformerEmbedder(tmp_path).identity != before


def test_minilm_weights_are_checked_against_the_pinned_hash(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_embedder("minilm").identity.startswith("minilm:")
    monkeypatch.setattr(transformer, "SOURCE_SHA256", "f" * 64)
    with pytest.raises(ModelIntegrityError, match=r"expected f{64}; the file is damaged"):
        get_embedder("minilm")


@pytest.mark.slow
@pytest.mark.usefixtures("no_network")
def test_minilm_and_its_folder_encode_offline() -> None:
    sentences = ["Offenders use encrypted messaging apps", "We need more staff", "encryption"]
    minilm = get_embedder("minilm")
    vectors = minilm.embed(sentences)
    assert minilm.dimensions == 384
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[2] @ vectors[0] > vectors[2] @ vectors[1]
    folder = get_embedder(str(source_model_path()))
    assert folder.name.startswith("path:")
    np.testing.assert_allclose(folder.embed(sentences), vectors, atol=1e-6)
