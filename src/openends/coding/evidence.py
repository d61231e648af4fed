"""Evidence strings of codes: the words and phrases that coded an answer, and where they
stand in a text (for highlighting and for quotes).

Evidence comes as rule matches (``"Bitcoin | wallets"``), a model's terms (``"bitcoin,
wallets"``), a semantic code's closest clause and words (``"clause" ~ "example"; words:
phone``) or a parent's child evidence (``via crypto: ...``).

Example:
    >>> evidence_terms("via crypto: bitcoin (negated) | crypto wallets")
    ['bitcoin', 'crypto wallets']
"""

from __future__ import annotations

import re

_VIA = re.compile(r"^via [^\s:]+(?::\s*|$)")
_SEMANTIC = re.compile(r'^"(?P<clause>.*?)" ~ "(?P<example>.*?)"(?:; words: (?P<words>.*))?$',
                       re.DOTALL)
_NEGATED = " (negated)"


def evidence_terms(evidence: str) -> list[str]:
    """The words and phrases an evidence string says were found in the answer: rule
    matches (``"Bitcoin | wallets"``), a model's terms (``"bitcoin, wallets"``), a semantic
    code's closest clause and words, a parent's child evidence.

    Example:
        >>> evidence_terms("via crypto: bitcoin (negated) | crypto wallets")
        ['bitcoin', 'crypto wallets']
        >>> evidence_terms('"phones we cannot open" ~ "Encrypted phones"; words: phone')
        ['phones we cannot open', 'phone']
    """
    text = evidence.strip()
    while via := _VIA.match(text):
        text = text[via.end():]
    semantic = _SEMANTIC.match(text)
    if semantic:
        terms = [semantic["clause"].rstrip("\u2026"), *(semantic["words"] or "").split(",")]
    else:
        terms = re.split(r"[|;,]", text)
    cleaned = [term.strip().removesuffix(_NEGATED).strip() for term in terms]
    return list(dict.fromkeys(term for term in cleaned if len(term) > 1 and re.search(r"\w", term)))


def evidence_spans(text: str, evidence: str) -> list[tuple[int, int]]:
    """Where the evidence's terms stand in ``text``: any case, from the start of a word to
    the end of the word the term ends in (a lemma ``encrypt`` marks ``encrypted``); any
    run of spaces and punctuation between the words of a phrase.

    Example:
        >>> text = "Bitcoin and crypto-wallets (BTC+) everywhere"
        >>> [text[start:end] for start, end in evidence_spans(text, "crypto wallets | btc+")]
        ['crypto-wallets', 'BTC+']
    """
    terms = sorted(evidence_terms(evidence), key=len, reverse=True)
    if not terms or not text:
        return []
    alternatives = "|".join(r"\W+".join(map(re.escape, term.split())) for term in terms)
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})\w*", re.IGNORECASE)
    return [match.span() for match in pattern.finditer(text) if match.end() > match.start()]
