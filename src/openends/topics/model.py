"""``TopicModel``: one estimator over three methods (BERTopic, NMF, LDA).

It models the answers whose cleaning status is ``ok`` and leaves every other
answer in the output with its status and no topic. ``n_topics="auto"`` tries a
range of topic counts sized for the survey and keeps the one whose topics are
most coherent and distinct (NPMI and diversity of their top words).

Example (``cleaned`` from ``openends.clean.clean_responses``)::

    model = TopicModel("bertopic", n_topics="auto", seed=0).fit(cleaned)
    model.topics_[0].label, model.assignments_.head()
    model.transform(new_cleaned)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from openends.errors import (
    ConfigError,
    NotFittedError,
    TooFewAnswersError,
    UnknownColumnError,
    closest_match,
)
from openends.topics.cluster import CLUSTERINGS, principal_components, ward_partitions
from openends.topics.terms import describe_terms, term_documents, term_vectorizer, topic_label

if TYPE_CHECKING:
    from openends.embed import Embedder, EmbeddingCache

METHODS = ("bertopic", "nmf", "lda")
MIN_ANSWERS = 50
"""Fewer answers than this give no topics worth the name: the model refuses."""

MAX_CANDIDATES = 16


@dataclass(frozen=True)
class Topic:
    """One topic: its label, top words with weights, phrases, size and representatives.

    ``representatives`` are response ids; ``examples`` their redacted texts.
    """

    topic: int
    label: str
    words: tuple[str, ...]
    weights: tuple[float, ...]
    phrases: tuple[str, ...]
    size: int
    share: float
    representatives: tuple[str, ...]
    examples: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The ``topics.json`` entry (SPEC section 3, plus phrases, share and examples)."""
        data = asdict(self)
        return {key: list(value) if isinstance(value, tuple) else value
                for key, value in data.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Topic:
        return cls(topic=int(data["topic"]), label=str(data["label"]),
                   words=tuple(data["words"]), weights=tuple(float(w) for w in data["weights"]),
                   phrases=tuple(data.get("phrases", ())), size=int(data["size"]),
                   share=float(data.get("share", 0.0)),
                   representatives=tuple(data.get("representatives", ())),
                   examples=tuple(data.get("examples", ())))


@dataclass(frozen=True)
class Candidate:
    """How one topic count scored when ``n_topics="auto"`` chose among several."""

    n_topics: int
    npmi: float
    diversity: float

    @property
    def score(self) -> float:
        """Coherence times diversity (Dieng et al.'s topic quality), NPMI moved to 0-1."""
        return (self.npmi + 1) / 2 * self.diversity


@dataclass
class _Fitted:
    labels: np.ndarray                # topic per modelled answer
    probability: np.ndarray
    topics: list[Topic]
    outliers_found: int = 0
    candidates: list[Candidate] = field(default_factory=list)
    state: Any = None                 # the fitted BERTopic or scikit-learn model


class TopicModel:
    """Topics of the substantive answers of a survey.

    Args:
        method: ``bertopic`` (embeddings, clustering, class-based TF-IDF), ``nmf`` or ``lda``.
        n_topics: ``"auto"`` or an exact number of topics.
        embedder: an embedder name (``static``, ``minilm``, ``tfidf``, a model folder) or
            an :class:`~openends.embed.Embedder`; used by ``bertopic`` only.
        clustering: ``ward`` (deterministic, default) or ``hdbscan`` (seeded UMAP and
            HDBSCAN as in BERTopic, outliers then reassigned); ``bertopic`` only.
        seed: the seed of every random step.
        n_words: top words per topic.
        n_representatives: representative answers per topic.
        cache: an embedding cache, so a re-run does not embed the same answers again.
        models_dir: where the static embedder is built (default: the user cache).
    """

    def __init__(self, method: str = "bertopic", *, n_topics: int | str = "auto",
                 embedder: str | Embedder = "static", clustering: str = "ward", seed: int = 0,
                 n_words: int = 10, n_representatives: int = 3,
                 cache: EmbeddingCache | None = None, models_dir: Path | None = None) -> None:
        self.method = method
        self.n_topics = n_topics
        self.embedder = embedder
        self.clustering = clustering
        self.seed = seed
        self.n_words = n_words
        self.n_representatives = n_representatives
        self.cache = cache
        self.models_dir = models_dir

    # -- fitting -----------------------------------------------------------------------
    def fit(self, responses: pd.DataFrame) -> TopicModel:
        """Fit on a cleaned responses table; returns ``self`` with ``topics_`` and
        ``assignments_`` (one row per input row, in input order)."""
        self._check_options()
        answers = _Answers.of(responses)
        if len(answers) < MIN_ANSWERS:
            raise TooFewAnswersError(len(answers), MIN_ANSWERS)
        if self.method == "bertopic":
            embeddings = self._embed(answers.texts)
            fitted = self._fit_bertopic(answers, embeddings)
            self.embedder_identity_ = self._embedder().identity
        else:
            fitted = self._fit_sklearn(answers)
            self.embedder_identity_ = ""
        self.state_ = fitted.state
        self.topics_ = fitted.topics
        self.candidates_ = fitted.candidates
        self.outliers_found_ = fitted.outliers_found
        self.n_modelled_ = len(answers)
        self.assignments_ = _assignments(responses, answers.positions, fitted.labels,
                                         fitted.probability)
        return self

    def fit_transform(self, responses: pd.DataFrame) -> pd.DataFrame:
        """Fit, then return the assignments table (``response_id, topic, probability,
        status``)."""
        return self.fit(responses).assignments_

    def transform(self, responses: pd.DataFrame) -> pd.DataFrame:
        """Topics for new cleaned answers, from the fitted model (answers not ``ok``
        get none)."""
        if not hasattr(self, "topics_"):
            raise NotFittedError("TopicModel", "call fit() first, or load a saved model")
        answers = _Answers.of(responses)
        if len(answers) == 0:
            return _assignments(responses, answers.positions, np.zeros(0, dtype=np.int64),
                                np.zeros(0))
        if self.method == "bertopic":
            embedder = self._embedder()
            if embedder.identity != self.embedder_identity_:
                raise ConfigError(
                    f"this topic model was fitted with embedder {self.embedder_identity_!r} "
                    f"but {embedder.identity!r} is loaded; rebuild that embedder or refit")
            embeddings = self._embed(answers.texts)
            labels, probability = self.state_.transform(answers.lemmas, embeddings=embeddings)
            labels = np.asarray(labels, dtype=np.int64)
            probability = np.clip(np.asarray(probability, dtype=np.float64), 0.0, 1.0)
        else:
            labels, probability, _ = _sklearn_assign(self.state_, answers.lemmas)
        return _assignments(responses, answers.positions, labels, probability)

    # -- helpers -----------------------------------------------------------------------
    def _check_options(self) -> None:
        if self.method not in METHODS:
            raise ConfigError(_choice_message("method", self.method, METHODS))
        if self.clustering not in CLUSTERINGS:
            raise ConfigError(_choice_message("clustering", self.clustering, CLUSTERINGS))
        if self.n_topics != "auto" and not (isinstance(self.n_topics, int)
                                            and self.n_topics >= 2):
            raise ConfigError(f"n_topics must be 'auto' or a whole number of at least 2, "
                              f"not {self.n_topics!r}")
        if self.method == "bertopic" and self.clustering == "hdbscan" \
                and self.n_topics != "auto":
            raise ConfigError("HDBSCAN finds the number of topics itself: use n_topics='auto' "
                              "with clustering='hdbscan', or the default ward clustering "
                              "for an exact number")

    def _embedder(self) -> Embedder:
        if not isinstance(self.embedder, str):
            return self.embedder
        if not hasattr(self, "_loaded_embedder"):
            from openends.embed import get_embedder

            self._loaded_embedder = get_embedder(self.embedder, models_dir=self.models_dir,
                                                 seed=self.seed)
        return self._loaded_embedder

    def _embed(self, texts: list[str]) -> np.ndarray:
        from openends.embed import embed_texts

        return embed_texts(texts, self._embedder(), cache=self.cache)

    def _sizes(self, n_answers: int) -> list[int]:
        if isinstance(self.n_topics, int):
            if self.n_topics > n_answers:
                raise ConfigError(f"asked for {self.n_topics} topics but only {n_answers} "
                                  f"answers can be modelled")
            return [self.n_topics]
        return candidate_sizes(n_answers)

    def _fit_bertopic(self, answers: _Answers, embeddings: np.ndarray) -> _Fitted:
        outliers = 0
        candidates: list[Candidate] = []
        if self.clustering == "hdbscan":
            from openends.topics.cluster import umap_hdbscan_partition

            labels = umap_hdbscan_partition(embeddings, seed=self.seed)
            outliers = int((labels < 0).sum())
            labels = _reassign_outliers(labels, embeddings)
        else:
            points = principal_components(embeddings)
            partitions = ward_partitions(points, self._sizes(len(answers)))
            if len(partitions) == 1:
                labels = next(iter(partitions.values()))
            else:
                candidates = _score_partitions(partitions, answers.lemmas, self.n_words)
                labels = partitions[choose_size(candidates)]
        state = _bertopic(answers.lemmas, embeddings, labels, self.n_words)
        labels = np.asarray(state.topics_, dtype=np.int64)
        centroids = np.asarray(state.topic_embeddings_, dtype=np.float64)[state._outliers:]
        similarity = _cosine(embeddings, centroids)
        probability = np.clip(similarity[np.arange(len(labels)), labels], 0.0, 1.0)
        topics = []
        for topic in range(len(centroids)):
            terms = state.get_topic(topic) or []
            words, weights, phrases = describe_terms([term for term, _ in terms],
                                                     [weight for _, weight in terms],
                                                     n_words=self.n_words)
            members = np.flatnonzero(labels == topic)
            best = _readable_first(members[np.argsort(-similarity[members, topic],
                                                      kind="stable")], answers.texts)
            topics.append(self._topic(topic, words, weights, phrases, members, best, answers))
        return _Fitted(labels, probability, topics, outliers, candidates, state)

    def _fit_sklearn(self, answers: _Answers) -> _Fitted:
        sizes = self._sizes(len(answers))
        fits = {size: _sklearn_fit(self.method, answers.lemmas, size, self.seed)
                for size in sizes}
        candidates: list[Candidate] = []
        chosen = sizes[0]
        if len(sizes) > 1:
            from openends.topics.evaluate import npmi_coherence, topic_diversity

            documents = term_documents(answers.lemmas)
            for size, state in fits.items():
                top = [_top_words(state, topic, self.n_words)[0] for topic in range(size)]
                candidates.append(Candidate(size, npmi_coherence(top, documents).mean,
                                            topic_diversity(top)))
            chosen = choose_size(candidates)
        state = fits[chosen]
        labels, probability, weights_by_answer = _sklearn_assign(state, answers.lemmas)
        topics = []
        for topic in range(chosen):
            words, weights, phrases = _top_words(state, topic, self.n_words)
            members = np.flatnonzero(labels == topic)
            best = _readable_first(members[np.argsort(-weights_by_answer[members, topic],
                                                      kind="stable")], answers.texts)
            topics.append(self._topic(topic, words, weights, phrases, members, best, answers))
        unassigned = labels < 0
        if unassigned.any():
            topics.insert(0, _outlier_topic(int(unassigned.sum()), len(labels)))
        return _Fitted(labels, probability, topics, int(unassigned.sum()), candidates, state)

    def _topic(self, topic: int, words: list[str], weights: list[float], phrases: list[str],
               members: np.ndarray, best: np.ndarray, answers: _Answers) -> Topic:
        chosen = best[:self.n_representatives]
        return Topic(topic=topic, label=topic_label(words, phrases), words=tuple(words),
                     weights=tuple(round(weight, 6) for weight in weights),
                     phrases=tuple(phrases), size=len(members),
                     share=round(len(members) / len(answers), 6),
                     representatives=tuple(answers.ids[i] for i in chosen),
                     examples=tuple(answers.texts[i] for i in chosen))


def fit_on_sample(model: TopicModel, cleaned: pd.DataFrame, *, size: int,
                  seed: int) -> TopicModel:
    """Fit a TopicModel on all substantive answers, or on a seeded sample of ``size`` of
    them drawn in proportion from every wave and question when there are more; every
    answer is then assigned by ``transform``, and topic sizes and shares count them all.

    Fitting is what grows faster than the number of answers (time and memory); assigning
    is cheap, so a large project costs about a ``size``-answer fit plus one pass."""
    sample = fit_sample(cleaned, size=size, seed=seed)
    if sample is None:
        return model.fit(cleaned)
    model.fit(cleaned.loc[sample])
    return with_assignments(model, model.transform(cleaned))


def fit_sample(cleaned: pd.DataFrame, *, size: int, seed: int) -> pd.Index | None:
    """The index labels (in order) of the answers :func:`fit_on_sample` fits on, or None
    when it fits on all of them. Reads only ``status``, ``wave`` and ``question``, so a
    slim table with the same index gives the same sample.

    Example:
        >>> table = pd.DataFrame({"status": ["ok"] * 6 + ["empty"], "wave": [1, 1, 1, 2, 2, 2, 2]})
        >>> fit_sample(table, size=10, seed=0) is None, len(fit_sample(table, size=4, seed=0))
        (True, 4)
    """
    usable = cleaned[cleaned["status"] == "ok"]
    if len(usable) <= size:
        return None
    strata = [column for column in ("wave", "question") if column in usable.columns]
    share = size / len(usable)
    grouped = usable.groupby(strata, sort=True, group_keys=False) if strata else None
    sample = (grouped.sample(frac=share, random_state=seed) if grouped is not None
              else usable.sample(frac=share, random_state=seed))
    return sample.sort_index().index


def with_assignments(model: TopicModel, assignments: pd.DataFrame) -> TopicModel:
    """``model`` with ``assignments`` (of every answer) as its ``assignments_``, and each
    topic's size and share counted over them."""
    model.assignments_ = assignments
    counts = assignments["topic"].value_counts()
    total = int(counts.sum())
    model.topics_ = [replace(topic, size=int(counts.get(topic.topic, 0)),
                             share=round(int(counts.get(topic.topic, 0)) / total, 6))
                     for topic in model.topics_]
    return model


def choose_size(candidates: Sequence[Candidate], *, tolerance: float = 0.02) -> int:
    """The most detailed topic count whose quality is within ``tolerance`` of the best.

    Coherence falls slowly as topics get finer, so the single best score almost
    always sits at the fewest topics; a researcher is better served by the finest
    split that is about as coherent and distinct.

    Example:
        >>> choose_size([Candidate(10, -0.10, 0.86), Candidate(16, -0.12, 0.85),
        ...              Candidate(30, -0.20, 0.80)])
        16
    """
    best = max(candidate.score for candidate in candidates)
    return max(candidate.n_topics for candidate in candidates
               if candidate.score >= best - tolerance)


def candidate_sizes(n_answers: int) -> list[int]:
    """The topic counts ``n_topics="auto"`` tries: 10 to 40 for a large survey, fewer
    for a small one (at least about 20 answers per topic), at most 16 of them.

    Example:
        >>> candidate_sizes(60)
        [2, 3]
        >>> candidate_sizes(10_000)[:3], candidate_sizes(10_000)[-1]
        ([10, 12, 14], 40)
    """
    high = int(np.clip(n_answers // 20, 2, 40))
    low = int(np.clip(n_answers // 250, 2, 10))
    step = max(1, int(np.ceil((high - low + 1) / MAX_CANDIDATES)))
    sizes = list(range(low, high + 1, step))
    return sizes if sizes[-1] == high else [*sizes, high]


def topics_by(assignments: pd.DataFrame, responses: pd.DataFrame, by: str) -> pd.DataFrame:
    """Counts and shares of each topic within each value of column ``by``.

    Shares are of the modelled answers in that group (answers with a topic).

    Example:
        >>> a = pd.DataFrame({"response_id": ["1", "2", "3"], "topic": [0, 0, 1]})
        >>> r = pd.DataFrame({"response_id": ["1", "2", "3"], "wave": [2018, 2019, 2019]})
        >>> topics_by(a, r, "wave").to_dict("records")[0]
        {'wave': 2018, 'topic': 0, 'count': 1, 'share': 1.0}
    """
    if by not in responses.columns:
        raise UnknownColumnError(by, list(responses.columns))
    joined = assignments[["response_id", "topic"]].merge(
        responses[["response_id", by]], on="response_id", how="left", validate="one_to_one")
    joined = joined[joined["topic"].notna()]
    counts = (joined.groupby([by, "topic"], sort=True, dropna=False).size()
              .rename("count").reset_index())
    totals = counts.groupby(by, dropna=False)["count"].transform("sum")
    counts["share"] = (counts["count"] / totals).round(6)
    counts["topic"] = counts["topic"].astype("int64")
    return counts


# -- the answers a model sees ------------------------------------------------------------
@dataclass(frozen=True)
class _Answers:
    positions: np.ndarray   # row positions in the responses table
    ids: list[str]
    texts: list[str]        # redacted clean text: what is embedded and shown
    lemmas: list[str]       # what terms are counted in

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def of(cls, responses: pd.DataFrame) -> _Answers:
        if "response_id" not in responses.columns:
                raise UnknownColumnError("response_id", list(responses.columns))
        text_column = next((name for name in ("redacted_text", "clean_text", "text")
                            if name in responses.columns), None)
        if text_column is None:
                raise UnknownColumnError("text", list(responses.columns))
        texts = responses[text_column].fillna("").astype(str)
        if "status" in responses.columns:
            modelled = (responses["status"] == "ok").to_numpy()
        else:
            modelled = (texts.str.strip() != "").to_numpy()
        positions = np.flatnonzero(modelled)
        chosen = texts.iloc[positions].tolist()
        if "lemmas" in responses.columns:
            lemmas = responses["lemmas"].iloc[positions].fillna("").astype(str).tolist()
        else:
            from openends.nlp import lemmatise

            lemmas = lemmatise(chosen)
        ids = responses["response_id"].iloc[positions].astype(str).tolist()
        return cls(positions, ids, chosen, lemmas)


def _assignments(responses: pd.DataFrame, positions: np.ndarray, labels: np.ndarray,
                 probability: np.ndarray) -> pd.DataFrame:
    """One row per response in input order; answers not modelled have no topic."""
    topic = pd.array([pd.NA] * len(responses), dtype="Int64")
    chance = pd.array([pd.NA] * len(responses), dtype="Float64")
    topic[positions] = labels
    chance[positions] = np.round(probability, 6)
    table = pd.DataFrame({"response_id": responses["response_id"].astype(str).to_numpy(),
                          "topic": topic, "probability": chance})
    table["status"] = (responses["status"].to_numpy() if "status" in responses.columns
                       else np.where(table["topic"].isna(), "empty", "ok"))
    return table


# -- BERTopic ----------------------------------------------------------------------------
def _bertopic(documents: list[str], embeddings: np.ndarray, labels: np.ndarray,
              n_words: int) -> Any:
    """BERTopic over given clusters: class-based TF-IDF over lemma terms, topic vectors,
    and topic words ranked by how specific they are to the topic's answers."""
    import logging

    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from bertopic.vectorizers import ClassTfidfTransformer

    from openends.topics.represent import SpecificTerms

    model = BERTopic(umap_model=BaseDimensionalityReduction(), hdbscan_model=BaseCluster(),
                     vectorizer_model=term_vectorizer(len(documents)),
                     ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
                     representation_model=SpecificTerms(n_words),
                     top_n_words=3 * n_words, calculate_probabilities=False, verbose=False)
    logging.getLogger("BERTopic").setLevel(logging.ERROR)  # its own INFO/WARNING chatter
    model.fit(documents, embeddings=embeddings, y=labels)
    return model


def _reassign_outliers(labels: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
    """BERTopic's "embeddings" outlier reduction: each outlier joins its nearest topic."""
    outliers = labels < 0
    if not outliers.any():
        return labels
    if outliers.all():
        return np.zeros_like(labels)
    n_topics = int(labels.max()) + 1
    centroids = np.vstack([embeddings[labels == topic].mean(axis=0) for topic in range(n_topics)])
    nearest = _cosine(embeddings[outliers], centroids).argmax(axis=1)
    reassigned = labels.copy()
    reassigned[outliers] = nearest
    return reassigned


def _cosine(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    def unit(array: np.ndarray) -> np.ndarray:
        norms = np.linalg.norm(array, axis=1, keepdims=True)
        scaled: np.ndarray = np.divide(array, norms, where=norms > 0,
                                       out=np.zeros_like(array, dtype=np.float64))
        return scaled

    product: np.ndarray = unit(vectors.astype(np.float64)) @ unit(centroids).T
    return product


def _score_partitions(partitions: dict[int, np.ndarray], lemmas: list[str],
                      n_words: int) -> list[Candidate]:
    """NPMI and diversity of each partition's top words (as the fitted model ranks them)."""
    from openends.topics.evaluate import npmi_coherence, topic_diversity
    from openends.topics.represent import describe_topics

    vectorizer = term_vectorizer(len(lemmas))
    counts = vectorizer.fit_transform(lemmas)
    vocabulary = vectorizer.get_feature_names_out()
    documents = term_documents(lemmas)
    candidates = []
    for size, labels in sorted(partitions.items()):
        described = describe_topics(counts, vocabulary, labels, size, n_words=n_words,
                                    n_phrases=0)
        words = [[term for term, _ in terms] for terms in described]
        candidates.append(Candidate(size, npmi_coherence(words, documents).mean,
                                    topic_diversity(words)))
    return candidates


# -- scikit-learn: NMF and LDA ------------------------------------------------------------
@dataclass
class _SklearnState:
    method: str
    vectorizer: Any
    model: Any


def _sklearn_fit(method: str, lemmas: list[str], n_topics: int, seed: int) -> _SklearnState:
    if method == "nmf":
        from sklearn.decomposition import NMF
        from sklearn.feature_extraction.text import TfidfVectorizer

        base = term_vectorizer(len(lemmas))
        options = {**base.get_params(), "dtype": np.float64}
        vectorizer = TfidfVectorizer(**options, sublinear_tf=True)
        model: Any = NMF(n_components=n_topics, init="nndsvda", random_state=seed,
                         max_iter=400)
    else:
        from sklearn.decomposition import LatentDirichletAllocation

        vectorizer = term_vectorizer(len(lemmas))
        model = LatentDirichletAllocation(n_components=n_topics, random_state=seed,
                                          learning_method="batch", max_iter=20)
    model.fit(vectorizer.fit_transform(lemmas))
    return _SklearnState(method, vectorizer, model)


def _top_words(state: _SklearnState, topic: int, n_words: int
               ) -> tuple[list[str], list[float], list[str]]:
    vocabulary = state.vectorizer.get_feature_names_out()
    row = np.asarray(state.model.components_[topic], dtype=np.float64)
    row = row / max(row.sum(), 1e-12)
    top = np.argsort(-row, kind="stable")[:3 * n_words]
    return describe_terms([str(vocabulary[i]) for i in top], row[top].tolist(),
                          n_words=n_words)


def _sklearn_assign(state: _SklearnState, lemmas: list[str]
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each answer's strongest topic (an answer with none of the model's terms gets -1),
    that topic's share of the answer's weights, and all the weights (answers x topics)."""
    counts = state.vectorizer.transform(lemmas)
    weights = np.asarray(state.model.transform(counts), dtype=np.float64)
    totals = weights.sum(axis=1)
    has_terms = np.asarray(counts.sum(axis=1)).ravel() > 0
    labels = np.where(has_terms & (totals > 0), weights.argmax(axis=1), -1)
    shares = np.divide(weights.max(axis=1), totals, out=np.zeros(len(totals)),
                       where=totals > 0)
    return labels.astype(np.int64), np.where(labels >= 0, shares, 0.0), weights


def _readable_first(ranked: np.ndarray, texts: list[str], *, pool: int = 20,
                    longest: int = 300) -> np.ndarray:
    """Representatives: of the ``pool`` answers closest to the topic, those a reader can
    take in at a glance (at most ``longest`` characters) first, closest first."""
    head = ranked[:pool]
    short = np.array([len(texts[i]) <= longest for i in head], dtype=bool)
    return np.concatenate([head[short], head[~short], ranked[pool:]])


def _outlier_topic(size: int, total: int) -> Topic:
    return Topic(topic=-1, label="(answers with none of the topic words)", words=(),
                 weights=(), phrases=(), size=size, share=round(size / total, 6),
                 representatives=(), examples=())


def _choice_message(option: str, value: str, choices: Sequence[str]) -> str:
    suggestion = closest_match(value, choices)
    hint = f"; did you mean {suggestion!r}?" if suggestion else ""
    return f"unknown {option} {value!r}{hint} Choose one of: {', '.join(choices)}"
