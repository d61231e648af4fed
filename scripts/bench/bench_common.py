"""What every benchmark script records about the code and the machine it measured.

The scripts run as ``python scripts/bench/NAME.py``, so this folder is on ``sys.path``
and they import this module by name.
"""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def package_version(name: str) -> str | None:
    """The installed version of a distribution, or None."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def source_version() -> str:
    """The repository's commit, marked when ``src/`` has uncommitted changes."""
    def git(*arguments: str) -> str:
        return subprocess.run(["git", *arguments], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "src")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" (src/ has uncommitted changes)" if dirty else "")


def machine_facts(packages: Iterable[str]) -> dict[str, Any]:
    """Python, platform, CPUs, load average and the versions of ``packages``."""
    try:
        load: list[float] | None = list(os.getloadavg())
    except OSError:
        load = None
    return {"python": platform.python_version(), "implementation":
            platform.python_implementation(), "platform": platform.platform(),
            "cpu_count": os.cpu_count(), "load_average_at_start": load,
            "packages": {name: package_version(name) for name in packages}}


@dataclass(frozen=True)
class Bar:
    """One line of the verdict: a bar (PASS/FAIL) or an aim (AIM MET/AIM MISSED)."""

    name: str
    passed: bool
    figures: str
    aim: bool = False

    @property
    def line(self) -> str:
        if self.aim:
            return f"{'AIM MET' if self.passed else 'AIM MISSED'} {self.name} ({self.figures})"
        return f"{'PASS' if self.passed else 'FAIL'} {self.name} ({self.figures})"


def read_nhs_csv(path: Path, error: type[Exception]) -> Any:
    """The NHS FFT development file as a table of strings; ``error`` (the script's own
    one-line failure) when it is missing or unreadable."""
    import pandas as pd

    if not path.is_file():
        raise error(f"no NHS FFT data at {path} (give the CSV with --data)")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as problem:
        raise error(f"{path}: not a readable CSV ({str(problem).splitlines()[0]})") from None


def new_table(title: str, columns: Sequence[str], caption: str = "") -> Any:
    """A rich table of figures: the first column left-aligned, the others right."""
    from rich.table import Table

    table = Table(title=title, title_justify="left", caption=caption or None,
                  caption_justify="left")
    for position, column in enumerate(columns):
        table.add_column(column, justify="left" if position == 0 else "right")
    return table
