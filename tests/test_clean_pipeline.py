"""Cleaning the sample project: statuses found, rows conserved, nothing personal leaks."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from openends.clean import CleaningOptions, clean_responses, for_export
from openends.cli import app
from openends.config import load_project
from openends.pipeline import cleaning_options, read_project

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\+\d{1,3}[\d ()-]{7,}\d")


@pytest.fixture(scope="module")
def cleaned_sample() -> tuple[pd.DataFrame, object, pd.DataFrame]:
    project = load_project(Path(__file__).resolve().parents[1] / "corpora" / "project.toml")
    survey = read_project(project)
    options = cleaning_options(project)
    cleaned, summary = clean_responses(survey.responses, options)
    return cleaned, summary, for_export(cleaned, options)


def test_every_row_is_kept_in_order(cleaned_sample) -> None:
    cleaned, summary, exported = cleaned_sample
    assert summary.rows_in == summary.rows_out == len(cleaned) == len(exported) == 3698
    assert sum(summary.statuses.values()) == 3698
    assert cleaned["response_id"].is_unique


def test_planted_non_answers_are_found(cleaned_sample) -> None:
    cleaned, _, _ = cleaned_sample
    by_text = cleaned.set_index("clean_text")["status"]
    planted = ["n/a", "N/A", "-", "don't know", "no comment", "same as last year", "Nothing"]
    present = [answer for answer in planted if answer in by_text.index]
    assert len(present) >= 5  # the sample plants these non-answers
    for answer in present:
        assert set(pd.Series(by_text.loc[[answer]])) == {"non_substantive"}, answer
    assert (cleaned["status"] == "non_substantive").sum() >= 100


def test_planted_duplicates_and_foreign_answers_are_found(cleaned_sample) -> None:
    cleaned, _, _ = cleaned_sample
    candidates = cleaned[cleaned["status"].isin(["ok", "duplicate"])]
    long = candidates[candidates["clean_text"].str.split().str.len() >= 8]
    repeats = long.groupby(long["clean_text"].str.lower())["status"].agg(list)
    repeats = repeats[repeats.str.len() > 1]
    assert len(repeats) >= 10  # the sample plants copy-pasted long answers
    for statuses in repeats:
        assert set(statuses[1:]) == {"duplicate"}  # the first may copy an earlier answer
    foreign = cleaned[cleaned["status"] == "other_language"]
    assert set(foreign["language"]) <= {"sv", "de", "fr", "es"}
    assert len(foreign) >= 30


def test_identical_short_answers_are_not_duplicates(cleaned_sample) -> None:
    cleaned, _, _ = cleaned_sample
    short = cleaned[cleaned["clean_text"].str.split().str.len() <= 2]
    repeated = short[short.duplicated("clean_text", keep=False)
                     & ~short.duplicated("respondent_id", keep=False)]
    assert len(repeated) > 0
    assert not (repeated["status"] == "duplicate").any()


def test_no_email_or_phone_survives_in_exported_text(cleaned_sample) -> None:
    cleaned, summary, exported = cleaned_sample
    emails = {m for text in cleaned["text"] for m in EMAIL.findall(text)}
    phones = {m for text in cleaned["text"] for m in PHONE.findall(text)}
    assert emails and phones  # the sample plants them
    for column in ("text", "clean_text", "lemmas"):
        joined = "\n".join(exported[column].astype(str))
        assert not any(email in joined for email in emails), column
        assert not any(phone in joined for phone in phones), column
    assert summary.redactions.get("EMAIL", 0) >= len(emails)


def test_original_text_is_never_changed(cleaned_sample) -> None:
    cleaned, _, _ = cleaned_sample
    project = load_project(Path(__file__).resolve().parents[1] / "corpora" / "project.toml")
    assert cleaned["text"].tolist() == read_project(project).responses["text"].tolist()


def test_bad_values_are_handled(tmp_path: Path) -> None:
    table = pd.DataFrame({
        "response_id": list("abcdef"),
        "text": [None, float("nan"), 42, "Offenders use encrypted phones. " * 32_000,
                 "bad \udcff bytes \x00", ""],
    })
    cleaned, summary = clean_responses(table, CleaningOptions(lemmatise=False))
    assert len(cleaned) == 6
    assert cleaned["status"].tolist() == ["empty", "empty", "non_substantive", "ok", "ok",
                                          "empty"]
    assert cleaned["clean_text"].iloc[2] == "42"  # a number is kept as text, not dropped
    assert len(cleaned["clean_text"].iloc[3]) > 1_000_000 - 1_000  # a 1 MB answer, kept whole
    assert cleaned["clean_text"].iloc[4] == "bad \ufffd bytes"  # marked, not a crash
    assert summary.statuses["empty"] == 3


def test_clean_cli_writes_the_table_and_a_summary(tmp_path: Path, corpora: Path) -> None:
    out = tmp_path / "employers.csv"
    result = CliRunner().invoke(app, [
        "clean", str(corpora / "employer_2018.csv"), "--text", "discovered", "--text",
        "reaction", "--id", "ID", "--attr", "sector=Sector", "-o", str(out), "--json"])
    assert result.exit_code == 0, result.stderr
    written = pd.read_csv(out, keep_default_na=False)
    assert len(written) == 2 * 304
    assert {"response_id", "text", "clean_text", "status", "language", "sector"} <= set(written)
    assert '"rows_in": 608' in result.stdout


def test_all_empty_column_is_counted_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("id,answer\n1,\n2,\n3, \n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    result = CliRunner().invoke(app, ["clean", str(path), "--text", "answer", "--id", "id",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert pd.read_parquet(out)["status"].tolist() == ["empty"] * 3
    assert "3 rows in, 3 rows out" in result.stdout


def test_no_redact_keeps_originals() -> None:
    table = pd.DataFrame({"response_id": ["a"], "text": ["mail me: anna@example.org"]})
    options = CleaningOptions(redact=False, lemmatise=False)
    cleaned, summary = clean_responses(table, options)
    assert for_export(cleaned, options)["text"].iloc[0] == "mail me: anna@example.org"
    assert summary.redactions == {}
    redacted, _ = clean_responses(table, CleaningOptions(lemmatise=False))
    assert for_export(redacted)["text"].iloc[0] == "mail me: [EMAIL]"


def test_expected_language_is_always_a_choice_of_the_detector() -> None:
    table = pd.DataFrame({"response_id": ["a", "b"], "text": [
        "We need more staff and better training on the forensic tools",
        "Wir brauchen mehr Personal und bessere Schulungen für die Werkzeuge"]})
    options = CleaningOptions(expected_languages=("en",), languages=("de", "fr"),
                              lemmatise=False)
    cleaned, _ = clean_responses(table, options)
    assert cleaned["language"].tolist() == ["en", "de"]
    assert cleaned["status"].tolist() == ["ok", "other_language"]


def test_answers_without_a_respondent_id_are_their_own_respondents() -> None:
    """Waves asking one question have no respondent ids beside waves asking several: the
    same short answer from two such respondents is agreement, not a repeated submission."""
    table = pd.DataFrame({
        "response_id": ["r1:tech", "r1:help", "a", "b"],
        "respondent_id": ["r1", "r1", None, None],
        "text": ["Encryption", "Encryption", "More staff", "More staff"]})
    cleaned, _ = clean_responses(table)
    assert cleaned["status"].tolist() == ["ok", "duplicate", "ok", "ok"]
