"""Chunks from ``iter_responses`` are ``read_responses`` streamed: same table, info and errors."""

from __future__ import annotations

import codecs
import datetime
import json
import re
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pyarrow as pa
import pyreadstat
import pytest

from openends.errors import (
    ConfigError,
    DuplicateIdError,
    InputFileError,
    MissingIdError,
    OpenendsError,
    SheetNotFoundError,
    UnknownColumnError,
)
from openends.io import ReadInfo, read_responses
from openends.io import chunks as chunks_module
from openends.io.chunks import iter_responses

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROWS = [1, 7, 10_000]


def _streamed(path: Path, rows: int, **arguments: Any) -> tuple[list[pd.DataFrame], ReadInfo]:
    chunks = iter_responses(path, rows=rows, **arguments)
    return list(chunks), chunks.info


def _check_same(path: Path, rows: int, **arguments: Any) -> list[pd.DataFrame]:
    """The chunks concatenate to read_responses' table, with its info, in blocks of file rows."""
    expected, expected_info = read_responses(path, **arguments)
    parts, info = _streamed(path, rows, **arguments)
    streamed = pd.concat(parts)
    pd.testing.assert_frame_equal(streamed, expected)
    for column in expected:  # the very same values: 1 is not 1.0, None is not NaN
        if pd.api.types.is_object_dtype(expected[column]):
            assert list(map(type, streamed[column])) == list(map(type, expected[column]))
    assert info == expected_info
    key = "respondent_id" if "respondent_id" in expected else "response_id"
    respondents = [set(part[key]) for part in parts]
    assert all(0 < len(met) <= rows for met in respondents)
    assert sum(map(len, respondents)) == len(set().union(*respondents))  # none split
    return parts


# -- the sample project -------------------------------------------------------------------
def _waves() -> list[dict[str, Any]]:
    project = Path(__file__).resolve().parents[2] / "corpora" / "project.toml"
    return list(tomllib.loads(project.read_text(encoding="utf-8"))["waves"])


@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("wave", _waves(), ids=lambda wave: wave["file"])
def test_sample_project_waves_stream_as_read(corpora: Path, wave: dict[str, Any],
                                             rows: int) -> None:
    _check_same(corpora / wave["file"], rows, text=wave["text"], id=wave["id"],
                attrs=wave["attrs"], sheet=wave.get("sheet"))


def test_chunks_continue_the_index_and_each_iteration_rereads(corpora: Path) -> None:
    chunks = iter_responses(corpora / "employer_2018.csv", text=["discovered", "reaction"],
                            id="ID", rows=100)
    first = list(chunks)
    assert [len(part) for part in first] == [200, 200, 200, 8]
    assert [part.index[0] for part in first] == [0, 200, 400, 600]
    pd.testing.assert_frame_equal(pd.concat(list(chunks)), pd.concat(first))


def test_info_is_known_after_the_last_chunk(corpora: Path) -> None:
    chunks = iter_responses(corpora / "police_2017.csv", text="Q4", rows=100)
    with pytest.raises(RuntimeError, match="iterate over all chunks first"):
        _ = chunks.info
    next(iter(chunks))
    with pytest.raises(RuntimeError):
        _ = chunks.info
    assert sum(map(len, chunks)) == chunks.info.n_responses == 482
    assert chunks.info.qualtrics and chunks.info.header_rows_skipped == 2


# -- every format, with missing values of every sort --------------------------------------
def _frame(survey_frame: pd.DataFrame) -> pd.DataFrame:
    """The shared survey frame with missing and numeric attributes."""
    n = len(survey_frame)
    return survey_frame.assign(
        region=[None if index % 4 == 1 else value for index, value in
                enumerate(survey_frame["region"])],
        size=[None if index == 6 else float(index) for index in range(n)],
    )


def _parquet(tmp_path: Path, survey_frame: pd.DataFrame) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "wave.parquet"
    frame = _frame(survey_frame).assign(
        flag=[None if index == 3 else index % 2 == 0 for index in range(len(survey_frame))],
        unit=lambda frame: pd.Categorical(frame["unit"]))
    frame.to_parquet(path, row_group_size=4)
    return path, {"text": {"tech": "tech", "help": "help"}, "id": "id",
                  "attrs": ["region", "size", "flag", "unit"]}


def _jsonl(tmp_path: Path, survey_frame: pd.DataFrame) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "wave.jsonl"
    lines = []
    for index, record in enumerate(_frame(survey_frame).to_dict("records")):
        record = {key: value for key, value in record.items() if value is not None}
        record["size"] = index if index % 3 else record.get("size")  # numbers, nulls, absent
        if index == 8:
            record["late"] = [1, 2]  # a key that first appears on the last lines
        lines.append(json.dumps(record, ensure_ascii=False))
    path.write_text("\r\n".join(lines) + "\n\n", encoding="utf-8")
    return path, {"text": "tech", "id": "id", "attrs": ["region", "size", "late"]}


def _tsv(tmp_path: Path, survey_frame: pd.DataFrame) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "wave.tsv"
    survey_frame.to_csv(path, sep="\t", index=False)
    return path, {"text": ["tech", "help"], "id": "id", "attrs": {"area": "region"}}


def _utf16(tmp_path: Path, survey_frame: pd.DataFrame) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "wave.csv"
    text = survey_frame.to_csv(index=False, sep=";", lineterminator="\r\n")
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    return path, {"text": "tech", "id": "id", "attrs": ["region", "unit"]}


def _stata(tmp_path: Path, survey_frame: pd.DataFrame) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "wave.dta"
    frame = _frame(survey_frame).assign(
        tech=survey_frame["tech"].str.replace("€", "EUR"),
        help=survey_frame["help"].str.replace("€", "EUR"),
        region=lambda frame: frame["region"].map({"North": 1.0, "South": 2.0}))
    pyreadstat.write_dta(frame, str(path), variable_value_labels={"region": {1.0: "North"}})
    return path, {"text": "tech", "id": "id", "attrs": ["region", "size", "unit"]}


def _spss(tmp_path: Path, survey_frame: pd.DataFrame) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "wave.sav"
    frame = _frame(survey_frame).assign(
        region=lambda frame: frame["region"].map({"North": 1.0, "South": 2.0}))
    pyreadstat.write_sav(frame, str(path), column_labels={"tech": "What changed?"},
                         variable_value_labels={"region": {1.0: "North", 2.0: "South"}})
    return path, {"text": "tech", "attrs": ["region", "size"]}


def _one_column(tmp_path: Path, survey_frame: pd.DataFrame) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "answers.txt"
    path.write_text("answer\r\nEncryption\r\n\r\n\r\nBitcoin mostly\r\n\r\n\n", encoding="cp1252")
    return path, {"text": "answer"}


def _xlsx(tmp_path: Path, survey_frame: pd.DataFrame) -> tuple[Path, dict[str, Any]]:
    """Blank rows inside and after the data, numbers, dates, errors, a row past the header."""
    path = tmp_path / "wave.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Responses"
    sheet.append(["id", "tech", None, "tech", 2017])
    for index, answer in enumerate(survey_frame["tech"]):
        sheet.append([index, answer or None, 1.5 if index % 2 else None, index % 3 == 0,
                      datetime.datetime(2017, 1, 1 + index) if index % 4 else "#N/A"])
        if index == 4:
            sheet.append([None, None])
    sheet.append([None, None, None, None, None, None, "past the header"])
    sheet.append([None] * 8)
    workbook.save(path)
    return path, {"text": "tech", "attrs": ["id", "Unnamed: 2", "tech.1", "2017"],
                  "sheet": "Responses"}


def _qualtrics(tmp_path: Path, survey_frame: pd.DataFrame) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "export.xlsx"
    header = pd.DataFrame([["Response ID", "What changed?"],
                           [json.dumps({"ImportId": "_recordId"}),
                            json.dumps({"ImportId": "QID1_TEXT"})]], columns=["id", "tech"])
    pd.concat([header, survey_frame[["id", "tech"]]]).to_excel(path, index=False)
    return path, {"text": "tech", "id": "id"}


FILES: dict[str, Callable[[Path, pd.DataFrame], tuple[Path, dict[str, Any]]]] = {
    "parquet": _parquet, "jsonl": _jsonl, "tsv": _tsv, "utf-16 csv": _utf16, "stata": _stata,
    "spss": _spss, "one column": _one_column, "xlsx": _xlsx, "qualtrics xlsx": _qualtrics,
}


@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("kind", sorted(FILES))
def test_every_format_streams_as_read(tmp_path: Path, survey_frame: pd.DataFrame, kind: str,
                                      rows: int) -> None:
    path, arguments = FILES[kind](tmp_path, survey_frame)
    _check_same(path, rows, **arguments)


def test_workbook_columns_past_the_header_are_in_the_info(tmp_path: Path,
                                                          survey_frame: pd.DataFrame) -> None:
    path, arguments = _xlsx(tmp_path, survey_frame)
    _, info = _streamed(path, 3, **arguments)
    assert info.columns[-2:] == ("Unnamed: 5", "Unnamed: 6")


# -- the text of big files: detected from the start, decoded as it streams ----------------
@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Encodings detected from the first 64 bytes, text read a few bytes at a time, so that
    small files stand in for big ones and characters and line breaks straddle blocks."""
    monkeypatch.setattr(chunks_module, "_HEAD_BYTES", 64)
    monkeypatch.setattr(chunks_module, "_READ_BYTES", 5)
    monkeypatch.setattr(chunks_module, "_SNIFF_CHARS", 200)


TRICKY_CSV = 'id;answer\r\n1;"quoted; ""with"" a\r\nnew line"\r\n2;åäö € – 😀\r\n3;\r\n\r\n'


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be"])
def test_text_straddling_blocks_reads_as_whole(tmp_path: Path, small_blocks: None,
                                               encoding: str) -> None:
    path = tmp_path / "wave.csv"
    path.write_bytes(TRICKY_CSV.encode(encoding))  # utf-8-sig and utf-16 with a BOM
    _check_same(path, 2, text="answer", id="id")


def test_one_column_file_ends_without_empty_answers(tmp_path: Path, small_blocks: None) -> None:
    path = tmp_path / "answers.txt"
    path.write_text("answer\nEncryption\n\n" + "Bitcoin\n" * 20 + "\r\n\n\n", encoding="utf-8")
    parts = _check_same(path, 4, text="answer")
    assert pd.concat(parts)["text"].tolist()[-1] == "Bitcoin"


def test_windows_1252_after_an_ascii_start(tmp_path: Path, small_blocks: None) -> None:
    path = tmp_path / "wave.csv"
    ascii_start = "id,answer\n" + "".join(f"{row},plain answer\n" for row in range(1, 20))
    path.write_bytes(ascii_start.encode() + "20,café “x”\n".encode("cp1252"))
    _check_same(path, 7, text="answer", id="id")
    assert _streamed(path, 7, text="answer")[1].encoding == "cp1252"


def test_mixed_encodings_are_refused(tmp_path: Path, small_blocks: None) -> None:
    # read_responses reads the whole file as Windows-1252, UTF-8 start included; a stream
    # has already decoded that start as UTF-8, so it stops.
    path = tmp_path / "wave.csv"
    path.write_bytes("id,answer\n1,café\n".encode() + "".join(
        f"{row},plain\n" for row in range(2, 20)).encode() + "20,café\n".encode("cp1252"))
    assert read_responses(path, text="answer")[1].encoding == "cp1252"
    with pytest.raises(InputFileError, match="mixes encodings"):
        _streamed(path, 7, text="answer")


@pytest.mark.parametrize("name, content", [
    ("late NUL", b"id,answer\n" + b"1,a\n" * 30 + b"2,\x00\n"),
    ("late bad field count", b"id,answer\n" + b"1,a\n" * 30 + b"2,b,c\n"),
    ("late bad JSON", b'{"id": 1, "answer": "a"}\r\n' * 5 + b'{"id": 2,\n'),
    ("JSON not an object", b'{"id": 1, "answer": "a"}\n\n' * 5 + b"[1]\n"),
])
def test_errors_late_in_big_files_are_those_of_read_responses(
        tmp_path: Path, small_blocks: None, name: str, content: bytes) -> None:
    path = tmp_path / ("wave.jsonl" if b"{" in content else "wave.csv")
    path.write_bytes(content)
    with pytest.raises(InputFileError) as expected:
        read_responses(path, text="answer", id="id")
    with pytest.raises(InputFileError) as raised:
        _streamed(path, 2, text="answer", id="id")
    assert str(raised.value) == str(expected.value)


# -- errors ---------------------------------------------------------------------------------
def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    workbook = tmp_path / "book.xlsx"
    pd.DataFrame({"answer": ["a"]}).to_excel(workbook, sheet_name="Responses", index=False)
    header_workbook = tmp_path / "header.xlsx"
    pd.DataFrame({"answer": []}).to_excel(header_workbook, index=False)
    header_spss = tmp_path / "header.sav"
    pyreadstat.write_sav(pd.DataFrame({"answer": pd.Series([], dtype=str)}), str(header_spss))
    header_parquet = tmp_path / "header.parquet"
    pd.DataFrame({"answer": pd.Series([], dtype=str)}).to_parquet(header_parquet)
    good = write("good.csv", "id,Answer,text\n1,Encryption,x\n2,Bitcoin,y\n3,Tor,z\n")
    qualtrics_only = write("qualtrics.csv", 'ResponseId,Q1\nResponse ID,Country\n'
                           '"{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}"\n')
    answer = {"text": "answer"}
    return {
        "missing": (tmp_path / "nowhere.csv", answer),
        "folder": (tmp_path, answer),
        "binary": (write("binary.csv", bytes(range(256)) * 8), answer),
        "empty": (write("empty.csv", ""), answer),
        "blank": (write("blank.csv", "\n \n"), answer),
        "header only": (write("header.csv", "id,answer\n"), answer),
        "qualtrics header only": (qualtrics_only, {"text": "Q1"}),
        "header-only workbook": (header_workbook, answer),
        "header-only SPSS": (header_spss, answer),
        "header-only Parquet": (header_parquet, answer),
        "JSON records without keys": (write("keyless.jsonl", "{}\n\n{}\n"), answer),
        "unknown column": (good, answer),
        "unknown id column": (good, {"text": "Answer", "id": "ids"}),
        "unknown attribute": (good, {"text": "Answer", "attrs": ["regoin"]}),
        "no answer column": (good, {"text": []}),
        "reserved name": (good, {"text": "Answer", "attrs": ["text"]}),
        "duplicate ids": (write("dup.csv", "id,answer\n1,a\n2,b\n1,c\n2,d\n3,e\n1,f\n"),
                          {"text": "answer", "id": "id"}),
        "missing ids": (write("noid.csv", "id,answer\n1,a\n,b\n3,c\n ,d\n"),
                        {"text": "answer", "id": "id"}),
        "missing and duplicate ids": (write("both.csv", "id,answer\n1,a\n1,b\n,c\n"),
                                      {"text": "answer", "id": "id"}),
        "missing sheet": (workbook, {"text": "answer", "sheet": "Respones"}),
        "sheet of a CSV": (good, {"text": "Answer", "sheet": "Sheet1"}),
        "not a workbook": (write("fake.xlsx", "not a workbook"), answer),
        "workbook named CSV": (write("book.csv", workbook.read_bytes()), answer),
        "not SPSS": (write("fake.sav", "not SPSS"), answer),
        "not Parquet": (write("fake.parquet", "not Parquet"), answer),
        "old Excel": (write("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)), answer),
        "bad JSON": (write("bad.jsonl", '{"answer": "a"}\n{"answer": \n'), answer),
    }


ERROR_CASES = [
    "missing", "folder", "binary", "empty", "blank", "header only", "qualtrics header only",
    "header-only workbook", "header-only SPSS", "header-only Parquet",
    "JSON records without keys", "unknown column", "unknown id column", "unknown attribute",
    "no answer column", "reserved name", "duplicate ids", "missing ids",
    "missing and duplicate ids", "missing sheet", "sheet of a CSV", "not a workbook",
    "workbook named CSV", "not SPSS", "not Parquet", "old Excel", "bad JSON",
]


@pytest.mark.parametrize("case", ERROR_CASES)
def test_errors_are_those_of_read_responses(tmp_path: Path, case: str) -> None:
    path, arguments = _bad_inputs(tmp_path)[case]
    with pytest.raises(OpenendsError) as expected:
        read_responses(path, **arguments)
    chunks = iter(iter_responses(path, rows=1, **arguments))
    if not isinstance(expected.value, DuplicateIdError | MissingIdError):
        with pytest.raises(type(expected.value)) as raised:  # before any chunk
            next(chunks)
    else:
        with pytest.raises(type(expected.value)) as raised:
            list(chunks)
    if case == "not Parquet":  # pyarrow words its part differently for a buffer and a file
        assert str(raised.value).split(" (")[0] == str(expected.value).split(" (")[0]
    else:
        assert str(raised.value) == str(expected.value)


def test_error_types(tmp_path: Path) -> None:
    """The cases above cover every error read_responses raises for a file or a choice."""
    inputs = _bad_inputs(tmp_path)
    assert sorted(inputs) == sorted(ERROR_CASES)
    raised = set()
    for path, arguments in inputs.values():
        with pytest.raises(OpenendsError) as error:
            read_responses(path, **arguments)
        raised.add(type(error.value))
    assert raised == {InputFileError, UnknownColumnError, ConfigError, DuplicateIdError,
                      MissingIdError, SheetNotFoundError}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".jsonl", ".sav"])
def test_a_repeated_id_stops_the_stream_where_it_is_met(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame({"id": ["A", "B", "C", "B", "D", "A"], "answer": list("abcdef")})
    path = tmp_path / f"wave{suffix}"
    {".csv": lambda: frame.to_csv(path, index=False),
     ".xlsx": lambda: frame.to_excel(path, index=False),
     ".parquet": lambda: frame.to_parquet(path),
     ".jsonl": lambda: frame.to_json(path, orient="records", lines=True),
     ".sav": lambda: pyreadstat.write_sav(frame, str(path))}[suffix]()
    yielded = []
    with pytest.raises(DuplicateIdError) as raised:
        for chunk in iter_responses(path, text="answer", id="id", rows=2):
            yielded.append(chunk)
    assert [chunk["response_id"].tolist() for chunk in yielded] == [["A", "B"]]
    assert "'A' on rows 1, 6; 'B' on rows 2, 4" in str(raised.value)  # read_responses' words
    with pytest.raises(DuplicateIdError, match=re.escape(str(raised.value))):
        read_responses(path, text="answer", id="id")


def test_hash_collisions_alone_raise_nothing(tmp_path: Path, survey_frame: pd.DataFrame,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path, arguments = _tsv(tmp_path, survey_frame)
    monkeypatch.setattr(pd.util, "hash_array", lambda values: pd.Series(
        [0] * len(values), dtype="uint64").to_numpy())
    _check_same(path, 3, **arguments)


@pytest.mark.parametrize("rows", [0, -5, 2.5, True])
def test_rows_must_be_a_positive_whole_number(corpora: Path, rows: Any) -> None:
    with pytest.raises(ConfigError, match="rows per chunk"):
        iter_responses(corpora / "police_2017.csv", text="Q4", rows=rows)


# -- memory ---------------------------------------------------------------------------------
PEAK_BOUND = 40_000_000  # bytes; read_responses peaks at about 410 MB on this file


@pytest.mark.slow
def test_a_60_mb_csv_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    words = ["encryption", "phones", "bitcoin", "apps", "cloud", "darknet", "staff",
             "training", "tools", "åtgärd", "schnell", "é"]
    with path.open("w", encoding="utf-8") as file:
        file.write("id,region,role,tech,help\n")
        row = 0
        while file.tell() < 60_000_000:
            tech = " ".join(words[(row * 7 + k) % len(words)] for k in range(5 + row % 25))
            helped = " ".join(words[(row + k) % len(words)] for k in range(row % 20))
            file.write(f'R{row:08d},{("North", "South")[row % 2]},Officer,"{tech}, and '
                       f'""more""",{helped}\n')
            row += 1
    tracemalloc.start()
    try:
        chunks = iter_responses(path, text={"tech": "tech", "help": "help"}, id="id",
                                attrs=["region", "role"])
        answers, arrow_held = 0, 0
        for chunk in chunks:
            answers += len(chunk)
            arrow_held = max(arrow_held, pa.total_allocated_bytes())  # pandas' str columns
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert answers == 2 * row == chunks.info.n_responses
    assert peak < PEAK_BOUND, f"tracemalloc peak {peak / 1e6:.1f} MB"
    assert arrow_held < PEAK_BOUND, f"Arrow memory held {arrow_held / 1e6:.1f} MB"
