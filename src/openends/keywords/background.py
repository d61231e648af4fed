"""How rare a word is in general English: the background every keyword method can use.

Words that are common everywhere ("possible", "time", "people") make poor keywords
even when an answer uses them often; words rare in general English ("encryption",
"darknet") make good ones. The background is the word log-probability table that
spaCy's lookups package ships for English (``en_lexeme_prob``, about a million
word forms), read once per process (about a second) from the installed package:
nothing is downloaded. A word missing from the table counts as rarer than any in it.

Example:
    >>> rarity("encryption") > rarity("possible") > rarity("the")
    True
"""

from __future__ import annotations

import functools
import gzip
import json

from openends.errors import ConfigError

TABLE = "en_lexeme_prob.json.gz"


@functools.lru_cache(maxsize=1)
def _log_probabilities() -> tuple[dict[str, float], float]:
    try:
        import spacy_lookups_data

        with gzip.open(spacy_lookups_data.get_file(TABLE), "rt", encoding="utf-8") as stream:
            table: dict[str, float] = json.load(stream)
    except (ImportError, OSError, ValueError):
        raise ConfigError("the English word-frequency table is missing; install "
                          "spacy-lookups-data") from None
    return table, min(table.values())


def rarity(word: str) -> float:
    """Minus the log-probability of ``word`` (lower-cased) in general English; unknown words
    get the largest value in the table."""
    table, floor = _log_probabilities()
    return -table.get(word.lower(), floor)
