"""Charts as inline SVG strings: prevalence by wave, theme by group, co-occurrence.

Hand-written SVG, no plotting library: each function takes rows of the report's tables
and returns one ``<svg>`` element for an HTML page (no ``xmlns``, which inline SVG does
not need and which would be the page's only ``http://`` string). Output is
deterministic (no ids, no random numbers), every text is escaped, and every chart is
an image with a ``<title>`` and a ``<desc>`` for screen readers. Shares are proportions
(0-1); each point and bar carries its base (n) in a hover ``<title>`` and in print.

Colours are the Okabe-Ito palette (distinguishable with colour-blindness); lines also
differ by dash so a black-and-white print still tells the groups apart.

Example:
    >>> rows = pd.DataFrame({"wave": ["2018", "2019"], "n": [120, 25], "k": [30, 10],
    ...                      "pct": [0.25, 0.4], "ci_low": [0.18, 0.23],
    ...                      "ci_high": [0.33, 0.59], "small_base": [False, True]})
    >>> svg = prevalence_by_wave_svg(rows, wave="wave", waves=["2018", "2019"],
    ...                              title="Encryption")
    >>> svg.startswith('<svg role="img"'), "<title>Encryption</title>" in svg
    (True, True)
    >>> "2019: 40.0% (10 of 25)" in svg, ">25*</text>" in svg  # tooltip; base, flagged small
    (True, True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

import pandas as pd

from openends.stats import SMALL_BASE

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#555555")
"""Okabe-Ito colours for groups, in order (yellow left out: unreadable on white)."""
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 2", "1 2", "10 4")
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
INK, MUTED, GRID = "#1a1a1a", "#5c5c5c", "#e3e3e3"
NO_VALUE = "\u2013"
CHAR = 7.0
"""Rough width of a 12px character, for laying out labels without measuring text."""


def pct_text(value: float) -> str:
    """A proportion as a short percentage: whole numbers from 10%, one decimal below.

    Example:
        >>> pct_text(0.2345), pct_text(0.0234), pct_text(float("nan"))
        ('23%', '2.3%', '\u2013')
    """
    if not _finite(value):
        return NO_VALUE
    return f"{100 * value:.0f}%" if value >= 0.095 else f"{100 * value:.1f}%"


def prevalence_by_wave_svg(rows: pd.DataFrame, *, wave: str, waves: Sequence[str],
                           series: str | None = None, series_order: Sequence[str] = (),
                           title: str, description: str = "") -> str:
    """Share by wave, one line per group with its 95% interval as a shaded band.

    ``rows``: one theme's prevalence rows (``<wave>, n, k, pct, ci_low, ci_high,
    small_base`` and the ``series`` column naming each line, if any). Waves in
    ``waves`` order; a wave a group has no answers in breaks its line. Below the axis,
    a row per group gives the base of each point; a hollow point is a small base
    (n < 30). Each point's ``<title>`` reads e.g. "police, 2018: 23.4% (81 of 346),
    95% interval 19.2-28.1%".
    """
    waves = [str(level) for level in waves]
    groups = _series(rows, series, series_order)
    names = [name for name, _ in groups]
    left = 60 if not series else max(60, min(170, int(max(map(len, names)) * CHAR) + 24))
    plot_width, plot_height, top = max(420, 110 * len(waves)), 220, 36 if len(groups) > 1 else 16
    width = left + plot_width + 24
    axis_y = top + plot_height
    base_top = axis_y + 40
    height = base_top + 18 * (len(groups) + 1) + 4
    top_value = _axis_top(rows["ci_high"])

    def x_at(index: int) -> float:
        return left + (index + 0.5) * plot_width / len(waves)

    def y_at(value: float) -> float:
        return axis_y - plot_height * min(value, top_value) / top_value

    parts = [_open(width, height, title, description), *_y_axis(left, plot_width, axis_y,
                                                                 plot_height, top_value)]
    for index, level in enumerate(waves):
        parts.append(_text(x_at(index), axis_y + 18, level, anchor="middle", weight="600"))
    parts.append(_text(left - 8, base_top, "base (n)", anchor="end", fill=MUTED, size=11))
    if len(groups) > 1:
        parts.append(_legend(left, 16, names))
    for number, (name, part) in enumerate(groups):
        colour, dash = PALETTE[number % len(PALETTE)], DASHES[number % len(DASHES)]
        by_wave = {str(row[wave]): row for _, row in part.iterrows()}
        points = [(index, by_wave.get(level)) for index, level in enumerate(waves)]
        present = [(index, row) for index, row in points if row is not None and row["n"] > 0]
        for run in _runs(present):
            if len(run) > 1:
                upper = [f"{x_at(i):.1f},{y_at(r['ci_high']):.1f}" for i, r in run]
                lower = [f"{x_at(i):.1f},{y_at(r['ci_low']):.1f}" for i, r in reversed(run)]
                parts.append(f'<polygon points="{" ".join(upper + lower)}" fill="{colour}" '
                             'fill-opacity="0.14" stroke="none"/>')
                line = " ".join(f"{x_at(i):.1f},{y_at(r['pct']):.1f}" for i, r in run)
                parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" '
                             f'stroke-width="2.2"{_dash(dash)}/>')
            else:
                index, alone = run[0]
                parts.append(_whisker_v(x_at(index), y_at(alone["ci_low"]),
                                        y_at(alone["ci_high"]), colour))
        y_base = base_top + 18 * (number + 1)
        label = name if series else "all"
        parts.append(_text(left - 8, y_base, _clip(label, 24), anchor="end", fill=colour,
                           weight="600"))
        for index, row in points:
            if row is None or row["n"] == 0:
                parts.append(_text(x_at(index), y_base, NO_VALUE, anchor="middle", fill=MUTED))
                continue
            small = bool(row["small_base"])
            parts.append(_text(x_at(index), y_base, f"{int(row['n']):,}" + ("*" if small else ""),
                               anchor="middle", fill=INK, size=12))
            fill = "#ffffff" if small else colour
            tip = _point_tip(label, str(waves[index]), row)
            parts.append(f'<circle cx="{x_at(index):.1f}" cy="{y_at(row["pct"]):.1f}" r="4.5" '
                         f'fill="{fill}" stroke="{colour}" stroke-width="2">'
                         f"<title>{escape(tip)}</title></circle>")
    if any(bool(row["small_base"]) for _, row in rows.iterrows() if row["n"] > 0):
        note = f"* hollow point: small base (n < {SMALL_BASE})"
        parts.append(_text(left + plot_width, base_top, note,
                           anchor="end", fill=MUTED, size=11))
    parts.append("</svg>")
    return "".join(parts)


def theme_by_group_svg(rows: pd.DataFrame, *, category: str, series: str | None = None,
                       categories: Sequence[str] = (), series_order: Sequence[str] = (),
                       labels: Mapping[str, str] | None = None, title: str,
                       description: str = "") -> str:
    """Horizontal bars of shares with 95% interval whiskers, printed as "23% (n=346)".

    One bar per row of ``rows`` (``n, k, pct, ci_low, ci_high, small_base``), grouped by
    ``category`` (e.g. theme) in ``categories`` order and coloured by ``series`` (e.g.
    group) with a legend; ``labels`` maps category values to the text shown. A series
    with no answers in a category gets no bar (a category with none says so); a small
    base is a pale bar with "small base" beside it.
    """
    labels = labels or {}
    order = list(categories) or _unique(rows[category].astype(str))
    groups = _series(rows, series, series_order)
    names = [name for name, _ in groups]
    shown = {value: _clip(labels.get(value, value), 34) for value in order}
    bars = {value: _bars(groups, category, value) for value in order}
    left = max(80, min(260, int(max(map(len, shown.values()), default=4) * CHAR) + 20))
    plot_width, bar, gap = 420, 15, 12
    legend = bool(series) and len(names) > 1
    top = 34 if legend else 14
    axis_y = top + sum(_block(len(found), bar) + gap for found in bars.values())
    width, height = left + plot_width + 150, axis_y + 30
    top_value = _axis_top(rows.loc[rows["n"] > 0, "ci_high"])

    def x_at(value: float) -> float:
        return left + plot_width * min(max(value, 0.0), top_value) / top_value

    parts = [_open(width, height, title, description)]
    parts.extend(_x_axis(left, plot_width, top - 4, axis_y, top_value))
    if legend:
        parts.append(_legend(left, 14, names, bars=True))
    y0 = float(top)
    for value in order:
        found = bars[value]
        block = _block(len(found), bar)
        parts.append(_text(left - 8, y0 + block / 2 + 4, shown[value], anchor="end",
                           title=labels.get(value, value)))
        if not found:
            parts.append(_text(left + 4, y0 + bar - 3, "no answers", fill=MUTED, size=11))
        for place, (number, name, row) in enumerate(found):
            colour = PALETTE[number % len(PALETTE)]
            y = y0 + place * (bar + 3)
            small = bool(row["small_base"])
            opacity = "0.35" if small else "0.85"
            tip = _point_tip(name if series else labels.get(value, value), "", row)
            parts.append(f'<rect x="{left}" y="{y:.1f}" width="{x_at(row["pct"]) - left:.1f}" '
                         f'height="{bar}" fill="{colour}" fill-opacity="{opacity}">'
                         f"<title>{escape(tip)}</title></rect>")
            centre = y + bar / 2
            low, high = x_at(row["ci_low"]), x_at(row["ci_high"])
            parts.append(f'<path d="M{low:.1f},{centre:.1f}H{high:.1f}M{low:.1f},{centre - 4:.1f}'
                         f'V{centre + 4:.1f}M{high:.1f},{centre - 4:.1f}V{centre + 4:.1f}" '
                         f'stroke="{INK}" stroke-width="1.2" fill="none"/>')
            note = f"{pct_text(row['pct'])} (n={int(row['n']):,})" + (
                " small base" if small else "")
            parts.append(_text(max(high, x_at(row["pct"])) + 6, y + bar - 3, note, size=11,
                               fill=MUTED if small else INK))
        y0 += block + gap
    parts.append("</svg>")
    return "".join(parts)


def _bars(groups: list[tuple[str, pd.DataFrame]], category: str,
          value: str) -> list[tuple[int, str, pd.Series]]:
    """The bars of one category: (colour number, series name, row) of each series with
    answers there."""
    found = []
    for number, (name, part) in enumerate(groups):
        match = part[(part[category].astype(str) == value) & (part["n"] > 0)]
        if not match.empty:
            found.append((number, name, match.iloc[0]))
    return found


def _block(bars: int, bar: int) -> int:
    return bar * max(bars, 1) + 3 * max(bars - 1, 0)


def cooccurrence_heatmap_svg(rows: pd.DataFrame, *, themes: Sequence[str],
                             labels: Mapping[str, str] | None = None, title: str,
                             description: str = "") -> str:
    """Lower-triangle heatmap of the lift of each pair of themes, with a legend.

    ``rows``: :func:`openends.stats.cooccurrence` rows (``theme_a, theme_b, n, count_a,
    count_b, both, lift``). Lift above 1 (orange) means two themes come together more
    often than if they were unrelated, below 1 (blue) less; pairs never coded together
    are grey, and a lift resting on fewer than 5 answers is shown in brackets. Each
    cell's ``<title>`` gives the counts behind it.
    """
    labels = labels or {}
    themes = [str(theme) for theme in themes]
    pairs = {(str(row["theme_a"]), str(row["theme_b"])): row for _, row in rows.iterrows()}
    shown = [_clip(labels.get(theme, theme), 34) for theme in themes]
    cell = 40 if len(themes) <= 10 else 30 if len(themes) <= 16 else 22
    left = max(80, min(260, int(max(map(len, shown[1:]), default=4) * CHAR) + 16))
    columns = max(len(themes) - 1, 1)
    top = 14
    bottom_labels = int(max(map(len, shown[:-1]), default=4) * CHAR * 0.72) + 24
    grid_bottom = top + columns * cell
    legend_y = grid_bottom + bottom_labels + 16
    width = max(left + columns * cell + 40, left + 380)
    height = legend_y + 50
    parts = [_open(width, height, title, description)]
    for i in range(1, len(themes)):
        y = top + (i - 1) * cell
        parts.append(_text(left - 6, y + cell / 2 + 4, shown[i], anchor="end",
                           title=labels.get(themes[i], themes[i])))
        for j in range(i):
            x = left + j * cell
            row = pairs.get((themes[i], themes[j]))
            fill, value, tip, colour = _cell(row, labels, themes[i], themes[j])
            parts.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" '
                         f'stroke="#ffffff" stroke-width="1"><title>{escape(tip)}</title></rect>')
            if cell >= 30 and value:
                parts.append(_text(x + cell / 2, y + cell / 2 + 4, value, anchor="middle",
                                   size=10 if cell < 40 else 11, fill=colour))
    for j in range(len(themes) - 1):
        label_x, label_y = left + j * cell + cell / 2 + 4, grid_bottom + 8
        parts.append(f'<text x="{label_x:.1f}" y="{label_y}" text-anchor="end" font-size="12" '
                     f'fill="{INK}" transform="rotate(-45 {label_x:.1f} {label_y})">'
                     f"{escape(shown[j])}</text>")
    parts.extend(_lift_legend(left, legend_y))
    parts.append("</svg>")
    return "".join(parts)


LIFT_STEPS = ((0.25, "≤0.25"), (0.5, "0.5"), (1.0, "1"), (2.0, "2"), (4.0, "≥4"))
NEVER = "#d9d9d9"


def lift_colour(lift: float) -> str:
    """Diverging colour of a lift on a log scale: blue below 1, white at 1, orange above.

    Example:
        >>> lift_colour(1.0), lift_colour(4.0), lift_colour(0.25)
        ('#ffffff', '#c2410c', '#1d5fa8')
    """
    if not _finite(lift) or lift <= 0:
        return NEVER
    position = max(-1.0, min(1.0, math.log2(lift) / 2))
    end = (0xC2, 0x41, 0x0C) if position > 0 else (0x1D, 0x5F, 0xA8)
    mix = [round(255 + (channel - 255) * abs(position)) for channel in end]
    return "#" + "".join(f"{channel:02x}" for channel in mix)


def _cell(row: pd.Series | None, labels: Mapping[str, str], a: str,
          b: str) -> tuple[str, str, str, str]:
    """A heatmap cell's fill, printed value, tooltip and text colour."""
    name_a, name_b = labels.get(a, a), labels.get(b, b)
    if row is None:
        return "#ffffff", "", f"{name_a} & {name_b}: not computed", INK
    both, lift = int(row["both"]), float(row["lift"])
    tip = (f"{name_a} & {name_b}: together in {both:,} of {int(row['n']):,} answers "
           f"({name_a} {int(row['count_a']):,}, {name_b} {int(row['count_b']):,})")
    if not _finite(lift):
        return "#ffffff", "", tip + "; a theme never coded", MUTED
    if both == 0:
        return NEVER, "0", tip + "; never together", MUTED
    tip += f"; lift {lift:.2f}"
    value = f"{lift:.1f}" if both >= 5 else f"({lift:.1f})"
    strong = abs(math.log2(lift)) > 1.5
    return lift_colour(lift), value, tip, "#ffffff" if strong else INK


def _lift_legend(left: int, y: float) -> list[str]:
    parts = [_text(left, y, "lift", weight="600")]
    x = left + 40
    for value, label in LIFT_STEPS:
        parts.append(f'<rect x="{x}" y="{y - 12}" width="34" height="16" '
                     f'fill="{lift_colour(value)}" stroke="#bbbbbb" stroke-width="0.5"/>')
        parts.append(_text(x + 17, y + 18, label, anchor="middle", size=11, fill=MUTED))
        x += 38
    parts.append(f'<rect x="{x + 10}" y="{y - 12}" width="34" height="16" fill="{NEVER}"/>')
    parts.append(_text(x + 50, y + 1, "never together", size=11, fill=MUTED))
    parts.append(_text(left, y + 36, "1 = as often as chance; (x) fewer than 5 answers "
                       "together", size=11, fill=MUTED))
    return parts


def _series(rows: pd.DataFrame, series: str | None,
            order: Sequence[str]) -> list[tuple[str, pd.DataFrame]]:
    """The rows split by ``series`` (in ``order``, then first appearance); one unnamed
    series when ``series`` is None."""
    if series is None:
        return [("", rows)]
    values = rows[series].astype(str)
    names = [name for name in order if (values == name).any()]
    names += [name for name in _unique(values) if name not in names]
    return [(name, rows[values == name]) for name in names]


def _runs(present: list[tuple[int, pd.Series]]) -> list[list[tuple[int, pd.Series]]]:
    """Consecutive waves with answers: a missing wave breaks a line."""
    runs: list[list[tuple[int, pd.Series]]] = []
    for index, row in present:
        if runs and runs[-1][-1][0] == index - 1:
            runs[-1].append((index, row))
        else:
            runs.append([(index, row)])
    return runs


def _axis_top(highs: pd.Series) -> float:
    """A round upper limit for a percentage axis above every interval."""
    values = pd.to_numeric(highs, errors="coerce").dropna()
    highest = float(values.max()) if len(values) else 0.0
    for limit in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0):
        if highest <= limit:
            return limit
    return 1.0


def _ticks(top_value: float) -> list[float]:
    step = next(step for step in (0.01, 0.02, 0.05, 0.1, 0.2) if top_value / step <= 6)
    return [i * step for i in range(round(top_value / step) + 1)]


def _y_axis(left: int, width: int, axis_y: float, height: int, top_value: float) -> list[str]:
    parts = []
    for tick in _ticks(top_value):
        y = axis_y - height * tick / top_value
        parts.append(f'<line x1="{left}" x2="{left + width}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID if tick else MUTED}" stroke-width="1"/>')
        parts.append(_text(left - 8, y + 4, f"{100 * tick:.0f}%", anchor="end", fill=MUTED,
                           size=11))
    return parts


def _x_axis(left: int, width: int, top: float, axis_y: float, top_value: float) -> list[str]:
    parts = []
    for tick in _ticks(top_value):
        x = left + width * tick / top_value
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{axis_y}" '
                     f'stroke="{GRID if tick else MUTED}" stroke-width="1"/>')
        parts.append(_text(x, axis_y + 16, f"{100 * tick:.0f}%", anchor="middle", fill=MUTED,
                           size=11))
    return parts


def _legend(left: int, y: float, names: Sequence[str], *, bars: bool = False) -> str:
    """Group names in their colours: a line sample (with its dash) or a bar swatch."""
    parts, x = [], float(left)
    for number, name in enumerate(names):
        colour, dash = PALETTE[number % len(PALETTE)], DASHES[number % len(DASHES)]
        parts.append(f'<rect x="{x + 4:.1f}" y="{y - 10}" width="14" height="12" '
                     f'fill="{colour}" fill-opacity="0.85"/>' if bars else
                     f'<line x1="{x:.1f}" x2="{x + 22:.1f}" y1="{y - 4}" y2="{y - 4}" '
                     f'stroke="{colour}" stroke-width="3"{_dash(dash)}/>')
        label = _clip(name, 24)
        parts.append(_text(x + 28, y, label, weight="600"))
        x += 28 + len(label) * CHAR + 22
    return "".join(parts)


def _whisker_v(x: float, low: float, high: float, colour: str) -> str:
    return (f'<path d="M{x:.1f},{low:.1f}V{high:.1f}M{x - 5:.1f},{low:.1f}H{x + 5:.1f}'
            f'M{x - 5:.1f},{high:.1f}H{x + 5:.1f}" stroke="{colour}" stroke-width="1.5" '
            'fill="none"/>')


def _point_tip(name: str, level: str, row: pd.Series) -> str:
    where = ", ".join(part for part in (name, level) if part)
    return (f"{where}: {100 * row['pct']:.1f}% ({int(row['k']):,} of {int(row['n']):,}), "
            f"95% interval {100 * row['ci_low']:.1f}-{100 * row['ci_high']:.1f}%"
            + (f"; small base (n < {SMALL_BASE})" if bool(row["small_base"]) else ""))


def _open(width: float, height: float, title: str, description: str) -> str:
    return (f'<svg role="img" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
            f'height="{height:.0f}" font-family="{escape(FONT)}" font-size="12">'
            f"<title>{escape(title)}</title><desc>{escape(description or title)}</desc>")


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 12,
          fill: str = INK, weight: str = "", title: str = "") -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    tip = f"<title>{escape(title)}</title>" if title and title != text else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}"{bold}>{tip}{escape(text)}</text>')


def _dash(dash: str) -> str:
    return f' stroke-dasharray="{dash}"' if dash else ""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _unique(values: pd.Series) -> list[str]:
    return [str(value) for value in pd.unique(values)]


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
