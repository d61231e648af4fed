"""Candidate phrases: lemmatised runs of content words between stop words and punctuation.

Every keyword method starts here, so they all see the same candidates. A text is
split into word tokens (letters and digits, with inner hyphens and apostrophes:
``end-to-end``, ``officer's``) and punctuation. Stop words and punctuation end a
run; every 1..``max_words`` slice of a run is a candidate whose *key* is its
lemmas (spaCy's lookup table; for hyphenated words, the last part). A candidate
must start and end with a word that has a letter, and a key whose last lemma
ends in ``-ed`` or whose first or last ends in ``-ly`` is left out: those are
verbs and adverbs the lookup table does not know ("based", "recently"), which
are rarely what a reader calls a keyphrase. A candidate keeps how often it
occurs (also inside longer candidates), where it first occurs, and how it was
written: the first occurrence that does not start a sentence, so a word
capitalised only because it starts the answer is shown in lower case.

Example:
    >>> finder = PhraseFinder(max_words=2)
    >>> found = finder("Encryption. Offenders use encrypted apps; encrypted apps everywhere.")
    >>> [(" ".join(p.key), p.surface, p.count) for p in found.phrases.values()][1:3]
    [('offender', 'Offenders', 1), ('offender use', 'Offenders use', 1)]
    >>> found.phrases[("encrypt", "app")].count, found.phrases[("encrypt", "app")].surface
    (2, 'encrypted apps')
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openends.nlp import LOOKUP_FIXES

Key = tuple[str, ...]

TOKEN = re.compile(r"[^\W_]+(?:[-'\u2019][^\W_]+)*|\S")
LETTER = re.compile(r"[^\W\d_]")
SENTENCE_END = frozenset(".!?")
PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")
"""Redaction placeholders (``[EMAIL]``, ``[PHONE]``, ``[PERSON]`` ...): never keywords."""
POSSESSIVE = ("'s", "\u2019s")
MAX_WORDS = 4


@dataclass(frozen=True, slots=True)
class Phrase:
    """One candidate phrase of a text."""

    key: Key
    surface: str
    count: int
    first: int


@dataclass(frozen=True)
class TextPhrases:
    """The candidates of one text, the counts of its content-word lemmas and its length."""

    phrases: dict[Key, Phrase]
    words: Counter[str] = field(default_factory=Counter)
    n_tokens: int = 0


def contains(longer: Key, shorter: Key) -> bool:
    """Whether ``shorter`` is a contiguous part of ``longer`` (or equal to it).

    Example:
        >>> contains(("live", "stream", "platform"), ("live", "stream"))
        True
        >>> contains(("a", "b"), ("b", "a"))
        False
    """
    size = len(shorter)
    return any(longer[start:start + size] == shorter for start in range(len(longer) - size + 1))


def select_distinct(ranked: Iterable[Key], top: int) -> list[Key]:
    """The first ``top`` keys of a ranking, skipping any that is part of one already chosen
    (so "streaming" does not follow "live streaming"; the reverse order keeps both, as
    the longer phrase says more).

    Example:
        >>> select_distinct([("live", "stream"), ("stream",), ("darknet",), ("darknet", "site")], 5)
        [('live', 'stream'), ('darknet',), ('darknet', 'site')]
    """
    chosen: list[Key] = []
    for key in ranked:
        if len(chosen) == top:
            break
        if not any(contains(other, key) for other in chosen):
            chosen.append(key)
    return chosen


def shown_form(forms: Counter[str]) -> str:
    """The form to show a phrase in: the most frequent, counting a form that differs only
    by a capital first letter as the lower-case one when that occurs too.

    Example:
        >>> shown_form(Counter({"Encryption": 5, "encryption": 2, "Telegram": 1}))
        'encryption'
    """
    folded: Counter[str] = Counter()
    for form, count in forms.items():
        lowered = form[:1].lower() + form[1:]
        folded[lowered if lowered in forms else form] += count
    return folded.most_common(1)[0][0]


@functools.lru_cache(maxsize=1)
def _lemma_table() -> Any:
    from openends.nlp import load_nlp

    lemmatizer: Any = load_nlp().get_pipe("lemmatizer")
    return lemmatizer.lookups.get_table("lemma_lookup")


@functools.lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The lower-case lemma of one word token (hyphenated: of its last part).

    Example:
        >>> lemma("Offenders"), lemma("end-to-end"), lemma("officer's"), lemma("media")
        ('offender', 'end-to-end', 'officer', 'media')
    """
    lower = word.lower()
    if lower.endswith(POSSESSIVE):
        lower = lower[:-2]
    head, _, last = lower.rpartition("-")
    found = LOOKUP_FIXES.get(last) or _lemma_table().get(last, last)
    return f"{head}-{found}" if head else found


def is_edge_word_ok(key: Key) -> bool:
    """False for keys that end in an ``-ed`` lemma or start or end with an ``-ly`` one."""
    return not (key[-1].endswith("ed") or key[-1].endswith("ly") or key[0].endswith("ly"))


class PhraseFinder:
    """Finds the candidate phrases of texts; see the module docstring.

    ``stop_words`` defaults to :func:`openends.nlp.stop_words` (spaCy's plus survey
    filler words). Calling the finder on a text returns its :class:`TextPhrases`.
    """

    def __init__(self, *, max_words: int = MAX_WORDS,
                 stop_words: Iterable[str] | None = None) -> None:
        self.max_words = max_words
        self.stop_words = stop_words

    @functools.cached_property
    def _stop(self) -> frozenset[str]:
        if self.stop_words is None:
            from openends.nlp import stop_words

            return stop_words()
        return frozenset(word.lower() for word in self.stop_words)

    def is_stop_word(self, word: str) -> bool:
        """A stop word, a negated auxiliary ("don't") or a stop word with a clitic ("it's").

        Example:
            >>> finder = PhraseFinder()
            >>> [finder.is_stop_word(word) for word in ("the", "don't", "we're", "officer's")]
            [True, True, True, False]
        """
        if word in self._stop:
            return True
        head, apostrophe, tail = word.replace("\u2019", "'").rpartition("'")
        return bool(apostrophe) and (tail == "t" or head in self._stop)

    def runs(self, text: str) -> tuple[list[list[tuple[str, str, int, bool]]], int]:
        """Runs of content words as ``(surface, lemma, position, starts_sentence)``,
        and the number of tokens in the text."""
        text = PLACEHOLDER.sub(" | ", text)
        runs: list[list[tuple[str, str, int, bool]]] = []
        current: list[tuple[str, str, int, bool]] = []
        starts_sentence = True
        position = -1
        for position, match in enumerate(TOKEN.finditer(text)):
            token = match.group()
            if not token[0].isalnum() or self.is_stop_word(token.lower()):
                if current:
                    runs.append(current)
                    current = []
                starts_sentence = token in SENTENCE_END or (starts_sentence and
                                                             not token[0].isalnum())
                continue
            current.append((token, lemma(token), position, starts_sentence))
            starts_sentence = False
        if current:
            runs.append(current)
        return runs, position + 1

    def __call__(self, text: str) -> TextPhrases:
        runs, n_tokens = self.runs(text)
        found: dict[Key, list[Any]] = {}
        words: Counter[str] = Counter()
        for run in runs:
            words.update(word[1] for word in run)
            for start in range(len(run)):
                for end in range(start + 1, min(start + self.max_words, len(run)) + 1):
                    self._add(found, run[start:end])
        phrases = {key: Phrase(key, surface, count, first)
                   for key, (count, first, surface, _) in found.items()}
        return TextPhrases(phrases, words, n_tokens)

    @staticmethod
    def _add(found: dict[Key, list[Any]], words: Sequence[tuple[str, str, int, bool]]) -> None:
        first, last = words[0][0], words[-1][0]
        if not (LETTER.search(first) and LETTER.search(last)):
            return
        if len(words) == 1 and len(first) < 2:
            return
        if not is_edge_word_ok((first.lower(), last.lower())):
            return
        key = tuple(word[1] for word in words)
        seen = found.get(key)
        if seen is None:
            found[key] = [1, words[0][2], " ".join(word[0] for word in words), words[0][3]]
            return
        seen[0] += 1
        if seen[3] and not words[0][3]:  # prefer a form that does not start a sentence
            seen[2], seen[3] = " ".join(word[0] for word in words), False
