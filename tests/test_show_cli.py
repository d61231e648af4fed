"""``openends show``: the answers coded with a theme, from long or wide codes, filtered,
redacted, with their evidence; bad input fails with one line and exit status 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from openends.cli import app
from openends.cli.common import read_cleaned
from openends.coding.codebook import load_codebook
from openends.coding.combine import code_responses
from openends.show import evidence_spans, evidence_terms, show_theme

POLICE = ["--text", "tech=Q4", "--text", "help=Q5", "--id", "ResponseId"]
EMAIL = "anna.svensson@example.org"


def show(*arguments: str) -> Result:
    return CliRunner().invoke(app, ["show", *arguments], env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def police_codes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample police survey coded with the codebook's rules (long codes)."""
    corpora = Path(__file__).resolve().parents[1] / "corpora"
    cleaned = read_cleaned(corpora / "police_2017.csv", text=["tech=Q4", "help=Q5"],
                           id="ResponseId", attrs=None, sheet=None)
    result = code_responses(cleaned, codebook=load_codebook(corpora / "codebook.yml"),
                            semantic=False)
    path = tmp_path_factory.mktemp("show") / "codes.csv"
    result.long().to_csv(path, index=False)
    return path


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    """Six generated answers in two waves; one carries an e-mail address."""
    path = tmp_path / "survey.csv"
    pd.DataFrame({
        "id": ["A1", "A2", "A3", "A4", "A5", "A6"],
        "wave": [2018, 2019, 2019, 2018, 2019, 2019],
        "answer": ["Encrypted phones (really!)", f"Mail {EMAIL} about the encryption",
                   "More staff", "Bitcoin wallets", "End-to-end encrypted apps", ""],
    }).to_csv(path, index=False)
    return path


GENERATED = ["--text", "answer", "--id", "id"]


def wide_codes(path: Path, *, with_id: bool = True) -> Path:
    table = pd.DataFrame({"response_id": ["A1", "A2", "A3", "A4", "A5", "A6"],
                          "encryption": [1, 1, 0, 0, 1, 0], "crypto": [0, 0, 0, 1, 0, 0]})
    if not with_id:
        table = table.drop(columns="response_id")
    table.to_csv(path, index=False)
    return path


def shown_ids(output: str) -> list[str]:
    return re.findall(r"^(R_\w+:\w+)  ", output, flags=re.MULTILINE)


def test_every_answer_coded_with_the_theme(corpora: Path, police_codes: Path) -> None:
    result = show("encryption", "--codes", str(police_codes), "--responses",
                  str(corpora / "police_2017.csv"), *POLICE, "--no-pager")
    assert result.exit_code == 0, result.output
    codes = pd.read_csv(police_codes, keep_default_na=False)
    expected = codes.loc[codes["theme"] == "encryption", "response_id"].tolist()
    shown = shown_ids(result.stdout)
    assert sorted(shown) == sorted(expected) and len(shown) == len(set(shown))
    coded = codes.loc[codes["status"] == "ok", "response_id"].nunique()
    header = f"encryption: {len(expected)} answers (of {coded} coded, {len(expected)} shown)"
    assert result.stdout.startswith(header)
    evidence = codes.loc[codes["theme"] == "encryption", "evidence"]
    words = {word.lower() for text in evidence for word in evidence_terms(text)}
    assert words and all(word in result.stdout.lower() for word in words)
    assert "evidence: encrypted" in result.stdout


def test_where_filters_and_json_parses(corpora: Path, police_codes: Path) -> None:
    codes = pd.read_csv(police_codes, keep_default_na=False)
    ok = codes.loc[codes["status"] == "ok", "response_id"].drop_duplicates()
    expected = set(codes.loc[codes["theme"] == "encryption", "response_id"])
    for question in ("tech", "help"):
        result = show("encryption", "--codes", str(police_codes), "--responses",
                      str(corpora / "police_2017.csv"), *POLICE, "--where",
                      f"question={question}", "--limit", "3", "--json")
        assert result.exit_code == 0, result.output
        found = json.loads(result.stdout)
        wanted = {answer for answer in expected if answer.endswith(f":{question}")}
        assert found["where"] == {"question": question}
        assert found["with_theme"] == len(wanted) and found["shown"] == min(3, len(wanted))
        assert found["coded"] == ok.str.endswith(f":{question}").sum() < len(ok)
        for answer in found["answers"]:
            assert answer["response_id"] in wanted
            assert answer["attributes"]["question"] == question
            assert answer["source"] == "rule" and answer["score"] == 1.0
            assert set(answer) == {"response_id", "attributes", "text", "evidence", "source",
                                   "score"}
            assert evidence_spans(answer["text"], answer["evidence"])
    assert len(expected) > 3  # the codebook ties encryption to the tech question


def test_a_theme_not_in_the_codes_fails_with_a_suggestion(survey: Path, tmp_path: Path) -> None:
    result = show("encription", "--codes", str(wide_codes(tmp_path / "w.csv")),
                  "--responses", str(survey), *GENERATED)
    assert result.exit_code == 2
    assert "did you mean 'encryption'?" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not result.stdout


@pytest.mark.parametrize(("where", "message"), [
    ("wave", "--where takes COLUMN=VALUE (e.g. --where wave=2019), not 'wave'"),
    ("group=1", "survey.csv: no column 'group'")])
def test_a_bad_filter_fails_in_one_line(survey: Path, tmp_path: Path, where: str,
                                        message: str) -> None:
    result = show("encryption", "--codes", str(wide_codes(tmp_path / "w.csv")),
                  "--responses", str(survey), *GENERATED, "--where", where)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_wide_codes_with_and_without_ids_and_a_redacted_answer(survey: Path,
                                                              tmp_path: Path) -> None:
    for codes in (wide_codes(tmp_path / "w.csv"),
                  wide_codes(tmp_path / "no_id.csv", with_id=False)):
        result = show("encryption", "--codes", str(codes), "--responses", str(survey),
                      *GENERATED, "--attr", "wave")
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("encryption: 3 answers (of 6 coded, 3 shown)")
        assert EMAIL not in result.stdout and "[EMAIL]" in result.stdout
        assert re.findall(r"^(A\d)  wave=(\d+)", result.stdout, flags=re.MULTILINE) == [
            ("A1", "2018"), ("A2", "2019"), ("A5", "2019")]
    filtered = show("encryption", "--codes", str(codes), "--responses", str(survey),
                    *GENERATED, "--attr", "wave", "--where", "wave=2019.0", "--json")
    assert [answer["response_id"] for answer in json.loads(filtered.stdout)["answers"]] == [
        "A2", "A5"]
    assert EMAIL not in filtered.stdout


def test_long_codes_with_an_address_in_the_evidence_are_redacted(survey: Path,
                                                                 tmp_path: Path) -> None:
    codes = tmp_path / "long.csv"
    pd.DataFrame({"response_id": ["A2", "A1"], "theme": ["encryption", "encryption"],
                  "score": [0.9, 1.0], "source": ["human", "rule"],
                  "evidence": [f"{EMAIL}; encryption", "Encrypted phones (really"]}
                 ).to_csv(codes, index=False)
    result = show("encryption", "--codes", str(codes), "--responses", str(survey), *GENERATED,
                  "--json")
    assert result.exit_code == 0, result.output
    assert EMAIL not in result.stdout
    answers = json.loads(result.stdout)["answers"]
    assert [answer["response_id"] for answer in answers] == ["A1", "A2"]
    assert answers[1]["evidence"] == "[EMAIL]; encryption"
    assert answers[1]["score"] == 0.9 and answers[1]["source"] == "human"


def test_codes_of_other_answers_fail_clearly(survey: Path, police_codes: Path) -> None:
    result = show("encryption", "--codes", str(police_codes), "--responses", str(survey),
                  *GENERATED)
    assert result.exit_code == 2
    assert "none of the" in result.stderr and "--id" in result.stderr


def test_evidence_is_highlighted_in_any_case_without_regex_trouble() -> None:
    cleaned = pd.DataFrame({"response_id": ["a", "b"],
                            "redacted_text": ["ENCRYPTED (e2e) apps [sic]", "nothing"]})
    codes = pd.DataFrame({"response_id": ["a", "b"], "theme": ["encryption", ""],
                          "evidence": ['via e2ee: encrypted | (e2e | [sic', ""]})
    found = show_theme("encryption", codes, cleaned)
    spans = found.answers[0].highlighted().spans
    assert [cleaned.loc[0, "redacted_text"][span.start:span.end] for span in spans] == [
        "ENCRYPTED", "(e2e", "[sic"]
    assert all(str(span.style) == "bold yellow" for span in spans)
    assert found.to_dict()["coded"] == 2


def test_a_filter_reads_its_column_without_attr(survey: Path, tmp_path: Path) -> None:
    result = show("encryption", "--codes", str(wide_codes(tmp_path / "w.csv")), "--responses",
                  str(survey), *GENERATED, "--where", "wave=2018", "--json")
    assert result.exit_code == 0, result.output
    assert [answer["response_id"] for answer in json.loads(result.stdout)["answers"]] == ["A1"]
