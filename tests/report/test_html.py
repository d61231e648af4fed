"""The HTML report: one self-contained, parseable page with its charts, and honest numbers.

A small synthetic report (3 themes, 3 waves, 2 groups) with one significant change, one
change whose raw p is below 0.05 but whose corrected p is not, and one small base.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from openends.report.html import render_html
from openends.report.model import Quote, Report
from openends.report.svg import (
    cooccurrence_heatmap_svg,
    prevalence_by_wave_svg,
    theme_by_group_svg,
)
from openends.stats import wilson_interval

THEMES = ["tools", "money", "speed"]
LABELS = {"tools": "Tools <b>&</b> tricks", "money": "Money", "speed": "Speed"}
WAVES = ["2017", "2018", "2019"]
GROUPS = ["north", "south"]
# (theme, group) -> k per wave; n is 200 per wave except south 2019, a small base of 12.
MENTIONS = {("tools", "north"): [20, 40, 70], ("tools", "south"): [30, 35, 4],
            ("money", "north"): [50, 52, 48], ("money", "south"): [44, 41, 3],
            ("speed", "north"): [10, 12, 11], ("speed", "south"): [9, 8, 1]}
VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col", "area", "base", "source"}


def shares(rows: list[dict[str, object]]) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    low, high = wilson_interval(table["k"].to_numpy(), table["n"].to_numpy())
    return table.assign(pct=table["k"] / table["n"], ci_low=low, ci_high=high,
                        small_base=table["n"] < 30)


def base(group: str, wave: str) -> int:
    return 12 if (group, wave) == ("south", "2019") else 200


@pytest.fixture(scope="module")
def report() -> Report:
    prevalence = shares([
        {"theme": theme, "group": group, "wave": wave, "base": "answers",
         "n": base(group, wave), "k": k}
        for (theme, group), counts in MENTIONS.items()
        for wave, k in zip(WAVES, counts, strict=True)])
    total = sum(base(group, wave) for group in GROUPS for wave in WAVES)
    themes = shares([{"theme": theme, "label": LABELS[theme], "parent": "", "question": "",
                      "scope": "answers", "base": "answers", "n": total,
                      "k": sum(sum(MENTIONS[theme, group]) for group in GROUPS)}
                     for theme in THEMES])
    small_theme = shares([{"theme": "rare", "label": "Rare", "parent": "tools",
                           "question": "", "scope": "answers", "base": "answers",
                           "n": 20, "k": 3}])
    themes = pd.concat([themes, small_theme], ignore_index=True)
    changes = pd.DataFrame([
        change("tools", "north", "2018", "2019", 40, 70, p=0.0002, adjusted=0.001),
        change("money", "north", "2017", "2018", 50, 52, p=0.03, adjusted=0.09),
    ])
    pairs = [("tools", "money", 30, 40), ("tools", "speed", 2, 5), ("money", "speed", 0, 0)]
    rows = []
    for a, b, both, lift in pairs:
        for first, second in ((a, b), (b, a)):
            rows.append({"theme_a": first, "theme_b": second, "n": total, "count_a": 100,
                         "count_b": 80, "both": both, "share_of_a": both / 100,
                         "lift": lift / 10 if both else 0.0})
    keywords = pd.DataFrame({"scope": "answers", "by": "wave", "group": ["2019", "2019"],
                             "rank": [1, 2], "keyphrase": ["fast <tools>", "R&D"],
                             "score": [3.1, 2.5], "count": [40, 12], "answers": [400, 400]})
    quotes = {"tools": [Quote("r1", "I use <b>tools</b> & scripts", "tools", "north, 2019")]}
    return Report(title="Survey <2019> & more", base="answers", correction="holm",
                  wave="wave", by=("group",),
                  counts={"rows": 1250, "ok": 1212, "empty": 30, "duplicate": 8,
                          "with_theme": 700},
                  themes=themes, prevalence=prevalence, changes=changes,
                  trends=pd.DataFrame(), cooccurrence=pd.DataFrame(rows), keywords=keywords,
                  quotes=quotes, quality={"kind": "agreement", "n": 400, "kappa": 0.81,
                                          "kappa_low": 0.77, "kappa_high": 0.85})


def change(theme: str, group: str, first: str, second: str, k1: int, k2: int, *, p: float,
           adjusted: float) -> dict[str, object]:
    return {"theme": theme, "group": group, "wave1": first, "wave2": second, "n1": 200,
            "k1": k1, "pct1": k1 / 200, "n2": 200, "k2": k2, "pct2": k2 / 200,
            "diff_pp": (k2 - k1) / 2, "diff_low_pp": (k2 - k1) / 2 - 8,
            "diff_high_pp": (k2 - k1) / 2 + 8, "test": "two-proportion z", "p": p,
            "p_adjusted": adjusted, "correction": "holm", "significant": adjusted < 0.05,
            "small_base": False}


@pytest.fixture(scope="module")
def page(report: Report) -> str:
    return render_html(report)


class Tables(HTMLParser):
    """Every tag balanced (void elements aside), and each table's rows as cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.depth = 0
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "table":
            self.tables.append((values.get("class") or "", []))
        elif tag == "tr":
            self.tables[-1][1].append([])
        elif tag in {"td", "th"}:
            self.tables[-1][1][-1].append("")
        if tag in {"td", "th"}:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()
        if tag in {"td", "th"}:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and self.tables:
            self.tables[-1][1][-1][-1] += data

    def table(self, name: str) -> list[list[str]]:
        return next(rows for kind, rows in self.tables if name in kind.split())


@pytest.fixture(scope="module")
def parsed(page: str) -> Tables:
    parser = Tables()
    parser.feed(page)
    parser.close()
    return parser


def test_the_page_parses_with_every_tag_closed_and_unique_ids(parsed: Tables,
                                                              page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert parsed.stack == []
    assert len(parsed.ids) == len(set(parsed.ids))
    for anchor in re.findall(r'href="#([^"]*)"', page):
        assert anchor in parsed.ids, anchor


def test_it_holds_the_three_kinds_of_chart_as_valid_svg(page: str) -> None:
    charts = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    titles = [ElementTree.fromstring(chart).findtext("title") or "" for chart in charts]
    assert any("share by wave" in title for title in titles)
    assert any(title.startswith("Theme by group") for title in titles)
    assert any(title.startswith("Co-occurrence") for title in titles)
    for chart in charts:
        root = ElementTree.fromstring(chart)
        assert root.get("role") == "img"
        assert root.findtext("title") and root.findtext("desc")


def test_nothing_external_and_no_script(page: str) -> None:
    lowered = page.lower()
    for banned in ("<script", "@import", "url(", "<link", "<img", "<iframe", "<object",
                   "<embed", "http://", "https://", "@font-face", " src="):
        assert banned not in lowered, banned
    for target in re.findall(r'href="([^"]*)"', page):
        assert target.startswith("#"), target
    assert "<style>" in page


def test_text_is_escaped_everywhere(page: str) -> None:
    assert "<b>" not in page
    assert "Survey &lt;2019&gt; &amp; more" in page
    assert "Tools &lt;b&gt;&amp;&lt;/b&gt; tricks" in page
    assert "I use &lt;b&gt;tools&lt;/b&gt; &amp; scripts" in page
    assert "fast &lt;tools&gt;" in page and "R&amp;D" in page


def test_every_share_in_the_theme_table_has_its_base_beside_it(parsed: Tables,
                                                               report: Report) -> None:
    header, *rows = parsed.table("themes")
    share, base = header.index("Share"), header.index("Base (n)")
    assert base == share + 3
    expected = dict(zip(report.themes["label"], report.themes["n"], strict=True))
    assert len(rows) == len(expected)
    for row in rows:
        assert re.fullmatch(r"\d+\.\d%", row[share]), row
        assert int(row[base].replace(",", "")) == expected[row[0]]


def test_every_share_by_wave_and_group_is_printed_with_k_of_n(parsed: Tables) -> None:
    cells = [cell for kind, rows in parsed.tables if "by-wave" in kind.split()
             for row in rows[1:] for cell in row[1:]]
    assert len(cells) == len(MENTIONS) * len(WAVES)
    for cell in cells:
        assert re.match(r"\d+\.\d%\d+ of \d+", cell), cell


def test_only_the_change_significant_after_correction_is_called_significant(
        parsed: Tables, page: str) -> None:
    rows = parsed.table("changes")[1:]
    assert len(rows) == 1
    assert rows[0][0] == "Tools <b>&</b> tricks" and "2018 → 2019" in rows[0]
    assert any("significant (Holm)" in cell for cell in rows[0])
    money = page[page.index('id="theme-money"'):]
    money = money[:money.index("</article>")]
    assert 'class="sig"' not in money
    assert "No significant change" in money
    assert "1 of 2 comparisons significant" in page
    assert "after Holm correction across all 2 tests" in page


def test_small_bases_are_flagged_in_words_and_in_the_charts(parsed: Tables,
                                                           page: str) -> None:
    header, *rows = parsed.table("themes")
    rare = next(row for row in rows if row[0] == "Rare")
    assert "small base" in rare[header.index("Note")]
    assert all("small base" not in row[header.index("Note")] for row in rows if row != rare)
    south = [row for kind, table in parsed.tables if "by-wave" in kind.split()
             for row in table if row[0] == "south"]
    assert len(south) == len(THEMES)
    assert all("small base" in row[-1] and "small base" not in row[1] for row in south)
    assert ">12*</text>" in page
    assert "small base (n &lt; 30)" in page


def test_inputs_reconcile_and_quality_is_shown(page: str) -> None:
    assert "Every input row is accounted for." in page
    assert "of which coded with a theme" in page
    assert "Cohen&#x27;s kappa" in page or "Cohen's kappa" in page
    assert "0.770 to 0.850" in page


def test_the_same_report_renders_the_same_page(report: Report, page: str) -> None:
    assert render_html(report) == page


def test_an_empty_report_still_renders() -> None:
    empty = Report(title="Nothing", base="answers", correction="none", wave=None, by=(),
                   counts={}, themes=pd.DataFrame(), prevalence=pd.DataFrame(),
                   changes=pd.DataFrame(), trends=pd.DataFrame(),
                   cooccurrence=pd.DataFrame(), keywords=pd.DataFrame(), quotes={})
    page = render_html(empty)
    parser = Tables()
    parser.feed(page)
    assert parser.stack == []
    assert "<svg" not in page


def test_a_report_without_waves_or_groups_shows_overall_bars(report: Report) -> None:
    flat = Report(title="Flat", base="answers", correction="bh", wave=None, by=(),
                  counts={"rows": 10, "ok": 10}, themes=report.themes,
                  prevalence=pd.DataFrame(), changes=pd.DataFrame(), trends=pd.DataFrame(),
                  cooccurrence=pd.DataFrame(), keywords=pd.DataFrame(), quotes={})
    page = render_html(flat)
    charts = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    assert len(charts) == 1
    assert ElementTree.fromstring(charts[0]).findtext("title") == "Theme prevalence"


def test_a_report_with_waves_but_no_groups_draws_one_line_per_theme(report: Report) -> None:
    north = report.prevalence[report.prevalence["group"] == "north"].drop(columns="group")
    single = Report(title="Waves", base="answers", correction="holm", wave="wave", by=(),
                    counts={"rows": 600, "ok": 600}, themes=report.themes, prevalence=north,
                    changes=pd.DataFrame(), trends=pd.DataFrame(),
                    cooccurrence=pd.DataFrame(), keywords=pd.DataFrame(), quotes={})
    page = render_html(single)
    parser = Tables()
    parser.feed(page)
    assert parser.stack == []
    charts = [ElementTree.fromstring(chart) for chart in
              re.findall(r"<svg\b.*?</svg>", page, flags=re.S)]
    lines = [chart for chart in charts if "share by wave" in (chart.findtext("title") or "")]
    assert len(lines) == len(THEMES)
    assert all(len(chart.findall("polyline")) == 1 for chart in lines)
    tables = [rows for kind, rows in parser.tables if "by-wave" in kind.split()]
    assert [row[0] for rows in tables for row in rows[1:]] == ["all"] * len(THEMES)


def test_prevalence_chart_breaks_lines_at_a_missing_wave() -> None:
    rows = shares([{"wave": wave, "n": 100, "k": k}
                   for wave, k in (("1", 10), ("2", 20), ("4", 30))])
    svg = prevalence_by_wave_svg(rows, wave="wave", waves=["1", "2", "3", "4"], title="x")
    root = ElementTree.fromstring(svg)
    assert len(root.findall("polyline")) == 1
    assert len(root.findall("polygon")) == 1
    assert len(root.findall("circle")) == 3
    assert [text.text for text in root.findall("text") if text.text in {"100", "\u2013"}] == [
        "100", "100", "\u2013", "100"]


def test_bars_print_each_share_with_its_base() -> None:
    rows = shares([{"theme": "a", "group": "x", "n": 200, "k": 50},
                   {"theme": "a", "group": "y", "n": 20, "k": 5},
                   {"theme": "b", "group": "x", "n": 0, "k": 0}])
    rows.loc[rows["n"] == 0, ["pct", "ci_low", "ci_high"]] = np.nan
    svg = theme_by_group_svg(rows, category="theme", series="group", labels={"a": "A & B"},
                             title="bars")
    root = ElementTree.fromstring(svg)
    texts = [text.text or "" for text in root.iter("text")]
    assert "25% (n=200)" in texts
    assert "25% (n=20) small base" in texts
    assert "no answers" in texts
    assert "A & B" in texts


def test_heatmap_marks_pairs_never_together_and_thin_lifts() -> None:
    rows = pd.DataFrame({"theme_a": ["a", "b", "a", "c", "b", "c"],
                         "theme_b": ["b", "a", "c", "a", "c", "b"], "n": 100,
                         "count_a": 20, "count_b": 20, "both": [8, 8, 2, 2, 0, 0],
                         "lift": [2.0, 2.0, 0.5, 0.5, 0.0, 0.0]})
    svg = cooccurrence_heatmap_svg(rows, themes=["a", "b", "c"], title="co")
    root = ElementTree.fromstring(svg)
    cells = [text.text for text in root.iter("text")]
    assert "2.0" in cells and "(0.5)" in cells and "0" in cells
    assert svg == cooccurrence_heatmap_svg(rows, themes=["a", "b", "c"], title="co")
