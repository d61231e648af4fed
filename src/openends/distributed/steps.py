"""The steps of ``openends run --engine dask``: the local engine's steps, with the answers
in partitions on a Dask cluster.

What runs where:

- **read** (this process): each wave file streamed in chunks of file rows
  (:func:`openends.io.chunks.iter_responses`), written as partitions of about
  ``[engine] partition_size`` answers; response ids made unique across waves as the
  local engine does (only the ids are held at once).
- **clean** (workers, per partition): cleaning without duplicates; then each
  partition's duplicate keys (text hashes and MinHash signatures) are joined here and
  resolved across all answers, in order (:mod:`openends.clean.duplicates`), and the
  duplicates marked in their partitions.
- **topics**: the model is fitted here once, on the same sample of answers the local
  engine draws (``[topics] fit_sample``, by wave and question), saved to a folder, and
  every partition assigned by the workers with ``transform``.
- **code** (workers): the semantic coder's thresholds are calibrated once on every
  answer's similarities (computed per partition), then each partition coded with them
  (rules, semantic, trained coder), writing its long and wide codes.
- **keywords** and **stats**: term counts and report summaries per partition on the
  workers (:mod:`openends.keywords.scoped`, :mod:`openends.report.parts`), merged and
  scored here.
- **report**: as the local engine.

Outputs are those of the local engine, with ``responses.parquet`` a partitioned Parquet
dataset (a folder of ``part-NNNNN.parquet``; ``pandas.read_parquet`` reads it whole)
and the per-answer CSVs joined from their partitions. On the same project the numbers
are the local engine's: the steps call the same functions on parts of the table, and
what depends on all answers (duplicates, calibration, the topic sample, counts) is
computed on all of them.

The Dask engine does not use the step cache: every run computes every step.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from openends.config import ProjectConfig
from openends.distributed import tasks
from openends.distributed.cluster import RETRIES
from openends.distributed.partitions import (
    Partition,
    concat_csv,
    part_path,
    read_part,
    write_dataset,
    write_part,
)
from openends.project.steps import Step, note_coding, note_keywords, note_stats

WORK = ".work"
"""The work folder (partitions, the fitted models) inside the run's staging folder."""
TOPIC_MODEL = "topic-model"


class Each(list[Any]):
    """Arguments of a task mapped over the partitions: one per partition, in order."""


@dataclass
class CodingSummary:
    """What the code step tells the run: counts, themes and coders (the codes themselves
    stay in the partitions)."""

    coded: int
    codes: int
    themes: list[str]
    coders: list[str]
    notes: list[str]


@dataclass
class DaskState:
    """What the steps of one Dask run have computed so far; the answers stay in partition
    files under ``work``."""

    config: ProjectConfig
    client: Any
    cache_dir: Path
    work: Path = Path(WORK)
    partitions: list[Partition] = field(default_factory=list)
    waves: list[Any] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    cleaning: Any = None
    status: pd.Series | None = None
    topics: Path | None = None
    coding: CodingSummary | None = None
    agreement: Any = None
    keywords: pd.DataFrame | None = None
    keyphrases: list[str] | None = None
    report: Any = None
    counts: dict[str, int] = field(default_factory=dict)
    engine: dict[str, Any] = field(default_factory=dict)
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    cleaned: list[str] = field(default_factory=list)
    cached: dict[str, bool] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def paths(self, step: str, suffix: str = ".parquet") -> Each:
        """The partition files of ``step``, in order."""
        return Each(str(part_path(self.work, step, part.index, suffix))
                    for part in self.partitions)

    def map(self, name: str, function: Any, *arguments: Any) -> list[Any]:
        """``function`` on every partition (one task each, retried on failure), results in
        partition order. :class:`Each` arguments give one value per partition; anything
        else is given to every task."""
        return list(self.gather(self.submit(name, function, *arguments)))

    def submit(self, name: str, function: Any, *arguments: Any,
               count: int | None = None) -> list[Any]:
        """The futures of :meth:`map` (``count`` tasks; default: one per partition), keyed
        ``NAME-NNNNN-RUN`` so that runs sharing a scheduler never share a task."""
        count = len(self.partitions) if count is None else count
        spread = [argument if isinstance(argument, Each) else [argument] * count
                  for argument in arguments]
        return list(self.client.map(function, *spread, key=[
            f"{name}-{index:05d}-{self.token}" for index in range(count)],
            retries=RETRIES, pure=False))

    def reduce(self, name: str, function: Any, futures: list[Any]) -> Any:
        """``function`` (which merges a list of results, in order) applied to neighbours
        on the workers until one result is left, so this process never holds every
        partition's result at once."""
        return self.gather([self.tree(name, function, futures)])[0]

    def tree(self, name: str, function: Any, futures: list[Any]) -> Any:
        """The future of :meth:`reduce`'s result, left on a worker (for other tasks to
        take as an argument)."""
        level = 0
        while len(futures) > 1:
            pairs = [futures[start:start + 2] for start in range(0, len(futures), 2)]
            futures = [self.client.submit(function, pair, key=f"{name}-merge{level}-"
                                          f"{index:05d}-{self.token}", retries=RETRIES,
                                          pure=False)
                       for index, pair in enumerate(pairs)]
            level += 1
        return futures[0]

    def gather(self, futures: list[Any]) -> list[Any]:
        """The results of ``futures``; on any failure (or Ctrl-C) the run's other tasks
        are cancelled, so no worker writes into a staging folder that is being removed."""
        from distributed import KilledWorker

        try:
            return list(self.client.gather(futures))
        except KilledWorker as error:
            self.client.cancel(futures, force=True)
            from openends.errors import ConfigError

            raise ConfigError(f"engine: Dask gave up on task {error.task!r}: the workers "
                              "running it died (out of memory?); lower [engine] "
                              "partition_size or raise memory_limit") from None
        except BaseException:
            self.client.cancel(futures, force=True)
            raise

    def part_cache(self) -> Each:
        """Each partition's own embedding cache (so its texts are embedded once for the
        calibration, the codes and the topics), under the work folder."""
        return Each(str(self.work / "embeddings" / f"part-{part.index:05d}")
                    for part in self.partitions)

    # What the run reports and reconciles, as the local engine's RunState does.
    def status_counts(self) -> dict[str, int]:
        if self.status is None:
            return {}
        return {str(key): int(value) for key, value in self.status.value_counts().items()}

    def answer_counts(self, staging: Path) -> dict[str, int]:
        """The answers counted at each stage by the tasks, and in each per-answer file
        written (read back, as the local engine does)."""
        from openends.project.steps import _answers_in

        counts = dict(self.counts)
        written = staging / "responses.parquet"
        if written.is_dir():
            import pyarrow.parquet as pq

            counts["responses.parquet"] = sum(pq.read_metadata(path).num_rows
                                              for path in written.glob("part-*.parquet"))
        for name in ("codes_wide.csv", "codes.csv", "topics/assignments.csv"):
            if (staging / name).is_file():
                counts[name] = _answers_in(staging / name, "response_id")
        self.counts = counts
        return counts

    def manifest_counts(self) -> dict[str, Any]:
        counts: dict[str, Any] = {}
        if self.cleaning is not None:
            counts["answers"] = self.cleaning.rows_out
            counts["statuses"] = self.cleaning.statuses
        if self.coding is not None:
            counts["coded"] = self.coding.coded
            counts["codes"] = self.coding.codes
        counts["partitions"] = {"count": len(self.partitions),
                                "answers": [part.rows for part in self.partitions],
                                "reconciled": dict(self.counts)}
        return counts


# -- read ----------------------------------------------------------------------------------
def _read(state: DaskState) -> None:
    from openends.errors import ConfigError, OpenendsError
    from openends.io.chunks import iter_responses
    from openends.pipeline import WaveRead, _wave_key
    from openends.project.steps import _check_columns

    size = state.config.engine.partition_size
    slims: list[pd.DataFrame] = []
    firsts: list[pd.DataFrame] = []
    dtypes: list[dict[str, Any]] = []
    for number, wave in enumerate(state.config.waves):
        try:
            chunks = iter_responses(wave.path, text=wave.text, id=wave.id, attrs=wave.attrs,
                                    sheet=wave.sheet, rows=max(1, size // len(wave.text)))
            for chunk in chunks:
                chunk = chunk.reset_index(drop=True)
                chunk.insert(2, "wave", wave.wave)
                chunk.insert(3, "group", wave.group or "")
                part = Partition(len(state.partitions), number, len(chunk),
                                 sum(part.rows for part in state.partitions))
                write_part(chunk, part_path(state.work, "read", part.index))
                state.partitions.append(part)
                if len(firsts) == number:
                    firsts.append(chunk.iloc[:1])
                dtypes.append({str(column): dtype for column, dtype in chunk.dtypes.items()})
                slims.append(chunk[[column for column in _ID_COLUMNS if column in chunk]])
            info = chunks.info
        except OpenendsError as error:
            raise ConfigError(f"waves.{number}{_wave_key(number, wave, error)}: "
                              f"{error}") from None
        state.waves.append(WaveRead(config=wave, info=info))
        state.log.append(f"read {info.path.name} ({info.describe()}): {info.n_rows:,} rows -> "
                         f"{info.n_responses:,} answers (wave {wave.wave}, group "
                         f"{wave.group or '-'})")
    # The columns and types of the whole table as the local engine concatenates it (they
    # follow from each wave's columns and types, not from its values).
    template = pd.concat(firsts, ignore_index=True)
    state.columns = [str(column) for column in template.columns]
    _conform(state, pd.concat(slims, ignore_index=True),
             {str(column): dtype for column, dtype in template.dtypes.items()}, dtypes)
    read = sum(part.rows for part in state.partitions)
    state.counts["read"] = read
    state.details["read"] = (f"{read:,} answers from {len(state.waves)} file(s) in "
                             f"{len(state.partitions)} partition(s)")
    _check_columns(state.config, state.columns)


_ID_COLUMNS = ("response_id", "respondent_id", "wave", "group", "source")


def _conform(state: DaskState, ids: pd.DataFrame, wanted: dict[str, Any],
             found: list[dict[str, Any]]) -> None:
    """Give every partition the columns and types of the whole table (missing values where
    a wave has no such column) and the ids the local engine gives (prefixed by wave where
    a panel repeats them), rewriting only the partitions that change."""
    from openends.errors import ConfigError
    from openends.pipeline import _unique_ids

    unique = _unique_ids(ids)
    renamed = unique is not ids
    if renamed and state.config.report.base == "respondents":
        raise ConfigError("report.base: counting respondents across the waves of a panel is "
                          "not built for --engine dask (each wave's respondents would be "
                          "counted apart); use --engine local, or base \"answers\"")
    if renamed and "respondent_id" not in state.columns:
        state.columns.append("respondent_id")
    for part, types in zip(state.partitions, found, strict=True):
        if not renamed and types == wanted:
            continue
        path = part_path(state.work, "read", part.index)
        table = read_part(path)
        if renamed:
            rows = unique.iloc[part.start:part.start + part.rows]
            table = table.assign(response_id=rows["response_id"].to_numpy(),
                                 respondent_id=rows["respondent_id"].to_numpy())
        for column, dtype in wanted.items():
            if column not in table.columns:
                table[column] = np.nan
            if table[column].dtype != dtype:
                table[column] = table[column].astype(dtype)
        write_part(table[state.columns], path)


# -- clean ---------------------------------------------------------------------------------
def _clean(state: DaskState) -> None:
    from openends.clean.pipeline import CleaningSummary, _summarise
    from openends.pipeline import cleaning_options

    options = cleaning_options(state.config)
    plain = asdict(options)
    cleaned = state.paths("clean")
    results = state.map("clean", tasks.clean_part, state.paths("read"), cleaned, plain)
    state.cleaned = list(cleaned)
    state.counts["cleaned"] = sum(result["rows"] for result in results)
    marked = _mark_duplicates(state, plain) if options.find_duplicates else 0
    parts = state.map("status", tasks.status_part, Each(state.cleaned))
    status = pd.concat([part["status"] for part in parts], ignore_index=True).astype(str)
    language = pd.concat([part["language"] for part in parts], ignore_index=True).astype(str)
    shown = np.full(len(status), "", dtype=object)
    for name in status.unique():
        heads = [text for part in parts for text in part["heads"].get(name, [])][:tasks.HEAD]
        shown[np.flatnonzero((status == name).to_numpy())[:len(heads)]] = heads
    redactions: dict[str, int] = {}
    for result in results:
        for kind, count in result["redactions"].items():
            redactions[kind] = redactions.get(kind, 0) + int(count)
    from collections import Counter

    summary: CleaningSummary = _summarise(
        pd.DataFrame({"status": status, "language": language, "redacted_text": shown}),
        Counter(redactions), results[0]["ner_status"] if results else "", options)
    state.cleaning, state.status = summary, status
    state.facts = {"questions": sorted({question for part in parts
                                        for question in part.get("questions", [])}),
                   "grouped": any(part.get("grouped", False) for part in parts),
                   "has_question": "question" in state.columns}
    statuses = ", ".join(f"{name} {count:,}" for name, count in summary.statuses.items())
    state.details["clean"] = (f"{statuses} ({len(state.partitions)} partition(s), "
                              f"{marked:,} duplicate(s) across them)")
    state.log.append(f"clean: {summary.rows_out:,} answers: {statuses}")
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in summary.redactions.items())
    state.log.append(f"clean: redactions: {kinds or 'none'}")


def _mark_duplicates(state: DaskState, options: dict[str, Any]) -> int:
    """Duplicates found across every partition, in order, and marked where they are."""
    from openends.clean.duplicates import DuplicateKeys, resolve_duplicates

    cleaned = Each(state.cleaned)
    keyed = state.map("duplicate-keys", tasks.duplicate_keys_part, cleaned, options)
    positions = [position for position, _ in keyed]
    owner = np.repeat(np.arange(len(positions)), [len(found) for found in positions])
    local = np.concatenate(positions) if positions else np.zeros(0, dtype=np.int64)

    def texts_of(rows: np.ndarray) -> list[str]:
        texts: dict[int, str] = {}
        for part in np.unique(owner[rows]):
            chosen = rows[owner[rows] == part]
            for row, text in zip(chosen, tasks.texts_at(cleaned[part], local[chosen]),
                                 strict=True):
                texts[int(row)] = text
        return [texts[int(row)] for row in rows]

    found = resolve_duplicates(DuplicateKeys.concat([keys for _, keys in keyed]),
                               threshold=float(options["duplicate_threshold"]),
                               texts_of=texts_of)
    duplicate = np.array([earlier is not None for earlier in found], dtype=bool)
    marks: list[list[int]] = [[] for _ in state.partitions]
    for row in np.flatnonzero(duplicate):
        marks[int(owner[row])].append(int(local[row]))
    chosen = [index for index, rows in enumerate(marks) if rows]
    marked = [str(part_path(state.work, "dedup", index)) for index in chosen]
    state.gather(state.submit("mark-duplicates", tasks.mark_duplicates,
                              Each(cleaned[index] for index in chosen), Each(marked),
                              Each(marks[index] for index in chosen), count=len(chosen)))
    for index, path in zip(chosen, marked, strict=True):
        state.cleaned[index] = path  # the cleaned partition itself is never rewritten
    return int(duplicate.sum())


def _write_clean(state: DaskState, folder: Path) -> list[Path]:
    from openends.pipeline import cleaning_options

    target = folder / "responses.parquet"
    exported = Each(str(part_path(state.work, "export", part.index))
                    for part in state.partitions)
    state.map("export", tasks.export_part, Each(state.cleaned), exported,
              asdict(cleaning_options(state.config)))
    write_dataset([Path(path) for path in exported], target)
    return [target]


# -- topics --------------------------------------------------------------------------------
def _topics(state: DaskState) -> None:
    from openends.project.steps import embedder_spec
    from openends.topics import (
        TopicModel,
        fit_sample,
        save_topic_model,
        topics_by,
        with_assignments,
    )

    settings = state.config.topics
    if not settings.enabled:
        state.details["topics"] = "off ([topics] enabled = false)"
        return
    slim = _columns(state, ["response_id", "status", "wave", "question"])
    sample = fit_sample(slim, size=settings.fit_sample, seed=state.config.seed)
    model = TopicModel(settings.method, n_topics=settings.n_topics,
                       embedder=embedder_spec(state.config, settings.embedder),
                       clustering=settings.clustering, seed=state.config.seed)
    if sample is None:
        model.fit(_rows(state, None))
        assignments = model.assignments_
    else:
        model.fit(_rows(state, sample.to_numpy()))
        saved = save_topic_model(model, state.work / TOPIC_MODEL)
        assignments = pd.concat(state.map("topics", tasks.assign_topics, Each(state.cleaned),
                                          str(saved), state.part_cache()), ignore_index=True)
        with_assignments(model, assignments)
    extras = {f"topics_by_{name}.csv": topics_by(assignments, slim, name)
              for name in ("question", "wave") if name in slim.columns}
    state.topics = save_topic_model(model, state.work / "topics" / "topics", extras=extras)
    state.counts["topics assigned"] = len(assignments)
    real = [topic for topic in model.topics_ if topic.topic != -1]
    fitted = "all answers" if sample is None else f"a sample of {len(sample):,}"
    state.details["topics"] = (f"{len(real)} topics ({settings.method}, {settings.embedder}; "
                               f"fitted on {fitted})")
    state.log.append(f"topics: {len(real)} topics ({settings.method}, {settings.embedder}, "
                     f"seed {state.config.seed}), fitted on {fitted}")


def check_settings(config: ProjectConfig) -> None:
    """What the Dask engine refuses, said before any work: Dask missing, and the tfidf
    embedder (it learns its vocabulary from all answers at once) wherever it is used."""
    from openends.distributed.cluster import dask_available

    dask_available()
    if config.topics.enabled and config.topics.method == "bertopic":
        _refuse_tfidf(config.topics.embedder, "topics")
    if config.coding.semantic and config.coding.codebook:
        _refuse_tfidf(config.coding.embedder, "coding")
    keywords = config.keywords
    if keywords.enabled and keywords.per_answer and keywords.method == "embedding":
        _refuse_tfidf(keywords.embedder, "keywords")


def _refuse_tfidf(embedder: str | None, table: str) -> None:
    from openends.errors import ConfigError

    if embedder == "tfidf":
        raise ConfigError(f"{table}.embedder: tfidf learns its vocabulary from all answers "
                          "at once, which the dask engine does not hold in one place; use "
                          "static, minilm or a model folder, or --engine local")


def _columns(state: DaskState, wanted: list[str]) -> pd.DataFrame:
    """Some columns of every cleaned answer, in order (a slim table: no texts)."""
    columns = [column for column in wanted if column in state.columns or column in
               ("status", "language")]
    return pd.concat([read_part(Path(path), columns) for path in Each(state.cleaned)],
                     ignore_index=True)


def _rows(state: DaskState, positions: np.ndarray | None) -> pd.DataFrame:
    """The modelled columns of the answers at global ``positions`` (None: all), with their
    positions as the index."""
    frames = []
    for part, path in zip(state.partitions, Each(state.cleaned), strict=True):
        if positions is None:
            chosen = np.arange(part.rows)
        else:
            inside = positions[(positions >= part.start) & (positions < part.start + part.rows)]
            chosen = inside - part.start
            if not len(chosen):
                continue
        rows = tasks.modelled_rows(path, chosen.tolist())
        frames.append(rows.set_axis(chosen + part.start))
    return pd.concat(frames)


def _write_topics(state: DaskState, folder: Path) -> list[Path]:
    if state.topics is None:
        return []
    shutil.copytree(state.topics, folder / "topics")
    return [folder / "topics"]


# -- code ----------------------------------------------------------------------------------
def _code(state: DaskState) -> None:
    from openends.coding.codebook import load_codebook
    from openends.coding.combine import coding_notes
    from openends.project.steps import embedder_spec

    config, settings = state.config, state.config.coding
    if settings.codebook is None and settings.model is None:
        state.details["code"] = "off (the project names no codebook or model)"
        return
    codebook_path = str(config.path(settings.codebook)) if settings.codebook else None
    model_path = str(config.path(settings.model)) if settings.model else None
    embedder = embedder_spec(config, settings.embedder)
    semantic = settings.semantic and codebook_path is not None
    thresholds = _calibrate(state, codebook_path, embedder) if semantic else None
    plan = {"codebook": codebook_path, "model": model_path, "semantic": settings.semantic,
            "embedder": embedder, "min_precision": settings.min_precision,
            "thresholds": thresholds}
    targets = Each({"long": str(part_path(state.work, "codes-long", part.index, ".csv")),
                "wide": str(part_path(state.work, "codes-wide", part.index, ".csv")),
                "evidence": str(part_path(state.work, "evidence", part.index)),
                "wide_table": str(part_path(state.work, "wide", part.index))}
                   for part in state.partitions)
    results = state.map("code", tasks.code_part, Each(state.cleaned), targets, plan,
                        state.part_cache())
    first = results[0]
    model = None
    if model_path:
        from openends.coding.store import load_trained_coder

        model = load_trained_coder(Path(model_path))
    codebook = load_codebook(Path(codebook_path)) if codebook_path else None
    questions = set(state.facts["questions"]) if state.facts.get("has_question") else None
    state.coding = CodingSummary(
        coded=sum(result["coded"] for result in results),
        codes=sum(result["codes"] for result in results), themes=first["themes"],
        coders=first["coders"],
        notes=coding_notes(questions, codebook=codebook, model=model))
    state.counts["coded answers"] = sum(result["rows"] for result in results)
    state.counts["coded (long codes)"] = sum(result["answers_in_long"] for result in results)
    if settings.reference is not None:
        state.agreement = _agreement(state)
    note_coding(state, coded=state.coding.coded, codes=state.coding.codes,
                themes=state.coding.themes, coders=state.coding.coders,
                notes=state.coding.notes)
    if thresholds is not None:
        state.log.append("code: semantic thresholds calibrated once on all "
                         f"{state.counts['cleaned']:,} answers")


def _calibrate(state: DaskState, codebook: str | None, embedder: str) -> dict[str, float]:
    """The semantic coder's thresholds, calibrated on every answer's similarities."""
    from openends.coding.codebook import load_codebook
    from openends.coding.semantic import SemanticCoder

    coder = SemanticCoder(load_codebook(Path(str(codebook))), embedder=embedder).fit()
    parts = state.map("similarities", tasks.similarities_part, Each(state.cleaned),
                      str(codebook), embedder, state.part_cache())
    similarity = (np.concatenate(parts) if parts else
                  np.zeros((0, len(coder.codebook.themes))))
    return dict(coder.calibrate(similarity).thresholds_)


def _agreement(state: DaskState) -> Any:
    """Agreement with the project's hand codes, on the answers they cover."""
    from openends.coding.labels import read_labels
    from openends.pipeline import agreement_with_reference

    config = state.config
    reference = config.path(str(config.coding.reference))
    answers = _columns(state, ["response_id", "status"])
    coding = state.coding
    assert coding is not None
    labels = read_labels(reference, answers, themes=coding.themes)
    ids = answers.loc[labels.index, "response_id"].astype(str).tolist()
    wide = pd.concat([tasks.wide_rows(path, ids) for path in state.paths("wide")],
                     ignore_index=True)
    return agreement_with_reference(wide, answers, reference, themes=coding.themes,
                                    seed=config.seed)


def _write_code(state: DaskState, folder: Path) -> list[Path]:
    from openends.io import write_table

    if state.coding is None:
        return []
    written = []
    for step, name in (("codes-long", "codes.csv"), ("codes-wide", "codes_wide.csv")):
        concat_csv([Path(path) for path in state.paths(step, ".csv")], folder / name)
        written.append(folder / name)
    if state.agreement is not None:
        written.append(write_table(state.agreement.table, folder / "agreement.csv"))
    return written


# -- keywords ------------------------------------------------------------------------------
def _keywords(state: DaskState) -> None:
    from openends.keywords.scoped import merge_scoped_counts, scoped_keyness_from_counts
    from openends.project.steps import keyword_frame, keyword_scopes

    settings = state.config.keywords
    if not settings.enabled:
        state.details["keywords"] = "off ([keywords] enabled = false)"
        return
    questions, within = keyword_scopes(
        pd.DataFrame(columns=state.columns), grouped=state.facts["grouped"],
        questions=state.facts["questions"] if state.facts["has_question"] else [""])
    counts = state.reduce("keywords", merge_scoped_counts, state.submit(
        "keywords", tasks.keyness_part, Each(state.cleaned), questions, settings.by, within))
    table, skipped = scoped_keyness_from_counts(counts, top=settings.top,
                                                min_count=settings.min_count)
    state.keywords = keyword_frame(table)
    note_keywords(state, skipped, _keyphrases(state) if settings.per_answer else None)


def _keyphrases(state: DaskState) -> tuple[int, int]:
    """Each answer's keyphrases, per partition, by the method fitted on every answer's
    counts (added up on the workers); the phrases found and the answers they belong to."""
    from openends.keywords.statistical import merge_frequencies

    settings = state.config.keywords
    counts = None
    if settings.method == "statistical":
        counts = state.tree("keyphrase-counts", merge_frequencies, state.submit(
            "keyphrase-counts", tasks.keyphrase_counts_part, Each(state.cleaned),
            settings.method))
    found = state.map("keyphrases", tasks.keyphrases_part, Each(state.cleaned),
                      state.paths("keyphrases", ".csv"), settings.model_dump(), counts,
                      state.part_cache())
    state.keyphrases = state.paths("keyphrases", ".csv")
    return sum(part["phrases"] for part in found), sum(part["answers"] for part in found)


def _write_keywords(state: DaskState, folder: Path) -> list[Path]:
    from openends.project.steps import write_keyword_files

    return write_keyword_files(state, folder, lambda path: concat_csv(
        [Path(part) for part in state.keyphrases or []], path))


# -- stats and report ----------------------------------------------------------------------
def _stats(state: DaskState) -> None:
    from openends.coding.codebook import load_codebook
    from openends.keywords.scoped import merge_scoped_counts, scoped_keyness_from_counts
    from openends.pipeline import report_by
    from openends.report.build import keyness_scopes, quality_from_agreement
    from openends.report.parts import combine_parts, report_from_part

    if state.coding is None:
        state.details["stats"] = "off (nothing coded)"
        return
    config = state.config
    book_path = str(config.path(config.coding.codebook)) if config.coding.codebook else None
    codebook = load_codebook(Path(book_path)) if book_path else None
    by = report_by(config, state.facts["grouped"])
    settings = {"codebook": book_path, "wave": config.report.wave, "by": by,
                "base": config.report.base}
    part = state.reduce("report", combine_parts, state.submit(
        "report", tasks.report_part_task, Each(state.cleaned), state.paths("wide"),
        state.paths("evidence"), settings))
    scopes = keyness_scopes(part.scopes, part.wave, list(part.by))
    keywords, notes = pd.DataFrame(), list[str]()
    if scopes is not None:
        questions, compared, within = scopes
        counts = state.reduce("report-keywords", merge_scoped_counts, state.submit(
            "report-keywords", tasks.keyness_part, Each(state.cleaned), questions, compared,
            within))
        keywords, notes = scoped_keyness_from_counts(counts)
    quality = (quality_from_agreement(state.agreement, against="hand-coded")
               if state.agreement is not None else None)
    state.report = report_from_part(
        part, codebook=codebook, wave=part.wave, by=part.by,
        base=config.report.base, correction=config.report.correction, title=config.name,
        quality=quality, keywords=keywords, keyword_notes=notes)
    note_stats(state)


def _local(name: str) -> Any:
    """The local engine's function of a step whose results are small: the same report of
    its work, the same files."""
    from openends.project import steps

    return getattr(steps, name)


DASK_STEPS = (
    Step("read", (), _read, _local("_write_nothing"), ()),
    Step("clean", ("read",), _clean, _write_clean, ("responses.parquet",)),
    Step("topics", ("clean",), _topics, _write_topics, ("topics",)),
    Step("code", ("clean",), _code, _write_code,
         ("codes.csv", "codes_wide.csv", "agreement.csv")),
    Step("keywords", ("clean",), _keywords, _write_keywords,
         ("keywords.csv", "keyphrases.csv")),
    Step("stats", ("code",), _stats, _local("_write_stats"),
         ("prevalence.csv", "changes.csv")),
    Step("report", ("stats",), _local("_report"), _local("_write_report"),
         ("report.md", "report.html")),
)
