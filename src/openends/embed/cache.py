"""Embeddings cached on disk by embedder identity and text, so re-runs embed only what is new.

Layout: ``<directory>/<sha256(identity)[:16]>/chunk-<hash>.npz``; each chunk
holds ``keys`` (the hex sha256 of identity, a NUL byte and the text, as
fixed-width bytes) and ``vectors`` (float32), and is written to a temporary
file then renamed, so a chunk is either whole or absent. Chunks are read with
``allow_pickle=False``; one that cannot be read is ignored and its texts are
embedded again. Cache files are readable by their owner only: vectors carry
what the answers say.

An embedder that is not fitted yet (``identity`` raises
:class:`~openends.errors.NotFittedError`, as tfidf does before its first
call) cannot be looked up: it embeds every text, which fits it, and the
vectors are then stored under the identity it has after fitting.

Example:
    >>> import tempfile
    >>> from openends.embed import TfidfEmbedder
    >>> embedder = TfidfEmbedder().fit(["encrypted phones", "cloud storage", "more staff"])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     cache = EmbeddingCache(Path(folder))
    ...     first = cache.lookup_or_compute(embedder, ["cloud storage", "encrypted phones"])
    ...     again = cache.lookup_or_compute(embedder, ["encrypted phones"])
    >>> first.shape, bool((again[0] == first[1]).all())
    ((2, 2), True)
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from openends.embed.base import Embedder, checked_vectors
from openends.errors import NotFittedError

_KEY_DTYPE = "S64"  # hex sha256


class EmbeddingCache:
    """Vectors on disk under ``directory``, by embedder identity and text."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def lookup_or_compute(self, embedder: Embedder, texts: Sequence[str], *,
                          progress: bool = False) -> np.ndarray:
        """Vectors for ``texts`` in input order; only texts not cached yet are embedded.

        Each distinct new text is embedded once, and the new vectors are stored
        as one more chunk.
        """
        texts = list(texts)
        if not texts:
            return embed_texts([], embedder)
        try:
            identity = embedder.identity
        except NotFittedError:
            vectors = embed_texts(texts, embedder, progress=progress)
            first_rows: dict[str, int] = {}
            for row, text in enumerate(texts):
                first_rows.setdefault(text, row)
            identity = embedder.identity
            self._write(identity, [_key(identity, text) for text in first_rows],
                        vectors[list(first_rows.values())])
            return vectors
        keys = [_key(identity, text) for text in texts]
        found = self._read(identity, set(keys))
        new = {key: text for key, text in zip(keys, texts, strict=True) if key not in found}
        if new:
            computed = embed_texts(list(new.values()), embedder, progress=progress)
            self._write(identity, list(new), computed)
            found.update(zip(new, computed, strict=True))
        return np.stack([found[key] for key in keys])

    def _folder(self, identity: str) -> Path:
        return self.directory / hashlib.sha256(identity.encode()).hexdigest()[:16]

    def _read(self, identity: str, wanted: set[bytes]) -> dict[bytes, np.ndarray]:
        """The cached vectors of the wanted keys, from every readable chunk of one width."""
        found: dict[bytes, np.ndarray] = {}
        width = None
        for path in sorted(self._folder(identity).glob("chunk-*.npz")):
            chunk = _read_chunk(path)
            if chunk is None or width not in (None, chunk[1].shape[1]):
                continue
            keys, vectors = chunk
            width = vectors.shape[1]
            for row, key in enumerate(keys.tolist()):
                if key in wanted:
                    found[key] = vectors[row]
        return found

    def _write(self, identity: str, keys: list[bytes], vectors: np.ndarray) -> None:
        """One more chunk, written atomically; a cache that cannot be written is skipped."""
        folder = self._folder(identity)
        name = f"chunk-{hashlib.sha256(b''.join(keys)).hexdigest()[:16]}.npz"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".chunk-", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:
                    np.savez(file, keys=np.array(keys, dtype=_KEY_DTYPE),
                             vectors=np.asarray(vectors, dtype=np.float32))
                os.replace(temporary, folder / name)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            warnings.warn(f"could not write the embedding cache in {folder} ({error}); "
                          "continuing without it", stacklevel=3)

    def __repr__(self) -> str:
        return f"EmbeddingCache({str(self.directory)!r})"


def embed_texts(texts: Sequence[str], embedder: Embedder, *, cache: EmbeddingCache | None = None,
                progress: bool = False) -> np.ndarray:
    """Vectors for ``texts`` from ``embedder``, through ``cache`` when one is given."""
    if cache is not None:
        return cache.lookup_or_compute(embedder, texts, progress=progress)
    texts = list(texts)
    return checked_vectors(embedder.embed(texts, progress=progress), len(texts), embedder)


def _key(identity: str, text: str) -> bytes:
    return hashlib.sha256(f"{identity}\x00{text}".encode()).hexdigest().encode("ascii")


def _read_chunk(path: Path) -> tuple[np.ndarray, np.ndarray] | None:
    """A chunk's keys and vectors, or None when it is unreadable or malformed."""
    try:
        with np.load(path, allow_pickle=False) as chunk:
            keys, vectors = chunk["keys"], chunk["vectors"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if (keys.dtype != np.dtype(_KEY_DTYPE) or vectors.dtype != np.float32 or keys.ndim != 1
            or vectors.ndim != 2 or len(keys) != len(vectors) or vectors.shape[1] == 0):
        return None
    return keys, vectors
