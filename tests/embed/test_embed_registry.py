"""Choosing embedders by name: the registry, suggestions, fakes and folder paths."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from openends.embed import (
    Embedder,
    SentenceTransformerEmbedder,
    TfidfEmbedder,
    available_embedders,
    default_cache_dir,
    get_embedder,
    register_embedder,
    registry,
)
from openends.errors import ConfigError


class ConstantEmbedder:
    name = "constant"
    identity = "constant:1"
    dimensions = 3

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return np.tile(np.array([1.0, 0.0, 0.0], dtype=np.float32), (len(texts), 1))


def test_the_three_named_embedders_are_registered() -> None:
    assert available_embedders() == ["static", "minilm", "tfidf"]


@pytest.mark.parametrize(("spec", "suggestion"), [("statc", "static"), ("MiniLM", "minilm"),
                                                  ("tf-idf", "tfidf")])
def test_unknown_name_suggests_the_closest(spec: str, suggestion: str) -> None:
    with pytest.raises(ConfigError) as error:
        get_embedder(spec)
    message = str(error.value)
    assert f"unknown embedder {spec!r}; did you mean {suggestion!r}?" in message
    assert "'static', 'minilm', 'tfidf'" in message and "sentence-transformers model" in message


@pytest.mark.parametrize("spec", ["word2vec", "", "./no/such/model"])
def test_unknown_name_without_a_close_match_lists_the_choices(spec: str) -> None:
    with pytest.raises(ConfigError, match=f"unknown embedder {spec!r}; Choose one of 'static'"):
        get_embedder(spec)


def test_a_file_is_not_a_model_folder(tmp_path: Path) -> None:
    file = tmp_path / "model.safetensors"
    file.write_bytes(b"")
    with pytest.raises(ConfigError, match="is a file"):
        get_embedder(str(file))


def test_a_registered_fake_is_returned_with_the_options(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    monkeypatch.setattr(registry, "_FACTORIES", dict(registry._FACTORIES))
    seen: dict[str, object] = {}

    def factory(*, models_dir: Path | None, seed: int, progress: bool) -> Embedder:
        seen.update(models_dir=models_dir, seed=seed, progress=progress)
        return ConstantEmbedder(seed)

    register_embedder("constant", factory)
    embedder = get_embedder("constant", models_dir=tmp_path, seed=7, progress=True)
    assert isinstance(embedder, ConstantEmbedder) and isinstance(embedder, Embedder)
    assert seen == {"models_dir": tmp_path, "seed": 7, "progress": True}
    assert "constant" in available_embedders()


def test_tfidf_gets_the_seed() -> None:
    embedder = get_embedder("tfidf", seed=3)
    assert isinstance(embedder, TfidfEmbedder) and embedder.seed == 3


def test_a_folder_path_is_a_sentence_transformers_model(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"not really weights")
    embedder = get_embedder(str(tmp_path))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.name == f"path:{tmp_path.resolve()}"
    assert embedder.identity.startswith("path:")


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setenv("OPENENDS_CACHE", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("OPENENDS_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "openends"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "openends"
