"""``build_report``: coded answers -> one :class:`~openends.report.model.Report`.

Every number comes from :mod:`openends.stats`; this module (with
:mod:`openends.report.parts`, which makes the report from the counts of the answers, so a
table in partitions is reported the same) only decides what is compared with what:

- **Scope.** A theme the codebook ties to a question (``question: tech``) is measured
  among the answers to that question only, when the answers carry a ``question``
  column: ``encryption`` is a share of the ``tech`` answers, not of every answer.
- **One family of tests.** The trend tests (Cochran-Armitage across the waves), the
  wave-over-wave tests and the tests across the groups of each ``by`` column are
  computed uncorrected and then corrected together (Holm by default), so
  ``significant`` means significant after correction across every test in the report.
- **Privacy.** Quotes and keywords come from ``redacted_text`` only.

Example (two waves of a generated survey)::

    report = build_report(codes, cleaned, codebook=book, by=["group"])
    report.headlines
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from openends.errors import ConfigError, UnknownColumnError
from openends.report.model import Quote, Report
from openends.stats import (
    BASES,
    BLANK,
    CORRECTIONS,
    NOT_THEMES,
    adjust_p,
    difference_interval,
    group_label,
    natural_key,
)

if TYPE_CHECKING:
    from openends.agreement.compare import Agreement
    from openends.coding.codebook import Codebook

ID = "response_id"
DEFAULT_WAVE = "wave"
HEADLINES = 5
"""At most this many significant changes are phrased in the headline."""
KEYWORDS_PER_GROUP = 6
MIN_KEYWORD_ANSWERS = 50
"""Keyness on fewer substantive answers than this (in a scope) is noise: skipped."""
QUOTE_WORDS = 6
QUOTE_CHARS = 220
EVIDENCE_CHARS = 40
LIST_MARK = re.compile(r"^\s*[-*•]|\s[-•]\s|\n")
"""Bulleted lists make poor quotes; prose is preferred."""
UNITS = {"answers": "answers", "all": "answers (any status)", "respondents": "respondents"}
CORRECTION_NAMES = {"holm": "Holm", "bh": "Benjamini-Hochberg", "fdr_bh": "Benjamini-Hochberg",
                    "none": "no correction"}


def build_report(codes: pd.DataFrame, responses: pd.DataFrame, *,
                 codebook: Codebook | None = None, evidence: pd.DataFrame | None = None,
                 wave: str | None = DEFAULT_WAVE, by: Sequence[str] = (),
                 base: str = "answers", correction: str = "holm", alpha: float = 0.05,
                 title: str = "Theme prevalence", quality: dict[str, Any] | None = None,
                 keywords: bool = True, quotes_per_theme: int = 3) -> Report:
    """The theme-prevalence report of ``codes`` over ``responses``.

    ``codes`` is wide (``response_id`` and one 0/1 column per theme, e.g.
    ``CodingResult.wide()`` or ``read_coding(path).wide()``; without ``response_id`` the
    rows align with ``responses`` by position). ``responses`` is the cleaned responses
    table (``status``, ``redacted_text`` and the attribute columns; it is cleaned with
    the default options when it has no ``status``). ``evidence`` is the long codes table
    (``response_id, theme, evidence``), used to choose and highlight quotes.

    ``wave`` names the column of ordered waves (the default ``"wave"`` is ignored when
    the responses have no such column; None: no waves); ``by`` the attribute columns to
    split each theme by (e.g. ``["group"]``). ``base``, ``correction`` and ``alpha`` are
    as in :mod:`openends.stats`; every test in the report is corrected together.
    ``quality`` says how good the codes are (:func:`quality_from_agreement`).

    The report is :func:`~openends.report.parts.report_part` of the whole table made into
    a report by :func:`~openends.report.parts.report_from_part` (the way a table in
    partitions is reported), with the keywords of :func:`scoped_keyness`.
    """
    from openends.report.parts import report_from_part, report_part

    _check_options(base, quotes_per_theme, correction=correction, alpha=alpha)
    responses = _cleaned(responses)
    part = report_part(codes, responses, codebook=codebook, evidence=evidence, wave=wave,
                       by=by, base=base, quotes_per_theme=quotes_per_theme)
    keyword_table, skipped = (_keywords(responses, part.scopes, part.wave, list(part.by))
                              if keywords else (pd.DataFrame(), []))
    return report_from_part(part, codebook=codebook, wave=part.wave, by=part.by, base=base,
                            correction=correction, alpha=alpha, title=title, quality=quality,
                            keywords=keyword_table, keyword_notes=skipped,
                            quotes_per_theme=quotes_per_theme)


def quality_from_agreement(agreement: Agreement, *, against: str | None = None
                           ) -> dict[str, Any]:
    """The pooled row of an agreement (all themes) as a report's ``quality``: kappa and
    F1 with their intervals, on how many answers, against which reference."""
    from openends.agreement.compare import ALL

    row = agreement.table.loc[agreement.table["theme"] == ALL].iloc[0]
    quality: dict[str, Any] = {"kind": "agreement",
                               "against": against or agreement.names[-1], "n": int(row["n"])}
    for name in ("kappa", "f1", "precision", "recall"):
        for suffix in ("", "_low", "_high"):
            if f"{name}{suffix}" in row.index:
                quality[f"{name}{suffix}"] = _float(row[f"{name}{suffix}"])
    return quality


def base_phrase(report_base: str, question: str, key: Sequence[str] = ()) -> str:
    """What a share is of, in words: ``"police tech answers"``.

    Example:
        >>> base_phrase("answers", "tech", ["police"]), base_phrase("respondents", "")
        ('police tech answers', 'respondents')
    """
    return " ".join([*[str(value) for value in key], *([question] if question else []),
                     UNITS.get(report_base, report_base)])


def format_p(p: float) -> str:
    """A p-value as reports print it.

    Example:
        >>> format_p(0.00002), format_p(0.0123), format_p(0.42)
        ('p < 0.001', 'p = 0.012', 'p = 0.42')
    """
    if p != p:  # NaN
        return "p = -"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def correction_name(correction: str) -> str:
    """``"holm"`` -> ``"Holm"``, for legends and headlines."""
    return CORRECTION_NAMES.get(correction, correction)


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a table as dicts keyed by column name."""
    return [{str(key): value for key, value in row.items()} for row in table.to_dict("records")]


def _check_options(base: str, quotes: int, *, correction: str = "holm",
                   alpha: float = 0.05) -> None:
    if base not in BASES:
        raise ConfigError(f"base must be one of {', '.join(BASES)}, not {base!r}")
    if correction not in CORRECTIONS:
        raise ConfigError(f"correction must be one of {', '.join(CORRECTIONS)}, "
                          f"not {correction!r}")
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must be between 0 and 1 (e.g. 0.05), not {alpha}")
    if quotes < 0:
        raise ConfigError(f"quotes per theme must be 0 or more, not {quotes}")


def _cleaned(responses: pd.DataFrame) -> pd.DataFrame:
    if ID not in responses.columns:
        raise UnknownColumnError(ID, [str(column) for column in responses.columns])
    if {"status", "redacted_text"} <= set(responses.columns):
        cleaned = responses
    else:
        from openends.clean import clean_responses

        cleaned = clean_responses(responses)[0]
    return cleaned.assign(response_id=cleaned[ID].astype(str)).reset_index(drop=True)


def _wave_column(wave: str | None, responses: pd.DataFrame) -> str | None:
    if wave is None or wave in responses.columns:
        return wave
    if wave == DEFAULT_WAVE:
        return None
    raise UnknownColumnError(wave, [str(column) for column in responses.columns])


def _by_columns(by: Sequence[str], wave: str | None,
                responses: pd.DataFrame | None) -> list[str]:
    """The ``by`` columns once each, but the wave; checked against ``responses`` if given."""
    chosen = [by] if isinstance(by, str) else list(by)
    for column in chosen:
        if responses is not None and column not in responses.columns:
            raise UnknownColumnError(column, [str(name) for name in responses.columns])
    return [column for column in dict.fromkeys(chosen) if column != wave]


def _with_ids(codes: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    codes = codes.copy()
    codes.columns = [str(column) for column in codes.columns]
    if ID in codes.columns:
        return codes.assign(response_id=codes[ID].astype(str)).reset_index(drop=True)
    if len(codes) != len(responses):
        raise ConfigError(f"the codes have no {ID!r} column and {len(codes)} rows for "
                          f"{len(responses)} answers; give the id column, or codes for every "
                          "answer")
    codes.insert(0, ID, responses[ID].to_numpy())
    return codes.reset_index(drop=True)


def _themes(codes: pd.DataFrame, codebook: Codebook | None) -> list[str]:
    present = [column for column in codes.columns if column not in NOT_THEMES]
    if codebook is None:
        return present
    known = [theme for theme in codebook.ids if theme in present]
    return known + [theme for theme in present if theme not in known]


def _scopes(themes: list[str], codebook: Codebook | None,
            responses: pd.DataFrame) -> dict[str, list[str]]:
    """Themes grouped by the question whose answers are their base ("" for every answer)."""
    scopes: dict[str, list[str]] = {}
    asked = "question" in responses.columns
    for theme in themes:
        question = ""
        if asked and codebook is not None and theme in codebook.ids:
            question = codebook.theme(theme).question or ""
        scopes.setdefault(question, []).append(theme)
    return scopes


def _in_scope(responses: pd.DataFrame, question: str) -> pd.DataFrame:
    if not question:
        return responses
    return responses[responses["question"].map(group_label) == question]


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    kept = [frame for frame in frames if len(frame)]
    if not kept:
        return frames[0].iloc[0:0].reset_index(drop=True) if frames else pd.DataFrame()
    return pd.concat(kept, ignore_index=True)


def _with_endpoints(trends: pd.DataFrame, matrix: pd.DataFrame, by: list[str],
                    wave: str | None) -> pd.DataFrame:
    """Each trend with its first and last wave's n and k and the Newcombe interval of the
    difference between them (what the headline and the changes table print)."""
    if not len(trends) or wave is None:
        return trends
    series: dict[tuple[str, ...], list[tuple[str, int, int]]] = {}
    for values in records(matrix):
        if values["n"] > 0 and values[wave] != BLANK:
            key = (str(values["theme"]), *[str(values[column]) for column in by])
            series.setdefault(key, []).append((str(values[wave]), int(values["n"]),
                                               int(values["k"])))
    columns: dict[str, list[Any]] = {name: [] for name in (
        "wave_first", "wave_last", "n_first", "k_first", "n_last", "k_last", "diff_low_pp",
        "diff_high_pp")}
    for row in records(trends):
        points = series[(str(row["theme"]), *[str(row[column]) for column in by])]
        (first, n1, k1), (last, n2, k2) = points[0], points[-1]
        low, high = difference_interval(k1, n1, k2, n2)
        for name, value in zip(columns, (first, last, n1, k1, n2, k2, 100 * low, 100 * high),
                               strict=True):
            columns[name].append(value)
    table = trends.copy()
    position = list(table.columns).index("change_pp") + 1
    for offset, (name, column) in enumerate(columns.items()):
        table.insert(position + offset, name, column)
    return table


def _corrected(tables: list[pd.DataFrame], correction: str,
               alpha: float) -> list[pd.DataFrame]:
    """The tables with ``p_adjusted`` and ``significant`` corrected across all their rows."""
    sizes = [len(table) for table in tables]
    p = np.concatenate([table["p"].to_numpy(dtype=float) if len(table) else np.zeros(0)
                        for table in tables])
    adjusted = adjust_p(p, correction)
    out, start = [], 0
    for table, size in zip(tables, sizes, strict=True):
        part = adjusted[start:start + size]
        start += size
        if size:
            table = table.assign(p_adjusted=part, correction=correction,
                                 significant=part < alpha)
        out.append(table)
    return out


def _theme_table(overall: pd.DataFrame, codebook: Codebook | None, base: str,
                 order: list[str]) -> pd.DataFrame:
    """One row per theme in codebook order, with its label, parent, question and base."""
    labels = {theme.id: theme for theme in codebook.themes} if codebook is not None else {}
    position = {theme: index for index, theme in enumerate(order)}
    table = overall.sort_values("theme", key=lambda column: column.map(position),
                                kind="mergesort", ignore_index=True)
    table.insert(1, "label", [labels[theme].label if theme in labels else theme
                              for theme in table["theme"]])
    table.insert(2, "parent", [labels[theme].parent or "" if theme in labels else ""
                               for theme in table["theme"]])
    question = table.pop("question")
    table.insert(3, "question", question)
    table.insert(4, "scope", [base_phrase(base, value) for value in question])
    return table


def _with_theme(codes: pd.DataFrame, responses: pd.DataFrame, themes: list[str]) -> int:
    """How many substantive answers are coded with a theme."""
    substantive = responses.loc[responses["status"] == "ok", ID]
    marks = codes.set_index(ID)[themes].apply(pd.to_numeric, errors="coerce").fillna(0)
    return int((marks.reindex(substantive).fillna(0).sum(axis=1) > 0).sum())


def _counts(statuses: Mapping[str, int], with_theme: int) -> dict[str, int]:
    """``rows``, ``ok``, the other statuses (most first; ties in the order the statuses
    first occur) and ``with_theme``.

    Example:
        >>> _counts({"ok": 5, "empty": 1, "duplicate": 2}, 4)
        {'rows': 8, 'ok': 5, 'duplicate': 2, 'empty': 1, 'with_theme': 4}
    """
    others = {status: count for status, count in statuses.items() if status != "ok"}
    counts = {"rows": sum(statuses.values()), "ok": statuses.get("ok", 0)}
    counts |= dict(sorted(others.items(), key=lambda item: -item[1]))
    counts["with_theme"] = with_theme
    return counts


def _notes(themes: pd.DataFrame, missing: Sequence[str]) -> list[str]:
    """Themes with no answer in their base, and ``missing``: themes of the codebook the
    codes do not have."""
    notes = []
    empty = themes.loc[themes["n"] == 0, "theme"].tolist()
    if empty:
        notes.append(f"no answer in the base of {', '.join(empty)}: check that the answers' "
                     "questions are named as in the codebook (--text QUESTION=COLUMN)")
    if missing:
        notes.append(f"themes of the codebook the codes do not have: {', '.join(missing)}")
    return notes


def _headlines(trends: pd.DataFrame, changes: pd.DataFrame, differences: pd.DataFrame,
               by: list[str], themes: pd.DataFrame, correction: str, wave: str | None,
               base: str) -> list[str]:
    """The largest significant trends (else wave-over-wave changes) in words, each share
    with its base; significant group differences; or what was found not to change."""
    lines = []
    name = correction_name(correction)
    questions = dict(zip(themes["theme"], themes["question"], strict=True))
    if len(trends) and trends["significant"].any():
        chosen = trends[trends["significant"]]
        chosen = chosen.reindex(chosen["change_pp"].abs().sort_values(
            ascending=False, kind="mergesort").index).head(HEADLINES)
        for row in records(chosen):
            scope = base_phrase(base, questions[row["theme"]], [row[column] for column in by])
            direction = trend_direction(row)
            lines.append(
                f"{row['theme']}: {row['pct_first']:.1%} (n={row['n_first']:,}) → "
                f"{row['pct_last']:.1%} (n={row['n_last']:,}) of {scope} "
                f"({row['wave_first']} → {row['wave_last']}), {direction} trend "
                f"{format_p(row['p_adjusted'])} ({name})")
    elif len(changes) and changes["significant"].any():
        chosen = changes[changes["significant"]]
        chosen = chosen.reindex(chosen["diff_pp"].abs().sort_values(
            ascending=False, kind="mergesort").index).head(HEADLINES)
        for row in records(chosen):
            scope = base_phrase(base, questions[row["theme"]], [row[column] for column in by])
            lines.append(
                f"{row['theme']}: {row['pct1']:.1%} (n={row['n1']:,}) → "
                f"{row['pct2']:.1%} (n={row['n2']:,}) of {scope} ({row['wave1']} → "
                f"{row['wave2']}), {format_p(row['p_adjusted'])} ({name})")
    elif wave is not None and len(trends):
        lines.append(f"no theme changed significantly across the waves after correction "
                     f"({name}, {len(trends) + len(changes) + len(differences)} tests)")
    if len(differences) and differences["significant"].any():
        chosen = differences[differences["significant"]].sort_values(
            "p_adjusted", kind="mergesort").head(HEADLINES)
        for row in records(chosen):
            within = f" in {row[wave]}" if wave else ""
            lines.append(f"{row['theme']} differs across {row['between']}{within} "
                         f"({row['groups']} groups, n={row['n']:,}), "
                         f"{format_p(row['p_adjusted'])} ({name})")
    return lines


def _keywords(responses: pd.DataFrame, scopes: dict[str, list[str]], wave: str | None,
              by: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Keyness of each wave (or each group of the first ``by`` column) against the others,
    within each question and group; scopes with too few answers are skipped."""
    chosen = keyness_scopes(scopes, wave, by)
    if chosen is None:
        return pd.DataFrame(), []
    questions, compared, within = chosen
    return scoped_keyness(responses, questions, compared, within)


def keyness_scopes(scopes: Mapping[str, Sequence[str]], wave: str | None,
                   by: Sequence[str]) -> tuple[list[str], str, list[str]] | None:
    """What a report's keywords compare: ``(questions, compared, within)`` (e.g. each
    wave against the others, within each group, in each question whose themes have a
    scope), or None when there are neither waves nor groups.

    Example:
        >>> keyness_scopes({"tech": ["tor"], "": ["staff"]}, "wave", ["group"])
        (['tech'], 'wave', ['group'])
    """
    compared = wave or (by[0] if by else None)
    if compared is None:
        return None
    within = [column for column in by if column != compared]
    return [question for question in scopes if question] or [""], compared, within


def scoped_keyness(responses: pd.DataFrame, questions: Sequence[str], compared: str,
                   within: Sequence[str] = (), *, top: int = KEYWORDS_PER_GROUP,
                   min_count: int = 5) -> tuple[pd.DataFrame, list[str]]:
    """The terms that mark each value of ``compared`` against the others (keyness), among
    the substantive answers to each question ("" for all answers) within each group of
    the ``within`` columns: ``scope`` (e.g. "police tech answers"), ``by`` and the columns
    of :func:`openends.keywords.keyness.keyness`. Scopes with one value of ``compared``
    are left out; those with fewer than 50 answers are skipped and named in the list.
    The whole table is one part of :mod:`openends.keywords.scoped`, which counts in parts."""
    from openends.keywords.scoped import scoped_keyness_from_counts, scoped_term_counts

    return scoped_keyness_from_counts(scoped_term_counts(responses, questions, compared, within),
                                      top=top, min_count=min_count)


def _as_tuple(key: Any) -> tuple[Any, ...]:
    return key if isinstance(key, tuple) else (key,)


class Candidate(NamedTuple):
    """An answer that could quote a theme: its ``rank`` (lower is better), the ``group``
    quotes are spread over (its wave, else its by groups) and the quote."""

    rank: tuple[Any, ...]
    group: str
    quote: Quote


def _quote_candidates(codes: pd.DataFrame, responses: pd.DataFrame,
                      scopes: dict[str, list[str]], evidence: pd.DataFrame | None,
                      wave: str | None, by: list[str]) -> dict[str, list[Candidate]]:
    """Every substantive answer coded with a theme, in the theme's scope, as a redacted
    quote ranked: answers whose coding evidence shows in the text first, then short but
    substantive ones (see :func:`_spread` for the choice)."""
    found = _evidence_by_answer(evidence)
    substantive = responses[responses["status"] == "ok"]
    texts = dict(zip(substantive[ID], substantive["redacted_text"].fillna("").astype(str),
                     strict=True))
    described = [*by, *([wave] if wave else [])]
    contexts = dict(zip(substantive[ID], [", ".join(group_label(value) for value in values)
                                          for values in substantive[described].itertuples(
                                              index=False, name=None)], strict=True))
    groups = (dict(zip(substantive[ID], substantive[wave].map(group_label), strict=True))
              if wave else contexts)
    themes_of = [theme for members in scopes.values() for theme in members]
    marks = codes.set_index(ID)[themes_of].apply(pd.to_numeric, errors="coerce").fillna(0)
    others = (marks > 0).sum(axis=1).to_dict()
    candidates: dict[str, list[Candidate]] = {}
    for question, themes in scopes.items():
        scoped = set(_in_scope(substantive, question)[ID])
        for theme in themes:
            marked = codes.loc[pd.to_numeric(codes[theme], errors="coerce").fillna(0) > 0, ID]
            candidates[theme] = []
            for response_id in marked:
                if response_id not in scoped:
                    continue
                text = " ".join(texts[response_id].split())
                found_here = found.get((response_id, theme), "")
                shown = _shown_evidence(found_here, text)
                rank = (not shown, found_here.startswith("via "), "[" in text,
                        LIST_MARK.search(text) is not None, len(text) > QUOTE_CHARS,
                        len(text.split()) < QUOTE_WORDS, others[response_id] - 1, len(text),
                        response_id)
                candidates[theme].append(Candidate(rank, groups[response_id], Quote(
                    response_id, text, shown, contexts[response_id])))
    return candidates


def _evidence_by_answer(evidence: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    if evidence is None or not len(evidence) or "evidence" not in evidence.columns:
        return {}
    rows = evidence[evidence["theme"].fillna("").astype(str) != ""]
    return {(str(response_id), str(theme)): "" if pd.isna(text) else str(text)
            for response_id, theme, text in zip(rows[ID], rows["theme"], rows["evidence"],
                                                strict=True)}


def _shown_evidence(evidence: str, text: str) -> str:
    """The terms of ``evidence`` (:func:`openends.coding.evidence.evidence_terms`: rule
    matches, a model's terms, a semantic code's clause and words) that appear in the
    redacted ``text`` (so nothing redacted comes back through the evidence), joined by
    ``" | "``.

    Example:
        >>> _shown_evidence("via darknet: Tor | onion (negated)", "Tor and onion sites")
        'Tor | onion'
        >>> _shown_evidence('"phones we cannot open" ~ "Encrypted"; words: phone',
        ...                 "Many phones we cannot open")
        'phones we cannot open | phone'
    """
    from openends.coding.evidence import evidence_terms

    folded = text.casefold()
    return " | ".join(term for term in evidence_terms(evidence)
                      if len(term) <= EVIDENCE_CHARS and term.casefold() in folded)


def _spread(candidates: Sequence[Candidate], per_theme: int, *,
            latest_first: bool) -> list[Quote]:
    """Up to ``per_theme`` quotes of a theme: the best candidates taken in turn from each
    wave (latest first) or group, never the same text twice."""
    by_wave: dict[str, list[Quote]] = {}
    for candidate in sorted(candidates, key=lambda candidate: candidate.rank):
        by_wave.setdefault(candidate.group, []).append(candidate.quote)
    order = sorted((label for label in by_wave if label != BLANK), key=natural_key,
                   reverse=latest_first) + [BLANK] * (BLANK in by_wave)
    chosen: list[Quote] = []
    seen: set[str] = set()
    while len(chosen) < per_theme and any(by_wave.values()):
        for label in order:
            while by_wave[label]:
                quote = by_wave[label].pop(0)
                if quote.text.casefold() not in seen:
                    seen.add(quote.text.casefold())
                    chosen.append(quote)
                    break
            if len(chosen) == per_theme:
                break
    return chosen


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


__all__ = ["base_phrase", "build_report", "correction_name", "format_p",
           "quality_from_agreement", "records"]


def trend_direction(row: Mapping[Any, Any]) -> str:
    """"rising" or "falling" from the sign of the trend test's z (the tested quantity),
    not from the first and last waves, which a non-monotonic series can contradict.

    Example:
        >>> trend_direction({"z": -2.5, "change_pp": 1.0})
        'falling'
    """
    return "rising" if float(row["z"]) > 0 else "falling"
