"""TF-IDF with SVD (latent semantic analysis): vectors without a neural model.

Stateful, unlike the other embedders: the first :meth:`TfidfEmbedder.embed`
(or an explicit :meth:`TfidfEmbedder.fit`) learns the vocabulary, the inverse
document frequencies and the SVD from the texts it is given; later calls
only transform. The fitted state saves to JSON and ``.npy`` files (no pickle),
and its hash is the embedder's ``identity``, so caches never mix two fits.

Example:
    >>> embedder = TfidfEmbedder(seed=0)
    >>> vectors = embedder.embed(["encrypted phones and apps", "cloud storage accounts",
    ...                           "encrypted cloud storage", "more staff needed"])
    >>> vectors.shape, vectors.dtype.name
    ((4, 3), 'float32')
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from openends.embed.base import normalise_rows, package_version
from openends.errors import ModelError, NotFittedError

STATE_FILE = "tfidf.json"
_MIN_DOCS_FOR_MIN_DF = 10  # below this, a word in one text is still kept
_NOT_FITTED = "call fit(texts) or embed(texts) first"


class TfidfEmbedder:
    """Sublinear TF-IDF over words and word pairs (English stop words out), then TruncatedSVD.

    ``max_dimensions`` caps the SVD size: it is at most one less than the
    number of texts and of vocabulary terms seen in ``fit``. ``seed`` fixes
    the randomised SVD.
    """

    def __init__(self, *, seed: int = 0, max_dimensions: int = 256) -> None:
        self.name = "tfidf"
        self.seed = seed
        self.max_dimensions = max_dimensions

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "components_")

    @property
    def identity(self) -> str:
        """``tfidf:`` and 16 hex digits of the fitted state's sha256."""
        self._check_fitted()
        return self.identity_

    @property
    def dimensions(self) -> int:
        self._check_fitted()
        return int(self.components_.shape[0])

    def fit(self, texts: Sequence[str]) -> TfidfEmbedder:
        """Learn the vocabulary, idf weights and SVD from ``texts``."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        texts = list(texts)
        params: dict[str, Any] = {
            "ngram_range": [1, 2], "lowercase": True, "token_pattern": r"(?u)\b\w\w+\b",
            "stop_words": sorted(ENGLISH_STOP_WORDS), "sublinear_tf": True, "norm": "l2",
            "seed": self.seed, "n_documents": len(texts),
        }
        counts, vocabulary, params["min_df"] = _fit_counts(texts, params)
        n_components = min(self.max_dimensions, len(vocabulary) - 1, len(texts) - 1)
        if n_components < 1:
            raise ModelError("tfidf needs at least 2 texts and 2 different words (not stop "
                             f"words) to fit; got {len(texts)} text(s) and {len(vocabulary)} "
                             "word(s). Give more texts or choose another embedder")
        document_frequency = np.bincount(counts.indices, minlength=len(vocabulary))
        self.idf_ = np.log((1 + len(texts)) / (1 + document_frequency)) + 1.0
        self.vocabulary_ = vocabulary
        self.params_ = params
        svd = TruncatedSVD(n_components=n_components, random_state=self.seed)
        svd.fit(self._weigh(counts))
        self.components_ = svd.components_.astype(np.float32)
        self.identity_ = f"tfidf:{self._state_hash()}"
        return self

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Vectors of ``texts``; fits on them first if this embedder is not fitted yet."""
        texts = list(texts)
        if not self.is_fitted:
            if not texts:
                raise NotFittedError("the tfidf embedder", _NOT_FITTED)
            self.fit(texts)
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        counts = _count(texts, self.params_, self.vocabulary_)
        return normalise_rows(self._weigh(counts) @ self.components_.T)

    def save(self, directory: Path) -> Path:
        """Write the fitted state: ``tfidf.json``, ``idf.npy`` and ``components.npy``."""
        self._check_fitted()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "idf.npy", self.idf_, allow_pickle=False)
        np.save(directory / "components.npy", self.components_, allow_pickle=False)
        state = {"model": "tfidf", "identity": self.identity_, "params": self.params_,
                 "vocabulary": self.vocabulary_, "versions": _versions()}
        (directory / STATE_FILE).write_text(json.dumps(state, ensure_ascii=False) + "\n",
                                            encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: Path) -> TfidfEmbedder:
        """A fitted embedder from a folder written by :meth:`save`; no pickle involved."""
        directory = Path(directory)
        try:
            state = json.loads((directory / STATE_FILE).read_text(encoding="utf-8"))
            params, vocabulary = dict(state["params"]), [str(term) for term in state["vocabulary"]]
            embedder = cls(seed=int(params["seed"]))
            idf = np.load(directory / "idf.npy", allow_pickle=False)
            components = np.load(directory / "components.npy", allow_pickle=False)
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ModelError(f"{directory} holds no saved tfidf embedder ({error}); save one "
                             "with TfidfEmbedder.save or fit a new one") from None
        if idf.shape != (len(vocabulary),) or components.ndim != 2 \
                or components.shape[1] != len(vocabulary):
            raise ModelError(f"{directory}: the saved tfidf arrays do not match its vocabulary; "
                             "save the embedder again")
        embedder.params_, embedder.vocabulary_ = params, vocabulary
        embedder.idf_, embedder.components_ = idf, components
        embedder.identity_ = f"tfidf:{embedder._state_hash()}"
        if embedder.identity_ != state.get("identity"):
            raise ModelError(f"{directory}: the saved tfidf state was changed after it was "
                             f"saved (hash {embedder.identity_}, recorded "
                             f"{state.get('identity')}); save the embedder again")
        return embedder

    def _weigh(self, counts: Any) -> Any:
        """Sublinear tf times idf, rows scaled to length 1 (sparse in, sparse out)."""
        from scipy import sparse
        from sklearn.preprocessing import normalize

        weighted = counts.astype(np.float64)
        np.log(weighted.data, out=weighted.data)
        weighted.data += 1.0
        return normalize(weighted @ sparse.diags(self.idf_), norm="l2")

    def _state_hash(self) -> str:
        digest = hashlib.sha256()
        digest.update(json.dumps([self.params_, self.vocabulary_], ensure_ascii=False).encode())
        for array in (self.idf_, self.components_):
            digest.update(f"{array.dtype.str}{array.shape}".encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()[:16]

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise NotFittedError("the tfidf embedder", _NOT_FITTED)

    def __repr__(self) -> str:
        fitted = f", {self.dimensions} dimensions" if self.is_fitted else ", not fitted"
        return f"TfidfEmbedder(seed={self.seed}{fitted})"


def _vectorizer_options(params: dict[str, Any]) -> dict[str, Any]:
    return {"ngram_range": tuple(params["ngram_range"]), "lowercase": params["lowercase"],
            "token_pattern": params["token_pattern"], "stop_words": params["stop_words"]}


def _fit_counts(texts: list[str], params: dict[str, Any]) -> tuple[Any, list[str], int]:
    """Term counts (CSR), the vocabulary learned from ``texts``, and the min_df used.

    Terms must occur in two texts once there are enough texts, unless that
    leaves fewer than two terms.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    for min_df in (2, 1) if len(texts) >= _MIN_DOCS_FOR_MIN_DF else (1,):
        counter = CountVectorizer(min_df=min_df, **_vectorizer_options(params))
        try:
            counts = counter.fit_transform(texts)
        except ValueError:  # no words left after stop words and min_df
            continue
        if counts.shape[1] >= 2 or min_df == 1:
            return counts.tocsr(), [str(term) for term in counter.get_feature_names_out()], min_df
    raise ModelError(f"tfidf found no words to fit on in {len(texts)} text(s) (stop words "
                     "are left out); give texts with more words or choose another embedder")


def _count(texts: list[str], params: dict[str, Any], vocabulary: list[str]) -> Any:
    """Term counts (CSR) over a fitted vocabulary."""
    from sklearn.feature_extraction.text import CountVectorizer

    index = {term: position for position, term in enumerate(vocabulary)}
    return CountVectorizer(vocabulary=index, **_vectorizer_options(params)).transform(texts)


def _versions() -> dict[str, str | None]:
    return {name: package_version(name) for name in ("openends", "scikit-learn", "numpy")}
