"""Negated mentions: NegEx-style cues and scopes over the tokens of an answer.

A mention is negated when a negation cue governs it inside the same clause:

- **before** it, within :data:`PRE_WINDOW` words: ``not``, ``no``, ``never``, ``n't``,
  ``without``, ``none``, ``nothing``, ``neither``, ``nor``, ``hardly``, ``no sign of``,
  ``rather than`` ... ("We have not seen any use of *cryptocurrency*");
- **after** it, as the subject of a negated verb, within :data:`SUBJECT_WINDOW` words
  that do not start a new phrase (a comma, ``and``, ``which``, ``we`` ...):
  ``did not``, ``isn't``, ``has never``, ``is no longer``, ``found nothing`` ("Our
  *filtering* software did not pick anything up");
- **after** it, dismissing it, anywhere in the clause within :data:`DISMISS_WINDOW`
  words: ``is less of a problem``, ``not an issue``, ``not where the problem is``
  ("The *platforms* are actually responsive, so that is not an issue").

Pseudo-negations look like cues but negate nothing ("not much change", "not only",
"no doubt", "no longer just", "can't open"): they are read as one phrase and skipped.
Clauses end at ``. ; : ! ?``, line breaks, dashes and ``but``, ``however``,
``although``, ``though``, ``yet``, ``except``, ``apart from`` ... ("No VPNs, but
*Tor* everywhere" is not negated). A cue right before a comma or hyphen is not a
cue ("No, *encryption* is everywhere"; "no-logs *VPN*"), and a cue inside the
mention itself (the pattern ``no idea``) does not negate it.

Cues are regular expressions over the lower-cased tokens joined by single spaces,
so they read like the phrases they find; they are tried only near a trigger word
(:data:`TRIGGERS`), so answers without one cost next to nothing. :func:`find_cues` lists them and
:class:`NegationCues` finds them once to check several mentions of one answer.

Example:
    >>> tokens = "We have not seen any use of cryptocurrency so far".split()
    >>> is_negated(tokens, 7, 8)
    True
    >>> tokens = "Not much change on the darknet side : it is big".split()
    >>> is_negated(tokens, 5, 6)
    False
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING, Literal, cast

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

CueKind = Literal["pseudo", "dismiss", "both", "pre", "stop"]

PRE_WINDOW = 5
"""Words allowed between a cue and the mention it negates (NegEx uses five)."""
SUBJECT_WINDOW = 3
"""Words allowed between a mention and a negated verb it is the subject of."""
DISMISS_WINDOW = 8
"""Words allowed between a mention and a dismissal later in its clause."""

AUXILIARIES = ("is", "are", "was", "were", "am", "be", "been", "being", "has", "have", "had",
               "do", "does", "did", "can", "ca", "could", "will", "wo", "would", "shall", "sha",
               "should", "may", "might", "must", "need")
"""Verbs a ``not`` follows ("ca", "wo", "sha": spaCy's halves of "can't", "won't", "shan't")."""
_AUX = "(?:" + "|".join(AUXILIARIES) + ")"
_NOT = r"(?:not|never|no longer)"
_TROUBLE = (r"(?:(?:a|an|the|really a|really an|really the|much of a|much of an|our|any) )?"
            r"(?:(?:big|real|major|main|serious|huge|particular) )?"
            r"(?:problem|issue|concern|obstacle|priority|challenge)s?")
_ACCESS = (r"(?:open|access|read|unlock|crack|break|bypass|decrypt|trace|track|reach|identify"
           r"|get into|get past|get around|keep up with|cope with|handle)")

PSEUDO = [
    rf"(?:{_AUX} )?not (?:only|just|merely|least|to mention)",
    rf"(?:{_AUX} )?no longer (?:just|only|merely)",
    r"no (?:doubt|wonder|matter|surprise|less)", r"without (?:a )?doubt", r"nothing but",
    r"(?:not much|nothing|little|no(?: real| big| major)?) (?:has |have )?change[sd]?",
    r"nothing new", r"not (?:unusual|uncommon|surprising|surprisingly)", r"if not",
    rf"(?:(?:can|ca|could) (?:not|n't)|cannot|(?:(?:are|is|were|was|am) )?unable to) {_ACCESS}",
]
"""Phrases that contain a cue word but negate nothing."""

DISMISS = [
    rf"(?:{_AUX} )?(?:not|no longer|never|less of|not much of|not really|hardly) {_TROUBLE}",
    rf"(?:{_AUX} )?(?:not|no longer|never been|not really) (?:relevant|needed|necessary)",
    rf"(?:{_AUX} )?not where (?:the|our) problems? (?:is|are|lies|lie)", r"irrelevant",
]
"""Phrases after a mention that dismiss it ("encryption is less of a problem")."""

BOTH = [
    rf"{_AUX} {_NOT}(?: (?:yet|really|even|always|ever))?", r"\S+n't", r"cannot",
    r"(?:found|find|finds|detected|detects|flagged|showed|shows|caught|noticed|revealed"
    r"|picked up|turned up|came up with) nothing",
]
"""Negated verbs: they negate what follows and, after it, their subject."""

PRE = [
    r"not(?: (?:much|many|any|yet|even|really|seen|noticed|found|encountered))?",
    r"no - one", r"no one", r"no(?: (?:signs?|evidence|traces?|mention|indication) of)?",
    r"never", r"without", r"none(?: of)?", r"nothing", r"neither", r"nor", r"nobody",
    r"(?:hardly|barely|scarcely)(?: any)?", r"rarely", r"seldom", r"absence of",
    r"instead of", r"rather than",
]
"""Cues that negate what follows them."""

STOPS = frozenset({
    ".", "..", "...", "\u2026", ";", ":", "!", "?", "?!", "!?", "!!", "??", "\u00b6",
    "\u2013", "\u2014", "--", "but", "however", "although", "though", "whereas", "yet",
    "except", "besides", "nevertheless", "nonetheless",
})
"""Clause boundaries (one token each; also "apart from" and "other than")."""

BREAKS = frozenset({
    ",", "and", "or", "but", "nor", "so", "because", "since", "as", "if", "when", "while",
    "where", "whereas", "then", "that", "which", "who", "whom", "whose", "i", "we", "you",
    "he", "she", "they", "it", "there",
})
"""Words that end the subject before a negated verb ("containers *that we* cannot open")."""

TRIGGERS = frozenset({
    "not", "no", "never", "without", "none", "nothing", "neither", "nor", "nobody", "hardly",
    "barely", "scarcely", "rarely", "seldom", "absence", "instead", "rather", "less",
    "irrelevant", "cannot", "unable",
})
"""Every cue has one of these (or a word ending in ``n't``) among its first four tokens;
cues are looked for only there, which keeps answers without any cheap."""

_KINDS: tuple[tuple[CueKind, list[str]], ...] = (
    ("pseudo", PSEUDO), ("dismiss", DISMISS), ("both", BOTH), ("pre", PRE))
_CUES = re.compile(
    "(?:" + "|".join(f"(?P<{kind}>{'|'.join(phrases)})" for kind, phrases in _KINDS)
    + ")(?![^ ])")
_REACH = 3  # a cue starts at most this many tokens before its trigger ("came up with nothing")
STARTS = TRIGGERS | frozenset(AUXILIARIES) | frozenset({
    "if", "little", "found", "find", "finds", "detected", "detects", "flagged", "showed",
    "shows", "caught", "noticed", "revealed", "picked", "turned", "came"})
"""The words a cue can start with before its trigger ("is", "can", "found" ...)."""


@dataclass(frozen=True)
class Cue:
    """A cue found in a token sequence: its kind and token span ``[start, end)``."""

    kind: CueKind
    start: int
    end: int
    text: str


def normalise(token: str) -> str:
    """A token as the cue expressions see it: lower-case, ``n't`` as ``not``, no spaces.

    Example:
        >>> [normalise(token) for token in ["Did", "n\\u2019t", "\\n\\n", " ", "Tor"]]
        ['did', 'not', '¶', '_', 'tor']
    """
    lower = token.lower().replace("\u2019", "'")
    if not lower.strip():
        return "¶" if "\n" in token else "_"
    return "not" if lower == "n't" else "_".join(lower.split())


class NegationCues:
    """The cues of one tokenised text, found once, to check any number of its mentions.

    ``tokens`` are strings or spaCy tokens (a ``Doc`` or ``Span``); indices are token
    positions in it. ``normalised=True`` says the strings already went through
    :func:`normalise`. ``cues`` are the cues, ``stops`` where clause boundaries start
    (worked out only when there are cues).

    Example:
        >>> cues = NegationCues("No VPNs , but Tor everywhere".split())
        >>> cues.negates(1, 2), cues.negates(4, 5)
        (True, False)
        >>> [(cue.kind, cue.text) for cue in cues.cues], cues.stops
        ([('pre', 'no')], [3])
    """

    def __init__(self, tokens: Sequence[str] | Doc | Span, *, normalised: bool = False) -> None:
        self.words: list[str] = (
            cast("list[str]", list(tokens)) if normalised
            else [normalise(token if isinstance(token, str) else token.text) for token in tokens])
        self.cues = _find(self.words)
        self.stops = _stops(self.words, self.cues) if self.cues else []

    def negates(self, start: int, end: int) -> bool:
        """Whether a cue negates the mention at tokens ``[start, end)``."""
        for cue in self.cues:
            if cue.kind == "pseudo" or (cue.start < end and start < cue.end):
                continue
            if cue.end <= start and cue.kind in ("pre", "both"):
                if _governs_after(self.words, self.stops, cue, start):
                    return True
            elif cue.start >= end and cue.kind in ("both", "dismiss") and _governs_before(
                    self.words, self.stops, cue, end):
                return True
        return False


def is_negated(tokens: Sequence[str] | Doc | Span, start: int, end: int) -> bool:
    """Whether the mention at tokens ``[start, end)`` is negated (see the module docstring).

    Example:
        >>> tokens = "Encryption is less of a problem than people think".split()
        >>> is_negated(tokens, 0, 1)
        True
        >>> tokens = "He resigned and did not come back".split()
        >>> is_negated(tokens, 1, 2)
        False
    """
    return NegationCues(tokens).negates(start, end)


def find_cues(tokens: Sequence[str] | Doc | Span) -> list[Cue]:
    """The cues and clause boundaries (kind ``stop``) in ``tokens``, in text order.

    Example:
        >>> [(cue.kind, cue.start, cue.end) for cue in find_cues(
        ...     "It is not only VPNs ; it is not Tor".split())]
        [('pseudo', 1, 4), ('stop', 5, 6), ('both', 7, 9)]
    """
    found = NegationCues(tokens)
    stops = [Cue("stop", i, i + 1, found.words[i]) for i in _stops(found.words, found.cues)]
    return sorted(found.cues + stops, key=lambda cue: cue.start)


def _find(words: Sequence[str]) -> list[Cue]:
    """The cues, left to right, as ``finditer`` would find them, but tried only where a
    cue can start (:data:`STARTS`) near a trigger."""
    joined = " ".join(words)
    contracted = "n't" in joined  # whitespace-split "didn't" (spaCy gives "did", "n't")
    if not contracted and TRIGGERS.isdisjoint(words):
        return []
    triggers = [i for i, word in enumerate(words)
                if word in TRIGGERS or (contracted and word.endswith("n't"))]
    candidates = sorted({i for t in triggers for i in range(max(t - _REACH, 0), t)
                         if words[i] in STARTS} | set(triggers))
    starts = _offsets(words)
    cues: list[Cue] = []
    reached = 0
    for i in candidates:
        found = _CUES.match(joined, starts[i]) if i >= reached else None
        if found is not None:
            reached = bisect.bisect_left(starts, found.end() + 1)
            if not _compound(words, reached):
                cues.append(Cue(found.lastgroup, i, reached, found.group()))  # type: ignore[arg-type]
    return cues


def _stops(words: Sequence[str], cues: Sequence[Cue]) -> list[int]:
    """Where clause boundaries start, outside ``cues`` ("not yet" is no boundary)."""
    stops = [i for i, word in enumerate(words) if word in STOPS]
    for first, second in (("apart", "from"), ("other", "than")):
        if first in words:
            stops += [i for i, word in enumerate(words[:-1])
                      if word == first and words[i + 1] == second]
    inside = {i for cue in cues for i in range(cue.start, cue.end)}
    return sorted(i for i in stops if i not in inside)


def _governs_after(words: Sequence[str], stops: Sequence[int], cue: Cue, start: int) -> bool:
    """A cue before the mention: same clause, few words between, no comma right after it."""
    if cue.end < len(words) and words[cue.end] == ",":
        return False
    between = words[cue.end:start]
    return not _stopped(stops, cue.end, start) and _n_words(between) <= PRE_WINDOW


def _governs_before(words: Sequence[str], stops: Sequence[int], cue: Cue, end: int) -> bool:
    """A cue after the mention: a dismissal in the clause, or a verb the mention is subject of."""
    if _stopped(stops, end, cue.start):
        return False
    between = words[end:cue.start]
    if cue.kind == "dismiss":
        return _n_words(between) <= DISMISS_WINDOW
    return _n_words(between) <= SUBJECT_WINDOW and not any(word in BREAKS for word in between)


def _stopped(stops: Sequence[int], start: int, end: int) -> bool:
    """Whether a clause boundary starts in ``[start, end)``."""
    position = bisect.bisect_left(stops, start)
    return position < len(stops) and stops[position] < end


def _compound(words: Sequence[str], end: int) -> bool:
    """A cue followed by a hyphen is part of a compound word ("no-logs"), not a cue."""
    return end < len(words) and words[end] in ("-", "\u2010")


def _n_words(tokens: Iterable[str]) -> int:
    return sum(1 for token in tokens if any(char.isalnum() for char in token))


def _offsets(words: Sequence[str]) -> list[int]:
    """Where each word starts in ``" ".join(words)``."""
    return list(accumulate((len(word) + 1 for word in words[:-1]), initial=0))
