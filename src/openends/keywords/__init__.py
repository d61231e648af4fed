"""Keywords: keyphrases per answer, the top phrases of a set, and keyness between groups.

Methods (``statistical`` by default, ``embedding``, ``yake``) share one contract and
one table (``response_id``, ``rank``, ``keyphrase``, ``score``); see
:mod:`openends.keywords.base`. Submodules load on first use.

Example (with a cleaned responses table from ``openends.clean.clean_responses``)::

    from openends.keywords import get_method
    method = get_method("statistical").fit(texts)
    method.extract(texts, top=5)
"""

from __future__ import annotations

from openends.lazy import lazy_getattr

_LAZY = {
    "Keyphrase": "openends.keywords.base",
    "KeyphraseMethod": "openends.keywords.base",
    "keyphrase_table": "openends.keywords.base",
    "PhraseFinder": "openends.keywords.candidates",
    "DEFAULT_METHOD": "openends.keywords.registry",
    "METHODS": "openends.keywords.registry",
    "get_method": "openends.keywords.registry",
    "StatisticalKeyphrases": "openends.keywords.statistical",
}
__all__ = list(_LAZY)


__getattr__ = lazy_getattr("openends.keywords", _LAZY)
