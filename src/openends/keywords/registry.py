"""Keyphrase methods by name: ``statistical`` (default), ``embedding`` and ``yake``.

Example:
    >>> get_method("statistical").name, DEFAULT_METHOD
    ('statistical', 'statistical')
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from openends.errors import ConfigError, closest_match
from openends.keywords.base import KeyphraseMethod

DEFAULT_METHOD = "statistical"
METHODS = {
    "statistical": ("openends.keywords.statistical", "StatisticalKeyphrases"),
    "embedding": ("openends.keywords.embedding", "EmbeddingKeyphrases"),
    "yake": ("openends.keywords.yake_method", "YakeKeyphrases"),
}
"""Name -> (module, class); each class follows :class:`~openends.keywords.base.KeyphraseMethod`."""


def get_method(name: str, *, embedder: Any = "static", cache: Any = None) -> KeyphraseMethod:
    """A new, unfitted method by name; ``embedder`` and ``cache`` go to ``embedding`` only."""
    if name not in METHODS:
        hint = closest_match(name, list(METHODS))
        raise ConfigError(f"unknown keyword method {name!r}; choose one of "
                          f"{', '.join(METHODS)}" + (f" (did you mean {hint!r}?)" if hint else ""))
    module, attribute = METHODS[name]
    factory = getattr(import_module(module), attribute)
    if name == "embedding":
        return factory(embedder=embedder, cache=cache)  # type: ignore[no-any-return]
    return factory()  # type: ignore[no-any-return]
