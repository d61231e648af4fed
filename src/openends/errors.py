"""Every error openends reports to a user, in one place.

Each error is a sentence that says what is wrong, where (file, column, row when
known) and how to fix it. The command line prints ``str(error)`` on one line and
exits with status 2; library users catch :class:`OpenendsError`.

Example:
    >>> try:
    ...     raise UnknownColumnError("answer", ["id", "Answer"], path="survey.csv")
    ... except OpenendsError as error:
    ...     print(error)
    survey.csv: no column 'answer'; did you mean 'Answer'? Available columns: 'id', 'Answer'
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path


class OpenendsError(Exception):
    """Base class: bad input or usage that the user can fix (exit status 2)."""

    exit_code = 2


def _where(path: str | Path | None) -> str:
    return f"{Path(path).name}: " if path is not None else ""


def _quoted(values: Iterable[object], limit: int = 12) -> str:
    items = [repr(str(value)) for value in values]
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def closest_match(name: str, candidates: Sequence[str]) -> str | None:
    """The candidate closest to ``name``, ignoring case, or None when nothing is close.

    Example:
        >>> closest_match("tech_chnages", ["id", "tech_changes"])
        'tech_changes'
    """
    by_folded = {candidate.casefold(): candidate for candidate in candidates}
    if name.casefold() in by_folded:
        return by_folded[name.casefold()]
    matches = difflib.get_close_matches(name.casefold(), list(by_folded), n=1, cutoff=0.6)
    return by_folded[matches[0]] if matches else None


class InputFileError(OpenendsError):
    """The file is missing, unreadable, empty, binary or not in a format we read."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        super().__init__(f"{_where(path)}{problem}")


class UnknownColumnError(OpenendsError):
    """A column asked for is not in the file."""

    def __init__(self, column: str, available: Sequence[str], *, path: str | Path | None = None):
        self.column = column
        self.available = list(available)
        suggestion = closest_match(column, self.available)
        hint = f"; did you mean {suggestion!r}?" if suggestion else ";"
        super().__init__(
            f"{_where(path)}no column {column!r}{hint} Available columns: {_quoted(self.available)}"
        )


class DuplicateIdError(OpenendsError):
    """The id column does not identify each row."""

    def __init__(self, column: str, examples: dict[str, list[int]], n_duplicated: int,
                 *, path: str | Path | None = None):
        self.column = column
        self.examples = examples
        shown = "; ".join(
            f"{value!r} on rows {', '.join(map(str, rows[:4]))}" for value, rows in examples.items()
        )
        super().__init__(
            f"{_where(path)}id column {column!r} has {n_duplicated} duplicated value(s), e.g. "
            f"{shown}. Choose a column with one value per row, or leave out --id to number rows"
        )


class MissingIdError(OpenendsError):
    """Some rows have no value in the id column."""

    def __init__(self, column: str, rows: list[int], *, path: str | Path | None = None):
        self.column = column
        self.rows = rows
        super().__init__(
            f"{_where(path)}id column {column!r} is empty on {len(rows)} row(s) (e.g. rows "
            f"{', '.join(map(str, rows[:5]))}). Fill them in, or leave out --id to number rows"
        )


class SheetNotFoundError(OpenendsError):
    """The workbook has no sheet of that name."""

    def __init__(self, sheet: str, available: Sequence[str], *, path: str | Path | None = None):
        self.sheet = sheet
        self.available = list(available)
        suggestion = closest_match(sheet, self.available)
        hint = f"; did you mean {suggestion!r}?" if suggestion else ";"
        super().__init__(
            f"{_where(path)}no sheet {sheet!r}{hint} Available sheets: {_quoted(self.available)}"
        )


class ConfigError(OpenendsError):
    """A project file, codebook or option is invalid."""


class NotBuiltError(OpenendsError):
    """A command of the specification that this version does not implement yet."""

    def __init__(self, command: str):
        self.command = command
        super().__init__(
            f"'openends {command}' is not built yet in this version; see the README's command "
            "overview for what is available"
        )


class ModelError(OpenendsError):
    """A model folder is missing, incomplete or in an unsafe format, or a model cannot be fit."""


class ModelIntegrityError(ModelError):
    """A model file's sha256 is not the one expected: the file is damaged or was changed."""

    def __init__(self, path: str | Path, expected: str, actual: str, *, fix: str):
        self.path = Path(path)
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"{path}: sha256 is {actual}, expected {expected}; the file is damaged or was "
            f"changed. {fix}"
        )


class NotFittedError(OpenendsError):
    """A fitted model was used before it was fitted."""

    def __init__(self, what: str, how: str):
        self.what = what
        super().__init__(f"{what} is not fitted yet; {how}")


class TopicsFolderError(InputFileError):
    """A topics folder is missing, or its ``topics.json`` is missing or malformed."""


class LabelsError(InputFileError):
    """Human codes that cannot be read as 0/1 codes of the answers: what is wrong and where."""


class OutputExistsError(OpenendsError):
    """The output file exists and overwriting it was not asked for."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        super().__init__(
            f"{path}: already exists; pass --force to overwrite it, or choose another -o path"
        )


class TooFewAnswersError(OpenendsError):
    """Too few substantive answers to model: topics from a handful of answers mean nothing."""

    def __init__(self, found: int, needed: int):
        self.found = found
        self.needed = needed
        super().__init__(
            f"only {found} answers have status 'ok'; topic models need at least {needed}. "
            "Add answers (more waves or questions) or code them with a codebook instead"
        )
