"""Every supported format and encoding reads back exactly what was written."""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from openends.io import read_responses

ENCODED_CSVS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-sig": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16-le-bom": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16-be-bom": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "utf-16-le": lambda text: text.encode("utf-16-le"),
    "utf-16-be": lambda text: text.encode("utf-16-be"),
    "cp1252": lambda text: text.encode("cp1252"),
}
# The codec name each file is decoded with (a BOM-marked UTF-16 file lets the codec read it).
DETECTED_AS = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "utf-16-le-bom": "utf-16",
               "utf-16-be-bom": "utf-16", "utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be",
               "cp1252": "cp1252"}


def _check(responses: pd.DataFrame, frame: pd.DataFrame) -> None:
    assert responses["response_id"].tolist() == frame["id"].tolist()
    assert responses["text"].tolist() == frame["tech"].tolist()
    assert responses["region"].astype(str).tolist() == frame["region"].tolist()


@pytest.mark.parametrize("encoding", sorted(ENCODED_CSVS))
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimited_text_in_every_encoding(tmp_path: Path, survey_frame: pd.DataFrame,
                                          encoding: str, delimiter: str) -> None:
    text = survey_frame.to_csv(index=False, sep=delimiter, lineterminator="\r\n")
    path = tmp_path / "wave.csv"
    path.write_bytes(ENCODED_CSVS[encoding](text))
    responses, info = read_responses(path, text="tech", id="id", attrs=["region"])
    _check(responses, survey_frame)
    assert info.delimiter == delimiter
    assert info.encoding == DETECTED_AS[encoding]


def test_tsv_extension_means_tab(tmp_path: Path, survey_frame: pd.DataFrame) -> None:
    path = tmp_path / "wave.tsv"
    survey_frame.to_csv(path, sep="\t", index=False)
    responses, info = read_responses(path, text="tech", id="id", attrs="region")
    _check(responses, survey_frame)
    assert info.format == "tsv"


def test_xlsx_chosen_sheet(tmp_path: Path, survey_frame: pd.DataFrame) -> None:
    path = tmp_path / "wave.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"note": ["about this file"]}).to_excel(writer, sheet_name="About",
                                                              index=False)
        survey_frame.to_excel(writer, sheet_name="Responses", index=False)
    responses, info = read_responses(path, text="tech", id="id", attrs=["region"],
                                     sheet="Responses")
    _check(responses, survey_frame)
    assert info.sheets == ("About", "Responses")
    assert info.sheet == "Responses"


def test_parquet_and_jsonl(tmp_path: Path, survey_frame: pd.DataFrame) -> None:
    parquet, jsonl = tmp_path / "wave.parquet", tmp_path / "wave.jsonl"
    survey_frame.to_parquet(parquet, index=False)
    survey_frame.to_json(jsonl, orient="records", lines=True, force_ascii=False)
    for path in (parquet, jsonl):
        responses, _ = read_responses(path, text="tech", id="id", attrs=["region"])
        _check(responses, survey_frame)


def test_spss_value_labels_are_applied(tmp_path: Path, survey_frame: pd.DataFrame) -> None:
    coded = survey_frame.assign(region=survey_frame["region"].map({"North": 1, "South": 2}))
    path = tmp_path / "wave.sav"
    pyreadstat.write_sav(coded, str(path), variable_value_labels={"region": {1: "North",
                                                                             2: "South"}},
                         column_labels={"tech": "What changed?"})
    responses, info = read_responses(path, text="tech", id="id", attrs=["region"])
    _check(responses, survey_frame)
    assert info.value_labels == ("region",)
    assert info.column_labels["tech"] == "What changed?"


def test_stata(tmp_path: Path, survey_frame: pd.DataFrame) -> None:
    path = tmp_path / "wave.dta"
    frame = survey_frame.assign(tech=survey_frame["tech"].str.replace("€", "EUR"))
    pyreadstat.write_dta(frame, str(path))
    responses, info = read_responses(path, text="tech", id="id", attrs=["region"])
    assert info.format == "dta"
    assert responses["text"].tolist() == frame["tech"].tolist()


def test_several_questions_give_a_long_table(tmp_path: Path, survey_frame: pd.DataFrame) -> None:
    path = tmp_path / "wave.csv"
    survey_frame.to_csv(path, index=False)
    responses, _ = read_responses(path, text={"tech": "tech", "help": "help"}, id="id",
                                  attrs={"area": "region"})
    assert len(responses) == 2 * len(survey_frame)
    first = survey_frame.iloc[0]
    assert responses.iloc[0][["response_id", "respondent_id", "question", "text", "area"]].tolist(
    ) == [f"{first['id']}:tech", first["id"], "tech", first["tech"], first["region"]]
    assert responses.iloc[1]["response_id"] == f"{first['id']}:help"
    assert responses.iloc[1]["text"] == first["help"]
    assert responses["response_id"].is_unique


def test_rows_without_id_are_numbered_from_one(tmp_path: Path,
                                               survey_frame: pd.DataFrame) -> None:
    path = tmp_path / "wave.csv"
    survey_frame.to_csv(path, index=False)
    responses, _ = read_responses(path, text="tech")
    assert responses["response_id"].tolist() == [
        f"wave.csv:{row}" for row in range(1, len(survey_frame) + 1)]
    assert set(responses["source"]) == {"wave.csv"}
