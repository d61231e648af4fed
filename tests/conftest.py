"""Shared fixtures: the sample project in corpora/ and generated survey files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"

# Answers that break naive readers: delimiters, quotes, newlines, non-ASCII, "NA"-likes.
TRICKY_ANSWERS = [
    "Encryption, mostly end-to-end apps",
    'They call it "secure" messaging; it is not',
    "First paragraph.\nSecond paragraph, after a newline.",
    "Kryptering och bitcoin \u2013 allt vanligare på sistone, även i små ärenden",
    "",
    "n/a",
    "NA",
    "Verschlüsselte Geräte: 50 € pro Lizenz",
    "-",
    "More staff",
]


@pytest.fixture
def survey_frame() -> pd.DataFrame:
    """A small wide survey table with an id, two attributes and two answer columns."""
    n = len(TRICKY_ANSWERS)
    return pd.DataFrame({
        "id": [f"R{index:03d}" for index in range(n)],
        "region": ["North", "South"] * (n // 2),
        "unit": ["1-5", "6-20", "21-50", "50+", "1-5"] * (n // 5),
        "tech": TRICKY_ANSWERS,
        "help": list(reversed(TRICKY_ANSWERS)),
    })


@pytest.fixture
def corpora() -> Path:
    return CORPORA
