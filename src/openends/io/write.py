"""Write tables atomically, in the format the file name asks for.

Example:
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "responses.csv"
    >>> write_table(pd.DataFrame({"response_id": ["a"], "text": ["Encryption"]}), out).name
    'responses.csv'
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from openends.errors import InputFileError

WRITABLE = (".parquet", ".csv", ".tsv", ".jsonl", ".json", ".xlsx")


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` to ``path`` (format from the extension); nothing is left half-written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITABLE:
        raise InputFileError(path, f"cannot write {suffix or 'files without an extension'}; "
                             f"use one of {', '.join(WRITABLE)}")
    with atomic_file(path) as temporary:
        _write(table, temporary, suffix)
    return path


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` that becomes ``path`` only if the block succeeds
    (missing folders are made; on any error the temporary file is removed).

    Example:
        >>> import tempfile
        >>> out = Path(tempfile.mkdtemp()) / "notes.txt"
        >>> with atomic_file(out) as temporary:
        ...     _ = temporary.write_text("done")
        >>> out.read_text()
        'done'
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix,
                                    dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        # mkstemp files are private; outputs are not
        os.chmod(temporary, 0o666 & ~current_umask())
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process's umask (read without changing it)."""
    current = os.umask(0)
    os.umask(current)
    return current


def _write(table: pd.DataFrame, path: Path, suffix: str) -> None:
    if suffix == ".parquet":
        table.to_parquet(path, index=False)
    elif suffix in {".csv", ".tsv"}:
        table.to_csv(path, index=False, sep="\t" if suffix == ".tsv" else ",", encoding="utf-8")
    elif suffix == ".jsonl":
        table.to_json(path, orient="records", lines=True, force_ascii=False)
    elif suffix == ".json":
        table.to_json(path, orient="records", force_ascii=False, indent=2)
    else:
        _write_workbook(table, path)


def _write_workbook(table: pd.DataFrame, path: Path) -> None:
    """One sheet, header first; text cells stay text (never formulas), as in coding sheets."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    write_rows(sheet, [[str(column) for column in table.columns],
                       *table.itertuples(index=False, name=None)])
    workbook.save(path)


def write_rows(sheet: Any, rows: Sequence[Sequence[Any]]) -> None:
    """Write values from A1 on; text is always stored as text, never as a formula (an
    answer such as ``=HYPERLINK(...)`` must not run when the workbook opens)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for row_number, row in enumerate(rows, start=1):
        for column_number, value in enumerate(row, start=1):
            if value is None or value is pd.NA or (isinstance(value, float)
                                                   and math.isnan(value)):
                continue
            cell = sheet.cell(row_number, column_number)
            if isinstance(value, str):
                # Control characters cannot be stored in a workbook; they carry no meaning.
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"  # not "f" (formula) for "=...", nor "e" for "#N/A"
            elif isinstance(value, list | tuple | dict | set):
                cell.value = str(value)
                cell.data_type = "s"
            else:
                cell.value = value.item() if hasattr(value, "item") else value


def json_scalar(value: Any) -> Any:
    """``json.dumps(..., default=json_scalar)``: NumPy scalars as Python numbers.

    Example:
        >>> import json
        >>> import numpy as np
        >>> json.dumps({"n": np.int64(3)}, default=json_scalar)
        '{"n": 3}'
    """
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
