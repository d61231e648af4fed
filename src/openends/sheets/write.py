"""Write coding sheets: a workbook (or CSV/TSV file) that people code answers in.

An ``.xlsx`` sheet has three worksheets. ``codes`` holds the table as given (see
:mod:`openends.sheets.layout`): a bold, frozen, filterable header; the answers wide and
wrapped; a narrow, centred column per theme that accepts only 0 or 1 (its header
shows the theme's label and description as a comment); disputed cells, when given,
filled yellow. ``codebook`` lists the themes (label, parent, description, include,
exclude, examples) and ``how to code`` says how to fill the sheet in. A ``.csv`` or
``.tsv`` sheet is the ``codes`` table alone. No cell is ever a formula: in a
workbook every text is stored as text; in CSV, text that starts like a formula gets
a leading apostrophe (:func:`~openends.sheets.neutralise.neutralise`). The file is
written beside its final place and renamed into it, so it is never half-written.

Example:
    >>> import tempfile
    >>> table = pd.DataFrame({"response_id": ["r1"], "answer": ["=1+1"], "staffing": [None],
    ...                       "note": [None]})
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_coding_sheet(table, folder / "sheet.csv", themes=["staffing"]).read_text()
    "response_id,answer,staffing,note\\nr1,'=1+1,,\\n"
    >>> out = write_coding_sheet(table, folder / "sheet.xlsx", themes=["staffing"])
    >>> from openpyxl import load_workbook
    >>> cell = load_workbook(out)["codes"]["B2"]
    >>> cell.value, cell.data_type
    ('=1+1', 's')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from openends.errors import InputFileError, UnknownColumnError
from openends.io.write import atomic_file, write_rows
from openends.sheets.layout import (
    ANSWER_COLUMN,
    CODEBOOK_SHEET,
    CODES_SHEET,
    HOW_TO_SHEET,
    ID_COLUMN,
    NOTE_COLUMN,
)
from openends.sheets.neutralise import neutralise

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from openends.coding.codebook import Codebook

SHEET_SUFFIXES = (".xlsx", ".csv", ".tsv")
CODEBOOK_COLUMNS = ("theme", "label", "parent", "description", "include", "exclude", "examples")
HIGHLIGHT = "FFFF00"
HOW_TO_CODE = (
    "How to code this sheet",
    "Read each answer in the 'answer' column. Under every theme the answer has, type 1; "
    "under the themes it does not have, type 0 or leave the cell blank.",
    "An answer with no theme at all: type 0 in any one of its theme cells. A row whose "
    "theme cells are all blank counts as not coded yet.",
    "Do not rename, reorder or delete columns, and do not edit response_id: the codes are "
    "matched to the answers by it.",
    "The 'note' column is yours: write anything there, e.g. why an answer was hard to code.",
)
HOW_TO_SETTLE = (
    "How to settle this sheet",
    "Two codings of these answers disagree on the themes listed under 'to_settle' (the "
    "columns 'A: ...' and 'B: ...' show the themes each coding gave). Their cells are blank "
    "and highlighted: type 1 if the answer has the theme, 0 if not. Every highlighted cell "
    "needs a 0 or 1; a row with one still blank counts as not settled and is left out "
    "when the sheet is read back.",
    "The other theme cells hold what both codings agreed on; change them only if both "
    "were wrong.",
    "Do not rename, reorder or delete columns, and do not edit response_id: the codes are "
    "matched to the answers by it.",
    "The 'note' column is yours: write anything there, e.g. why you settled as you did.",
)
_ANSWER_WIDTH = 70
_NOTE_WIDTH = 40
_THEME_WIDTH = 5
_MAX_WIDTH = 30


def check_sheet_path(path: str | Path) -> str:
    """The sheet's format (``.xlsx``, ``.csv`` or ``.tsv``) from its file name.

    Example:
        >>> check_sheet_path("codes/sheet.XLSX")
        '.xlsx'
    """
    suffix = Path(path).suffix.lower()
    if Path(path).is_dir():
        raise InputFileError(Path(path).resolve(), "is a folder; give a file name ending in "
                             f"{', '.join(SHEET_SUFFIXES)}")
    if suffix not in SHEET_SUFFIXES:
        raise InputFileError(path, f"cannot write a coding sheet as "
                             f"{suffix or 'a file without an extension'}; use one of "
                             f"{', '.join(SHEET_SUFFIXES)}")
    return suffix


def write_coding_sheet(table: pd.DataFrame, path: str | Path, *, themes: Sequence[str],
                       codebook: Codebook | None = None,
                       highlight: pd.DataFrame | None = None,
                       instructions: Sequence[str] = HOW_TO_CODE) -> Path:
    """Write ``table`` (already in sheet layout; not reordered) as a coding sheet at
    ``path``; ``themes`` names its theme columns (cells 0, 1 or missing) and
    ``highlight`` (True = fill yellow; same index, some theme columns) marks cells in a
    workbook, whose ``how to code`` sheet holds ``instructions`` (a title, then lines).
    Missing folders are made; returns the path."""
    path = Path(path)
    suffix = check_sheet_path(path)
    themes = list(themes)
    for column in [ID_COLUMN, *themes]:
        if column not in table.columns:
            raise UnknownColumnError(column, [str(name) for name in table.columns])
    codes = table.copy()
    for theme in themes:
        codes[theme] = pd.Series([_code(value, theme) for value in codes[theme]],
                                 index=codes.index, dtype=object)
    marked = _highlighted(codes, themes, highlight)
    with atomic_file(path) as temporary:
        if suffix == ".xlsx":
            _write_workbook(codes, temporary, themes, codebook, marked, instructions)
        else:
            _write_delimited(codes, temporary, themes, sep="\t" if suffix == ".tsv" else ",")
    return path


def _code(value: object, theme: str) -> int | None:
    """A theme cell as 1, 0 or None (blank)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if number not in (0.0, 1.0):
        raise ValueError(f"theme column {theme!r} holds {value!r}; a coding sheet's theme "
                         "cells are 0, 1 or blank")
    return int(number)


def _highlighted(codes: pd.DataFrame, themes: list[str],
                 highlight: pd.DataFrame | None) -> list[tuple[int, str]]:
    """``(row position, theme)`` of each cell to fill."""
    if highlight is None:
        return []
    unknown = [str(column) for column in highlight.columns if column not in themes]
    if unknown:
        raise ValueError(f"highlight has column(s) that are not themes: {', '.join(unknown)}")
    positions = codes.index.get_indexer(highlight.index)
    if (positions < 0).any():
        raise ValueError("highlight has rows that are not in the table")
    cells = highlight.eq(True).to_numpy()  # missing counts as not highlighted
    return [(int(positions[row]), str(highlight.columns[column]))
            for row, column in zip(*cells.nonzero(), strict=True)]


def _write_delimited(codes: pd.DataFrame, path: Path, themes: list[str], *, sep: str) -> None:
    safe = codes.copy()
    for column in safe.columns:
        if column not in themes:
            safe[column] = pd.Series([neutralise(value) if isinstance(value, str) else value
                                      for value in safe[column]], index=safe.index, dtype=object)
    safe.columns = [neutralise(str(column)) for column in safe.columns]
    # CRLF line ends (RFC 4180) make the csv module quote a field holding a bare "\r"
    safe.to_csv(path, index=False, sep=sep, encoding="utf-8", lineterminator="\r\n")


# -- workbooks ---------------------------------------------------------------------------------

def _write_workbook(codes: pd.DataFrame, path: Path, themes: list[str],
                    codebook: Codebook | None, marked: list[tuple[int, str]],
                    instructions: Sequence[str]) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = CODES_SHEET
    _fill_codes(sheet, codes, themes, codebook, marked)
    _fill_codebook(workbook.create_sheet(CODEBOOK_SHEET), themes, codebook)
    _fill_how_to(workbook.create_sheet(HOW_TO_SHEET), instructions,
                 described=codebook is not None)
    workbook.save(path)


def _fill_codes(sheet: Worksheet, codes: pd.DataFrame, themes: list[str],
                codebook: Codebook | None, marked: list[tuple[int, str]]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = [str(column) for column in codes.columns]
    n_rows = len(codes)
    write_rows(sheet, [columns, *codes.itertuples(index=False, name=None)])
    labels = {theme.id: theme for theme in codebook.themes} if codebook is not None else {}
    validation = DataValidation(
        type="list", formula1='"0,1"', allow_blank=True, showErrorMessage=True,
        errorStyle="stop", errorTitle="0 or 1",
        error="Type 1 if the answer has this theme, 0 (or nothing) if not.")
    top = Alignment(vertical="top")
    for number, column in enumerate(columns, start=1):
        letter = get_column_letter(number)
        header = sheet.cell(1, number)
        header.font = Font(bold=True)
        cells = [row[0] for row in sheet.iter_rows(min_row=2, max_row=n_rows + 1,
                                                   min_col=number, max_col=number)]
        if column in themes:
            header.alignment = Alignment(horizontal="center", vertical="bottom",
                                         text_rotation=90)
            if column in labels:
                about = labels[column]
                header.comment = Comment(
                    f"{about.label}: {about.description}" if about.description else about.label,
                    "openends", width=300, height=120)
            width = _THEME_WIDTH
            for cell in cells:
                cell.alignment = Alignment(horizontal="center", vertical="top")
            if n_rows:
                validation.add(f"{letter}2:{letter}{n_rows + 1}")
        elif column in (ANSWER_COLUMN, NOTE_COLUMN):
            header.alignment = Alignment(vertical="bottom")
            width = _ANSWER_WIDTH if column == ANSWER_COLUMN else _NOTE_WIDTH
            for cell in cells:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
        else:
            header.alignment = Alignment(vertical="bottom")
            width = min(_MAX_WIDTH, 2 + max([len(column), *(len(str(cell.value or ""))
                                                              for cell in cells)]))
            for cell in cells:
                cell.alignment = top
        sheet.column_dimensions[letter].width = width
    if themes:
        longest = max(len(theme) for theme in themes)
        sheet.row_dimensions[1].height = min(200.0, max(15.0, 7.0 * longest))
        sheet.add_data_validation(validation)
    fill = PatternFill(fill_type="solid", fgColor=HIGHLIGHT)
    for row, theme in marked:
        sheet.cell(row + 2, columns.index(theme) + 1).fill = fill
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{n_rows + 1}"
    id_number = columns.index(ID_COLUMN) + 1
    sheet.freeze_panes = sheet.cell(2, id_number + 1)


def _fill_codebook(sheet: Worksheet, themes: list[str], codebook: Codebook | None) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    if codebook is None:
        rows: list[Sequence[Any]] = [["theme"], *([theme] for theme in themes)]
    else:
        rows = [list(CODEBOOK_COLUMNS), *(
            [theme.id, theme.label, theme.parent, theme.description, "; ".join(theme.include),
             "; ".join(theme.exclude), "; ".join(theme.examples)]
            for theme in codebook.themes)]
    write_rows(sheet, rows)
    widths = {"theme": 24, "label": 26, "parent": 20, "description": 60, "include": 36,
              "exclude": 24, "examples": 60}
    for number, column in enumerate(rows[0], start=1):
        sheet.cell(1, number).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(number)].width = widths[str(column)]
        for (cell,) in sheet.iter_rows(min_row=2, min_col=number, max_col=number):
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = "B2"


def _fill_how_to(sheet: Worksheet, instructions: Sequence[str], *, described: bool) -> None:
    from openpyxl.styles import Alignment, Font

    themes = ("The 'codebook' sheet describes the themes; a theme's header also shows its "
              "label and description when you point at it." if described else
              "The 'codebook' sheet lists the themes.")
    write_rows(sheet, [[line] for line in [*instructions, themes]])
    sheet.cell(1, 1).font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 110
    for (cell,) in sheet.iter_rows(min_row=2):
        cell.alignment = Alignment(vertical="top", wrap_text=True)
