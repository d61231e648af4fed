"""``build_report``: the sample project's planted trends come out significant after
correction and its planted non-change does not; every share has its base; small bases
are flagged; quotes are redacted text; nothing personal reaches any output.

The sample project is coded with the rule coder only, for speed (as in
tests/stats/test_planted_trends.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from report_data import CODEBOOK, EMAIL, PHONE, generated_survey, hand_cleaned
from rich.console import Console

from openends.errors import ConfigError, UnknownColumnError
from openends.report.build import build_report, format_p, quality_from_agreement
from openends.report.markdown import render_markdown
from openends.report.model import Report
from openends.report.tables import render_text, report_tables

CORPORA = Path(__file__).resolve().parents[2] / "corpora"
SHARE = re.compile(r"\d+\.\d%")
WITH_BASE = re.compile(r"\d+\.\d% \((?:n=)?[\d,]+\)!?")


@pytest.fixture(scope="module")
def sample_coding() -> Any:
    """The sample project cleaned, and rule-coded (a CodingResult)."""
    from openends.clean import clean_responses
    from openends.coding.codebook import load_codebook
    from openends.coding.combine import code_responses
    from openends.config import load_project
    from openends.pipeline import cleaning_options, read_project

    project = load_project(CORPORA / "project.toml")
    cleaned, _ = clean_responses(read_project(project).responses, cleaning_options(project))
    book = load_codebook(CORPORA / "codebook.yml")
    return cleaned, code_responses(cleaned, codebook=book, semantic=False)


@pytest.fixture(scope="module")
def sample(sample_coding: Any) -> Report:
    from openends.coding.codebook import load_codebook

    cleaned, coding = sample_coding
    return build_report(coding.wide(), cleaned, evidence=coding.long(),
                        codebook=load_codebook(CORPORA / "codebook.yml"), by=["group"],
                        title="Sample")


def test_planted_rises_are_significant_trends_and_darknet_is_not(sample: Report) -> None:
    from statsmodels.stats.multitest import multipletests

    trends = sample.trends.set_index(["theme", "group"])
    family = pd.concat([table["p"] for table in (sample.trends, sample.changes,
                                                 sample.differences) if len(table)])
    adjusted = multipletests(family.to_numpy(), method="holm")[1][:len(trends)]
    holm = dict(zip(trends.index, adjusted, strict=True))
    for theme in ("encryption", "cryptocurrency"):
        row = trends.loc[(theme, "police")]
        assert row["significant"] and row["p_adjusted"] < 0.001 and row["change_pp"] > 10, theme
        assert row["correction"] == "holm" and row["p_adjusted"] == pytest.approx(
            holm[(theme, "police")])
    darknet = trends.loc[("darknet", "police")]
    assert not darknet["significant"] and darknet["p_adjusted"] > 0.5
    changes = sample.changes
    assert not changes.loc[changes["theme"] == "darknet", "significant"].any()
    assert not trends.loc[("more_resources", "police"), "significant"]


def test_correction_runs_across_every_test_of_the_report(sample: Report) -> None:
    from openends.stats import adjust_p

    p = pd.concat([sample.trends["p"], sample.changes["p"], sample.differences["p"]])
    assert sample.tests == len(p) == 48  # 16 police themes: 16 trends + 32 changes
    expected = adjust_p(p.to_numpy(), "holm")[:len(sample.trends)]
    assert sample.trends["p_adjusted"].to_numpy() == pytest.approx(expected)


def test_themes_are_measured_among_the_answers_to_their_question(sample: Report) -> None:
    themes = sample.themes.set_index("theme")
    assert themes.loc["encryption", "question"] == "tech"
    assert themes.loc["encryption", "scope"] == "tech answers"
    assert themes.loc["denial", "n"] == 278  # substantive employer 'reaction' answers
    tech = sample.prevalence[(sample.prevalence["theme"] == "encryption")]
    assert tech["group"].tolist() == ["police"] * 3  # employers were never asked 'tech'
    assert tech["wave"].tolist() == ["2017", "2018", "2019"]
    assert tech["n"].tolist() == [447, 471, 498]
    pairs = sample.cooccurrence
    assert not ((pairs["theme_a"] == "encryption") & (pairs["theme_b"] == "denial")).any()


def test_headline_phrases_the_rise_of_encryption_with_bases(sample: Report) -> None:
    first = sample.headlines[0]
    assert first.startswith("encryption: 14.3% (n=447) → 35.3% (n=498) of police tech answers "
                            "(2017 → 2019), rising trend p < 0.001 (Holm)")
    assert not any(line.startswith("darknet") for line in sample.headlines)
    assert sample.counts["rows"] == 3698 and sample.counts["ok"] == 3382
    assert sum(count for name, count in sample.counts.items()
               if name not in {"rows", "with_theme"}) == 3698


def test_every_share_printed_has_its_base(sample: Report) -> None:
    text = render_text(sample, 100)
    themes_table = text[text.index("Themes"):text.index("Across waves")]
    assert " n " in themes_table.splitlines()[1]  # the n column of the theme table
    rest = text.replace(themes_table, "")
    assert SHARE.findall(rest) and len(SHARE.findall(rest)) == len(WITH_BASE.findall(rest))
    markdown = render_markdown(sample)
    body = markdown[markdown.index("## Across waves"):]
    assert len(SHARE.findall(body)) == len(WITH_BASE.findall(body)) + body.count("% of ")
    for table in (sample.themes, sample.prevalence):
        assert table["n"].notna().all() and (table["k"] <= table["n"]).all()


def test_the_sample_report_fits_80_and_100_columns(sample: Report) -> None:
    for width in (80, 100):
        console = Console(width=width, color_system=None, record=True)
        console.print(sample)
        text = console.export_text()
        assert max(len(line) for line in text.splitlines()) <= width
        assert "…" not in text.split("Quotes")[0]


def test_quotes_are_redacted_answers_of_the_theme_spread_over_waves(
        sample: Report, sample_coding: Any) -> None:
    quotes = sample.quotes["encryption"]
    assert 2 <= len(quotes) <= 3
    assert [quote.context for quote in quotes] == ["police, 2019", "police, 2018",
                                                   "police, 2017"]
    cleaned, coding = sample_coding
    codes = coding.long()
    coded = codes[codes["theme"] == "encryption"].set_index("response_id")["evidence"]
    redacted = cleaned.set_index("response_id")["redacted_text"]
    for quote in quotes:
        assert quote.response_id in coded.index and quote.text == redacted[quote.response_id]
        assert quote.evidence and set(quote.evidence.split(" | ")) <= set(
            coded[quote.response_id].split(" | "))
    assert all(len(quote.text.split()) >= 6 for quote in quotes)


def test_quotes_come_from_redacted_text_only() -> None:
    responses, wide, evidence = generated_survey()
    cleaned = hand_cleaned(responses).assign(
        redacted_text=lambda table: "REDACTED " + table["redacted_text"],
        clean_text="CLEAN")
    report = build_report(wide, cleaned, codebook=CODEBOOK, evidence=evidence, by=["region"],
                          keywords=False)
    texts = [quote.text for quotes in report.quotes.values() for quote in quotes]
    assert texts and all(text.startswith("REDACTED ") for text in texts)


def test_small_bases_are_flagged(small_report: Report) -> None:
    staff = small_report.prevalence[small_report.prevalence["theme"] == "staff"]
    assert staff["small_base"].all() and (staff["n"] < 30).all()
    tech = small_report.prevalence[small_report.prevalence["theme"] == "encryption"]
    assert not tech["small_base"].any()
    assert not small_report.themes.set_index("theme").loc["staff", "small_base"]  # 57 in all


def test_nothing_personal_reaches_any_output(tmp_path: Path) -> None:
    from openends.clean import clean_responses
    from openends.report.tables import write_report

    responses, wide, evidence = generated_survey()
    assert responses["text"].str.contains(EMAIL, regex=False).sum() == 2
    cleaned = clean_responses(responses)[0]
    report = build_report(wide, cleaned, codebook=CODEBOOK, evidence=evidence, by=["region"],
                          quotes_per_theme=40)
    assert any("[EMAIL]" in quote.text for quote in report.quotes["encryption"])
    from openends.report.html import render_html

    outputs = [render_text(report, 100), render_markdown(report), render_html(report),
               json.dumps(report.to_dict(), ensure_ascii=False)]
    for format in ("csv", "json"):
        for path in write_report(report, tmp_path / format, format):
            outputs.append(path.read_text(encoding="utf-8"))
    for output in outputs:
        assert EMAIL not in output and "anna@" not in output
        assert PHONE not in output and "123 45 67" not in output


def test_to_dict_is_json_ready(small_report: Report) -> None:
    data = json.loads(json.dumps(small_report.to_dict(), allow_nan=False))
    assert data["tests"] == 21 and data["correction"] == "holm"
    assert data["quotes"]["encryption"][0]["text"]
    assert {"n", "k", "pct", "ci_low", "ci_high"} <= set(data["prevalence"][0])


def test_tables_for_scripts(small_report: Report) -> None:
    tables = report_tables(small_report)
    assert {"prevalence", "themes", "changes", "trends", "cooccurrence", "differences",
            "keywords"} <= set(tables)
    prevalence = tables["prevalence"]
    assert list(prevalence.columns[:4]) == ["theme", "question", "region", "wave"]
    assert {"n", "k", "pct", "ci_low", "ci_high", "small_base"} <= set(prevalence.columns)
    assert {"p", "p_adjusted", "significant", "diff_low_pp"} <= set(tables["changes"].columns)


def test_without_waves_or_groups() -> None:
    responses, wide, _ = generated_survey()
    cleaned = hand_cleaned(responses).drop(columns=["wave"])
    report = build_report(wide, cleaned, codebook=CODEBOOK, keywords=False)
    assert report.wave is None and report.tests == 0 and not report.headlines
    assert report.themes.set_index("theme").loc["staff", "n"] == 57
    assert "Themes" in render_text(report, 80)
    by_region = build_report(wide, cleaned, codebook=CODEBOOK, by=["region"], keywords=False)
    assert len(by_region.differences) == 2 and by_region.tests == 2  # staff: north only


def test_keywords_by_wave_within_each_question_and_group() -> None:
    from openends.clean import clean_responses

    responses, wide, _ = generated_survey()
    report = build_report(wide, clean_responses(responses)[0], codebook=CODEBOOK,
                          by=["region"], quotes_per_theme=0)
    scopes = set(report.keywords["scope"])
    assert "north tech answers" in scopes and not report.quotes
    north = report.keywords[report.keywords["scope"] == "north tech answers"]
    assert "encryption" in " ".join(north.loc[north["group"] == "2019", "keyphrase"]).lower()
    assert (report.keywords["by"] == "wave").all()


@pytest.mark.parametrize(("options", "error"), [
    ({"by": ["nowhere"]}, UnknownColumnError),
    ({"wave": "round"}, UnknownColumnError),
    ({"base": "people"}, ConfigError),
    ({"correction": "bonferroni"}, ConfigError),
    ({"alpha": 1.5}, ConfigError),
])
def test_bad_options_are_clear_errors(options: dict[str, object], error: type) -> None:
    responses, wide, _ = generated_survey()
    with pytest.raises(error):
        build_report(wide, hand_cleaned(responses), keywords=False, **options)  # type: ignore[arg-type]


def test_codes_missing_for_substantive_answers_are_an_error() -> None:
    responses, wide, _ = generated_survey()
    with pytest.raises(ConfigError, match="have no codes"):
        build_report(wide.iloc[5:], hand_cleaned(responses), keywords=False)


def test_quality_from_an_agreement() -> None:
    from openends.agreement import agree
    from openends.coding.codings import Coding

    a = Coding("tool", pd.DataFrame({"tor": [1, 0, 1, 0, 1, 1, 0, 0]}, index=list("abcdefgh")))
    b = Coding("ann", pd.DataFrame({"tor": [1, 0, 1, 1, 1, 1, 0, 0]}, index=list("abcdefgh")))
    quality = quality_from_agreement(agree([a, b], resamples=100), against="hand codes")
    assert quality["kind"] == "agreement" and quality["n"] == 8
    assert quality["against"] == "hand codes" and 0 < quality["kappa"] <= 1
    assert format_p(float("nan")) == "p = -"
