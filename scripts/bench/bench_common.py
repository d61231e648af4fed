"""What every benchmark script records about the code and the machine it measured, and
how it prints its figures.

The scripts run as ``python scripts/bench/NAME.py``, so this folder is on ``sys.path``
and they import this module by name.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.table import Table

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


def memory_total_mb() -> float | None:
    """The machine's memory in MB (10^6 bytes), from ``/proc/meminfo`` (Linux)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024 / 1e6
    except (OSError, ValueError, IndexError):
        pass
    return None


def machine_facts(packages: Iterable[str]) -> dict[str, Any]:
    """Python, platform, CPUs, memory, load average and the versions of ``packages``."""
    try:
        load: list[float] | None = list(os.getloadavg())
    except OSError:
        load = None
    return {"python": platform.python_version(), "implementation":
            platform.python_implementation(), "platform": platform.platform(),
            "cpu_count": os.cpu_count(), "memory_total_mb": memory_total_mb(),
            "load_average_at_start": load,
            "packages": {name: package_version(name) for name in packages}}


class BenchError(Exception):
    """A problem reported on one line with exit status 2 (missing command, data, options)."""


class RunFailed(Exception):
    """A measured run exited with an error (reported with its stderr, exit status 1)."""


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


def new_table(title: str, columns: Sequence[str], caption: str = "") -> Table:
    """A rich table of figures: the first column left-aligned, the others right."""
    from rich.table import Table

    table = Table(title=title, title_justify="left", caption=caption or None,
                  caption_justify="left")
    for position, column in enumerate(columns):
        table.add_column(column, justify="left" if position == 0 else "right")
    return table


def say(console: Any, text: str) -> None:
    """One line on the rich ``console``, printed as is (no markup, no highlighting)."""
    console.print(text, markup=False, highlight=False)


def warn_if_source_changed(console: Any, version: str) -> None:
    """A warning line when the source changed while a benchmark ran: the figures are of
    the modules loaded at its start (``version``), not of the source now."""
    now = source_version()
    if now != version:
        say(console, f"WARNING: the source changed during the run ({version} -> {now}); "
                     "the modules loaded at the start were measured")


def median(values: Sequence[float]) -> float:
    """The median, or NaN for no values."""
    return statistics.median(values) if values else math.nan


def seconds_text(value: float | None, digits: int = 2) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:,.{digits}f}"


def megabytes(value: float | None) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:,.0f}"
