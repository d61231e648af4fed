"""Coding sheets: the workbook's layout and help, no formula ever, CSV neutralised, atomic."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.cell_range import MultiCellRange

from openends.coding.codebook import Codebook, load_codebook
from openends.errors import InputFileError
from openends.io import read_table
from openends.sheets import (
    CODEBOOK_SHEET,
    CODES_SHEET,
    HOW_TO_SHEET,
    neutralise,
    restore,
    sheet_table,
    write_coding_sheet,
)

THEMES = ["encryption", "cryptocurrency", "more_resources"]
FORMULAS = ["=1+1", "+SUM(A1)", "-2", "@cmd", '=HYPERLINK("http://x")', "\tTab"]
UNITS = ["=A1", "+1", "-", "@x", "=B2", "-3"]  # context values are stripped, so no tab


def sheet(answers: list[str], context: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """A sheet table as ``sheet_table`` lays it out, with ``answers``."""
    cleaned = pd.DataFrame({"response_id": [f"r{row}" for row in range(len(answers))],
                            "status": "ok", "text": answers, "redacted_text": answers,
                            **(context or {})})
    return sheet_table(cleaned, cleaned.index, THEMES, list(context or {}))


@pytest.fixture
def codebook(corpora: Path) -> Codebook:
    return load_codebook(corpora / "codebook.yml")


def test_workbook_layout(tmp_path: Path, codebook: Codebook) -> None:
    themes = codebook.ids
    cleaned = pd.DataFrame({"response_id": ["a", "b", "c"], "status": "ok",
                            "redacted_text": ["Encrypted phones", "More staff", "Bitcoin"],
                            "wave": ["2017", "2018", ""]})
    table = sheet_table(cleaned, [0, 1, 2], themes, ["wave"])
    out = write_coding_sheet(table, tmp_path / "new" / "folder" / "sheet.xlsx", themes=themes,
                             codebook=codebook)
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == [CODES_SHEET, CODEBOOK_SHEET, HOW_TO_SHEET]
    codes = workbook[CODES_SHEET]
    header = [cell.value for cell in codes[1]]
    assert header == ["response_id", "wave", "answer", *themes, "note"]
    assert all(cell.font.bold for cell in codes[1])
    assert codes.freeze_panes == "B2"  # the header row and the ids stay in view
    assert codes.auto_filter.ref == f"A1:{codes.cell(1, len(header)).column_letter}4"
    assert [codes.cell(row, 1).value for row in (2, 3, 4)] == ["a", "b", "c"]
    assert codes["B4"].value is None  # a blank context value stays blank
    answer = codes.column_dimensions["C"]
    assert answer.width >= 60 and all(codes.cell(row, 3).alignment.wrap_text
                                      for row in (2, 3, 4))
    assert codes.cell(2, 3).alignment.vertical == "top"
    validations = codes.data_validations.dataValidation
    for number in range(4, 4 + len(themes)):
        letter = codes.cell(1, number).column_letter
        covering = [rule for rule in validations
                    if f"{letter}2:{letter}4" in MultiCellRange(str(rule.sqref))]
        assert len(covering) == 1, letter
        rule = covering[0]
        assert rule.type == "list" and rule.formula1 == '"0,1"' and rule.showErrorMessage
        assert rule.errorStyle == "stop" and "Type 1" in rule.error
        assert codes.column_dimensions[letter].width <= 8
        assert codes.cell(2, number).alignment.horizontal == "center"
    assert codes["D1"].comment is not None and "Encryption" in codes["D1"].comment.text
    rows = list(workbook[CODEBOOK_SHEET].iter_rows(values_only=True))
    assert rows[0] == ("theme", "label", "parent", "description", "include", "exclude",
                       "examples")
    assert [row[0] for row in rows[1:]] == codebook.ids
    monero = dict(zip(rows[0], rows[1 + codebook.ids.index("cryptocurrency")], strict=True))
    assert monero["include"].startswith("bitcoin*; monero") and monero["exclude"] == "cryptograph*"
    how_to = " ".join(str(row[0]) for row in workbook[HOW_TO_SHEET].iter_rows(values_only=True))
    assert "type 1" in how_to and "all blank counts as not coded yet" in how_to
    assert "do not edit response_id" in how_to


def test_without_a_codebook_the_codebook_sheet_lists_the_themes(tmp_path: Path) -> None:
    out = write_coding_sheet(sheet(["More staff"]), tmp_path / "sheet.xlsx", themes=THEMES)
    rows = list(openpyxl.load_workbook(out)[CODEBOOK_SHEET].iter_rows(values_only=True))
    assert rows == [("theme",), *((theme,) for theme in THEMES)]


def test_codes_are_written_as_numbers_and_read_back(tmp_path: Path) -> None:
    table = sheet(["Encrypted phones", "More staff", "Nothing"])
    table["encryption"] = [1, 0.0, None]
    table["more_resources"] = [None, True, float("nan")]
    out = write_coding_sheet(table, tmp_path / "sheet.xlsx", themes=THEMES)
    codes = openpyxl.load_workbook(out)[CODES_SHEET]
    assert [codes.cell(row, 3).value for row in (2, 3, 4)] == [1, 0, None]
    assert [codes.cell(row, 5).value for row in (2, 3, 4)] == [None, 1, None]
    written = write_coding_sheet(table, tmp_path / "sheet.csv", themes=THEMES)
    assert written.read_text(encoding="utf-8").splitlines()[1:] == [
        "r0,Encrypted phones,1,,,", "r1,More staff,0,,1,", "r2,Nothing,,,,"]
    table["encryption"] = [2, 0, None]
    with pytest.raises(ValueError, match="'encryption' holds 2"):
        write_coding_sheet(table, tmp_path / "bad.xlsx", themes=THEMES)
    assert not (tmp_path / "bad.xlsx").exists()


def test_no_cell_of_a_workbook_is_ever_a_formula(tmp_path: Path) -> None:
    answers = [*FORMULAS, "#N/A"]  # an error value, not text, unless typed as text
    table = sheet(answers, {"unit": [*UNITS, "#REF!"]})
    table["note"] = list(reversed(answers))
    table.loc[0, "response_id"] = "=cmd|' /C calc'!A0"
    out = write_coding_sheet(table, tmp_path / "sheet.xlsx", themes=THEMES)
    workbook = openpyxl.load_workbook(out)
    for worksheet in workbook:
        for row in worksheet.iter_rows():
            assert all(cell.data_type not in {"f", "e"} for cell in row)
    codes = workbook[CODES_SHEET]
    rows = range(2, 2 + len(answers))
    assert [codes.cell(row, 3).value for row in rows] == answers
    assert [codes.cell(row, 2).value for row in rows] == [*UNITS, "#REF!"]
    assert [codes.cell(row, 7).value for row in rows] == list(reversed(answers))
    assert codes["A2"].value == "=cmd|' /C calc'!A0"
    # the reader the other commands use sees the same text
    read, _ = read_table(out)
    assert read["answer"].tolist() == answers


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_delimited_sheets_neutralise_text_that_starts_like_a_formula(
        tmp_path: Path, suffix: str) -> None:
    table = sheet(FORMULAS, {"unit": UNITS})
    out = write_coding_sheet(table, tmp_path / f"sheet{suffix}", themes=THEMES)
    read = pd.read_csv(out, sep="\t" if suffix == ".tsv" else ",", dtype=str,
                       keep_default_na=False)
    assert list(read.columns) == ["response_id", "unit", "answer", *THEMES, "note"]
    for column, texts in (("unit", UNITS), ("answer", FORMULAS)):
        assert all(value.startswith("'") for value in read[column])
        assert [restore(value) for value in read[column]] == texts
    assert (read[THEMES] == "").all().all()
    assert not any(path.name.startswith(".") for path in tmp_path.iterdir())


@pytest.mark.parametrize("text", [
    "", "'", "''", "'=x", "''=x", "'tis", "=", "==", "a=b", "-", "--", " =1", "@", "@@x",
    "\t", "\r\n", "'\t", "Encryption", "ÅÄÖ =", "+46 70 123 45 67", "'+", "'''-2", "\n=1"])
def test_restore_undoes_neutralise(text: str) -> None:
    safe = neutralise(text)
    assert restore(safe) == text
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert safe in {text, "'" + text}


def test_highlighted_cells_are_filled_yellow(tmp_path: Path) -> None:
    table = sheet(["Encrypted phones", "More staff"])
    highlight = pd.DataFrame({"encryption": [True, False], "more_resources": [False, True]},
                             index=table.index)
    out = write_coding_sheet(table, tmp_path / "adjudicate.xlsx", themes=THEMES,
                             highlight=highlight)
    codes = openpyxl.load_workbook(out)[CODES_SHEET]
    filled = {(cell.row, codes.cell(1, cell.column).value) for row in codes.iter_rows()
              for cell in row if cell.fill.fill_type == "solid"}
    assert filled == {(2, "encryption"), (3, "more_resources")}
    assert codes["C2"].fill.fgColor.rgb.endswith("FFFF00")
    with pytest.raises(ValueError, match="not themes: answer"):
        write_coding_sheet(table, tmp_path / "bad.xlsx", themes=THEMES,
                           highlight=pd.DataFrame({"answer": [True, True]}))


def test_other_extensions_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"sheet\.ods: cannot write a coding sheet as "
                                             r"\.ods; use one of \.xlsx, \.csv, \.tsv"):
        write_coding_sheet(sheet(["x"]), tmp_path / "sheet.ods", themes=THEMES)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["sheet.xlsx", "sheet.csv"])
def test_a_failed_write_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              name: str) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", fail)
    monkeypatch.setattr(pd.DataFrame, "to_csv", fail)
    with pytest.raises(OSError, match="disk full"):
        write_coding_sheet(sheet(["More staff"]), tmp_path / name, themes=THEMES)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_keeps_the_old_sheet(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    out = write_coding_sheet(sheet(["More staff"]), tmp_path / "sheet.xlsx", themes=THEMES)
    before = out.read_bytes()

    def fail(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(openpyxl.Workbook, "save", fail)
    with pytest.raises(KeyboardInterrupt):
        write_coding_sheet(sheet(["Other"]), out, themes=THEMES)
    assert out.read_bytes() == before and [path.name for path in tmp_path.iterdir()] == [
        "sheet.xlsx"]


def test_sheet_table_shows_the_redacted_text() -> None:
    cleaned = pd.DataFrame({"response_id": ["a", "b"], "status": ["ok", "ok"],
                            "text": ["Mail anna@example.org", "More staff"],
                            "redacted_text": ["Mail [EMAIL]", "More staff"]})
    table = sheet_table(cleaned, pd.Index([1, 0]), THEMES, [])
    assert table["answer"].tolist() == ["More staff", "Mail [EMAIL]"]
    assert table["response_id"].tolist() == ["b", "a"]
    assert table[THEMES].isna().all().all() and table["note"].isna().all()
