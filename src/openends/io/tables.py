"""Read any supported survey file into a raw table of its columns.

``read_table`` keeps every data row, in file order, and reports what it detected
in a :class:`ReadInfo`. Values from text formats stay strings exactly as written
(an answer "n/a" or "NA" is kept as text, never turned into a missing value).

Example:
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "wave.csv"
    >>> _ = path.write_text("id;answer\\n1;Encryption\\n2;n/a\\n", encoding="cp1252")
    >>> table, info = read_table(path)
    >>> table["answer"].tolist(), info.delimiter
    (['Encryption', 'n/a'], ';')
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from openends.errors import InputFileError, SheetNotFoundError
from openends.io.detect import decode_text, detect_format, sniff_delimiter
from openends.io.info import ReadInfo

# What a format reader returns: the raw table and ReadInfo fields it detected.
_Read = tuple[pd.DataFrame, dict[str, Any]]
_IMPORT_ID = re.compile(r'^\s*\{\s*"ImportId"\s*:')


def read_table(path: str | Path, *, sheet: str | None = None) -> tuple[pd.DataFrame, ReadInfo]:
    """Read a CSV, TSV, XLSX, Parquet, JSON Lines, SPSS or Stata file.

    Raises :class:`~openends.errors.InputFileError` (missing, unreadable, empty,
    binary, header only) or :class:`~openends.errors.SheetNotFoundError`.
    """
    path = Path(path)
    raw = _read_bytes(path)
    fmt = detect_format(path, raw[:64])
    if sheet is not None and fmt != "xlsx":
        raise InputFileError(path, f"--sheet applies to Excel workbooks only, not {fmt.upper()}")
    reader = _READERS[fmt]
    table, details = reader(path, raw, sheet)
    table.columns = [str(column) for column in table.columns]
    table, skipped, labels = _drop_survey_header_rows(table, details.pop("column_labels", {}))
    if table.empty:
        problem = "has a header but no data rows" if len(table.columns) else "has no data"
        raise InputFileError(path, problem)
    info = ReadInfo(
        path=path, format=fmt, n_rows=len(table), columns=tuple(table.columns),
        qualtrics=skipped > 0, header_rows_skipped=skipped, column_labels=labels, **details,
    )
    return table.reset_index(drop=True), info


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputFileError(path, "file not found; check the path")
    if path.is_dir():
        raise InputFileError(path, "is a folder, not a file")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputFileError(path, f"cannot be read ({error.strerror or error})") from None
    if not raw.strip():
        raise InputFileError(path, "is empty")
    return raw


def _read_delimited(path: Path, raw: bytes, sheet: str | None) -> _Read:
    text, encoding = decode_text(path, raw)
    if not text.strip():
        raise InputFileError(path, "is empty")
    delimiter = "\t" if path.suffix.lower() in {".tsv", ".tab"} else sniff_delimiter(text)
    # In a one-column file a blank line is an empty answer, not a separator.
    one_column = delimiter not in text.split("\n", 1)[0]
    try:
        table = pd.read_csv(
            io.StringIO(text.rstrip("\r\n") + "\n"), sep=delimiter, dtype=str,
            keep_default_na=False, na_filter=False, skip_blank_lines=not one_column,
        )
    except pd.errors.EmptyDataError:
        raise InputFileError(path, "is empty") from None
    except pd.errors.ParserError as error:
        raise InputFileError(path, f"is not valid delimited text ({_first_line(error)})") from None
    return table, {"encoding": encoding, "delimiter": delimiter}


def _read_jsonl(path: Path, raw: bytes, sheet: str | None) -> _Read:
    text, encoding = decode_text(path, raw)
    records: list[dict[str, Any]] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputFileError(
                path, f"line {line_number} is not valid JSON ({error.msg}); "
                "JSON Lines files need one object per line"
            ) from None
        if not isinstance(record, dict):
            raise InputFileError(path, f"line {line_number} is not a JSON object")
        records.append(record)
    table = pd.DataFrame.from_records(records).astype(object)
    return table, {"encoding": encoding}


def _read_xlsx(path: Path, raw: bytes, sheet: str | None) -> _Read:
    try:
        workbook = pd.ExcelFile(io.BytesIO(raw), engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise InputFileError(path, "is not a valid Excel workbook (.xlsx)") from None
    sheets = tuple(str(name) for name in workbook.sheet_names)
    if sheet is not None and sheet not in sheets:
        raise SheetNotFoundError(sheet, sheets, path=path)
    chosen = sheet if sheet is not None else sheets[0]
    # Answers such as "n/a" or "NA" are text to keep, not missing values.
    table = pd.read_excel(workbook, sheet_name=chosen, dtype=object, keep_default_na=False,
                          na_values=[])
    table = table.replace({"": None})
    filled_rows = table.notna().any(axis=1).to_numpy().nonzero()[0]
    table = table.iloc[: filled_rows[-1] + 1 if len(filled_rows) else 0].astype(object)
    return table, {"sheet": chosen, "sheets": sheets}


def _read_parquet(path: Path, raw: bytes, sheet: str | None) -> _Read:
    try:
        table = pd.read_parquet(io.BytesIO(raw))
    except Exception as error:  # pyarrow raises several unrelated types for bad files
        raise InputFileError(path, f"is not a valid Parquet file ({_first_line(error)})") from None
    return table, {}


def _read_statistical(path: Path, raw: bytes, sheet: str | None) -> _Read:
    import pyreadstat

    read = pyreadstat.read_sav if path.suffix.lower() != ".dta" and not raw.startswith(
        b"<stata_dta>") else pyreadstat.read_dta
    kind = "SPSS" if read is pyreadstat.read_sav else "Stata"
    try:
        table, meta = read(str(path), apply_value_formats=False)
    except Exception as error:  # pyreadstat raises its own and OSError-like types
        raise InputFileError(path, f"is not a valid {kind} file ({_first_line(error)})") from None
    labelled = []
    for column, labels in (meta.variable_value_labels or {}).items():
        if column in table.columns and labels:
            table[column] = table[column].map(lambda value, labels=labels: labels.get(value, value))
            labelled.append(column)
    variable_labels = {
        column: label for column, label in (meta.column_names_to_labels or {}).items() if label
    }
    for column in table.columns:
        if pd.api.types.is_string_dtype(table[column]):
            table[column] = table[column].where(table[column] != "", None)
    return table, {"value_labels": tuple(labelled), "column_labels": variable_labels}


_READERS = {
    "csv": _read_delimited,
    "tsv": _read_delimited,
    "jsonl": _read_jsonl,
    "xlsx": _read_xlsx,
    "parquet": _read_parquet,
    "sav": _read_statistical,
    "dta": _read_statistical,
}


def _drop_survey_header_rows(
    table: pd.DataFrame, labels: dict[str, str]
) -> tuple[pd.DataFrame, int, dict[str, str]]:
    """Skip the question-text and ImportId rows that Qualtrics puts under the header."""
    skipped = _qualtrics_header_rows(table)
    if skipped:
        first = table.iloc[0]
        labels = {column: str(first[column]) for column in table.columns if _filled(first[column])}
    return table.iloc[skipped:], skipped, labels


def _qualtrics_header_rows(table: pd.DataFrame) -> int:
    for index in range(min(2, len(table))):
        values = [str(value) for value in table.iloc[index] if _filled(value)]
        if values and sum(bool(_IMPORT_ID.match(v)) for v in values) >= 0.5 * len(values):
            return index + 1
    if len(table) and "StartDate" in table.columns and table["StartDate"].iloc[0] == "Start Date":
        return 1  # legacy export: a question-text row without ImportIds
    return 0


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and value != value) and bool(
        str(value))


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
