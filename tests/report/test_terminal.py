"""The terminal report: a snapshot at 100 and 80 columns without colour, lines that fit,
columns dropped (never numbers cut) when narrow.

The snapshots are of the generated survey in ``conftest.py``. After a deliberate change
to the layout, regenerate them and review the diff::

    OPENENDS_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/report/test_terminal.py
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from openends.report.model import Report
from openends.report.terminal import Column, bar, fitted_table, sparkline

SNAPSHOTS = Path(__file__).parent / "snapshots"


def rendered(report: Report, width: int) -> str:
    console = Console(width=width, color_system=None, record=True)
    console.print(report)
    text = console.export_text()
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


@pytest.mark.parametrize("width", [100, 80])
def test_snapshot(small_report: Report, width: int) -> None:
    text = rendered(small_report, width)
    path = SNAPSHOTS / f"terminal_{width}.txt"
    if os.environ.get("OPENENDS_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"the terminal report changed; if on purpose, regenerate {path.name} (see the module "
        "docstring) and review the diff")


@pytest.mark.parametrize("width", [120, 100, 90, 80, 72])
def test_no_line_is_wider_than_the_console_and_no_number_is_cut(small_report: Report,
                                                                width: int) -> None:
    text = rendered(small_report, width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert "…" not in text
    for share in ("10.3% (39)", "51.3% (39)", "52.6% (19)!", "20.5%", "15.8-26.1", "+41.0"):
        assert share in text, (width, share)


def test_narrow_consoles_drop_decorations_before_numbers(small_report: Report) -> None:
    wide, narrow = rendered(small_report, 100), rendered(small_report, 60)
    assert "██" in wide and "trend" in wide
    assert "52.6% (19)!" in narrow and "(20.9, 57.1)" in narrow
    assert "▲" in narrow  # significance still marked
    assert max(len(line) for line in narrow.splitlines()) <= 60


def test_significant_changes_are_marked_and_flat_ones_are_not(small_report: Report) -> None:
    text = rendered(small_report, 100)
    matrix = text[text.index("Across waves"):text.index("Significant changes")]
    rows = {line.split()[0]: line for line in matrix.splitlines()[4:7]}
    assert "▲" in rows["encryption"] and "▲" not in rows["darknet"]
    changes = text[text.index("Significant changes"):text.index("Terms that mark")]
    assert "after Holm correction across 21 tests" in changes
    assert "darknet" not in changes and "staff" not in changes


def test_small_bases_are_flagged(small_report: Report) -> None:
    text = rendered(small_report, 100)
    assert "52.6% (19)!" in text
    assert "n<30 or !: small base" in text


def test_no_waves_no_change_sections(small_report: Report) -> None:
    report = replace(small_report, wave=None, trends=pd.DataFrame(), changes=pd.DataFrame(),
                     prevalence=pd.DataFrame(), headlines=[])
    text = rendered(report, 100)
    assert "Significant changes" not in text and "Across waves" not in text
    assert "Themes" in text


def test_columns_are_dropped_by_priority_and_text_folds_last() -> None:
    columns = [Column("theme", [_text("international_cooperation")], wrap=True),
               Column("n", [_text("1,403")], justify="right"),
               Column("bar", [_text("██████████")], drop=2),
               Column("k", [_text("195")], justify="right", drop=1)]
    console = Console(width=40, color_system=None, record=True)
    console.print(fitted_table(columns, 40))
    text = console.export_text()
    assert "bar" not in text and "k" in text.split()
    assert "international_cooperation" in text and "1,403" in text


def test_sparkline_scales_to_the_rows_highest_share() -> None:
    rows = [{"n": 100, "pct": share} for share in (0.1, 0.2, 0.4)]
    assert sparkline(rows) == "▂▄█"
    assert sparkline([{"n": 100, "pct": 0.2}] * 3) == "███"
    assert sparkline([{"n": 100, "pct": 0.0}, None, {"n": 0, "pct": float("nan")}]) == "▁  "
    assert re.fullmatch(r"█{5} {5}", bar(0.5))


def _text(value: str) -> object:
    from rich.text import Text

    return Text(value)


def test_four_digit_bases_and_long_theme_names_are_never_cut_at_80_columns() -> None:
    import numpy as np

    from openends.report.build import build_report

    rng = np.random.default_rng(0)
    n = 9000
    wave = rng.choice([2017, 2018, 2019], n)
    ids = [f"r{index}" for index in range(n)]
    responses = pd.DataFrame({"response_id": ids, "status": "ok", "redacted_text": "text",
                              "wave": wave, "group": rng.choice(["north", "south"], n)})
    codes = pd.DataFrame({"response_id": ids, "international_cooperation_long_name": (
        rng.random(n) < 0.10 + 0.05 * (wave - 2017)).astype(int)})
    report = build_report(codes, responses, by=["group"], keywords=False)
    console = Console(width=80, color_system=None, record=True)
    console.print(report)
    text = console.export_text()
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "p adj." in text and "<0.001" in text and "<0.0\n" not in text
