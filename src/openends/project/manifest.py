"""``manifest.json``: what produced a run's outputs, so every figure can be traced back.

It records the project file and every input with its sha256 and row counts, the
configuration, the seed, the versions of the packages that did the work, every
output with its sha256, and the timings. Everything but ``timings`` is the same
for two runs of the same project.

Example:
    >>> {"python", "openends", "pandas"} <= set(package_versions())
    True
"""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from openends.project.cache import file_hash

PACKAGES = ("openends", "numpy", "pandas", "pyarrow", "scipy", "statsmodels", "scikit-learn",
            "spacy", "spacy-lookups-data", "bertopic", "model2vec", "krippendorff", "rich")


def package_versions() -> dict[str, str]:
    """Installed versions of the packages a run depends on (and Python's)."""
    versions = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return dict(sorted(versions.items()))


def output_entries(folder: Path) -> list[dict[str, Any]]:
    """Every file of ``folder`` (but the manifest) with its size and sha256, by path."""
    return [{"path": path.relative_to(folder).as_posix(), "bytes": path.stat().st_size,
             "sha256": file_hash(path)}
            for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name != "manifest.json"]


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    """``manifest.json`` in ``folder`` (keys sorted, so equal content gives equal bytes)."""
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path
