"""Duplicate answers: copy-pasted long answers and repeated submissions.

For each answer, ``find_duplicates`` gives the index of the earlier answer it
duplicates, or None. Answers are compared after lower-casing and removing
punctuation and extra whitespace. Three rules:

* **Long answers** (at least ``min_words`` words) that are the same, or nearly the
  same (Jaccard similarity of their word 3-shingles at least ``threshold``), are
  duplicates whoever gave them: copy-pasted text. Near duplicates are found with
  MinHash LSH (datasketch's permutations, 64 of them, seeded) and every candidate
  is checked with the exact Jaccard before it is marked.
* **The same respondent** giving the same answer again (any length) is a repeated
  submission: the later ones are duplicates.
* **Short answers** that are the same from *different* respondents ("Encryption",
  "More staff") are never duplicates: people agree.

The first occurrence is never marked; a near duplicate points at the earliest
earlier answer it is similar enough to. Every distinct long answer is compared
with all earlier distinct long answers (near duplicates included); exact copies
point at the first copy and take no further part.

Note on ``threshold``: changing one word in an answer of n words changes up to
three of its n - 2 shingles, so the Jaccard is (n - 5) / (n + 1): 0.71 for 20
words, 0.86 for 40, 0.90 only from about 60 words. Lower ``threshold`` (e.g. 0.7)
to catch lightly edited copies of shorter answers.

The work comes in two steps, so that answers cleaned in partitions (e.g. on Dask
workers) can be checked together without one process holding them all:

1. :func:`duplicate_keys` turns each answer into a few numbers: 64-bit hashes of
   the normalised text and of (respondent, text), the word count and, for long
   answers only, the 64 MinHash values (the same values as datasketch's
   ``MinHash(num_perm=64, seed=seed, hashfunc=int)``). Keys of partitions are
   joined in order with :meth:`DuplicateKeys.concat`.
2. :func:`resolve_duplicates` applies the three rules to the keys. Only the
   distinct long answers that share an LSH band with another one are candidates;
   their texts are asked for (``texts_of``) to compute the exact Jaccard, whole
   connected groups of candidates at a time.

Memory, measured with tracemalloc on 200,000 generated answers (72% long, with
exact copies, repeats and near duplicates; threshold 0.9): the keys take 20 bytes
per answer plus 264 per long answer (its 64 MinHash values and position).
Resolving them peaks at 240 bytes per answer more (48 MB): about 130 per answer
of arrays, the rest one batch of candidate texts with their shingle sets (about
4 KB per candidate, ``batch_rows`` of them at a time, a larger group whole), which
a million answers would share. A 64-bit hash collision (about 1 in 10^7 at a
million answers) could make two different answers exact copies of each other.

Example:
    >>> pasted = "The new encryption rules made our daily reporting work much slower overall"
    >>> find_duplicates(["Encryption", "Encryption", pasted, pasted.upper() + "!", "Tor"],
    ...                 ["r1", "r2", "r3", "r4", "r1"])
    [None, None, None, 2, None]
    >>> find_duplicates(["More staff", "Other", "more staff."], ["r1", "r1", "r1"])
    [None, None, 0]
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from openends.errors import ConfigError

if TYPE_CHECKING:
    from datasketch import MinHash

__all__ = ["DuplicateKeys", "duplicate_keys", "find_duplicates", "resolve_duplicates",
           "shingles"]

_NUM_PERM = 64
_LSH_MARGIN = 0.2
_MIX1, _MIX2, _MASK32 = 0x9E3779B1, 0x85EBCA77, 0xFFFFFFFF
_MERSENNE_PRIME = np.uint64((1 << 61) - 1)
_WORDS_PER_CHUNK = 50_000  # words hashed and permuted at a time: about 13 MB of uint32
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


@dataclass(frozen=True, eq=False)
class DuplicateKeys:
    """What duplicate detection needs of each answer, one row per answer.

    ``text_hash`` and ``respondent_hash`` are 64-bit hashes of the normalised text
    and of (respondent id, normalised text), 0 without a respondent id;
    ``word_count`` is 0 for an empty answer. ``signatures`` holds the MinHash values
    of the long answers only (``word_count >= min_words``), one row per position in
    ``long_positions``. Small arrays only, so keys pickle and travel cheaply.

    Example:
        >>> keys = duplicate_keys(["Tor", "a long answer of at least eight words here"])
        >>> len(keys), keys.word_count.tolist(), keys.long_positions.tolist()
        (2, [1, 9], [1])
        >>> len(DuplicateKeys.concat([keys, keys])), keys.signatures.shape
        (4, (1, 64))
    """

    text_hash: NDArray[np.uint64]
    respondent_hash: NDArray[np.uint64]
    word_count: NDArray[np.int32]
    long_positions: NDArray[np.int64]
    signatures: NDArray[np.uint32]
    min_words: int
    seed: int

    def __len__(self) -> int:
        return len(self.text_hash)

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return sum(array.nbytes for array in (self.text_hash, self.respondent_hash,
                                              self.word_count, self.long_positions,
                                              self.signatures))

    @classmethod
    def concat(cls, parts: Sequence[DuplicateKeys]) -> DuplicateKeys:
        """The keys of consecutive parts as one, rows in the order of ``parts``."""
        if not parts:
            raise ConfigError("DuplicateKeys.concat needs at least one part")
        options = {(part.min_words, part.seed) for part in parts}
        if len(options) > 1:
            raise ConfigError(f"keys made with different min_words and seed {sorted(options)} "
                              "cannot be joined; compute every part with the same options")
        starts = np.cumsum([0] + [len(part) for part in parts[:-1]])
        return cls(
            text_hash=np.concatenate([part.text_hash for part in parts]),
            respondent_hash=np.concatenate([part.respondent_hash for part in parts]),
            word_count=np.concatenate([part.word_count for part in parts]),
            long_positions=np.concatenate([part.long_positions + start
                                           for part, start in zip(parts, starts, strict=True)]),
            signatures=np.concatenate([part.signatures for part in parts]),
            min_words=parts[0].min_words, seed=parts[0].seed,
        )


def duplicate_keys(texts: Sequence[str], respondent_ids: Sequence[str] | None = None, *,
                   min_words: int = 8, seed: int = 0) -> DuplicateKeys:
    """The keys of each answer that :func:`resolve_duplicates` works from.

    Computed on one part of the answers at a time if need be: the keys of
    consecutive parts joined with :meth:`DuplicateKeys.concat` equal the keys of
    all answers at once. Stable across processes and runs.

    Example:
        >>> keys = duplicate_keys(["More staff!", "more staff", ""], ["r1", "r2", "r1"])
        >>> same_text = keys.text_hash[0] == keys.text_hash[1]
        >>> same_respondent_and_text = keys.respondent_hash[0] == keys.respondent_hash[1]
        >>> bool(same_text), bool(same_respondent_and_text)
        (True, False)
        >>> keys.word_count.tolist()
        [2, 2, 0]
    """
    if respondent_ids is not None and len(respondent_ids) != len(texts):
        raise ConfigError(
            f"got {len(texts)} texts but {len(respondent_ids)} respondent ids; "
            "give one id per answer, or none"
        )
    if min_words < 1:
        raise ConfigError(f"min_words must be at least 1, got {min_words}")
    text_hashes: list[int] = []
    respondent_hashes: list[int] = []
    word_counts: list[int] = []
    long_positions: list[int] = []
    long_words: list[list[str]] = []
    for index, text in enumerate(texts):
        normalised = _normalise(text)
        respondent = None if respondent_ids is None else respondent_ids[index]
        words = normalised.split()
        text_hashes.append(_hash64(normalised) if normalised else 0)
        if respondent is None or not normalised:
            respondent_hashes.append(0)
        else:  # the length prefix keeps ("a", "b c") and ("a b", "c") apart; 0 means no id
            prefix = f"{len(str(respondent))}:{respondent}:"
            respondent_hashes.append(max(1, _hash64(prefix + normalised)))
        word_counts.append(len(words))
        if normalised and len(words) >= min_words:
            long_positions.append(index)
            long_words.append(words)
    return DuplicateKeys(
        text_hash=np.array(text_hashes, dtype=np.uint64),
        respondent_hash=np.array(respondent_hashes, dtype=np.uint64),
        word_count=np.array(word_counts, dtype=np.int32),
        long_positions=np.array(long_positions, dtype=np.int64),
        signatures=_signatures(long_words, _minhash_template(seed)),
        min_words=min_words, seed=seed,
    )


def resolve_duplicates(keys: DuplicateKeys, *, threshold: float = 0.9,
                       texts_of: Callable[[NDArray[np.int64]], Sequence[str]],
                       batch_rows: int = 5_000) -> list[int | None]:
    """For each row of ``keys``, the index of the earlier row it duplicates, or None.

    ``texts_of(positions)`` gives the texts (original, clean or normalised) of the
    rows at ``positions`` (ascending), in that order. It is asked only for the
    near-duplicate candidates, once each, about ``batch_rows`` of them a call: whole
    groups of candidates linked through shared LSH buckets, so a call can be larger.

    Example:
        >>> seized = "Our phones are seized at every border crossing we make these days"
        >>> texts = [seized, "Tor", seized.upper(), seized.replace("days", "weeks")]
        >>> parts = [duplicate_keys(texts[:2]), duplicate_keys(texts[2:])]  # e.g. on workers
        >>> resolve_duplicates(DuplicateKeys.concat(parts), threshold=0.7,
        ...                    texts_of=lambda rows: [texts[row] for row in rows])
        [None, None, 0, 0]
    """
    _check_threshold(threshold)
    if batch_rows < 1:
        raise ConfigError(f"batch_rows must be at least 1, got {batch_rows}")
    found = np.full(len(keys), -1, dtype=np.int64)
    present = keys.word_count > 0
    _mark_earlier(found, np.flatnonzero(present & (keys.respondent_hash != 0)),
                  keys.respondent_hash)
    long_rows = np.flatnonzero(present & (keys.word_count >= keys.min_words) & (found < 0))
    _mark_earlier(found, long_rows, keys.text_hash)
    distinct = long_rows[found[long_rows] < 0]
    if threshold < 1 and len(distinct) > 1:
        _mark_near_duplicates(found, keys, distinct, threshold, texts_of, batch_rows)
    return [None if earlier < 0 else earlier for earlier in found.tolist()]


def find_duplicates(texts: Sequence[str], respondent_ids: Sequence[str] | None = None, *,
                    min_words: int = 8, threshold: float = 0.9,
                    seed: int = 0) -> list[int | None]:
    """For each answer, the index of the earlier answer it duplicates, or None.

    ``respondent_ids`` (one per answer, e.g. across several questions) enables the
    repeated-submission rule; without it, only long answers can be duplicates.
    Deterministic: the same texts, options and ``seed`` give the same result.
    The same as :func:`resolve_duplicates` of :func:`duplicate_keys`.

    Example:
        >>> long = ("I think we need more staff and better training for the new tools, "
        ...         "because most of us learnt them on our own time and still make mistakes")
        >>> find_duplicates([long, "ok", long.replace("better", "more")], threshold=0.7)
        [None, None, 0]
    """
    _check_threshold(threshold)
    keys = duplicate_keys(texts, respondent_ids, min_words=min_words, seed=seed)
    return resolve_duplicates(keys, threshold=threshold,
                              texts_of=lambda rows: [texts[row] for row in rows.tolist()])


def _check_threshold(threshold: float) -> None:
    if not 0 < threshold <= 1:
        raise ConfigError(f"threshold must be in (0, 1], got {threshold}")


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def _minhash_template(seed: int) -> MinHash:
    from datasketch import MinHash

    return MinHash(num_perm=_NUM_PERM, seed=seed, hashfunc=int)


def _signatures(word_lists: list[list[str]], template: MinHash) -> NDArray[np.uint32]:
    """The MinHash values ``template.update_batch`` gives each answer's shingle hashes."""
    from datasketch.hashfunc import sha1_hash32

    signatures = np.empty((len(word_lists), _NUM_PERM), dtype=np.uint32)
    word_hashes: dict[str, int] = {}  # sha1 of every word is most of the cost: once each
    for start, stop in _chunks([len(words) for words in word_lists], _WORDS_PER_CHUNK):
        chunk = word_lists[start:stop]
        words = [word for answer in chunk for word in answer]
        hashes = np.fromiter(
            (word_hashes[word] if word in word_hashes
             else word_hashes.setdefault(word, sha1_hash32(word.encode())) for word in words),
            dtype=np.uint64, count=len(words))
        lengths = np.array([len(answer) for answer in chunk], dtype=np.int64)
        values, counts = _shingle_hashes(hashes, lengths)
        permuted = _permute(values, template)  # one row per permutation: reduceat runs along rows
        signatures[start:stop] = np.minimum.reduceat(permuted, np.cumsum(counts) - counts,
                                                     axis=1).T
    return signatures


def _chunks(sizes: list[int], budget: int) -> Iterator[tuple[int, int]]:
    """Consecutive (start, stop) ranges of items whose sizes add up to about ``budget``."""
    start = total = 0
    for index, size in enumerate(sizes):
        if total and total + size > budget:
            yield start, index
            start, total = index, 0
        total += size
    if start < len(sizes):
        yield start, len(sizes)


def _shingle_hashes(hashes: NDArray[np.uint64], lengths: NDArray[np.int64]
                    ) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    """Each answer's shingle hashes, mixed from 3 consecutive word hashes (the word
    hashes themselves for answers of fewer than 3 words), answer after answer, and
    how many each answer has."""
    mixed = hashes.copy()
    mixed[:-2] = (hashes[:-2] * _MIX1 ^ hashes[1:-1] * _MIX2 ^ hashes[2:]) & _MASK32
    shingled = lengths >= 3
    counts = np.where(shingled, lengths - 2, lengths)
    answer = np.repeat(np.arange(len(lengths)), counts)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    position = np.repeat(np.cumsum(lengths) - lengths, counts) + offset
    values = np.where(shingled[answer], mixed[position], hashes[position])
    return values, counts


def _permute(values: NDArray[np.uint64], template: MinHash) -> NDArray[np.uint32]:
    """``values`` through each of the template's permutations, one row per permutation,
    with datasketch's arithmetic: affine mod 2^32 after the MurmurHash3 finalizer
    (datasketch 2) or mod the Mersenne prime 2^61 - 1 ("legacy", datasketch 1)."""
    a, b = (np.asarray(parameters)[:, None] for parameters in template.permutations)
    scheme = getattr(template, "scheme", "legacy")
    permuted: NDArray[np.uint32]
    if scheme == "affine32":
        permuted = a * _fmix32(values.astype(np.uint32)) + b
        return permuted
    if scheme == "legacy":
        permuted = ((a * values + b) % _MERSENNE_PRIME & np.uint64(_MASK32)).astype(np.uint32)
        return permuted
    raise ConfigError(f"datasketch's MinHash scheme {scheme!r} is not supported; "
                      "install a datasketch whose MinHash defaults to 'affine32' or 'legacy'")


def _fmix32(values: NDArray[np.uint32]) -> NDArray[np.uint32]:
    """MurmurHash3's 32-bit finalizer, which datasketch applies before permuting."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def _mark_earlier(found: NDArray[np.int64], rows: NDArray[np.int64],
                  hashes: NDArray[np.uint64]) -> None:
    """Mark each of ``rows`` whose hash an earlier one of ``rows`` has, with the first."""
    _, first, inverse = np.unique(hashes[rows], return_index=True, return_inverse=True)
    earlier = rows[first[inverse]]
    repeated = earlier != rows
    found[rows[repeated]] = earlier[repeated]


def _mark_near_duplicates(found: NDArray[np.int64], keys: DuplicateKeys,
                          distinct: NDArray[np.int64], threshold: float,
                          texts_of: Callable[[NDArray[np.int64]], Sequence[str]],
                          batch_rows: int) -> None:
    """Mark the ``distinct`` long rows whose word shingles have a Jaccard of at least
    ``threshold`` with an earlier one of them that shares an LSH band."""
    buckets = _lsh_buckets(keys, distinct, threshold)
    candidates = np.flatnonzero((buckets >= 0).any(axis=1))
    for batch in _candidate_batches(buckets, candidates, batch_rows):
        texts = texts_of(distinct[batch])
        if len(texts) != len(batch):
            raise ConfigError(f"texts_of gave {len(texts)} texts for {len(batch)} positions; "
                              "give one text per position, in order")
        own_shingles: dict[int, set[str]] = {}
        members: dict[int, list[int]] = {}  # bucket -> the batch's rows in it so far
        for row, text, row_buckets in zip(batch.tolist(), texts, buckets[batch].tolist(),
                                          strict=True):
            own = own_shingles[row] = shingles(_normalise(text).split())
            earlier: set[int] = set()
            for bucket in row_buckets:
                if bucket >= 0:
                    in_bucket = members.setdefault(bucket, [])
                    earlier.update(in_bucket)
                    in_bucket.append(row)
            for other_row in sorted(earlier):  # the first match is the earliest
                other = own_shingles[other_row]
                if len(own & other) / len(own | other) >= threshold:
                    found[distinct[row]] = distinct[other_row]
                    break


def _lsh_buckets(keys: DuplicateKeys, distinct: NDArray[np.int64],
                 threshold: float) -> NDArray[np.int32]:
    """For each distinct row and LSH band, a number shared by the rows whose MinHash
    values in that band are all equal (datasketch's LSH buckets), -1 when alone."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=max(0.5, threshold - _LSH_MARGIN), num_perm=_NUM_PERM)
    rows = np.searchsorted(keys.long_positions, distinct)
    buckets = np.full((len(distinct), lsh.b), -1, dtype=np.int32)
    numbered = 0
    for band in range(lsh.b):
        values = np.ascontiguousarray(keys.signatures[rows, band * lsh.r:(band + 1) * lsh.r])
        as_bytes = values.view(np.dtype((np.void, values.itemsize * lsh.r))).ravel()
        _, inverse, counts = np.unique(as_bytes, return_inverse=True, return_counts=True)
        shared = counts[inverse] > 1
        buckets[shared, band] = inverse[shared] + numbered
        numbered += len(counts)
    return buckets


def _candidate_batches(buckets: NDArray[np.int32], candidates: NDArray[np.int64],
                       batch_rows: int) -> Iterator[NDArray[np.int64]]:
    """The candidates in batches of whole connected groups (rows linked by shared
    buckets), about ``batch_rows`` rows each, rows ascending within a batch."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if not len(candidates):
        return
    # A graph of candidates and buckets: a row is linked to each bucket it is in.
    in_buckets = buckets[candidates]
    row, band = np.nonzero(in_buckets >= 0)
    _, bucket = np.unique(in_buckets[row, band], return_inverse=True)  # numbered from 0
    size = len(candidates) + int(bucket.max()) + 1
    graph = coo_matrix((np.ones(len(row), dtype=np.int8), (row, len(candidates) + bucket)),
                       shape=(size, size))
    group = connected_components(graph, directed=False)[1][:len(candidates)]
    order = np.lexsort((candidates, group))
    in_order = group[order]
    group_starts = np.flatnonzero(np.r_[True, in_order[1:] != in_order[:-1]])
    batch_of_group = group_starts // batch_rows  # whole groups, about batch_rows together
    batch_starts = group_starts[np.r_[True, batch_of_group[1:] != batch_of_group[:-1]]]
    for start, stop in zip(batch_starts, np.r_[batch_starts[1:], len(order)], strict=True):
        yield np.sort(candidates[order[start:stop]])
