"""Non-substantive answers: "n/a", "don't know", "vet ej", "keine Angabe", "rien", "no sé"...

An answer is non-substantive when the *whole* answer, lower-cased, stripped of
accents, punctuation and polite filler ("thanks", "really", "to add"), is one of
the known non-answer phrases in English, Swedish, German, French or Spanish, a
phrase from the user's ``extra`` list, only punctuation or symbols ("-", "?",
"..."), only digits, or a run of "x". A non-answer phrase inside a longer answer
("Nothing works without more staff") does not count.

A bare "no" ("No", "Nope", "Not really", "Nej", "Nein", "Non") counts as a
non-answer by default: to open questions such as "What would help?" or "Any other
comments?" it carries no content. Pass ``bare_no=False`` when the question is one
that "no" answers (e.g. "Did anything change?").

Blank answers are *not* flagged here: they get the status ``empty``.

Example:
    >>> non_substantive(["N/A.", "Nothing, thanks.", "Nothing works without more staff",
    ...                  "vet ej", "Keine Ahnung", "je ne sais pas", "No sé", "--", "42"])
    [True, True, False, True, True, True, True, True, True]
    >>> non_substantive(["No", "Ask HR"], extra=["ask hr"], bare_no=False)
    [False, True]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

__all__ = ["NON_ANSWERS", "is_non_substantive", "non_substantive"]

#: Whole-answer non-answer phrases, written naturally; matching normalises them
#: the same way as the answers (case, accents, apostrophes, punctuation).
NON_ANSWERS: tuple[str, ...] = (
    # English
    "n/a", "na", "n.a.", "none", "nothing", "nil", "null", "nothing at all", "none at all",
    "no comment", "no comments", "no comment(s)", "no answer", "did not answer", "didn't answer",
    "no response", "don't know", "dont know", "do not know", "i don't know",
    "i do not know", "idk", "dk", "dunno", "not sure", "i'm not sure", "i am not sure",
    "unsure", "no idea", "i have no idea", "not applicable", "does not apply",
    "doesn't apply", "no opinion", "no suggestions", "no suggestion", "nothing comes to mind",
    "nothing to say", "same as before", "same as last year", "same as above", "see above",
    "as above", "ditto", "idem", "pass", "skip", "no further comments",
    # Swedish
    "vet ej", "vet inte", "jag vet inte", "vet ej/ingen åsikt", "ingen aning", "inget",
    "ingenting", "ingen", "inga", "ingen kommentar", "inga kommentarer", "inga synpunkter",
    "ingen åsikt", "inget svar", "se ovan", "samma som ovan", "samma som förra året",
    "samma som tidigare", "ej aktuellt", "inte aktuellt", "osäker", "inte säker",
    # German
    "weiß nicht", "weiss nicht", "ich weiß nicht", "weiß ich nicht", "keine angabe", "k.a.",
    "k. a.", "nichts", "gar nichts", "keine ahnung", "kein kommentar", "keine kommentare",
    "keine meinung", "siehe oben", "wie oben", "wie letztes jahr", "wie im vorjahr",
    "keine", "keiner", "nicht zutreffend", "entfällt", "nicht sicher", "unsicher",
    # French
    "je ne sais pas", "ne sais pas", "je sais pas", "sais pas", "nsp", "rien", "aucun",
    "aucune", "aucune idée", "aucun commentaire", "sans commentaire", "pas de commentaire",
    "pas d'avis", "sans avis", "sans opinion", "voir ci-dessus", "voir plus haut",
    "comme avant", "comme l'année dernière", "non applicable", "sans objet",
    "ne s'applique pas", "pas sûr", "pas sûre",
    # Spanish
    "no sé", "no lo sé", "nada", "ninguno", "ninguna", "sin comentarios", "sin comentario",
    "ningún comentario", "ver arriba", "igual que arriba", "igual que el año pasado",
    "ns/nc", "ns", "nc", "no sabe", "no sabe no contesta", "no aplica", "ni idea",
    "no tengo idea", "no estoy seguro", "no estoy segura", "sin opinión",
)

#: A bare "no" in each language; see ``bare_no``.
BARE_NO: tuple[str, ...] = (
    "no", "nope", "nah", "not really", "no not really", "nej", "nej inte direkt",
    "inte direkt", "inte egentligen", "nein", "nicht wirklich", "non", "pas vraiment",
    "no realmente", "no mucho",
)

# Filler that may lead or trail a non-answer without adding content.
_LEADING = ("um", "uhm", "uh", "erm", "hmm", "well", "sorry", "honestly", "oh", "ah",
            "no", "nej", "nein", "non", "tja", "euh", "pues", "bueno")
_TRAILING = (
    "thanks", "thank you", "thanks a lot", "thank you very much", "thx", "ty", "cheers",
    "really", "at all", "at the moment", "at this time", "right now", "for now", "so far",
    "in particular", "to add", "to say", "to report", "else", "more", "further", "from me",
    "sorry",
    "tack", "tack så mycket", "egentligen", "att tillägga", "att säga", "just nu", "mer",
    "danke", "vielen dank", "eigentlich", "mehr", "hinzuzufügen", "zu sagen", "weiter",
    "merci", "merci beaucoup", "vraiment", "de plus", "à ajouter", "à dire", "d'autre",
    "gracias", "muchas gracias", "realmente", "más", "que añadir", "que decir",
)

_DROPPED = re.compile("['.`\u00b4]")  # "don't" -> "dont", "k.A." -> "ka", "n.a." -> "na"
_SEPARATORS = re.compile(r"[\W_]+")
_NUMBERS_OR_X = re.compile(r"[\d ]+|x+")


def _normalise(text: str) -> str:
    """Lower-case, strip accents (but ß -> ss), drop apostrophes/dots, squeeze the rest."""
    folded = text.lower()
    if not folded.isascii():
        folded = unicodedata.normalize("NFKD", folded.replace("ß", "ss"))
        folded = "".join(char for char in folded if not unicodedata.combining(char))
    return _SEPARATORS.sub(" ", _DROPPED.sub("", folded)).strip()


def _alternation(phrases: Sequence[str]) -> str:
    normalised = {_normalise(phrase) for phrase in phrases} - {""}
    return "|".join(re.escape(phrase) for phrase in sorted(normalised, key=lambda p: (-len(p), p)))


@lru_cache(maxsize=32)
def _pattern(extra: tuple[str, ...], bare_no: bool) -> re.Pattern[str]:
    phrases = NON_ANSWERS + extra + (BARE_NO if bare_no else ())
    return re.compile(
        rf"(?:(?:{_alternation(_LEADING)}) )*(?:{_alternation(phrases)})"
        rf"(?: (?:{_alternation(_TRAILING)}))*"
    )


def is_non_substantive(text: str, *, extra: Sequence[str] = (), bare_no: bool = True) -> bool:
    """Whether one answer has no content (see the module docstring for the rules).

    Example:
        >>> is_non_substantive("Nothing really"), is_non_substantive("Nothing works")
        (True, False)
    """
    if not text.strip():
        return False  # blank answers are "empty", not "non_substantive"
    normalised = _normalise(text)
    if not normalised or _NUMBERS_OR_X.fullmatch(normalised):
        return True  # only punctuation/symbols, only digits, or "x"/"xxx"
    return _pattern(tuple(extra), bare_no).fullmatch(normalised) is not None


def non_substantive(texts: Sequence[str], *, extra: Sequence[str] = (),
                    bare_no: bool = True) -> list[bool]:
    """For each answer, whether it has no content.

    ``extra`` adds whole-answer phrases (matched after the same normalisation, so
    case, accents and punctuation do not matter). ``bare_no`` decides whether a bare
    "no" / "nope" / "not really" (and "nej", "nein", "non") is a non-answer.

    Example:
        >>> non_substantive(["Don't know", "I don't know how they do it, but it works", "?"])
        [True, False, True]
    """
    extra = tuple(extra)
    return [is_non_substantive(text, extra=extra, bare_no=bare_no) for text in texts]
