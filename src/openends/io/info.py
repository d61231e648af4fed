"""``ReadInfo``: what openends detected when it read a file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ReadInfo:
    """What was detected and done while reading one survey file.

    Example:
        >>> info = ReadInfo(path=Path("wave.csv"), format="csv", n_rows=3, columns=("id", "q1"),
        ...                 encoding="utf-8", delimiter=",")
        >>> info.describe()
        'CSV, utf-8, delimiter ","'
    """

    path: Path
    format: str
    n_rows: int
    columns: tuple[str, ...]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    qualtrics: bool = False
    header_rows_skipped: int = 0
    column_labels: dict[str, str] = field(default_factory=dict)
    value_labels: tuple[str, ...] = ()
    text_columns: dict[str, str] = field(default_factory=dict)
    id_column: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    n_responses: int | None = None

    def describe(self) -> str:
        """One line: format, encoding, delimiter, sheet and the Qualtrics header."""
        parts = [self.format.upper()]
        if self.encoding:
            parts.append(self.encoding)
        if self.delimiter:
            shown = "TAB" if self.delimiter == "\t" else self.delimiter
            parts.append(f'delimiter "{shown}"')
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.qualtrics:
            parts.append(f"Qualtrics export ({self.header_rows_skipped} header rows skipped)")
        if self.value_labels:
            parts.append(f"value labels applied to {len(self.value_labels)} column(s)")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        data = asdict(self)
        data["path"] = str(self.path)
        return data
