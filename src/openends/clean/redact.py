"""Redact personal data from answers: typed placeholders instead of the data itself.

E-mail addresses, URLs, IP addresses, phone numbers, payment-card numbers and
ID-like numbers are found by one compiled regular expression, so a single left-to-right
pass decides each span: the match that starts first wins, which is why the digits in
``www.example.org/123456789`` stay inside one ``[URL]`` and are never read as an ID.
Terms the user lists (organisations, places) become ``[TERM]``. Person names become
``[PERSON]`` only when an installed spaCy pipeline with named-entity recognition is
given; nothing is ever downloaded.

Example:
    >>> redactor = Redactor(terms=("Acme",))
    >>> text, counts = redactor.redact("Mail jo@acme.se or call +46 70 123 45 67 at ACME.")
    >>> text
    'Mail [EMAIL] or call [PHONE] at [TERM].'
    >>> sorted(counts.items())
    [('EMAIL', 1), ('PHONE', 1), ('TERM', 1)]
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from openends.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language

#: Entity labels that mean "a person": OntoNotes (English) and WikiNER (most others).
PERSON_LABELS = frozenset({"PERSON", "PER"})
_NER_COMPONENTS = ("ner", "entity_ruler", "span_ruler")
# Components that NER may need; everything else is switched off while redacting.
_NER_INPUTS = ("tok2vec", "transformer", "ner", "entity_ruler", "span_ruler")

# The last character of a URL: not punctuation that ends the sentence around it.
_URL_TAIL = r"""[^\s<>"'.,;:!?)\]]"""
_URL_BODY = rf"""[^\s<>"']*{_URL_TAIL}"""
# Common top-level domains, so that a bare "example.com" is a URL but "end.Next" is not.
# Domains that are also English words (.it, .co, .is, .in...) are left out: a missing
# space after a full stop ("brilliant.it was") is far more common in answers than a
# bare Italian address; such addresses are still caught with www., a scheme or a path.
_TLDS = (
    "com|org|net|edu|gov|mil|int|info|biz|io|ai|app|dev|eu|uk|se|dk|fi|de|fr|nl|"
    "ch|es|pl|ru|cn|jp|ca|au|nu|tv|xyz|online|site|onion"
)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"

EMAIL = r"""
    (?<![\w.%+-])
    [\w.%+-]+ @ [\w-]+ (?:\.[\w-]+)* \.[A-Za-z]{2,}
    (?![\w-])
"""

URL = rf"""
    (?<![\w.@/-])
    (?:
        (?i:https?://|ftp://|www\d{{0,3}}\.) {_URL_BODY}         # with a scheme or www.
      | (?:{_LABEL}\.)+ (?:{_TLDS}) (?![\w-]) (?:/{_URL_BODY}|/)?  # example.com(/path)
      | (?:{_LABEL}\.)+ [a-z]{{2,6}} /{_URL_BODY}                 # any.tld/with/a/path
    )
"""

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"  # 0-255 without leading zeros
IPV4 = rf"""
    (?<![\w.])
    {_OCTET} (?:\.{_OCTET}){{3}}
    (?!\.?\d)(?!\w)
"""

# A candidate only: the ipaddress module decides whether it is a valid address.
IPV6 = r"""
    (?<![\w:])
    (?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)      # at least two colons
    (?:[0-9A-Fa-f]{0,4}:){2,7}
    (?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{1,4})?  # ends with a group or embedded IPv4
    (?![\w:])
"""

# Day-first dates such as 01-02-2019 or 01.02.2019: matched only to be left alone,
# so that their leading zero is not read as the start of a national phone number.
DATE = r"""
    (?<![\w.-])
    \d{1,2} (?P<date_sep>[./-]) \d{1,2} (?P=date_sep) (?:\d{4}|\d{2})
    (?![\w-])
"""

# 13-19 digits, unbroken or in the groups printed on cards; Luhn decides CARD or ID.
CARD = r"""
    (?<![\w+-])
    (?:
        [1-9]\d{12,18}                                       # unbroken
      | [1-9]\d{3} (?P<card_sep>[ -]) \d{4} (?:(?P=card_sep)\d{4}){2}
        (?:(?P=card_sep)\d{1,3})?                            # 4-4-4-4(-3)
      | [1-9]\d{3} [ -] \d{6} [ -] \d{4,5}                   # 4-6-5 (Amex), 4-6-4 (Diners)
    )
    (?![\w-])
"""

# Swedish personnummer and samordningsnummer: (YY)YYMMDD-NNNN, + for people over 100.
PERSONAL_NUMBER = r"""
    (?<![\w-])
    (?:19|20)? \d{6} [-+] \d{4}
    (?![\w-])
"""

# Phone numbers; a match with fewer than 8 digits is left alone.
PHONE = r"""
    (?:
        (?<![\w+]) (?:\+|00) [1-9]\d*                       # +46 or 0046, maybe more
        (?: [ .\-]? \(\d{1,5}\) [ .\-]? \d+                 #  (0)20 or (555) 123
          | [ .\-] \d+ )*                                   #  70 123 45 67
      | (?<![\w+-]) \(0\d{1,4}\) [ -]? \d+ (?:[ -]\d+)*     # (020) 7946 0958
      | (?<![\w+.,-]) 0\d+ (?:[ -]\d+)*                     # 070-123 45 67
      | (?<![\w+.,-]) \(?[2-9]\d{2}\)? [ .-]? \d{3} [.-] \d{4}  # (555) 123-4567
    )
    (?![\w@-])(?![.,]\w)       # not before a decimal part or an e-mail's local part
"""

# Case numbers and codes that mix letters with at least 5 digits (AB1234567,
# K12345-19), and digit runs of 9 or more.
ID_CODE = r"""
    (?<![\w-])
    (?:
        (?=[A-Za-z0-9-]*[A-Za-z]) (?=(?:[A-Za-z-]*\d){5})
        [A-Za-z0-9]+ (?:-[A-Za-z0-9]+)*
      | \d{9,}
    )
    (?![\w-])
"""

# Order breaks ties between patterns that start at the same character.
_PATTERNS = {
    "EMAIL": EMAIL,
    "URL": URL,
    "IPV4": IPV4,
    "IPV6": IPV6,
    "DATE": DATE,
    "CARD": CARD,
    "PERSONAL_NUMBER": PERSONAL_NUMBER,
    "PHONE": PHONE,
    "ID": ID_CODE,
}
_MIN_PHONE_DIGITS = 8
# Grouped digits that start with a year ("2016 2017 2018 2019", "2019 0046 70 ...") are
# a list of years, maybe before a phone number, when the Luhn check fails.
_STARTS_WITH_YEAR = re.compile(r"(?:19|20)\d\d[ -]")
# Every pattern above starts a word, and its first word holds a digit, "@", "." or ":".
# Checking that once, before trying the patterns, makes the pass about six times faster.
_CANDIDATE_START = r"(?<!\w)(?=[^\s\d@.:]*[\d@.:])"


def luhn_valid(digits: str) -> bool:
    """True when the digits pass the Luhn checksum used by payment cards.

    Spaces and dashes are ignored.

    Example:
        >>> luhn_valid("4111 1111 1111 1111"), luhn_valid("4111 1111 1111 1112")
        (True, False)
    """
    numbers = [int(char) for char in digits if char.isdigit()]
    total = 0
    for position, number in enumerate(reversed(numbers)):
        if position % 2 == 1:
            number = number * 2 - 9 if number > 4 else number * 2
        total += number
    return bool(numbers) and total % 10 == 0


def _term_pattern(term: str) -> str:
    words = term.split()
    return r"\s+".join(re.escape(word) for word in words)


@lru_cache(maxsize=32)
def _compile(terms: tuple[str, ...]) -> re.Pattern[str]:
    personal_data = "|".join(f"(?P<{name}>{pattern})" for name, pattern in _PATTERNS.items())
    parts = [f"{_CANDIDATE_START}(?:{personal_data})"]
    cleaned = sorted({term.strip() for term in terms if term.strip()}, key=len, reverse=True)
    if cleaned:
        alternatives = "|".join(_term_pattern(term) for term in cleaned)
        parts.append(rf"(?P<TERM>(?<!\w)(?i:{alternatives})(?!\w))")
    return re.compile("|".join(parts), re.VERBOSE)


def _placeholder(match: re.Match[str]) -> str | None:
    """The type name for a match, or None when it only looks like personal data."""
    kind = match.lastgroup
    text = match.group()
    if kind == "CARD":
        if luhn_valid(text):
            return "CARD"
        return None if _STARTS_WITH_YEAR.match(text) else "ID"
    if kind == "PERSONAL_NUMBER":
        return "ID"
    if kind == "PHONE":
        return "PHONE" if sum(char.isdigit() for char in text) >= _MIN_PHONE_DIGITS else None
    if kind == "IPV4":
        return "IP"
    if kind == "IPV6":
        try:
            ipaddress.ip_address(text)
        except ValueError:
            return None
        return "IP"
    if kind == "DATE":
        return None
    return kind


@lru_cache(maxsize=4)
def _load_ner(name: str) -> Language:
    """Load an installed spaCy pipeline by package name or path, once per process."""
    install = (
        f"install it with 'python -m spacy download {name}' (or pip install the model "
        "package), or leave spacy_model unset to skip person names"
    )
    try:
        import spacy
    except ImportError:
        raise ConfigError(
            f"spaCy pipeline {name!r} needs spaCy, which is not installed; pip install spacy, "
            f"then {install}"
        ) from None
    try:
        nlp = spacy.load(name)
    except (OSError, ValueError, ImportError) as error:
        raise ConfigError(
            f"spaCy pipeline {name!r} could not be loaded ({type(error).__name__}); {install}"
        ) from None
    if not any(component in nlp.pipe_names for component in _NER_COMPONENTS):
        raise ConfigError(
            f"spaCy pipeline {name!r} has no named-entity recogniser (components: "
            f"{', '.join(nlp.pipe_names) or 'none'}); use one with 'ner', e.g. en_core_web_sm"
        )
    return nlp


@dataclass(frozen=True)
class Redactor:
    """Replace personal data in answers with typed placeholders such as ``[EMAIL]``.

    ``terms`` are words or phrases to hide as ``[TERM]`` (whole words, any case).
    ``spacy_model`` names an installed spaCy pipeline with NER (e.g. ``"en_core_web_sm"``)
    whose person entities become ``[PERSON]``; it is loaded on first use, never
    downloaded. Without it person names are not redacted (see :attr:`ner_status`).

    Example:
        >>> Redactor().redact("Card 4111 1111 1111 1111, case AB1234567, 2017-2019.")[0]
        'Card [CARD], case [ID], 2017-2019.'
    """

    terms: tuple[str, ...] = ()
    spacy_model: str | None = None

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        return _compile(tuple(self.terms))

    @property
    def ner_status(self) -> str:
        """One sentence saying whether person names are redacted, and how to change it.

        Example:
            >>> Redactor(spacy_model="en_core_web_sm").ner_status
            'person names: redacted with en_core_web_sm'
        """
        if self.spacy_model is None:
            return (
                "person names: not redacted (no spaCy pipeline with NER given; install one, "
                "e.g. en_core_web_sm, and pass spacy_model)"
            )
        return f"person names: redacted with {self.spacy_model}"

    def _redact_patterns(self, text: str, counts: Counter[str]) -> str:
        pieces: list[str] = []
        kept_from = search_from = 0
        while (match := self._pattern.search(text, search_from)) is not None:
            kind = _placeholder(match)
            if kind is None:  # a look-alike: look again from the next character
                search_from = match.start() + 1
                continue
            pieces += [text[kept_from : match.start()], f"[{kind}]"]
            counts[kind] += 1
            kept_from = search_from = match.end()
        if not pieces:
            return text
        pieces.append(text[kept_from:])
        return "".join(pieces)

    def redact(self, text: str) -> tuple[str, Counter[str]]:
        """The text with personal data replaced, and the placeholders used, by type.

        Example:
            >>> Redactor().redact("See https://example.org/a?id=123456789 or 10.0.0.1")
            ('See [URL] or [IP]', Counter({'URL': 1, 'IP': 1}))
        """
        redacted, counts = self.redact_many([text])
        return redacted[0], counts

    def redact_many(self, texts: Sequence[str]) -> tuple[list[str], Counter[str]]:
        """Redact many texts (NER runs in batches), in the same order, with total counts.

        Example:
            >>> Redactor().redact_many(["a@b.org", "no data", "0044 20 7946 0958"])
            (['[EMAIL]', 'no data', '[PHONE]'], Counter({'EMAIL': 1, 'PHONE': 1}))
        """
        counts: Counter[str] = Counter()
        redacted = [self._redact_patterns(text, counts) for text in texts]
        if self.spacy_model is not None:
            redacted = _redact_people(_load_ner(self.spacy_model), redacted, counts)
        return redacted, counts


def _redact_people(nlp: Language, texts: list[str], counts: Counter[str]) -> list[str]:
    not_needed = [name for name in nlp.pipe_names if name not in _NER_INPUTS]
    result = []
    for text, doc in zip(texts, nlp.pipe(texts, disable=not_needed), strict=True):
        people = [ent for ent in doc.ents if ent.label_ in PERSON_LABELS]
        for ent in reversed(people):
            if "[" in ent.text:  # never swallow a placeholder already put in
                continue
            text = f"{text[: ent.start_char]}[PERSON]{text[ent.end_char :]}"
            counts["PERSON"] += 1
        result.append(text)
    return result
