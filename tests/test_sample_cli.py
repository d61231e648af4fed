"""``openends sample``: a coding sheet of ok answers, redacted, drawn as asked; bad input
fails with one line, exit status 2 and no file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from openends.cli import app
from openends.cli.common import read_cleaned
from openends.coding.base import CodingInput
from openends.coding.codebook import load_codebook
from openends.coding.store import load_trained_coder, save_trained_coder
from openends.coding.trained import TrainedCoder
from openends.io import read_table
from openends.sheets import CODEBOOK_SHEET, CODES_SHEET, restore

EMAIL = "anna.svensson@example.org"
WORDS = {"encryption": ["encrypted phones", "encryption", "encrypted apps"],
         "crypto": ["bitcoin", "monero payments", "crypto wallets"]}
FILLERS = ["we see", "more and more", "lately", "in many cases", "every year", "as usual",
           "for sure", "mostly"]


def police(corpora: Path) -> list[str]:
    return [str(corpora / "police_2017.csv"), "--text", "tech=Q4", "--text", "help=Q5",
            "--id", "ResponseId", "--attr", "country=Q1"]


def sample(*arguments: str) -> Result:
    return CliRunner().invoke(app, ["sample", *arguments], env={"COLUMNS": "200"})


@pytest.fixture
def survey(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """80 generated answers (one with an email address, a few empty) and noisy codes."""
    rng = np.random.default_rng(11)
    rows, codes = [], []
    for index in range(80):
        chosen = [theme for theme in WORDS if rng.random() < 0.45]
        parts = [str(rng.choice(WORDS[theme])) for theme in chosen]
        parts += [str(word) for word in rng.choice(FILLERS, size=3, replace=False)]
        rng.shuffle(parts)
        answer = " ".join(parts).capitalize() + f" (case {index})"
        if index == 5:
            answer = f"Write to me at {EMAIL}, {answer.lower()}"
        rows.append({"id": f"P{index:03d}", "wave": str(2017 + index % 3),
                     "answer": "" if index % 20 == 19 else answer})
        # some codes disagree with the words, so a coder is unsure of some answers
        codes.append({theme: int((theme in chosen) != (rng.random() < 0.15)) for theme in WORDS})
    path = tmp_path / "survey.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path, pd.DataFrame(codes)


def test_a_sheet_of_the_sample_project(corpora: Path, tmp_path: Path) -> None:
    out = tmp_path / "sheets" / "police.xlsx"
    result = sample(*police(corpora), "--n", "25", "--codebook",
                    str(corpora / "codebook.yml"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"Drew 25 of 887 ok answers at random -> {out}" in result.stdout
    assert f"Code it, then: openends agree {out} OTHER" in result.stdout
    themes = load_codebook(corpora / "codebook.yml").ids
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames[:2] == [CODES_SHEET, CODEBOOK_SHEET]
    sheet, _ = read_table(out)
    assert list(sheet.columns) == ["response_id", "question", "country", "answer", *themes,
                                   "note"]
    cleaned = read_cleaned(corpora / "police_2017.csv", text=["tech=Q4", "help=Q5"],
                           id="ResponseId", attrs=["country=Q1"], sheet=None).set_index(
                               "response_id")
    drawn = cleaned.loc[sheet["response_id"]]
    assert (drawn["status"] == "ok").all() and len(sheet) == 25
    assert sheet["answer"].tolist() == drawn["redacted_text"].tolist()
    assert sheet["question"].tolist() == drawn["question"].tolist()
    assert sheet[themes].isna().all().all()


def test_json_summary_stratified_and_the_same_draw_for_the_same_seed(
        corpora: Path, tmp_path: Path) -> None:
    arguments = [*police(corpora), "--n", "30", "--strategy", "stratified", "--by", "country",
                 "--codebook", str(corpora / "codebook.yml"), "--seed", "5", "--json"]
    first = sample(*arguments, "-o", str(tmp_path / "a.csv"))
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    assert summary["strategy"] == "stratified" and summary["by"] == ["country"]
    assert summary["drawn"] == 30 and summary["eligible"] == 887 and summary["seed"] == 5
    assert sum(summary["strata"].values()) == 30 and all(summary["strata"].values())
    assert summary["output"] == str(tmp_path / "a.csv")
    second = sample(*arguments, "-o", str(tmp_path / "b.csv"))
    assert second.exit_code == 0, second.output
    a, b = (read_table(tmp_path / name)[0] for name in ("a.csv", "b.csv"))
    assert a["response_id"].tolist() == b["response_id"].tolist()
    counts = a["country"].replace("", "(blank)").value_counts().to_dict()
    assert counts == {key: value for key, value in summary["strata"].items() if value}
    text = sample(*arguments[:-1], "-o", str(tmp_path / "c.xlsx"))
    assert "Drew 30 of 887 ok answers (stratified by country: Germany " in text.stdout


def test_answers_are_redacted_and_only_ok_answers_drawn(
        survey: tuple[Path, pd.DataFrame], tmp_path: Path) -> None:
    path, _ = survey
    for name in ("sheet.xlsx", "sheet.csv"):
        out = tmp_path / name
        result = sample(str(path), "--text", "answer", "--id", "id", "--attr", "wave",
                        "--n", "500", "--codebook", str(_codebook(tmp_path)), "-o", str(out))
        assert result.exit_code == 0, result.output
        assert "Drew all 76 ok answers (500 asked for)" in result.stdout
        sheet, _ = read_table(out)
        assert len(sheet) == 76 and "" not in set(sheet["answer"])
        assert list(sheet.columns) == ["response_id", "wave", "answer", "encryption",
                                       "crypto", "note"]
        written = "\n".join(sheet["answer"])
        assert "[EMAIL]" in written and EMAIL not in written and "svensson" not in written
    for worksheet in openpyxl.load_workbook(tmp_path / "sheet.xlsx"):
        for row in worksheet.iter_rows(values_only=True):
            assert not any(EMAIL in str(value) for value in row)


def _codebook(folder: Path) -> Path:
    path = folder / "codebook.yml"
    path.write_text("name: Tech\nthemes:\n"
                    "- {id: encryption, label: Encryption, description: Locked devices.}\n"
                    "- {id: crypto, label: Cryptocurrency}\n", encoding="utf-8")
    return path


def test_exclude_skips_answers_already_coded(corpora: Path, tmp_path: Path) -> None:
    coded = set(pd.read_csv(corpora / "hand_coded.csv", dtype=str)["response_id"])
    out = tmp_path / "more.csv"
    result = sample(*police(corpora), "--n", "2000", "--codebook",
                    str(corpora / "codebook.yml"), "--exclude", str(corpora / "hand_coded.csv"),
                    "-o", str(out), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    drawn = {restore(value) for value in read_table(out)[0]["response_id"]}
    assert summary["excluded"] > 0 and not drawn & coded
    assert summary["drawn"] == summary["eligible"] == 887 - summary["excluded"] == len(drawn)


def test_nothing_left_to_draw_is_an_error(survey: tuple[Path, pd.DataFrame],
                                          tmp_path: Path) -> None:
    path, _ = survey
    coded = tmp_path / "coded.csv"
    pd.DataFrame({"response_id": pd.read_csv(path)["id"]}).to_csv(coded, index=False)
    result = sample(str(path), "--text", "answer", "--id", "id", "--n", "5", "--codebook",
                    str(_codebook(tmp_path)), "--exclude", str(coded), "-o",
                    str(tmp_path / "sheet.xlsx"))
    assert result.exit_code == 2
    assert result.stderr == ("error: survey.csv: no ok answers left to draw (76 already "
                             "coded); nothing was written\n")
    assert not (tmp_path / "sheet.xlsx").exists()


def test_uncertain_draws_where_the_trained_coder_is_least_sure(
        survey: tuple[Path, pd.DataFrame], tmp_path: Path) -> None:
    path, codes = survey
    cleaned = read_cleaned(path, text=["answer"], id="id", attrs=None, sheet=None)
    answers = CodingInput.of(cleaned)
    coder = TrainedCoder(embedder=None, folds=3, min_examples=3).fit(
        answers.texts, codes.iloc[answers.positions].reset_index(drop=True))
    model = save_trained_coder(coder, tmp_path / "coder")
    out = tmp_path / "uncertain.xlsx"
    result = sample(str(path), "--text", "answer", "--id", "id", "--n", "10", "--strategy",
                    "uncertain", "--model", str(model), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Drew the 10 least certain of 76 ok answers" in result.stdout
    confidence = dict(zip(answers.ids, load_trained_coder(model).confidence(answers.texts),
                          strict=True))
    assert len(set(confidence.values())) > 10
    sheet, _ = read_table(out)
    drawn = set(sheet["response_id"])
    assert len(drawn) == 10
    assert max(confidence[id] for id in drawn) <= min(
        value for id, value in confidence.items() if id not in drawn)
    assert list(sheet.columns) == ["response_id", "answer", "encryption", "crypto", "note"]


BOOK = ["--codebook", "{corpora}/codebook.yml"]


@pytest.mark.parametrize(("arguments", "message"), [
    (["--n", "0", *BOOK], "the sample size must be at least 1, not 0"),
    (["--n", "5", "--strategy", "systematic", *BOOK], "unknown sampling strategy 'systematic'"),
    (["--n", "5", "--strategy", "stratified", *BOOK], "stratified sampling needs the column"),
    (["--n", "5", "--strategy", "stratified", "--by", "wave", *BOOK],
     "police_2017.csv: no column 'wave'"),
    (["--n", "5", "--strategy", "uncertain", *BOOK], "--strategy uncertain needs --model"),
    (["--n", "5", "--codebook", "{tmp}/missing.yml"], "missing.yml: codebook not found"),
    (["--n", "5"], "give --codebook (or --model) so the sheet has a column per theme"),
    (["--n", "5", *BOOK, "-o", "{tmp}/out/sheet.ods"],
     "sheet.ods: cannot write a coding sheet as .ods; use one of .xlsx, .csv, .tsv"),
    (["--n", "5", *BOOK, "--exclude", "{corpora}/employer_2018.csv"],
     "employer_2018.csv: no column 'response_id'"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
        corpora: Path, tmp_path: Path, arguments: list[str], message: str) -> None:
    filled = [argument.format(corpora=corpora, tmp=tmp_path) for argument in arguments]
    result = sample(*police(corpora), "-o", str(tmp_path / "out" / "sheet.xlsx"), *filled)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {message}") and result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_an_existing_sheet_is_kept_unless_forced(corpora: Path, tmp_path: Path) -> None:
    out = tmp_path / "sheet.csv"
    out.write_text("my codes\n", encoding="utf-8")
    arguments = [*police(corpora), "--n", "3", "--codebook", str(corpora / "codebook.yml"),
                 "-o", str(out)]
    result = sample(*arguments)
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"error: {out}: already exists; pass --force to "
                                     "overwrite it, or choose another -o path")
    assert out.read_text(encoding="utf-8") == "my codes\n"
    assert sample(*arguments, "--force").exit_code == 0
    assert len(read_table(out)[0]) == 3


def test_sample_is_built() -> None:
    result = CliRunner().invoke(app, ["sample", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "--strategy" in result.stdout
