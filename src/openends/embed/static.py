"""The default embedder: a static model distilled locally from all-MiniLM-L6-v2.

model2vec passes every token of MiniLM's vocabulary through the installed
transformer once, reduces the outputs with PCA and keeps one vector per token;
a text's vector is then the mean of its tokens' vectors, so embedding needs
no neural network. The build reads only the installed package (its weights
are hash-checked first) and takes about a minute; the folder it writes holds
``openends-model.json``, a manifest with the sha256 of every file the model
loads, checked again on each load.

Example:
    $ openends models build                 # once; get_embedder("static") also builds on first use
    $ openends models build --out models/static --force
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from openends.embed.base import (
    default_models_dir,
    encode_in_batches,
    offline,
    package_version,
    quiet_libraries,
    status,
)
from openends.embed.integrity import (
    SOURCE_MODEL,
    SOURCE_PACKAGE,
    SOURCE_SHA256,
    fingerprint,
    sha256_file,
    source_model_path,
    verify_file,
)
from openends.errors import ConfigError, ModelError

if TYPE_CHECKING:
    from model2vec import StaticModel

STATIC_FOLDER = "static-all-MiniLM-L6-v2"
MANIFEST = "openends-model.json"
VERIFIED_FILES = ("model.safetensors", "tokenizer.json", "config.json")
_BATCH = 4096


def static_model_dir(models_dir: Path | None = None) -> Path:
    """The folder of the static model inside ``models_dir`` (default: the cache's models/)."""
    return (models_dir if models_dir is not None else default_models_dir()) / STATIC_FOLDER


def is_built(directory: Path) -> bool:
    """Whether ``directory`` holds a finished build (its manifest exists; not yet verified)."""
    return (directory / MANIFEST).is_file()


def build_static_model(directory: Path | None = None, *, pca_dims: int = 256,
                       progress: bool = True, force: bool = False) -> Path:
    """Distil the static model into ``directory`` and return it; offline, about a minute.

    ``directory`` defaults to :func:`static_model_dir`. An existing build is
    verified and kept unless ``force``. The model appears atomically: it is
    written into a temporary sibling folder and renamed into place. A spinner
    shows on stderr while building when ``progress`` and stderr is a terminal.
    """
    target = Path(directory) if directory is not None else static_model_dir()
    _check_target(target)
    if is_built(target) and not force:
        built = verify_static_model(target)
        if built.get("pca_dims") != pca_dims:
            raise ModelError(f"{target} holds a static model with {built.get('pca_dims')} PCA "
                             f"dimensions, not {pca_dims}. {_rebuild_hint(target)}")
        return target
    source = source_model_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        with status("Building the static embedder from all-MiniLM-L6-v2 (about a minute)",
                    enabled=progress) as update:
            model = _distill(source, pca_dims)
            update("Saving the static embedder")
            _save(model, workdir, pca_dims)
        _move_into_place(workdir, target)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return target


def verify_static_model(directory: Path) -> dict[str, Any]:
    """The manifest of a built static model, after checking every file's sha256 against it."""
    path = directory / MANIFEST
    if not path.is_file():
        raise ModelError(f"{directory} holds no built static model ({MANIFEST} is missing). "
                         f"{_rebuild_hint(directory)}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = {str(name): str(sha) for name, sha in manifest["files"].items()}
        int(manifest["dimensions"])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ModelError(f"{path} is damaged. {_rebuild_hint(directory)}") from None
    if set(VERIFIED_FILES) - set(files) or any("/" in name or "\\" in name for name in files):
        raise ModelError(f"{path} does not list the model's files. {_rebuild_hint(directory)}")
    for name, expected in files.items():
        verify_file(directory / name, expected, fix=_rebuild_hint(directory))
    return dict(manifest)


class StaticEmbedder:
    """The static model in a built folder; its files are hash-checked when this is created.

    The model itself loads on the first call to :meth:`embed`.
    """

    def __init__(self, directory: Path) -> None:
        self.name = "static"
        self.directory = Path(directory)
        manifest = verify_static_model(self.directory)
        self._identity = f"static:{fingerprint(manifest['files'])}"
        self._dimensions = int(manifest["dimensions"])
        self._model: StaticModel | None = None

    @property
    def identity(self) -> str:
        return self._identity

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        # model2vec computes in float16; rows are normalised again in float32.
        return encode_in_batches(
            texts, lambda batch: self._loaded().encode(batch, use_multiprocessing=False),
            dimensions=lambda: self.dimensions, batch=_BATCH,
            description="Embedding (static)", progress=progress)

    def _loaded(self) -> StaticModel:
        if self._model is None:
            offline()
            from model2vec import StaticModel

            model = StaticModel.from_pretrained(self.directory)
            if model.dim != self.dimensions:
                raise ModelError(f"{self.directory} has {model.dim} dimensions, its manifest "
                                 f"says {self.dimensions}. {_rebuild_hint(self.directory)}")
            self._model = model
        return self._model

    def __repr__(self) -> str:
        return f"StaticEmbedder({str(self.directory)!r})"


def _rebuild_hint(directory: Path) -> str:
    if directory == static_model_dir():
        return "Rebuild it: openends models build --force"
    return f"Rebuild it: openends models build --out {directory} --force"


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{target} is a file; give a folder for the static model")
    if target.is_dir() and not is_built(target) and any(target.iterdir()):
        raise ConfigError(f"{target} is not empty and holds no openends model; give a new or "
                          "empty folder for the static model")


def _distill(source: Path, pca_dims: int) -> StaticModel:
    """One forward pass per vocabulary token of the local model, then PCA (model2vec)."""
    offline()
    from model2vec.distill import distill_from_model
    from transformers import AutoModel, AutoTokenizer

    with quiet_libraries():
        model = AutoModel.from_pretrained(source, local_files_only=True, use_safetensors=True)
        tokenizer: Any = AutoTokenizer.from_pretrained(source, local_files_only=True,
                                                       use_fast=True)
        return distill_from_model(model=model, tokenizer=tokenizer, pca_dims=pca_dims,
                                  device="cpu")


def _save(model: StaticModel, folder: Path, pca_dims: int) -> None:
    """Save the model relocatably, readable by all, with its manifest."""
    model.base_model_name = SOURCE_MODEL
    model.save_pretrained(folder, model_name=STATIC_FOLDER)
    config_path = folder / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    # model2vec records the absolute path of the source model here.
    config["tokenizer_name"] = SOURCE_MODEL
    config_path.write_text(json.dumps(config, indent=4) + "\n", encoding="utf-8")
    manifest = {
        "model": "static",
        "source_model": SOURCE_MODEL,
        "source_package": f"{SOURCE_PACKAGE} {package_version(SOURCE_PACKAGE)}",
        "source_sha256": SOURCE_SHA256,
        "pca_dims": pca_dims,
        "dimensions": int(model.dim),
        "vocabulary_size": int(model.embedding.shape[0]),
        "versions": {name: package_version(name) for name in
                     ("openends", "model2vec", "transformers", "torch", "numpy")},
        "files": {name: sha256_file(folder / name) for name in VERIFIED_FILES},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    folder.chmod(0o755)


def _move_into_place(workdir: Path, target: Path) -> None:
    """Rename the finished build onto ``target``, replacing an old build or an empty folder."""
    if not target.exists():
        try:
            os.rename(workdir, target)
        except OSError:
            if not is_built(target):  # not another process that finished first
                raise
        return
    old = workdir.with_name(workdir.name + ".old")
    os.rename(target, old)
    try:
        os.rename(workdir, target)
    except OSError:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
