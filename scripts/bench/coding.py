"""Benchmark: openends codebook coding on NHS FFT against a TF-IDF + logistic-regression coder.

Data: the NHS Friends and Family Test development file (``--data``); the text is the
``FFT answer`` column, the human codes are the 0/1 columns after ``Comment sentiment`` (50
themes, blanks read as 0). Rows with an empty answer are dropped and counted; themes with
fewer than 5 positives in the whole file are listed.

Systems, in one process on the same answers and the same folds:

- ``trained``: ``TrainedCoder(embedder="static", folds=5, min_examples=5, seed=--seed)``,
  ``fit(texts, labels)`` on the training part of a fold, then ``predict`` and ``decide``
  on its held-out part (themes it does not model are predicted 0);
- ``TF-IDF + LR`` (baseline): ``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
  min_df=2)`` + ``OneVsRestClassifier(LogisticRegression(max_iter=1000))``, fitted on the
  same training part; a theme is coded when its probability is >= 0.5;
- ``zero-shot semantic`` (informative, no bar): ``SemanticCoder(codebook, embedder="static",
  cache=None)`` with a codebook written from the theme names alone (id = a slug of the
  column name, label and description = the column name; no patterns, no examples), fitted
  on and coding every answer;
- ``rules + semantic`` (speed): ``RuleCoder`` and ``SemanticCoder(embedder="static",
  cache=None)`` with the theme-name codebook plus include patterns ``word*`` made of the
  lower-cased words (4+ letters) of each theme name, so that rules really match.

Quality: outer ``--folds``-fold cross-validation (``KFold(shuffle=True, random_state=
--seed)``); the held-out predictions of every fold are pooled. Macro F1 is the mean over
the themes with at least one positive, sample F1 is scikit-learn's ``average="samples"``
(``zero_division=0``), micro F1 is pooled over all themes; "exact" is the share of answers
whose whole code set is right. The differences trained - baseline in macro and sample F1
get a paired bootstrap 95% interval (1,000 resamples of answers, seed 0).

Semi-automatic coding: in each outer fold ``decide(held_out_texts, --min-precision)`` marks
each answer ``auto`` or ``review``; pooled over folds we report the share ``auto`` and how
often an ``auto`` answer's whole code set (all 50 themes) equals the human one, with a Wilson
95% interval. The baseline gets the same treatment with a confidence threshold: confidence =
the product over themes of max(p, 1 - p); its cut-off is chosen on the training part of each
outer fold by an inner 5-fold cross-validation (out-of-fold predictions), as the lowest
confidence at which the answers at or above it are exactly right >= --min-precision of the
time; it is then applied to the held-out part.

Speed: 10,000 answers resampled with replacement from the non-empty answers (seed --seed),
each with its own ``response_id`` and status ``ok``. One untimed warm-up (spaCy, the static
model) on 200 of them; then ``--runs`` runs, each making and fitting both coders (timed
separately, as "fit") and coding the 10,000 answers with both (``rules.code`` +
``semantic.code``, timed as "code"). answers/s = 10,000 / median code time. There is no
embedding cache, so every answer is really embedded. Importing openends' coding modules and
loading the static model once, in a fresh interpreter, is reported separately.

Bars: the trained coder's macro and sample F1 above the baseline's; its ``auto`` answers
have their whole code set right >= 95% of the time; rules + semantic code >= 10,000
answers/s. The aim of >= 85% ``auto`` is reported beside them. The script exits 0 whether
the bars pass or fail (2 on missing or malformed data, or bad options).

Usage:
    python scripts/bench/coding.py --json /tmp/coding-bench.json
    python scripts/bench/coding.py --folds 3 --runs 1 --skip-zero-shot
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from bench_common import (
    Bar,
    machine_facts,
    new_table,
    read_nhs_csv,
    source_version,
    warn_if_source_changed,
)
from rich.console import Console
from rich.table import Table

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "nhs_fft" / "v6framework_230831.csv"
TEXT_COLUMN = "FFT answer"
LAST_METADATA_COLUMN = "Comment sentiment"  # the 0/1 theme columns follow it
MIN_POSITIVES = 5
INNER_FOLDS = 5
PROBABILITY_THRESHOLD = 0.5
MIN_PRECISION = 0.95
AUTO_AIM = 0.85
BASELINE_AUTO_REFERENCE = 0.70  # "a plain TF-IDF + LR coder reaches about 70%" (SPEC 7)
SPEED_ANSWERS = 10_000
SPEED_BAR = 10_000.0
WARM_UP_ANSWERS = 200
PATTERN_MIN_LETTERS = 4
RESAMPLES = 1_000
BOOTSTRAP_SEED = 0
Z95 = 1.959963984540054
TRAINED = "trained (static)"
BASELINE = "TF-IDF + LR"
PACKAGES = ("openends", "scikit-learn", "spacy", "model2vec", "numpy", "pandas")

LOAD_STACK = """
import json, time
start = time.perf_counter()
import openends.coding.rules, openends.coding.semantic, openends.coding.trained
from openends.embed import get_embedder
imported = time.perf_counter()
get_embedder("static").embed(["warm up"])
print(json.dumps({"import": imported - start, "load": time.perf_counter() - imported}))
"""


class DataError(Exception):
    """The benchmark data is missing or malformed (reported on one line, exit status 2)."""


# -- data ----------------------------------------------------------------------------------
def slug(name: str) -> str:
    """A codebook id made of a theme's column name.

    Example:
        >>> slug("Staff listening, understanding & involving patients")
        'staff_listening_understanding_involving_patients'
    """
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


@dataclass(frozen=True)
class Dataset:
    """The non-empty answers and their human codes (one 0/1 column per theme)."""

    path: Path
    texts: list[str]
    labels: np.ndarray  # answers x themes, 0/1
    themes: list[str]   # column names
    ids: list[str]      # slugs of the column names, the codebook ids
    rows_read: int

    @property
    def dropped(self) -> int:
        return self.rows_read - len(self.texts)

    @property
    def positives(self) -> np.ndarray:
        return np.asarray(self.labels.sum(axis=0))

    def rare(self) -> list[tuple[str, int]]:
        """Themes with fewer than ``MIN_POSITIVES`` positives, with their counts."""
        return [(theme, int(count)) for theme, count in zip(self.themes, self.positives,
                                                              strict=True)
                if count < MIN_POSITIVES]

    def labels_frame(self, rows: np.ndarray) -> pd.DataFrame:
        """The human codes of ``rows`` as a 0/1 DataFrame with the codebook ids as columns."""
        return pd.DataFrame(self.labels[rows], columns=self.ids)


def load_dataset(path: Path) -> Dataset:
    """Read the CSV: the text column and the 0/1 theme columns after ``Comment sentiment``."""
    table = read_nhs_csv(path, DataError)
    columns = list(table.columns)
    for needed in (TEXT_COLUMN, LAST_METADATA_COLUMN):
        if needed not in columns:
            raise DataError(f"{path}: no {needed!r} column")
    themes = columns[columns.index(LAST_METADATA_COLUMN) + 1:]
    if not themes:
        raise DataError(f"{path}: no theme columns after {LAST_METADATA_COLUMN!r}")
    flags = table[themes].apply(lambda column: column.str.strip()).replace("", "0")
    flags = flags.apply(pd.to_numeric, errors="coerce")
    if flags.isna().any().any() or not flags.isin([0, 1]).all().all():
        raise DataError(f"{path}: the columns after {LAST_METADATA_COLUMN!r} are not all 0/1")
    ids = [slug(theme) for theme in themes]
    if len(set(ids)) != len(ids) or not all(ids):
        raise DataError(f"{path}: theme names do not give distinct ids")
    texts = table[TEXT_COLUMN].astype(str)
    kept = np.flatnonzero((texts.str.strip() != "").to_numpy())
    if len(kept) < 2 * MIN_POSITIVES:
        raise DataError(f"{path}: only {len(kept)} non-empty answers")
    return Dataset(path, texts.iloc[kept].tolist(), flags.to_numpy(dtype=np.int8)[kept],
                   themes, ids, len(table))


# -- scoring -------------------------------------------------------------------------------
@dataclass(frozen=True)
class F1s:
    """Multi-label scores of one system against the human codes."""

    micro: float
    macro: float
    samples: float
    exact: float   # share of answers whose whole code set is right
    themes: int    # themes in the macro mean (those with positives)

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def score(truth: np.ndarray, predicted: np.ndarray) -> F1s:
    """Micro, macro (themes with positives) and sample F1, and the exact-set share."""
    from sklearn.metrics import f1_score

    present = np.flatnonzero(truth.sum(axis=0) > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        micro = f1_score(truth, predicted, average="micro", zero_division=0)
        macro = f1_score(truth, predicted, average="macro", labels=present, zero_division=0)
        samples = f1_score(truth, predicted, average="samples", zero_division=0)
    exact = float((truth == predicted).all(axis=1).mean())
    return F1s(float(micro), float(macro), float(samples), exact, len(present))


def per_theme_f1(truth: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """F1 of each theme (NaN where the theme has no positives)."""
    tp = (truth * predicted).sum(axis=0).astype(float)
    fp = ((1 - truth) * predicted).sum(axis=0)
    fn = (truth * (1 - predicted)).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = 2 * tp / (2 * tp + fp + fn)
    return np.where(truth.sum(axis=0) > 0, f1, np.nan)


def row_f1(truth: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """F1 of each answer's code set (0 when both sets are empty, as ``zero_division=0``)."""
    both = (truth * predicted).sum(axis=1).astype(float)
    sizes = truth.sum(axis=1) + predicted.sum(axis=1)
    return np.asarray(np.divide(2 * both, sizes, out=np.zeros(len(truth)), where=sizes > 0))


def weighted_f1s(weights: np.ndarray, truth: np.ndarray, predicted: np.ndarray,
                 answer_f1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Macro and sample F1 of resamples given as answer counts (rows of ``weights``)."""
    hits = weights @ (truth * predicted)
    wrong = weights @ ((1 - truth) * predicted) + weights @ (truth * (1 - predicted))
    present = (weights @ truth) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        theme_f1 = np.where(present, 2 * hits / (2 * hits + wrong), np.nan)
    macro = np.nanmean(theme_f1, axis=1)
    samples = weights @ answer_f1 / weights.sum(axis=1)
    return macro, samples


def bootstrap_difference(truth: np.ndarray, first: np.ndarray, second: np.ndarray, *,
                         resamples: int = RESAMPLES, seed: int = BOOTSTRAP_SEED,
                         chunk: int = 100) -> dict[str, list[float]]:
    """95% percentile intervals of macro and sample F1 of ``first`` minus ``second``.

    Each resample draws answers with replacement and keeps the two systems' predictions of
    an answer together (a paired bootstrap).
    """
    rng = np.random.default_rng(seed)
    size = len(truth)
    y = truth.astype(np.float32)
    a, b = first.astype(np.float32), second.astype(np.float32)
    f1_a, f1_b = row_f1(truth, first), row_f1(truth, second)
    macro, samples = [], []
    for start in range(0, resamples, chunk):
        count = min(chunk, resamples - start)
        draws = rng.integers(0, size, size=(count, size))
        weights = np.stack([np.bincount(row, minlength=size) for row in draws]).astype(
            np.float32)
        macro_a, samples_a = weighted_f1s(weights, y, a, f1_a)
        macro_b, samples_b = weighted_f1s(weights, y, b, f1_b)
        macro.append(macro_a - macro_b)
        samples.append(samples_a - samples_b)
    return {name: [float(v) for v in np.percentile(np.concatenate(values), [2.5, 97.5])]
            for name, values in (("macro", macro), ("samples", samples))}


def wilson(successes: int, total: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion (NaNs when ``total`` is 0).

    Example:
        >>> [round(v, 3) for v in wilson(95, 100)]
        [0.888, 0.978]
    """
    if total == 0:
        return math.nan, math.nan
    share = successes / total
    centre = share + z * z / (2 * total)
    half = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    scale = 1 + z * z / total
    return (centre - half) / scale, (centre + half) / scale


# -- the baseline --------------------------------------------------------------------------
class TfidfLogistic:
    """TF-IDF of words and word pairs + one logistic regression per theme."""

    def fit(self, texts: Sequence[str], labels: np.ndarray) -> TfidfLogistic:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import make_pipeline

        self.model_ = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
            OneVsRestClassifier(LogisticRegression(max_iter=1000)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # themes absent from the training part
            self.model_.fit(list(texts), labels)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(list(texts)), dtype=float)


def threshold(probabilities: np.ndarray) -> np.ndarray:
    return (probabilities >= PROBABILITY_THRESHOLD).astype(np.int8)


def confidence(probabilities: np.ndarray) -> np.ndarray:
    """Product over themes of max(p, 1 - p): how sure the baseline is of the whole set."""
    sure = np.clip(np.maximum(probabilities, 1 - probabilities), 1e-12, 1.0)
    return np.asarray(np.exp(np.log(sure).sum(axis=1)))


def choose_cutoff(sureness: np.ndarray, correct: np.ndarray, target: float) -> float:
    """The lowest confidence at which the answers at or above it are right >= ``target``.

    ``inf`` (nothing automatic) when no cut-off reaches the target.

    Example:
        >>> choose_cutoff(np.array([0.9, 0.8, 0.7, 0.6]), np.array([1, 1, 0, 0]), 0.6)
        0.7
    """
    order = np.argsort(-sureness, kind="stable")
    ranked, hits = sureness[order], correct[order].astype(float)
    accuracy = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    at_boundary = np.r_[ranked[1:] < ranked[:-1], True]  # ties go in or out together
    good = np.flatnonzero(at_boundary & (accuracy >= target))
    return float(ranked[good[-1]]) if good.size else math.inf


def baseline_cutoff(texts: Sequence[str], labels: np.ndarray, target: float,
                    seed: int) -> float:
    """Cut-off for ``target`` from inner cross-validated predictions on the training part."""
    from sklearn.model_selection import KFold

    probabilities = np.zeros(labels.shape, dtype=float)
    folds = KFold(INNER_FOLDS, shuffle=True, random_state=seed)
    for train, test in folds.split(np.arange(len(texts))):
        model = TfidfLogistic().fit([texts[i] for i in train], labels[train])
        probabilities[test] = model.predict_proba([texts[i] for i in test])
    correct = (threshold(probabilities) == labels).all(axis=1)
    return choose_cutoff(confidence(probabilities), correct, target)


# -- the trained coder ---------------------------------------------------------------------
def full_codes(values: Any, columns: Sequence[str], ids: Sequence[str]) -> np.ndarray:
    """Predictions over the coder's own themes, spread over every theme (absent ones 0)."""
    if isinstance(values, pd.DataFrame):
        columns, values = list(values.columns), values.to_numpy()
    values = np.asarray(values)
    where = {theme: position for position, theme in enumerate(ids)}
    codes = np.zeros((values.shape[0], len(ids)), dtype=np.int8)
    for position, theme in enumerate(columns):
        codes[:, where[str(theme)]] = values[:, position] >= PROBABILITY_THRESHOLD
    return codes


# -- cross-validation ----------------------------------------------------------------------
@dataclass
class Fold:
    """What one outer fold measured."""

    number: int
    test: np.ndarray
    trained: np.ndarray = field(repr=False)          # held-out codes, every theme
    baseline: np.ndarray = field(repr=False)
    auto: np.ndarray = field(repr=False)             # trained coder's "auto" answers
    expected_accuracy: float = math.nan              # the coder's own estimate
    expected_auto_share: float = math.nan
    baseline_confidence: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    baseline_cutoff: float = math.inf
    too_few: list[str] = field(default_factory=list)
    modelled: int = 0
    quality: Any = None
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self, truth: np.ndarray) -> dict[str, Any]:
        exact = (self.trained == truth).all(axis=1)
        base_exact = (self.baseline == truth).all(axis=1)
        base_auto = self.baseline_confidence >= self.baseline_cutoff
        return {
            "fold": self.number, "answers": len(self.test),
            "trained": score(truth, self.trained).to_dict(),
            "baseline": score(truth, self.baseline).to_dict(),
            "trained_auto_share": float(self.auto.mean()),
            "trained_auto_accuracy": share(exact[self.auto]),
            "trained_expected_accuracy": self.expected_accuracy,
            "trained_expected_auto_share": self.expected_auto_share,
            "baseline_cutoff": self.baseline_cutoff,
            "baseline_auto_share": float(base_auto.mean()),
            "baseline_auto_accuracy": share(base_exact[base_auto]),
            "trained_themes_modelled": self.modelled, "trained_too_few": self.too_few,
            "trained_quality": self.quality, "seconds": self.seconds,
        }


def share(flags: np.ndarray) -> float:
    return float(flags.mean()) if len(flags) else math.nan


def run_fold(data: Dataset, number: int, train: np.ndarray, test: np.ndarray, *,
             seed: int, min_precision: float) -> Fold:
    """Fit both systems on ``train`` and code ``test``; choose the baseline's cut-off."""
    from openends.coding.trained import TrainedCoder

    train_texts = [data.texts[i] for i in train]
    test_texts = [data.texts[i] for i in test]
    seconds: dict[str, float] = {}

    start = time.perf_counter()
    coder = TrainedCoder(embedder="static", folds=5, min_examples=MIN_POSITIVES, seed=seed)
    coder.fit(train_texts, data.labels_frame(train))
    seconds["trained_fit"] = time.perf_counter() - start
    start = time.perf_counter()
    themes = [str(theme) for theme in coder.themes_]
    trained = full_codes(coder.predict(test_texts), themes, data.ids)
    seconds["trained_predict"] = time.perf_counter() - start
    start = time.perf_counter()
    decisions, expected_accuracy, expected_share = coder.decide(test_texts, min_precision)
    seconds["trained_decide"] = time.perf_counter() - start

    start = time.perf_counter()
    probabilities = TfidfLogistic().fit(train_texts, data.labels[train]).predict_proba(
        test_texts)
    seconds["baseline_fit_predict"] = time.perf_counter() - start
    start = time.perf_counter()
    cutoff = baseline_cutoff(train_texts, data.labels[train], min_precision, seed)
    seconds["baseline_cutoff"] = time.perf_counter() - start

    return Fold(number, test, trained, threshold(probabilities),
                np.array([decision == "auto" for decision in decisions], dtype=bool),
                float(expected_accuracy), float(expected_share), confidence(probabilities),
                cutoff, sorted(str(theme) for theme in getattr(coder, "too_few_", [])),
                len(themes), plain(getattr(coder, "quality_", None)), seconds)


@dataclass
class CrossValidation:
    """The held-out predictions of every fold, pooled in the order of the answers."""

    folds: list[Fold]
    trained: np.ndarray
    baseline: np.ndarray
    auto: np.ndarray
    baseline_auto: np.ndarray


def cross_validate(data: Dataset, *, folds: int, seed: int, min_precision: float,
                   console: Console) -> CrossValidation:
    """Outer k-fold cross-validation of the trained coder and the baseline, side by side."""
    from sklearn.model_selection import KFold

    size, themes = data.labels.shape
    trained = np.zeros((size, themes), dtype=np.int8)
    baseline = np.zeros((size, themes), dtype=np.int8)
    auto = np.zeros(size, dtype=bool)
    baseline_auto = np.zeros(size, dtype=bool)
    done: list[Fold] = []
    splits = KFold(folds, shuffle=True, random_state=seed).split(np.arange(size))
    for number, (train, test) in enumerate(splits, start=1):
        fold = run_fold(data, number, train, test, seed=seed, min_precision=min_precision)
        trained[test], baseline[test], auto[test] = fold.trained, fold.baseline, fold.auto
        baseline_auto[test] = fold.baseline_confidence >= fold.baseline_cutoff
        done.append(fold)
        took = fold.seconds
        say(console, f"fold {number}/{folds}: {len(train):,} training, {len(test):,} held out; "
                     f"trained fit {took['trained_fit']:.1f} s, predict "
                     f"{took['trained_predict']:.1f} s, decide {took['trained_decide']:.1f} s; "
                     f"baseline fit + predict {took['baseline_fit_predict']:.1f} s, cut-off "
                     f"(inner CV) {took['baseline_cutoff']:.1f} s")
    return CrossValidation(done, trained, baseline, auto, baseline_auto)


@dataclass(frozen=True)
class AutoFigures:
    """How many answers a system would code on its own, and how often it got them right."""

    system: str
    answers: int
    auto: int
    correct: int           # auto answers with the whole code set right
    correct_all: int       # all answers with the whole code set right
    rule: str

    @property
    def share(self) -> float:
        return self.auto / self.answers if self.answers else math.nan

    @property
    def accuracy(self) -> float:
        return self.correct / self.auto if self.auto else math.nan

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.correct, self.auto)

    @property
    def review_accuracy(self) -> float:
        review = self.answers - self.auto
        return (self.correct_all - self.correct) / review if review else math.nan

    def to_dict(self) -> dict[str, Any]:
        return {"system": self.system, "answers": self.answers, "auto": self.auto,
                "auto_correct": self.correct, "auto_share": self.share,
                "auto_accuracy": self.accuracy, "auto_accuracy_wilson95": list(self.interval),
                "review_accuracy": self.review_accuracy, "rule": self.rule}


def auto_figures(system: str, truth: np.ndarray, predicted: np.ndarray, auto: np.ndarray,
                 rule: str) -> AutoFigures:
    exact = (truth == predicted).all(axis=1)
    return AutoFigures(system, len(truth), int(auto.sum()), int(exact[auto].sum()),
                       int(exact.sum()), rule)


# -- codebooks, zero-shot and speed --------------------------------------------------------
def name_codebook(data: Dataset, *, patterns: bool) -> Any:
    """A codebook written from the theme names; ``patterns`` adds ``word*`` includes."""
    from openends.coding.codebook import parse_codebook

    themes = []
    for theme_id, name in zip(data.ids, data.themes, strict=True):
        theme: dict[str, Any] = {"id": theme_id, "label": name, "description": name}
        if patterns:
            words = re.findall(r"[a-z]+", name.lower())
            theme["include"] = [f"{word}*" for word in dict.fromkeys(words)
                                if len(word) >= PATTERN_MIN_LETTERS]
        themes.append(theme)
    return parse_codebook({"name": "NHS FFT theme names", "themes": themes},
                          where="theme-name codebook")


def responses_frame(texts: Sequence[str], prefix: str) -> pd.DataFrame:
    """A responses table the coders read: ``response_id``, ``redacted_text``, ``status``."""
    return pd.DataFrame({"response_id": [f"{prefix}:{i}" for i in range(len(texts))],
                         "redacted_text": list(texts), "status": "ok"})


def codes_matrix(codes: pd.DataFrame, response_ids: Sequence[str],
                 theme_ids: Sequence[str]) -> np.ndarray:
    """A long codes table as an answers x themes 0/1 matrix (every row counts as coded)."""
    rows = {response_id: position for position, response_id in enumerate(response_ids)}
    columns = {theme_id: position for position, theme_id in enumerate(theme_ids)}
    matrix = np.zeros((len(response_ids), len(theme_ids)), dtype=np.int8)
    found_rows = codes["response_id"].astype(str).map(rows)
    found_columns = codes["theme"].astype(str).map(columns)
    known = (found_rows.notna() & found_columns.notna()).to_numpy()
    matrix[found_rows[known].astype(int).to_numpy(),
           found_columns[known].astype(int).to_numpy()] = 1
    return matrix


@dataclass(frozen=True)
class ZeroShot:
    scores: F1s
    fit_seconds: float
    code_seconds: float
    answers_coded: int
    codes: int


def zero_shot(data: Dataset) -> ZeroShot:
    """The semantic coder with the theme-name codebook on every answer."""
    from openends.coding.semantic import SemanticCoder

    responses = responses_frame(data.texts, "nhs")
    start = time.perf_counter()
    coder = SemanticCoder(name_codebook(data, patterns=False), embedder="static", cache=None)
    coder.fit(responses)
    fitted = time.perf_counter()
    codes = coder.code(responses)
    coded = time.perf_counter()
    predicted = codes_matrix(codes, responses["response_id"].tolist(), data.ids)
    return ZeroShot(score(data.labels, predicted), fitted - start, coded - fitted,
                    int(predicted.any(axis=1).sum()), len(codes))


@dataclass
class SpeedRun:
    fit_rules: float
    fit_semantic: float
    code_rules: float
    code_semantic: float

    @property
    def code(self) -> float:
        return self.code_rules + self.code_semantic


@dataclass
class Speed:
    answers: int
    runs: list[SpeedRun]
    warm_up_seconds: float
    rule_codes: int
    semantic_codes: int
    answers_with_rule_code: int
    answers_with_semantic_code: int
    same_codes_every_run: bool
    stack_load: dict[str, float] | None

    def median(self, name: str) -> float:
        return float(statistics.median(getattr(run, name) for run in self.runs))

    @property
    def per_second(self) -> float:
        median = self.median("code")
        return self.answers / median if median > 0 else math.inf

    def to_dict(self) -> dict[str, Any]:
        return {"answers": self.answers, "answers_per_second": self.per_second,
                "median_seconds": {name: self.median(name) for name in (
                    "fit_rules", "fit_semantic", "code_rules", "code_semantic", "code")},
                "runs": [asdict(run) | {"code": run.code} for run in self.runs],
                "warm_up_seconds": self.warm_up_seconds, "rule_codes": self.rule_codes,
                "semantic_codes": self.semantic_codes,
                "answers_with_rule_code": self.answers_with_rule_code,
                "answers_with_semantic_code": self.answers_with_semantic_code,
                "same_codes_every_run": self.same_codes_every_run,
                "stack_load_seconds_fresh_interpreter": self.stack_load}


def code_once(codebook: Any, responses: pd.DataFrame
              ) -> tuple[SpeedRun, pd.DataFrame, pd.DataFrame]:
    """Make, fit and code with RuleCoder and SemanticCoder(static), timing each step."""
    from openends.coding.rules import RuleCoder
    from openends.coding.semantic import SemanticCoder

    start = time.perf_counter()
    rules = RuleCoder(codebook).fit(responses)
    fit_rules = time.perf_counter()
    semantic = SemanticCoder(codebook, embedder="static", cache=None).fit(responses)
    fit_semantic = time.perf_counter()
    rule_codes = rules.code(responses)
    code_rules = time.perf_counter()
    semantic_codes = semantic.code(responses)
    code_semantic = time.perf_counter()
    run = SpeedRun(fit_rules - start, fit_semantic - fit_rules, code_rules - fit_semantic,
                   code_semantic - code_rules)
    return run, rule_codes, semantic_codes


def stack_load_time() -> dict[str, float] | None:
    """Import the coders and load the static model once, in a fresh interpreter."""
    try:
        done = subprocess.run([sys.executable, "-c", LOAD_STACK], check=True,
                              capture_output=True, text=True, env=os.environ.copy())
        loaded: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.CalledProcessError, ValueError, IndexError):
        return None
    return loaded


def speed(data: Dataset, *, runs: int, seed: int) -> Speed:
    """Rules + semantic coding of ``SPEED_ANSWERS`` resampled answers, ``runs`` times."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(data.texts), size=SPEED_ANSWERS, replace=True)
    responses = responses_frame([data.texts[i] for i in rows], "speed")
    codebook = name_codebook(data, patterns=True)
    start = time.perf_counter()
    code_once(codebook, responses.iloc[:WARM_UP_ANSWERS].reset_index(drop=True))
    warm_up = time.perf_counter() - start
    timed, first = [], None
    same = True
    for _ in range(runs):
        run, rule_codes, semantic_codes = code_once(codebook, responses)
        timed.append(run)
        if first is None:
            first = (rule_codes, semantic_codes)
        else:
            same = same and first[0].equals(rule_codes) and first[1].equals(semantic_codes)
    assert first is not None
    rule_codes, semantic_codes = first
    return Speed(len(responses), timed, warm_up, len(rule_codes), len(semantic_codes),
                 int(rule_codes["response_id"].nunique()),
                 int(semantic_codes["response_id"].nunique()), same, stack_load_time())


# -- printing ------------------------------------------------------------------------------
def say(console: Console, text: str) -> None:
    console.print(text, markup=False, highlight=False)


def number(value: float, digits: int = 3) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def percent(value: float) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.1%}"


def quality_table(trained: F1s, baseline: F1s, difference: dict[str, list[float]],
                  folds: int, seconds: dict[str, float]) -> Table:
    table = new_table(
        f"Cross-validated quality ({folds}-fold, pooled held-out predictions)",
        ("system", "macro F1", "sample F1", "micro F1", "exact set", "fit+code s/fold"),
        caption=f"macro F1: mean over the {trained.themes} themes with positives; exact set: "
                f"answers with all 50 themes right. Difference: paired bootstrap 95% "
                f"interval, {RESAMPLES:,} resamples of answers.")
    for name, scores in ((TRAINED, trained), (BASELINE, baseline)):
        table.add_row(name, number(scores.macro), number(scores.samples), number(scores.micro),
                      percent(scores.exact), number(seconds[name], 1))
    macro, samples = difference["macro"], difference["samples"]
    table.add_row("difference (trained - baseline)",
                  f"{trained.macro - baseline.macro:+.3f} [{macro[0]:+.3f}, {macro[1]:+.3f}]",
                  f"{trained.samples - baseline.samples:+.3f} "
                  f"[{samples[0]:+.3f}, {samples[1]:+.3f}]",
                  f"{trained.micro - baseline.micro:+.3f}",
                  f"{trained.exact - baseline.exact:+.1%}", "")
    return table


def auto_table(figures: Sequence[AutoFigures], min_precision: float) -> Table:
    table = new_table(
        f"Semi-automatic coding, min precision {min_precision:g} (held-out folds, pooled)",
        ("system", "answers", "auto", "auto share", "auto whole-set right", "Wilson 95%",
         "review whole-set right"),
        caption="\n".join(f"{item.system}: {item.rule}" for item in figures))
    for item in figures:
        low, high = item.interval
        table.add_row(item.system, f"{item.answers:,}", f"{item.auto:,}", percent(item.share),
                      percent(item.accuracy), f"{percent(low)} - {percent(high)}",
                      percent(item.review_accuracy))
    return table


def folds_table(cv: CrossValidation, data: Dataset) -> Table:
    table = new_table("Per fold: auto answers (trained: measured vs its own estimate)",
                      ("fold", "held out", "trained auto", "right", "estimated right",
                       "estimated auto", "themes modelled", "baseline cut-off",
                       "baseline auto", "right"))
    for fold in cv.folds:
        figures = fold.to_dict(data.labels[fold.test])
        table.add_row(str(fold.number), f"{len(fold.test):,}",
                      percent(figures["trained_auto_share"]),
                      percent(figures["trained_auto_accuracy"]),
                      percent(fold.expected_accuracy), percent(fold.expected_auto_share),
                      f"{fold.modelled}", number(fold.baseline_cutoff),
                      percent(figures["baseline_auto_share"]),
                      percent(figures["baseline_auto_accuracy"]))
    return table


def zero_shot_table(found: ZeroShot, answers: int) -> Table:
    table = new_table(
        "Zero-shot semantic coder, codebook from the theme names only (all answers)",
        ("system", "macro F1", "sample F1", "micro F1", "exact set", "answers coded", "codes",
         "fit s", "code s"),
        caption="Informative, no bar: no examples and no patterns, only the 50 names.")
    scores = found.scores
    table.add_row("semantic (static), zero-shot", number(scores.macro), number(scores.samples),
                  number(scores.micro), percent(scores.exact),
                  f"{found.answers_coded:,} of {answers:,}", f"{found.codes:,}",
                  number(found.fit_seconds, 2), number(found.code_seconds, 2))
    return table


def speed_table(found: Speed) -> Table:
    table = new_table(
        f"Speed: rules + semantic (static, no cache) on {found.answers:,} resampled answers",
        ("step", "median s", "runs (s)", "answers/s"),
        caption=f"answers/s = {found.answers:,} / median code time (rules.code + "
                f"semantic.code). fit = make the coder and fit it (patterns, codebook "
                f"embeddings). Warm-up on {WARM_UP_ANSWERS} answers: "
                f"{found.warm_up_seconds:.2f} s (untimed).")
    for name, label in (("fit_rules", "rules fit"), ("fit_semantic", "semantic fit"),
                        ("code_rules", "rules code"), ("code_semantic", "semantic code"),
                        ("code", "rules + semantic code")):
        median = found.median(name)
        rate = f"{found.answers / median:,.0f}" if name.startswith("code") and median else ""
        table.add_row(label, f"{median:.3f}",
                      ", ".join(f"{getattr(run, name):.3f}" for run in found.runs), rate)
    return table


# -- bars ----------------------------------------------------------------------------------
def quality_bars(trained: F1s, baseline: F1s, difference: dict[str, list[float]],
                 auto: AutoFigures, base_auto: AutoFigures, min_precision: float) -> list[Bar]:
    macro, samples = difference["macro"], difference["samples"]
    low, high = auto.interval
    return [
        Bar("trained macro F1 > baseline", trained.macro > baseline.macro,
            f"{trained.macro:.3f} vs {baseline.macro:.3f}; difference "
            f"{trained.macro - baseline.macro:+.3f}, 95% CI {macro[0]:+.3f} to {macro[1]:+.3f}"),
        Bar("trained sample F1 > baseline", trained.samples > baseline.samples,
            f"{trained.samples:.3f} vs {baseline.samples:.3f}; difference "
            f"{trained.samples - baseline.samples:+.3f}, 95% CI {samples[0]:+.3f} to "
            f"{samples[1]:+.3f}"),
        Bar(f"trained auto answers whole code set right >= {min_precision:.0%}",
            auto.accuracy >= min_precision,
            f"{percent(auto.accuracy)} of {auto.auto:,} auto answers, Wilson 95% "
            f"{percent(low)} - {percent(high)}"),
        Bar(f"trained auto share >= {AUTO_AIM:.0%}", auto.share >= AUTO_AIM,
            f"{percent(auto.share)} auto; baseline with a confidence cut-off "
            f"{percent(base_auto.share)} auto at {percent(base_auto.accuracy)} right "
            f"(SPEC reference: about {BASELINE_AUTO_REFERENCE:.0%})", aim=True),
    ]


def speed_bar(found: Speed) -> Bar:
    return Bar(f"rules + semantic coding >= {SPEED_BAR:,.0f} answers/s",
               found.per_second >= SPEED_BAR,
               f"{found.per_second:,.0f} answers/s: {found.answers:,} answers in "
               f"{found.median('code'):.3f} s (median of {len(found.runs)}; rules "
               f"{found.median('code_rules'):.3f} s + semantic "
               f"{found.median('code_semantic'):.3f} s)")


# -- machine -------------------------------------------------------------------------------
def plain(value: Any) -> Any:
    """``value`` made of JSON types (DataFrames as records, arrays as lists)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, pd.DataFrame):
        return plain(value.reset_index().to_dict(orient="records"))
    if isinstance(value, pd.Series):
        return plain(value.to_dict())
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if hasattr(value, "model_dump"):
        return plain(value.model_dump())
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    return str(value)


# -- main ----------------------------------------------------------------------------------
def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="NHS FFT CSV (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3, help="timed speed runs (median)")
    parser.add_argument("--folds", type=int, default=5, help="outer cross-validation folds")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the folds, the trained coder and the speed resampling")
    parser.add_argument("--min-precision", type=float, default=MIN_PRECISION,
                        help="whole-set accuracy wanted of auto answers (default: %(default)s)")
    parser.add_argument("--skip-zero-shot", action="store_true",
                        help="leave out the zero-shot semantic coder")
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.folds < 2:
        parser.error("--folds must be at least 2")
    if not 0 < args.min_precision < 1:
        parser.error("--min-precision must be between 0 and 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    console = Console(width=None if sys.stdout.isatty() else 140)
    try:
        data = load_dataset(args.data)
    except (DataError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    version, machine = source_version(), machine_facts(PACKAGES)
    load = machine["load_average_at_start"]
    say(console, f"openends codebook coding vs TF-IDF + logistic regression; source {version}; "
                 f"{machine['cpu_count']} CPUs; load "
                 f"{'/'.join(f'{v:.2f}' for v in load) if load else '?'}; folds {args.folds}, "
                 f"seed {args.seed}, speed runs {args.runs}")
    rare = data.rare()
    say(console, f"data {data.path}: {data.rows_read:,} rows, {data.dropped:,} with an empty "
                 f"answer dropped, {len(data.texts):,} answers; {len(data.themes)} themes, "
                 f"{int((data.positives > 0).sum())} with positives; codes per answer "
                 f"{data.labels.sum(axis=1).mean():.2f}")
    say(console, f"themes with fewer than {MIN_POSITIVES} positives ({len(rare)}): "
                 + "; ".join(f"{theme} ({count})" for theme, count in rare))

    console.rule("Cross-validation: trained coder and baseline")
    cv = cross_validate(data, folds=args.folds, seed=args.seed,
                        min_precision=args.min_precision, console=console)
    trained, baseline = score(data.labels, cv.trained), score(data.labels, cv.baseline)
    difference = bootstrap_difference(data.labels, cv.trained, cv.baseline)
    seconds = {
        TRAINED: statistics.mean(sum(v for k, v in fold.seconds.items() if k.startswith(
            "trained")) for fold in cv.folds),
        BASELINE: statistics.mean(fold.seconds["baseline_fit_predict"] for fold in cv.folds)}
    console.print(quality_table(trained, baseline, difference, args.folds, seconds))
    theme_f1 = {name: per_theme_f1(data.labels, codes)
                for name, codes in ((TRAINED, cv.trained), (BASELINE, cv.baseline))}
    ahead = theme_f1[TRAINED] > theme_f1[BASELINE]
    behind = theme_f1[TRAINED] < theme_f1[BASELINE]
    say(console, f"per theme: trained F1 higher on {int(ahead.sum())}, lower on "
                 f"{int(behind.sum())}, equal on {trained.themes - int(ahead.sum() + behind.sum())}"
                 f" of the {trained.themes} themes with positives")
    auto = auto_figures(TRAINED, data.labels, cv.trained, cv.auto,
                        f"TrainedCoder.decide(held-out texts, {args.min_precision:g}) per fold")
    base_auto = auto_figures(
        BASELINE, data.labels, cv.baseline, cv.baseline_auto,
        f"confidence = product over themes of max(p, 1-p) >= a cut-off chosen per fold by "
        f"inner {INNER_FOLDS}-fold CV on the training part (out-of-fold predictions) for "
        f"{args.min_precision:g}")
    console.print(auto_table([auto, base_auto], args.min_precision))
    console.print(folds_table(cv, data))
    bars = quality_bars(trained, baseline, difference, auto, base_auto, args.min_precision)

    found_zero_shot = None
    if not args.skip_zero_shot:
        console.rule("Zero-shot semantic coder")
        found_zero_shot = zero_shot(data)
        console.print(zero_shot_table(found_zero_shot, len(data.texts)))

    console.rule("Speed: rules + semantic")
    found_speed = speed(data, runs=args.runs, seed=args.seed)
    console.print(speed_table(found_speed))
    say(console, f"codes on the {found_speed.answers:,} answers: rules {found_speed.rule_codes:,}"
                 f" ({found_speed.answers_with_rule_code:,} answers), semantic "
                 f"{found_speed.semantic_codes:,} ({found_speed.answers_with_semantic_code:,} "
                 f"answers); same codes every run: {found_speed.same_codes_every_run}")
    loaded = found_speed.stack_load
    say(console, "one-off, fresh interpreter (not in answers/s): " + (
        f"import the coders {loaded['import']:.2f} s, load the static model "
        f"{loaded['load']:.2f} s" if loaded else "could not be measured"))
    bars.append(speed_bar(found_speed))

    console.rule("Bars")
    for bar in bars:
        say(console, bar.line)
    total = time.perf_counter() - started
    say(console, f"total run time {total / 60:.1f} min ({total:.0f} s)")
    warn_if_source_changed(console, version)

    if args.json:
        report = {
            "arguments": {key: str(value) for key, value in vars(args).items()},
            "source": version, "machine": machine,
            "data": {"path": str(data.path), "rows": data.rows_read, "dropped_empty":
                     data.dropped, "answers": len(data.texts), "themes": data.themes,
                     "ids": data.ids, "positives": data.positives.tolist(),
                     "rare_themes": rare},
            "cross_validation": {
                "folds": args.folds, "seed": args.seed, "trained": trained.to_dict(),
                "baseline": baseline.to_dict(), "difference_ci95": difference,
                "bootstrap": {"resamples": RESAMPLES, "seed": BOOTSTRAP_SEED},
                "per_theme_f1": {name: dict(zip(data.themes, plain(values), strict=True))
                                 for name, values in theme_f1.items()},
                "seconds_per_fold": seconds,
                "folds_detail": [fold.to_dict(data.labels[fold.test]) for fold in cv.folds]},
            "semi_automatic": {"min_precision": args.min_precision,
                               "trained": auto.to_dict(), "baseline": base_auto.to_dict()},
            "zero_shot": None if found_zero_shot is None else {
                **found_zero_shot.scores.to_dict(), "fit_seconds": found_zero_shot.fit_seconds,
                "code_seconds": found_zero_shot.code_seconds,
                "answers_coded": found_zero_shot.answers_coded, "codes": found_zero_shot.codes},
            "speed": found_speed.to_dict(),
            "bars": [{"name": bar.name, "passed": bar.passed, "figures": bar.figures,
                      "aim": bar.aim} for bar in bars],
            "total_seconds": total,
        }
        args.json.write_text(json.dumps(plain(report), indent=2), encoding="utf-8")
        say(console, f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
