"""Benchmark: openends keyphrase methods against YAKE on SemEval-2017 Task 10, in one run.

Systems, in one process on the same documents:

- ``YAKE`` (baseline): ``yake.KeywordExtractor(lan="en", n=3, top=10)``, its
  ``extract_keywords`` called on each document in turn, as a YAKE user would;
- every method in ``openends.keywords.registry.METHODS`` (or those named by ``--methods``),
  made by ``get_method(name, cache=None)``: ``embedding`` uses the default static embedder
  (built into the user's cache on first use) and no embedding cache, so nothing is kept
  between runs. Each does ``method.fit(docs)`` then ``method.extract(docs, top=10)``, and
  its phrases are ``[k.phrase for k in result]``. The default method
  (``registry.DEFAULT_METHOD``) is the one the bars judge.

Timing: each system is made once and warmed up once on the first 20 documents (imports,
spaCy's lookup tables, loading the static model), outside every timing; that one-off cost
is reported as "setup". Then ``--runs`` timed runs, taken in turn (run 1 of every system,
then run 2, ...) so that a busy spell on the machine falls on all of them. An openends run
is timed from ``fit`` to the end of ``extract``: ``fit`` learns document frequencies (and
whatever else the method needs) from the same documents it then extracts from, as a user
with one set of answers would. YAKE has nothing to fit. docs/s = documents / median wall
time; the medians and every run's times are printed.

Quality: SemEval-2017 Task 10 (ScienceDirect paragraphs with annotated keyphrases), read
from ``--data`` (``docsutf8/<id>.txt`` and ``keys/<id>.key``, one gold phrase a line),
documents sorted by id. A phrase is normalised to the Porter stems (nltk) of its lower-case
word tokens (regex ``[^\\W_]+``) joined by spaces; phrases with no word left are dropped.
Gold = the distinct normalised keys of a document. Predictions = a system's ranked phrases
for the document (it is asked for 10), normalised, duplicates dropped keeping the order,
the first 10 kept. A prediction matches when it equals a gold phrase. Per document
P = matches / predictions, R = matches / gold keys (keys that do not occur in the text
count as misses: the table notes the share that do), F1 their harmonic mean (0 when
empty). F1@10, P@10 and R@10 are means over documents (macro); micro F1 comes from the
counts pooled over all documents. The ratio of the default method's F1@10 to YAKE's gets a
bootstrap 95% interval: 1,000 resamples of documents with replacement, seed 0.

Bars: the default method's F1@10 >= 1.2 x YAKE's, and its docs/s >= YAKE's. Both are
measurements: the script exits 0 whether they pass or fail (2 on bad data or options).

Usage:
    python scripts/bench/keywords.py --json /tmp/kw-bench.json
    python scripts/bench/keywords.py --methods statistical --runs 1 \\
        --data ../shared/data/keyphrases/semeval2017
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from bench_common import Bar, machine_facts, source_version
from rich.console import Console
from rich.table import Table

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "keyphrases" / "semeval2017"
TOP = 10
WARM_UP_DOCS = 20
F1_BAR = 1.2
RESAMPLES = 1_000
BOOTSTRAP_SEED = 0
BASELINE = "YAKE"
PACKAGES = ("openends", "yake", "spacy", "nltk")
WORD = re.compile(r"[^\W_]+")


class DataError(Exception):
    """The benchmark data is missing or malformed (reported on one line, exit status 2)."""


# -- data ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Corpus:
    """The documents, sorted by id, and their gold keyphrases as written in the key files."""

    folder: Path
    ids: list[str]
    texts: list[str]
    keys: list[list[str]]

    def __len__(self) -> int:
        return len(self.ids)


def load_corpus(folder: Path) -> Corpus:
    """Read ``docsutf8/<id>.txt`` and ``keys/<id>.key`` (one phrase a line, blanks skipped)."""
    docs, keys = folder / "docsutf8", folder / "keys"
    if not docs.is_dir() or not keys.is_dir():
        raise DataError(f"no SemEval-2017 data at {folder} (need docsutf8/ and keys/ in it; "
                        "give the folder with --data)")
    ids = sorted(path.stem for path in docs.glob("*.txt"))
    if not ids:
        raise DataError(f"no documents (*.txt) in {docs}")
    missing = [doc_id for doc_id in ids if not (keys / f"{doc_id}.key").is_file()]
    if missing:
        raise DataError(f"{len(missing)} documents have no key file in {keys}, "
                        f"e.g. {missing[0]}.key")
    texts = [(docs / f"{doc_id}.txt").read_text(encoding="utf-8") for doc_id in ids]
    gold = [[line.strip() for line in (keys / f"{doc_id}.key").read_text(encoding="utf-8")
             .splitlines() if line.strip()] for doc_id in ids]
    return Corpus(folder, ids, texts, gold)


# -- scoring -------------------------------------------------------------------------------
class Normaliser:
    """Phrase -> Porter stems of its lower-case word tokens, joined by spaces.

    Example:
        >>> Normaliser()("Complexified gauge-theories")
        'complexifi gaug theori'
    """

    def __init__(self) -> None:
        from nltk.stem import PorterStemmer

        self._stemmer = PorterStemmer()
        self._stems: dict[str, str] = {}

    def stem(self, token: str) -> str:
        """The Porter stem of one lower-case token, computed once per distinct token."""
        found = self._stems.get(token)
        if found is None:
            found = self._stems[token] = self._stemmer.stem(token)
        return found

    def tokens(self, text: str) -> list[str]:
        """The stems of the word tokens (``[^\\W_]+``) of ``text``, lower-cased."""
        return [self.stem(token) for token in WORD.findall(text.lower())]

    def __call__(self, phrase: str) -> str:
        return " ".join(self.tokens(phrase))


def gold_set(keys: Iterable[str], normalise: Callable[[str], str]) -> frozenset[str]:
    """The distinct normalised gold phrases of one document (empty ones left out)."""
    return frozenset(found for found in map(normalise, keys) if found)


def predictions(phrases: Iterable[str], normalise: Callable[[str], str],
                top: int = TOP) -> list[str]:
    """The first ``top`` distinct normalised phrases of a ranking, in its order.

    Example:
        >>> predictions(["Sign problem", "sign problems", "lattice"], Normaliser(), top=2)
        ['sign problem', 'lattic']
    """
    distinct = dict.fromkeys(found for found in map(normalise, phrases) if found)
    return list(distinct)[:top]


def harmonic(precision: float, recall: float) -> float:
    """F1 of a precision and a recall; 0 when both are 0."""
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


@dataclass(frozen=True)
class DocumentScore:
    """The counts of one document: predictions, gold phrases and predictions that match."""

    predicted: int
    gold: int
    matched: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return harmonic(self.precision, self.recall)


def score_document(predicted: Sequence[str], gold: frozenset[str]) -> DocumentScore:
    """Count the ``predicted`` phrases that are in ``gold`` (both already normalised)."""
    return DocumentScore(len(predicted), len(gold), sum(found in gold for found in predicted))


@dataclass(frozen=True)
class Scores:
    """Per-document scores of one system, with their macro and micro summaries."""

    documents: list[DocumentScore]

    def _mean(self, values: Iterable[float]) -> float:
        return float(np.mean(list(values))) if self.documents else 0.0

    @property
    def precision(self) -> float:
        """P@10, the mean over documents."""
        return self._mean(doc.precision for doc in self.documents)

    @property
    def recall(self) -> float:
        """R@10, the mean over documents."""
        return self._mean(doc.recall for doc in self.documents)

    @property
    def f1(self) -> float:
        """F1@10, the mean over documents of each document's F1."""
        return self._mean(doc.f1 for doc in self.documents)

    @property
    def micro(self) -> DocumentScore:
        """The counts pooled over all documents (their P, R and F1 are the micro figures)."""
        return DocumentScore(sum(doc.predicted for doc in self.documents),
                             sum(doc.gold for doc in self.documents),
                             sum(doc.matched for doc in self.documents))

    def per_document_f1(self) -> np.ndarray:
        return np.array([doc.f1 for doc in self.documents], dtype=float)

    def to_dict(self) -> dict[str, Any]:
        micro = self.micro
        return {"f1": self.f1, "precision": self.precision, "recall": self.recall,
                "micro_f1": micro.f1, "micro_precision": micro.precision,
                "micro_recall": micro.recall, "predicted": micro.predicted,
                "gold": micro.gold, "matched": micro.matched}


def score_system(phrases: Sequence[Sequence[str]], gold: Sequence[frozenset[str]],
                 normalise: Callable[[str], str]) -> Scores:
    """Score one system's ranked phrases, document by document, against ``gold``."""
    return Scores([score_document(predictions(found, normalise), keys)
                   for found, keys in zip(phrases, gold, strict=True)])


def gold_in_text(texts: Sequence[str], gold: Sequence[frozenset[str]],
                 normaliser: Normaliser) -> float:
    """Share of gold phrases that occur, normalised, as a run of words of their own text.

    This caps the recall of a method that only picks phrases from the text.
    """
    found = total = 0
    for text, keys in zip(texts, gold, strict=True):
        words = f" {' '.join(normaliser.tokens(text))} "
        found += sum(f" {key} " in words for key in keys)
        total += len(keys)
    return found / total if total else 0.0


def bootstrap_ratio(numerator: np.ndarray, denominator: np.ndarray, *,
                    resamples: int = RESAMPLES, seed: int = BOOTSTRAP_SEED
                    ) -> tuple[float, float]:
    """95% percentile interval of ``mean(numerator) / mean(denominator)``.

    The two arrays are per-document scores of two systems on the same documents; each
    resample draws documents with replacement and keeps the pairs together.
    """
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(numerator), size=(resamples, len(numerator)))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = numerator[rows].mean(axis=1) / denominator[rows].mean(axis=1)
    low, high = np.nanpercentile(ratios, [2.5, 97.5])
    return float(low), float(high)


# -- systems -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    """One timed run: the phrases found for every document and the wall times."""

    phrases: list[list[str]]
    seconds: float
    fit_seconds: float | None = None


class System(Protocol):
    """A keyphrase system the benchmark can run on a list of documents."""

    name: str

    def run(self, texts: list[str]) -> Run: ...


class YakeBaseline:
    """YAKE as a user runs it: one extractor, ``extract_keywords`` on each document."""

    name = BASELINE

    def __init__(self) -> None:
        import yake

        self.extractor = yake.KeywordExtractor(lan="en", n=3, top=TOP)

    def run(self, texts: list[str]) -> Run:
        start = time.perf_counter()
        found = [self.extractor.extract_keywords(text) for text in texts]
        seconds = time.perf_counter() - start
        return Run([[str(phrase) for phrase, _ in ranked] for ranked in found], seconds)


class OpenendsMethod:
    """An openends keyphrase method from the registry: ``fit`` then ``extract``, timed."""

    def __init__(self, method: str, *, default: bool) -> None:
        from openends.keywords.registry import get_method

        self.method_name = method
        self.name = f"openends {method}" + (" (default)" if default else "")
        self.method = get_method(method, cache=None)

    def run(self, texts: list[str]) -> Run:
        start = time.perf_counter()
        self.method.fit(texts)
        fitted = time.perf_counter()
        found = self.method.extract(texts, top=TOP)
        done = time.perf_counter()
        return Run([[k.phrase for k in result] for result in found], done - start,
                   fitted - start)


@dataclass
class Outcome:
    """Everything measured for one system."""

    system: System
    setup_seconds: float
    runs: list[Run] = field(default_factory=list)
    scores: Scores | None = None

    @property
    def name(self) -> str:
        return self.system.name

    @property
    def median(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def median_fit(self) -> float | None:
        fits = [run.fit_seconds for run in self.runs if run.fit_seconds is not None]
        return statistics.median(fits) if fits else None

    def docs_per_second(self, documents: int) -> float:
        return documents / self.median if self.median > 0 else float("inf")

    @property
    def consistent(self) -> bool:
        """Whether every timed run found the same phrases as the first."""
        return all(run.phrases == self.runs[0].phrases for run in self.runs[1:])


def make_systems(methods: Sequence[str], default: str, warm_up: list[str],
                 console: Console) -> list[Outcome]:
    """Make YAKE and each openends method, and run each once on ``warm_up`` (untimed)."""
    makers: list[Callable[[], System]] = [YakeBaseline]
    makers += [partial(OpenendsMethod, method, default=method == default) for method in methods]
    outcomes = []
    for make in makers:
        start = time.perf_counter()
        system = make()
        system.run(warm_up)
        setup = time.perf_counter() - start
        console.print(f"setup {system.name}: made and warmed up on {len(warm_up)} documents "
                      f"in {setup:.2f} s", markup=False, highlight=False)
        outcomes.append(Outcome(system, setup))
    return outcomes


def time_systems(outcomes: Sequence[Outcome], texts: list[str], runs: int,
                 console: Console) -> None:
    """``runs`` timed runs of every system, taken in turn (run 1 of each, then run 2, ...)."""
    for number in range(1, runs + 1):
        for outcome in outcomes:
            outcome.runs.append(outcome.system.run(texts))
        console.print(f"run {number}/{runs}: " + ", ".join(
            f"{outcome.name} {outcome.runs[-1].seconds:.2f} s" for outcome in outcomes),
            markup=False, highlight=False)


# -- printing ------------------------------------------------------------------------------
def ratio_text(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def results_table(outcomes: Sequence[Outcome], documents: int, baseline: Outcome,
                  caption: str) -> Table:
    """System, F1@10, P@10, R@10, micro F1, docs/s and F1 as a multiple of YAKE's."""
    table = Table(title=f"SemEval-2017 Task 10: {documents:,} documents, top {TOP}",
                  title_justify="left", caption=caption, caption_justify="left")
    for column in ("system", "F1@10", "P@10", "R@10", "micro F1", "docs/s", "F1 vs YAKE"):
        table.add_column(column, justify="left" if column == "system" else "right")
    base_f1 = baseline.scores.f1 if baseline.scores else 0.0
    for outcome in outcomes:
        scores = outcome.scores
        assert scores is not None
        ratio = scores.f1 / base_f1 if base_f1 else None
        table.add_row(outcome.name, f"{scores.f1:.3f}", f"{scores.precision:.3f}",
                      f"{scores.recall:.3f}", f"{scores.micro.f1:.3f}",
                      f"{outcome.docs_per_second(documents):,.0f}", ratio_text(ratio))
    return table


def times_table(outcomes: Sequence[Outcome], documents: int) -> Table:
    """Setup, median fit, median total and every run's time per system."""
    table = Table(title=f"Times on {documents:,} documents (wall clock)", title_justify="left",
                  caption="setup = make the system and warm it up once (not in docs/s); "
                          "openends total = fit + extract on the same documents.",
                  caption_justify="left")
    for column in ("system", "setup", "fit (median)", "total (median)", "runs", "docs/s"):
        table.add_column(column, justify="left" if column == "system" else "right")
    for outcome in outcomes:
        fit = outcome.median_fit
        table.add_row(outcome.name, f"{outcome.setup_seconds:.2f} s",
                      "-" if fit is None else f"{fit:.2f} s", f"{outcome.median:.2f} s",
                      ", ".join(f"{run.seconds:.2f}" for run in outcome.runs),
                      f"{outcome.docs_per_second(documents):,.0f}")
    return table


# -- bars ----------------------------------------------------------------------------------
def judge(default: Outcome, baseline: Outcome, documents: int) -> tuple[list[Bar], dict[str, Any]]:
    """The F1 bar (with its bootstrap interval) and the speed bar."""
    assert default.scores is not None and baseline.scores is not None
    base_f1 = baseline.scores.f1
    f1_ratio = default.scores.f1 / base_f1 if base_f1 else float("inf")
    low, high = bootstrap_ratio(default.scores.per_document_f1(),
                                baseline.scores.per_document_f1())
    speed = default.docs_per_second(documents) / baseline.docs_per_second(documents)
    bars = [
        Bar(f"default F1@10 >= {F1_BAR:g} x YAKE", f1_ratio >= F1_BAR,
            f"{f1_ratio:.2f}; 95% CI {low:.2f}-{high:.2f}"),
        Bar("default speed >= YAKE speed", speed >= 1.0, f"{speed:.1f}x"),
    ]
    figures = {"default": default.name, "f1_ratio": f1_ratio, "f1_ratio_ci95": [low, high],
               "bootstrap": {"resamples": RESAMPLES, "seed": BOOTSTRAP_SEED},
               "speed_ratio": speed}
    return bars, figures


# -- machine -------------------------------------------------------------------------------
def source_fingerprint() -> str:
    """A hash of every file under ``src/``, to notice code that changed during the run."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# -- main ----------------------------------------------------------------------------------
def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    from openends.keywords.registry import DEFAULT_METHOD, METHODS

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="SemEval-2017 folder with docsutf8/ and keys/ (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per system (median)")
    parser.add_argument("--methods", default=",".join(METHODS),
                        help="openends methods, comma-separated (default: %(default)s)")
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    methods = list(dict.fromkeys(name.strip() for name in args.methods.split(",")
                                 if name.strip()))
    unknown = [name for name in methods if name not in METHODS]
    if unknown or not methods:
        parser.error(f"--methods: unknown {', '.join(unknown) or '(none given)'}; "
                     f"choose from {', '.join(METHODS)}")
    args.methods = methods
    args.default = DEFAULT_METHOD
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    console = Console(width=None if sys.stdout.isatty() else 120)
    try:
        corpus = load_corpus(args.data)
    except (DataError, OSError, UnicodeDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    version, fingerprint = source_version(), source_fingerprint()
    machine = machine_facts(PACKAGES)
    normaliser = Normaliser()
    gold = [gold_set(keys, normaliser) for keys in corpus.keys]
    reachable = gold_in_text(corpus.texts, gold, normaliser)
    load = machine["load_average_at_start"]
    console.print(f"openends keyphrases vs YAKE; source {version}; {machine['cpu_count']} CPUs; "
                  f"load {'/'.join(f'{value:.2f}' for value in load) if load else '?'}; "
                  f"runs {args.runs}", markup=False, highlight=False)
    console.print(f"data {corpus.folder}: {len(corpus):,} documents, "
                  f"{sum(map(len, gold)):,} gold phrases ({reachable:.1%} in their text)",
                  markup=False, highlight=False)

    outcomes = make_systems(args.methods, args.default, corpus.texts[:WARM_UP_DOCS], console)
    time_systems(outcomes, corpus.texts, args.runs, console)
    for outcome in outcomes:
        outcome.scores = score_system(outcome.runs[0].phrases, gold, normaliser)
        if not outcome.consistent:
            console.print(f"note: {outcome.name} found different phrases in different runs; "
                          "the first run is scored", markup=False, highlight=False)

    documents = len(corpus)
    baseline = outcomes[0]
    console.print(results_table(
        outcomes, documents, baseline,
        caption=f"Macro means over documents (micro F1: pooled counts). docs/s = documents / "
                f"median of {args.runs} runs; openends times include fit. "
                f"{reachable:.1%} of gold phrases occur in their text."))
    console.print(times_table(outcomes, documents))

    default = next((o for o in outcomes if isinstance(o.system, OpenendsMethod)
                    and o.system.method_name == args.default), None)
    bars: list[Bar] = []
    judged: dict[str, Any] = {}
    console.rule("Bars")
    if default is None:
        console.print(f"no bars: the default method {args.default!r} was not in --methods",
                      markup=False, highlight=False)
    else:
        bars, judged = judge(default, baseline, documents)
        assert default.scores is not None and baseline.scores is not None
        console.print(f"default method {args.default}: F1@10 {default.scores.f1:.3f} vs YAKE "
                      f"{baseline.scores.f1:.3f}; {default.docs_per_second(documents):,.0f} "
                      f"vs {baseline.docs_per_second(documents):,.0f} docs/s",
                      markup=False, highlight=False)
        for bar in bars:
            console.print(bar.line, markup=False, highlight=False)
    total = time.perf_counter() - started
    console.print(f"total run time {total:.1f} s", markup=False, highlight=False)
    changed = source_fingerprint() != fingerprint
    if changed:
        console.print("WARNING: files under src/ changed during the run; the modules imported "
                      "when each system was made were measured", markup=False, highlight=False)

    if args.json:
        report = {
            "arguments": {"data": str(args.data), "runs": args.runs, "methods": args.methods,
                          "json": str(args.json)},
            "source": version, "source_fingerprint": fingerprint,
            "source_changed_during_run": changed, "machine": machine,
            "default_method": args.default,
            "top": TOP, "warm_up_documents": WARM_UP_DOCS, "documents": documents,
            "gold_phrases": sum(map(len, gold)), "gold_in_text_share": reachable,
            "document_ids": corpus.ids,
            "systems": [system_figures(outcome, documents, baseline) for outcome in outcomes],
            "bars": [{"name": bar.name, "passed": bar.passed, "figures": bar.figures}
                     for bar in bars],
            "judged": judged, "total_seconds": total,
        }
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
        console.print(f"wrote {args.json}", markup=False, highlight=False)
    return 0


def system_figures(outcome: Outcome, documents: int, baseline: Outcome) -> dict[str, Any]:
    """The JSON record of one system: scores, times and per-document F1."""
    assert outcome.scores is not None and baseline.scores is not None
    base_f1 = baseline.scores.f1
    return {
        "system": outcome.name, **outcome.scores.to_dict(),
        "f1_vs_yake": outcome.scores.f1 / base_f1 if base_f1 else None,
        "docs_per_second": outcome.docs_per_second(documents),
        "median_seconds": outcome.median, "median_fit_seconds": outcome.median_fit,
        "run_seconds": [run.seconds for run in outcome.runs],
        "run_fit_seconds": [run.fit_seconds for run in outcome.runs],
        "setup_seconds": outcome.setup_seconds, "same_phrases_every_run": outcome.consistent,
        "per_document_f1": outcome.scores.per_document_f1().tolist(),
    }


if __name__ == "__main__":
    sys.exit(main())
