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
from collections.abc import Callable, Iterator, Sized
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

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
    raw = read_file_bytes(path)
    fmt = table_format(path, raw, sheet)
    reader = _READERS[fmt]
    table, details = reader(path, raw, sheet)
    table.columns = [str(column) for column in table.columns]
    table, skipped, labels = drop_survey_header_rows(table, details.pop("column_labels", {}))
    if table.empty:
        raise empty_table_error(path, table.columns)
    info = table_info(path, fmt, tuple(table.columns), len(table), skipped, labels, details)
    return table.reset_index(drop=True), info


def read_file_bytes(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a survey file, or its first ``limit`` bytes.

    Raises InputFileError for a missing, unreadable or empty file (a file cut at
    ``limit`` bytes is empty only if it is shorter than that).

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "wave.csv"
        >>> _ = path.write_text("id,answer\\n1,Encryption\\n", encoding="utf-8")
        >>> read_file_bytes(path, limit=9)
        b'id,answer'
    """
    if not path.exists():
        raise InputFileError(path, "file not found; check the path")
    if path.is_dir():
        raise InputFileError(path, "is a folder, not a file")
    try:
        with path.open("rb") as file:
            raw = file.read(-1 if limit is None else limit)
    except OSError as error:
        raise InputFileError(path, f"cannot be read ({error.strerror or error})") from None
    if not raw.strip() and (limit is None or len(raw) < limit):
        raise InputFileError(path, "is empty")
    return raw


def table_format(path: Path, head: bytes, sheet: str | None) -> str:
    """The file's format (see :func:`detect_format`), checking ``sheet`` applies to it."""
    fmt = detect_format(path, head[:64])
    if sheet is not None and fmt != "xlsx":
        raise InputFileError(path, f"--sheet applies to Excel workbooks only, not {fmt.upper()}")
    return fmt


def table_info(path: Path, fmt: str, columns: tuple[str, ...], n_rows: int, skipped: int,
               labels: dict[str, str], details: dict[str, Any]) -> ReadInfo:
    """The ReadInfo of a table read whole or in chunks."""
    return ReadInfo(
        path=path, format=fmt, n_rows=n_rows, columns=columns, qualtrics=skipped > 0,
        header_rows_skipped=skipped, column_labels=labels, **details,
    )


def empty_table_error(path: Path, columns: Sized) -> InputFileError:
    """The error for a table without data rows."""
    return InputFileError(path, "has a header but no data rows" if len(columns) else "has no data")


def _read_delimited(path: Path, raw: bytes, sheet: str | None) -> _Read:
    text, encoding = decode_text(path, raw)
    if not text.strip():
        raise InputFileError(path, "is empty")
    options = csv_options(path, text)
    with csv_errors(path):
        table = pd.read_csv(io.StringIO(text.rstrip("\r\n") + "\n"), **options)
    return table, {"encoding": encoding, "delimiter": options["sep"]}


def csv_options(path: Path, text: str) -> dict[str, Any]:
    """``pandas.read_csv`` options for a delimited file that starts with ``text``.

    Every value stays a string as written; the delimiter is sniffed (TAB for
    ``.tsv``). Callers give pandas the text with its trailing line breaks
    replaced by one, so a one-column file gets no trailing empty answers.

    Example:
        >>> options = csv_options(Path("answers.txt"), "answer\\nEncryption\\n\\nBitcoin\\n")
        >>> options["sep"], options["skip_blank_lines"]
        (',', False)
    """
    delimiter = "\t" if path.suffix.lower() in {".tsv", ".tab"} else sniff_delimiter(text)
    # In a one-column file a blank line is an empty answer, not a separator.
    one_column = delimiter not in text.split("\n", 1)[0]
    return {"sep": delimiter, "dtype": str, "keep_default_na": False, "na_filter": False,
            "skip_blank_lines": not one_column}


@contextmanager
def csv_errors(path: Path) -> Iterator[None]:
    """Turn pandas' errors for empty or malformed delimited text into InputFileError."""
    try:
        yield
    except pd.errors.EmptyDataError:
        raise InputFileError(path, "is empty") from None
    except pd.errors.ParserError as error:
        raise InputFileError(path, f"is not valid delimited text ({_first_line(error)})") from None


def _read_jsonl(path: Path, raw: bytes, sheet: str | None) -> _Read:
    text, encoding = decode_text(path, raw)
    records = [
        record for line_number, line in enumerate(text.splitlines(), start=1)
        if (record := json_record(path, line_number, line)) is not None
    ]
    table = pd.DataFrame.from_records(records).astype(object)
    return table, {"encoding": encoding}


def json_record(path: Path, line_number: int, line: str) -> dict[str, Any] | None:
    """One line of a JSON Lines file as a record, None for a blank line.

    Example:
        >>> json_record(Path("wave.jsonl"), 1, '{"id": 1, "answer": "Encryption"}')
        {'id': 1, 'answer': 'Encryption'}
    """
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputFileError(
            path, f"line {line_number} is not valid JSON ({error.msg}); "
            "JSON Lines files need one object per line"
        ) from None
    if not isinstance(record, dict):
        raise InputFileError(path, f"line {line_number} is not a JSON object")
    return record


# Answers such as "n/a" or "NA" are text to keep, not missing values.
EXCEL_TEXT: dict[str, Any] = {"dtype": object, "keep_default_na": False, "na_values": []}


def _read_xlsx(path: Path, raw: bytes, sheet: str | None) -> _Read:
    workbook = open_workbook(path, io.BytesIO(raw))
    chosen, sheets = choose_sheet(path, workbook, sheet)
    table = pd.read_excel(workbook, sheet_name=chosen, **EXCEL_TEXT)
    table = table.replace({"": None})
    filled_rows = table.notna().any(axis=1).to_numpy().nonzero()[0]
    table = table.iloc[: filled_rows[-1] + 1 if len(filled_rows) else 0].astype(object)
    return table, {"sheet": chosen, "sheets": sheets}


def open_workbook(path: Path, source: IO[bytes]) -> pd.ExcelFile:
    """The workbook in ``source`` (read only, cached values), or InputFileError."""
    try:
        return pd.ExcelFile(source, engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise InputFileError(path, "is not a valid Excel workbook (.xlsx)") from None


def choose_sheet(path: Path, workbook: pd.ExcelFile,
                 sheet: str | None) -> tuple[str, tuple[str, ...]]:
    """``(chosen sheet, all sheets)``: ``sheet`` if the workbook has it, else its first sheet."""
    sheets = tuple(str(name) for name in workbook.sheet_names)
    if sheet is not None and sheet not in sheets:
        raise SheetNotFoundError(sheet, sheets, path=path)
    return (sheet if sheet is not None else sheets[0]), sheets


def _read_parquet(path: Path, raw: bytes, sheet: str | None) -> _Read:
    try:
        table = pd.read_parquet(io.BytesIO(raw))
    except Exception as error:  # pyarrow raises several unrelated types for bad files
        raise parquet_error(path, error) from None
    return table, {}


def parquet_error(path: Path, error: BaseException) -> InputFileError:
    """The error for a file pyarrow cannot read as Parquet."""
    return InputFileError(path, f"is not a valid Parquet file ({_first_line(error)})")


def _read_statistical(path: Path, raw: bytes, sheet: str | None) -> _Read:
    read, kind = statistical_reader(path, raw)
    try:
        table, meta = read(str(path), apply_value_formats=False)
    except Exception as error:  # pyreadstat raises its own and OSError-like types
        raise statistical_error(path, kind, error) from None
    return label_values(table, meta)


def statistical_reader(path: Path, head: bytes) -> tuple[Callable[..., Any], str]:
    """The pyreadstat reader of an SPSS or Stata file, and the file kind's name."""
    import pyreadstat

    if path.suffix.lower() != ".dta" and not head.startswith(b"<stata_dta>"):
        return pyreadstat.read_sav, "SPSS"
    return pyreadstat.read_dta, "Stata"


def statistical_error(path: Path, kind: str, error: BaseException) -> InputFileError:
    """The error for a file pyreadstat cannot read."""
    return InputFileError(path, f"is not a valid {kind} file ({_first_line(error)})")


def label_values(table: pd.DataFrame, meta: Any) -> _Read:
    """Apply an SPSS or Stata file's value labels (``meta`` from pyreadstat) to ``table``.

    Empty strings become missing values; the details name the labelled columns
    and carry the variable labels.
    """
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


def drop_survey_header_rows(
    table: pd.DataFrame, labels: dict[str, str]
) -> tuple[pd.DataFrame, int, dict[str, str]]:
    """Skip the question-text and ImportId rows that Qualtrics puts under the header.

    Only the first two rows matter, so ``table`` may be the start of a file.
    Returns the rest, how many rows were skipped and the column labels (the
    question texts, else ``labels``).
    """
    skipped = _qualtrics_header_rows(table)
    if skipped:
        first = table.iloc[0]
        labels = {column: str(first[column]) for column in table.columns if filled(first[column])}
    return table.iloc[skipped:], skipped, labels


def _qualtrics_header_rows(table: pd.DataFrame) -> int:
    for index in range(min(2, len(table))):
        values = [str(value) for value in table.iloc[index] if filled(value)]
        if values and sum(bool(_IMPORT_ID.match(v)) for v in values) >= 0.5 * len(values):
            return index + 1
    if len(table) and "StartDate" in table.columns and table["StartDate"].iloc[0] == "Start Date":
        return 1  # legacy export: a question-text row without ImportIds
    return 0


def filled(value: object) -> bool:
    """Whether a cell holds something: not None, NaN or an empty string.

    Example:
        >>> filled("n/a"), filled(0), filled(""), filled(None), filled(float("nan"))
        (True, True, False, False, False)
    """
    return value is not None and not (isinstance(value, float) and value != value) and bool(
        str(value))


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
