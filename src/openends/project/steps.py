"""The steps of ``openends run``: each computes its result (from the step cache when its
inputs and settings are unchanged) and, when asked, writes its outputs.

Steps, in order, and what they write into the output folder:

- ``read``: every wave's file into one responses table (nothing written);
- ``clean``: ``responses.parquet``; each wave is cleaned apart and cached, duplicates
  are then found across all waves, so a new wave cleans only its own answers;
- ``topics``: ``topics/`` (topics.json, assignments.csv, the model, topics by question
  and wave);
- ``code``: ``codes.csv``, ``codes_wide.csv`` (and ``agreement.csv`` against the
  project's hand-coded reference);
- ``keywords``: ``keywords.csv``, the terms that mark each wave (keyness) for every
  group and question asked in several waves (and ``keyphrases.csv``, each answer's
  keyphrases, with ``[keywords] per_answer``);
- ``stats``: ``prevalence.csv``, ``changes.csv``;
- ``report``: ``report.md`` and ``report.html`` (as ``[report] formats`` says).

Embeddings go through the embedding cache, so answers embedded once are never
embedded again, whichever step asks.

Example (with the sample project)::

    state = RunState.start(load_project("corpora/project.toml"), default_cache_dir())
    for step in STEPS:
        step.compute(state)
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pandas as pd

from openends.config import ProjectConfig
from openends.project.cache import (
    StepCache,
    file_hash,
    frame_hash,
    read_frames,
    read_meta,
    write_frames,
)


@dataclass
class RunState:
    """What the steps of one run have computed so far."""

    config: ProjectConfig
    cache: StepCache
    embeddings: Any = None
    waves: list[Any] = field(default_factory=list)
    responses: pd.DataFrame | None = None
    cleaned: pd.DataFrame | None = None
    originals: list[str] | None = None
    cleaning: Any = None
    topics: Path | None = None
    coding: Any = None
    agreement: Any = None
    keywords: pd.DataFrame | None = None
    keyphrases: pd.DataFrame | None = None
    report: Any = None
    code_key: str | None = None
    cached: dict[str, bool] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    @property
    def table(self) -> pd.DataFrame:
        """The cleaned responses (once the clean step has run)."""
        if self.cleaned is None:
            raise RuntimeError("the clean step has not run")
        return self.cleaned

    def status_counts(self) -> dict[str, int]:
        """Answers per status (most frequent first), once cleaned."""
        if self.cleaned is None:
            return {}
        return {str(key): int(value) for key, value in
                self.cleaned["status"].value_counts().items()}

    def answer_counts(self, staging: Path) -> dict[str, int]:
        """The answers in every per-answer table computed and file written in
        ``staging``; each must equal the answers read."""
        if self.cleaned is None:
            return {}
        counts = {"cleaned answers": len(self.cleaned)}
        if self.coding is not None:
            counts["coded answers"] = len(self.coding.responses)
        for name, column in (("responses.parquet", None), ("codes_wide.csv", "response_id"),
                             ("codes.csv", "response_id"), ("topics/assignments.csv",
                                                            "response_id")):
            path = staging / name
            if path.is_file():
                counts[name] = _answers_in(path, column)
        return counts

    def manifest_counts(self) -> dict[str, Any]:
        """The counts ``manifest.json`` records."""
        counts: dict[str, Any] = {}
        if self.cleaned is not None:
            counts["answers"] = len(self.cleaned)
            counts["statuses"] = self.cleaning.statuses
        if self.coding is not None:
            counts["coded"] = self.coding.coded
            counts["codes"] = int((self.coding.codes["theme"] != "").sum())
        return counts

    @classmethod
    def start(cls, config: ProjectConfig, cache_dir: Path) -> RunState:
        """A run whose step results and embeddings are cached under ``cache_dir``."""
        from openends.embed import EmbeddingCache

        return cls(config=config, cache=StepCache(cache_dir / "steps"),
                   embeddings=EmbeddingCache(cache_dir / "embeddings"))


def _answers_in(path: Path, column: str | None) -> int:
    """Distinct answers in a written file (rows of a Parquet table)."""
    if column is None:
        import pyarrow.parquet as pq

        return int(pq.read_metadata(path).num_rows)
    return int(pd.read_csv(path, usecols=[column], dtype=str)[column].nunique())


@dataclass(frozen=True)
class Step:
    """One step: its name, the steps it needs, how it computes and what it writes."""

    name: str
    needs: tuple[str, ...]
    compute: Callable[[Any], None]
    write: Callable[[Any, Path], list[Path]]
    outputs: tuple[str, ...]


# -- read ----------------------------------------------------------------------------------
def _read(state: RunState) -> None:
    from openends.pipeline import read_project

    survey = read_project(state.config)
    state.waves, state.responses = survey.waves, survey.responses
    for wave in state.waves:
        state.log.append(f"read {wave.info.path.name} ({wave.info.describe()}): "
                         f"{wave.info.n_rows:,} rows -> {wave.info.n_responses:,} answers "
                         f"(wave {wave.config.wave}, group {wave.config.group or '-'})")
    state.details["read"] = (f"{len(survey.responses):,} answers from "
                             f"{len(state.waves)} file(s)")
    _check_columns(state.config, list(survey.responses.columns))


def _check_columns(config: ProjectConfig, columns: list[str]) -> None:
    """The columns the keywords and report settings name exist, before any heavy work."""
    from openends.errors import ConfigError

    named = [("report.wave", config.report.wave)]
    named += [(f"report.by.{index}", name) for index, name in enumerate(config.report.by or [])]
    if config.keywords.enabled:
        named.append(("keywords.by", config.keywords.by))
    for key, name in named:
        if name not in columns:
            raise ConfigError(f"{key}: no column {name!r} in the answers; choose one of: "
                              f"{', '.join(map(str, columns))}")


def _write_nothing(state: RunState, folder: Path) -> list[Path]:
    return []


# -- clean ---------------------------------------------------------------------------------
def _clean(state: RunState) -> None:
    """Each wave's answers cleaned apart (cached by content and options), then combined."""
    from dataclasses import asdict, replace

    from openends.clean import clean_responses, combine_cleaned
    from openends.clean.pipeline import CleaningSummary, redact_originals
    from openends.pipeline import cleaning_options

    options = cleaning_options(state.config)
    apart = replace(options, find_duplicates=False)
    responses = state.responses
    if responses is None:
        raise RuntimeError("the read step has not run")
    keys, slices, start = [], [], 0
    for wave in state.waves:  # each file's answers, in project order
        answers = responses.iloc[start:start + wave.info.n_responses].reset_index(drop=True)
        start += wave.info.n_responses
        keys.append(state.cache.key("clean", frame_hash(answers), asdict(apart)))
        slices.append(answers)
    hits = 0

    def clean_waves(folder: Path) -> None:
        """Each wave from its own entry (cleaned now if new), duplicates across all."""
        nonlocal hits
        parts, originals = [], []
        for key, answers in zip(keys, slices, strict=True):
            def fill(folder: Path, answers: pd.DataFrame = answers) -> None:
                cleaned, summary = clean_responses(answers, apart)
                shown = (redact_originals(cleaned, options) if options.redact
                         else cleaned["text"].tolist())  # the originals as exported
                write_frames(folder, {"cleaned": cleaned, "originals": pd.DataFrame(
                    {"text": shown})}, meta=summary.to_dict())

            entry, cached = state.cache.entry(key, fill)
            hits += cached
            frames = read_frames(entry)
            parts.append((frames["cleaned"], CleaningSummary(**read_meta(entry))))
            originals.append(frames["originals"])
        cleaned, summary = combine_cleaned(parts, options)
        write_frames(folder, {"cleaned": cleaned, "originals": pd.concat(
            originals, ignore_index=True)}, meta=summary.to_dict())

    entry, state.cached["clean"] = state.cache.entry(
        state.cache.key("clean-all", keys, asdict(options)), clean_waves)
    hits = len(keys) if state.cached["clean"] else hits
    frames = read_frames(entry)
    state.cleaned, state.originals = frames["cleaned"], frames["originals"]["text"].tolist()
    state.cleaning = CleaningSummary(**read_meta(entry))
    state.responses = None  # the cleaned table keeps every column: let the raw one go
    statuses = ", ".join(f"{status} {count:,}" for status, count in
                         state.cleaning.statuses.items())
    state.details["clean"] = f"{statuses} ({hits} of {len(keys)} wave(s) from the cache)"
    state.log.append(f"clean: {len(state.cleaned):,} answers: {statuses}")
    redactions = ", ".join(f"{kind} {count:,}" for kind, count in
                           state.cleaning.redactions.items())
    state.log.append(f"clean: redactions: {redactions or 'none'}")


def _write_clean(state: RunState, folder: Path) -> list[Path]:
    from openends.clean import for_export
    from openends.io import write_table
    from openends.pipeline import cleaning_options

    exported = for_export(state.table, cleaning_options(state.config),
                          originals=state.originals)
    return [write_table(exported, folder / "responses.parquet")]


# -- topics --------------------------------------------------------------------------------
def _topics(state: RunState) -> None:
    settings = state.config.topics
    if not settings.enabled:
        state.details["topics"] = "off ([topics] enabled = false)"
        return
    embedder = embedder_spec(state.config, settings.embedder)
    key = state.cache.key("topics", frame_hash(_modelled(state.table)),
                          settings.model_dump(exclude={"embedder"}), state.config.seed,
                          embedder_identity(embedder) if settings.method == "bertopic" else None)

    def fit(folder: Path) -> None:
        from openends.topics import TopicModel, fit_on_sample, save_topic_model, topics_by

        model = TopicModel(settings.method, n_topics=settings.n_topics,
                           embedder=embedder, clustering=settings.clustering,
                           seed=state.config.seed, cache=state.embeddings)
        fit_on_sample(model, state.table, size=settings.fit_sample, seed=state.config.seed)
        extras = {f"topics_by_{name}.csv": topics_by(model.assignments_, state.table, name)
                  for name in ("question", "wave") if name in state.table.columns}
        save_topic_model(model, folder / "topics", extras=extras)

    entry, state.cached["topics"] = state.cache.entry(key, fit)
    state.topics = entry / "topics"
    topics = json.loads((state.topics / "topics.json").read_text(encoding="utf-8"))
    real = [topic for topic in topics if topic["topic"] != -1]
    state.details["topics"] = f"{len(real)} topics ({settings.method}, {settings.embedder})"
    state.log.append(f"topics: {len(real)} topics ({settings.method}, {settings.embedder}, "
                     f"seed {state.config.seed})")


def embedder_spec(config: ProjectConfig, name: str) -> str:
    """A registered embedder name as it is, else a model folder relative to the project
    file's folder."""
    from openends.embed import available_embedders

    if name in available_embedders():
        return name
    return str(config.path(str(Path(name).expanduser())))


def embedder_identity(spec: str) -> str:
    """What identifies the vectors of ``spec`` in a cache key: the model's fingerprint
    (its weights' hashes), so a rebuilt or replaced model never reuses old results. A
    fitted embedder (tfidf) is identified by its name: it is fitted on the answers, which
    the key holds already."""
    from openends.embed import get_embedder

    if spec == "tfidf":
        return spec
    return str(get_embedder(spec).identity)


def _modelled(cleaned: pd.DataFrame) -> pd.DataFrame:
    """The columns topic models and coders read."""
    wanted = ["response_id", "status", "redacted_text", "lemmas", "language", "question",
              "wave", "group"]
    return cleaned[[column for column in wanted if column in cleaned.columns]]


def _write_topics(state: RunState, folder: Path) -> list[Path]:
    if state.topics is None:
        return []
    shutil.copytree(state.topics, folder / "topics")
    return [folder / "topics"]


# -- code ----------------------------------------------------------------------------------
def _code(state: RunState) -> None:
    settings = state.config.coding
    if settings.codebook is None and settings.model is None:
        state.details["code"] = "off (the project names no codebook or model)"
        return
    inputs = [file_hash(state.config.path(path)) if path else None
              for path in (settings.codebook, settings.model)]
    embedder = embedder_spec(state.config, settings.embedder)
    uses_embedder = settings.semantic and settings.codebook is not None
    key = state.cache.key("code", frame_hash(_modelled(state.table)), inputs,
                          settings.model_dump(exclude={"reference", "embedder"}),
                          embedder_identity(embedder) if uses_embedder else None)

    def code(folder: Path) -> None:
        from openends.pipeline import code_project

        _save_coding(code_project(state.config, state.table, embedder=embedder,
                                  cache=state.embeddings), folder)

    entry, state.cached["code"] = state.cache.entry(key, code)
    state.code_key = key
    state.coding = _load_coding(entry)
    if settings.reference is not None:
        from openends.pipeline import reference_agreement

        state.agreement = reference_agreement(state.config, state.coding)
    coding = state.coding
    note_coding(state, coded=coding.coded, codes=int((coding.codes["theme"] != "").sum()),
                themes=coding.themes, coders=coding.coders, notes=coding.notes)


def note_coding(state: Any, *, coded: int, codes: int, themes: Sequence[str],
                coders: Sequence[str], notes: Sequence[str]) -> None:
    """The code step's line of progress and lines of ``run.log`` (either engine's state:
    ``details``, ``log``, ``agreement``, ``config``)."""
    state.details["code"] = f"{coded:,} answers coded, {codes:,} codes, {len(themes)} themes"
    state.log.append(f"code: {coded:,} answers coded with {', '.join(coders)}: "
                     f"{codes:,} codes over {len(themes)} themes")
    state.log.extend(f"code: note: {note}" for note in notes)
    if state.agreement is not None:
        pooled = state.agreement.table.iloc[-1]
        state.log.append(f"code: agreement with {state.config.coding.reference}: "
                         f"{len(state.agreement.table) - 1} themes, pooled kappa "
                         f"{pooled.get('kappa', float('nan')):.2f}")


_CODING_FIELDS = ("themes", "labels", "coders", "expected_accuracy", "min_precision", "notes")


def _save_coding(coding: Any, folder: Path) -> None:
    write_frames(folder, {"codes": coding.codes, "responses": coding.responses,
                          "decisions": coding.decisions},
                 meta={name: getattr(coding, name) for name in _CODING_FIELDS})


def _load_coding(folder: Path) -> Any:
    from openends.coding.combine import CodingResult

    frames = read_frames(folder)
    return CodingResult(frames["codes"], frames["responses"],
                        decisions=frames.get("decisions"), **read_meta(folder))


def _write_code(state: RunState, folder: Path) -> list[Path]:
    from openends.io import write_table

    if state.coding is None:
        return []
    written = [write_table(state.coding.long(), folder / "codes.csv"),
               write_table(state.coding.wide(), folder / "codes_wide.csv")]
    if state.agreement is not None:
        written.append(write_table(state.agreement.table, folder / "agreement.csv"))
    return written


# -- keywords ------------------------------------------------------------------------------
def _keywords(state: RunState) -> None:
    settings = state.config.keywords
    if not settings.enabled:
        state.details["keywords"] = "off ([keywords] enabled = false)"
        return
    key = state.cache.key("keywords", frame_hash(_modelled(state.table)),
                          frame_hash(state.table[[settings.by]]), settings.model_dump())

    def find(folder: Path) -> None:
        from openends.keywords.per_answer import answer_keyphrases

        table, skipped = keyword_table(state.table, by=settings.by, top=settings.top,
                                       min_count=settings.min_count)
        frames = {"keywords": table}
        if settings.per_answer:
            frames["keyphrases"] = answer_keyphrases(
                state.table, settings.method, top=settings.per_answer,
                embedder=settings.embedder, cache=state.embeddings)
        write_frames(folder, frames, meta={"skipped": skipped})

    entry, state.cached["keywords"] = state.cache.entry(key, find)
    frames = read_frames(entry)
    state.keywords, state.keyphrases = frames["keywords"], frames.get("keyphrases")
    found = state.keyphrases
    note_keywords(state, read_meta(entry)["skipped"], None if found is None else
                  (len(found), found["response_id"].nunique()))


def note_keywords(state: Any, skipped: Sequence[str],
                  keyphrases: tuple[int, int] | None = None) -> None:
    """The keywords step's line of progress and lines of ``run.log`` (either engine);
    ``keyphrases``: the keyphrases found and the answers they belong to."""
    scopes = state.keywords["scope"].nunique() if len(state.keywords) else 0
    state.details["keywords"] = f"{len(state.keywords):,} terms in {scopes} scope(s)"
    state.log.append(f"keywords: {len(state.keywords):,} terms marking each "
                     f"{state.config.keywords.by} in {scopes} scope(s)")
    state.log.extend(f"keywords: skipped {skip}" for skip in skipped)
    if keyphrases is not None:
        settings, (phrases, answers) = state.config.keywords, keyphrases
        state.details["keywords"] += f"; keyphrases of {answers:,} answers"
        state.log.append(f"keywords: up to {settings.per_answer} keyphrases of each answer "
                         f"({settings.method}): {phrases:,} for {answers:,} answers")


KEYWORD_COLUMNS = ["scope", "value", "rank", "keyphrase", "score"]


def keyword_table(cleaned: pd.DataFrame, *, by: str = "wave", top: int = 8,
                  min_count: int = 5) -> tuple[pd.DataFrame, list[str]]:
    """The terms that mark each value of ``by`` (keyness) within every group of respondents
    and question, as the report scopes them: ``scope`` (e.g. "police tech answers"),
    ``value``, ``rank``, ``keyphrase``, ``score`` (the z of the weighted log-odds) and
    the counts behind it; and the scopes skipped for too few answers."""
    from openends.report.build import scoped_keyness

    questions, within = keyword_scopes(cleaned)
    table, skipped = scoped_keyness(cleaned, questions, by, within, top=top,
                                    min_count=min_count)
    return keyword_frame(table), skipped


def keyword_scopes(cleaned: pd.DataFrame, *, questions: list[str] | None = None,
                   grouped: bool | None = None) -> tuple[list[str], list[str]]:
    """The questions (``[""]``: all answers) and the columns within which keywords are
    found: every question asked, within each group of respondents when groups are named.
    ``questions`` and ``grouped`` (known already, e.g. counted in parts) spare reading
    ``cleaned``'s rows: then only its columns matter."""
    if questions is None:
        questions = (sorted(map(str, cleaned["question"].dropna().unique()))
                     if "question" in cleaned.columns else [""])
    if grouped is None:
        grouped = "group" in cleaned.columns and bool(
            cleaned["group"].astype(str).str.strip().ne("").any())
    return questions, ["group"] if grouped and "group" in cleaned.columns else []


def keyword_frame(table: pd.DataFrame) -> pd.DataFrame:
    """``keywords.csv`` from a scoped keyness table: ``value`` for the compared value."""
    if table.empty:
        return pd.DataFrame(columns=KEYWORD_COLUMNS)
    table = table.drop(columns="by").rename(columns={"group": "value"})
    rest = [column for column in table.columns if column not in KEYWORD_COLUMNS]
    return table[[*KEYWORD_COLUMNS, *rest]]


def _write_keywords(state: RunState, folder: Path) -> list[Path]:
    from openends.io import write_table

    return write_keyword_files(state, folder, lambda path: write_table(
        cast(pd.DataFrame, state.keyphrases), path))  # called only when there are some


def write_keyword_files(state: Any, folder: Path,
                        write_keyphrases: Callable[[Path], Any]) -> list[Path]:
    """``keywords.csv`` and, when asked for, ``keyphrases.csv`` (written by
    ``write_keyphrases``: each engine holds them its own way) in ``folder``."""
    from openends.io import write_table

    if state.keywords is None:
        return []
    written = [write_table(state.keywords, folder / "keywords.csv")]
    if state.keyphrases is not None:
        write_keyphrases(folder / "keyphrases.csv")
        written.append(folder / "keyphrases.csv")
    return written


# -- stats and report ----------------------------------------------------------------------
def _stats(state: RunState) -> None:
    if state.coding is None:
        state.details["stats"] = "off (nothing coded)"
        return
    from openends.report.store import load_report, save_report

    settings = state.config
    reference = (file_hash(settings.path(settings.coding.reference))
                 if settings.coding.reference else None)
    key = state.cache.key("stats", frame_hash(state.table), state.code_key, reference,
                          settings.report.model_dump(), settings.name, settings.seed)

    def build(folder: Path) -> None:
        from openends.pipeline import project_report

        save_report(project_report(settings, state.table, state.coding, state.agreement),
                    folder)

    entry, state.cached["stats"] = state.cache.entry(key, build)
    state.report = load_report(entry)
    note_stats(state)


def note_stats(state: Any) -> None:
    """The stats step's line of progress and line of ``run.log`` (either engine)."""
    report = state.report
    significant = sum(int(table["significant"].sum()) for table in
                      (report.trends, report.changes, report.differences)
                      if "significant" in table.columns)
    state.details["stats"] = (f"{len(report.themes)} themes; {report.tests} tests corrected "
                              f"together ({state.config.report.correction}), "
                              f"{significant} significant")
    state.log.append(f"stats: {state.details['stats']}")


def _write_stats(state: RunState, folder: Path) -> list[Path]:
    from openends.io import write_table
    from openends.report.tables import report_tables

    if state.report is None:
        return []
    tables = report_tables(state.report)
    return [write_table(tables["prevalence"], folder / "prevalence.csv"),
            write_table(tables["changes"], folder / "changes.csv")]


def _report(state: RunState) -> None:
    if state.report is not None:
        state.details["report"] = ", ".join(state.config.report.formats)


def _write_report(state: RunState, folder: Path) -> list[Path]:
    from openends.report.tables import write_report

    if state.report is None:
        return []
    written: list[Path] = []
    for format in state.config.report.formats:
        written += write_report(state.report, folder / f"report.{format}", format)
    return written


STEPS = (
    Step("read", (), _read, _write_nothing, ()),
    Step("clean", ("read",), _clean, _write_clean, ("responses.parquet",)),
    Step("topics", ("clean",), _topics, _write_topics, ("topics",)),
    Step("code", ("clean",), _code, _write_code,
         ("codes.csv", "codes_wide.csv", "agreement.csv")),
    Step("keywords", ("clean",), _keywords, _write_keywords, ("keywords.csv",
                                                              "keyphrases.csv")),
    Step("stats", ("code",), _stats, _write_stats, ("prevalence.csv", "changes.csv")),
    Step("report", ("stats",), _report, _write_report, ("report.md", "report.html")),
)
STEP_NAMES = tuple(step.name for step in STEPS)


def needed(only: str | None) -> list[Step]:
    """The steps a run of ``only`` (None: all) computes, in order."""
    if only is None:
        return list(STEPS)
    by_name = {step.name: step for step in STEPS}
    wanted, pending = set(), [only]
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.add(name)
            pending.extend(by_name[name].needs)
    return [step for step in STEPS if step.name in wanted]
