"""Each cleaning step on single strings, and their composition."""

from __future__ import annotations

import pytest

from openends.clean.steps import (
    DEFAULT_STEPS,
    compose,
    fix_unicode,
    normalize_punctuation,
    normalize_whitespace,
    remove_control_characters,
    strip_html,
)
from openends.errors import ConfigError


@pytest.mark.parametrize(("raw", "fixed"), [
    ("donâ€™t know", "don’t know"),
    ("KrypteringsverktÃ¶g", "Krypteringsverktög"),
    ("plain ascii", "plain ascii"),
    ("e\u0301", "é"),  # decomposed accent -> composed
])
def test_fix_unicode(raw: str, fixed: str) -> None:
    assert fix_unicode(raw) == fixed


@pytest.mark.parametrize(("raw", "stripped"), [
    ("Tor &amp; VPNs", "Tor & VPNs"),
    ("line<br>next<br/>last", "line\nnext\nlast"),
    ('<p class="x">Encrypted</p> <b>phones</b>', "Encrypted\n phones"),
    ("3 < 5 and 7 > 2", "3 < 5 and 7 > 2"),
])
def test_strip_html(raw: str, stripped: str) -> None:
    assert strip_html(raw) == stripped


def test_control_characters_and_nul_bytes() -> None:
    assert remove_control_characters("a\x00b\x07c\u200bd\ufeff\ne\tf") == "abcd\ne\tf"


def test_punctuation() -> None:
    assert normalize_punctuation("‘a’ “b” c–d—e … f\u00a0g") == "'a' \"b\" c-d-e ... f g"


def test_whitespace_keeps_paragraphs() -> None:
    assert normalize_whitespace(" a \t b\r\n\r\n\n c  ") == "a b\nc"


def test_default_pipeline_on_a_messy_answer() -> None:
    clean = compose(DEFAULT_STEPS)
    assert clean("  Itâ€™s   <b>encrypted</b>&nbsp;\x00now ") == "It's encrypted now"


def test_unknown_step_is_named() -> None:
    with pytest.raises(ConfigError, match="unknown cleaning step 'spelling'"):
        compose(["whitespace", "spelling"])
