"""The embedding cache: each distinct text embedded once per embedder identity."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from openends.embed import EmbeddingCache, TfidfEmbedder, embed_texts, normalise_rows

TEXTS = ["Encryption everywhere", "More staff", "Cloud storage", "", "Live streaming"]


class CountingEmbedder:
    """Vectors derived from each text's hash; remembers every batch it was asked for."""

    name = "counting"

    def __init__(self, identity: str = "counting:1", dimensions: int = 6) -> None:
        self.identity = identity
        self.dimensions = dimensions
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self.calls.append(list(texts))
        rows = [np.frombuffer(hashlib.sha256((self.identity + text).encode()).digest(),
                              dtype=np.uint8)[:self.dimensions] for text in texts]
        return normalise_rows(np.array(rows, dtype=np.float32).reshape(-1, self.dimensions))


@pytest.fixture
def cache(tmp_path: Path) -> EmbeddingCache:
    return EmbeddingCache(tmp_path / "embeddings")


def _chunks(cache: EmbeddingCache) -> list[Path]:
    return sorted(cache.directory.glob("*/chunk-*.npz"))


def test_a_second_call_embeds_nothing(cache: EmbeddingCache) -> None:
    embedder = CountingEmbedder()
    first = cache.lookup_or_compute(embedder, TEXTS)
    second = cache.lookup_or_compute(embedder, TEXTS)
    assert embedder.calls == [TEXTS]
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first, CountingEmbedder().embed(TEXTS))
    assert second.dtype == np.float32 and second.shape == (len(TEXTS), 6)


def test_order_is_kept_and_duplicates_are_embedded_once(cache: EmbeddingCache) -> None:
    embedder = CountingEmbedder()
    texts = ["b", "a", "b", "c", "a"]
    vectors = cache.lookup_or_compute(embedder, texts)
    assert embedder.calls == [["b", "a", "c"]]
    np.testing.assert_array_equal(vectors, CountingEmbedder().embed(texts))


def test_only_new_texts_are_embedded(cache: EmbeddingCache) -> None:
    embedder = CountingEmbedder()
    cache.lookup_or_compute(embedder, ["a", "b"])
    vectors = cache.lookup_or_compute(embedder, ["b", "c", "a", "d", "c"])
    assert embedder.calls == [["a", "b"], ["c", "d"]]
    np.testing.assert_array_equal(vectors, CountingEmbedder().embed(["b", "c", "a", "d", "c"]))
    assert len(_chunks(cache)) == 2


def test_another_identity_does_not_share_vectors(cache: EmbeddingCache) -> None:
    cache.lookup_or_compute(CountingEmbedder("counting:1"), TEXTS)
    other = CountingEmbedder("counting:2")
    cache.lookup_or_compute(other, TEXTS)
    assert other.calls == [TEXTS]
    assert len({path.parent for path in _chunks(cache)}) == 2


def test_chunks_hold_fixed_width_keys_and_float32_without_pickle(cache: EmbeddingCache) -> None:
    cache.lookup_or_compute(CountingEmbedder(), TEXTS)
    [chunk] = _chunks(cache)
    with np.load(chunk, allow_pickle=False) as data:
        assert data["keys"].dtype == np.dtype("S64") and data["vectors"].dtype == np.float32
        assert data["vectors"].shape == (len(TEXTS), 6)
        expected = hashlib.sha256(b"counting:1\x00More staff").hexdigest().encode()
        assert expected in data["keys"].tolist()
    assert not list(cache.directory.rglob("*.tmp"))


@pytest.mark.parametrize("damage", [b"", b"not a zip file", b"PK\x03\x04 truncated"])
def test_a_corrupt_chunk_is_ignored_and_recomputed(cache: EmbeddingCache, damage: bytes) -> None:
    embedder = CountingEmbedder()
    expected = cache.lookup_or_compute(embedder, TEXTS)
    [chunk] = _chunks(cache)
    chunk.write_bytes(damage)
    np.testing.assert_array_equal(cache.lookup_or_compute(embedder, TEXTS), expected)
    assert embedder.calls == [TEXTS, TEXTS]


def test_a_chunk_with_the_wrong_contents_is_ignored(cache: EmbeddingCache) -> None:
    embedder = CountingEmbedder()
    expected = cache.lookup_or_compute(embedder, TEXTS)
    [chunk] = _chunks(cache)
    with chunk.open("wb") as file:
        np.savez(file, keys=np.arange(5), vectors=np.zeros((5, 6), dtype=np.float64))
    np.testing.assert_array_equal(cache.lookup_or_compute(embedder, TEXTS), expected)
    assert len(embedder.calls) == 2


def test_an_unwritable_cache_warns_and_still_returns_vectors(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    embedder = CountingEmbedder()
    with pytest.warns(UserWarning, match="could not write the embedding cache"):
        vectors = EmbeddingCache(blocker).lookup_or_compute(embedder, TEXTS)
    assert vectors.shape == (len(TEXTS), 6)


def test_empty_input_gives_an_empty_array(cache: EmbeddingCache) -> None:
    assert cache.lookup_or_compute(CountingEmbedder(), []).shape == (0, 6)


def test_embed_texts_with_and_without_a_cache(cache: EmbeddingCache) -> None:
    embedder = CountingEmbedder()
    np.testing.assert_array_equal(embed_texts(TEXTS, embedder),
                                  embed_texts(TEXTS, embedder, cache=cache))


def test_an_unfitted_tfidf_is_fitted_on_all_texts_then_cached(
        cache: EmbeddingCache, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["encrypted phones", "cloud storage", "encrypted phones", "more staff training",
             "cloud storage and encrypted phones"]
    embedder = TfidfEmbedder(seed=0)
    vectors = cache.lookup_or_compute(embedder, texts)
    np.testing.assert_array_equal(vectors, TfidfEmbedder(seed=0).embed(texts))
    [chunk] = _chunks(cache)
    with np.load(chunk, allow_pickle=False) as data:
        assert len(data["keys"]) == 4  # distinct texts
    calls: list[list[str]] = []
    original = embedder.embed

    def counting(batch: Sequence[str], *, progress: bool = False) -> np.ndarray:
        calls.append(list(batch))
        return original(batch)

    monkeypatch.setattr(embedder, "embed", counting)
    np.testing.assert_array_equal(cache.lookup_or_compute(embedder, texts[::-1]), vectors[::-1])
    assert calls == []
