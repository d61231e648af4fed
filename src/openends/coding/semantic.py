"""The semantic coder: zero-shot codes from embedding similarity to the codebook's own texts.

No coded answers are needed. :meth:`SemanticCoder.fit` embeds every theme's label,
description and examples (one batch, with the unlabelled answers when given) and
calibrates a threshold per theme from the codebook alone; :meth:`SemanticCoder.code`
then codes each ``ok`` answer with every theme whose similarity reaches that theme's
threshold, so an answer can get several themes. A theme with a ``question`` codes only
answers to that question when the answers carry one.

**Similarity.** An answer is compared clause by clause (see :func:`split_segments`) and
whole; the whole answer's vector is the word-weighted mean of its clauses' vectors (a
static embedder's text vector is the mean of its tokens' vectors, so this is close to
embedding the whole text, at half the cost; micro-F1 on the sample project was the
same). For each clause and theme, the cosine with the closest of the theme's texts is
taken, minus (with ``contrast``, the default) the clause's mean of those values over the
themes that can code it: a clause that resembles every theme (long answers in the
survey's own vocabulary do) gets no credit for it. The answer's similarity to a theme
is the largest value over its clauses and itself, plus a lexical bonus: each lemma of a
content word (not a stop word) of the theme's label or description that the answer also
uses adds ``lexical_bonus / k``, where ``k`` is the number of themes whose label and
description hold that lemma, up to ``lexical_bonus`` in all.

**Threshold** (no training data). Leave-one-out over the codebook's examples (over its
descriptions, against the labels, when it has no examples): each example is scored like
a one-clause answer against its own theme's other texts (a positive) and against every
other theme that could code the same answer (negatives; themes of other questions,
ancestors and descendants are left out). The threshold is the cut that separates the
pooled positives from the pooled negatives best (largest balanced accuracy; ties go to
the widest gap, cut in its middle): one cut for all themes, since two or three examples
per theme are too few for a cut each. When ``fit`` is given answers (unlabelled), each
theme's threshold then moves by how far the median similarity of the answers it could
code lies above or below the average of those medians over the themes: themes whose
texts resemble every answer need more, themes that resemble none need less. Most
answers do not belong to a given theme, so the median reflects the background, not the
theme's prevalence. Themes with fewer than ``MIN_ANSWERS`` answers in scope keep the
pooled cut. Micro-F1 with the static embedder on the sample project's 400 hand-coded
answers (parents added): 0.72 with this calibration, 0.71 with the pooled cut alone,
0.63 with a leave-one-out cut per theme; on a second survey (NHS feedback, 14 themes),
0.42 against 0.34 for the pooled cut alone.

**Score.** ``1 / (1 + exp(-(similarity - threshold) / temperature))``: 0.5 at the
threshold, so an answer is coded exactly when its score is 0.5 or more.

**Evidence.** The answer's closest clause and the theme's closest text, then any
words that earned the lexical bonus: ``"<clause>" ~ "<theme text>"; words: <lemmas>``.

Negation is left to the rule coder; non-answers are never coded (their status is not
``ok``).

Example:
    >>> import numpy as np
    >>> class Letters:  # a toy embedder: one dimension per letter a-c
    ...     name, identity, dimensions = "letters", "letters", 3
    ...     def embed(self, texts, *, progress=False):
    ...         rows = np.array([[t.count(c) for c in "abc"] for t in texts], np.float32)
    ...         return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)
    >>> book = Codebook.model_validate({"name": "toy", "themes": [
    ...     {"id": "a", "label": "a", "examples": ["aa", "a a"]},
    ...     {"id": "b", "label": "b", "examples": ["bb", "b b"]},
    ...     {"id": "c", "label": "c", "examples": ["cc", "c c"]}]})
    >>> coder = SemanticCoder(book, embedder=Letters()).fit()
    >>> table = pd.DataFrame({"response_id": ["r1", "r2"], "text": ["aaa; bb b", "c"]})
    >>> coder.code(table)[["response_id", "theme", "evidence"]]
      response_id theme      evidence
    0          r1     a   "aaa" ~ "a"
    1          r1     b  "bb b" ~ "b"
    2          r2     c     "c" ~ "c"
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from openends.coding.base import CodingInput, codes_frame
from openends.coding.codebook import Codebook
from openends.embed import Embedder, EmbeddingCache, embed_texts, get_embedder
from openends.errors import ConfigError, NotFittedError, closest_match

SOURCE = "semantic"
MIN_ANSWERS = 20
"""Answers in scope a theme needs before their median moves its threshold."""
DEFAULT_THRESHOLD = {True: 0.15, False: 0.5}
"""The cut (with and without contrast) when the codebook gives nothing to calibrate on
(no theme has an example or a description, or no theme has a rival): near what
leave-one-out chose on the sample project (0.10-0.18 with contrast, 0.49 without)."""
MIN_CONTRAST_THEMES = 3
"""Contrast needs this many themes: a clause is compared with the themes that can code
it, or with all themes when fewer than this can; with fewer in the codebook, none."""

_BREAKS = ("[.!?\u2026]+(?=\\s|$)|[;\n\r\u2022\u25aa\u25cf\u00b7]+|(?<!\\S)[-*\u2013]\\s+"
           "|\\b[Bb][Uu][Tt]\\b")
# The look-ahead lets the engine skip positions that cannot start a break (6x faster).
_SPLIT = re.compile(f"(?=[.!?\u2026;\n\r\u2022\u25aa\u25cf\u00b7\\-*\u2013bB])(?:{_BREAKS})")
_LETTER = re.compile(r"[^\W\d_]")
_TRIM = " \t,:-\u2013\u2014*\"'"
_WORD = re.compile(r"[^\W\d_]+")
_CHUNK = 20_000  # answers per similarity block, to bound memory
_SHOWN = 80  # characters of a clause or theme text shown as evidence


def split_segments(text: str) -> list[str]:
    """The clauses of an answer: split on sentence ends, semicolons, newlines, bullets, "but".

    Pieces without a letter are dropped.

    Example:
        >>> split_segments("Encrypted phones. Cloud storage; more VPNs but fewer forums")
        ['Encrypted phones', 'Cloud storage', 'more VPNs', 'fewer forums']
        >>> split_segments("- bitcoin\\n- Tor (onion sites)\\n- ...")
        ['bitcoin', 'Tor (onion sites)']
    """
    pieces = (piece.strip(_TRIM) for piece in _SPLIT.split(text))
    return [piece for piece in pieces if _LETTER.search(piece)]


def balanced_cut(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """The cut with the largest balanced accuracy (``>= cut`` is positive).

    Ties go to the widest gap between neighbouring values; the cut is its middle.

    Example:
        >>> balanced_cut([0.6, 0.8], [0.1, 0.2, 0.5])
        0.55
        >>> balanced_cut([0.3, 0.8], [0.1, 0.4])
        0.6
    """
    pos, neg = np.asarray(positives, float), np.asarray(negatives, float)
    values = np.unique(np.concatenate([pos, neg]))
    if len(values) == 1:
        return float(values[0])
    cuts = (values[:-1] + values[1:]) / 2
    recall = 1 - np.searchsorted(np.sort(pos), cuts) / len(pos)
    specificity = np.searchsorted(np.sort(neg), cuts) / len(neg)
    accuracy = np.round((recall + specificity) / 2, 12)
    best = np.flatnonzero(accuracy == accuracy.max())
    widest = best[np.argmax(np.diff(values)[best])]
    return float(round(cuts[widest], 12))


@dataclass(frozen=True)
class _ThemeTexts:
    """The texts a theme is recognised by, contiguous per theme in codebook order."""

    texts: list[str]
    owner: np.ndarray   # theme index of each text
    kinds: list[str]    # label, description or example
    starts: np.ndarray  # first text of each theme

    @classmethod
    def of(cls, codebook: Codebook) -> _ThemeTexts:
        texts, owner, kinds = [], [], []
        for index, theme in enumerate(codebook.themes):
            items = [("label", theme.label)]
            items += [("description", theme.description)] if theme.description.strip() else []
            items += [("example", example) for example in theme.examples]
            for kind, text in items:
                texts.append(text)
                owner.append(index)
                kinds.append(kind)
        owner_array = np.array(owner)
        return cls(texts, owner_array, kinds, np.searchsorted(owner_array, np.unique(owner_array)))


@dataclass(frozen=True)
class _Units:
    """The distinct (text, question) pairs among the answers; each is scored once."""

    texts: list[str]
    questions: list[str | None]
    first: np.ndarray    # the first answer of each unit
    inverse: np.ndarray  # the unit of each answer

    @classmethod
    def of(cls, answers: CodingInput) -> _Units:
        seen: dict[tuple[str, str | None], int] = {}
        inverse = [seen.setdefault(key, len(seen))
                   for key in zip(answers.texts, answers.questions, strict=True)]
        inverse_array = np.array(inverse, dtype=np.int64)
        first = np.unique(inverse_array, return_index=True)[1] if inverse else inverse_array
        return cls([text for text, _ in seen], [question for _, question in seen], first,
                   inverse_array)


@dataclass(frozen=True)
class _Segments:
    """The clauses of each unit (the text itself when none has a letter), stored once each."""

    distinct: list[str]
    rows: np.ndarray     # index into ``distinct`` of each clause
    weights: np.ndarray  # words in each clause, for the whole text's vector
    starts: np.ndarray   # first clause of each unit
    counts: np.ndarray   # clauses of each unit

    @classmethod
    def of(cls, texts: Sequence[str]) -> _Segments:
        distinct: dict[str, int] = {}
        rows: list[int] = []
        weights: list[int] = []
        counts: list[int] = []
        for text in texts:
            clauses = split_segments(text) or [text]
            rows.extend(distinct.setdefault(clause, len(distinct)) for clause in clauses)
            weights.extend(len(clause.split()) or 1 for clause in clauses)
            counts.append(len(clauses))
        count_array = np.array(counts, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(count_array)[:-1]]).astype(np.int64)
        return cls(list(distinct), np.array(rows, dtype=np.int64),
                   np.array(weights, dtype=np.float32), starts, count_array)


@dataclass(frozen=True)
class _Lexicon:
    """Content-word lemmas of each theme's label and description, weighted 1 / themes."""

    vocabulary: dict[str, int]
    names: tuple[str, ...]     # the lemmas, in vocabulary order
    weights: np.ndarray        # (lemmas, themes)
    label_weights: np.ndarray  # the same, from the labels only

    @classmethod
    def of(cls, codebook: Codebook) -> _Lexicon:
        from openends.nlp import stop_words

        stops = stop_words()
        labels = _lemma_lists([theme.label for theme in codebook.themes], stops)
        descriptions = _lemma_lists([theme.description for theme in codebook.themes], stops)
        both = [set(label) | set(description)
                for label, description in zip(labels, descriptions, strict=True)]
        vocabulary = {lemma: index for index, lemma in enumerate(sorted(set().union(*both)))}
        member = np.zeros((len(vocabulary), len(both)))
        for theme, used in enumerate(both):
            member[[vocabulary[lemma] for lemma in used], theme] = 1.0
        weights = member / np.maximum(member.sum(axis=1, keepdims=True), 1.0)
        in_label = np.zeros_like(member)
        for theme, words in enumerate(labels):
            in_label[[vocabulary[lemma] for lemma in words], theme] = 1.0
        return cls(vocabulary, tuple(vocabulary), weights, weights * in_label)

    def hits(self, texts: Sequence[str], lemmas: Sequence[str] | None = None) -> list[list[int]]:
        """The vocabulary indices each text uses (from its ``lemmas`` when given)."""
        if lemmas is not None:
            return [sorted({self.vocabulary[word] for word in line.split()
                            if word in self.vocabulary}) for line in lemmas]
        words = [_WORD.findall(text.lower()) for text in texts]
        forms = sorted({form for line in words for form in line})
        found = dict(zip(forms, _lemmatise(forms), strict=True))
        per_form = {form: [self.vocabulary[lemma] for lemma in found[form].split()
                           if lemma in self.vocabulary] for form in forms}
        return [sorted({index for form in line for index in per_form[form]}) for line in words]

    def bonus(self, hits: Sequence[Sequence[int]], weights: np.ndarray | None = None
              ) -> np.ndarray:
        """(texts, themes): the summed weights of the lemmas used, capped at 1."""
        from scipy import sparse

        weights = self.weights if weights is None else weights
        lengths = [len(indices) for indices in hits]
        columns = [index for indices in hits for index in indices]
        used = sparse.csr_matrix((np.ones(len(columns)), columns,
                                  np.concatenate([[0], np.cumsum(lengths)])),
                                 shape=(len(hits), len(self.vocabulary)))
        return np.asarray(np.minimum(used @ weights, 1.0))

    def words(self, indices: Sequence[int], theme: int) -> list[str]:
        """The lemmas among ``indices`` that belong to ``theme``, alphabetically."""
        return [self.names[index] for index in indices if self.weights[index, theme] > 0]


def _lemmatise(forms: Sequence[str]) -> list[str]:
    """The lemma(s) of each word form; each form is looked up once, not each use of it."""
    from openends.nlp import lemmatise

    return lemmatise(list(forms)) if forms else []


def _lemma_lists(texts: Sequence[str], stops: frozenset[str]) -> list[list[str]]:
    """Content-word lemmas of each text: not stop words (as written or as lemmas), 3+ letters."""
    words = [_WORD.findall(text.lower()) for text in texts]
    forms = sorted({form for line in words for form in line if form not in stops})
    found = dict(zip(forms, _lemmatise(forms), strict=True))
    return [sorted({lemma for form in line if form in found for lemma in found[form].split()
                    if len(lemma) >= 3 and lemma not in stops}) for line in words]


@dataclass(frozen=True)
class _Scored:
    """The units' similarity to each theme, and the clause each one rests on."""

    similarity: np.ndarray  # (units, themes); -inf where a theme cannot code a unit
    clause: np.ndarray      # (units, themes): row in ``_Segments.rows`` of the closest clause


class SemanticCoder:
    """Codes answers by their similarity to each theme's label, description and examples.

    Args:
        codebook: the themes.
        embedder: an embedder name (``static``, ``minilm``, ``tfidf``, a model folder)
            or an :class:`~openends.embed.Embedder`.
        cache: an embedding cache, so a re-run does not embed the same texts again.
        models_dir: where the static embedder is built (default: the user cache).
        lexical_bonus: what the label's and description's words add to a similarity
            (see the module docstring); 0 turns it off.
        contrast: subtract each clause's mean similarity over the themes that can code it.
        temperature: how fast the score goes from 0 to 1 around the threshold.
        use_answers: let the answers given to :meth:`fit` move each theme's threshold.
        thresholds: fixed thresholds by theme id, used instead of the calibrated ones.

    After :meth:`fit`: ``embedder_``, ``global_threshold_`` (the leave-one-out cut) and
    ``thresholds_`` (by theme id, in codebook order).
    """

    name = SOURCE

    def __init__(self, codebook: Codebook, *, embedder: str | Embedder = "static",
                 cache: EmbeddingCache | None = None, models_dir: Path | None = None,
                 lexical_bonus: float = 0.1, contrast: bool = True, temperature: float = 0.05,
                 use_answers: bool = True, thresholds: Mapping[str, float] | None = None) -> None:
        self.codebook = codebook
        self.embedder = embedder
        self.cache = cache
        self.models_dir = models_dir
        self.lexical_bonus = lexical_bonus
        self.contrast = contrast
        self.temperature = temperature
        self.use_answers = use_answers
        self.thresholds = thresholds

    # -- fitting -----------------------------------------------------------------------
    def fit(self, responses: pd.DataFrame | None = None) -> SemanticCoder:
        """Embed the codebook and calibrate a threshold per theme; returns ``self``.

        ``responses`` (optional, unlabelled) are embedded in the same batch, which fits
        an embedder that learns from its input (tfidf), and tune the thresholds.
        """
        self._check_options()
        self.embedder_ = (get_embedder(self.embedder, models_dir=self.models_dir)
                          if isinstance(self.embedder, str) else self.embedder)
        self._texts = _ThemeTexts.of(self.codebook)
        self._lexicon = _Lexicon.of(self.codebook)
        answers = CodingInput.of(responses) if responses is not None else None
        units = _Units.of(answers) if answers is not None else None
        segments = _Segments.of(units.texts) if units is not None else None
        vectors = self._embed(self._texts.texts + (segments.distinct if segments else []))
        self._vectors = vectors[:len(self._texts.texts)]
        self.global_threshold_ = self._leave_one_out()
        similarity = None
        if (responses is not None and answers is not None and units is not None
                and segments is not None and self.use_answers and len(units.texts)):
            scored = self._score(units, segments, vectors[len(self._texts.texts):],
                                 self._hits(units, answers, responses))
            similarity = scored.similarity[units.inverse]
        return self.calibrate(similarity)

    def calibrate(self, similarity: np.ndarray | None) -> SemanticCoder:
        """Set ``thresholds_`` from the answers' similarities to the themes (one row per
        ``ok`` answer, as :meth:`similarities` gives them, NaN or -inf where a theme cannot
        code the answer; None: the leave-one-out cut alone); returns ``self``.

        :meth:`fit` with answers calls it on their similarities. Answers too many for one
        process can be scored in parts (:meth:`similarities` of each, after ``fit()``
        without answers) and the rows joined to calibrate once, with the same result.
        """
        if not hasattr(self, "global_threshold_"):
            raise NotFittedError("SemanticCoder", "call fit() first")
        offsets = (np.zeros(len(self.codebook.themes)) if similarity is None or
                   not len(similarity) else _median_offsets(similarity))
        fixed = dict(self.thresholds or {})
        self.thresholds_ = {theme.id: float(fixed.get(theme.id, self.global_threshold_ + offset))
                            for theme, offset in zip(self.codebook.themes, offsets, strict=True)}
        return self

    def _check_options(self) -> None:
        if not self.temperature > 0:
            raise ConfigError(f"temperature must be above 0, not {self.temperature!r}")
        if not self.lexical_bonus >= 0:
            raise ConfigError(f"lexical_bonus must be 0 or more, not {self.lexical_bonus!r}")
        for theme_id in self.thresholds or {}:
            if theme_id not in self.codebook.ids:
                suggestion = closest_match(theme_id, self.codebook.ids)
                hint = f"; did you mean {suggestion!r}?" if suggestion else ""
                raise ConfigError(f"thresholds: the codebook has no theme {theme_id!r}{hint}")

    def _embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(embed_texts(texts, self.embedder_, cache=self.cache), dtype=np.float32)

    def _leave_one_out(self) -> float:
        """The pooled cut between held-out examples' own-theme and other-theme similarity."""
        texts = self._texts
        kind = "example" if "example" in texts.kinds else "description"
        held = [row for row, name in enumerate(texts.kinds) if name == kind]
        if not held:
            return DEFAULT_THRESHOLD[self._contrasts]
        cosine = self._vectors[held] @ self._vectors.T
        cosine[np.arange(len(held)), held] = -np.inf
        per_theme = np.maximum.reduceat(cosine, texts.starts, axis=1)
        owners = texts.owner[held]
        questions = [self.codebook.themes[owner].question for owner in owners]
        similarity = self._contrasted(per_theme, self._scope_rows(questions)[1])
        if self.lexical_bonus:
            hits = self._lexicon.hits([texts.texts[row] for row in held])
            bonus = self._lexicon.bonus(hits)
            if kind == "description":  # its own words must not vouch for it
                own = self._lexicon.bonus(hits, self._lexicon.label_weights)
                bonus[np.arange(len(held)), owners] = own[np.arange(len(held)), owners]
            similarity = similarity + self.lexical_bonus * bonus
        positives: list[float] = []
        negatives: list[float] = []
        scope = self._scope_rows(questions)[0]
        for row, owner in enumerate(owners):
            positives.append(float(similarity[row, owner]))
            related = {owner, *self._related(int(owner))}
            negatives.extend(float(similarity[row, theme]) for theme in np.flatnonzero(scope[row])
                             if theme not in related)
        if not negatives:
            return DEFAULT_THRESHOLD[self._contrasts]
        return balanced_cut(positives, negatives)

    def _related(self, theme: int) -> list[int]:
        ids = self.codebook.ids
        ancestors = self.codebook.ancestors(ids[theme])
        descendants = [other for other in ids if ids[theme] in self.codebook.ancestors(other)]
        return [ids.index(other) for other in ancestors + descendants]

    # -- scoring -----------------------------------------------------------------------
    @property
    def _contrasts(self) -> bool:
        return self.contrast and len(self.codebook.themes) >= MIN_CONTRAST_THEMES

    def _scope_rows(self, questions: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
        """Per answer: which themes can code it, and which its clauses are contrasted with."""
        asked = [theme.question for theme in self.codebook.themes]
        distinct = list(dict.fromkeys(questions))
        scope = np.array([[question is None or wanted is None or wanted == question
                           for wanted in asked] for question in distinct], dtype=bool)
        scope = scope.reshape(len(distinct), len(asked))
        small = scope.sum(axis=1, keepdims=True) < MIN_CONTRAST_THEMES
        baseline = scope | small
        where = {question: index for index, question in enumerate(distinct)}
        rows = np.array([where[question] for question in questions], dtype=np.int64)
        return scope[rows], baseline[rows]

    def _contrasted(self, per_theme: np.ndarray, baseline: np.ndarray) -> np.ndarray:
        """Clause-theme similarity minus the clause's mean over its baseline themes."""
        if not self._contrasts:
            return per_theme
        mean = (per_theme * baseline).sum(axis=1, keepdims=True) / baseline.sum(axis=1,
                                                                               keepdims=True)
        return np.asarray(per_theme - mean)

    def _hits(self, units: _Units, answers: CodingInput, responses: pd.DataFrame
              ) -> list[list[int]]:
        """The lexicon lemmas each unit uses (from the ``lemmas`` column when there is one)."""
        if not self.lexical_bonus:
            return [[] for _ in units.texts]
        lemmas = None
        if "lemmas" in responses.columns:
            rows = answers.positions[units.first]
            lemmas = responses["lemmas"].iloc[rows].fillna("").astype(str).tolist()
        return self._lexicon.hits(units.texts, lemmas)

    def _score(self, units: _Units, segments: _Segments, vectors: np.ndarray,
               hits: list[list[int]]) -> _Scored:
        """Each unit's similarity to each theme (``vectors``: of ``segments.distinct``)."""
        scope, baseline = self._scope_rows(units.questions)
        bonus = self._lexicon.bonus(hits) * self.lexical_bonus if self.lexical_bonus else None
        similarity, clause = [], []
        for first in range(0, len(units.texts), _CHUNK):
            block = slice(first, min(first + _CHUNK, len(units.texts)))
            value, best = self._score_block(segments, vectors, block, baseline[block])
            if bonus is not None:
                value += bonus[block]
            value[~scope[block]] = -np.inf
            similarity.append(value)
            clause.append(best)
        if not similarity:
            empty = np.zeros((0, len(self.codebook.themes)))
            return _Scored(empty, empty.astype(np.int64))
        return _Scored(np.concatenate(similarity), np.concatenate(clause))

    def _score_block(self, segments: _Segments, vectors: np.ndarray, block: slice,
                     baseline: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Similarity and closest clause of a run of units: the max over their clauses and
        their whole texts, each contrasted with its baseline themes."""
        starts, counts = segments.starts[block], segments.counts[block]
        rows = slice(int(starts[0]), int(starts[-1] + counts[-1]))
        local = starts - starts[0]
        clauses = vectors[segments.rows[rows]]
        # A static embedder's text vector is the mean of its tokens' vectors, so the whole
        # text's vector is (near) the word-weighted mean of its clauses' vectors.
        whole = _weighted_sums(clauses, segments.weights[rows], counts)
        whole /= np.maximum(np.linalg.norm(whole, axis=1, keepdims=True), 1e-12)
        by_clause = self._per_theme(clauses, np.repeat(baseline, counts, axis=0))
        best_value = np.maximum.reduceat(by_clause, local, axis=0)
        value = np.maximum(best_value, self._per_theme(whole, baseline)).astype(np.float64)
        is_best = by_clause == np.repeat(best_value, counts, axis=0)
        row_ids = np.where(is_best, np.arange(rows.start, rows.stop)[:, None], rows.stop)
        return value, np.minimum.reduceat(row_ids, local, axis=0)

    def _per_theme(self, vectors: np.ndarray, baseline: np.ndarray) -> np.ndarray:
        """Contrasted similarity of each vector to each theme's closest text."""
        cosine = vectors @ self._vectors.T
        return self._contrasted(np.maximum.reduceat(cosine, self._texts.starts, axis=1),
                                baseline)

    def _prepare(self, responses: pd.DataFrame) -> tuple[CodingInput, _Units, _Segments,
                                                          np.ndarray, list[list[int]]]:
        if not hasattr(self, "thresholds_"):
            raise NotFittedError("SemanticCoder", "call fit() first")
        answers = CodingInput.of(responses)
        units = _Units.of(answers)
        segments = _Segments.of(units.texts)
        vectors = (self._embed(segments.distinct) if segments.distinct
                   else np.zeros((0, self._vectors.shape[1]), dtype=np.float32))
        return answers, units, segments, vectors, self._hits(units, answers, responses)

    def similarities(self, responses: pd.DataFrame) -> pd.DataFrame:
        """The similarity (with the lexical bonus) of each ``ok`` answer to each theme.

        One row per answer (index ``response_id``), one column per theme; NaN where the
        theme cannot code the answer (another question). Compare with ``thresholds_``.
        """
        answers, units, segments, vectors, hits = self._prepare(responses)
        similarity = self._score(units, segments, vectors, hits).similarity[units.inverse]
        similarity[np.isinf(similarity)] = np.nan
        return pd.DataFrame(similarity, index=pd.Index(answers.ids, name="response_id"),
                            columns=self.codebook.ids)

    def code(self, responses: pd.DataFrame) -> pd.DataFrame:
        """The long codes table (source ``semantic``), answers in input order, themes in
        codebook order."""
        answers, units, segments, vectors, hits = self._prepare(responses)
        scored = self._score(units, segments, vectors, hits)
        cuts = np.array([self.thresholds_[theme_id] for theme_id in self.codebook.ids])
        unit_index, theme_index = np.nonzero(scored.similarity >= cuts)
        margin = scored.similarity[unit_index, theme_index] - cuts[theme_index]
        scores = 1.0 / (1.0 + np.exp(-margin / self.temperature))
        evidence = self._evidence(segments, vectors, hits, unit_index, theme_index,
                                  scored.clause[unit_index, theme_index])
        coded: dict[int, list[int]] = {}
        for pair, unit in enumerate(unit_index.tolist()):
            coded.setdefault(unit, []).append(pair)
        ids, themes = answers.ids, self.codebook.ids
        return codes_frame((ids[answer], themes[theme_index[pair]], float(scores[pair]), SOURCE,
                            evidence[pair])
                           for answer, unit in enumerate(units.inverse.tolist())
                           for pair in coded.get(unit, ()))

    def _evidence(self, segments: _Segments, vectors: np.ndarray, hits: list[list[int]],
                  units: np.ndarray, themes: np.ndarray, clauses: np.ndarray) -> list[str]:
        """``"<closest clause>" ~ "<closest theme text>"; words: <lemmas>`` per coded pair."""
        distinct = segments.rows[clauses]
        cosine = vectors[distinct] @ self._vectors.T
        cosine[self._texts.owner[None, :] != themes[:, None]] = -np.inf
        texts = np.argmax(cosine, axis=1) if len(themes) else np.zeros(0, dtype=np.int64)
        shown: dict[tuple[int, int], str] = {}
        lines = []
        for unit, theme, clause, text in zip(units.tolist(), themes.tolist(), distinct.tolist(),
                                             texts.tolist(), strict=True):
            key = (clause, text)
            if key not in shown:
                shown[key] = (f'"{_clip(segments.distinct[clause])}" ~ '
                              f'"{_clip(self._texts.texts[text])}"')
            words = self._lexicon.words(hits[unit], theme) if hits[unit] else []
            lines.append(shown[key] + (f"; words: {', '.join(words)}" if words else ""))
        return lines

    def __repr__(self) -> str:
        fitted = "fitted" if hasattr(self, "thresholds_") else "not fitted"
        themes = len(self.codebook.themes)
        return f"SemanticCoder({self.codebook.name!r}, {themes} themes, {fitted})"


def _weighted_sums(rows: np.ndarray, weights: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Sums of consecutive runs of ``rows`` (``counts`` long each), each row weighted.

    Example:
        >>> _weighted_sums(np.eye(3), np.array([1.0, 2.0, 3.0]), np.array([2, 1]))
        array([[1., 2., 0.],
               [0., 0., 3.]])
    """
    from scipy import sparse

    groups = np.repeat(np.arange(len(counts)), counts)
    matrix = sparse.csr_matrix((weights, (groups, np.arange(len(rows)))),
                               shape=(len(counts), len(rows)))
    return np.asarray(matrix @ rows)


def _median_offsets(similarity: np.ndarray) -> np.ndarray:
    """Each theme's median similarity over the answers in scope, minus the mean of those."""
    offsets = np.zeros(similarity.shape[1])
    in_scope = np.isfinite(similarity)
    enough = in_scope.sum(axis=0) >= MIN_ANSWERS
    if not enough.any():
        return offsets
    medians = np.array([np.median(similarity[in_scope[:, theme], theme])
                        for theme in np.flatnonzero(enough)])
    offsets[enough] = medians - medians.mean()
    return offsets


def _clip(text: str) -> str:
    """One line of at most ``_SHOWN`` characters, double quotes made single (evidence quotes).

    Example:
        >>> _clip('the so-called "dark web"\\n' + "and more " * 20)[:40]
        "the so-called 'dark web' and more and mo"
    """
    line = " ".join(text.replace('"', "'").split())
    return line if len(line) <= _SHOWN else line[:_SHOWN - 1].rstrip() + "\u2026"
