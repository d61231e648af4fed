"""``show_theme``: every answer coded with a theme, its evidence highlighted.

The codes may be long (a ``theme`` column, as ``openends code`` writes them: their
``evidence`` is highlighted), wide or a coding sheet (read by
:func:`openends.coding.codings.read_coding`). The text shown is always the answer's
``redacted_text``: personal data never leaves the tool, nor does it through the
evidence, which is redacted too.

Example:
    >>> cleaned = pd.DataFrame({"response_id": ["a", "b", "c"], "wave": [2017, 2019, 2019],
    ...     "redacted_text": ["Encrypted phones", "Bitcoin wallets", "More ENCRYPTION"]})
    >>> codes = pd.DataFrame({"response_id": ["a", "b", "c"],
    ...     "theme": ["encryption", "crypto", "encryption"],
    ...     "evidence": ["Encrypted", "Bitcoin | wallets", "ENCRYPTION"]})
    >>> found = show_theme("encryption", codes, cleaned, where={"wave": "2019"})
    >>> found.header
    'encryption: 1 answers (of 2 coded, 1 shown)'
    >>> [(answer.response_id, answer.attributes, answer.text) for answer in found.answers]
    [('c', {'wave': '2019'}, 'More ENCRYPTION')]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Group
from rich.padding import Padding
from rich.text import Text

from openends.coding.evidence import evidence_spans, evidence_terms
from openends.errors import ConfigError, UnknownColumnError, closest_match

__all__ = ["ThemeAnswer", "ThemeAnswers", "evidence_spans", "evidence_terms", "show_theme"]


HIGHLIGHT = "bold yellow"
# Columns of a responses table that are text or bookkeeping, not attributes of an answer.
TEXT_COLUMNS = frozenset({"text", "clean_text", "redacted_text", "lemmas"})
NOT_ATTRIBUTES = TEXT_COLUMNS | {"response_id", "respondent_id", "status", "language", "source"}


@dataclass(frozen=True)
class ThemeAnswer:
    """One answer coded with the theme: its redacted text and why it was coded."""

    response_id: str
    attributes: dict[str, str]
    text: str
    evidence: str = ""
    source: str = ""
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"response_id": self.response_id, "attributes": self.attributes,
                "text": self.text, "evidence": self.evidence, "source": self.source,
                "score": self.score}

    def highlighted(self) -> Text:
        """The text with each evidence word or phrase in :data:`HIGHLIGHT`."""
        shown = Text(self.text)
        for start, end in evidence_spans(self.text, self.evidence):
            shown.stylize(HIGHLIGHT, start, end)
        return shown

    def __rich__(self) -> Group:
        head = Text()
        head.append(self.response_id, style="bold cyan")
        for name, value in self.attributes.items():
            head.append(f"  {name}={value}", style="dim")
        if self.source or self.score is not None:
            how = " ".join(filter(None, [self.source, None if self.score is None
                                         else f"{self.score:.2f}"]))
            head.append(f"  [{how}]", style="dim")
        parts: list[Any] = [head, Padding(self.highlighted(), (0, 0, 0, 2), expand=False)]
        if self.evidence:
            parts.append(Padding(Text(f"evidence: {self.evidence}", style="dim"), (0, 0, 0, 2),
                                 expand=False))
        return Group(*parts)


@dataclass
class ThemeAnswers:
    """The answers coded with ``theme`` (after the ``where`` filters): ``with_theme`` of
    the ``coded`` answers have it, ``answers`` are the ones shown (at most the limit)."""

    theme: str
    answers: list[ThemeAnswer]
    with_theme: int
    coded: int
    where: dict[str, str] = field(default_factory=dict)
    not_in_responses: int = 0

    @property
    def header(self) -> str:
        return (f"{self.theme}: {self.with_theme:,} answers (of {self.coded:,} coded, "
                f"{len(self.answers):,} shown)")

    def to_dict(self) -> dict[str, Any]:
        return {"theme": self.theme, "with_theme": self.with_theme, "coded": self.coded,
                "shown": len(self.answers), "where": self.where,
                "not_in_responses": self.not_in_responses,
                "answers": [answer.to_dict() for answer in self.answers]}

    def __rich__(self) -> Group:
        parts: list[Any] = [Text(self.header, style="bold")]
        if self.where:
            parts.append(Text("where " + ", ".join(
                f"{column}={value}" for column, value in self.where.items()), style="dim"))
        if self.not_in_responses:
            parts.append(Text(f"{self.not_in_responses:,} answers coded with {self.theme} are "
                              "not in the responses file and are not shown", style="yellow"))
        for answer in self.answers:
            parts += [Text(""), answer]
        return Group(*parts)


def show_theme(theme: str, codes: pd.DataFrame | str | Path, cleaned: pd.DataFrame, *,
               where: Mapping[str, str] | None = None,
               limit: int | None = None) -> ThemeAnswers:
    """The answers of ``cleaned`` (a cleaned responses table) that ``codes`` (long or wide
    codes, or a coding sheet: a table or a file) code with ``theme``, in the responses'
    order; only those whose ``where`` columns hold the given values (compared as text:
    ``2019.0`` is ``"2019"``); at most ``limit`` of them."""
    from openends.coding.codings import read_coding

    where = dict(where or {})
    if limit is not None and limit < 0:
        raise ConfigError(f"the limit must be 0 or more, not {limit}")
    if "redacted_text" not in cleaned.columns:
        from openends.clean import clean_responses

        cleaned = clean_responses(cleaned)[0]
    coding = read_coding(codes)
    if theme not in coding.themes:
        suggestion = closest_match(theme, coding.themes)
        hint = f"did you mean {suggestion!r}? " if suggestion else ""
        listed = ", ".join(sorted(coding.themes)) or "none"
        raise ConfigError(f"no theme {theme!r} in the codes; {hint}Themes: {listed}")
    ids = _response_ids(cleaned)
    coded_ids = _coded_ids(coding.codes.index, coding.positional, ids, len(coding.not_coded))
    with_theme = [answer for answer, value in zip(coded_ids, coding.codes[theme], strict=True)
                  if value]
    rows = {answer: row for row, answer in enumerate(ids)}
    if coded_ids and not any(answer in rows for answer in coded_ids):
        raise ConfigError(
            f"none of the {len(coded_ids):,} coded answers is in the responses (codes have ids "
            f"like {coded_ids[0]!r}, responses {ids[0] if ids else 'none'!r}); read the "
            "responses with the --text and --id options the codes were made with")
    kept = _matching(cleaned, where)
    coded = sum(1 for answer in coded_ids if answer in rows and kept[rows[answer]])
    found = sorted(rows[answer] for answer in with_theme
                   if answer in rows and kept[rows[answer]])
    shown = found if limit is None else found[:limit]
    evidence = _evidence(codes, theme)
    attributes = [column for column in cleaned.columns if column not in NOT_ATTRIBUTES]
    answers = [_answer(cleaned.iloc[row], ids[row], attributes, evidence.get(ids[row]))
               for row in shown]
    return ThemeAnswers(theme, answers, len(found), coded, where,
                        sum(answer not in rows for answer in with_theme))


def _response_ids(cleaned: pd.DataFrame) -> list[str]:
    from openends.io import as_text

    return [as_text(answer) for answer in cleaned["response_id"]]


def _coded_ids(index: pd.Index, positional: bool, ids: list[str], not_coded: int) -> list[str]:
    """The coding's answer ids; a wide coding without ids aligns by row with the responses."""
    coded = [str(answer) for answer in index]
    if not positional:
        return coded
    rows = len(coded) + not_coded
    if rows != len(ids):
        raise ConfigError(f"the codes have no id column, so their rows align with the "
                          f"responses by position, but there are {rows:,} code rows and "
                          f"{len(ids):,} answers; add a response_id column to the codes")
    return [ids[int(answer.removeprefix("#")) - 1] for answer in coded]


def _matching(cleaned: pd.DataFrame, where: Mapping[str, str]) -> list[bool]:
    """Per row: do its ``where`` columns hold the wanted values (as text, any case)?"""
    from openends.io import as_text

    filterable = [str(column) for column in cleaned.columns if column not in TEXT_COLUMNS]
    kept = [True] * len(cleaned)
    for column, wanted in where.items():
        if column not in filterable:
            raise UnknownColumnError(column, filterable)
        for row, value in enumerate(cleaned[column]):
            kept[row] = kept[row] and _same(as_text(value), str(wanted))
    return kept


def _same(value: str, wanted: str) -> bool:
    """``value`` and ``wanted`` are the same text (ignoring case and outer spaces) or number.

    Example:
        >>> _same("2019", "2019.0"), _same("Tech", " tech"), _same("2019", "2018")
        (True, True, False)
    """
    value, wanted = value.strip(), wanted.strip()
    if value.casefold() == wanted.casefold():
        return True
    try:
        return float(value) == float(wanted)
    except ValueError:
        return False


def _evidence(codes: pd.DataFrame | str | Path,
              theme: str) -> dict[str, tuple[str, str, float | None]]:
    """``(evidence, source, score)`` by answer id from long codes (none from wide ones);
    the evidence redacted like the answers (a hand-made codes file may quote anything)."""
    from openends.clean.redact import Redactor
    from openends.io import as_text

    table = codes if isinstance(codes, pd.DataFrame) else _codes_table(Path(codes))
    if "theme" not in table.columns or "response_id" not in table.columns:
        return {}
    rows = table[table["theme"].map(as_text).str.strip() == theme]
    empty = pd.Series([""] * len(rows), index=rows.index)
    scores = pd.to_numeric(rows["score"], errors="coerce") if "score" in rows.columns else \
        pd.Series([float("nan")] * len(rows), index=rows.index)
    terms: dict[str, list[str]] = {}
    sources: dict[str, str] = {}
    best: dict[str, float] = {}
    for answer, evidence, source, score in zip(
            rows["response_id"].map(as_text).str.strip(),
            rows.get("evidence", empty).map(as_text).str.strip(),
            rows.get("source", empty).map(as_text).str.strip(), scores, strict=True):
        found = terms.setdefault(answer, [])
        if evidence and evidence not in found:
            found.append(evidence)
        sources[answer] = sources.get(answer) or source
        if score == score:  # not NaN
            best[answer] = max(best.get(answer, 0.0), float(score))
    texts, _ = Redactor().redact_many([" | ".join(found) for found in terms.values()])
    return {answer: (text, sources[answer], best.get(answer)) for answer, text
            in zip(terms, texts, strict=True)}


def _codes_table(path: Path) -> pd.DataFrame:
    """The codes table of a file: a workbook's ``codes`` sheet when it has one."""
    from openends.errors import SheetNotFoundError
    from openends.io import read_table
    from openends.sheets.layout import CODES_SHEET

    if path.suffix.lower() == ".xlsx":
        try:
            return read_table(path, sheet=CODES_SHEET)[0]
        except SheetNotFoundError:
            pass
    return read_table(path)[0]


def _answer(row: pd.Series, answer: str, attributes: Sequence[str],
            evidence: tuple[str, str, float | None] | None) -> ThemeAnswer:
    from openends.io import as_text

    shown, source, score = evidence if evidence is not None else ("", "", None)
    return ThemeAnswer(answer, {str(name): as_text(row[name]) for name in attributes},
                       as_text(row["redacted_text"]), shown, source, score)
