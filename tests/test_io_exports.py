"""Real-export quirks: Qualtrics header rows, embedded newlines, "NA" answers, row order."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd
import pytest

from openends.io import read_responses, read_table

QUALTRICS_NAMES = ["StartDate", "ResponseId", "Q1", "Q2_TEXT"]
QUESTION_ROW = ["Start Date", "Response ID", "Country", "What changes have you seen?"]
IMPORT_ROW = [json.dumps({"ImportId": key}) for key in
              ("startDate", "_recordId", "QID1", "QID2_TEXT")]
DATA = [
    ["2019-03-01 10:00:00", "R_1", "Sweden", "More encrypted phones,\nand more of them"],
    ["2019-03-01 11:00:00", "R_2", "Norway", "Bitcoin"],
]


def _write_rows(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> None:
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    frame.to_csv(path, index=False, encoding=encoding)


@pytest.mark.parametrize("header_rows", [[QUESTION_ROW, IMPORT_ROW], [QUESTION_ROW]],
                         ids=["current", "legacy"])
def test_qualtrics_header_rows_are_skipped(tmp_path: Path, header_rows: list[list[str]]) -> None:
    path = tmp_path / "export.csv"
    _write_rows(path, [QUALTRICS_NAMES, *header_rows, *DATA], encoding="cp1252")
    responses, info = read_responses(path, text="Q2_TEXT", id="ResponseId", attrs=["Q1"])
    assert info.qualtrics and info.header_rows_skipped == len(header_rows)
    assert responses["response_id"].tolist() == ["R_1", "R_2"]
    assert responses["text"].tolist() == [DATA[0][3], DATA[1][3]]
    assert info.column_labels["Q2_TEXT"] == "What changes have you seen?"


def test_ordinary_files_are_not_taken_for_qualtrics(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    _write_rows(path, [["id", "answer"], ["1", "Start Date"], ["2", '{"ImportId" is a word']])
    table, info = read_table(path)
    assert not info.qualtrics and len(table) == 2


def test_embedded_newlines_stay_inside_one_answer(tmp_path: Path) -> None:
    path = tmp_path / "wave.csv"
    path.write_text('id,answer\n1,"line one\nline two\r\nline three"\n2,plain\n',
                    encoding="utf-8")
    responses, _ = read_responses(path, text="answer", id="id")
    assert len(responses) == 2
    assert responses["text"].iloc[0].splitlines() == ["line one", "line two", "line three"]


def test_non_answers_stay_text_not_missing(tmp_path: Path) -> None:
    path = tmp_path / "wave.csv"
    path.write_text("id,answer\n1,NA\n2,N/A\n3,\n4,null\n5,None\n", encoding="utf-8")
    responses, _ = read_responses(path, text="answer", id="id")
    assert responses["text"].tolist() == ["NA", "N/A", "", "null", "None"]


def test_single_column_blank_lines_are_empty_answers(tmp_path: Path) -> None:
    path = tmp_path / "answers.txt"
    path.write_text("answer\nEncryption\n\nBitcoin\n", encoding="utf-8")
    responses, _ = read_responses(path, text="answer")
    assert responses["text"].tolist() == ["Encryption", "", "Bitcoin"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".jsonl"])
def test_reading_never_drops_or_reorders_rows(tmp_path: Path, suffix: str) -> None:
    rng = random.Random(7)
    alphabet = "abc åäö,;\"'\n\t-.€"
    n = 400
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(n)]
    texts = [text.replace("\t", " ") if suffix == ".xlsx" else text for text in texts]
    frame = pd.DataFrame({"id": [f"id{rng.randrange(10**9):09d}x{index}" for index in range(n)],
                          "answer": texts})
    path = tmp_path / f"wave{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    responses, info = read_responses(path, text="answer", id="id")
    assert info.n_rows == n == len(responses)
    assert responses["response_id"].tolist() == frame["id"].tolist()
    expected = [text.replace("\r\n", "\n") for text in texts]
    assert [text.replace("\r\n", "\n") for text in responses["text"]] == expected


def test_written_tables_are_readable_like_any_output_file(tmp_path: Path) -> None:
    import os

    from openends.io import write_table

    previous = os.umask(0o022)
    try:
        path = write_table(pd.DataFrame({"a": [1]}), tmp_path / "out.csv")
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_workbook_exports_store_formula_like_text_as_text(tmp_path: Path) -> None:
    import openpyxl

    from openends.io import write_table

    table = pd.DataFrame({"theme": ['=HYPERLINK("http://x","y")', "+1", "@cmd"],
                          "n": [1, 2, 3]})
    path = write_table(table, tmp_path / "out.xlsx")
    cells = [cell for row in openpyxl.load_workbook(path).active.iter_rows() for cell in row]
    assert not [cell for cell in cells if cell.data_type == "f"]
    assert pd.read_excel(path)["theme"].tolist() == table["theme"].tolist()
