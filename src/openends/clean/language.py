"""Language of each answer, with lingua, among the languages the survey expects.

The detector is built once per set of languages (and accuracy mode) and kept for
the rest of the process. Answers with fewer than ``min_chars`` letters get None:
too short to tell ("ok", "Tor"), as do answers lingua cannot decide on.

Example:
    >>> detect_languages(["Vi behöver mer personal och bättre utbildning i verktygen",
    ...                   "We need more staff and better training on the tools", "ok"])
    ['sv', 'en', None]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from openends.errors import ConfigError

if TYPE_CHECKING:
    from lingua import LanguageDetector

__all__ = ["detect_languages"]

_NOT_LETTERS = re.compile(r"[\W\d_]+")


def _iso_codes(languages: Sequence[str]) -> tuple[str, ...]:
    from lingua import IsoCode639_1

    codes = tuple(sorted({code.strip().lower() for code in languages}))
    for code in codes:
        try:
            IsoCode639_1.from_str(code)
        except ValueError:
            raise ConfigError(
                f"unknown language code {code!r}; give ISO 639-1 codes such as 'en', 'sv', "
                "'de', 'fr', 'es'"
            ) from None
    if len(codes) < 2:
        raise ConfigError(
            f"language detection needs at least two languages to choose from, got {list(codes)}; "
            "add the languages answers might be in, or turn language detection off"
        )
    return codes


@lru_cache(maxsize=8)
def _detector(codes: tuple[str, ...], low_accuracy: bool) -> LanguageDetector:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_iso_codes_639_1(
        *(IsoCode639_1.from_str(code) for code in codes)
    )
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    return builder.build()


def detect_languages(texts: Sequence[str], *,
                     languages: Sequence[str] = ("en", "sv", "de", "fr", "es"),
                     min_chars: int = 20, min_confidence: float = 0.7,
                     low_accuracy: bool = False) -> list[str | None]:
    """For each answer, its ISO 639-1 language code among ``languages``, or None.

    ``min_chars`` counts letters only (digits, spaces and punctuation do not count).
    A language is returned only when lingua's confidence in it is at least
    ``min_confidence``: short answers full of product names ("software such as
    VeraCrypt") otherwise pass for German or French.
    ``low_accuracy=True`` uses lingua's faster, smaller trigram-only models: fine
    for answers of a sentence or more, less reliable for short ones.

    Raises:
        ConfigError: a code in ``languages`` is not ISO 639-1, or fewer than two.

    Example:
        >>> detect_languages(["Wir brauchen mehr Personal und bessere Schulungen"],
        ...                  languages=["en", "de"])
        ['de']
    """
    detector = _detector(_iso_codes(languages), low_accuracy)
    long_enough = [index for index, text in enumerate(texts)
                   if len(_NOT_LETTERS.sub("", text)) >= min_chars]
    found: list[str | None] = [None] * len(texts)
    batch = [texts[index] for index in long_enough]
    for index, values in zip(
        long_enough, detector.compute_language_confidence_values_in_parallel(batch), strict=True
    ):
        if values and values[0].value >= min_confidence:
            found[index] = values[0].language.iso_code_639_1.name.lower()
    return found
