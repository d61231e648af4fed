"""Cleaning steps: small ``str -> str`` functions, composed into a pipeline.

Each step does one thing and can be tested on one string; ``compose`` chains the
steps a project asks for by name. The original answer is never changed: the
result goes to ``clean_text``.

Example:
    >>> clean = compose(DEFAULT_STEPS)
    >>> clean("  donâ€™t&nbsp;know<br>really \\x00 ")
    "don't know\\nreally"
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence

import ftfy

Step = Callable[[str], str]

_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_BREAK_TAG = re.compile(r"<\s*(?:br|/p|/div|/li)\s*/?>", re.IGNORECASE)
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff\ud800-\udfff]"
)
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")
_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2039": "'", "\u203a": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2026": "...", "\u00a0": " ", "\u202f": " ",
})


def fix_unicode(text: str) -> str:
    """Repair mojibake and odd Unicode with ftfy, then NFC-normalise.

    Example:
        >>> fix_unicode("donâ€™t")
        'don’t'
    """
    if text.isascii():
        return text
    fixed = ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False)
    return unicodedata.normalize("NFC", fixed)


def strip_html(text: str) -> str:
    """Drop HTML tags (line-break tags become newlines) and decode entities.

    Example:
        >>> strip_html("Tor &amp; VPNs<br>and <b>more</b>")
        'Tor & VPNs\\nand more'
    """
    if "<" not in text and "&" not in text:
        return text
    return html.unescape(_TAG.sub("", _BREAK_TAG.sub("\n", text)))


def remove_control_characters(text: str) -> str:
    """Remove NUL bytes, control, zero-width characters and lone surrogates (not newlines/tabs).

    Example:
        >>> remove_control_characters("a\\x00b\\u200bc")
        'abc'
    """
    return _CONTROL.sub("", text)


def normalize_punctuation(text: str) -> str:
    """Curly quotes to straight ones, dashes to hyphens, the ellipsis to three dots.

    Example:
        >>> normalize_punctuation("“Secure” apps – really…")
        '"Secure" apps - really...'
    """
    return text if text.isascii() else text.translate(_QUOTES)


def normalize_whitespace(text: str) -> str:
    """Collapse runs of spaces and tabs; keep single line breaks between paragraphs.

    Example:
        >>> normalize_whitespace("  two\\t spaces \\n\\n\\n next ")
        'two spaces\\nnext'
    """
    return _BLANK_LINES.sub("\n", _SPACES.sub(" ", text)).strip()


STEPS: dict[str, Step] = {
    "unicode": fix_unicode,
    "html": strip_html,
    "control": remove_control_characters,
    "punctuation": normalize_punctuation,
    "whitespace": normalize_whitespace,
}
DEFAULT_STEPS: tuple[str, ...] = tuple(STEPS)


def compose(names: Sequence[str]) -> Step:
    """One function applying the named steps in order.

    Example:
        >>> compose(["whitespace"])("  a  b ")
        'a b'
    """
    from openends.errors import ConfigError

    unknown = [name for name in names if name not in STEPS]
    if unknown:
        raise ConfigError(f"unknown cleaning step {unknown[0]!r}; choose from {', '.join(STEPS)}")
    steps = [STEPS[name] for name in names]

    def clean(text: str) -> str:
        for step in steps:
            text = step(text)
        return text

    return clean
