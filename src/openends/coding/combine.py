"""``code_responses``: code every answer with a codebook, a trained coder, or both.

With a codebook, the rule coder and the semantic coder both run: a theme matched by
its patterns is coded by the rule (score 1, the matched words as evidence); an answer
the rules left without any code may get semantic codes scoring at least
:data:`SEMANTIC_BESIDE_RULES` (its closest sentence and example as evidence), except
for a theme the rule coder found only in a negated mention ("we have not seen any
cryptocurrency") when the codebook says negated mentions do not count. With a trained
coder, it decides the themes it models; with both, the codebook coders decide the
themes the model does not know (too few examples to learn, or not in its labels).
A child code implies its parent: the parent is added with the child's source, its best
score and evidence ``via <child>``.

Every input row is accounted for: :meth:`CodingResult.long` has one row per code,
plus one row with an empty ``theme`` for each answer that got none (its ``status``
says whether it was coded at all: only ``ok`` answers are).

Example (with a cleaned responses table and the sample codebook)::

    result = code_responses(cleaned, codebook=load_codebook("corpora/codebook.yml"))
    result.long().head()
    result.wide()
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from openends.coding.base import CODE_COLUMNS, CodingInput, codes_frame
from openends.coding.codebook import Codebook
from openends.errors import ConfigError

if TYPE_CHECKING:
    from openends.coding.trained import TrainedCoder
    from openends.embed.cache import EmbeddingCache

EXAMPLE_WIDTH = 60
SEMANTIC_BESIDE_RULES = 0.8
"""Beside the rules, a semantic code must score at least this, and only answers the rules
left uncoded get semantic codes: semantic matching finds what patterns miss, but on an
answer the patterns already explain it mostly adds near misses ("Encryption" read as
close to "Crypto payments"). Sample project, 400 hand codes, micro-F1: rules 0.880;
+ semantic codes >= 0.8 on any answer 0.884; on uncoded answers only 0.890."""


@dataclass
class CodingResult:
    """The codes of every answer, the themes in order, and how they were decided."""

    codes: pd.DataFrame
    responses: pd.DataFrame
    themes: list[str]
    labels: dict[str, str]
    coders: list[str]
    decisions: pd.DataFrame | None = None
    expected_accuracy: float | None = None
    min_precision: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def coded(self) -> int:
        """Answers that were coded (status ``ok``)."""
        return int((self.responses["status"] == "ok").sum())

    def long(self) -> pd.DataFrame:
        """The long codes table with ``status`` (and ``decision``): one row per code, and an
        empty ``theme`` row for every answer without one."""
        statuses = self.responses.set_index("response_id")["status"]
        codes = self.codes.assign(status=self.codes["response_id"].map(statuses))
        uncoded = self.responses.loc[~self.responses["response_id"].isin(codes["response_id"]),
                                     ["response_id", "status"]]
        empty = uncoded.assign(theme="", score=float("nan"), source="", evidence="")
        table = pd.concat([codes, empty[[*CODE_COLUMNS, "status"]]], ignore_index=True)
        order = {response_id: position
                 for position, response_id in enumerate(self.responses["response_id"])}
        theme_order = {theme: position for position, theme in enumerate(["", *self.themes])}
        table = table.sort_values(
            ["response_id", "theme"], key=lambda column: column.map(
                order if column.name == "response_id" else theme_order),
            kind="mergesort", ignore_index=True)
        if self.decisions is not None:
            table["decision"] = self._decision_of(table["response_id"])
        return table

    def _decision_of(self, ids: pd.Series) -> list[str]:
        """Each id's decision (``""`` for answers that were not coded)."""
        decided = dict(zip(self.decisions["response_id"], self.decisions["decision"],
                           strict=True)) if self.decisions is not None else {}
        return [decided.get(response_id, "") for response_id in ids]

    def wide(self) -> pd.DataFrame:
        """One row per input row: ``response_id``, ``status``, one 0/1 column per theme in
        codebook order (and ``decision``)."""
        table = self.responses[["response_id", "status"]].copy()
        present = set(zip(self.codes["response_id"], self.codes["theme"], strict=True))
        for theme in self.themes:
            table[theme] = [int((response_id, theme) in present)
                            for response_id in table["response_id"]]
        if self.decisions is not None:
            table["decision"] = self._decision_of(table["response_id"])
        return table.reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        counts = self.codes["theme"].value_counts()
        statuses = Counter(self.responses["status"].astype(str))
        summary: dict[str, Any] = {
            "responses": len(self.responses), "coded": self.coded,
            "not_coded": {status: count for status, count in sorted(statuses.items())
                          if status != "ok"},
            "coders": self.coders, "codes": len(self.codes),
            "answers_with_codes": int(self.codes["response_id"].nunique()),
            "themes": {theme: int(counts.get(theme, 0)) for theme in self.themes},
            "notes": self.notes}
        if self.decisions is not None:
            auto = int((self.decisions["decision"] == "auto").sum())
            summary["semi_automatic"] = {"min_precision": self.min_precision, "auto": auto,
                                         "review": len(self.decisions) - auto,
                                         "expected_accuracy_of_auto": self.expected_accuracy}
        return summary

    def __rich__(self) -> Group:
        statuses = Counter(self.responses["status"].astype(str))
        left = ", ".join(f"{count:,} {status}" for status, count in sorted(statuses.items())
                         if status != "ok")
        with_codes = self.codes["response_id"].nunique()
        head = Text(f"Coded {self.coded:,} of {len(self.responses):,} answers with "
                    f"{' + '.join(self.coders)}" + (f" (not coded: {left})" if left else "")
                    + f"; {with_codes:,} got at least one code", style="bold")
        table = Table(show_edge=False, box=box.SIMPLE_HEAD)
        table.add_column("theme", no_wrap=True)
        table.add_column("answers", justify="right", no_wrap=True, min_width=7)
        table.add_column("share", justify="right", no_wrap=True, min_width=6)
        table.add_column("example evidence", overflow="ellipsis", no_wrap=True)
        counts = self.codes["theme"].value_counts()
        first = self.codes.drop_duplicates("theme").set_index("theme")
        for theme in self.themes:
            count = int(counts.get(theme, 0))
            evidence = str(first.loc[theme, "evidence"]) if theme in first.index else ""
            table.add_row(theme, f"{count:,}", f"{count / max(self.coded, 1):.1%}",
                          _short(evidence))
        parts: list[Any] = [head, table, Text(
            f"share = of the {self.coded:,} coded answers; a parent counts its children",
            style="dim")]
        if self.decisions is not None:
            auto = int((self.decisions["decision"] == "auto").sum())
            expected = self.expected_accuracy
            right = (f"expected to have their whole code set right {expected:.1%} of the time"
                     if expected is not None and expected == expected else
                     "no held-out estimate reaches this precision")
            parts.append(Text(
                f"Semi-automatic at --min-precision {self.min_precision}: {auto:,} answers "
                f"auto ({auto / max(len(self.decisions), 1):.1%}), {right}; "
                f"{len(self.decisions) - auto:,} to review by hand", style="bold"))
        parts.extend(Text(note, style="yellow") for note in self.notes)
        return Group(*parts)


def _short(text: str) -> str:
    return text if len(text) <= EXAMPLE_WIDTH else text[:EXAMPLE_WIDTH - 1] + "…"


def code_responses(responses: pd.DataFrame, *, codebook: Codebook | None = None,
                   model: TrainedCoder | None = None, semantic: bool = True,
                   embedder: str = "static", min_precision: float | None = None,
                   cache: EmbeddingCache | None = None,
                   semantic_thresholds: Mapping[str, float] | None = None) -> CodingResult:
    """Codes for every answer of a cleaned responses table (see the module docstring).

    ``semantic_thresholds`` (by theme id, e.g. calibrated on all the answers of which
    ``responses`` is a part) replace the semantic coder's calibration on ``responses``.
    """
    if codebook is None and model is None:
        raise ConfigError("give a codebook (--codebook) or a trained coder (--model), or both")
    if min_precision is not None and model is None:
        raise ConfigError("--min-precision needs --model: it rests on a trained coder's "
                          "cross-validated estimates")
    if min_precision is not None and not 0 <= min_precision <= 1:
        raise ConfigError(f"--min-precision must be between 0 and 1, not {min_precision}")
    if "status" not in responses.columns:
        from openends.clean import clean_responses

        responses = clean_responses(responses)[0]
    accounted = responses[["response_id", "status"]].astype({"response_id": "str"})
    parts, coders, notes = [], [], []
    model_themes: set[str] = set()
    decisions, expected = None, None
    if model is not None:
        parts.append(model.code(responses))
        if min_precision is not None:
            answers = CodingInput.of(responses)
            verdicts, expected, _ = model.decide(answers.texts, min_precision,
                                                 questions=answers.questions)
            decisions = pd.DataFrame({"response_id": pd.Series(answers.ids, dtype="str"),
                                      "decision": pd.Series(verdicts, dtype="str")})
        model_themes = set(model.themes_)
        coders.append("trained coder")
    questions = (set(responses["question"].dropna().astype(str))
                 if "question" in responses.columns else None)
    notes.extend(coding_notes(questions, codebook=codebook, model=model))
    if codebook is not None:
        parts.extend(_codebook_codes(responses, codebook, skip=model_themes,
                                     semantic=semantic, embedder=embedder, cache=cache,
                                     thresholds=semantic_thresholds))
        coders.extend(["rules", "semantic"] if semantic else ["rules"])
    themes = codebook.ids if codebook is not None else list(model.themes_)  # type: ignore[union-attr]
    if model is not None:
        themes += [theme for theme in model.themes_ if theme not in themes]
    labels = ({theme.id: theme.label for theme in codebook.themes} if codebook is not None
              else {theme: theme for theme in themes})
    codes = _first_per_theme(pd.concat(parts, ignore_index=True) if parts else codes_frame([]))
    if codebook is not None:
        codes = _add_parents(codes, codebook)
    return CodingResult(codes, accounted, themes, labels, coders, decisions, expected,
                        min_precision, notes)


def _codebook_codes(responses: pd.DataFrame, codebook: Codebook, *, skip: set[str],
                    semantic: bool, embedder: str, cache: EmbeddingCache | None,
                    thresholds: Mapping[str, float] | None = None) -> list[pd.DataFrame]:
    """Rule codes, then semantic codes for answers the rules left uncoded (not for themes
    found only negated), both without the ``skip`` themes."""
    from openends.coding.rules import RuleCoder

    rule_codes, negated = RuleCoder(codebook).fit().code_with_negated(responses)
    rule_codes = rule_codes[~rule_codes["theme"].isin(skip)]
    if not semantic:
        return [rule_codes]
    from openends.coding.semantic import SemanticCoder

    coder = SemanticCoder(codebook, embedder=embedder, cache=cache, thresholds=thresholds)
    semantic_codes = (coder.fit() if thresholds is not None else coder.fit(responses)).code(
        responses)
    ruled = set(rule_codes["response_id"])
    keep = [theme not in skip and (response_id, theme) not in negated
            and score >= SEMANTIC_BESIDE_RULES and response_id not in ruled
            for response_id, theme, score in zip(semantic_codes["response_id"],
                                                 semantic_codes["theme"],
                                                 semantic_codes["score"], strict=True)]
    return [rule_codes, semantic_codes[keep]]


def coding_notes(questions: set[str] | None, *, codebook: Codebook | None = None,
                 model: TrainedCoder | None = None) -> list[str]:
    """What a coding result notes: the themes a trained coder did not model, and a warning
    when the codebook ties its themes to questions none of the answers are to
    (``questions``: those the answers are to; None when they name no question).

    Example:
        >>> coding_notes({"tech"}), coding_notes(None)
        ([], [])
    """
    notes = []
    if model is not None and model.too_few_:
        notes.append("not modelled (too few examples): " + ", ".join(
            f"{theme} ({count})" for theme, count in model.too_few_.items()))
    wanted = ({theme.question for theme in codebook.themes if theme.question}
              if codebook is not None else set())
    if not wanted or questions is None or wanted & questions:
        return notes
    return [*notes, f"no answer is to a question the codebook names "
            f"({', '.join(sorted(wanted))}); the answers' questions are "
            f"{', '.join(sorted(questions)) or 'none'}: name the answer columns after the "
            "codebook's questions (--text QUESTION=COLUMN)"]


def _first_per_theme(codes: pd.DataFrame) -> pd.DataFrame:
    """One code per answer and theme: the first coder's (model, then rule, then semantic)."""
    return codes.drop_duplicates(["response_id", "theme"], keep="first").reset_index(drop=True)


def _add_parents(codes: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Add each coded theme's ancestors not coded yet, as ``via <child>``."""
    have = set(zip(codes["response_id"], codes["theme"], strict=True))
    added: list[tuple[str, str, float, str, str]] = []
    for row in codes.to_dict("records"):
        for parent in codebook.ancestors(str(row["theme"])):
            if (row["response_id"], parent) not in have:
                have.add((row["response_id"], parent))
                added.append((str(row["response_id"]), parent, float(row["score"]),
                              str(row["source"]), f"via {row['theme']}: {row['evidence']}"))
    return pd.concat([codes, codes_frame(added)], ignore_index=True) if added else codes
