"""openends: analyse free-text answers to open-ended survey questions.

Nothing heavy happens at import; public functions are imported on first use.

Example:
    >>> import openends
    >>> openends.__version__
    '0.1.0'
"""

from __future__ import annotations

from openends.lazy import lazy_getattr

__version__ = "0.1.0"

_LAZY = {
    "read_responses": "openends.io",
    "read_table": "openends.io",
    "ReadInfo": "openends.io",
    "inspect_file": "openends.io",
    "OpenendsError": "openends.errors",
}

__all__ = ["__version__", *_LAZY]


__getattr__ = lazy_getattr("openends", _LAZY)
