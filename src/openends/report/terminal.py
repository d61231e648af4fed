"""The report in the terminal (rich): headline, themes, waves, changes, keywords, quotes.

Tables adapt to the width: below about 100 columns the columns that only repeat or
decorate (inline bars, counts, raw p-values, sparklines) are dropped before anything
would wrap, and no number is ever cut into an ellipsis. Every share is printed with
its base; only changes significant after correction are highlighted; small bases are
flagged.

Example:
    >>> import pandas as pd
    >>> from rich.console import Console
    >>> from openends.report.build import build_report
    >>> codes = pd.DataFrame({"response_id": list("abcd"), "tor": [1, 0, 1, 1]})
    >>> answers = pd.DataFrame({"response_id": list("abcd"), "text": ["Tor sites", "VPNs",
    ...                         "Tor everywhere", "More tor"]})
    >>> console = Console(width=80, color_system=None)
    >>> with console.capture() as captured:
    ...     console.print(build_report(codes, answers, title="Tech", keywords=False))
    >>> "75.0%" in captured.get() and "n<30" in captured.get()
    True
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from openends.report.build import correction_name, format_p, records
from openends.stats import BLANK, natural_key

if TYPE_CHECKING:
    from openends.report.model import Quote, Report

SPARKS = "▁▂▃▄▅▆▇█"
EIGHTHS = " ▏▎▍▌▋▊▉█"
BAR_WIDTH = 10
GAP = 2
"""Columns of space between two table columns (a divider and a padding)."""
TERMINAL_QUOTES = 2
"""Quotes per theme shown in the terminal (Markdown and HTML show them all)."""
TERMINAL_TERMS = 5
QUOTE_CHARS = 300
RISING, FALLING = "▲", "▼"


@dataclass
class Column:
    """A table column before layout. Optional columns (``drop`` > 0) go first, highest
    ``drop`` first, when the table is too wide; a ``wrap`` column (text) may then fold
    down to ``min_width``; a ``flex`` column (long text such as term lists) always may."""

    header: str
    cells: list[Text] = field(default_factory=list)
    justify: str = "left"
    drop: int = 0
    wrap: bool = False
    flex: bool = False
    min_width: int = 10

    @property
    def width(self) -> int:
        return max([cell_len(self.header), *(cell.cell_len for cell in self.cells)])

    @property
    def least(self) -> int:
        return min(self.width, self.min_width) if self.wrap or self.flex else self.width


def fitted_table(columns: Sequence[Column], width: int, title: str | None = None
                 ) -> RenderableType:
    """A table of the columns that fit in ``width`` at their full width: optional ones
    are dropped until the rest fit, so numbers are never cut or wrapped; only when no
    optional column is left do text columns fold."""
    shown = list(columns)

    while table_width(shown) > width:
        optional = [column for column in shown if column.drop > 0]
        if not optional:
            break
        shown.remove(max(reversed(optional), key=lambda column: column.drop))
    table = Table(show_edge=False, box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0, 0, 1))
    for column in shown:
        table.add_column(column.header, justify=column.justify,  # type: ignore[arg-type]
                         no_wrap=not (column.wrap or column.flex), overflow="fold",
                         min_width=column.least)
    for row in zip(*(column.cells for column in shown), strict=True):
        table.add_row(*row)
    return Group(Text(title, style="bold"), table) if title else table


def table_width(columns: Sequence[Column]) -> int:
    """Columns a table needs to show ``columns`` without folding any but flex columns."""
    return (sum(column.least if column.flex else column.width for column in columns)
            + GAP * (len(columns) - 1))


def render_terminal(report: Report, width: int = 100) -> Group:
    """The whole report as one renderable for a console ``width`` columns wide."""
    parts: list[RenderableType] = [Text(report.title, style="bold"), Text(counts_line(report))]
    if report.quality:
        parts.append(Text(quality_line(report.quality)))
    if report.headlines:
        parts += [Text(""), Text("What changed" if report.wave else "Findings", style="bold")]
        parts.append(_bullets(report.headlines))
    parts += [Text(""), _themes(report, width)]
    for table in _matrix(report, width):
        parts += [Text(""), table]
    if report.wave or len(report.differences):
        parts += [Text(""), *_changes(report, width)]
    for table in _keywords(report, width):
        parts += [Text(""), table]
    quotes = _quotes(report)
    if quotes:
        parts += [Text(""), *quotes]
    parts.append(Text(""))
    parts += [Text(f"note: {note}", style="dim") for note in report.notes]
    parts.append(Text(legend(report), style="dim"))
    return Group(*parts)


def _bullets(lines: Sequence[str]) -> Table:
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for line in lines:
        grid.add_row("•", Text(line))
    return grid


def counts_line(report: Report) -> str:
    """Answers in, substantive, left out by status, and with at least one theme."""
    counts = dict(report.counts)
    rows, ok = counts.pop("rows", 0), counts.pop("ok", 0)
    with_theme = counts.pop("with_theme", None)
    left = ", ".join(f"{count:,} {status.replace('_', ' ')}" for status, count in counts.items()
                     if count)
    line = f"{rows:,} answers in: {ok:,} substantive" + (f" (left out: {left})" if left else "")
    if with_theme is not None:
        line += f"; {with_theme:,} of the {ok:,} substantive answers have at least one theme"
    return line


def quality_line(quality: dict[str, Any]) -> str:
    """How good the codes are, in one line."""
    def interval(name: str) -> str:
        low, high = quality.get(f"{name}_low"), quality.get(f"{name}_high")
        return f" (95% CI {low:.2f}-{high:.2f})" if _finite(low) and _finite(high) else ""

    if quality.get("kind") == "agreement":
        shown = [f"{title} {quality[name]:.2f}{interval(name)}"
                 for name, title in (("kappa", "kappa"), ("f1", "F1"))
                 if _finite(quality.get(name))]
        against = quality.get("against", "reference codes")
        n = quality.get("n")
        on = f" on {n:,} answers" if isinstance(n, int) else ""
        return f"Coding quality: {', '.join(shown)} against {against}{on}"
    if quality.get("kind") == "cross-validated":
        shown = [f"{title} {quality[name]:.2f}" for name, title in (
            ("macro_f1", "macro F1"), ("sample_f1", "sample F1"), ("micro_f1", "micro F1"))
            if _finite(quality.get(name))]
        return f"Coding quality (cross-validated): {', '.join(shown)}"
    shown = [f"{key} {value:.2f}" if isinstance(value, float) else f"{key} {value}"
             for key, value in quality.items()]
    return f"Coding quality: {', '.join(shown)}"


def legend(report: Report) -> str:
    """What the signs and numbers mean."""
    name = correction_name(report.correction)
    corrected = (f"after {name} correction across {report.tests:,} tests"
                 if report.correction != "none" else f"uncorrected, {report.tests:,} tests")
    parts = [f"%: share of the base ({report.base}), n in brackets", "CI: Wilson 95%"]
    if report.tests:
        parts.append(f"p adj.: {corrected}")
    if report.wave:
        parts.append(f"significant ({RISING} {FALLING}): p adj. < {report.alpha:g}")
        parts.append("trend: Cochran-Armitage across the waves; change: two-proportion test "
                     "(Fisher exact for small counts) with Newcombe 95% CI, in percentage "
                     "points")
        parts.append(f"{SPARKS[0]}..{SPARKS[-1]}: each wave's share against the row's highest")
    elif len(report.differences):
        parts.append(f"significant: p adj. < {report.alpha:g} (chi-square across groups)")
    parts.append("n<30 or !: small base (fewer than 30)")
    return "; ".join(parts)


def _themes(report: Report, width: int) -> RenderableType:
    themes = report.themes
    if not len(themes):
        return Text("No themes.")
    scopes = themes["scope"].unique().tolist()
    title = "Themes" + (f": share of {scopes[0]}" if len(scopes) == 1 else "")
    largest = max([value for value in themes["pct"] if _finite(value)], default=0.0)
    depth = theme_depths(themes)
    columns = [Column("theme", wrap=True, min_width=14), Column("base", drop=1, wrap=True),
               Column("n", justify="right"), Column("k", justify="right", drop=2),
               Column("%", justify="right"), Column("", drop=3),
               Column("95% CI", justify="right"), Column("", drop=0)]
    for row in records(themes):
        empty = row["n"] == 0
        cells = [Text("  " * depth[row["theme"]] + str(row["theme"])), Text(str(row["scope"])),
                 Text(f"{row['n']:,}"), Text(f"{row['k']:,}"),
                 Text("-" if empty else f"{row['pct']:.1%}"),
                 Text("" if empty else bar(row["pct"] / largest if largest else 0.0),
                      style="cyan"),
                 Text("-" if empty else interval_text(row["ci_low"], row["ci_high"])),
                 Text("n<30", style="yellow") if row["small_base"] else Text("")]
        for column, cell in zip(columns, cells, strict=True):
            column.cells.append(cell)
    if len(scopes) == 1:
        columns.pop(1)
    if not themes["small_base"].any():
        columns.pop()
    return fitted_table(columns, width, title=title)


def matrix_axes(report: Report) -> tuple[str, list[str], list[str]] | None:
    """What the wave x group matrix runs across (the wave, else the last ``by`` column),
    the ``by`` columns that head its sections, and its levels in order (a blank group
    last); None when there is no matrix."""
    matrix = report.prevalence
    across = report.wave or (report.by[-1] if report.by else None)
    if across is None or not len(matrix):
        return None
    keys = [column for column in report.by if column != across]
    values = matrix[across].astype(str)
    levels = sorted((level for level in values.unique() if level != BLANK), key=natural_key)
    if not report.wave and BLANK in set(values):
        levels.append(BLANK)
    return across, keys, levels


def _matrix(report: Report, width: int) -> list[RenderableType]:
    """Each theme's share in each wave (or group), grouped by the other ``by`` columns;
    split into several tables of fewer waves when they do not fit side by side."""
    axes = matrix_axes(report)
    if axes is None:
        return []
    matrix = report.prevalence
    across, keys, levels = axes
    tested = tests_by_series(report, keys)
    theme_column = Column("theme", wrap=True, min_width=14)
    spark = Column("trend", drop=2) if report.wave else None
    cells = [Column(level, justify="right") for level in levels]
    change = Column("change pp" if report.wave else "differs", justify="right")
    p_column = Column("p adj.", justify="right", drop=3)
    columns = [theme_column, *([spark] if spark else []), *cells, change, p_column]
    order = {theme: position for position, theme in enumerate(report.themes["theme"])}
    for key, part in sections(matrix, keys):
        heading = bool(keys)
        for theme, series in sorted(part.groupby("theme", sort=False),
                                    key=lambda item: order.get(str(item[0]), 0)):
            by_level = {str(row[across]): row for row in records(series)}
            present = [level for level in levels if by_level.get(level, {}).get("n", 0) > 0]
            if len(present) < 2:
                continue
            if heading:
                for column in columns:
                    column.cells.append(Text(heading_text(keys, key), style="bold")
                                        if column is theme_column else Text(""))
                heading = False
            theme_column.cells.append(Text(("  " if keys else "") + str(theme)))
            if spark:
                spark.cells.append(Text(sparkline([by_level.get(level) for level in levels]),
                                        style="cyan"))
            for level, column in zip(levels, cells, strict=True):
                column.cells.append(_share(by_level.get(level)))
            test = tested.get((str(theme), *key))
            change.cells.append(_change(test, report))
            p_column.cells.append(Text("" if test is None else p_text(test["p_adjusted"]),
                                       style="bold" if test is not None and test["significant"]
                                       else "dim"))
    if not theme_column.cells:
        return []
    title = ("Across waves" if report.wave else f"Across {across}") + " (share, n in brackets)"
    per_table = len(cells)
    while per_table > 1 and table_width([theme_column, *cells[:per_table], change]) > width:
        per_table -= 1
    if per_table == len(cells):
        return [fitted_table(columns, width, title=title)]
    chunks = [cells[start:start + per_table] for start in range(0, len(cells), per_table)]
    return [fitted_table([theme_column, *([spark] if spark and number == 1 else []), *chunk,
                          *([change, p_column] if number == len(chunks) else [])], width,
                         title=f"{title}, {number} of {len(chunks)}")
            for number, chunk in enumerate(chunks, start=1)]


def heading_text(keys: Sequence[str], values: Sequence[str]) -> str:
    """The heading of a group's rows: ``"region: north"``."""
    return " · ".join(f"{key}: {value}" for key, value in zip(keys, values, strict=True))


def sections(matrix: pd.DataFrame, keys: list[str]) -> Iterable[tuple[tuple[str, ...],
                                                                          pd.DataFrame]]:
    if not keys:
        yield (), matrix
        return
    sections = [(tuple(str(part) for part in _as_tuple(key)), part)
                for key, part in matrix.groupby(keys, sort=False)]
    yield from sorted(sections, key=lambda item: tuple(natural_key(part) for part in item[0]))


def tests_by_series(report: Report, keys: list[str]) -> dict[tuple[str, ...], dict[str, Any]]:
    """The trend test (or, without waves, the test across groups) of each matrix row."""
    if report.wave:
        table = report.trends
    elif len(report.differences):
        across = report.by[-1]
        table = report.differences[report.differences["between"] == across]
    else:
        return {}
    if not len(table) or any(key not in table.columns for key in keys):
        return {}  # e.g. two --by columns and no waves: the test is not per matrix row
    return {(str(row["theme"]), *[str(row[key]) for key in keys]): row
            for row in records(table)}


def _change(test: dict[str, Any] | None, report: Report) -> Text:
    if test is None:
        return Text("")
    significant = bool(test["significant"])
    if report.wave:
        value = float(test["change_pp"])
        arrow = (RISING if float(test["z"]) > 0 else FALLING) if significant else " "
        return Text(f"{value:+.1f} {arrow}", style="bold" if significant else "dim")
    return Text("yes" if significant else "no", style="bold" if significant else "dim")


def _changes(report: Report, width: int) -> list[RenderableType]:
    """The significant trends and wave-over-wave changes, then group differences."""
    name = correction_name(report.correction)
    family = (f"p < {report.alpha:g} after {name} correction across {report.tests:,} tests"
              if report.correction != "none" else f"p < {report.alpha:g}, uncorrected")
    parts: list[RenderableType] = []
    trends, changes = significant_changes(report)
    if trends or changes:
        parts.append(Text(f"Significant changes ({family})", style="bold"))
    elif report.wave:
        parts.append(Text(f"No significant change across the waves ({family}).", style="bold"))
    for title, kind, rows in (("Trends across the waves", "trend", trends),
                              ("Wave over wave", "change", changes)):
        if rows:
            parts.append(_change_table(report, rows, kind, title, width))
    differences = report.differences
    if len(differences) and differences["significant"].any():
        parts += [*([Text("")] if parts else []), _differences(report, width, family)]
    return parts


def _change_table(report: Report, rows: list[dict[str, Any]], kind: str, title: str,
                  width: int) -> RenderableType:
    """Significant trends or changes, under a heading per group of the ``by`` columns."""
    keys = list(report.by)
    columns = [Column("theme", wrap=True, min_width=14), Column("waves"),
               # on a narrow screen the shares give way (the matrix above shows them)
               Column("share (n)", justify="right", drop=2),
               Column("diff pp (95% CI)", justify="right"), Column("p", justify="right", drop=4),
               Column("p adj.", justify="right"), Column("", drop=0)]
    trend = kind == "trend"
    grouped: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(tuple(str(row[key]) for key in keys), []).append(row)
    for key in sorted(grouped, key=lambda key: tuple(natural_key(part) for part in key)):
        if keys:
            for column in columns:
                column.cells.append(Text(heading_text(keys, key), style="bold")
                                    if column is columns[0]
                                    else Text(""))
        for row in grouped[key]:
            first, last = ((row["wave_first"], row["wave_last"]) if trend
                           else (row["wave1"], row["wave2"]))
            n1, k1, n2, k2 = ((row["n_first"], row["k_first"], row["n_last"], row["k_last"])
                              if trend else (row["n1"], row["k1"], row["n2"], row["k2"]))
            diff = row["change_pp"] if trend else row["diff_pp"]
            cells = [Text(str(row["theme"]), style="bold"),
                     Text(f"{first}→{last}"),
                     Text(f"{k1 / n1:.1%} ({n1:,}) → {k2 / n2:.1%} ({n2:,})"),
                     Text(f"{diff:+.1f} ({row['diff_low_pp']:.1f}, {row['diff_high_pp']:.1f})",
                          style="bold"),
                     Text(p_text(row["p"])), Text(p_text(row["p_adjusted"]), style="bold"),
                     Text("n<30", style="yellow") if row["small_base"] else Text("")]
            for column, cell in zip(columns, cells, strict=True):
                column.cells.append(cell)
    if not any(row["small_base"] for row in rows):
        columns.pop()
    spans = {cell.plain for cell in columns[1].cells if cell.plain}
    if len(spans) == 1:
        columns.pop(1)
        title += f" ({spans.pop()})"
    return fitted_table(columns, width, title=title)


def significant_changes(report: Report) -> tuple[list[dict[str, Any]],
                                                   list[dict[str, Any]]]:
    """The significant trends (largest first) and wave-over-wave changes."""
    trends: list[dict[str, Any]] = []
    if len(report.trends):
        chosen = report.trends[report.trends["significant"]]
        chosen = chosen.reindex(chosen["change_pp"].abs().sort_values(
            ascending=False, kind="mergesort").index)
        trends = records(chosen)
    changes: list[dict[str, Any]] = []
    if len(report.changes):
        changes = records(report.changes[report.changes["significant"]])
    return trends, changes


def _differences(report: Report, width: int, family: str) -> RenderableType:
    wave = report.wave
    columns = [Column("theme", wrap=True, min_width=14), Column("across")]
    if wave:
        columns.append(Column(wave))
    columns += [Column("groups", justify="right", drop=2), Column("n", justify="right"),
                Column("chi2", justify="right", drop=3), Column("p", justify="right", drop=4),
                Column("p adj.", justify="right")]
    table = report.differences[report.differences["significant"]]
    for row in records(table):
        cells = [Text(str(row["theme"]), style="bold"), Text(str(row["between"]))]
        if wave:
            cells.append(Text(str(row[wave])))
        cells += [Text(f"{row['groups']}"), Text(f"{row['n']:,}"), Text(f"{row['chi2']:.1f}"),
                  Text(p_text(row["p"])), Text(p_text(row["p_adjusted"]), style="bold")]
        for column, cell in zip(columns, cells, strict=True):
            column.cells.append(cell)
    return fitted_table(columns, width,
                        title=f"Significant differences across groups ({family})")


def _keywords(report: Report, width: int) -> list[RenderableType]:
    table = report.keywords
    if not len(table):
        return []
    tables = []
    for (scope, compared), part in table.groupby(["scope", "by"], sort=False):
        columns = [Column(str(compared)), Column("answers", justify="right"),
                   Column("terms that mark it (answers using the term)", flex=True,
                          min_width=30)]
        for group, terms in part.groupby("group", sort=False):
            shown = records(terms.sort_values("rank").head(TERMINAL_TERMS))
            columns[0].cells.append(Text(str(group)))
            columns[1].cells.append(Text(f"{int(shown[0]['answers']):,}"))
            columns[2].cells.append(Text(" · ".join(
                f"{row['keyphrase']} {int(row['count'])}" for row in shown)))
        tables.append(fitted_table(columns, width, title=f"Terms that mark each {compared} "
                                                         f"in {scope} (keyness, z >= 1.96)"))
    return tables


def _quotes(report: Report) -> list[RenderableType]:
    shown = {theme: quotes[:TERMINAL_QUOTES] for theme, quotes in report.quotes.items()
             if quotes}
    if not shown:
        return []
    labels = (dict(zip(report.themes["theme"], report.themes["label"], strict=True))
              if "label" in report.themes.columns else {})
    most = max(len(quotes) for quotes in report.quotes.values())
    parts: list[RenderableType] = [Text(
        f"Quotes (redacted; up to {min(TERMINAL_QUOTES, most)} of {most} per theme, evidence "
        "in bold)",
        style="bold")]
    for theme, quotes in shown.items():
        label = labels.get(theme, theme)
        heading = Text(theme, style="bold")
        if label and label != theme:
            heading.append(f" ({label})", style="dim")
        parts.append(heading)
        parts += [Padding(quote_text(quote), (0, 0, 0, 2)) for quote in quotes]
    return parts


def quote_text(quote: Quote, limit: int = QUOTE_CHARS) -> Text:
    """A quote in quotation marks with its evidence in bold, then where it comes from."""
    body = quote.text if len(quote.text) <= limit else quote.text[:limit - 1].rstrip() + "…"
    text = Text("“" + body + "”")
    for piece in filter(None, quote.evidence.split(" | ")):
        text.highlight_regex(re.compile(re.escape(piece), re.IGNORECASE), style="bold")
    if quote.context:
        text.append(f" — {quote.context}", style="dim")
    return text


def sparkline(rows: Sequence[dict[str, Any] | None]) -> str:
    """One block character per wave, its height the share against the row's highest
    (a blank where a wave has no answers), so a flat row is flat and 10% -> 20% doubles.

    Example:
        >>> sparkline([{"n": 100, "pct": 0.1}, {"n": 100, "pct": 0.2}, None])
        '▄█ '
        >>> sparkline([{"n": 50, "pct": 0.2}, {"n": 60, "pct": 0.2}])
        '██'
    """
    shares = [float(row["pct"]) if row is not None and row.get("n", 0) > 0 else math.nan
              for row in rows]
    highest = max([share for share in shares if not math.isnan(share)], default=0.0)
    return "".join(" " if math.isnan(share) else SPARKS[
        0 if highest <= 0 else min(len(SPARKS) - 1, math.ceil(share / highest * len(SPARKS)) - 1)
        if share > 0 else 0] for share in shares)


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar ``fraction`` (0-1) of ``width`` characters, in eighths.

    Example:
        >>> bar(0.5, 4), bar(1.0, 4), bar(0.0, 4)
        ('██  ', '████', '    ')
    """
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[part] if part else "")).ljust(width)


def _share(row: dict[str, Any] | None) -> Text:
    if row is None or row["n"] == 0:
        return Text("")
    text = Text(f"{row['pct']:.1%} ({row['n']:,})")
    if row["small_base"]:
        text.append("!", style="yellow")
    return text


def interval_text(low: float, high: float) -> str:
    return f"{100 * low:.1f}-{100 * high:.1f}"


def p_text(value: Any) -> str:
    return format_p(float(value)).removeprefix("p ").replace("= ", "").replace("< ", "<")


def theme_depths(themes: pd.DataFrame) -> dict[str, int]:
    parents = (dict(zip(themes["theme"], themes["parent"], strict=True))
               if "parent" in themes.columns else {})
    depths = {}
    for theme in themes["theme"]:
        depth, current = 0, parents.get(theme)
        while current and current in parents and depth < 10:
            depth, current = depth + 1, parents.get(current)
        depths[theme] = depth
    return depths


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else (value,)


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)
