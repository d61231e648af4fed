"""``build_report``: coded answers -> one :class:`~openends.report.model.Report`.

Every number comes from :mod:`openends.stats`; this module only decides what is compared
with what:

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
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

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
    cooccurrence,
    difference_interval,
    group_differences,
    group_label,
    natural_key,
    prevalence,
    roll_up,
    trend_tests,
    wave_changes,
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
    """
    _check_options(base, correction, alpha, quotes_per_theme)
    responses = _cleaned(responses)
    wave = _wave_column(wave, responses)
    by = _by_columns(by, wave, responses)
    codes = _with_ids(codes, responses)
    if codebook is not None:
        codes = roll_up(codes, codebook)
    themes = _themes(codes, codebook)
    if not themes:
        raise ConfigError("the codes have no theme columns; give wide codes (response_id and "
                          "one 0/1 column per theme) or long codes (a 'theme' column)")
    scopes = _scopes(themes, codebook, responses)
    waves = [wave] if wave else []
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in (
        "themes", "prevalence", "trends", "changes", "differences", "cooccurrence")}
    for question, members in scopes.items():
        scoped = _in_scope(responses, question)
        overall = prevalence(codes, scoped, themes=members, base=base)
        parts["themes"].append(overall.assign(question=question or ""))
        if by or wave:
            parts["prevalence"].append(prevalence(codes, scoped, themes=members,
                                                  by=[*by, *waves], base=base))
        if wave:
            parts["trends"].append(trend_tests(codes, scoped, themes=members, wave=wave, by=by,
                                               base=base, correction="none", alpha=alpha))
            parts["changes"].append(wave_changes(codes, scoped, themes=members, wave=wave,
                                                 by=by, base=base, correction="none",
                                                 alpha=alpha))
        for column in by:
            parts["differences"].append(group_differences(
                codes, scoped, between=column, themes=members, by=waves, base=base,
                correction="none", alpha=alpha).assign(between=column))
        if len(members) > 1:
            parts["cooccurrence"].append(_cooccurrence(codes, scoped, members))
    matrix = _concat(parts["prevalence"])
    trends = _with_endpoints(_concat(parts["trends"]), matrix, by, wave)
    changes, differences = _concat(parts["changes"]), _concat(parts["differences"])
    if len(differences):
        differences = differences[["theme", "between", *[column for column in differences.columns
                                                         if column not in {"theme", "between"}]]]
    trends, changes, differences = _corrected([trends, changes, differences], correction, alpha)
    theme_table = _theme_table(_concat(parts["themes"]), codebook, base, themes)
    notes = _notes(theme_table, codebook, codes)
    if base == "all":
        notes.append("base 'all': answers that were not coded (empty, non-substantive, "
                      "duplicate, other language) count as not mentioning any theme, even a "
                      "duplicate of a coded answer; shares and changes can move with the "
                      "number of such answers")
    keyword_table = pd.DataFrame()
    if keywords:
        keyword_table, skipped = _keywords(responses, scopes, wave, by)
        notes += skipped
    return Report(
        title=title, base=base, correction=correction, wave=wave, by=tuple(by),
        counts=_counts(codes, responses, themes), themes=theme_table, prevalence=matrix,
        changes=changes, trends=trends, cooccurrence=_concat(parts["cooccurrence"]),
        keywords=keyword_table,
        quotes=_quotes(codes, responses, scopes, evidence, wave, by, quotes_per_theme),
        quality=quality, notes=notes, headlines=_headlines(
            trends, changes, differences, by, theme_table, correction, wave, base),
        differences=differences, alpha=alpha)


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


def _check_options(base: str, correction: str, alpha: float, quotes: int) -> None:
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


def _by_columns(by: Sequence[str], wave: str | None, responses: pd.DataFrame) -> list[str]:
    chosen = [by] if isinstance(by, str) else list(by)
    for column in chosen:
        if column not in responses.columns:
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


def _cooccurrence(codes: pd.DataFrame, scoped: pd.DataFrame, themes: list[str]) -> pd.DataFrame:
    """Co-occurrence among the substantive answers of one scope."""
    substantive = set(scoped.loc[scoped["status"] == "ok", ID])
    return cooccurrence(codes.loc[codes[ID].isin(substantive), themes], themes)


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


def _counts(codes: pd.DataFrame, responses: pd.DataFrame, themes: list[str]) -> dict[str, int]:
    statuses = Counter(responses["status"].astype(str))
    counts = {"rows": len(responses), "ok": statuses.pop("ok", 0)}
    counts |= dict(sorted(statuses.items(), key=lambda item: -item[1]))
    substantive = responses.loc[responses["status"] == "ok", ID]
    marks = codes.set_index(ID)[themes].apply(pd.to_numeric, errors="coerce").fillna(0)
    coded = marks.reindex(substantive).fillna(0).sum(axis=1) > 0
    counts["with_theme"] = int(coded.sum())
    return counts


def _notes(themes: pd.DataFrame, codebook: Codebook | None, codes: pd.DataFrame) -> list[str]:
    notes = []
    empty = themes.loc[themes["n"] == 0, "theme"].tolist()
    if empty:
        notes.append(f"no answer in the base of {', '.join(empty)}: check that the answers' "
                     "questions are named as in the codebook (--text QUESTION=COLUMN)")
    if codebook is not None:
        missing = [theme for theme in codebook.ids if theme not in codes.columns]
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
    compared = wave or (by[0] if by else None)
    if compared is None:
        return pd.DataFrame(), []
    within = [column for column in by if column != compared]
    questions = [question for question in scopes if question] or [""]
    return scoped_keyness(responses, questions, compared, within)


def scoped_keyness(responses: pd.DataFrame, questions: Sequence[str], compared: str,
                   within: Sequence[str] = (), *, top: int = KEYWORDS_PER_GROUP,
                   min_count: int = 5) -> tuple[pd.DataFrame, list[str]]:
    """The terms that mark each value of ``compared`` against the others (keyness), among
    the substantive answers to each question ("" for all answers) within each group of
    the ``within`` columns: ``scope`` (e.g. "police tech answers"), ``by`` and the columns
    of :func:`openends.keywords.keyness.keyness`. Scopes with one value of ``compared``
    are left out; those with fewer than 50 answers are skipped and named in the list."""
    from openends.keywords.find import find_keywords

    tables, skipped = [], []
    for question in questions:
        scoped = _in_scope(responses, question)
        scoped = scoped[scoped["status"] == "ok"]
        groups = (scoped.groupby([scoped[column].map(group_label) for column in within],
                                 sort=False) if within else [((), scoped)])
        for key, part in sorted(groups, key=lambda item: tuple(
                natural_key(value) for value in _as_tuple(item[0]))):
            scope = base_phrase("answers", question, [str(value) for value in _as_tuple(key)])
            part = part.assign(**{compared: part[compared].map(group_label)})
            part = part[part[compared] != BLANK]
            if part[compared].nunique() < 2:
                continue
            if len(part) < MIN_KEYWORD_ANSWERS:
                skipped.append(f"keywords of {scope}: too few answers ({len(part)})")
                continue
            try:
                result = find_keywords(part, by=compared, top=top, min_count=min_count)
            except ConfigError as error:
                skipped.append(f"keywords of {scope}: {error}")
                continue
            tables.append(result.table.assign(scope=scope, by=compared))
    if not tables:
        return pd.DataFrame(), skipped
    table = pd.concat(tables, ignore_index=True)
    return table[["scope", "by", *[c for c in table.columns if c not in {"scope", "by"}]]], skipped


def _as_tuple(key: Any) -> tuple[Any, ...]:
    return key if isinstance(key, tuple) else (key,)


def _quotes(codes: pd.DataFrame, responses: pd.DataFrame, scopes: dict[str, list[str]],
            evidence: pd.DataFrame | None, wave: str | None, by: list[str], per_theme: int,
            ) -> dict[str, list[Quote]]:
    """Up to ``per_theme`` redacted answers per theme: answers whose coding evidence shows
    in the text first, then short but substantive ones, spread across the waves (latest
    first), never the same text twice."""
    if per_theme == 0:
        return {}
    found = _evidence_by_answer(evidence)
    substantive = responses[responses["status"] == "ok"]
    texts = dict(zip(substantive[ID], substantive["redacted_text"].fillna("").astype(str),
                     strict=True))
    waves = (dict(zip(substantive[ID], substantive[wave].map(group_label), strict=True))
             if wave else {})
    described = [*by, *([wave] if wave else [])]
    contexts = dict(zip(substantive[ID], [", ".join(group_label(value) for value in values)
                                          for values in substantive[described].itertuples(
                                              index=False, name=None)], strict=True))
    themes_of = [theme for members in scopes.values() for theme in members]
    marks = codes.set_index(ID)[themes_of].apply(pd.to_numeric, errors="coerce").fillna(0)
    others = (marks > 0).sum(axis=1).to_dict()
    quotes: dict[str, list[Quote]] = {}
    for question, themes in scopes.items():
        scoped = set(_in_scope(substantive, question)[ID])
        for theme in themes:
            marked = codes.loc[pd.to_numeric(codes[theme], errors="coerce").fillna(0) > 0, ID]
            candidates = []
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
                candidates.append((rank, Quote(response_id, text, shown,
                                               contexts[response_id])))
            candidates.sort(key=lambda item: item[0])
            quotes[theme] = _spread([quote for _, quote in candidates], waves or contexts,
                                    per_theme, latest_first=bool(wave))
    return quotes


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


def _spread(quotes: list[Quote], groups: dict[str, str], per_theme: int, *,
            latest_first: bool) -> list[Quote]:
    """The best quotes taken in turn from each wave (latest first) or group."""
    by_wave: dict[str, list[Quote]] = {}
    for quote in quotes:
        by_wave.setdefault(groups.get(quote.response_id, ""), []).append(quote)
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
