"""Embedders by name, so a project file can say ``embedder = "static"`` and a test a fake.

Example:
    >>> available_embedders()
    ['static', 'minilm', 'tfidf']
    >>> get_embedder("tfidf", seed=1)
    TfidfEmbedder(seed=1, not fitted)
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from openends.embed.base import Embedder
from openends.errors import ConfigError, closest_match


class EmbedderFactory(Protocol):
    """Makes an embedder; called with the options of :func:`get_embedder` as keywords."""

    def __call__(self, *, models_dir: Path | None, seed: int, progress: bool) -> Embedder: ...


def _static(*, models_dir: Path | None, seed: int, progress: bool) -> Embedder:
    from openends.embed.static import StaticEmbedder, build_static_model, is_built, static_model_dir

    folder = static_model_dir(models_dir)
    if not is_built(folder):
        # A minute's wait gets a spinner whenever stderr is a terminal, even if not asked for.
        build_static_model(folder, progress=True)
    return StaticEmbedder(folder)


def _minilm(*, models_dir: Path | None, seed: int, progress: bool) -> Embedder:
    from openends.embed.transformer import minilm_embedder

    return minilm_embedder()


def _tfidf(*, models_dir: Path | None, seed: int, progress: bool) -> Embedder:
    from openends.embed.tfidf import TfidfEmbedder

    return TfidfEmbedder(seed=seed)


_FACTORIES: dict[str, EmbedderFactory] = {"static": _static, "minilm": _minilm, "tfidf": _tfidf}


def register_embedder(name: str, factory: EmbedderFactory) -> None:
    """Make ``get_embedder(name)`` return ``factory(models_dir=..., seed=..., progress=...)``."""
    _FACTORIES[name] = factory


def available_embedders() -> list[str]:
    """The registered embedder names (a folder path is accepted as well)."""
    return list(_FACTORIES)


def get_embedder(spec: str = "static", *, models_dir: Path | None = None, seed: int = 0,
                 progress: bool = False) -> Embedder:
    """The embedder named ``spec``, or the local sentence-transformers model in folder ``spec``.

    ``static`` is built on first use (about a minute) into ``models_dir``,
    which defaults to the cache's ``models/`` folder. ``seed`` fixes fitted
    embedders (tfidf).
    """
    factory = _FACTORIES.get(spec)
    if factory is not None:
        return factory(models_dir=models_dir, seed=seed, progress=progress)
    path = Path(spec).expanduser()
    choices = ", ".join(repr(name) for name in _FACTORIES)
    if spec.strip() and path.exists():
        if path.is_dir():
            from openends.embed.transformer import SentenceTransformerEmbedder

            return SentenceTransformerEmbedder(path)
        raise ConfigError(f"embedder {spec!r} is a file; give a registered name ({choices}) "
                          "or the folder of a local sentence-transformers model")
    suggestion = closest_match(spec, list(_FACTORIES))
    hint = f"; did you mean {suggestion!r}?" if suggestion else ";"
    raise ConfigError(f"unknown embedder {spec!r}{hint} Choose one of {choices}, or give the "
                      "folder of a local sentence-transformers model")
