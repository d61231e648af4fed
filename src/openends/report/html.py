"""The report as one self-contained HTML page: inline CSS and SVG charts, nothing else.

No script, no web font, no image file, no link out of the page (only ``#anchors``), so
the file opens offline, can be mailed, and prints cleanly (each section starts a page,
nothing needs a background colour to be read). Every text is escaped, every share is
printed with its base, a change is called significant only when it is after the
report's correction, and small bases (n < 30) are flagged in words, not only colour.

Example:
    >>> import pandas as pd
    >>> from openends.report.model import Report
    >>> report = Report(title="Survey <2019>", base="answers", correction="holm",
    ...                 wave=None, by=(), counts={"rows": 2, "ok": 2},
    ...                 themes=pd.DataFrame(), prevalence=pd.DataFrame(),
    ...                 changes=pd.DataFrame(), trends=pd.DataFrame(),
    ...                 cooccurrence=pd.DataFrame(), keywords=pd.DataFrame(), quotes={})
    >>> page = render_html(report)
    >>> page.startswith("<!DOCTYPE html>"), "Survey &lt;2019&gt;" in page, "<script" in page
    (True, True, False)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

import pandas as pd

from openends.report.build import correction_name, format_p, trend_direction
from openends.report.model import Quote, Report
from openends.report.svg import (
    cooccurrence_heatmap_svg,
    prevalence_by_wave_svg,
    theme_by_group_svg,
)
from openends.stats import SMALL_BASE, natural_key

SERIES = "_series"
"""Column added to the prevalence and changes tables: the ``by`` values joined, the
name of one line or bar colour in the charts."""
BASE_TEXT = {
    "answers": "substantive answers (status ok)",
    "all": "all answer rows, whatever their status",
    "respondents": "respondents with at least one substantive answer",
}
MAX_KEYWORDS = 12
TESTS = {"two-proportion z": "z-test"}
"""Short names of the tests in the changes table (the legend spells them out)."""
QUALITY_NAMES = {"against": "reference", "n": "answers compared", "kappa": "Cohen's kappa",
                 "alpha": "Krippendorff's alpha", "f1": "F1", "macro_f1": "macro F1",
                 "micro_f1": "micro F1", "sample_f1": "sample F1"}
NOT_STATUSES = {"rows", "with_theme"}
"""Keys of ``Report.counts`` that are not answer statuses (so do not add up to the rows)."""

STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: #1a1a1a; background: #fff; line-height: 1.45; margin: 0; }
main { max-width: 1060px; margin: 0 auto; padding: 28px 32px 60px; }
h1 { font-size: 1.9rem; margin: 0 0 .3rem; }
h2 { font-size: 1.4rem; margin: 2.4rem 0 .8rem; padding-bottom: .3rem;
  border-bottom: 2px solid #1a1a1a; }
h3 { font-size: 1.15rem; margin: 1.8rem 0 .4rem; }
p, li { max-width: 75ch; }
.meta { color: #4a4a4a; margin: 0 0 1rem; }
nav.toc ol { columns: 2; padding-left: 1.2rem; margin: .4rem 0; }
nav.toc a, a { color: #0b5cad; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr));
  gap: 12px; margin: 1rem 0; }
.card { border: 1px solid #cfcfcf; border-radius: 6px; padding: 10px 14px; }
.card .value { font-size: 1.6rem; font-weight: 650; display: block; }
.card .label { color: #4a4a4a; font-size: .9rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .92rem; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #dcdcdc;
  vertical-align: top; }
thead th { border-bottom: 2px solid #9a9a9a; font-weight: 600; }
tbody th { font-weight: 600; }
td.nowrap { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.child td:first-child { padding-left: 26px; }
.base, .ci { display: block; color: #4a4a4a; font-size: .82rem; white-space: nowrap; }
.flag { display: inline-block; border: 1px solid #8a5a00; color: #6b4500; border-radius: 3px;
  padding: 0 4px; font-size: .78rem; white-space: nowrap; }
.sig { display: inline-block; border: 1px solid #1a1a1a; border-radius: 3px; padding: 0 4px;
  font-size: .78rem; font-weight: 600; white-space: nowrap; }
td .sig { display: table; margin: 2px 0 0 auto; }
figure { margin: .8rem 0 1.2rem; overflow-x: auto; }
.theme-body figure { max-width: 540px; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: #4a4a4a; font-size: .88rem; margin-top: .3rem; max-width: 75ch; }
article.theme + article.theme { border-top: 1px solid #cfcfcf; margin-top: 1.6rem; }
.theme-body { display: flex; flex-wrap: wrap; gap: 0 36px; align-items: flex-start; }
.theme-body figure { flex: 0 1 auto; }
.theme-body table { margin-top: 1rem; }
h4 { font-size: 1rem; margin: 1rem 0 .3rem; }
blockquote { margin: .4rem 0; padding: .1rem 0 .1rem 14px; border-left: 3px solid #9a9a9a;
  max-width: 75ch; }
blockquote p { margin: 0; }
blockquote footer { color: #4a4a4a; font-size: .82rem; }
.heatmaps { display: flex; flex-wrap: wrap; gap: 0 40px; align-items: flex-start; }
.heatmaps figcaption { font-weight: 600; color: #1a1a1a; }
.keywords { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr));
  gap: 6px 24px; }
.keywords h3 { margin-top: .8rem; }
.keywords ol { margin: 0; padding-left: 1.4rem; }
.note { color: #4a4a4a; }
.legend dt { font-weight: 600; margin-top: .5rem; }
.legend dd { margin-left: 0; max-width: 75ch; }
@page { margin: 14mm 12mm; }
@media print {
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  section { break-before: page; }
  section#summary { break-before: auto; }
  h2, h3 { break-after: avoid; }
  figure, table, blockquote, .card, .keep, .quotes { break-inside: avoid; }
  h4 { break-after: avoid; }
  .theme-body figure { max-width: 60%; }
  figure { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  body { font-size: 10.5pt; }
}
"""


def render_html(report: Report) -> str:
    """The whole report as one HTML5 document (a str), ready to write to ``report.html``."""
    page = _Page(report)
    sections = [page.summary(), page.themes_section(), page.changes_section(),
                page.theme_sections(), page.cooccurrence_section(), page.keywords_section(),
                page.quality_section(), page.inputs_section(), page.legend_section()]
    shown = [section for section in sections if section]
    contents = "".join(
        f'<li><a href="#{anchor}">{escape(heading)}</a></li>'
        for anchor, heading in re.findall(r'<section id="([^"]+)"><h2>([^<]+)</h2>',
                                          "".join(shown)))
    return ("<!DOCTYPE html>\n"
            f'<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(report.title)}</title><style>{STYLE}</style></head>"
            f"<body><main><header><h1>{escape(report.title)}</h1>"
            f'<p class="meta">{page.meta()}</p></header>'
            f'<nav class="toc" aria-label="Contents"><strong>Contents</strong>'
            f"<ol>{contents}</ol></nav>" + "".join(shown) + "</main></body></html>\n")


class _Page:
    """The report's tables prepared once (labels, wave and group order) for the sections."""

    def __init__(self, report: Report) -> None:
        self.report = report
        themes = report.themes
        self.labels = ({str(row["theme"]): _label(row) for _, row in themes.iterrows()}
                       if "theme" in themes.columns else {})
        self.order = list(self.labels)
        self.prevalence = _with_series(report.prevalence, report.by)
        self.changes = _with_series(report.changes, report.by)
        self.trends = _with_series(report.trends, report.by)
        wave = report.wave
        self.waves: list[str] = []
        if wave and wave in self.prevalence.columns:
            self.prevalence[wave] = self.prevalence[wave].astype(str)
            self.waves = sorted(_unique(self.prevalence[wave]), key=natural_key)
        self.groups = (sorted(_unique(self.prevalence[SERIES]), key=natural_key)
                       if report.by and SERIES in self.prevalence.columns else [])
        self.anchors = _anchors(self.order)
        self.correction = correction_name(report.correction)

    def label(self, theme: str) -> str:
        return self.labels.get(theme, theme)

    def meta(self) -> str:
        report = self.report
        parts = [f"Base: {escape(BASE_TEXT.get(report.base, report.base))}"]
        if self.waves:
            parts.append(f"{escape(_title(report.wave or 'wave'))}s: "
                         f"{escape(', '.join(self.waves))}")
        if report.by:
            parts.append(f"by {escape(', '.join(report.by))}")
        parts.append("significance " + self.correction_phrase())
        return " · ".join(parts)

    def correction_phrase(self) -> str:
        """How "significant" is decided, e.g. "after Holm correction across all 112 tests
        of the report (adjusted p &lt; 0.05)"."""
        report = self.report
        if report.correction == "none":
            return (f"p &lt; {report.alpha:g} with no correction for the {report.tests:,} "
                    "tests of the report")
        return (f"after {escape(self.correction)} correction across all {report.tests:,} "
                f"tests of the report (adjusted p &lt; {report.alpha:g})")

    # -- summary ---------------------------------------------------------------------

    def summary(self) -> str:
        report, counts = self.report, self.report.counts
        cards = []
        if "rows" in counts:
            cards.append(_card(f"{counts['rows']:,}", "input rows"))
        if "ok" in counts:
            cards.append(_card(f"{counts['ok']:,}", "substantive answers"))
        cards.append(_card(f"{len(self.order):,}", "themes"))
        if self.waves:
            cards.append(_card(f"{len(self.waves):,}", f"{report.wave or 'wave'}s"))
        if report.tests:
            found = sum(int(_significant(table).sum()) for table in
                        (report.trends, report.changes, report.differences))
            cards.append(_card(f"{found:,} of {report.tests:,}",
                               "tests significant after correction"
                               if report.correction != "none"
                               else "tests significant (uncorrected)"))
        body = f'<div class="cards">{"".join(cards)}</div>'
        if report.headlines:
            body += ("<h3>Headlines</h3><ul class=\"headlines\">"
                     + "".join(f"<li>{escape(line)}</li>" for line in report.headlines)
                     + "</ul>")
        themes = report.themes
        if len(themes) and {"pct", "n"} <= set(themes.columns):
            top = themes[themes["n"] > 0].sort_values("pct", ascending=False, kind="stable")
            items = "".join(
                f'<li><a href="#{self.anchors[str(row["theme"])]}">'
                f"{escape(self.label(str(row['theme'])))}</a>: {_share_with_base(row)}"
                f"{self.of_scope(row)}</li>"
                for _, row in top.head(3).iterrows())
            body += f"<h3>Most mentioned themes</h3><ol>{items}</ol>"
        if report.notes:
            body += "<h3>Notes</h3><ul class=\"note\">" + "".join(
                f"<li>{escape(note)}</li>" for note in report.notes) + "</ul>"
        return _section("summary", "Summary", body)

    def of_scope(self, row: pd.Series) -> str:
        """" of tech answers": what a theme's share is a share of."""
        scope = _text(row.get("scope"))
        if scope:
            return f" of {escape(scope)}"
        return f" of {escape(BASE_TEXT.get(self.report.base, self.report.base))}"

    # -- themes ----------------------------------------------------------------------

    def themes_section(self) -> str:
        themes = self.report.themes
        if not len(themes):
            return ""
        questions = "question" in themes.columns and themes["question"].astype(str).ne("").any()
        head = ("<tr><th>Theme</th>" + ("<th>Question</th>" if questions else "")
                + '<th class="num">Share</th><th class="num">95% interval</th>'
                '<th class="num">Mentioning (k)</th><th class="num">Base (n)</th>'
                "<th>Note</th></tr>")
        rows = []
        for _, row in themes.iterrows():
            theme = str(row["theme"])
            child = ' class="child"' if _text(row.get("parent")) else ""
            question = (f"<td>{escape(_text(row.get('question')) or 'all')}</td>"
                        if questions else "")
            rows.append(f"<tr{child}><td><a href=\"#{self.anchors[theme]}\">"
                        f"{escape(self.label(theme))}</a></td>{question}"
                        f'<td class="num">{_pct(row["pct"])}</td>'
                        f'<td class="num">{_interval(row)}</td>'
                        f'<td class="num">{_count(row["k"])}</td>'
                        f'<td class="num">{_count(row["n"])}</td><td>{_flags(row)}</td></tr>')
        table = f'<table class="themes"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
        intro = (f"<p>Share of {escape(BASE_TEXT.get(self.report.base, self.report.base))} "
                 "mentioning each theme, all waves and groups together"
                 + (", of the answers to the theme's question" if questions else "")
                 + ". A sub-theme is indented under its parent.</p>")
        return _section("themes", "Themes", intro + table + self.overview_chart())

    def overview_chart(self) -> str:
        report = self.report
        if self.groups and len(self.prevalence):
            rows, caption = self._latest(self.prevalence)
            title = f"Theme by {', '.join(report.by)}"
            series: str | None = SERIES
        else:
            rows, caption, series = report.themes, "All answers in the base together.", None
            title = "Theme prevalence"
        if not len(rows) or "pct" not in rows.columns:
            return ""
        svg = theme_by_group_svg(
            rows.assign(theme=rows["theme"].astype(str)), category="theme", series=series,
            categories=[theme for theme in self.order if theme in set(rows["theme"].astype(str))],
            series_order=self.groups, labels=self.labels, title=title,
            description="Share mentioning each theme with its 95% interval and base. "
            + caption)
        return _figure(svg, f"{title}: share with 95% interval and base (n). {caption}")

    def _latest(self, prevalence: pd.DataFrame) -> tuple[pd.DataFrame, str]:
        """Each theme and group's latest wave with answers, and a caption naming it."""
        rows = prevalence[prevalence["n"] > 0]
        wave = self.report.wave
        if not self.waves or not wave:
            return rows, ""
        rank = {level: place for place, level in enumerate(self.waves)}
        rows = rows.assign(_rank=rows[wave].map(rank))
        latest = (rows.sort_values("_rank", kind="stable")
                  .groupby(["theme", SERIES], sort=False).tail(1).drop(columns="_rank"))
        used = latest.groupby(SERIES, sort=False)[wave].agg(lambda values: sorted(
            set(values), key=natural_key))
        named = "; ".join(f"{group}: {', '.join(levels)}" for group, levels in used.items())
        return latest, f"Latest {wave} with answers for each group ({named})."

    # -- changes ---------------------------------------------------------------------

    def changes_section(self) -> str:
        report = self.report
        if not report.tests:
            return ""
        by = bool(report.by)
        body = (f"<p>A change or difference is called significant only {self.correction_phrase()}"
                "; only those are listed. Not significant does not mean unchanged: all the "
                "tests are in <code>changes.csv</code>.</p>")
        if len(report.trends):
            found = self.trends[_significant(self.trends).to_numpy()]
            body += (f"<h3>Trends across the {escape(report.wave or 'wave')}s</h3>"
                     f"<p>Cochran-Armitage test of a linear trend: {len(found):,} of "
                     f"{len(self.trends):,} significant.</p>")
            if len(found):
                body += self._trends_table(found, by)
        if len(report.changes):
            found = self.changes[_significant(self.changes).to_numpy()]
            body += (f"<h3>From one {escape(report.wave or 'wave')} to the next</h3>"
                     f"<p>{len(found):,} of {len(self.changes):,} comparisons significant.</p>")
            if len(found):
                body += self._changes_table(found, by)
        if len(report.differences):
            differences = report.differences
            found = differences[_significant(differences).to_numpy()]
            body += (f"<h3>Differences between groups</h3><p>Chi-square test across the groups "
                     f"of {escape(', '.join(report.by))}: {len(found):,} of "
                     f"{len(differences):,} significant.</p>")
            if len(found):
                body += self._differences_table(found)
        return _section("changes", "Significant changes", body)

    def _changes_table(self, rows: pd.DataFrame, by: bool) -> str:
        head = _head(["Theme", *(["Group"] if by else []), "Waves"],
                     ["Before", "After", "Change (95% interval)", "Adjusted p"],
                     ["Test", *(["Note"] if _any_small(rows) else [])])
        body = "".join(
            f"<tr>{self._theme_cell(row)}{self._group_cell(row, by)}"
            f"<td class=\"nowrap\">{escape(str(row['wave1']))} → {escape(str(row['wave2']))}</td>"
            f'<td class="num">{_row_share(row, "1")}</td>'
            f'<td class="num">{_row_share(row, "2")}</td>'
            f'<td class="num">{_difference(row, "diff_pp")}</td>'
            f'<td class="num">{self._significance(row)}</td>'
            f"<td class=\"nowrap\">{escape(TESTS.get(str(row['test']), str(row['test'])))}"
            f"</td>{_note(rows, row)}</tr>"
            for _, row in rows.iterrows())
        return f'<table class="changes">{head}<tbody>{body}</tbody></table>'

    def _trends_table(self, rows: pd.DataFrame, by: bool) -> str:
        endpoints = {"k_first", "n_first", "k_last", "n_last"} <= set(rows.columns)
        head = _head(["Theme", *(["Group"] if by else []), "Waves"],
                     [*(["First", "Last"] if endpoints else []), "Change (95% interval)",
                      "z", "Adjusted p"], ["Note"] if _any_small(rows) else [])
        body = []
        for _, row in rows.iterrows():
            shares = (f'<td class="num">{_row_share(row, "_first")}</td>'
                      f'<td class="num">{_row_share(row, "_last")}</td>' if endpoints else "")
            body.append(
                f"<tr>{self._theme_cell(row)}{self._group_cell(row, by)}"
                f"<td class=\"nowrap\">{escape(str(row['waves']))}</td>{shares}"
                f'<td class="num">{_difference(row, "change_pp")}</td>'
                f'<td class="num">{float(row["z"]):+.2f}</td>'
                f'<td class="num">{self._significance(row)}</td>'
                f"{_note(rows, row, 'small base in a wave')}</tr>")
        return f'<table class="trends">{head}<tbody>{"".join(body)}</tbody></table>'

    def _differences_table(self, rows: pd.DataFrame) -> str:
        wave = self.report.wave
        within = bool(wave) and wave in rows.columns
        head = _head(["Theme", "Across", *([_title(wave or "")] if within else [])],
                     ["Groups", "Base (n)", "Chi-square", "Adjusted p"],
                     ["Note"] if _any_small(rows) else [])
        body = "".join(
            f"<tr>{self._theme_cell(row)}<td>{escape(str(row.get('between', '')))}</td>"
            + (f"<td>{escape(str(row[wave]))}</td>" if within and wave else "")
            + f'<td class="num">{_count(row["groups"])}</td><td class="num">{_count(row["n"])}'
            f'</td><td class="num">{float(row["chi2"]):.1f}</td>'
            f'<td class="num">{self._significance(row)}</td>'
            f"{_note(rows, row, 'small base in a group')}</tr>"
            for _, row in rows.iterrows())
        return f'<table class="differences">{head}<tbody>{body}</tbody></table>'

    def _theme_cell(self, row: pd.Series) -> str:
        theme = str(row["theme"])
        return (f'<td><a href="#{self.anchors.get(theme, "")}">{escape(self.label(theme))}'
                "</a></td>")

    @staticmethod
    def _group_cell(row: pd.Series, by: bool) -> str:
        return f"<td>{escape(str(row[SERIES]))}</td>" if by else ""

    def _significance(self, row: pd.Series) -> str:
        """The adjusted p and the word "significant" with the correction that earned it."""
        return (f"{_p(row['p_adjusted'])} <span class=\"sig\">significant "
                f"({escape(self._named(row))})</span>")

    def _named(self, row: pd.Series) -> str:
        correction = str(row.get("correction", self.report.correction))
        return ("uncorrected" if correction == "none"
                else correction_name(correction))

    # -- one section per theme -------------------------------------------------------

    def theme_sections(self) -> str:
        if not self.order:
            return ""
        articles = [self._theme(_themes_row(self.report.themes, theme)) for theme in self.order]
        return _section("by-theme", "Theme by theme", "".join(articles))

    def _theme(self, row: pd.Series) -> str:
        theme = str(row["theme"])
        label, parent = self.label(theme), _text(row.get("parent"))
        part_of = f" {escape(label)} is a part of {escape(self.label(parent))}." if parent else ""
        rows = self.prevalence
        if len(rows) and "theme" in rows.columns:
            rows = rows[(rows["theme"].astype(str) == theme)]
            answered = rows.groupby(SERIES, sort=False)["n"].transform("sum") > 0
            rows = rows[answered.to_numpy()]
        pooled = ""
        if len(rows) and (len(self._theme_waves(rows)) > 1 or rows[SERIES].nunique() > 1):
            pooled = (f", all {escape(self.report.wave or 'wave')}s and groups together"
                      if self.report.wave else ", all groups together")
        # The heading, its sentence and the chart stay together on a printed page.
        parts = [f'<article class="theme" id="{self.anchors[theme]}"><div class="keep">'
                 f"<h3>{escape(label)}</h3>"
                 f"<p>{_share_with_base(row)}{self.of_scope(row)}{pooled}.{part_of}</p>"]
        if len(rows):
            parts.append(f'<div class="theme-body">{self._theme_chart(rows, label)}'
                         f"{self._theme_table(rows)}</div>")
        parts.append("</div>")
        parts.append(self._theme_changes(theme))
        parts.append(self._quotes(self.report.quotes.get(theme, [])))
        return "".join(parts) + "</article>"

    def _theme_waves(self, rows: pd.DataFrame) -> list[str]:
        """The waves in which the theme has answers, in order."""
        wave = self.report.wave
        if not wave or wave not in rows.columns:
            return []
        present = set(rows.loc[rows["n"] > 0, wave].astype(str))
        return [level for level in self.waves if level in present]

    def _theme_chart(self, rows: pd.DataFrame, label: str) -> str:
        wave, series = self.report.wave, SERIES if self.report.by else None
        waves = self._theme_waves(rows)
        if wave and len(waves) > 1:
            svg = prevalence_by_wave_svg(
                rows, wave=wave, waves=waves, series=series, series_order=self.groups,
                title=f"{label}: share by {wave}",
                description=f"Share of answers mentioning {label} in each {wave}"
                + (" and group" if series else "")
                + ", with 95% Wilson intervals as shaded bands and the base under the axis.")
            return _figure(svg, f"{label} by {wave}: line = share, band = 95% interval, "
                           "numbers under the axis = base (n); * and a hollow point mark a "
                           f"small base (n < {SMALL_BASE}).")
        if series and rows[SERIES].nunique() > 1:
            svg = theme_by_group_svg(rows.assign(_label=label), category="_label",
                                     series=series, series_order=self.groups,
                                     title=f"{label}: share by group",
                                     description=f"Share mentioning {label} in each group "
                                     "with its 95% interval and base.")
            return _figure(svg, f"{label} by group: share with 95% interval and base (n).")
        return ""

    def _theme_table(self, rows: pd.DataFrame) -> str:
        """Wave by group: each cell the share, k of n, interval and small-base flag."""
        wave = self.report.wave
        waves = self._theme_waves(rows)
        columns: list[str] = waves if wave and waves else [""]
        names = sorted(_unique(rows[SERIES]), key=natural_key) if self.report.by else [""]
        head = _head([", ".join(self.report.by)],
                     [level or "Share" for level in columns], [])
        body = []
        for name in names:
            part = rows[rows[SERIES] == name] if self.report.by else rows
            cells = []
            for level in columns:
                match = part[part[wave].astype(str) == level] if wave and level else part
                cells.append('<td class="num">' + (_cell(match.iloc[0]) if len(match)
                                                   else "&ndash;") + "</td>")
            body.append(f"<tr><th>{escape(name or 'all')}</th>{''.join(cells)}</tr>")
        return f'<table class="by-wave">{head}<tbody>{"".join(body)}</tbody></table>'

    def _theme_changes(self, theme: str) -> str:
        """The theme's significant trends and changes in words, or that there are none."""
        lines = []
        by = bool(self.report.by)
        tested = 0
        for table in (self.trends, self.changes):
            if not len(table):
                continue
            mine = table[table["theme"].astype(str) == theme]
            tested += len(mine)
            for _, row in mine[_significant(mine).to_numpy()].iterrows():
                group = f"{escape(str(row[SERIES]))}: " if by else ""
                if "waves" in row.index:
                    waves = escape(str(row["waves"]))
                    what = (f"{trend_direction(row.to_dict())} trend across {waves}, first to "
                            f"last wave {_pp(row['change_pp'])}")
                    if {"k_first", "n_last"} <= set(row.index):
                        what += (f" (from {_row_share(row, '_first', inline=True)} to "
                                 f"{_row_share(row, '_last', inline=True)})")
                else:
                    what = (f"{escape(str(row['wave1']))} → {escape(str(row['wave2']))}, "
                            f"{_pp(row['diff_pp'])} (from {_row_share(row, '1', inline=True)} "
                            f"to {_row_share(row, '2', inline=True)})")
                lines.append(f"<li>{group}{what}, adjusted p {self._significance(row)}"
                             + (" " + _small(row) if _small(row) else "") + "</li>")
        if not tested:
            return ""
        if not lines:
            return (f'<p class="note">No significant change across the '
                    f"{escape(self.report.wave or 'wave')}s ({tested:,} tests, "
                    f"{escape(self.correction)}"
                    f"{' correction' if self.report.correction != 'none' else ''}).</p>")
        return f"<p>Significant changes:</p><ul>{''.join(lines)}</ul>"

    def _quotes(self, quotes: Sequence[Quote]) -> str:
        if not quotes:
            return ""
        items = "".join(
            f"<blockquote><p>{escape(quote.text)}</p><footer>"
            + escape(" · ".join(part for part in (quote.context, quote.response_id) if part))
            + (f" · coded from “{escape(quote.evidence)}”" if quote.evidence else "")
            + "</footer></blockquote>" for quote in quotes)
        return f'<h4>What people said</h4><div class="quotes">{items}</div>'

    # -- co-occurrence, keywords, quality, inputs, legend ----------------------------

    def cooccurrence_section(self) -> str:
        pairs = self.report.cooccurrence
        if not len(pairs) or "lift" not in pairs.columns:
            return ""
        present = set(pairs["theme_a"].astype(str)) | set(pairs["theme_b"].astype(str))
        themes = self.report.themes
        parents = (set(themes["parent"].map(_text)) - {""}
                   if "parent" in themes.columns else set())
        order = [theme for theme in self.order if theme in present] or sorted(present)
        leaves = [theme for theme in order if theme not in parents]
        dropped = len(leaves) >= 2 and len(leaves) < len(order)
        order = leaves if dropped else order
        questions: dict[str, list[str]] = {}
        for theme in order:
            row = _themes_row(themes, theme) if theme in self.labels else None
            question = _text(row.get("question")) if row is not None else ""
            questions.setdefault(question, []).append(theme)
        figures = []
        for question, members in questions.items():
            if len(members) < 2:
                continue
            heading = f"{question} answers" if question else "All themes"
            svg = cooccurrence_heatmap_svg(
                pairs, themes=members, labels=self.labels, title=f"Co-occurrence: {heading}",
                description="Lift of each pair of themes coded on the same answer: above 1 "
                "together more often than chance, below 1 less often.")
            figures.append(f"<figure><figcaption>{escape(heading)}</figcaption>{svg}</figure>")
        if not figures:
            return ""
        note = ("<p>Lift: how many times more often two themes are coded on the same answer "
                "than if they were unrelated (1 = as often as chance; hover a cell for the "
                "counts). Each question's themes are compared among its own answers."
                + (" Parent themes are left out: they are coded wherever their sub-themes "
                   "are." if dropped else "") + "</p>")
        return _section("cooccurrence", "Themes that come together",
                        note + f'<div class="heatmaps">{"".join(figures)}</div>')

    def keywords_section(self) -> str:
        keywords = self.report.keywords
        term = next((name for name in ("term", "keyphrase") if name in keywords.columns), None)
        if not len(keywords) or term is None or "group" not in keywords.columns:
            return ""
        scopes = (keywords.groupby(keywords["scope"].astype(str), sort=False)
                  if "scope" in keywords.columns else [("", keywords)])
        body = ""
        for scope, part in scopes:
            compared = _text(part["by"].iloc[0]) if "by" in part.columns else ""
            blocks = [self._keyword_block(group, terms, term)
                      for group, terms in part.groupby(part["group"].astype(str), sort=False)]
            heading = f"{_title(scope)}" + (f", by {compared}" if compared else "")
            body += (f"<h3>{escape(heading)}</h3>" if heading else "") + (
                f'<div class="keywords">{"".join(blocks)}</div>')
        intro = ("<p>Words and phrases used by more of a group's answers than of the others' "
                 "(weighted log-odds with an informative prior, z ≥ 1.96), with the number of "
                 "the group's answers using each. A ranking, not a test: claims of change "
                 "belong to the themes above.</p>")
        return _section("keywords", "Words that mark each group", intro + body)

    @staticmethod
    def _keyword_block(group: str, terms: pd.DataFrame, term: str) -> str:
        if "rank" in terms.columns:
            terms = terms.sort_values("rank", kind="stable")
        size = (f' <span class="note">({_count(terms["answers"].iloc[0])} answers)</span>'
                if "answers" in terms.columns else "")
        items = "".join(
            f"<li>{escape(str(row[term]))}"
            + (f' <span class="note">{_count(row["count"])}</span>' if "count" in row.index
               else "") + "</li>" for _, row in terms.head(MAX_KEYWORDS).iterrows())
        return f"<div><h4>{escape(group)}{size}</h4><ol>{items}</ol></div>"

    def quality_section(self) -> str:
        quality = self.report.quality
        if not quality:
            return ""
        kind = str(quality.get("kind", ""))
        rows = []
        for key, value in quality.items():
            if key == "kind" or key.endswith(("_low", "_high")):
                continue
            low, high = quality.get(f"{key}_low"), quality.get(f"{key}_high")
            shown = _number(value)
            if low is not None and high is not None:
                shown += f' <span class="ci">95% interval {_number(low)} to {_number(high)}</span>'
            name = QUALITY_NAMES.get(key, key.replace("_", " "))
            rows.append(f"<tr><th>{escape(name)}</th>"
                        f'<td class="num">{shown}</td></tr>')
        intro = {
            "agreement": "Agreement of the automatic codes with hand-coded answers.",
            "cross-validated": "Quality of the trained coder on held-out answers "
                               "(cross-validated), never on the answers it learned from.",
        }.get(kind, f"How good the codes are ({escape(kind)})." if kind else "")
        return _section("quality", "Coding quality",
                        f"<p>{intro}</p><table><tbody>{''.join(rows)}</tbody></table>")

    def inputs_section(self) -> str:
        counts = self.report.counts
        statuses = {key: value for key, value in counts.items() if key not in NOT_STATUSES}
        if not counts:
            return ""
        rows = []
        for status, number in statuses.items():
            rows.append(f'<tr><td><code>{escape(status)}</code></td>'
                        f'<td class="num">{number:,}</td></tr>')
            if status == "ok" and "with_theme" in counts:
                rows.append(f'<tr class="child"><td>of which coded with a theme</td>'
                            f'<td class="num">{counts["with_theme"]:,}</td></tr>')
        check = ""
        if "rows" in counts:
            rows.insert(0, f'<tr><th>input rows</th><th class="num">{counts["rows"]:,}</th></tr>')
            settled = sum(statuses.values())
            check = ("Every input row is accounted for." if settled == counts["rows"] else
                     f"The statuses add up to {settled:,}, not {counts['rows']:,}.")
        return _section("inputs", "Input rows by status",
                        "<p>Only substantive answers (<code>ok</code>) can mention a theme; "
                        f"the others are counted here, never dropped silently. {check}</p>"
                        f'<table>{_head(["Status"], ["Rows"], [])}'
                        f"<tbody>{''.join(rows)}</tbody></table>")

    def legend_section(self) -> str:
        items = [
            ("Share", "k of n: the answers mentioning a theme (k) out of the base (n), "
             f"the {escape(BASE_TEXT.get(self.report.base, self.report.base))}. "
             "A share is always printed with its base."),
            ("95% interval", "Wilson score interval of the share: the range of shares "
             "the data are consistent with. Shaded bands and whiskers in the charts."),
            ("Small base", f"A base under {SMALL_BASE} answers: the share is uncertain "
             "(wide interval). Flagged “small base”, with * or a hollow point in charts."),
            ("Significant", "A change whose p-value is below the threshold after "
             f"correcting for all the comparisons made ({escape(self.correction)}"
             f"{' correction' if self.report.correction != 'none' else ''}); "
             "the adjusted p is shown. Not significant does not mean no change."),
            ("pp", "Percentage points: the difference between two shares, with Newcombe's "
             "95% interval."),
            ("Tests", "Between two waves: the two-proportion z-test, or Fisher's exact test "
             "when an expected count is below 5. Across the waves: the Cochran-Armitage "
             "test for a linear trend. Across groups: Pearson's chi-square test."),
            ("Lift", "How many times more often two themes are coded on the same answer "
             "than if they were unrelated (1 = as often as chance)."),
        ]
        terms = "".join(f"<dt>{term}</dt><dd>{text}</dd>" for term, text in items)
        return _section("legend", "How to read this report", f'<dl class="legend">{terms}</dl>')


# -- helpers -----------------------------------------------------------------------------

def _head(left: Sequence[str], numbers: Sequence[str], right: Sequence[str]) -> str:
    """A table head: text columns, then right-aligned number columns, then text again."""
    cells = ([f"<th>{escape(name)}</th>" for name in left]
             + [f'<th class="num">{escape(name)}</th>' for name in numbers]
             + [f"<th>{escape(name)}</th>" for name in right])
    return f"<thead><tr>{''.join(cells)}</tr></thead>"


def _any_small(rows: pd.DataFrame) -> bool:
    return "small_base" in rows.columns and bool(
        rows["small_base"].fillna(False).astype(bool).any())


def _note(rows: pd.DataFrame, row: pd.Series, text: str = "small base") -> str:
    """A table's note cell (the small-base flag), when any of its rows has a note."""
    return f"<td>{_small(row, text)}</td>" if _any_small(rows) else ""


def _small(row: pd.Series, text: str = "small base") -> str:
    return _flag(text) if bool(row.get("small_base", False)) else ""


def _difference(row: pd.Series, column: str) -> str:
    """A difference in percentage points with its interval (``diff_low_pp``, ...)."""
    low, high = row.get("diff_low_pp"), row.get("diff_high_pp")
    interval = (f'<span class="ci">{_pp(low)} to {_pp(high)}</span>'
                if _finite(low) and _finite(high) else "")
    return f"{_pp(row[column])}{interval}"


def _row_share(row: pd.Series, suffix: str, *, inline: bool = False) -> str:
    """``pct<suffix>`` of a changes or trends row with its ``k<suffix>`` and ``n<suffix>``."""
    return _share_of(row[f"pct{suffix}"], row[f"k{suffix}"], row[f"n{suffix}"], inline)


def _section(anchor: str, heading: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(heading)}</h2>{body}</section>'


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def _card(value: str, label: str) -> str:
    return (f'<div class="card"><span class="value">{escape(value)}</span>'
            f'<span class="label">{escape(label)}</span></div>')


def _with_series(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """A copy of ``frame`` with :data:`SERIES`: its ``by`` values joined with " · "."""
    frame = frame.copy()
    if len(frame.columns) and by and all(column in frame.columns for column in by):
        frame[SERIES] = frame[list(by)].astype(str).agg(" · ".join, axis=1)
    elif len(frame.columns):
        frame[SERIES] = ""
    return frame


def _significant(frame: pd.DataFrame) -> pd.Series:
    if "significant" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["significant"].fillna(False).astype(bool)


def _themes_row(themes: pd.DataFrame, theme: str) -> pd.Series:
    return themes[themes["theme"].astype(str) == theme].iloc[0]


def _label(row: pd.Series) -> str:
    return _text(row.get("label")) or str(row["theme"])


def _anchors(themes: Iterable[str]) -> dict[str, str]:
    """A unique, stable ``id`` for each theme's section."""
    anchors: dict[str, str] = {}
    used: set[str] = set()
    for theme in themes:
        anchor = "theme-" + (re.sub(r"[^a-z0-9_-]+", "-", theme.lower()).strip("-") or "x")
        candidate, number = anchor, 2
        while candidate in used:
            candidate, number = f"{anchor}-{number}", number + 1
        used.add(candidate)
        anchors[theme] = candidate
    return anchors


def _unique(values: pd.Series) -> list[str]:
    return [str(value) for value in pd.unique(values.astype(str))]


def _title(text: str) -> str:
    return text[:1].upper() + text[1:]


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _pct(value: Any) -> str:
    return f"{100 * float(value):.1f}%" if _finite(value) else "&ndash;"


def _pp(value: Any) -> str:
    return f"{float(value):+.1f} pp" if _finite(value) else "&ndash;"


def _p(value: Any) -> str:
    """A p-value as every renderer prints it (:func:`openends.report.build.format_p`)."""
    if not _finite(value):
        return "&ndash;"
    return escape(format_p(float(value)).removeprefix("p = ").removeprefix("p "))


def _count(value: Any) -> str:
    return f"{int(value):,}" if _finite(value) else "&ndash;"


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return escape(str(value))
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.3f}" if _finite(value) else "&ndash;"


def _interval(row: pd.Series) -> str:
    if not (_finite(row["ci_low"]) and _finite(row["ci_high"])):
        return "&ndash;"
    return f"{100 * float(row['ci_low']):.1f}&ndash;{100 * float(row['ci_high']):.1f}%"


def _flag(text: str) -> str:
    return f'<span class="flag">{escape(text)}</span>'


def _flags(row: pd.Series) -> str:
    if not _finite(row["n"]) or int(row["n"]) == 0:
        return _flag("no answers")
    return _flag(f"small base (n < {SMALL_BASE})") if bool(row["small_base"]) else ""


def _share_of(pct: Any, k: Any, n: Any, inline: bool = False) -> str:
    """A share with the counts it comes from: "23.4% (81 of 346)"."""
    if inline:
        return f"{_pct(pct)} ({_count(k)} of {_count(n)})"
    return f'{_pct(pct)}<span class="base">{_count(k)} of {_count(n)}</span>'


def _share_with_base(row: pd.Series) -> str:
    if not _finite(row["n"]) or int(row["n"]) == 0:
        return "no answers in the base"
    flag = " " + _flag("small base") if bool(row["small_base"]) else ""
    return (f"<strong>{_pct(row['pct'])}</strong> ({_count(row['k'])} of {_count(row['n'])}, "
            f"95% interval {_interval(row)}){flag}")


def _cell(row: pd.Series) -> str:
    """A wave-by-group table cell: share, k of n, interval, small-base flag."""
    if not _finite(row["n"]) or int(row["n"]) == 0:
        return '<span class="note">no answers</span>'
    flag = "<br>" + _flag("small base") if bool(row["small_base"]) else ""
    return (f"{_pct(row['pct'])}<span class=\"base\">{_count(row['k'])} of "
            f"{_count(row['n'])}</span><span class=\"ci\">{_interval(row)}</span>{flag}")
