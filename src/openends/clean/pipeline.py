"""``clean_responses``: the responses table with clean text, statuses, language, redaction.

Every row is kept. Statuses are decided in this order: ``empty``,
``non_substantive``, ``duplicate``, ``other_language``, else ``ok``.

Example:
    >>> import pandas as pd
    >>> table = pd.DataFrame({"response_id": ["a", "b", "c"],
    ...                       "text": ["Encryption&amp;Tor", "n/a", "  "]})
    >>> cleaned, summary = clean_responses(table)
    >>> cleaned[["clean_text", "status"]].values.tolist()
    [['Encryption&Tor', 'ok'], ['n/a', 'non_substantive'], ['', 'empty']]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from openends.clean.duplicates import find_duplicates
from openends.clean.language import detect_languages
from openends.clean.nonanswers import non_substantive
from openends.clean.redact import Redactor
from openends.clean.steps import DEFAULT_STEPS, compose
from openends.io.responses import as_text

STATUSES = ("ok", "empty", "non_substantive", "duplicate", "other_language")


@dataclass(frozen=True)
class CleaningOptions:
    """What cleaning does; every field has a sensible default.

    ``expected_languages`` are the languages answers should be in; ``languages`` is
    the set the detector chooses from (the expected ones are always added to it).
    """

    steps: tuple[str, ...] = DEFAULT_STEPS
    non_answers: tuple[str, ...] = ()
    expected_languages: tuple[str, ...] = ("en",)
    languages: tuple[str, ...] = ("en", "sv", "de", "fr", "es")
    detect_language: bool = True
    find_duplicates: bool = True
    duplicate_min_words: int = 8
    duplicate_threshold: float = 0.9
    redact: bool = True
    redact_terms: tuple[str, ...] = ()
    spacy_model: str | None = None
    lemmatise: bool = True
    seed: int = 0


@dataclass(frozen=True)
class CleaningSummary:
    """What cleaning did: counts per status with examples, redactions, languages."""

    rows_in: int
    rows_out: int
    statuses: dict[str, int]
    examples: dict[str, list[str]]
    redactions: dict[str, int]
    languages: dict[str, int]
    ner_status: str
    redacted: bool = True
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def __rich__(self) -> RenderableType:
        head = Text(f"Cleaned {self.rows_in:,} rows in, {self.rows_out:,} rows out\n",
                    style="bold")
        statuses = Table(title="Statuses", title_justify="left", show_edge=False)
        statuses.add_column("status")
        statuses.add_column("rows", justify="right")
        statuses.add_column("share", justify="right")
        statuses.add_column("examples", overflow="fold")
        for status, count in self.statuses.items():
            examples = " | ".join(_short(text) for text in self.examples.get(status, []))
            statuses.add_row(status, f"{count:,}", f"{count / max(self.rows_in, 1):.1%}",
                             examples)
        redactions = ", ".join(f"{kind} {count:,}" for kind, count in self.redactions.items())
        languages = ", ".join(f"{code} {count:,}" for code, count in self.languages.items())
        lines = Text()
        lines.append("\nRedactions: ", style="bold")
        lines.append((redactions or "none") if self.redacted else "off (--no-redact)")
        lines.append(f"\n{self.ner_status}")
        lines.append("\nLanguages detected: ", style="bold")
        lines.append(languages or "none")
        return Group(head, statuses, lines)


def clean_responses(
    responses: pd.DataFrame, options: CleaningOptions | None = None
) -> tuple[pd.DataFrame, CleaningSummary]:
    """Add ``clean_text``, ``redacted_text``, ``status``, ``language`` (and ``lemmas``)."""
    options = options or CleaningOptions()
    table = responses.copy()
    clean = compose(options.steps)
    texts = [clean(as_text(text)) for text in table["text"]]
    table["clean_text"] = texts
    status = ["empty" if not text.strip() else "ok" for text in texts]
    for index, flag in enumerate(non_substantive(texts, extra=options.non_answers)):
        if flag and status[index] == "ok":
            status[index] = "non_substantive"
    if options.find_duplicates:
        _mark_duplicates(table, texts, status, options)
    languages = _languages(texts, status, options)
    table["status"], table["language"] = status, [code or "" for code in languages]
    redactor = Redactor(terms=options.redact_terms, spacy_model=options.spacy_model)
    if options.redact:
        redacted, counts = redactor.redact_many(texts)
    else:
        redacted, counts = list(texts), Counter()
    table["redacted_text"] = redacted
    if options.lemmatise:
        from openends.nlp import lemmatise

        # Only answers with content are lemmatised, each distinct text once.
        wanted = [index for index, value in enumerate(status)
                  if value not in {"empty", "non_substantive"}]
        table["lemmas"] = _per_distinct([redacted[index] for index in wanted], wanted, len(texts),
                                  lambda unique: lemmatise(unique, model=options.spacy_model),
                                  missing="")
    table = _order_columns(table)
    summary = _summarise(table, counts, redactor.ner_status if options.redact else "", options)
    return table, summary


def combine_cleaned(parts: Sequence[tuple[pd.DataFrame, CleaningSummary]],
                    options: CleaningOptions | None = None
                    ) -> tuple[pd.DataFrame, CleaningSummary]:
    """Tables cleaned apart with ``find_duplicates=False`` (e.g. one per wave, each cached)
    as one table, with duplicates found across all of them: the same result as cleaning
    the concatenated table at once.

    Example:
        >>> import pandas as pd
        >>> answer = "We seize encrypted phones in nearly every case these days now"
        >>> apart = CleaningOptions(find_duplicates=False)
        >>> waves = [clean_responses(pd.DataFrame({"response_id": [rid], "text": [answer]}),
        ...                          apart) for rid in ("a", "b")]
        >>> table, summary = combine_cleaned(waves)
        >>> table["status"].tolist(), summary.statuses["duplicate"]
        (['ok', 'duplicate'], 1)
    """
    options = options or CleaningOptions()
    table = pd.concat([part for part, _ in parts], ignore_index=True)
    redactions: Counter[str] = Counter()
    for _, summary in parts:
        redactions.update(summary.redactions)
    status = table["status"].tolist()
    if options.find_duplicates:
        # Duplicates are decided before language: other-language answers are candidates.
        before_language = ["ok" if value == "other_language" else value for value in status]
        texts = table["clean_text"].tolist()
        _mark_duplicates(table, texts, before_language, options)
        status = ["duplicate" if marked == "duplicate" else value
                  for value, marked in zip(status, before_language, strict=True)]
    table["status"] = status
    ner_status = parts[0][1].ner_status if parts else ""
    return table, _summarise(table, redactions, ner_status, options)


def for_export(cleaned: pd.DataFrame, options: CleaningOptions | None = None, *,
               originals: Sequence[str] | None = None) -> pd.DataFrame:
    """The table as it may leave the tool: every text column redacted (unless turned off).

    ``text`` becomes the redacted original and ``clean_text`` the redacted clean text;
    ``redacted_text`` is dropped as it would repeat ``clean_text``. ``originals`` are
    the originals already redacted (:func:`redact_originals`, e.g. cached), in row order.
    """
    options = options or CleaningOptions()
    if not options.redact:
        return cleaned
    if originals is None:
        originals = redact_originals(cleaned, options)
    exported = cleaned.assign(text=list(originals), clean_text=cleaned["redacted_text"])
    return exported.drop(columns=["redacted_text"])


def redact_originals(cleaned: pd.DataFrame, options: CleaningOptions | None = None
                     ) -> list[str]:
    """The original answers (``text``) with personal data redacted, as :func:`for_export`
    writes them.

    Example:
        >>> redact_originals(pd.DataFrame({"text": ["Mail me: a.b@example.org"]}))
        ['Mail me: [EMAIL]']
    """
    options = options or CleaningOptions()
    redactor = Redactor(terms=options.redact_terms, spacy_model=options.spacy_model)
    return redactor.redact_many([str(text) for text in cleaned["text"]])[0]


def _mark_duplicates(table: pd.DataFrame, texts: list[str], status: list[str],
                     options: CleaningOptions) -> None:
    candidates = [index for index, value in enumerate(status) if value == "ok"]
    given = respondents(table)
    found = find_duplicates(
        [texts[index] for index in candidates],
        [given[index] for index in candidates],
        min_words=options.duplicate_min_words, threshold=options.duplicate_threshold,
        seed=options.seed,
    )
    for index, duplicate_of in zip(candidates, found, strict=True):
        if duplicate_of is not None:
            status[index] = "duplicate"


def respondents(table: pd.DataFrame) -> list[str]:
    """Who gave each answer: its ``respondent_id`` where it has one (answers to several
    questions), else its own ``response_id`` (a wave asking one question, beside waves
    asking several, has no respondent ids).

    Example:
        >>> respondents(pd.DataFrame({"response_id": ["r1:a", "x"],
        ...                           "respondent_id": ["r1", None]}))
        ['r1', 'x']
    """
    ids = table["response_id"].astype(str)
    if "respondent_id" not in table.columns:
        return ids.tolist()
    return [str(value) if isinstance(value, str) or pd.notna(value) else own
            for value, own in zip(table["respondent_id"], ids, strict=True)]


def _languages(texts: list[str], status: list[str],
               options: CleaningOptions) -> list[str | None]:
    languages: list[str | None] = [None] * len(texts)
    if not options.detect_language:
        return languages
    candidates = [index for index, value in enumerate(status) if value in {"ok", "duplicate"}]
    # The detector must be able to answer with every language the survey expects.
    choices = tuple(dict.fromkeys([*options.languages, *options.expected_languages]))
    detected = _per_distinct([texts[index] for index in candidates], candidates, len(texts),
                       lambda unique: detect_languages(unique, languages=choices),
                       missing=None)
    for index in candidates:
        code = detected[index]
        languages[index] = code
        if code and code not in options.expected_languages and status[index] == "ok":
            status[index] = "other_language"
    return languages


def _per_distinct(values: list[str], positions: list[int], size: int,
            compute: Callable[[list[str]], list[Any]], missing: Any) -> list[Any]:
    """``compute`` on the distinct ``values``, spread back to ``positions`` of a list."""
    unique = list(dict.fromkeys(values))
    results = dict(zip(unique, compute(unique), strict=True))
    spread = [missing] * size
    for position, value in zip(positions, values, strict=True):
        spread[position] = results[value]
    return spread


def _order_columns(table: pd.DataFrame) -> pd.DataFrame:
    first = ["response_id", "text", "clean_text", "redacted_text", "status", "language"]
    rest = [column for column in table.columns if column not in first]
    return table[first + rest]


def _summarise(table: pd.DataFrame, redactions: Counter[str], ner_status: str,
               options: CleaningOptions) -> CleaningSummary:
    counts = table["status"].value_counts()
    statuses = {status: int(counts.get(status, 0)) for status in STATUSES}
    examples = {
        status: list(dict.fromkeys(
            table.loc[table["status"] == status, "redacted_text"].head(50)))[:3]
        for status in STATUSES if status not in {"ok", "empty"}
    }
    languages = table.loc[table["language"] != "", "language"].value_counts()
    return CleaningSummary(
        rows_in=len(table), rows_out=len(table), statuses=statuses, examples=examples,
        redactions=dict(sorted(redactions.items())),
        languages={str(code): int(count) for code, count in languages.items()},
        ner_status=ner_status, redacted=options.redact,
    )


def _short(text: str, width: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
