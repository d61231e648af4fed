"""The hand-coding loop of the README, end to end on the sample project: draw a sample,
two people code it in a spreadsheet, read back, agree, adjudicate, retrain, draw again."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from openends.cli import app
from openends.coding.codings import read_coding

pytestmark = pytest.mark.slow


def run(*arguments: str) -> Result:
    result = CliRunner().invoke(app, list(arguments), env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    return result


def code_in_spreadsheet(sheet: Path, out: Path, truth: pd.DataFrame, flip: float,
                        seed: int) -> None:
    """A person codes the sheet in Excel: types 0/1 under each theme (with mistakes)."""
    rng = np.random.default_rng(seed)
    book = openpyxl.load_workbook(sheet)
    codes = book["codes"]
    header = [cell.value for cell in codes[1]]
    for row in range(2, codes.max_row + 1):
        answer = codes.cell(row=row, column=1).value
        for column, theme in enumerate(header, start=1):
            if theme in truth.columns:
                value = int(truth.at[answer, theme])
                codes.cell(row=row, column=column).value = 1 - value if rng.random() < flip \
                    else value
    book.save(out)


def test_sample_code_agree_adjudicate_retrain(corpora: Path, tmp_path: Path) -> None:
    survey = [str(corpora / "police_2017.csv"), "--text", "tech=Q4", "--text", "help=Q5",
              "--id", "ResponseId"]
    codebook = ["--codebook", str(corpora / "codebook.yml")]
    sheet, ann, ben = tmp_path / "sheet.xlsx", tmp_path / "ann.xlsx", tmp_path / "ben.xlsx"
    run("sample", *survey, "--n", "300", "--seed", "1", *codebook, "-o", str(sheet))

    # what the coders see as the truth: the codebook's rule codes of these answers
    run("code", *survey, *codebook, "--no-semantic", "--wide", "-o", str(tmp_path / "t.csv"))
    truth = pd.read_csv(tmp_path / "t.csv", dtype={"response_id": str}).set_index(
        "response_id")
    code_in_spreadsheet(sheet, ann, truth, flip=0.0, seed=0)
    code_in_spreadsheet(sheet, ben, truth, flip=0.02, seed=1)

    summary = json.loads(run("agree", str(ann), str(ben), *codebook, "--json").output)
    pooled = summary["themes"][-1]
    assert pooled["n"] == 300 and 0.5 < pooled["kappa"] < 1.0
    # the README quotes this run: pooled kappa 0.83 (0.80, 0.85), 154 codes to settle
    assert (round(pooled["kappa"], 2), round(pooled["kappa_low"], 2),
            round(pooled["kappa_high"], 2)) == (0.83, 0.80, 0.85)

    adjudicate = tmp_path / "adjudicate.xlsx"
    found = json.loads(run("disagreements", str(ann), str(ben), *codebook, "-o",
                           str(adjudicate), "--json").output)
    assert found["answers_to_settle"] == 122 and found["codes_to_settle"] == 154
    assert found["rows"] == 300
    assert len(read_coding(adjudicate).not_coded) == found["answers_to_settle"]

    # the third person settles every highlighted cell
    book = openpyxl.load_workbook(adjudicate)
    codes = book["codes"]
    header = [cell.value for cell in codes[1]]
    for row in range(2, codes.max_row + 1):
        answer = codes.cell(row=row, column=1).value
        settle = codes.cell(row=row, column=header.index("to_settle") + 1).value or ""
        for theme in filter(None, (part.strip() for part in settle.split(","))):
            codes.cell(row=row, column=header.index(theme) + 1).value = int(
                truth.at[answer, theme])
    book.save(adjudicate)
    settled = read_coding(adjudicate)
    assert settled.not_coded == () and len(settled.codes) == 300
    agreed = json.loads(run("agree", str(adjudicate), str(ann), "--json").output)
    assert agreed["themes"][-1]["agreement"] == 1.0

    model = tmp_path / "model"
    trained = json.loads(run("train", *survey, "--labels", str(adjudicate), "--embedder",
                             "none", "-o", str(model), "--json").output)
    assert trained["trained_on"] == 300 and "encryption" in trained["themes"]
    assert trained["labels_not_coded"] == 0

    again = tmp_path / "round2.xlsx"
    drawn = json.loads(run("sample", *survey, "--n", "40", "--strategy", "uncertain",
                           "--model", str(model), "--exclude", str(adjudicate), *codebook,
                           "-o", str(again), "--json").output)
    assert drawn["drawn"] == 40 and drawn["excluded"] == 300
    second_round = set(pd.read_excel(again, dtype=str)["response_id"])
    assert not second_round & set(settled.codes.index)
