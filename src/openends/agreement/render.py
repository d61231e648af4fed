"""The agreement table as the terminal shows it: one row per theme, intervals, flags.

Example:
    >>> import pandas as pd
    >>> from rich.console import Console
    >>> from openends.agreement import agree
    >>> from openends.coding.codings import Coding
    >>> a = Coding("tool", pd.DataFrame({"tor": [1, 0, 1, 0, 1]}, index=list("vwxyz")))
    >>> b = Coding("ann", pd.DataFrame({"tor": [1, 0, 0, 1, 1]}, index=list("vwxyz")))
    >>> console = Console(width=100, color_system=None)
    >>> with console.capture() as captured:
    ...     console.print(agree([a, b], resamples=100))
    >>> "Agreement of tool (A) with ann (B) on 5 answers" in captured.get()
    True
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from openends.agreement.compare import ALL, FLAG_BELOW, LEVEL, MIN_CODED

if TYPE_CHECKING:
    from openends.agreement.compare import Agreement

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


NARROW = 90


def render_agreement(result: Agreement, width: int = 100) -> Group:
    """Headline, table and notes: what was compared, the statistics, what was not
    (below 90 columns, precision and recall give way to F1)."""
    names = result.names
    letters = [LETTERS[position % len(LETTERS)] for position in range(len(names))]
    pooled = result.table.loc[result.table["theme"] == ALL]
    shared = int(pooled["n"].iloc[0]) if len(pooled) else 0
    if result.pairwise:
        head = f"Agreement of {names[0]} (A) with {names[1]} (B) on {shared:,} answers"
    else:
        coders = ", ".join(f"{name} ({letter})" for name, letter in zip(names, letters,
                                                                          strict=True))
        head = f"Agreement of {coders} on {shared:,} answers coded by two or more"
    table = Table(show_edge=False, box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0, 0, 1))
    table.add_column("theme", overflow="ellipsis", min_width=12, max_width=28)
    _number_column(table, "n", 5)
    for letter in letters:
        _number_column(table, f"% {letter}", 5)
    _number_column(table, "agree", 5)
    main = "kappa" if result.pairwise else "alpha"
    _number_column(table, f"{main} (95% CI)", 19)
    _number_column(table, "AC1", 4)
    shown = ("precision", "recall", "f1") if width >= NARROW else ("f1",)
    if result.pairwise:
        for name in shown:
            _number_column(table, {"precision": "P", "recall": "R", "f1": "F1"}[name], 4)
    records: list[dict[str, Any]] = result.table.to_dict("records")  # type: ignore[assignment]
    for row in records:
        cells: list[Text | str] = [
            Text(str(row["theme"]), style="bold" if row["theme"] == ALL else ""),
                 f"{row['n']:,}"]
        cells += [_percent(row[f"prevalence_{name}"]) for name in names]
        cells.append(_percent(row["agreement"]))
        cells.append(_with_interval(row, main))
        cells.append(_number(row["ac1"]))
        if result.pairwise:
            cells += [_number(row[name]) for name in shown]
        table.add_row(*cells)
    return Group(Text(head, style="bold"), table, *_notes(result, main))


def _number_column(table: Table, header: str, width: int) -> None:
    table.add_column(header, justify="right", no_wrap=True, min_width=width)


def _notes(result: Agreement, main: str) -> list[Text]:
    names = result.names
    legend = (f"kappa: Cohen's; alpha: Krippendorff's; AC1: Gwet's (robust for rare themes); "
              f"{LEVEL:.0%} intervals: percentile bootstrap over answers ({result.resamples:,} "
              "resamples)")
    if result.pairwise:
        legend += "; alpha and every interval are in the CSV/JSON output (-o, --json)"
    if result.pairwise:
        legend += f"; P, R, F1: {names[0]} against {names[1]} as the reference"
    notes = [Text(legend, style="dim")]
    table = result.table.set_index("theme")
    unused = {theme: [name for name in names if table.at[theme, f"prevalence_{name}"] == 0]
              for theme in result.flagged}
    never = [theme for theme, nobody in unused.items() if nobody]
    flagged = [theme for theme in result.flagged if theme not in never]
    if flagged:
        notes.append(Text(f"! {len(flagged)} theme(s) with {main} below {FLAG_BELOW}: "
                          f"{', '.join(flagged)}; refine their codebook definitions or "
                          "train the coders, then code a fresh sample", style="yellow"))
    for name in names:
        unused_by = [theme for theme in never if name in unused[theme]]
        if unused_by:
            notes.append(Text(f"! {name} never used {len(unused_by)} theme(s) the other coding "
                              f"used: {', '.join(unused_by)}; check that every coder had these "
                              "themes", style="yellow"))
    if (result.table["coded_by_any"] < MIN_CODED).any():
        notes.append(Text(f"too few: fewer than {MIN_CODED} compared answers have the theme; "
                          "no CI: a coding never used it; neither gets an interval",
                          style="dim"))
    unmatched = {name: len(ids) for name, ids in result.only_in.items() if ids}
    if unmatched:
        listed = ", ".join(f"{count:,} only in {name}" for name, count in unmatched.items())
        notes.append(Text(f"Not compared (coded by one coding only): {listed}", style="dim"))
    blank = {name: count for name, count in result.not_coded.items() if count}
    if blank:
        listed = ", ".join(f"{count:,} in {name}" for name, count in blank.items())
        notes.append(Text(f"Rows left blank (not coded yet): {listed}", style="dim"))
    if result.themes_left_out:
        notes.append(Text(f"Themes not in every coding, left out: "
                          f"{', '.join(result.themes_left_out)}", style="dim"))
    return notes


def _with_interval(row: dict[str, Any], name: str) -> Text:
    value = row[name]
    if _missing(value):
        return Text("-")
    low, high = row[f"{name}_low"], row[f"{name}_high"]
    if row["coded_by_any"] < MIN_CODED:
        interval = " (too few)"
    elif _missing(low):
        interval = " (no CI)"
    else:
        interval = f" ({low:.2f}, {high:.2f})"
    flagged = row["flag"]
    text = Text(f"{value:.2f}{interval}", style="yellow" if flagged else "")
    text.append("!" if flagged else " ", style="bold yellow")
    return text


def _percent(value: Any) -> str:
    return "-" if _missing(value) else f"{value:.1%}"


def _number(value: Any) -> str:
    return "-" if _missing(value) else f"{value:.2f}"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
