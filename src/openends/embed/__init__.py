"""Embedders behind one interface, hash-checked, offline, with an on-disk cache.

``static`` (default) is a model2vec model distilled locally from the
all-MiniLM-L6-v2 weights of an installed package; ``minilm`` is that model in
full; ``tfidf`` needs no neural model; a folder path loads a local
sentence-transformers model. Every embedder returns float32 rows of length 1
in input order. Nothing heavy is imported until an embedder is used.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> embedder = get_embedder("tfidf", seed=0)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     vectors = embed_texts(["Encrypted phones", "Cloud storage", "Encrypted cloud storage"],
    ...                           embedder, cache=EmbeddingCache(Path(folder)))
    >>> vectors.shape
    (3, 2)
"""

from __future__ import annotations

from openends.embed.base import Embedder, default_cache_dir, default_models_dir, normalise_rows
from openends.embed.cache import EmbeddingCache, embed_texts
from openends.embed.registry import (
    EmbedderFactory,
    available_embedders,
    get_embedder,
    register_embedder,
)
from openends.embed.static import (
    StaticEmbedder,
    build_static_model,
    static_model_dir,
    verify_static_model,
)
from openends.embed.tfidf import TfidfEmbedder
from openends.embed.transformer import SentenceTransformerEmbedder

__all__ = [
    "Embedder",
    "EmbedderFactory",
    "EmbeddingCache",
    "SentenceTransformerEmbedder",
    "StaticEmbedder",
    "TfidfEmbedder",
    "available_embedders",
    "build_static_model",
    "default_cache_dir",
    "default_models_dir",
    "embed_texts",
    "get_embedder",
    "normalise_rows",
    "register_embedder",
    "static_model_dir",
    "verify_static_model",
]
