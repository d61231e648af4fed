"""openends: analyse free-text answers to open-ended survey questions.

Nothing heavy happens at import; public functions are imported on first use.

Example:
    >>> import openends
    >>> openends.__version__
    '0.1.0'
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "read_responses": "openends.io",
    "read_table": "openends.io",
    "ReadInfo": "openends.io",
    "inspect_file": "openends.io",
    "OpenendsError": "openends.errors",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'openends' has no attribute {name!r}")
