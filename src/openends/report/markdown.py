"""The report as Markdown (GitHub tables): every share with its base, the significant
changes with raw and corrected p-values, keywords, and quotes as blockquotes.

Example:
    >>> import pandas as pd
    >>> from openends.report.build import build_report
    >>> codes = pd.DataFrame({"response_id": list("abcd"), "tor": [1, 0, 1, 1]})
    >>> answers = pd.DataFrame({"response_id": list("abcd"), "text": ["Tor sites", "VPNs",
    ...                         "Tor everywhere", "More tor"]})
    >>> text = render_markdown(build_report(codes, answers, title="Tech", keywords=False))
    >>> print(text.splitlines()[0])
    # Tech
    >>> "| `tor` | 4 | 3 | 75.0% | 30.1-95.4 | n<30 |" in text
    True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from openends.report.build import correction_name, records
from openends.report.terminal import (
    counts_line,
    interval_text,
    legend,
    matrix_axes,
    p_text,
    quality_line,
    sections,
    significant_changes,
    sparkline,
    tests_by_series,
    theme_depths,
)

if TYPE_CHECKING:
    from openends.report.model import Quote, Report

COOCCURRING = 10
"""Pairs of themes listed under "Themes that come together"."""
MIN_TOGETHER = 5
_SPECIAL = re.compile(r"([\\`*_\[\]|~]|<(?=[A-Za-z/!?]))")
_LINE_START = re.compile(r"^(\s*)([#+\->=]|\d+[.)])")


def render_markdown(report: Report) -> str:
    """The whole report as one Markdown document."""
    parts = [f"# {escape(report.title)}", counts_line(report)]
    if report.quality:
        parts.append(quality_line(report.quality))
    if report.headlines:
        parts.append(("## What changed\n\n" if report.wave else "## Findings\n\n")
                     + "\n".join(f"- {escape(line)}" for line in report.headlines))
    parts.append(_themes(report))
    parts += _matrix(report)
    parts += _changes(report)
    parts += _cooccurrence(report)
    parts += _keywords(report)
    parts += _quotes(report)
    notes = [f"- {escape(note)}" for note in report.notes]
    parts.append("---\n\n" + "\n".join([*notes, *([""] if notes else []),
                                         f"_{escape(legend(report))}_"]))
    return "\n\n".join(parts) + "\n"


def escape(text: str, *, line: bool = False) -> str:
    """Text with Markdown's special characters escaped (a line stays a line); ``line``:
    the text starts a line, so a leading ``-``, ``#``, ``>`` or ``1.`` is escaped too.

    Example:
        >>> print(escape("a|b *c* <br> -> p < 0.01"), escape("- listed", line=True))
        a\\|b \\*c\\* \\<br> -> p < 0.01 \\- listed
    """
    escaped = _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    return _LINE_START.sub(r"\1\\\2", escaped) if line else escaped


def table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()
          ) -> str:
    """A GitHub table; cells are Markdown already (escape text first)."""
    rule = ["--:" if position in right else "---" for position in range(len(header))]
    lines = [header, rule, *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def _code(theme: Any) -> str:
    return f"`{theme}`"


def _themes(report: Report) -> str:
    themes = report.themes
    if not len(themes):
        return "## Themes\n\nNo themes."
    scopes = themes["scope"].unique().tolist()
    one_scope = len(scopes) == 1
    depth = theme_depths(themes)
    header = ["theme", *([] if one_scope else ["base"]), "n", "k", "%", "95% CI", ""]
    rows = []
    for row in records(themes):
        empty = row["n"] == 0
        rows.append([
            "&nbsp;&nbsp;" * depth[row["theme"]] + _code(row["theme"]),
            *([] if one_scope else [escape(row["scope"])]), f"{row['n']:,}", f"{row['k']:,}",
            "-" if empty else f"{row['pct']:.1%}",
            "-" if empty else interval_text(row["ci_low"], row["ci_high"]),
            "n<30" if row["small_base"] else ""])
    title = "## Themes" + (f"\n\nShare of {escape(scopes[0])}." if one_scope else "")
    right = [header.index(name) for name in ("n", "k", "%", "95% CI")]
    return f"{title}\n\n{table(header, rows, right)}"


def _matrix(report: Report) -> list[str]:
    axes = matrix_axes(report)
    if axes is None:
        return []
    matrix = report.prevalence
    across, keys, levels = axes
    tested = tests_by_series(report, keys)
    order = {theme: position for position, theme in enumerate(report.themes["theme"])}
    header = [*([escape(" · ".join(keys))] if keys else []), "theme",
              *(["trend"] if report.wave else []),
              *[escape(level) for level in levels],
              "change pp" if report.wave else "differs", "p adj."]
    rows = []
    for key, part in sections(matrix, keys):
        for theme, series in sorted(part.groupby("theme", sort=False),
                                    key=lambda item: order.get(str(item[0]), 0)):
            by_level = {str(row[across]): row for row in records(series)}
            present = [level for level in levels if by_level.get(level, {}).get("n", 0) > 0]
            if len(present) < 2:
                continue
            cells = [*([escape(" · ".join(key))] if keys else []), _code(theme)]
            if report.wave:
                cells.append(sparkline([by_level.get(level) for level in levels]))
            cells += [_share(by_level.get(level)) for level in levels]
            test = tested.get((str(theme), *key))
            cells += _test_cells(test, report)
            rows.append(cells)
    if not rows:
        return []
    title = "## Across waves" if report.wave else f"## Across {escape(across)}"
    first = len(header) - len(levels) - 2
    return [f"{title}\n\nShare of the base, n in brackets.\n\n"
            + table(header, rows, range(first, len(header)))]


def _test_cells(test: dict[str, Any] | None, report: Report) -> list[str]:
    if test is None:
        return ["", ""]
    significant = bool(test["significant"])
    if report.wave:
        value = float(test["change_pp"])
        arrow = (" ▲" if float(test["z"]) > 0 else " ▼") if significant else ""
        change = f"{value:+.1f}{arrow}"
    else:
        change = "yes" if significant else "no"
    p = p_text(test["p_adjusted"])
    return ([f"**{change}**", f"**{escape(p)}**"] if significant else [change, escape(p)])


def _share(row: dict[str, Any] | None) -> str:
    if row is None or row["n"] == 0:
        return ""
    return f"{row['pct']:.1%} ({row['n']:,})" + (" n<30" if row["small_base"] else "")


def _changes(report: Report) -> list[str]:
    name = correction_name(report.correction)
    family = (f"p < {report.alpha:g} after {name} correction across {report.tests:,} tests"
              if report.correction != "none" else f"p < {report.alpha:g}, uncorrected")
    trends, changes = significant_changes(report)
    parts = []
    if trends or changes:
        parts.append(f"## Significant changes\n\n{escape(family)}; differences in percentage "
                     "points with Newcombe 95% intervals.")
    elif report.wave:
        parts.append(f"## Significant changes\n\nNone ({escape(family)}).")
    keys = list(report.by)
    for title, kind, rows in (("Trends across the waves", "trend", trends),
                              ("Wave over wave", "change", changes)):
        if not rows:
            continue
        header = ["theme", *([escape(" · ".join(keys))] if keys else []), "waves", "share (n)",
                  "diff pp (95% CI)", "p", "p adj.", ""]
        lines = []
        for row in rows:
            trend = kind == "trend"
            first, last = ((row["wave_first"], row["wave_last"]) if trend
                           else (row["wave1"], row["wave2"]))
            n1, k1, n2, k2 = ((row["n_first"], row["k_first"], row["n_last"], row["k_last"])
                              if trend else (row["n1"], row["k1"], row["n2"], row["k2"]))
            diff = row["change_pp"] if trend else row["diff_pp"]
            lines.append([
                _code(row["theme"]), *([escape(" · ".join(str(row[key]) for key in keys))]
                                       if keys else []),
                f"{escape(first)} → {escape(last)}",
                f"{k1 / n1:.1%} ({n1:,}) → {k2 / n2:.1%} ({n2:,})",
                f"**{diff:+.1f}** ({row['diff_low_pp']:.1f}, {row['diff_high_pp']:.1f})",
                escape(p_text(row["p"])), f"**{escape(p_text(row['p_adjusted']))}**",
                "n<30" if row["small_base"] else ""])
        start = 2 + bool(keys)
        parts.append(f"### {title}\n\n" + table(header, lines, range(start + 1, start + 5)))
    differences = report.differences
    if len(differences) and differences["significant"].any():
        wave = report.wave
        header = ["theme", "across", *([escape(wave)] if wave else []), "groups", "n", "chi2",
                  "p", "p adj."]
        lines = [[_code(row["theme"]), escape(row["between"]),
                  *([escape(row[wave])] if wave else []), str(row["groups"]), f"{row['n']:,}",
                  f"{row['chi2']:.1f}", escape(p_text(row["p"])),
                  f"**{escape(p_text(row['p_adjusted']))}**"]
                 for row in records(differences[differences["significant"]])]
        parts.append(f"## Significant differences across groups\n\n{escape(family)}; the "
                     "shares are in the tables above.\n\n"
                     + table(header, lines, range(len(header) - 4, len(header))))
    return parts


def _cooccurrence(report: Report) -> list[str]:
    pairs = report.cooccurrence
    if not len(pairs):
        return []
    chosen = pairs[(pairs["both"] >= MIN_TOGETHER) & (pairs["lift"] > 1)]
    chosen = chosen[chosen["theme_a"] < chosen["theme_b"]].sort_values(
        ["lift", "theme_a", "theme_b"], ascending=[False, True, True]).head(COOCCURRING)
    if not len(chosen):
        return []
    rows = [[_code(row["theme_a"]), _code(row["theme_b"]), f"{row['n']:,}",
             f"{row['count_a']:,}", f"{row['count_b']:,}", f"{row['both']:,}",
             f"{row['share_of_a']:.1%} of {row['count_a']:,}", f"{row['lift']:.2f}"]
            for row in records(chosen)]
    header = ["theme", "with", "answers", "with theme", "with other", "both",
              "share of theme", "lift"]
    return ["## Themes that come together\n\nPairs coded on the same substantive answers "
            f"at least {MIN_TOGETHER} times, most above chance first (lift: how many times "
            "more often than if unrelated).\n\n" + table(header, rows, range(2, 8))]


def _keywords(report: Report) -> list[str]:
    keywords = report.keywords
    if not len(keywords):
        return []
    parts = []
    for (scope, compared), part in keywords.groupby(["scope", "by"], sort=False):
        rows = []
        for group, terms in part.groupby("group", sort=False):
            ranked = records(terms.sort_values("rank"))
            rows.append([escape(str(group)), f"{int(ranked[0]['answers']):,}", " · ".join(
                f"{escape(row['keyphrase'])} ({int(row['count'])})" for row in ranked)])
        parts.append(f"### Terms that mark each {escape(str(compared))} in "
                     f"{escape(str(scope))}\n\n" + table(
                         [escape(str(compared)), "answers", "terms (answers using the term)"],
                         rows, [1]))
    return ["## Keywords\n\nKeyness (weighted log-odds, z >= 1.96) of each group against "
            "the others; terms from redacted text.", *parts]


def _quotes(report: Report) -> list[str]:
    shown = {theme: quotes for theme, quotes in report.quotes.items() if quotes}
    if not shown:
        return []
    labels = (dict(zip(report.themes["theme"], report.themes["label"], strict=True))
              if "label" in report.themes.columns else {})
    parts = ["## Quotes\n\nRedacted answers; the words that coded them in bold."]
    for theme, quotes in shown.items():
        label = labels.get(theme, theme)
        heading = f"### {_code(theme)}" + (f" ({escape(label)})" if label != theme else "")
        parts.append(heading + "\n\n" + "\n\n".join(quote_markdown(quote) for quote in quotes))
    return parts


def quote_markdown(quote: Quote) -> str:
    """A quote as a blockquote, evidence in bold, its groups and wave after a dash."""
    text = escape(quote.text, line=True)
    for piece in filter(None, quote.evidence.split(" | ")):
        pattern = re.compile(re.escape(escape(piece)), re.IGNORECASE)
        text = pattern.sub(lambda match: f"**{match.group(0)}**", text)
    text = text.replace("****", "")
    return f"> {text}" + (f" — {escape(quote.context)}" if quote.context else "")
