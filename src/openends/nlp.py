"""The linguistic layer: spaCy tokens and lemmas, offline by default.

By default a blank English pipeline with the lookup lemmatiser from
``spacy-lookups-data`` (nothing to download); a full installed pipeline can be
named instead. Stop words are spaCy's plus survey filler words.

Example:
    >>> lemmatise(["The officers were seizing encrypted phones"])
    ['the officer be seize encrypt phone']
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from openends.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language

SURVEY_FILLER = frozenset({
    "think", "really", "just", "also", "lot", "lots", "thing", "things", "etc", "get", "got",
    "like", "would", "could", "maybe", "much", "many", "especially", "actually", "basically",
    "quite", "bit", "kind", "sort", "way", "well", "yes", "no", "ok", "okay", "thanks",
})


@functools.lru_cache(maxsize=4)
def load_nlp(model: str | None = None) -> Language:
    """The spaCy pipeline: blank English with lookup lemmas, or an installed one by name."""
    import spacy

    if model is not None:
        try:
            return spacy.load(model, exclude=["parser", "textcat"])
        except OSError:
            raise ConfigError(
                f"spaCy pipeline {model!r} is not installed; install its package "
                f"(e.g. pip install {model}) or leave out --spacy-model"
            ) from None
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    try:
        nlp.initialize()
    except (ValueError, OSError):
        raise ConfigError("spaCy's lookup tables are missing; install spacy-lookups-data") from None
    return nlp


def stop_words(extra: Iterable[str] = (), model: str | None = None) -> frozenset[str]:
    """spaCy's stop words, survey filler words and ``extra``, lower-cased.

    Example:
        >>> {"the", "really"} <= stop_words()
        True
    """
    return frozenset(load_nlp(model).Defaults.stop_words | SURVEY_FILLER
                     | {word.lower() for word in extra})


LOOKUP_FIXES = {"number": "number", "crew": "crew", "data": "data", "media": "media",
                "better": "better", "best": "best"}
"""Word forms spaCy's lookup table maps to the wrong word for survey answers
("number" -> "numb", "crew" -> "crow", "social media" -> "social medium")."""


def lemmatise(texts: Sequence[str], *, model: str | None = None,
              batch_size: int = 1000) -> list[str]:
    """Space-joined lower-case lemmas of the word tokens of each text (punctuation dropped).

    With the default lookup lemmatiser, only the tokeniser runs and each distinct
    word form is looked up once (what spaCy's lookup mode does, without the
    per-token pipeline overhead), apart from the few forms in :data:`LOOKUP_FIXES`;
    a named pipeline runs in full.

    Example:
        >>> lemmatise(["The crew saw a number of offenders on social media."])
        ['the crew see a number of offender on social media']
    """
    nlp = load_nlp(model)
    if model is not None:
        return [
            " ".join(token.lemma_.lower() or token.lower_ for token in doc
                     if not (token.is_punct or token.is_space))
            for doc in nlp.pipe(texts, batch_size=batch_size)
        ]
    lemmatizer: Any = nlp.get_pipe("lemmatizer")
    table = lemmatizer.lookups.get_table("lemma_lookup")
    tokenizer: Any = nlp.tokenizer
    lemmas: dict[str, str] = {}

    def lemma(form: str) -> str:
        if form not in lemmas:
            found = LOOKUP_FIXES.get(form.lower()) or table.get(form, form)
            lemmas[form] = (found if isinstance(found, str) else found[0]).lower()
        return lemmas[form]

    return [
        " ".join(lemma(token.text) for token in doc if not (token.is_punct or token.is_space))
        for doc in tokenizer.pipe(texts, batch_size=batch_size)
    ]
