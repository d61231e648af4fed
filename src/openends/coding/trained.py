"""The trained coder: a coder learned from human codes, with honest quality estimates.

Features are word 1-2-gram TF-IDF, character 2-5-gram TF-IDF (within words, so typos
and word forms still match), the answer's embedding (``static`` by default; ``None``
for none) and, when answers carry one, their question; one L2 logistic regression per
theme learns from them, with classes weighted by their inverse frequency. Themes with
fewer than ``min_examples`` positive (or negative) answers are not modelled: they are
listed in ``too_few_`` and never predicted.

Everything the coder says about itself comes from ``folds``-fold cross-validation on
the training answers, never from training fit:

- **thresholds**: per theme, the probability cut that maximises F1 on the out-of-fold
  probabilities (``thresholds_``);
- **quality** (``quality_``): precision, recall and F1 per theme, macro and sample F1,
  and the share of answers whose whole code set is right, from out-of-fold decisions
  in which each fold's thresholds were chosen on the other folds only;
- **at least one code**: when ``at_least_one`` is None, the coder gives an answer that
  passes no threshold its most likely theme if that makes more out-of-fold answers
  exactly right (e.g. when every human-coded answer has a code);
- **semi-automatic coding**: each answer gets a confidence that its *whole* set of
  codes is right. Per theme, the out-of-fold probability is recalibrated (Platt) and
  turned into the probability that the theme's decision is right; the log of their
  product, the number of codes, the answer's length and its three narrowest margins to
  a threshold are combined by a logistic regression fitted on out-of-fold whole-set
  correctness, then calibrated by isotonic regression. ``curve_`` holds, per
  confidence cut-off, how many out-of-fold answers are at or above it and how many of
  those have their whole code set right, each answer's confidence coming from a
  confidence model fitted on the other folds. :meth:`TrainedCoder.decide` marks an answer
  ``auto`` when its confidence reaches the lowest cut-off at which the one-sided 95%
  Wilson lower bound of that accuracy is at least ``min_precision`` (so
  ``min_precision=1`` marks nothing ``auto`` and 0 marks everything). The estimates in
  ``quality_.semi_auto`` are cross-fitted: each fold is decided by a confidence model
  and cut-off fitted on the other folds.

The TF-IDF vocabularies and weights are learned from all training answers before the
folds are split (they use no codes). The final per-theme models are fitted on every
training answer.

Example:
    >>> texts = [f"{word} {filler}" for word in ("encrypted phones", "bitcoin payments",
    ...          "encrypted bitcoin wallets") for filler in ("now", "again", "lately", "mostly",
    ...          "always", "today", "often", "here")]
    >>> labels = pd.DataFrame({"encryption": [1] * 8 + [0] * 8 + [1] * 8,
    ...                        "crypto": [0] * 8 + [1] * 16, "tor": [0] * 23 + [1]})
    >>> coder = TrainedCoder(embedder=None, folds=4, min_examples=3).fit(texts, labels)
    >>> coder.themes_, coder.too_few_
    (['encryption', 'crypto'], {'tor': 1})
    >>> coder.predict(["encrypted chats", "bitcoin again"]).tolist()
    [[1, 0], [0, 1]]
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from openends.coding.base import CodingInput, codes_frame
from openends.errors import ConfigError, ModelError, NotFittedError

if TYPE_CHECKING:
    from rich.console import Group

    from openends.embed import Embedder, EmbeddingCache

Decision = Literal["auto", "review"]
SOURCE = "model"
DEFAULT_C = 4.0
WILSON_Z = 1.6448536269514722  # one-sided 95%
SEMI_AUTO_LEVELS = (0.8, 0.9, 0.95, 0.99)
WORD_OPTIONS: dict[str, Any] = {"analyzer": "word", "ngram_range": [1, 2], "lowercase": True,
                                "token_pattern": r"(?u)\b\w+\b", "sublinear_tf": True}
CHAR_OPTIONS: dict[str, Any] = {"analyzer": "char_wb", "ngram_range": [2, 5], "lowercase": True,
                                "sublinear_tf": True}
EVIDENCE_TERMS = 3
EVIDENCE_SHARE = 0.25
_MARGINS = 3
_MARGIN_CAP = 20.0
_EPSILON = 1e-6
_NOT_FITTED = "call fit(texts, labels) first, or load one with load_trained_coder"


# -- quality --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ThemeQuality:
    """Cross-validated quality of one modelled theme."""

    theme: str
    n_positive: int
    precision: float
    recall: float
    f1: float
    threshold: float


@dataclass(frozen=True)
class SemiAutoEstimate:
    """What ``--min-precision`` did on held-out folds: the share marked ``auto`` and how
    often those answers had their whole code set right (NaN when none was ``auto``)."""

    min_precision: float
    auto_share: float
    accuracy: float
    n_auto: int


@dataclass(frozen=True)
class CoderQuality:
    """A trained coder's cross-validated quality (see the module docstring).

    ``macro_f1`` averages F1 over every theme with at least one positive answer, a
    too-few theme counting as 0; ``macro_f1_modelled`` over the modelled themes only.
    ``sample_f1`` averages, over answers, the F1 of the answer's predicted codes against
    its human codes (1 when both are empty); ``exact`` is the share of answers whose
    whole code set is right.
    """

    n_answers: int
    folds: int
    themes: tuple[ThemeQuality, ...]
    too_few: dict[str, int]
    macro_f1: float
    macro_f1_modelled: float
    sample_f1: float
    exact: float
    semi_auto: tuple[SemiAutoEstimate, ...] = ()

    def at(self, min_precision: float) -> SemiAutoEstimate | None:
        """The semi-automatic estimate at ``min_precision``, if it was measured."""
        return next((item for item in self.semi_auto
                     if math.isclose(item.min_precision, min_precision)), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (an accuracy with no ``auto`` answers is None)."""
        data = asdict(self)
        for item in data["semi_auto"]:
            item["accuracy"] = None if math.isnan(item["accuracy"]) else item["accuracy"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CoderQuality:
        return cls(
            n_answers=int(data["n_answers"]), folds=int(data["folds"]),
            themes=tuple(ThemeQuality(**item) for item in data["themes"]),
            too_few={str(key): int(value) for key, value in data["too_few"].items()},
            macro_f1=float(data["macro_f1"]), macro_f1_modelled=float(data["macro_f1_modelled"]),
            sample_f1=float(data["sample_f1"]), exact=float(data["exact"]),
            semi_auto=tuple(SemiAutoEstimate(**{
                **item, "accuracy": math.nan if item["accuracy"] is None else item["accuracy"]})
                for item in data["semi_auto"]))

    def __rich__(self) -> Group:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        table = Table(title=f"Cross-validated quality ({self.folds}-fold, {self.n_answers:,} "
                      "answers)", title_justify="left", show_edge=False)
        table.add_column("theme", no_wrap=True)
        for name in ("positives", "precision", "recall", "F1", "threshold"):
            table.add_column(name, justify="right")
        for item in self.themes:
            table.add_row(item.theme, f"{item.n_positive:,}", f"{item.precision:.2f}",
                          f"{item.recall:.2f}", f"{item.f1:.2f}", f"{item.threshold:.2f}")
        lines = []
        few = {theme: count for theme, count in self.too_few.items() if count}
        if few:
            lines.append("Not modelled (too few examples): " + ", ".join(
                f"{theme} ({count})" for theme, count in few.items()))
        never = [theme for theme, count in self.too_few.items() if not count]
        if never:
            lines.append("Not modelled (no coded answers): " + ", ".join(never))
        lines.append(f"Macro F1 {self.macro_f1:.3f} (modelled themes {self.macro_f1_modelled:.3f})"
                     f", sample F1 {self.sample_f1:.3f}, whole code set right "
                     f"{self.exact:.1%}")
        estimate = self.at(0.95)
        if estimate is not None:
            right = "n/a" if math.isnan(estimate.accuracy) else f"{estimate.accuracy:.1%}"
            lines.append(f"At --min-precision 0.95: {estimate.auto_share:.1%} of answers auto, "
                         f"{right} of them with the whole code set right (held-out folds)")
        return Group(table, Text("\n".join(lines)))


# -- confidence that a whole code set is right -------------------------------------------------

@dataclass
class Confidence:
    """The fitted confidence model and its out-of-fold curve (arrays; saved as ``.npy``).

    ``platt``: per modelled theme, slope and intercept on the logit of its probability;
    ``mean``, ``scale``, ``coef``, ``intercept``: the logistic regression over the
    standardised confidence inputs; ``iso_x``, ``iso_y``: the isotonic calibration;
    ``cutoffs`` (descending), ``n`` and ``correct``: per cut-off, the out-of-fold
    answers at or above it and how many of them have their whole code set right.
    """

    platt: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    iso_x: np.ndarray
    iso_y: np.ndarray
    cutoffs: np.ndarray
    n: np.ndarray
    correct: np.ndarray
    n_total: int = field(default=0)

    ARRAYS = ("platt", "mean", "scale", "coef", "intercept", "iso_x", "iso_y", "cutoffs", "n",
              "correct")

    @classmethod
    def fit(cls, probabilities: np.ndarray, decided: np.ndarray, thresholds: np.ndarray,
            labels: np.ndarray, correct: np.ndarray, lengths: np.ndarray) -> Confidence:
        """Fit on out-of-fold probabilities, decisions and the thresholds each row used."""
        from sklearn.isotonic import IsotonicRegression

        platt = np.array([_platt(probabilities[:, column], labels[:, column])
                          for column in range(probabilities.shape[1])]).reshape(-1, 2)
        inputs = _confidence_inputs(probabilities, decided, thresholds, platt, lengths)
        mean, scale = inputs.mean(axis=0), inputs.std(axis=0)
        scale[scale == 0] = 1.0
        coef, intercept = np.zeros(inputs.shape[1]), np.zeros(1)
        coef[0] = 1.0  # the log-product alone, when correctness does not vary
        if 0 < correct.sum() < len(correct):
            from sklearn.linear_model import LogisticRegression

            model = LogisticRegression(C=1.0).fit((inputs - mean) / scale, correct)
            coef, intercept = model.coef_[0].astype(np.float64), model.intercept_.astype(
                np.float64)
        else:
            mean, scale = np.zeros_like(mean), np.ones_like(scale)
        scores = ((inputs - mean) / scale) @ coef + intercept[0]
        isotonic = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(
            scores, correct.astype(np.float64))
        confidence = cls(platt, mean, scale, coef, intercept,
                         np.asarray(isotonic.X_thresholds_, dtype=np.float64),
                         np.asarray(isotonic.y_thresholds_, dtype=np.float64),
                         np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
                         len(correct))
        levels = confidence.score(probabilities, decided, thresholds, lengths)
        confidence.cutoffs, confidence.n, confidence.correct = _curve(levels, correct)
        return confidence

    def score(self, probabilities: np.ndarray, decided: np.ndarray, thresholds: np.ndarray,
              lengths: np.ndarray) -> np.ndarray:
        """Calibrated confidence (0-1) that each answer's whole code set is right."""
        inputs = _confidence_inputs(probabilities, decided, thresholds, self.platt, lengths)
        scores = ((inputs - self.mean) / self.scale) @ self.coef + self.intercept[0]
        return np.interp(scores, self.iso_x, self.iso_y) if len(self.iso_x) else \
            np.zeros(len(scores))

    def cutoff(self, min_precision: float) -> tuple[float, float, float]:
        """``(cut-off, accuracy, share)``: the lowest cut-off whose answers reach
        ``min_precision`` (Wilson lower bound), with their accuracy and share out of fold.
        Nothing qualifies: ``(inf, nan, 0.0)``."""
        total = max(self.n_total, 1)
        if min_precision <= 0:
            overall = float(self.correct[-1] / self.n[-1]) if len(self.n) else math.nan
            return -math.inf, overall, 1.0
        qualifies = np.flatnonzero(wilson_lower(self.correct, self.n) >= min_precision)
        if not len(qualifies):
            return math.inf, math.nan, 0.0
        last = int(qualifies[-1])
        return (float(self.cutoffs[last]), float(self.correct[last] / self.n[last]),
                float(self.n[last] / total))

    @property
    def curve(self) -> pd.DataFrame:
        return pd.DataFrame({"cutoff": self.cutoffs, "n": self.n,
                             "share": self.n / max(self.n_total, 1),
                             "accuracy": self.correct / np.maximum(self.n, 1),
                             "lower_bound": wilson_lower(self.correct, self.n)})


def wilson_lower(correct: np.ndarray, n: np.ndarray, z: float = WILSON_Z) -> np.ndarray:
    """The Wilson score lower bound of ``correct / n`` (one-sided 95% by default).

    Example:
        >>> wilson_lower(np.array([95, 950]), np.array([100, 1000])).round(3).tolist()
        [0.901, 0.937]
    """
    correct, n = np.asarray(correct, dtype=np.float64), np.asarray(n, dtype=np.float64)
    size = np.maximum(n, 1.0)
    share = correct / size
    centre = share + z * z / (2 * size)
    spread = z * np.sqrt(share * (1 - share) / size + z * z / (4 * size * size))
    return np.where(n > 0, (centre - spread) / (1 + z * z / size), 0.0)


def _curve(levels: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.argsort(-levels, kind="stable")
    ranked, right = levels[order], correct[order].astype(np.int64)
    last = np.r_[ranked[1:] != ranked[:-1], True] if len(ranked) else np.zeros(0, dtype=bool)
    counts = np.arange(1, len(ranked) + 1, dtype=np.int64)
    return ranked[last], counts[last], np.cumsum(right)[last]


def _platt(probabilities: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    if labels.min() == labels.max():
        return 1.0, 0.0
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=100.0).fit(_logit(probabilities)[:, None], labels)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def _confidence_inputs(probabilities: np.ndarray, decided: np.ndarray, thresholds: np.ndarray,
                       platt: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per answer: log P(every decision right), number of codes, log length, three narrowest
    margins (logit distance to the threshold)."""
    logits = _logit(probabilities)
    calibrated = np.clip(_sigmoid(logits * platt[:, 0] + platt[:, 1]), _EPSILON, 1 - _EPSILON)
    right = np.where(decided, calibrated, 1 - calibrated)
    margins = np.sort(np.clip(np.abs(logits - _logit(thresholds)), 0, _MARGIN_CAP), axis=1)
    narrowest = np.full((len(probabilities), _MARGINS), _MARGIN_CAP)
    shown = min(_MARGINS, margins.shape[1])
    narrowest[:, :shown] = margins[:, :shown]
    return np.column_stack([np.log(right).sum(axis=1), decided.sum(axis=1),
                            np.log1p(lengths), narrowest])


def _logit(probabilities: np.ndarray) -> np.ndarray:
    clipped = np.clip(probabilities, _EPSILON, 1 - _EPSILON)
    return np.asarray(np.log(clipped / (1 - clipped)))


def _sigmoid(values: np.ndarray) -> np.ndarray:
    from scipy.special import expit

    return np.asarray(expit(values))


# -- the coder --------------------------------------------------------------------------------

class TrainedCoder:
    """A coder learned from human codes (see the module docstring).

    ``embedder``: ``static`` (default), ``minilm``, ``tfidf``, a folder, an
    :class:`~openends.embed.Embedder`, or None for TF-IDF features only. ``folds``:
    cross-validation folds behind the thresholds and the quality estimates.
    ``min_examples``: fewest positive (and negative) answers a theme needs to be
    modelled. ``C``: inverse regularisation strength of the per-theme logistic
    regressions. ``at_least_one``: give every answer at least one code (None: decide
    by cross-validation). ``models_dir`` and ``cache`` are the embedder's model folder
    and embedding cache; ``progress`` shows a progress bar on stderr while fitting.
    """

    name = "model"

    def __init__(self, *, embedder: str | Embedder | None = "static", folds: int = 5,
                 min_examples: int = 5, seed: int = 0, C: float = DEFAULT_C,
                 at_least_one: bool | None = None, models_dir: Path | None = None,
                 cache: EmbeddingCache | None = None, progress: bool = False) -> None:
        self.embedder = embedder
        self.folds = folds
        self.min_examples = min_examples
        self.seed = seed
        self.C = C
        self.at_least_one = at_least_one
        self.models_dir = models_dir
        self.cache = cache
        self.progress = progress

    # fitting

    def fit(self, texts: Sequence[str], labels: pd.DataFrame, *,
            questions: Sequence[str | None] | None = None) -> TrainedCoder:
        """Learn from ``texts`` and their human codes (one 0/1 column per theme, rows
        aligned with ``texts``); ``questions`` (optional) gives each answer's question."""
        texts = [str(text) for text in texts]
        truth = self._check_fit_input(texts, labels, questions)
        counts = truth.sum(axis=0)
        enough = (counts >= self.min_examples) & (len(texts) - counts >= self.min_examples)
        all_themes = [str(theme) for theme in labels.columns]
        if not enough.any():
            raise ModelError(
                f"no theme has at least {self.min_examples} answers coded with it (and as "
                f"many without it) among the {len(texts)} coded answers; code more answers, "
                "or lower min_examples")
        self.themes_ = [theme for theme, keep in zip(all_themes, enough, strict=True) if keep]
        self.too_few_ = {theme: int(count) for theme, count, keep
                         in zip(all_themes, counts, enough, strict=True) if not keep}
        modelled = truth[:, enough]
        features = self._fit_features(texts, questions)
        fold_of = assign_folds(truth, self.folds, self.seed)
        lengths = _lengths(texts)
        with _progress(self.progress, (self.folds + 1) * modelled.shape[1]) as advance:
            oof = self._out_of_fold(features, modelled, fold_of, advance)
            self.coef_, self.intercept_ = self._fit_themes(features, modelled, advance)
        self.thresholds_ = {theme: float(value) for theme, value
                            in zip(self.themes_, _thresholds(oof, modelled), strict=True)}
        row_thresholds = np.zeros_like(oof)
        for fold in range(self.folds):
            rows = fold_of == fold
            row_thresholds[rows] = _thresholds(oof[~rows], modelled[~rows])
        self.at_least_one_ = self._choose_at_least_one(oof, row_thresholds, truth, enough)
        decided = _decide(oof, row_thresholds, self.at_least_one_)
        correct = (_full(decided, enough) == truth).all(axis=1)
        self.confidence_ = Confidence.fit(oof, decided, row_thresholds, modelled, correct,
                                          lengths)
        levels, semi_auto = _cross_fitted(oof, decided, row_thresholds, modelled, correct,
                                          lengths, fold_of)
        # The curve behind decide() counts answers whose confidence came from a model that
        # did not see them, so its accuracies are not flattered by the fit.
        self.confidence_.cutoffs, self.confidence_.n, self.confidence_.correct = _curve(
            levels, correct)
        self.quality_ = _quality(truth, _full(decided, enough), all_themes, enough,
                                 self.thresholds_, self.too_few_, self.folds, semi_auto)
        return self

    def _check_fit_input(self, texts: list[str], labels: pd.DataFrame,
                         questions: Sequence[str | None] | None) -> np.ndarray:
        if not isinstance(labels, pd.DataFrame):
            raise ConfigError("labels must be a DataFrame with one 0/1 column per theme")
        if len(labels) != len(texts):
            raise ConfigError(f"{len(texts)} texts but {len(labels)} rows of labels; give one "
                              "row of codes per text, in the same order")
        if questions is not None and len(questions) != len(texts):
            raise ConfigError(f"{len(texts)} texts but {len(questions)} questions")
        if self.folds < 2:
            raise ConfigError(f"folds must be at least 2, not {self.folds}")
        if self.min_examples < 1:
            raise ConfigError(f"min_examples must be at least 1, not {self.min_examples}")
        if len(texts) < 2 * self.folds:
            raise ModelError(f"only {len(texts)} coded answers; {self.folds}-fold "
                             f"cross-validation needs at least {2 * self.folds}. Code more "
                             "answers")
        values = labels.to_numpy()
        try:
            numeric = values.astype(np.float64)
        except (TypeError, ValueError):
            numeric = np.full(values.shape, np.nan)
        bad = ~np.isin(numeric, (0.0, 1.0))
        if bad.any():
            row, column = (int(index) for index in np.argwhere(bad)[0])
            raise ConfigError(f"labels must be 0 or 1; column {str(labels.columns[column])!r} "
                              f"has {values[row, column]!r} on row {row + 1}")
        return numeric.astype(np.int64)

    def _fit_features(self, texts: list[str], questions: Sequence[str | None] | None) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.word_, self.char_ = (_fitted_vectorizer(TfidfVectorizer, options, texts)
                                  for options in (WORD_OPTIONS, CHAR_OPTIONS))
        self.embedder_ = self._make_embedder()
        self.embedder_identity_: str | None = None
        distinct = sorted({question for question in questions or [] if question})
        self.questions_ = distinct if len(distinct) > 1 else []
        features = self._features(texts, questions)
        if self.embedder_ is not None:
            self.embedder_identity_ = self.embedder_.identity
        return features

    def _make_embedder(self) -> Embedder | None:
        if self.embedder is None:
            return None
        if isinstance(self.embedder, str):
            from openends.embed import get_embedder

            return get_embedder(self.embedder, models_dir=self.models_dir, seed=self.seed,
                                progress=self.progress)
        return self.embedder

    def _out_of_fold(self, features: Any, labels: np.ndarray, fold_of: np.ndarray,
                     advance: Any) -> np.ndarray:
        probabilities = np.zeros(labels.shape)
        for fold in range(self.folds):
            rows = fold_of == fold
            coef, intercept = self._fit_themes(features[~rows], labels[~rows], advance)
            probabilities[rows] = _probabilities(features[rows], coef, intercept)
        return probabilities

    def _fit_themes(self, features: Any, labels: np.ndarray,
                    advance: Any) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression

        coef = np.zeros((labels.shape[1], features.shape[1]), dtype=np.float32)
        intercept = np.zeros(labels.shape[1])
        for column in range(labels.shape[1]):
            target = labels[:, column]
            if target.min() == target.max():  # a fold without one class: its base rate
                intercept[column] = _logit(np.array([(target.mean() * len(target) + 0.5)
                                                     / (len(target) + 1)]))[0]
            else:
                model = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear",
                                           dual=True, max_iter=1000, random_state=self.seed)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    model.fit(features, target)
                coef[column] = model.coef_[0]
                intercept[column] = float(model.intercept_[0])
            advance(1)
        return coef, intercept

    def _choose_at_least_one(self, oof: np.ndarray, thresholds: np.ndarray, truth: np.ndarray,
                             enough: np.ndarray) -> bool:
        if self.at_least_one is not None:
            return bool(self.at_least_one)
        exact = [(_full(_decide(oof, thresholds, choice), enough) == truth).all(axis=1).mean()
                 for choice in (False, True)]
        return bool(exact[1] > exact[0])

    # predicting

    def predict_proba(self, texts: Sequence[str], *,
                      questions: Sequence[str | None] | None = None) -> np.ndarray:
        """Probabilities, one column per modelled theme (``themes_``)."""
        self._check_fitted()
        return _probabilities(self._features([str(text) for text in texts], questions),
                              self.coef_, self.intercept_)

    def predict(self, texts: Sequence[str], *,
                questions: Sequence[str | None] | None = None) -> np.ndarray:
        """0/1 codes, one column per modelled theme (``themes_``)."""
        probabilities = self.predict_proba(texts, questions=questions)
        return _decide(probabilities, self._threshold_row(), self.at_least_one_).astype(np.int64)

    def confidence(self, texts: Sequence[str], *,
                   questions: Sequence[str | None] | None = None) -> np.ndarray:
        """Per answer, the calibrated probability that its whole code set is right."""
        texts = [str(text) for text in texts]
        probabilities = self.predict_proba(texts, questions=questions)
        thresholds = np.broadcast_to(self._threshold_row(), probabilities.shape)
        decided = _decide(probabilities, thresholds, self.at_least_one_)
        return self.confidence_.score(probabilities, decided, thresholds, _lengths(texts))

    def decide(self, texts: Sequence[str], min_precision: float, *,
               questions: Sequence[str | None] | None = None,
               ) -> tuple[list[Decision], float, float]:
        """``(decisions, expected_accuracy, auto_share)`` for semi-automatic coding.

        An answer is ``auto`` when its confidence reaches the lowest cut-off at which
        out-of-fold answers at or above it have their whole code set right at least
        ``min_precision`` of the time (one-sided 95% Wilson lower bound), else
        ``review``. ``expected_accuracy`` and ``auto_share`` are those out-of-fold
        answers' accuracy and share (NaN and 0 when no cut-off qualifies).
        """
        _check_precision(min_precision)
        self._check_fitted()
        cutoff, accuracy, share = self.confidence_.cutoff(min_precision)
        levels = self.confidence(texts, questions=questions) if len(texts) else np.zeros(0)
        decisions: list[Decision] = ["auto" if level >= cutoff else "review" for level in levels]
        return decisions, accuracy, share

    def code(self, responses: pd.DataFrame, *,
             min_precision: float | None = None) -> pd.DataFrame:
        """The long codes of the ``ok`` answers (source ``model``, score = probability,
        evidence = the answer's words that weigh most for the theme); with
        ``min_precision``, a ``decision`` column (``auto``/``review``) per answer.

        An answer given no code has no row; :meth:`decide` covers every answer.
        """
        self._check_fitted()
        if min_precision is not None:
            _check_precision(min_precision)
        answers = CodingInput.of(responses)
        if not len(answers):
            empty = codes_frame([])
            return empty.assign(decision=pd.Series(dtype="str")) if min_precision is not None \
                else empty
        features = self._features(answers.texts, answers.questions)
        probabilities = _probabilities(features, self.coef_, self.intercept_)
        thresholds = np.broadcast_to(self._threshold_row(), probabilities.shape)
        decided = _decide(probabilities, thresholds, self.at_least_one_)
        explain = _Explainer(self)
        rows = [(answers.ids[row], self.themes_[column], float(probabilities[row, column]),
                 SOURCE, explain(answers.texts[row], features[row], column))
                for row, column in zip(*np.nonzero(decided), strict=True)]
        table = codes_frame(rows)
        if min_precision is not None:
            cutoff, _, _ = self.confidence_.cutoff(min_precision)
            levels = self.confidence_.score(probabilities, decided, thresholds,
                                            _lengths(answers.texts))
            verdict = dict(zip(answers.ids, np.where(levels >= cutoff, "auto", "review"),
                               strict=True))
            table["decision"] = table["response_id"].map(verdict).astype("str")
        return table

    @property
    def curve_(self) -> pd.DataFrame:
        """Per confidence cut-off: out-of-fold answers at or above it (``n``, ``share``),
        their whole-set ``accuracy`` and its Wilson ``lower_bound``."""
        self._check_fitted()
        return self.confidence_.curve

    # features

    def _features(self, texts: list[str], questions: Sequence[str | None] | None) -> Any:
        from scipy import sparse

        blocks = [self.word_.transform(texts), self.char_.transform(texts)]
        if self.embedder_ is not None:
            from openends.embed import embed_texts

            vectors = embed_texts(texts, self.embedder_, cache=self.cache)
            if self.embedder_identity_ is not None and \
                    self.embedder_.identity != self.embedder_identity_:
                raise ModelError(f"this coder was trained with embedder "
                                 f"{self.embedder_identity_}, not {self.embedder_.identity}; "
                                 "use the same embedder or train the coder again")
            blocks.append(sparse.csr_matrix(vectors.astype(np.float64)))
        if self.questions_:
            blocks.append(_one_hot(questions, self.questions_, len(texts)))
        return sparse.hstack(blocks, format="csr")

    def _threshold_row(self) -> np.ndarray:
        return np.array([self.thresholds_[theme] for theme in self.themes_])

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "coef_")

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise NotFittedError("the trained coder", _NOT_FITTED)

    def __repr__(self) -> str:
        embedder = self.embedder if isinstance(self.embedder, str | None) else self.embedder.name
        state = (f", {len(self.themes_)} themes" if self.is_fitted else ", not fitted")
        return f"TrainedCoder(embedder={embedder!r}, folds={self.folds}, seed={self.seed}{state})"


# -- helpers ----------------------------------------------------------------------------------

def assign_folds(labels: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Fold numbers stratified on each answer's rarest theme, so every theme's positives
    spread evenly over the folds.

    Example:
        >>> assign_folds(np.array([[1, 0]] * 3 + [[0, 1]] * 3), 3, 0).tolist()
        [1, 0, 2, 2, 0, 1]
    """
    labels = np.asarray(labels)
    size = len(labels)
    counts = np.where(labels == 1, labels.sum(axis=0)[None, :], np.inf)
    rarest = np.where(np.isinf(counts).all(axis=1), labels.shape[1], np.argmin(counts, axis=1))
    shuffled = np.random.default_rng(seed).permutation(size)
    order = np.lexsort((shuffled, rarest, counts.min(axis=1, initial=np.inf)))
    fold_of = np.empty(size, dtype=np.int64)
    fold_of[order] = np.arange(size) % folds
    return fold_of


def _fitted_vectorizer(kind: Any, options: dict[str, Any], texts: list[str]) -> Any:
    """A TF-IDF vectorizer fitted on ``texts``: terms in two answers at least, unless that
    leaves none."""
    settings = {**options, "ngram_range": tuple(options["ngram_range"])}
    for min_df in (2, 1):
        try:
            return kind(min_df=min_df, **settings).fit(texts)
        except ValueError:  # no terms left
            continue
    raise ModelError("the coded answers have no words to learn from; check the text column")


def _probabilities(features: Any, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    return _sigmoid(np.asarray(features @ coef.T, dtype=np.float64) + intercept)


def _best_threshold(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The probability cut maximising F1, midway between two observed probabilities."""
    order = np.argsort(-probabilities, kind="stable")
    ranked, truth = probabilities[order], labels[order]
    hits = np.cumsum(truth)
    f1 = 2 * hits / (np.arange(1, len(ranked) + 1) + truth.sum())
    last = np.r_[ranked[1:] != ranked[:-1], True]
    best = int(np.argmax(np.where(last, f1, -1.0)))
    below = ranked[best + 1] if best + 1 < len(ranked) else 0.0
    return float((ranked[best] + below) / 2)


def _thresholds(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return np.array([_best_threshold(probabilities[:, column], labels[:, column])
                     for column in range(labels.shape[1])])


def _decide(probabilities: np.ndarray, thresholds: np.ndarray, at_least_one: bool) -> np.ndarray:
    decided = probabilities >= thresholds
    if at_least_one and decided.shape[1]:
        empty = ~decided.any(axis=1)
        margins = _logit(probabilities[empty]) - _logit(np.broadcast_to(
            thresholds, probabilities.shape)[empty])
        decided[np.flatnonzero(empty), np.argmax(margins, axis=1)] = True
    return decided


def _full(decided: np.ndarray, modelled: np.ndarray) -> np.ndarray:
    """Decisions over every theme of the labels (too-few themes never coded)."""
    full = np.zeros((len(decided), len(modelled)), dtype=np.int64)
    full[:, modelled] = decided
    return full


def _lengths(texts: Sequence[str]) -> np.ndarray:
    return np.array([len(text.split()) for text in texts], dtype=np.float64)


def _one_hot(questions: Sequence[str | None] | None, known: list[str], size: int) -> Any:
    from scipy import sparse

    position = {question: column for column, question in enumerate(known)}
    rows = [(row, position[question]) for row, question in enumerate(questions or [])
            if question in position]
    data = np.ones(len(rows))
    indices = ([row for row, _ in rows], [column for _, column in rows])
    return sparse.csr_matrix((data, indices), shape=(size, len(known)))


def _cross_fitted(oof: np.ndarray, decided: np.ndarray, thresholds: np.ndarray,
                  labels: np.ndarray, correct: np.ndarray, lengths: np.ndarray,
                  fold_of: np.ndarray) -> tuple[np.ndarray, tuple[SemiAutoEstimate, ...]]:
    """Each fold's confidence from a confidence model fitted on the other folds, and what
    deciding each fold with that model's cut-offs did."""
    levels = np.zeros(len(oof))
    auto = np.zeros((len(SEMI_AUTO_LEVELS), len(oof)), dtype=bool)
    for fold in np.unique(fold_of):
        rows = fold_of == fold
        model = Confidence.fit(oof[~rows], decided[~rows], thresholds[~rows], labels[~rows],
                               correct[~rows], lengths[~rows])
        levels[rows] = model.score(oof[rows], decided[rows], thresholds[rows], lengths[rows])
        for index, level in enumerate(SEMI_AUTO_LEVELS):
            auto[index, rows] = levels[rows] >= model.cutoff(level)[0]
    return levels, tuple(
        SemiAutoEstimate(level, float(flags.mean()),
                         float(correct[flags].mean()) if flags.any() else math.nan,
                         int(flags.sum()))
        for level, flags in zip(SEMI_AUTO_LEVELS, auto, strict=True))


def _quality(truth: np.ndarray, predicted: np.ndarray, themes: list[str], modelled: np.ndarray,
             thresholds: dict[str, float], too_few: dict[str, int], folds: int,
             semi_auto: tuple[SemiAutoEstimate, ...]) -> CoderQuality:
    hits = (truth & predicted).sum(axis=0)
    precision = np.divide(hits, predicted.sum(axis=0), out=np.zeros(len(themes)),
                          where=predicted.sum(axis=0) > 0)
    recall = np.divide(hits, truth.sum(axis=0), out=np.zeros(len(themes)),
                       where=truth.sum(axis=0) > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(len(themes)),
                   where=precision + recall > 0)
    per_theme = tuple(
        ThemeQuality(theme, int(truth[:, column].sum()), float(precision[column]),
                     float(recall[column]), float(f1[column]), thresholds[theme])
        for column, theme in enumerate(themes) if modelled[column])
    present = truth.sum(axis=0) > 0
    both = (truth & predicted).sum(axis=1)
    sizes = truth.sum(axis=1) + predicted.sum(axis=1)
    per_answer = np.divide(2 * both, sizes, out=np.ones(len(truth)), where=sizes > 0)
    return CoderQuality(
        n_answers=len(truth), folds=folds, themes=per_theme, too_few=dict(too_few),
        macro_f1=float(f1[present].mean()) if present.any() else math.nan,
        macro_f1_modelled=float(f1[modelled].mean()), sample_f1=float(per_answer.mean()),
        exact=float((truth == predicted).all(axis=1).mean()), semi_auto=semi_auto)


def _check_precision(min_precision: float) -> None:
    if not 0 <= min_precision <= 1:
        raise ConfigError(f"min_precision must be between 0 and 1, not {min_precision}")


class _Explainer:
    """Evidence for a code: the answer's terms whose weight times value counts most.

    Word and word-pair features are shown as they are; character n-gram weights are
    credited to the words they occur in. Embedding and question features name no words.
    """

    def __init__(self, coder: TrainedCoder) -> None:
        self.coef = coder.coef_
        self.words = coder.word_.get_feature_names_out()
        self.grams = coder.char_.get_feature_names_out()
        self.char_analyzer = coder.char_.build_analyzer()
        self.tokenize = coder.word_.build_tokenizer()
        self.grams_of: dict[str, set[str]] = {}

    def __call__(self, text: str, row: Any, column: int) -> str:
        indices, values = row.indices, row.data
        contributions = values * self.coef[column, indices]
        n_words, n_grams = len(self.words), len(self.grams)
        scores: dict[str, float] = {}
        gram_scores: dict[str, float] = {}
        for index, value in zip(indices.tolist(), contributions.tolist(), strict=True):
            if index < n_words:
                term = str(self.words[index])
                scores[term] = scores.get(term, 0.0) + value
            elif index < n_words + n_grams:
                gram_scores[str(self.grams[index - n_words])] = value
        if gram_scores:
            self._credit_words(text, gram_scores, scores)
        return _best_terms(scores) or re.sub(r"\s+", " ", text).strip()[:60]

    def _credit_words(self, text: str, gram_scores: dict[str, float],
                      scores: dict[str, float]) -> None:
        words = list(dict.fromkeys(self.tokenize(text.lower())))
        found = {word: self._grams(word) & gram_scores.keys() for word in words}
        shared = Counter(gram for grams in found.values() for gram in grams)
        for word, grams in found.items():
            if grams:
                scores[word] = scores.get(word, 0.0) + sum(
                    gram_scores[gram] / shared[gram] for gram in grams)

    def _grams(self, word: str) -> set[str]:
        if word not in self.grams_of:
            self.grams_of[word] = set(self.char_analyzer(word))
        return self.grams_of[word]


def _best_terms(scores: dict[str, float]) -> str:
    """Up to three terms with the largest positive scores, each at least a quarter of the
    best one's and sharing no word with a term already chosen. Terms made of stop words
    only ("did not") count when no other term does; with no positive score at all, the
    best term.

    Example:
        >>> _best_terms({"bitcoin": 2.0, "bitcoin lately": 1.0, "the": 1.5, "wallets": 0.9})
        'bitcoin, wallets'
        >>> _best_terms({"nothing": 0.8, "at all": 0.1})
        'nothing'
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    positive = [(term, score) for term, score in ranked if score > 0]
    if not positive:
        return ranked[0][0] if ranked else ""
    content = [(term, score) for term, score in positive
               if not set(term.split()) <= ENGLISH_STOP_WORDS]
    candidates = content or positive
    chosen: list[str] = []
    for term, score in candidates:
        if score < EVIDENCE_SHARE * candidates[0][1] or len(chosen) == EVIDENCE_TERMS:
            break
        if not any(set(term.split()) & set(other.split()) for other in chosen):
            chosen.append(term)
    return ", ".join(chosen)


def _progress(enabled: bool, total: int) -> Any:
    from openends.embed.base import progress_bar

    return progress_bar("Training the coder", total, enabled=enabled)

