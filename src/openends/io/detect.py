"""Detect what a survey file is: its format, text encoding and delimiter.

Example:
    >>> detect_encoding("Svar: åtgärd".encode("cp1252"))
    'cp1252'
    >>> sniff_delimiter("id;answer\\n1;Encryption\\n")
    ';'
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from openends.errors import InputFileError

FORMATS_BY_SUFFIX = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".sav": "sav",
    ".zsav": "sav",
    ".dta": "dta",
}
TEXT_FORMATS = {"csv", "tsv", "jsonl"}
DELIMITERS = (",", "\t", ";", "|")

_MAGIC = (
    (b"PK\x03\x04", "xlsx"),
    (b"PAR1", "parquet"),
    (b"$FL2", "sav"),
    (b"$FL3", "sav"),
    (b"<stata_dta>", "dta"),
)
_NAMES = {"xlsx": "an Excel workbook", "parquet": "a Parquet file", "sav": "an SPSS file",
          "dta": "a Stata file"}


def detect_format(path: Path, head: bytes) -> str:
    """The format of a file from its leading bytes and its name.

    Binary formats are recognised by their signature, so a workbook saved as
    ``.csv`` gets a clear error instead of garbage.

    Example:
        >>> detect_format(Path("wave.csv"), b"id,answer\\n")
        'csv'
    """
    by_suffix = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    by_magic = next((fmt for magic, fmt in _MAGIC if head.startswith(magic)), None)
    if path.suffix.lower() == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputFileError(
            path, "is an old Excel 97-2003 (.xls) workbook; save it as .xlsx or .csv first"
        )
    if by_suffix in TEXT_FORMATS and by_magic is not None:
        raise InputFileError(
            path, f"looks like {_NAMES[by_magic]}, not {by_suffix.upper()} text; "
            "give it the right extension"
        )
    if by_suffix is not None:
        return by_suffix
    if by_magic is not None:
        return by_magic
    if b"\x00" in head and detect_utf16(head) is None:
        raise InputFileError(path, "is a binary file in a format openends does not read; "
                             f"use one of {', '.join(sorted(set(FORMATS_BY_SUFFIX)))}")
    return "csv"


def detect_utf16(raw: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when BOM-less bytes look like UTF-16 text, else None."""
    sample = raw[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / len(sample[0::2])
    odd_nuls = sample[1::2].count(0) / len(sample[1::2])
    if odd_nuls > 0.3 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.3 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def detect_encoding(raw: bytes) -> str:
    """The text encoding of ``raw``: UTF-8 (with or without BOM), UTF-16, or a legacy one.

    Legacy files are almost always Windows-1252 (Excel's default on Western
    systems); other 8-bit encodings are left to charset-normalizer.

    Example:
        >>> detect_encoding(codecs.BOM_UTF8 + b"id")
        'utf-8-sig'
    """
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = detect_utf16(raw)
    if utf16 is not None:
        return utf16
    if b"\x00" in raw:
        raise ValueError("binary")
    for encoding in ("utf-8", "cp1252"):
        try:
            raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:1_000_000]).best()
    return best.encoding if best is not None else "latin-1"


def decode_text(path: Path, raw: bytes) -> tuple[str, str]:
    """Decode a text file's bytes, returning ``(text, encoding)``.

    Raises InputFileError for binary content, naming the file.
    """
    encoding = text_encoding(path, raw)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        raise binary_data_error(path) from None
    if "\x00" in text:
        raise nul_characters_error(path)
    return text.removeprefix("\ufeff"), encoding


def text_encoding(path: Path, raw: bytes) -> str:
    """:func:`detect_encoding`, raising InputFileError (naming the file) for binary bytes.

    Example:
        >>> text_encoding(Path("wave.csv"), "Svar: åtgärd".encode("cp1252"))
        'cp1252'
    """
    try:
        return detect_encoding(raw)
    except ValueError:
        raise binary_data_error(path) from None


def binary_data_error(path: Path) -> InputFileError:
    """The error for bytes that no text encoding decodes."""
    return InputFileError(path, "contains binary data (NUL bytes), not text; is it the right file?")


def nul_characters_error(path: Path) -> InputFileError:
    """The error for decoded text with NUL characters in it."""
    return InputFileError(path, "contains NUL characters; is it a binary file?")


def sniff_delimiter(text: str, default: str = ",") -> str:
    """The delimiter that splits the first records into the most, consistent fields.

    Only ``, TAB ; |`` are considered; quoted fields (with embedded newlines or
    delimiters) are parsed properly, not split naively.

    Example:
        >>> sniff_delimiter('a\\tb\\n"x, y"\\tz\\n')
        '\\t'
    """
    sample = text[:200_000]
    best, best_fields = default, 1
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
        try:
            widths = [len(row) for _, row in zip(range(20), reader, strict=False) if row]
        except csv.Error:
            continue
        if not widths:
            continue
        header = widths[0]
        complete = widths[:-1] if len(widths) > 2 else widths  # the sample may cut a record
        consistent = sum(width == header for width in complete) >= 0.8 * len(complete)
        if header > best_fields and consistent:
            best, best_fields = delimiter, header
    return best
