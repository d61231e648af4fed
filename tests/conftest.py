"""Shared fixtures: the sample project in corpora/ and generated survey files."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


class NetworkUsedError(AssertionError):
    """Raised (and recorded) when code under test opens a connection."""


def block_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    attempts: list[tuple[Any, ...]] = []

    def refuse(*args: Any, **kwargs: Any) -> None:
        attempts.append(args)
        raise NetworkUsedError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any connection fails, and the test fails even if a library swallowed the error."""
    attempts = block_network(monkeypatch)
    yield
    assert not attempts, f"the network was used: {attempts}"


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> Path:
    """Nothing a test does lands in the user's real cache."""
    cache = tmp_path_factory.mktemp("openends-cache")
    monkeypatch.setenv("OPENENDS_CACHE", str(cache))
    return cache


@pytest.fixture(scope="session")
def static_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real static model, distilled once per test session (about a minute), offline,
    in the folder ``get_embedder("static", models_dir=folder.parent)`` looks in."""
    from openends.embed import build_static_model, static_model_dir

    folder = static_model_dir(tmp_path_factory.mktemp("models"))
    with pytest.MonkeyPatch.context() as monkeypatch:
        attempts = block_network(monkeypatch)
        build_static_model(folder, progress=False)
    assert not attempts, f"the network was used: {attempts}"
    return folder
