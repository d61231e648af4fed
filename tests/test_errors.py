"""Bad input ends with one clear line and exit status 2, through the library and the CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from openends.cli import app
from openends.errors import (
    DuplicateIdError,
    InputFileError,
    MissingIdError,
    SheetNotFoundError,
    UnknownColumnError,
)
from openends.io import read_responses

runner = CliRunner()


def _csv(tmp_path: Path, text: str, name: str = "wave.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, dict, type, str]]:
    """name -> (file, read_responses arguments, error type, part of the message)."""
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 8)
    empty = _csv(tmp_path, "", "empty.csv")
    blank = _csv(tmp_path, "\n \n", "blank.csv")
    header = _csv(tmp_path, "id,answer\n", "header.csv")
    good = _csv(tmp_path, "id,Answer\n1,Encryption\n2,Bitcoin\n3,Tor\n", "good.csv")
    duplicated = _csv(tmp_path, "id,answer\n1,a\n2,b\n1,c\n", "dup.csv")
    no_id = _csv(tmp_path, "id,answer\n1,a\n,b\n", "noid.csv")
    workbook = tmp_path / "book.xlsx"
    pd.DataFrame({"answer": ["a"]}).to_excel(workbook, sheet_name="Responses", index=False)
    fake_workbook = _csv(tmp_path, "not a workbook", "fake.xlsx")
    return {
        "missing": (tmp_path / "nowhere.csv", {"text": "answer"}, InputFileError,
                    "file not found"),
        "folder": (tmp_path, {"text": "answer"}, InputFileError, "is a folder"),
        "binary": (binary, {"text": "answer"}, InputFileError, "binary"),
        "empty": (empty, {"text": "answer"}, InputFileError, "is empty"),
        "blank": (blank, {"text": "answer"}, InputFileError, "is empty"),
        "header only": (header, {"text": "answer"}, InputFileError, "no data rows"),
        "unknown column": (good, {"text": "answer"}, UnknownColumnError,
                           "did you mean 'Answer'? Available columns: 'id', 'Answer'"),
        "unknown id column": (good, {"text": "Answer", "id": "ids"}, UnknownColumnError,
                              "no column 'ids'; did you mean 'id'?"),
        "duplicate ids": (duplicated, {"text": "answer", "id": "id"}, DuplicateIdError,
                          "'1' on rows 1, 3"),
        "missing ids": (no_id, {"text": "answer", "id": "id"}, MissingIdError,
                        "empty on 1 row(s) (e.g. rows 2)"),
        "missing sheet": (workbook, {"text": "answer", "sheet": "Respones"},
                          SheetNotFoundError, "did you mean 'Responses'?"),
        "not a workbook": (fake_workbook, {"text": "answer"}, InputFileError,
                           "not a valid Excel workbook"),
    }


CASES = ["missing", "folder", "binary", "empty", "blank", "header only", "unknown column",
         "unknown id column", "duplicate ids", "missing ids", "missing sheet", "not a workbook"]


@pytest.mark.parametrize("case", CASES)
def test_library_raises_a_clear_error(tmp_path: Path, case: str) -> None:
    path, arguments, error_type, message = _bad_inputs(tmp_path)[case]
    with pytest.raises(error_type) as raised:
        read_responses(path, **arguments)
    assert message in str(raised.value)
    assert path.name in str(raised.value)


@pytest.mark.parametrize("case", CASES)
def test_cli_prints_one_line_and_exits_2(tmp_path: Path, case: str) -> None:
    path, arguments, _, message = _bad_inputs(tmp_path)[case]
    sheet = ["--sheet", arguments["sheet"]] if "sheet" in arguments else []
    result = runner.invoke(app, ["inspect", str(path), *sheet])
    if case in {"unknown column", "unknown id column", "duplicate ids", "missing ids"}:
        assert result.exit_code == 0  # inspect does not choose columns; the file is fine
        return
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0]
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--debug", "inspect", str(tmp_path / "nowhere.csv")])
    assert result.exit_code != 0
    assert isinstance(result.exception, InputFileError)


def test_workbook_saved_as_csv_is_named(tmp_path: Path) -> None:
    path = tmp_path / "really.xlsx"
    pd.DataFrame({"answer": ["a"]}).to_excel(path, index=False)
    renamed = path.rename(tmp_path / "really.csv")
    with pytest.raises(InputFileError, match="looks like an Excel workbook"):
        read_responses(renamed, text="answer")


def test_sheet_on_a_csv_is_refused(tmp_path: Path) -> None:
    path = _csv(tmp_path, "answer\na\n")
    with pytest.raises(InputFileError, match="--sheet applies to Excel workbooks only"):
        read_responses(path, text="answer", sheet="Sheet1")


def test_old_xls_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(InputFileError, match=r"save it as \.xlsx"):
        read_responses(path, text="answer")
