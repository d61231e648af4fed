"""Duplicate answers: copy-pasted long answers and repeated submissions.

For each answer, ``find_duplicates`` gives the index of the earlier answer it
duplicates, or None. Answers are compared after lower-casing and removing
punctuation and extra whitespace. Three rules:

* **Long answers** (at least ``min_words`` words) that are the same, or nearly the
  same (Jaccard similarity of their word 3-shingles at least ``threshold``), are
  duplicates whoever gave them: copy-pasted text. Near duplicates are found with
  MinHash LSH (datasketch, 64 permutations, seeded) and every candidate is
  checked with the exact Jaccard before it is marked.
* **The same respondent** giving the same answer again (any length) is a repeated
  submission: the later ones are duplicates.
* **Short answers** that are the same from *different* respondents ("Encryption",
  "More staff") are never duplicates: people agree.

The first occurrence is never marked; a near duplicate points at the earliest
earlier answer it is similar enough to.

Note on ``threshold``: changing one word in an answer of n words changes up to
three of its n - 2 shingles, so the Jaccard is (n - 5) / (n + 1): 0.71 for 20
words, 0.86 for 40, 0.90 only from about 60 words. Lower ``threshold`` (e.g. 0.7)
to catch lightly edited copies of shorter answers.

Example:
    >>> pasted = "The new encryption rules made our daily reporting work much slower overall"
    >>> find_duplicates(["Encryption", "Encryption", pasted, pasted.upper() + "!", "Tor"],
    ...                 ["r1", "r2", "r3", "r4", "r1"])
    [None, None, None, 2, None]
    >>> find_duplicates(["More staff", "Other", "more staff."], ["r1", "r1", "r1"])
    [None, None, 0]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from openends.errors import ConfigError

__all__ = ["find_duplicates", "shingles"]

_NUM_PERM = 64
_LSH_MARGIN = 0.2
_MIX1, _MIX2, _MASK32 = 0x9E3779B1, 0x85EBCA77, 0xFFFFFFFF
_PUNCTUATION = re.compile(r"[^\w\s]+")


def _normalise(text: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", text.lower()).split())


def shingles(words: Sequence[str], size: int = 3) -> set[str]:
    """The set of word ``size``-grams (the whole text when it has fewer words).

    Example:
        >>> sorted(shingles("more staff and more time".split()))
        ['and more time', 'more staff and', 'staff and more']
    """
    if len(words) < size:
        return {" ".join(words)}
    return {" ".join(words[start:start + size]) for start in range(len(words) - size + 1)}


def find_duplicates(texts: Sequence[str], respondent_ids: Sequence[str] | None = None, *,
                    min_words: int = 8, threshold: float = 0.9,
                    seed: int = 0) -> list[int | None]:
    """For each answer, the index of the earlier answer it duplicates, or None.

    ``respondent_ids`` (one per answer, e.g. across several questions) enables the
    repeated-submission rule; without it, only long answers can be duplicates.
    Deterministic: the same texts, options and ``seed`` give the same result.

    Example:
        >>> long = ("I think we need more staff and better training for the new tools, "
        ...         "because most of us learnt them on our own time and still make mistakes")
        >>> find_duplicates([long, "ok", long.replace("better", "more")], threshold=0.7)
        [None, None, 0]
    """
    if respondent_ids is not None and len(respondent_ids) != len(texts):
        raise ConfigError(
            f"find_duplicates got {len(texts)} texts but {len(respondent_ids)} respondent ids; "
            "give one id per answer, or none"
        )
    if min_words < 1:
        raise ConfigError(f"min_words must be at least 1, got {min_words}")
    if not 0 < threshold <= 1:
        raise ConfigError(f"threshold must be in (0, 1], got {threshold}")

    found: list[int | None] = [None] * len(texts)
    first_by_respondent: dict[tuple[str, str], int] = {}
    first_long: dict[str, int] = {}
    unique_long: list[tuple[int, list[str]]] = []
    for index, text in enumerate(texts):
        normalised = _normalise(text)
        if not normalised:
            continue
        if respondent_ids is not None and respondent_ids[index] is not None:
            key = (str(respondent_ids[index]), normalised)
            earlier = first_by_respondent.setdefault(key, index)
            if earlier != index:
                found[index] = earlier
                continue
        words = normalised.split()
        if len(words) < min_words:
            continue
        earlier = first_long.setdefault(normalised, index)
        if earlier != index:
            found[index] = earlier
        else:
            unique_long.append((index, words))

    if threshold < 1 and len(unique_long) > 1:
        _mark_near_duplicates(unique_long, found, threshold, seed)
    return found


def _mark_near_duplicates(candidates: list[tuple[int, list[str]]], found: list[int | None],
                          threshold: float, seed: int) -> None:
    """MinHash LSH over the distinct long answers, in order; verify with exact Jaccard."""
    import numpy as np
    from datasketch import MinHash, MinHashLSH
    from datasketch.hashfunc import sha1_hash32

    # A lower LSH threshold than the verification threshold trades a few more exact
    # checks for not missing pairs close to the threshold.
    lsh = MinHashLSH(threshold=max(0.5, threshold - _LSH_MARGIN), num_perm=_NUM_PERM)
    # Shingle hashes are built from cached (stable, sha1-based) word hashes in numpy:
    # hashing every shingle with sha1 was most of the run time.
    empty = MinHash(num_perm=_NUM_PERM, seed=seed, hashfunc=int)  # permutations drawn once
    word_hashes: dict[str, int] = {}
    shingle_sets: dict[int, set[str]] = {}
    for index, words in candidates:
        own = shingles(words)
        hashes = np.fromiter(
            (word_hashes.get(word) or word_hashes.setdefault(word, sha1_hash32(word.encode()))
             for word in words),
            dtype=np.uint64, count=len(words),
        )
        if len(hashes) >= 3:
            mixed = (hashes[:-2] * _MIX1 ^ hashes[1:-1] * _MIX2 ^ hashes[2:]) & _MASK32
            hashes = np.asarray(mixed, dtype=np.uint64)
        minhash = empty.copy()
        minhash.update_batch(hashes)
        matches = []
        for earlier in lsh.query(minhash):
            other = shingle_sets[earlier]
            if len(own & other) / len(own | other) >= threshold:
                matches.append(earlier)
        if matches:
            found[index] = min(matches)
        lsh.insert(index, minhash, check_duplication=False)
        shingle_sets[index] = own
