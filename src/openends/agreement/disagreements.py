"""The answers two codings disagree on, as a sheet for a third person to settle.

:func:`find_disagreements` lines up two codings on the answers both coded. Each row of
the adjudication sheet shows the answer, the themes each coding gave, and the themes
in dispute (``to_settle``); theme cells the codings agree on are filled in, disputed
ones are left blank (and highlighted in the workbook) for the adjudicator to type 0 or
1. Disputed answers come first; the agreed ones follow, so the settled sheet is the
whole consensus coding and reads back with :func:`openends.coding.codings.read_coding`
(a row with a disputed cell still blank counts as not settled yet).

Example:
    >>> import pandas as pd
    >>> from openends.coding.codings import Coding
    >>> ann = Coding("ann", pd.DataFrame({"tor": [1, 0], "vpn": [0, 0]}, index=["a", "b"]))
    >>> ben = Coding("ben", pd.DataFrame({"tor": [1, 1], "vpn": [0, 0]}, index=["a", "b"]))
    >>> found = find_disagreements(ann, ben, answers={"a": "Tor", "b": "Onion sites"})
    >>> found.table[["response_id", "to_settle", "answer", "tor", "vpn"]].values.tolist()
    [['b', 'tor', 'Onion sites', None, 0], ['a', '', 'Tor', 1, 0]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from openends.coding.codings import (
    ANSWER_COLUMN,
    ID_COLUMN,
    NOTE_COLUMN,
    SETTLE_COLUMN,
    Coding,
)
from openends.errors import ConfigError


@dataclass(frozen=True)
class Disagreements:
    """The adjudication sheet (``table``, in coding-sheet layout), the disputed cells
    (``disputed``: True where the codings differ) and counts per theme."""

    table: pd.DataFrame
    disputed: pd.DataFrame
    names: tuple[str, str]
    themes: list[str]
    compared: int
    only_in: dict[str, int] = field(default_factory=dict)
    not_coded: dict[str, int] = field(default_factory=dict)
    themes_left_out: list[str] = field(default_factory=list)

    @property
    def answers_to_settle(self) -> int:
        return int(self.disputed.any(axis=1).sum())

    def per_theme(self) -> dict[str, int]:
        return {theme: int(self.disputed[theme].sum()) for theme in self.themes}

    def to_dict(self) -> dict[str, Any]:
        return {"codings": list(self.names), "compared": self.compared,
                "answers_to_settle": self.answers_to_settle,
                "codes_to_settle": int(self.disputed.to_numpy().sum()),
                "per_theme": self.per_theme(), "rows": len(self.table),
                "only_in": self.only_in, "not_coded": self.not_coded,
                "themes_left_out": self.themes_left_out}

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        first, second = self.names
        head = Text(f"{self.answers_to_settle:,} of the {self.compared:,} answers coded by both "
                    f"{first} and {second} differ on {int(self.disputed.to_numpy().sum()):,} "
                    "code(s)", style="bold")
        table = Table("theme", "to settle", show_edge=False, box=None, pad_edge=False)
        for theme, count in sorted(self.per_theme().items(), key=lambda item: -item[1]):
            if count:
                table.add_row(theme, f"{count:,}")
        notes = []
        unmatched = ", ".join(f"{count:,} only in {name}" for name, count in self.only_in.items()
                              if count)
        if unmatched:
            notes.append(Text(f"Not in the sheet (coded by one coding only): {unmatched}",
                              style="dim"))
        blank = ", ".join(f"{count:,} in {name}" for name, count in self.not_coded.items()
                          if count)
        if blank:
            notes.append(Text(f"Not in the sheet (rows left blank): {blank}", style="dim"))
        if self.themes_left_out:
            notes.append(Text("Themes not in both codings, left out: "
                              f"{', '.join(self.themes_left_out)}", style="yellow"))
        return Group(head, table, *notes)


def find_disagreements(first: Coding, second: Coding, *, answers: Mapping[str, str],
                       context: pd.DataFrame | None = None,
                       themes: Sequence[str] | None = None,
                       only_disputed: bool = False) -> Disagreements:
    """The adjudication sheet of ``first`` and ``second`` over the answers both coded.

    ``answers`` maps answer ids to the text to show (redacted); ``context`` (indexed by
    answer id) adds columns such as ``question`` or ``wave`` before the answer.
    """
    wanted = list(themes) if themes is not None else [
        theme for theme in first.themes if theme in second.themes]
    missing = [theme for theme in wanted if theme not in first.themes
               or theme not in second.themes]
    if missing or not wanted:
        raise ConfigError(f"the codings share no theme column{'s' if not wanted else ''}"
                          + (f" for {', '.join(map(repr, missing))}" if missing else ""))
    in_second = set(second.codes.index)
    shared = [answer for answer in first.codes.index if answer in in_second]
    if not shared:
        raise ConfigError(f"no answer is coded in both codings ({first.name}: "
                          f"{len(first.codes):,} coded, {second.name}: {len(second.codes):,}); "
                          "compare codings of the same answers, with the same ids")
    without_text = [answer for answer in shared if answer not in answers]
    if without_text:
        raise ConfigError(f"no answer text for {len(without_text)} answer(s) (e.g. "
                          f"{without_text[0]!r}); give the survey file with --responses so the "
                          "sheet shows each answer")
    a = first.codes.loc[shared, wanted]
    b = second.codes.loc[shared, wanted]
    disputed = a.ne(b)
    differs: np.ndarray = np.asarray(disputed.to_numpy().any(axis=1))
    order = sorted(range(len(shared)), key=lambda row: not differs[row])
    if only_disputed:
        order = [row for row in order if differs[row]]
    rows = [shared[row] for row in order]
    agreed = a.to_numpy()
    position = {answer: row for row, answer in enumerate(shared)}
    table = pd.DataFrame({ID_COLUMN: rows})
    if context is not None:
        for column in context.columns:
            table[column] = [_cell(context, answer, column) for answer in rows]
    table[f"A: {first.name}"] = [_listed(a.loc[answer]) for answer in rows]
    table[f"B: {second.name}"] = [_listed(b.loc[answer]) for answer in rows]
    table[SETTLE_COLUMN] = [", ".join(disputed.columns[disputed.loc[answer]]) for answer in rows]
    table[ANSWER_COLUMN] = [answers[answer] for answer in rows]
    cells = disputed.to_numpy()
    for place, theme in enumerate(wanted):
        table[theme] = pd.Series([None if cells[position[answer], place]
                                  else int(agreed[position[answer], place])
                                  for answer in rows], dtype=object)
    table[NOTE_COLUMN] = ""
    marked = disputed.loc[rows].reset_index(drop=True)
    in_both = set(shared)
    only_in = {coding.name: int((~coding.codes.index.isin(list(in_both))).sum())
               for coding in (first, second)}
    not_coded = {coding.name: len(coding.not_coded) for coding in (first, second)}
    left_out = sorted((set(first.themes) | set(second.themes)) - set(wanted))
    return Disagreements(table, marked, (first.name, second.name), wanted, len(shared),
                         only_in, not_coded, left_out)


def _listed(codes: pd.Series) -> str:
    return "; ".join(str(theme) for theme, value in codes.items() if value)


def _cell(context: pd.DataFrame, answer: str, column: str) -> Any:
    return context.at[answer, column] if answer in context.index else None
