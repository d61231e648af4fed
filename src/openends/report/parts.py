"""The report in parts: each partition of the answers summarised on its own, the
summaries merged, and the report made once from the merged summary.

:func:`~openends.report.build.build_report` needs every answer in one process; yet
every statistic of the report depends only on counts, and its quotes only on a few of
the best answers per theme. So a partition (a consecutive block of rows, all the
answers of a respondent in the same one) is summarised by :func:`report_part` into a
:class:`ReportPart`, small and picklable: its rows reduced to their distinct
combinations with a count (the :data:`WEIGHT` column the statistics read), the best
quote candidates of each theme, and the status counts. :func:`combine_parts` merges
parts given in table order, and :func:`report_from_part` makes the report, the same in
every table, headline, note, count and quote as ``build_report`` on the whole table,
which is these steps over a single part (keywords are counted elsewhere:
:mod:`openends.keywords.scoped`).

Example (two partitions of a tiny survey)::

    >>> codes = pd.DataFrame({"response_id": list("abcd"), "tor": [1, 0, 1, 1]})
    >>> responses = pd.DataFrame({"response_id": list("abcd"), "status": "ok",
    ...     "redacted_text": ["Tor at home", "Nothing new", "Tor again", "Tor and more"],
    ...     "wave": [2018, 2018, 2019, 2019]})
    >>> parts = [report_part(codes.iloc[:2], responses.iloc[:2]),
    ...          report_part(codes.iloc[2:], responses.iloc[2:])]
    >>> report = report_from_part(combine_parts(parts))
    >>> report.prevalence[["theme", "wave", "n", "k"]]
      theme  wave  n  k
    0   tor  2018  2  1
    1   tor  2019  2  2
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from openends.errors import ConfigError
from openends.report.build import (
    DEFAULT_WAVE,
    ID,
    Candidate,
    _as_tuple,
    _by_columns,
    _check_options,
    _cleaned,
    _concat,
    _corrected,
    _counts,
    _headlines,
    _in_scope,
    _notes,
    _quote_candidates,
    _scopes,
    _spread,
    _theme_table,
    _themes,
    _wave_column,
    _with_endpoints,
    _with_ids,
    _with_theme,
)
from openends.report.model import Report
from openends.stats import (
    cooccurrence,
    group_differences,
    group_label,
    prevalence,
    roll_up,
    trend_tests,
    wave_changes,
)
from openends.stats._counts import RESPONDENT, SUBSTANTIVE, aligned

if TYPE_CHECKING:
    from openends.coding.codebook import Codebook

WEIGHT = "__weight__"
"""The column of a part's rows counting the answers (or respondents) each stands for."""


@dataclass(frozen=True, eq=False)
class Rows:
    """Distinct rows and how many answers (or respondents) each stands for, as the
    statistics read them (``weight=WEIGHT``): ``responses`` has ``response_id`` (a row
    key), ``status``, the ``question``, ``by`` and wave labels (those used),
    ``respondent_id`` for respondents and :data:`WEIGHT`; ``codes`` has ``response_id``
    and each theme's 0/1 mark, 0 outside the theme's question. Rows appear in the order
    their groups first occur in the table, which orders ties of the natural sort as the
    whole table would."""

    responses: pd.DataFrame
    codes: pd.DataFrame


@dataclass(frozen=True, eq=False)
class ReportPart:
    """What the report needs of a partition of the answers (:func:`report_part`).

    - ``answers``: the answers of the themes' scopes as distinct rows with their count
      (the statistics of bases ``answers`` and ``all``, and co-occurrence);
    - ``respondents`` (base ``respondents``): the respondents as distinct *profiles* (the
      questions, groups and waves they answered in, each with the themes any substantive
      answer of theirs there mentions; each question apart when every theme belongs to
      one) with how many respondents share each; answers that count no respondent (not
      substantive, no respondent id) are kept as rows with no ``respondent_id``, for the
      groups they show;
    - ``statuses``: the answers per status (in the order statuses first occur);
      ``with_theme``: the substantive answers coded with a theme;
    - ``quotes``: per theme, the candidates the report can quote, best first;
    - the options and themes it was made with (parts merge only when they agree).
    """

    base: str
    wave: str | None
    by: tuple[str, ...]
    themes: tuple[str, ...]
    scopes: dict[str, list[str]]
    missing: tuple[str, ...]
    """Themes of the codebook the codes do not have."""
    answers: Rows
    respondents: Rows | None
    statuses: dict[str, int]
    with_theme: int
    quotes: dict[str, list[Candidate]]
    quotes_per_theme: int


def report_part(codes: pd.DataFrame, responses: pd.DataFrame, *,
                codebook: Codebook | None = None, evidence: pd.DataFrame | None = None,
                wave: str | None = DEFAULT_WAVE, by: Sequence[str] = (),
                base: str = "answers", quotes_per_theme: int = 3) -> ReportPart:
    """The summary of one partition of the answers that the report needs.

    ``responses`` is a consecutive block of rows of the cleaned responses table, with
    every answer of its respondents; ``codes`` the wide codes of those answers and
    ``evidence`` their long codes. The options are those of
    :func:`~openends.report.build.build_report`, and the codes are checked as it checks
    them. The summary keeps no answer but the quote candidates (at most
    ``quotes_per_theme`` per theme and wave, or group when there are no waves), so its
    size follows the variety of the answers, not their number.

    Example:
        >>> codes = pd.DataFrame({"response_id": list("abc"), "tor": [1, 0, 1]})
        >>> responses = pd.DataFrame({"response_id": list("abc"), "status": "ok",
        ...                           "redacted_text": ["Tor", "No", "Tor"]})
        >>> part = report_part(codes, responses)
        >>> part.answers.responses[["status", "__weight__"]]
          status  __weight__
        0     ok           2
        1     ok           1
    """
    _check_options(base, quotes_per_theme)
    responses = _cleaned(responses)
    wave = _wave_column(wave, responses)
    by = _by_columns(by, wave, responses)
    for column in {*by, *([wave] if wave else [])} & {ID, RESPONDENT}:
        if column == ID or base == "respondents":
            raise ConfigError(f"the report cannot split by {column!r}: it identifies the "
                              "answers or respondents counted; choose a column of groups")
    codes = _with_ids(codes, responses)
    if codebook is not None:
        codes = roll_up(codes, codebook)
    themes = _themes(codes, codebook)
    if not themes:
        raise ConfigError("the codes have no theme columns; give wide codes (response_id and "
                          "one 0/1 column per theme) or long codes (a 'theme' column)")
    scopes = _scopes(themes, codebook, responses)
    marks = _scoped_marks(codes, responses, scopes, themes)
    kept = responses.loc[marks.index]
    attributes = _labelled(kept, _attribute_columns(scopes, by, wave))
    ones = pd.Series(1, index=kept.index, dtype="int64")
    respondents = None
    if base == "respondents":
        respondents = _respondent_rows(attributes, marks, ones, _units(kept, attributes, scopes))
    candidates = (_quote_candidates(codes, responses, scopes, evidence, wave, by)
                  if quotes_per_theme else {})
    return ReportPart(
        base=base, wave=wave, by=tuple(by), themes=tuple(themes), scopes=scopes,
        missing=tuple(theme for theme in codebook.ids if theme not in codes.columns)
        if codebook is not None else (),
        answers=_answer_rows(attributes, marks, ones), respondents=respondents,
        statuses=dict(Counter(responses["status"].astype(str))),
        with_theme=_with_theme(codes, responses, themes),
        quotes={theme: _best(listed, quotes_per_theme) for theme, listed in candidates.items()},
        quotes_per_theme=quotes_per_theme)


def combine_parts(parts: Sequence[ReportPart]) -> ReportPart:
    """One part summarising the partitions of ``parts``, given in table order (the order
    breaks ties of the natural sort and of the status counts as the whole table does).
    Parts merge only when they were made with the same options and themes.

    Example:
        >>> codes = pd.DataFrame({"response_id": list("ab"), "tor": [1, 1]})
        >>> responses = pd.DataFrame({"response_id": list("ab"), "status": "ok",
        ...                           "redacted_text": "Tor"})
        >>> one = combine_parts([report_part(codes.iloc[:1], responses.iloc[:1]),
        ...                      report_part(codes.iloc[1:], responses.iloc[1:])])
        >>> one.answers.responses["__weight__"].tolist(), one.statuses
        ([2], {'ok': 2})
    """
    if not parts:
        raise ConfigError("no report parts to combine; give the summary of at least one "
                          "partition (report_part)")
    first = parts[0]
    for index, part in enumerate(parts[1:], start=1):
        for name in ("base", "wave", "by", "themes", "scopes", "missing", "quotes_per_theme"):
            if getattr(part, name) != getattr(first, name):
                raise ConfigError(
                    f"report part {index} was made with {name} {getattr(part, name)!r}, part 0 "
                    f"with {getattr(first, name)!r}; summarise every partition with the "
                    "same options and codebook")
    columns = _attribute_columns(first.scopes, first.by, first.wave)
    respondents = None
    if first.respondents is not None:
        tables = [part.respondents for part in parts if part.respondents is not None]
        # A respondent is in one part only: the same profile id in two parts is two people.
        units = pd.Series([unit if pd.isna(unit) else f"{index}/{unit}"
                           for index, table in enumerate(tables)
                           for unit in table.responses[RESPONDENT]], dtype=object)
        respondents = _respondent_rows(*_stacked(tables, columns, first.themes), units)
    statuses: Counter[str] = Counter()
    for part in parts:
        statuses.update(part.statuses)
    return ReportPart(
        base=first.base, wave=first.wave, by=first.by, themes=first.themes,
        scopes=first.scopes, missing=first.missing,
        answers=_answer_rows(*_stacked([part.answers for part in parts], columns,
                                       first.themes)),
        respondents=respondents, statuses=dict(statuses),
        with_theme=sum(part.with_theme for part in parts),
        quotes={theme: _best([candidate for part in parts for candidate in part.quotes[theme]],
                             first.quotes_per_theme) for theme in first.quotes},
        quotes_per_theme=first.quotes_per_theme)


def report_from_part(part: ReportPart, *, codebook: Codebook | None = None,
                     wave: str | None = DEFAULT_WAVE, by: Sequence[str] = (),
                     base: str = "answers", correction: str = "holm", alpha: float = 0.05,
                     title: str = "Theme prevalence", quality: dict[str, Any] | None = None,
                     keywords: pd.DataFrame | None = None, keyword_notes: Sequence[str] = (),
                     quotes_per_theme: int = 3) -> Report:
    """The report of the answers ``part`` summarises (one part, or :func:`combine_parts`
    of all of them): what :func:`~openends.report.build.build_report` gives on the
    whole table with the same options, which must be those the part was made with.

    ``keywords`` and ``keyword_notes`` are the table and the skipped scopes of the
    keyness, counted elsewhere (:mod:`openends.keywords.scoped`); None: not computed.
    ``quotes_per_theme`` can be at most the part's.

    Example:
        >>> codes = pd.DataFrame({"response_id": list("ab"), "tor": [1, 0]})
        >>> responses = pd.DataFrame({"response_id": list("ab"), "status": "ok",
        ...                           "redacted_text": ["Tor on every phone", "Nothing"]})
        >>> report = report_from_part(report_part(codes, responses), title="Tiny")
        >>> report.themes[["theme", "n", "k"]], [quote.text for quote in report.quotes["tor"]]
        (  theme  n  k
        0   tor  2  1, ['Tor on every phone'])
    """
    _check_options(base, quotes_per_theme, correction=correction, alpha=alpha)
    wave, by = _made_with(part, wave, by, base, quotes_per_theme)
    rows = part.respondents if part.respondents is not None else part.answers
    waves = [wave] if wave else []
    tables: dict[str, list[pd.DataFrame]] = {name: [] for name in (
        "themes", "prevalence", "trends", "changes", "differences", "cooccurrence")}
    for question, members in part.scopes.items():
        scoped = _in_scope(rows.responses, question)
        overall = prevalence(rows.codes, scoped, themes=members, base=base, weight=WEIGHT)
        tables["themes"].append(overall.assign(question=question or ""))
        if by or wave:
            tables["prevalence"].append(prevalence(rows.codes, scoped, themes=members,
                                                   by=[*by, *waves], base=base, weight=WEIGHT))
        if wave:
            tables["trends"].append(trend_tests(
                rows.codes, scoped, themes=members, wave=wave, by=by, base=base,
                correction="none", alpha=alpha, weight=WEIGHT))
            tables["changes"].append(wave_changes(
                rows.codes, scoped, themes=members, wave=wave, by=by, base=base,
                correction="none", alpha=alpha, weight=WEIGHT))
        for column in by:
            tables["differences"].append(group_differences(
                rows.codes, scoped, between=column, themes=members, by=waves, base=base,
                correction="none", alpha=alpha, weight=WEIGHT).assign(between=column))
        if len(members) > 1:
            tables["cooccurrence"].append(_cooccurrence(part.answers, question, members))
    matrix = _concat(tables["prevalence"])
    trends = _with_endpoints(_concat(tables["trends"]), matrix, by, wave)
    changes, differences = _concat(tables["changes"]), _concat(tables["differences"])
    if len(differences):
        differences = differences[["theme", "between", *[column for column in differences.columns
                                                         if column not in {"theme", "between"}]]]
    trends, changes, differences = _corrected([trends, changes, differences], correction, alpha)
    theme_table = _theme_table(_concat(tables["themes"]), codebook, base, list(part.themes))
    notes = _notes(theme_table, part.missing)
    if base == "all":
        notes.append("base 'all': answers that were not coded (empty, non-substantive, "
                     "duplicate, other language) count as not mentioning any theme, even a "
                     "duplicate of a coded answer; shares and changes can move with the "
                     "number of such answers")
    notes += keyword_notes
    return Report(
        title=title, base=base, correction=correction, wave=wave, by=tuple(by),
        counts=_counts(part.statuses, part.with_theme), themes=theme_table, prevalence=matrix,
        changes=changes, trends=trends, cooccurrence=_concat(tables["cooccurrence"]),
        keywords=keywords if keywords is not None else pd.DataFrame(),
        quotes={theme: _spread(listed, quotes_per_theme, latest_first=bool(wave))
                for theme, listed in part.quotes.items()} if quotes_per_theme else {},
        quality=quality, notes=notes, headlines=_headlines(
            trends, changes, differences, by, theme_table, correction, wave, base),
        differences=differences, alpha=alpha)


def _made_with(part: ReportPart, wave: str | None, by: Sequence[str], base: str,
               quotes_per_theme: int) -> tuple[str | None, list[str]]:
    """The report's wave and by columns, checked against those the part was made with."""
    if wave == DEFAULT_WAVE and part.wave is None:
        wave = None  # the default, where the answers have no such column
    chosen = _by_columns(by, wave, None)
    for name, given, made in (("base", base, part.base), ("wave", wave, part.wave),
                              ("by", tuple(chosen), part.by)):
        if given != made:
            raise ConfigError(f"the report part was made with {name} {made!r}, not {given!r}; "
                              "summarise the partitions with the options of the report")
    if quotes_per_theme > part.quotes_per_theme:
        raise ConfigError(f"the report part kept quotes for {part.quotes_per_theme} per theme, "
                          f"not {quotes_per_theme}; summarise the partitions with "
                          f"quotes_per_theme={quotes_per_theme}")
    return wave, chosen


def _attribute_columns(scopes: dict[str, list[str]], by: Sequence[str],
                       wave: str | None) -> list[str]:
    """The columns of the answers the statistics read: status, question (when a theme is
    scoped to one), the by columns and the wave."""
    asked = ["question"] if any(scopes) else []
    return list(dict.fromkeys(["status", *asked, *by, *([wave] if wave else [])]))


def _scoped_marks(codes: pd.DataFrame, responses: pd.DataFrame, scopes: dict[str, list[str]],
                  themes: list[str]) -> pd.DataFrame:
    """The 0/1 marks of the answers in a scope (of the themes of their scopes, 0 for the
    others), checked as the statistics check them; answers in no scope are left out."""
    marks = pd.DataFrame(0, index=responses.index, columns=themes, dtype="int64")
    used = np.zeros(len(responses), dtype=bool)
    for question, members in scopes.items():
        scoped = _in_scope(responses, question)
        marks.loc[scoped.index, members] = aligned(codes, scoped, members, [])[1].to_numpy()
        used[scoped.index] = True
    return marks[used]


def _units(responses: pd.DataFrame, attributes: pd.DataFrame,
           scopes: dict[str, list[str]]) -> pd.Series:
    """Who each answer is counted as with base respondents: its respondent (or the answer
    itself), missing for none; when every theme belongs to a question, the respondent's
    answers to each question apart, as no statistic reads two questions together."""
    unit = responses[RESPONDENT] if RESPONDENT in responses.columns else responses[ID]
    numbers = pd.factorize(unit)[0]
    apart = attributes["question"] if "" not in scopes else [""] * len(numbers)
    return pd.Series([None if number < 0 else f"{number}/{question}"
                      for number, question in zip(numbers, apart, strict=True)], dtype=object)


def _labelled(responses: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The columns the statistics read, as the labels they group by (status as it is)."""
    return pd.DataFrame({column: responses[column].astype(object) if column == "status"
                         else [group_label(value) for value in responses[column]]
                         for column in columns}, index=responses.index)


def _stacked(tables: Sequence[Rows], columns: list[str], themes: Sequence[str],
             ) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """The attributes, marks and weights of several parts' rows, one after the other."""
    responses = pd.concat([table.responses for table in tables], ignore_index=True)
    codes = pd.concat([table.codes for table in tables], ignore_index=True)
    return responses[columns], codes[list(themes)], responses[WEIGHT]


def _rows(attributes: pd.DataFrame, marks: pd.DataFrame, weights: Any,
          units: Any = None) -> Rows:
    """Rows as the statistics read them, keyed ``"0"``, ``"1"``, ..."""
    ids = [str(number) for number in range(len(attributes))]
    responses = attributes.reset_index(drop=True)
    responses.insert(0, ID, ids)
    if units is not None:
        responses[RESPONDENT] = pd.Series(list(units), dtype=object)
    responses[WEIGHT] = np.asarray(weights, dtype="int64")
    codes = marks.reset_index(drop=True).astype("int64")
    codes.insert(0, ID, ids)
    return Rows(responses=responses, codes=codes)


def _keys(*frames: pd.DataFrame) -> list[np.ndarray]:
    """The columns of the frames as grouping keys, by position (a theme may share the
    name of a column)."""
    return [frame[column].to_numpy() for frame in frames for column in frame.columns]


def _answer_rows(attributes: pd.DataFrame, marks: pd.DataFrame, weights: pd.Series) -> Rows:
    """The distinct rows of attributes and marks with their summed weights, in the order
    they first occur (so groups first occur in the same order as in the input)."""
    summed = weights.rename(WEIGHT).reset_index(drop=True).groupby(
        _keys(attributes, marks), sort=False, dropna=False).sum().reset_index()
    width = attributes.shape[1]
    return _rows(summed.iloc[:, :width].set_axis(attributes.columns, axis=1),
                 summed.iloc[:, width:-1].set_axis(marks.columns, axis=1), summed[WEIGHT])


def _respondent_rows(attributes: pd.DataFrame, marks: pd.DataFrame, weights: pd.Series,
                     units: pd.Series) -> Rows:
    """Respondents (``units``, each standing for its ``weights`` of respondents) as
    distinct *profiles*: for each question, group and wave a respondent answered in
    (substantively), the themes any of those answers mentions; respondents with the same
    profile become one, weighted by their number. Rows counting no respondent (not
    substantive, or no id) stay as distinct rows with no id, for the groups they show.
    Each row is placed where its attributes first occur in the input, so groups first
    occur in the same order."""
    places = pd.Series(np.arange(len(attributes))).groupby(
        _keys(attributes), sort=False, dropna=False).transform("first").to_numpy()
    counted = (attributes["status"] == SUBSTANTIVE).to_numpy() & units.notna().to_numpy()
    values = pd.DataFrame(marks.to_numpy()[counted]).assign(
        place=places[counted], weight=weights.to_numpy()[counted])
    keys = [units.to_numpy()[counted],
            *[key[counted] for key in _keys(attributes.drop(columns="status"))]]
    maxima = values.groupby(keys, sort=False, dropna=False).max()
    profiles: dict[Any, list[tuple[Any, ...]]] = {}
    respondents: dict[Any, int] = {}
    for key, (*mentions, place, weight) in zip(maxima.index, maxima.to_numpy().tolist(),
                                                strict=True):
        unit, *labels = _as_tuple(key)
        profiles.setdefault(unit, []).append((place, SUBSTANTIVE, *labels, *mentions))
        respondents[unit] = weight
    shared: dict[tuple[tuple[Any, ...], ...], int] = {}
    for unit, profile in profiles.items():
        key = tuple(sorted(profile))
        shared[key] = shared.get(key, 0) + respondents[unit]
    rows = [(*row, str(number), weight) for number, (profile, weight) in enumerate(shared.items())
            for row in profile]
    alone = pd.DataFrame({"place": places[~counted], "weight": weights.to_numpy()[~counted]})
    summed = alone.groupby([key[~counted] for key in _keys(attributes)], sort=False,
                           dropna=False).agg(place=("place", "first"), weight=("weight", "sum"))
    nothing = [0] * marks.shape[1]
    for key, (place, weight) in zip(summed.index, summed.to_numpy().tolist(), strict=True):
        rows.append((place, *_as_tuple(key), *nothing, None, weight))
    rows.sort(key=lambda row: row[0])
    width = attributes.shape[1]
    return _rows(pd.DataFrame([row[1:1 + width] for row in rows], columns=attributes.columns),
                 pd.DataFrame([row[1 + width:-2] for row in rows], columns=marks.columns,
                              dtype="int64"),
                 [row[-1] for row in rows], [row[-2] for row in rows])


def _cooccurrence(answers: Rows, question: str, themes: list[str]) -> pd.DataFrame:
    """Co-occurrence among the substantive answers of one scope."""
    scoped = _in_scope(answers.responses, question)
    counted = scoped[scoped["status"] == SUBSTANTIVE]
    return cooccurrence(answers.codes.loc[counted.index, themes].assign(
        **{WEIGHT: counted[WEIGHT]}), themes, weight=WEIGHT)


def _best(candidates: Iterable[Candidate], per_theme: int) -> list[Candidate]:
    """Of each group's quote candidates, the best ``per_theme`` with distinct casefolded
    texts, best first: all :func:`~openends.report.build._spread` can ever take, in
    this part or in any merge of parts.

    Why ``per_theme`` (q) of a group suffice. ``_spread`` visits the groups in turn; a
    visit pops the group's candidates, best first, until one whose casefolded text no
    quote chosen so far has, and chooses it. (1) A candidate with the text of a better
    one of its group is always passed over (that one was popped first, and its text was
    chosen, then or before), so dropping it changes nothing: a group's texts are now
    distinct. (2) Each candidate a group has popped accounts for a distinct chosen
    quote: itself when chosen; when passed over, the quote of another group chosen
    earlier with its text (not of this group, whose texts are distinct). So when a visit
    starts with c < q quotes chosen, the group has popped at most c candidates, and
    each it passes over in the visit is one more quote of another group: the candidate
    it pops is never beyond its (c + 1)-th, the q-th at most. Candidates beyond the q-th
    are never popped; and a group whose q candidates were all popped has accounted for q
    chosen quotes, when the spread stops, so no list is found empty sooner than in
    full. (3) Merging parts: the text of one of a group's q best texts over all parts
    has its best candidate in some part, where fewer than q distinct texts of the group
    rank above it (they rank above it over all parts too), so that part kept it;
    keeping the q best of the merged candidates gives the q best over all. (The looser
    bound 2q, q chosen plus at most q passed over, holds too; tests check q against
    the whole table.)

    Example:
        >>> from openends.report.model import Quote
        >>> quotes = [Candidate((rank,), "2019", Quote(str(rank), text))
        ...           for rank, text in enumerate(["Tor", "tor", "VPN", "Onion"])]
        >>> [candidate.quote.text for candidate in _best(quotes, 2)]
        ['Tor', 'VPN']
    """
    kept, seen, taken = [], set(), Counter[str]()
    for candidate in sorted(candidates, key=lambda candidate: candidate.rank):
        text = (candidate.group, candidate.quote.text.casefold())
        if text not in seen and taken[candidate.group] < per_theme:
            seen.add(text)
            taken[candidate.group] += 1
            kept.append(candidate)
    return kept


__all__ = ["WEIGHT", "ReportPart", "Rows", "combine_parts", "report_from_part", "report_part"]
