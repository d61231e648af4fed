"""``openends agree`` and ``openends disagreements`` through the command line, checked
through the library; bad input fails with one line and exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from openends.agreement import ALL, agree
from openends.cli import app
from openends.coding.codings import read_coding

EMAIL = "karl.berg@example.org"


def run(*arguments: str) -> Result:
    return CliRunner().invoke(app, list(arguments), env={"COLUMNS": "120"})


@pytest.fixture
def two_coders(corpora: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The sample project's hand codes, and a copy with 3% of its cells flipped."""
    hand = pd.read_csv(corpora / "hand_coded.csv", dtype={"response_id": str})
    themes = [column for column in hand.columns if column != "response_id"]
    flips = np.random.default_rng(5).random((len(hand), len(themes))) < 0.03
    other = hand.copy()
    other[themes] = np.where(flips, 1 - hand[themes], hand[themes])
    first, second = tmp_path / "ann.csv", tmp_path / "ben.xlsx"
    hand.to_csv(first, index=False)
    other.to_excel(second, index=False)
    return first, second


def test_agree_prints_the_table_and_writes_what_the_library_computes(
        two_coders: tuple[Path, Path], corpora: Path, tmp_path: Path) -> None:
    first, second = two_coders
    out = tmp_path / "agreement.csv"
    result = run("agree", str(first), str(second), "--codebook",
                 str(corpora / "codebook.yml"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Agreement of ann (A) with ben (B) on 400 answers" in result.output
    assert "kappa (95% CI)" in result.output and f"Wrote {out}" in result.output
    written = pd.read_csv(out)
    expected = agree([read_coding(first), read_coding(second)]).table
    assert written["theme"].tolist() == expected["theme"].tolist()
    assert np.allclose(written["kappa"], expected["kappa"], equal_nan=True)
    assert np.allclose(written["alpha_low"], expected["alpha_low"], equal_nan=True)
    flagged = written.loc[written["flag"], "theme"].tolist()
    for theme in flagged:
        assert theme in result.output.split("below 0.6:")[1]


def test_agree_json_for_scripts(two_coders: tuple[Path, Path]) -> None:
    result = run("agree", *map(str, two_coders), "--json", "--resamples", "200")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["codings"] == ["ann", "ben"] and summary["only_in"] == {"ann": 0, "ben": 0}
    pooled = summary["themes"][-1]
    assert pooled["theme"] == ALL and pooled["n"] == 400
    assert pooled["kappa_low"] < pooled["kappa"] < pooled["kappa_high"]
    assert "200 resamples" in summary["interval"]


def test_agree_of_three_codings_reports_alpha(two_coders: tuple[Path, Path],
                                              tmp_path: Path) -> None:
    third = tmp_path / "cid.csv"
    pd.read_csv(two_coders[0], dtype=str).iloc[:150].to_csv(third, index=False)
    result = run("agree", *map(str, two_coders), str(third), "--json")
    summary = json.loads(result.output)
    assert summary["codings"] == ["ann", "ben", "cid"]
    assert "alpha" in summary["themes"][0] and "kappa" not in summary["themes"][0]


@pytest.mark.parametrize(("change", "message"), [
    ({"columns": {"encryption": "encryptoin"}},
     "theme(s) 'encryptoin' are not in the codebook (did you mean 'encryption'?)"),
    ({"cell": ("encryption", 2, "2")},
     "column 'encryption' has '2' on data row 3; codes must be 0 or 1"),
    ({"cell": ("darknet", 4, "x")}, "column 'darknet' has 'x' on data row 5"),
    ({"cell": ("response_id", 1, "")}, "id column 'response_id' is empty on 1 row(s)"),
])
def test_agree_refuses_bad_codings_with_one_line(corpora: Path, tmp_path: Path,
                                                 change: dict[str, object],
                                                 message: str) -> None:
    bad = tmp_path / "bad.csv"
    table = pd.read_csv(corpora / "hand_coded.csv", dtype=str)
    if "columns" in change:
        table = table.rename(columns=change["columns"])  # type: ignore[arg-type]
    else:
        column, row, value = change["cell"]  # type: ignore[misc]
        table.loc[row, column] = value
    table.to_csv(bad, index=False)
    result = run("agree", str(bad), str(corpora / "hand_coded.csv"), "--codebook",
                 str(corpora / "codebook.yml"))
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_agree_needs_two_codings(corpora: Path) -> None:
    result = run("agree", str(corpora / "hand_coded.csv"))
    assert result.exit_code == 2 and "two or more codings" in result.output


def test_disagreements_sheet_lists_disputes_first_and_reads_back_once_settled(
        two_coders: tuple[Path, Path], corpora: Path, tmp_path: Path) -> None:
    first, second = two_coders
    # answer texts from the survey files, one of them with an e-mail address to redact
    survey = pd.read_csv(corpora / "police_2017.csv", encoding="cp1252", dtype=str)
    out = tmp_path / "adjudicate.xlsx"
    police = ["--responses", str(corpora / "police_2017.csv"), "--text", "tech=Q4",
              "--text", "help=Q5", "--id", "ResponseId"]
    ids_2017 = {f"{respondent}:{question}" for respondent in survey["ResponseId"]
                for question in ("tech", "help")}
    hand = pd.read_csv(first, dtype={"response_id": str})
    in_2017 = hand[hand["response_id"].isin(ids_2017)]
    first_2017, second_2017 = tmp_path / "ann17.csv", tmp_path / "ben17.csv"
    in_2017.to_csv(first_2017, index=False)
    pd.read_excel(second, dtype={"response_id": str}).pipe(
        lambda table: table[table["response_id"].isin(ids_2017)]).to_csv(second_2017,
                                                                         index=False)
    result = run("disagreements", str(first_2017), str(second_2017), "-o", str(out),
                 "--codebook", str(corpora / "codebook.yml"), *police)
    assert result.exit_code == 0, result.output
    sheet = pd.read_excel(out, dtype=object)
    disputed = sheet["to_settle"].fillna("").astype(str) != ""
    n_disputed = int(disputed.sum())
    assert n_disputed > 0 and disputed.iloc[:n_disputed].all() and not disputed.iloc[
        n_disputed:].any()
    assert f"{n_disputed} of the {len(in_2017)} answers" in result.output
    assert len(sheet) == len(in_2017)
    # disputed cells are blank and yellow; agreed ones are filled in
    book = openpyxl.load_workbook(out)
    codes = book["codes"]
    header = [cell.value for cell in codes[1]]
    row = 2
    for theme in str(sheet.loc[0, "to_settle"]).split(", "):
        cell = codes.cell(row=row, column=header.index(theme) + 1)
        assert cell.value is None and cell.fill.fgColor.rgb.endswith("FFFF00")
    # an unsettled row is not a coding yet
    assert read_coding(out).not_coded == tuple(sheet.loc[disputed, "response_id"])
    # the adjudicator settles each dispute with the first coder's code
    truth = in_2017.set_index("response_id")
    for position in range(n_disputed):
        answer = codes.cell(row=position + 2, column=1).value
        for theme in str(sheet.loc[position, "to_settle"]).split(", "):
            codes.cell(row=position + 2, column=header.index(theme) + 1).value = int(
                truth.loc[answer, theme])
    book.save(out)
    settled = read_coding(out)
    assert settled.not_coded == ()
    assert settled.codes.sort_index().equals(truth.sort_index()[settled.themes])


def test_disagreements_redact_the_answers_they_show(corpora: Path, tmp_path: Path) -> None:
    survey = tmp_path / "survey.csv"
    pd.DataFrame({"id": ["1", "2"], "answer": [f"Mail {EMAIL} about bitcoin", "Tor"]}).to_csv(
        survey, index=False)
    pd.DataFrame({"response_id": ["1", "2"], "crypto": [1, 0]}).to_csv(tmp_path / "a.csv",
                                                                       index=False)
    pd.DataFrame({"response_id": ["1", "2"], "crypto": [0, 0]}).to_csv(tmp_path / "b.csv",
                                                                       index=False)
    out = tmp_path / "adjudicate.csv"
    result = run("disagreements", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "-o",
                 str(out), "--responses", str(survey), "--text", "answer", "--id", "id")
    assert result.exit_code == 0, result.output
    written = out.read_text(encoding="utf-8")
    assert EMAIL not in written and "bitcoin" in written


def test_disagreements_without_answer_texts_say_how_to_give_them(
        corpora: Path, tmp_path: Path) -> None:
    out = tmp_path / "adjudicate.xlsx"
    result = run("disagreements", str(corpora / "hand_coded.csv"),
                 str(corpora / "hand_coded.csv"), "-o", str(out))
    assert result.exit_code == 2 and "--responses" in result.output and not out.exists()
