"""Duplicate keys computed in parts and resolved in one place: the same answers as the
algorithm they replace (one datasketch MinHashLSH over the distinct long answers)."""

from __future__ import annotations

import inspect
import itertools
import pickle
import random
import re

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from datasketch.hashfunc import sha1_hash32

from openends.clean import duplicates
from openends.clean.duplicates import (
    DuplicateKeys,
    duplicate_keys,
    find_duplicates,
    resolve_duplicates,
)
from openends.errors import ConfigError

WORDS = (
    "encryption", "tor", "vpn", "phone", "source", "border", "police", "court", "editor",
    "newsroom", "staff", "training", "budget", "sources", "leak", "lawyer", "archive",
    "signal", "email", "password", "cloud", "drive", "laptop", "travel", "protest", "camera",
    "footage", "spyware", "threat", "harassment", "union", "contract", "freelance", "deadline",
    "audience", "trust", "platform", "algorithm", "takedown", "license", "permit", "interview",
    "translation", "rural", "city", "night", "weekend", "reporter", "photographer", "desk",
)
TEMPLATE = "answer number {} talks about encryption tools and staff training in the newsroom"


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]+", " ", text.lower()).split())


def shingle_hashes(words: list[str]) -> list[int]:
    hashes = [sha1_hash32(word.encode()) for word in words]
    if len(hashes) < 3:
        return hashes
    return [(first * 0x9E3779B1 ^ second * 0x85EBCA77 ^ third) & 0xFFFFFFFF
            for first, second, third in zip(hashes, hashes[1:], hashes[2:], strict=False)]


def word_shingles(words: list[str]) -> set[tuple[str, ...]]:
    if len(words) < 3:
        return {tuple(words)}
    return set(zip(words, words[1:], words[2:], strict=False))


def datasketch_minhash(words: list[str], seed: int, **scheme: str) -> MinHash:
    minhash = MinHash(num_perm=64, seed=seed, hashfunc=int, **scheme)
    minhash.update_batch(shingle_hashes(words))
    return minhash


def distinct_long(texts: list[str], ids: list[str | None] | None,
                  min_words: int) -> tuple[list[int | None], list[int]]:
    """The exact rules, and the rows left for near matching."""
    found: list[int | None] = [None] * len(texts)
    first_of: dict[object, int] = {}
    left = []
    for index, text in enumerate(texts):
        normalised = normalise(text)
        if not normalised:
            continue
        if ids is not None and ids[index] is not None:
            earlier = first_of.setdefault((ids[index], normalised), index)
            if earlier != index:
                found[index] = earlier
                continue
        if len(normalised.split()) >= min_words:
            earlier = first_of.setdefault(normalised, index)
            if earlier != index:
                found[index] = earlier
            else:
                left.append(index)
    return found, left


def reference(texts: list[str], ids: list[str | None] | None = None, *, min_words: int = 8,
              threshold: float = 0.9, seed: int = 0) -> list[int | None]:
    """find_duplicates as it was: a datasketch LSH index filled in order, each answer
    checked against the earlier ones it returns with the exact Jaccard."""
    found, left = distinct_long(texts, ids, min_words)
    if threshold == 1 or len(left) < 2:
        return found
    lsh = MinHashLSH(threshold=max(0.5, threshold - 0.2), num_perm=64)
    sets = {}
    for index in left:
        words = normalise(texts[index]).split()
        minhash, sets[index] = datasketch_minhash(words, seed), word_shingles(words)
        matches = [earlier for earlier in lsh.query(minhash)
                   if len(sets[index] & sets[earlier]) / len(sets[index] | sets[earlier])
                   >= threshold]
        found[index] = min(matches) if matches else None
        lsh.insert(index, minhash)
    return found


def lsh_candidates(texts: list[str], ids: list[str | None] | None, *, min_words: int = 8,
                   threshold: float = 0.9, seed: int = 0) -> set[int]:
    """The distinct long answers datasketch's LSH pairs with at least one other."""
    _, left = distinct_long(texts, ids, min_words)
    lsh = MinHashLSH(threshold=max(0.5, threshold - 0.2), num_perm=64)
    minhashes = {index: datasketch_minhash(normalise(texts[index]).split(), seed)
                 for index in left}
    for index, minhash in minhashes.items():
        lsh.insert(index, minhash)
    return {index for index, minhash in minhashes.items() if set(lsh.query(minhash)) - {index}}


def corpus(size: int = 1000, seed: int = 0) -> tuple[list[str], list[str | None]]:
    """Answers with exact and near copies (one word edited, added or dropped, also of
    copies), respondents repeating themselves, shared short answers and empty ones."""
    rng = random.Random(seed)
    texts: list[str] = []
    ids: list[str | None] = []
    for _ in range(size):
        roll = rng.random()
        if roll < 0.3 or len(texts) < 5:
            text = " ".join(rng.choices(WORDS, k=rng.choice([8, 9, 15, 30, 60, 61, 80])))
        elif roll < 0.55:
            words = rng.choice(texts).split() or ["empty"]
            spot = rng.randrange(len(words))
            edit = rng.choice(["replace", "insert", "drop"])
            if edit == "replace":
                words[spot] = rng.choice(WORDS)
            elif edit == "insert":
                words.insert(spot, rng.choice(WORDS))
            elif len(words) > 1:
                del words[spot]
            text = " ".join(words)
        elif roll < 0.65:
            text = rng.choice([str.upper, str.title, lambda t: t + "!"])(rng.choice(texts))
        elif roll < 0.75:
            text = TEMPLATE.format(rng.randrange(60))
        elif roll < 0.9:
            text = " ".join(rng.choices(WORDS[:6], k=rng.choice([0, 1, 2, 3])))
        else:  # a respondent giving an earlier answer of theirs again
            earlier = rng.randrange(len(texts))
            texts.append(texts[earlier])
            ids.append(ids[earlier])
            continue
        texts.append(text)
        ids.append(None if rng.random() < 0.1 else f"r{rng.randrange(150)}")
    return texts, ids


def keys_in_parts(texts: list[str], ids: list[str | None], parts: int,
                  **options: int) -> DuplicateKeys:
    bounds = np.linspace(0, len(texts), parts + 1).astype(int)
    return DuplicateKeys.concat([duplicate_keys(texts[start:stop], ids[start:stop], **options)
                                 for start, stop in itertools.pairwise(bounds)])


def assert_same_keys(left: DuplicateKeys, right: DuplicateKeys) -> None:
    for name in ("text_hash", "respondent_hash", "word_count", "long_positions", "signatures"):
        np.testing.assert_array_equal(getattr(left, name), getattr(right, name), err_msg=name)
    assert (left.min_words, left.seed) == (right.min_words, right.seed)


TEXTS, IDS = corpus()


@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_signatures_are_datasketch_minhash_values(seed: int, monkeypatch: pytest.MonkeyPatch
                                                  ) -> None:
    texts = ["one", "two words", "exactly three words", *TEXTS[:300]]
    keys = duplicate_keys(texts, min_words=1, seed=seed)
    expected = [datasketch_minhash(normalise(texts[row]).split(), seed).hashvalues
                for row in keys.long_positions]
    assert keys.signatures.dtype == np.uint32
    np.testing.assert_array_equal(keys.signatures, np.array(expected))
    monkeypatch.setattr(duplicates, "_WORDS_PER_CHUNK", 7)  # many chunks, some of one answer
    np.testing.assert_array_equal(duplicate_keys(texts, min_words=1, seed=seed).signatures,
                                  keys.signatures)


def test_signatures_are_computed_in_chunks_of_whole_answers() -> None:
    assert list(duplicates._chunks([3, 3, 3, 3, 9, 1], 6)) == [(0, 2), (2, 4), (4, 5), (5, 6)]
    assert list(duplicates._chunks([], 6)) == []


@pytest.mark.skipif("scheme" not in inspect.signature(MinHash).parameters,
                    reason="datasketch before 2.0 has only the legacy scheme")
def test_signatures_follow_datasketchs_legacy_scheme_too() -> None:
    words = [normalise(text).split() for text in TEXTS[:200] if normalise(text)]
    template = MinHash(num_perm=64, seed=5, hashfunc=int, scheme="legacy")
    expected = [datasketch_minhash(answer, 5, scheme="legacy").hashvalues for answer in words]
    np.testing.assert_array_equal(duplicates._signatures(words, template), np.array(expected))


@pytest.mark.parametrize(("min_words", "threshold", "seed"), [
    (8, 0.9, 0), (8, 0.7, 1), (3, 0.6, 7), (8, 0.5, 3), (1, 0.8, 0), (8, 1.0, 0),
])
def test_find_duplicates_is_the_datasketch_algorithm(min_words: int, threshold: float,
                                                     seed: int) -> None:
    options = {"min_words": min_words, "threshold": threshold, "seed": seed}
    found = find_duplicates(TEXTS, IDS, **options)
    assert found == reference(TEXTS, IDS, **options)
    assert find_duplicates(TEXTS, **options) == reference(TEXTS, **options)
    exact, _ = distinct_long(TEXTS, IDS, min_words)
    near = sum(value is not None and exact[index] is None for index, value in enumerate(found))
    assert near > 50 if threshold < 1 else near == 0
    assert all(value is None or value < index for index, value in enumerate(found))


def test_near_duplicates_of_sixty_word_answers_with_one_word_edited() -> None:
    rng = random.Random(4)
    originals = [" ".join(rng.choices(WORDS, k=60)) for _ in range(40)]
    texts, ids = list(originals), [f"a{i}" for i in range(40)]
    for index, text in enumerate(originals * 3):
        words = text.split()
        words[rng.randrange(60)] = "edited"
        texts.append(" ".join(words))
        ids.append(f"b{index}")
    found = find_duplicates(texts, ids)
    assert found == reference(texts, ids)
    assert sum(value is not None for value in found[40:]) > 100  # most edits are caught


@pytest.mark.parametrize("parts", [1, 3, 7])
def test_keys_of_parts_resolve_like_all_at_once(parts: int) -> None:
    whole = duplicate_keys(TEXTS, IDS, seed=2)
    joined = keys_in_parts(TEXTS, IDS, parts, seed=2)
    assert_same_keys(joined, whole)
    short_only = duplicate_keys(["Tor", ""], [None, "r1"], seed=2)
    assert_same_keys(DuplicateKeys.concat([duplicate_keys([], seed=2), joined, short_only]),
                     duplicate_keys([*TEXTS, "Tor", ""], [*IDS, None, "r1"], seed=2))
    resolved = resolve_duplicates(joined, threshold=0.7,
                                  texts_of=lambda rows: [TEXTS[row] for row in rows])
    assert resolved == find_duplicates(TEXTS, IDS, threshold=0.7, seed=2)
    assert pickle.loads(pickle.dumps(joined)).signatures.tobytes() == whole.signatures.tobytes()


@pytest.mark.parametrize("batch_rows", [20_000, 5])
def test_texts_are_asked_for_the_lsh_candidates_only_once_each(batch_rows: int) -> None:
    asked: list[list[int]] = []

    def texts_of(rows: np.ndarray) -> list[str]:
        asked.append(rows.tolist())
        return [normalise(TEXTS[row]) for row in rows]

    keys = duplicate_keys(TEXTS, IDS)
    found = resolve_duplicates(keys, threshold=0.8, texts_of=texts_of, batch_rows=batch_rows)
    rows = [row for call in asked for row in call]
    expected = lsh_candidates(TEXTS, IDS, threshold=0.8)
    assert len(rows) == len(set(rows)) == len(expected)
    assert set(rows) == expected
    assert len(rows) < len(distinct_long(TEXTS, IDS, 8)[1])
    assert all(call == sorted(call) for call in asked)
    assert (len(asked) > 5) == (batch_rows == 5)
    assert found == reference(TEXTS, IDS, threshold=0.8)


def test_resolution_is_deterministic_and_keys_stable_across_runs() -> None:
    for seed in (0, 9):
        first = find_duplicates(TEXTS, IDS, threshold=0.6, seed=seed)
        assert first == find_duplicates(list(TEXTS), list(IDS), threshold=0.6, seed=seed)
    keys = duplicate_keys(["More staff!", "more   staff", "More staff"], ["r1", None, "r1"])
    # blake2b, not Python's salted hash: the same numbers in every process
    assert keys.text_hash.tolist() == [0x20097A8819452784] * 3
    assert keys.respondent_hash.tolist() == [0x67A485012D33275B, 0, 0x67A485012D33275B]


def test_keys_and_resolution_check_their_inputs() -> None:
    keys = duplicate_keys(TEXTS[:50], IDS[:50])
    with pytest.raises(ConfigError, match="same options"):
        DuplicateKeys.concat([keys, duplicate_keys(TEXTS[:5], seed=1)])
    with pytest.raises(ConfigError, match="at least one part"):
        DuplicateKeys.concat([])
    with pytest.raises(ConfigError, match="texts_of gave"):
        resolve_duplicates(duplicate_keys(TEXTS, IDS), threshold=0.6,
                           texts_of=lambda rows: ["one text"])
    with pytest.raises(ConfigError, match="respondent ids"):
        duplicate_keys(["a", "b"], ["r1"])
    with pytest.raises(ConfigError, match="threshold"):
        resolve_duplicates(keys, threshold=0, texts_of=lambda rows: [])
    empty = duplicate_keys([])
    assert len(empty) == 0 and empty.signatures.shape == (0, 64)
    assert resolve_duplicates(empty, texts_of=lambda rows: []) == []
