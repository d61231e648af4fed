"""The rule coder: a codebook's patterns matched on the words and lemmas of each answer.

Patterns (SPEC section 3) are matched case-insensitively:

- a word matches a token whose lower-case form or lemma is the word or the word's own
  lemma: ``phone`` matches "Phones", ``deny`` matches "denied";
- ``*`` stands for any letters or digits (or none) at the start, middle or end of a
  word (``encrypt*``, ``*coin``, ``letter* rogatory``), tried on the form and the lemma;
- the words of a multi-word pattern match consecutive tokens, with or without a hyphen
  between them, or written as one word: ``end-to-end`` matches "end-to-end", "end to
  end" and "endtoend", however the tokenizer splits hyphens;
- ``re:`` patterns are Python regular expressions run on the answer text, ignoring case.

A theme codes an answer when one of its ``include`` patterns matches and

- the match overlaps no ``exclude`` match of the same theme: excludes take their words
  out of play (``gaming platform*`` stops ``platform*`` in "gaming platforms", ``human
  resources`` stops ``resource*``); they do not veto the answer, so an exclude that
  never overlaps an include (``foreign language`` beside ``international*``) stops
  nothing, and "international cooperation, and interpreters for foreign languages"
  still codes ``international_cooperation``;
- the theme has no ``question``, the answers have none, or the answer is to that question;
- the match is not negated (:mod:`openends.coding.negation`): "We have not seen any
  bitcoin" does not code ``cryptocurrency``. A theme with ``negated: count`` is coded
  by negated matches too, and its evidence says so: "bitcoin (negated)".

The score is 1.0: a rule either matches or it does not, so there is no degree of
certainty to report (its mistakes are measured against hand codes instead). The
evidence is the matched text as written, up to three distinct matches joined by
``" | "``. Overlapping matches of one theme count once, the longest kept.

Only the tokenizer runs (plus the tagger and lemmatizer of a named ``spacy_model``);
each distinct answer is tokenized once, and what each distinct word matches is worked
out once and remembered, so coding costs little more than tokenizing.

Example:
    >>> book = Codebook.model_validate({"name": "Tech", "themes": [
    ...     {"id": "crypto", "label": "Crypto", "include": ["bitcoin*", "re:\\\\bbtc\\\\b"]},
    ...     {"id": "e2e", "label": "E2E", "include": ["end-to-end"]}]})
    >>> coder = RuleCoder(book).fit()
    >>> coder.code(pd.DataFrame({"response_id": ["a", "b"], "text": [
    ...     "Bitcoins, BTC and end to end apps", "We have not seen any bitcoin"]}))
      response_id   theme  score source        evidence
    0           a  crypto    1.0   rule  Bitcoins | BTC
    1           a     e2e    1.0   rule      end to end
    >>> [(match.text, match.negated) for match in coder.match(["No bitcoin"])[0]]
    [('bitcoin', True)]
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, compress
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import pandas as pd

from openends.coding.base import CodingInput, codes_frame
from openends.coding.codebook import REGEX_PREFIX, Codebook, Theme
from openends.coding.negation import TRIGGERS, NegationCues, normalise
from openends.errors import NotFittedError
from openends.nlp import LOOKUP_FIXES, load_nlp

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SOURCE = "rule"
HYPHENS = ("-", "\u2010", "\u2013", "\u2014")  # hyphens and dashes inside compound words
HYPHEN = "[" + "".join(HYPHENS) + "]"
MAX_EVIDENCE = 3
Key = int | tuple[int, int]
"""What a token's matches depend on: its lower-case form's hash (and a named model's lemma's)."""
PUNCTUATION = string.punctuation + "\u2018\u2019\u201c\u201d\u00ab\u00bb\u2026"
_K = TypeVar("_K")
_V = TypeVar("_V")
_S = TypeVar("_S", bound=tuple[Any, ...])
BATCH_SIZE = 1000


@dataclass(frozen=True)
class RuleMatch:
    """A pattern match in an answer: the ``text[start_char:end_char]`` it covers."""

    theme: str
    start_char: int
    end_char: int
    text: str
    negated: bool
    pattern: str


class RuleCoder:
    """Codes answers with the codebook's patterns (see the module docstring).

    ``spacy_model`` names an installed spaCy pipeline whose lemmas to use instead of
    the default lookup table (slower: its tagger runs). ``fit`` compiles the patterns;
    it needs no answers.
    """

    name = "rule"

    def __init__(self, codebook: Codebook, *, spacy_model: str | None = None) -> None:
        self.codebook = codebook
        self.spacy_model = spacy_model

    def __repr__(self) -> str:
        fitted = "fitted" if hasattr(self, "patterns_") else "not fitted"
        return f"RuleCoder({self.codebook.name!r}, {len(self.codebook.themes)} themes, {fitted})"

    def fit(self, responses: pd.DataFrame | None = None) -> RuleCoder:
        """Compile the patterns; ``responses`` are not needed and are ignored."""
        self.patterns_ = PatternSet(self.codebook, self.spacy_model)
        return self

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the compiled patterns (a spaCy pipeline); unpickling compiles
        them again when they were there."""
        state = {key: value for key, value in self.__dict__.items() if key != "patterns_"}
        return {**state, "_fitted": hasattr(self, "patterns_")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        fitted = state.pop("_fitted", False)
        self.__dict__.update(state)
        if fitted:
            self.fit()

    def match(self, texts: Sequence[str],
              questions: Sequence[str | None] | None = None) -> list[list[RuleMatch]]:
        """Every include match not stopped by an exclude, negated ones included, per text.

        Matches come in text order; overlapping matches of one theme are merged.
        With ``questions`` (one per text), a theme tied to a question is matched only
        in answers to it.
        """
        if not hasattr(self, "patterns_"):
            raise NotFittedError("the rule coder", "call fit() first")
        distinct = list(dict.fromkeys(texts))
        found = dict(zip(distinct, self.patterns_.find(distinct), strict=True))
        if questions is None:
            return [found[text] for text in texts]
        asked = {theme.id: theme.question for theme in self.codebook.themes}
        return [[match for match in found[text]
                 if question is None or asked[match.theme] in (None, question)]
                for text, question in zip(texts, questions, strict=True)]

    def code(self, responses: pd.DataFrame) -> pd.DataFrame:
        """The long codes table (``base.CODE_COLUMNS``) of the ``ok`` answers, score 1.0."""
        return self.code_with_negated(responses)[0]

    def code_with_negated(self, responses: pd.DataFrame
                          ) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
        """The codes, and the ``(response_id, theme)`` pairs of themes the answer mentions
        only negated and that do not count negated mentions (other coders must not code
        them either), from one pass over the answers."""
        answers = CodingInput.of(responses)
        asked = list(zip(answers.texts, answers.questions, strict=True))
        distinct = list(dict.fromkeys(asked))  # each answer text and question coded once
        found = self.match([text for text, _ in distinct], [question for _, question in distinct])
        order = {theme_id: position for position, theme_id in enumerate(self.codebook.ids)}
        counted = {theme.id for theme in self.codebook.themes if theme.negated == "count"}
        coded = {key: list(_coded(matches, order, counted))
                 for key, matches in zip(distinct, found, strict=True)}
        negated = {key: {match.theme for match in matches if match.negated}
                   - {theme for theme, _ in coded[key]}
                   for key, matches in zip(distinct, found, strict=True)}
        codes = codes_frame((response_id, theme, 1.0, SOURCE, text)
                            for response_id, key in zip(answers.ids, asked, strict=True)
                            for theme, text in coded[key])
        return codes, {(response_id, theme)
                       for response_id, key in zip(answers.ids, asked, strict=True)
                       for theme in negated[key]}


def _coded(matches: list[RuleMatch], order: dict[str, int],
           counted: set[str]) -> Iterator[tuple[str, str]]:
    """``(theme, evidence)`` per theme coded, in codebook order; negated matches code the
    ``counted`` themes only."""
    by_theme: dict[str, list[RuleMatch]] = defaultdict(list)
    for match in matches:
        by_theme[match.theme].append(match)
    for theme, mine in sorted(by_theme.items(), key=lambda item: order[item[0]]):
        coded = [match for match in mine if not match.negated]
        if not coded and theme in counted:
            coded = mine
        if coded:
            yield theme, evidence(coded)


def evidence(matches: Iterable[RuleMatch], limit: int = MAX_EVIDENCE) -> str:
    """The distinct matched texts (ignoring case), first ``limit``, joined by ``" | "``.

    Example:
        >>> evidence([RuleMatch("c", 0, 7, "Bitcoin", False, "bitcoin*"),
        ...           RuleMatch("c", 20, 27, "bitcoin", False, "bitcoin*"),
        ...           RuleMatch("c", 30, 36, "Monero", True, "monero")])
        'Bitcoin | Monero (negated)'
    """
    texts: dict[str, str] = {}
    for match in matches:
        texts.setdefault(match.text.lower(), match.text + " (negated)" * match.negated)
    return " | ".join(list(texts.values())[:limit])


@dataclass(frozen=True)
class Rule:
    """A compiled pattern: a token sequence (``words``, ids of :class:`Word`) or a regex."""

    theme: str
    pattern: str
    exclude: bool
    words: tuple[int, ...] = ()
    regex: re.Pattern[str] | None = None


class Hit(NamedTuple):
    """Where a rule matches: characters ``[start, end)``, tokens ``[first, last)`` (-1:
    not worked out, for ``re:`` rules)."""

    start: int
    end: int
    rule: Rule
    first: int = -1
    last: int = -1


@dataclass(frozen=True)
class Word:
    """One token of a pattern: the forms it accepts, or a wildcard expression; a token
    matches when its lower-case form or its lemma is one of the forms, or matches the
    expression whole."""

    forms: frozenset[str] = frozenset()
    wildcard: re.Pattern[str] | None = None


def wildcard(word: str) -> re.Pattern[str]:
    """A pattern word with ``*`` as an expression for whole lower-case tokens.

    Example:
        >>> [bool(wildcard("*coin").fullmatch(word)) for word in ("bitcoin", "coin", "coins")]
        [True, True, False]
    """
    return re.compile("".join(r"\w*" if piece == "*" else re.escape(piece)
                              for piece in re.split(r"(\*)", word) if piece))


def pattern_parts(pattern: str) -> list[str]:
    """The words of a pattern, lower-case, split at spaces and hyphens.

    Example:
        >>> pattern_parts("End-to-end  live-stream*")
        ['end', 'to', 'end', 'live', 'stream*']
    """
    return [part for chunk in pattern.lower().split() for part in re.split(HYPHEN, chunk)
            if part]


class PatternSet:
    """A codebook's patterns, compiled for one spaCy pipeline; finds them in texts."""

    def __init__(self, codebook: Codebook, spacy_model: str | None = None) -> None:
        self.nlp: Language = load_nlp(spacy_model)
        self.named_model = spacy_model is not None
        self.lemma = lookup_lemmatiser()
        self.themes = codebook.ids
        self.words: list[Word] = []
        self._word_ids: dict[Word, int] = {}
        self.rules = [rule for theme in codebook.themes for rule in self._compile(theme)]
        self._by_first: dict[int, list[Rule]] = defaultdict(list)
        for rule in self.rules:
            if rule.words:
                self._by_first[rule.words[0]].append(rule)
        self._regex_rules = [rule for rule in self.rules if rule.regex is not None]
        regexes = [rule.regex for rule in self._regex_rules if rule.regex is not None]
        self._any_regex = any_of(regexes)
        # Lower-case expressions can look for places to try in lower-cased text: 2x faster.
        self._any_regex_lower = (any_of(regexes, ignore_case=False) if all(
            regex.pattern == regex.pattern.lower() for regex in regexes) else None)
        self._forms: dict[str, list[int]] = defaultdict(list)
        for position, word in enumerate(self.words):
            for form in word.forms:
                self._forms[form].append(position)
        self._wildcards = [(position, word.wildcard) for position, word in enumerate(self.words)
                           if word.wildcard is not None]
        self._any_wildcard = re.compile("|".join(
            f"(?:{expression.pattern})" for _, expression in self._wildcards) or "(?!)")
        self._matching: _Memo[Key, tuple[int, ...]] = _Memo(self._match_token)
        strings = self.nlp.vocab.strings
        self._normal: _Memo[int, str] = _Memo(lambda lower: normalise(strings[lower]))
        self._hyphens = {strings.add(hyphen) for hyphen in HYPHENS}
        self._triggers = {strings.add(word) for word in (*TRIGGERS, "n't", "n\u2019t")}

    def find(self, texts: Sequence[str]) -> list[list[RuleMatch]]:
        """The matches in each text (see :meth:`RuleCoder.match`)."""
        return [self._matches(doc, text) for doc, text in zip(self._docs(texts), texts,
                                                               strict=True)]

    def _compile(self, theme: Theme) -> Iterator[Rule]:
        for exclude, patterns in ((False, theme.include), (True, theme.exclude)):
            for pattern in patterns:
                if pattern.startswith(REGEX_PREFIX):
                    expression = re.compile(pattern[len(REGEX_PREFIX):], re.IGNORECASE)
                    yield Rule(theme.id, pattern, exclude, regex=expression)
                    continue
                parts = pattern_parts(pattern)
                tokens = [token for part in parts for token in self._split(part)]
                yield Rule(theme.id, pattern, exclude, tuple(map(self._word, tokens)))
                if len(tokens) > 1:  # the parts written as one word: "darkweb", "e-mail"
                    joined = Word(wildcard=re.compile(
                        f"{HYPHEN}?".join(wildcard(part).pattern for part in parts)))
                    yield Rule(theme.id, pattern, exclude, (self._add(joined),))

    def _split(self, part: str) -> list[str]:
        """A pattern word as the tokenizer splits it ("don't" is "do" "n't"); ``*`` kept."""
        if "*" in part:
            return [part]
        return [token.text for token in self.nlp.tokenizer(part)]

    def _word(self, token: str) -> int:
        if "*" in token:
            return self._add(Word(wildcard=wildcard(token)))
        lemma = self.lemma(token)
        # Lookup tables hold oddities ("ai" -> "have", "more" -> "much"): keep a word's
        # lemma only when it looks like an inflection of the word.
        return self._add(Word(frozenset({token, lemma} if lemma[:2] == token[:2] else {token})))

    def _add(self, word: Word) -> int:
        if word not in self._word_ids:
            self._word_ids[word] = len(self.words)
            self.words.append(word)
        return self._word_ids[word]

    def _docs(self, texts: Sequence[str]) -> Iterator[Doc]:
        if not self.named_model:
            tokenizer: Any = self.nlp.tokenizer
            yield from tokenizer.pipe(texts, batch_size=BATCH_SIZE)
            return
        with self.nlp.select_pipes(disable=[name for name in self.nlp.pipe_names
                                            if name == "ner"]):
            yield from self.nlp.pipe(texts, batch_size=BATCH_SIZE)

    def _matches(self, doc: Doc, text: str) -> list[RuleMatch]:
        keys, lowers = self._keys(doc)
        spans: dict[str, list[Hit]] = defaultdict(list)
        stops: dict[str, list[Hit]] = defaultdict(list)
        for span in chain(self._token_spans(doc, keys, lowers), self._regex_spans(text)):
            (stops if span.rule.exclude else spans)[span.rule.theme].append(span)
        if not spans:
            return []
        kept = [span for theme in self.themes if theme in spans
                for span in longest(spans[theme], stops.get(theme, []))]
        cues = (None if self._triggers.isdisjoint(lowers) else  # nothing can negate
                NegationCues([self._normal[lower] for lower in lowers], normalised=True))
        matches = [RuleMatch(span.rule.theme, span.start, span.end, text[span.start:span.end],
                             cues is not None and _negated(doc, cues, span), span.rule.pattern)
                   for span in kept]
        return sorted(matches, key=lambda match: match.start_char)

    def _token_spans(self, doc: Doc, keys: Sequence[Key],
                     lowers: Sequence[int]) -> Iterator[Hit]:
        """Where token rules match ``doc``."""
        words = [self._matching[key] for key in keys]
        for start in compress(range(len(words)), words):  # the tokens some word matches
            for word in words[start]:
                for rule in self._by_first.get(word, ()):
                    end = self._extend(rule.words[1:], start + 1, words, lowers)
                    if end is not None:
                        yield Hit(doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), rule,
                                   start, end)

    def _regex_spans(self, text: str) -> Iterator[Hit]:
        """Where ``re:`` rules match ``text`` (no token positions: ``-1``).

        One pass of all expressions joined finds where any matches; each is tried only
        there (several times faster than running each over the whole text).
        """
        if self._any_regex is None:
            for rule in self._regex_rules:
                for found in rule.regex.finditer(text):  # type: ignore[union-attr]
                    if found.end() > found.start():
                        yield Hit(found.start(), found.end(), rule)
            return
        gate, probe = self._any_regex, text
        if self._any_regex_lower is not None and len(lowered := text.lower()) == len(text):
            gate, probe = self._any_regex_lower, lowered
        position = 0
        while (hit := gate.search(probe, position)) is not None:
            at = hit.start()
            for rule in self._regex_rules:
                found = rule.regex.match(text, at)  # type: ignore[union-attr]
                if found is not None and found.end() > at:
                    yield Hit(at, found.end(), rule)
            position = at + 1

    def _extend(self, rest: Sequence[int], position: int, words: Sequence[tuple[int, ...]],
                lowers: Sequence[int]) -> int | None:
        """Where the rest of a rule ends from ``position``, skipping hyphens between words."""
        for word in rest:
            if position < len(words) and word in words[position]:
                position += 1
            elif (position + 1 < len(words) and lowers[position] in self._hyphens
                  and word in words[position + 1]):
                position += 2
            else:
                return None
        return position

    def _keys(self, doc: Doc) -> tuple[Sequence[Key], Sequence[int]]:
        """Per token, what its matches depend on: the lower-case form (and a named
        model's lemma), as string hashes; and the lower-case forms alone."""
        from spacy.attrs import LEMMA, LOWER

        if not self.named_model:
            lowers: list[int] = doc.to_array(LOWER).tolist()
            return lowers, lowers
        pairs: list[list[int]] = doc.to_array([LOWER, LEMMA]).tolist()
        return [(lower, lemma) for lower, lemma in pairs], [lower for lower, _ in pairs]

    def _match_token(self, key: Key) -> tuple[int, ...]:
        """The ids of the pattern words a token matches (worked out once per key)."""
        strings = self.nlp.vocab.strings
        if isinstance(key, tuple):
            lower = strings[key[0]]
            lemma = LOOKUP_FIXES.get(lower) or strings[key[1]].lower() or lower
        else:
            lower = strings[key]
            lemma = self.lemma(lower)
        forms = {lower, lemma}
        core = lower.strip(PUNCTUATION)  # ".onion", "bitcoin's" as one token
        if core and core != lower:
            forms |= {core, self.lemma(core)}
        found = {position for form in forms for position in self._forms.get(form, ())}
        if any(self._any_wildcard.fullmatch(form) for form in forms):
            found.update(position for position, expression in self._wildcards
                         if any(expression.fullmatch(form) for form in forms))
        return tuple(sorted(found))


def longest(spans: Sequence[_S], stops: Sequence[tuple[Any, ...]] = ()) -> list[_S]:
    """The ``(start, end, ...)`` spans that overlap no stop, without overlaps: longest
    first, then leftmost; in text order.

    Example:
        >>> longest([(0, 4), (0, 14), (20, 24), (10, 18)], stops=[(18, 30)])
        [(0, 14)]
    """
    if len(spans) == 1 and not stops:
        return list(spans)
    kept: list[_S] = []
    for span in sorted(spans, key=lambda span: (span[0] - span[1], span[0])):
        taken: list[tuple[Any, ...]] = [*stops, *kept]
        if not any(span[0] < other[1] and other[0] < span[1] for other in taken):
            kept.append(span)
    return sorted(kept, key=lambda span: span[0])


def lookup_lemmatiser() -> Callable[[str], str]:
    """Lower-case form -> lower-case lemma from spaCy's English lookup table (with
    :data:`openends.nlp.LOOKUP_FIXES`), remembered per form.

    Example:
        >>> lemma = lookup_lemmatiser()
        >>> lemma("phones"), lemma("data"), lemma("tor")
        ('phone', 'data', 'tor')
    """
    lemmatizer: Any = load_nlp().get_pipe("lemmatizer")
    table = lemmatizer.lookups.get_table("lemma_lookup")
    lemmas: dict[str, str] = {}

    def lemma(lower: str) -> str:
        if lower not in lemmas:
            found = LOOKUP_FIXES.get(lower) or table.get(lower, lower)
            lemmas[lower] = (found if isinstance(found, str) else found[0]).lower()
        return lemmas[lower]

    return lemma


def any_of(expressions: Sequence[re.Pattern[str]], *,
           ignore_case: bool = True) -> re.Pattern[str] | None:
    """One expression matching where any of ``expressions`` does (ignoring case); None
    when they cannot be joined (back-references, clashing group names, global flags).

    Example:
        >>> any_of([re.compile(r"a+"), re.compile(r"\\bb")]).pattern
        '(?:a+)|(?:\\\\bb)'
        >>> any_of([re.compile(r"(a)\\1")]) is None
        True
    """
    patterns = [expression.pattern for expression in expressions]
    if not patterns or any(re.search(r"\\\d|\(\?P=", pattern) for pattern in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{pattern})" for pattern in patterns),
                          re.IGNORECASE if ignore_case else 0)
    except re.error:
        return None


class _Memo(dict[_K, _V]):
    """A dict that works out a missing value with ``compute`` and keeps it."""

    def __init__(self, compute: Callable[[_K], _V]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: _K) -> _V:
        self[key] = value = self.compute(key)
        return value


def _negated(doc: Doc, cues: NegationCues, span: Hit) -> bool:
    if span.first < 0:
        tokens = doc.char_span(span.start, span.end, alignment_mode="expand")
        return tokens is not None and cues.negates(tokens.start, tokens.end)
    return cues.negates(span.first, span.last)
