"""Cleaning: repaired text, statuses (non-answers, duplicates, other languages), redaction.

Submodules load on first use, so importing one step does not load them all.

Example (with a responses table from ``openends.io.read_responses``)::

    from openends.clean import clean_responses
    cleaned, summary = clean_responses(responses)
"""

from __future__ import annotations

from openends.lazy import lazy_getattr

_LAZY = {
    "STATUSES": "openends.clean.pipeline",
    "CleaningOptions": "openends.clean.pipeline",
    "CleaningSummary": "openends.clean.pipeline",
    "clean_responses": "openends.clean.pipeline",
    "combine_cleaned": "openends.clean.pipeline",
    "for_export": "openends.clean.pipeline",
    "DEFAULT_STEPS": "openends.clean.steps",
    "STEPS": "openends.clean.steps",
    "compose": "openends.clean.steps",
}
__all__ = list(_LAZY)


__getattr__ = lazy_getattr("openends.clean", _LAZY)
