"""Coding sheets: answers laid out for people to code, written safely.

Example:
    >>> from openends.sheets import neutralise, restore
    >>> restore(neutralise("=1+1"))
    '=1+1'
"""

from __future__ import annotations

from openends.sheets.layout import (
    ANSWER_COLUMN,
    CODEBOOK_SHEET,
    CODES_SHEET,
    HOW_TO_SHEET,
    ID_COLUMN,
    NOTE_COLUMN,
    context_columns,
    sheet_table,
)
from openends.sheets.neutralise import neutralise, restore
from openends.sheets.write import (
    HOW_TO_CODE,
    HOW_TO_SETTLE,
    SHEET_SUFFIXES,
    check_sheet_path,
    write_coding_sheet,
)

__all__ = [
    "ANSWER_COLUMN",
    "CODEBOOK_SHEET",
    "CODES_SHEET",
    "HOW_TO_CODE",
    "HOW_TO_SETTLE",
    "HOW_TO_SHEET",
    "ID_COLUMN",
    "NOTE_COLUMN",
    "SHEET_SUFFIXES",
    "check_sheet_path",
    "context_columns",
    "neutralise",
    "restore",
    "sheet_table",
    "write_coding_sheet",
]
