"""Codings read back from sheets and codes files: layouts, blank rows, settled cells,
errors, and the long/wide codes of SPEC section 3."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from openends.coding.codings import Coding, read_coding
from openends.errors import LabelsError
from openends.sheets import write_coding_sheet


def sheet_frame() -> pd.DataFrame:
    return pd.DataFrame({"response_id": ["=r1", "r2", "r3", "r4"],
                         "wave": ["2017", "2018", "2018", "2019"],
                         "answer": ["=HYPERLINK(\"x\")", "Tor", "-", "Bitcoin"],
                         "tor": [None, None, None, None], "crypto": [None] * 4,
                         "note": [None] * 4})


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".tsv"])
def test_a_coded_sheet_reads_back_as_the_coder_left_it(tmp_path: Path, suffix: str) -> None:
    table = sheet_frame()
    table.loc[:, ["tor", "crypto"]] = [[0, None], [1, 0], [None, None], [None, 1]]
    path = write_coding_sheet(table, tmp_path / f"sheet{suffix}", themes=["tor", "crypto"])
    coding = read_coding(path)
    assert coding.name == "sheet" and coding.themes == ["tor", "crypto"]
    assert coding.codes.to_dict("index") == {"=r1": {"tor": 0, "crypto": 0},
                                             "r2": {"tor": 1, "crypto": 0},
                                             "r4": {"tor": 0, "crypto": 1}}
    assert coding.not_coded == ("r3",)  # every theme cell blank: not coded yet
    assert coding.answers["=r1"] == "=HYPERLINK(\"x\")" and coding.answers["r3"] == "-"


def test_long_and_wide_codes_of_a_coding_read_back_the_same(tmp_path: Path) -> None:
    coding = Coding("ann", pd.DataFrame({"tor": [1, 0, 1], "crypto": [1, 0, 0]},
                                        index=["a", "b", "c"]))
    long = coding.long()
    assert long.columns.tolist() == ["response_id", "theme", "score", "source", "evidence"]
    assert long.loc[long["response_id"] == "b", "theme"].tolist() == [""]
    long.to_csv(tmp_path / "long.csv", index=False)
    coding.wide().to_csv(tmp_path / "wide.csv", index=False)
    for name in ("long.csv", "wide.csv"):
        again = read_coding(tmp_path / name, themes=["tor", "crypto"])
        assert again.codes.equals(coding.codes), name


def test_a_workbooks_codebook_sheet_names_its_themes(tmp_path: Path) -> None:
    from openends.coding.codebook import parse_codebook

    book = parse_codebook({"name": "b", "themes": [
        {"id": "tor", "label": "Tor"}, {"id": "crypto", "label": "Crypto"}]})
    table = sheet_frame()
    table.loc[:, ["tor", "crypto"]] = 0
    path = write_coding_sheet(table, tmp_path / "sheet.xlsx", themes=["tor", "crypto"],
                              codebook=book)
    workbook = openpyxl.load_workbook(path)
    workbook["codes"].cell(row=1, column=4).value = "torr"  # a coder renames a column
    workbook.save(path)
    with pytest.raises(LabelsError, match=re.escape(
            "theme(s) 'torr' are not in the codebook (did you mean 'tor'?)")):
        read_coding(path)


def test_unsettled_adjudication_rows_are_not_coded(tmp_path: Path) -> None:
    table = pd.DataFrame({"response_id": ["a", "b"], "to_settle": ["tor", ""],
                          "answer": ["x", "y"], "tor": [None, 1], "crypto": [1, 0]})
    assert read_coding(table).not_coded == ("a",)
    table.loc[0, "tor"] = 0
    assert read_coding(table).codes.to_dict("list") == {"tor": [0, 1], "crypto": [1, 0]}
    table.loc[0, "to_settle"] = "vpn"
    with pytest.raises(LabelsError, match="'to_settle' names 'vpn' on data row 1"):
        read_coding(table)


def test_wide_codes_without_ids_are_numbered_by_row() -> None:
    coding = read_coding(pd.DataFrame({"tor": [1, 0, None]}))
    assert coding.positional and coding.codes.index.tolist() == ["#1", "#2"]
    assert coding.not_coded == ("#3",)


def test_ids_that_look_like_numbers_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("response_id,tor\n001,1\n002,0\n", encoding="utf-8")
    assert read_coding(path).codes.index.tolist() == ["001", "002"]


def test_answers_the_tool_did_not_code_are_not_coded(tmp_path: Path) -> None:
    wide = pd.DataFrame({"response_id": ["a", "b", "c"], "status": ["ok", "duplicate", "ok"],
                         "tor": [1, 0, 0], "decision": ["auto", "", "review"]})
    coding = read_coding(wide)
    assert coding.themes == ["tor"] and coding.not_coded == ("b",)
    long = pd.DataFrame({"response_id": ["a", "b", "c"], "theme": ["tor", "", ""],
                         "status": ["ok", "empty", "ok"]})
    coding = read_coding(long)
    assert coding.codes.index.tolist() == ["a", "c"] and coding.not_coded == ("b",)


def test_an_apostrophe_is_only_unquoted_in_delimited_files(tmp_path: Path) -> None:
    table = pd.DataFrame({"response_id": ["'=x"], "answer": ["'=y"], "tor": [1]})
    table.to_excel(tmp_path / "codes.xlsx", index=False)
    assert read_coding(tmp_path / "codes.xlsx").codes.index.tolist() == ["'=x"]
    table.to_csv(tmp_path / "codes.csv", index=False)
    assert read_coding(tmp_path / "codes.csv").codes.index.tolist() == ["=x"]


def test_the_codes_sheet_is_read_wherever_it_stands(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"comment": ["hi"]}).to_excel(writer, sheet_name="mine", index=False)
        pd.DataFrame({"response_id": ["a"], "tor": [1]}).to_excel(writer, sheet_name="codes",
                                                                  index=False)
    assert read_coding(path).codes.to_dict("list") == {"tor": [1]}
