"""Where the sample survey project (``corpora/project.toml``) lives.

Example (with the sample project)::

    sample_project_path().name
    'project.toml'
"""

from __future__ import annotations

import os
from pathlib import Path

from openends.errors import InputFileError

PROJECT_FILE = "project.toml"


def sample_project_path() -> Path:
    """The sample project's file: ``$OPENENDS_SAMPLE_PROJECT``, ``./corpora`` or the checkout's."""
    override = os.environ.get("OPENENDS_SAMPLE_PROJECT")
    candidates = [Path(override)] if override else []
    candidates += [
        Path.cwd() / "corpora" / PROJECT_FILE,
        Path(__file__).resolve().parents[2] / "corpora" / PROJECT_FILE,
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise InputFileError(
        candidates[0], "the sample project was not found; run from an openends checkout "
        "or set OPENENDS_SAMPLE_PROJECT to its project.toml"
    )
