"""What the Dask workers run: one function per per-answer step, on one partition file.

Each task reads its partition (and the models it needs) from files and writes its result
to another file, atomically; it returns only small summaries (counts, keys, counts of
terms). Its arguments are plain data (paths, option dicts, floats): models are never
sent pickled. The codebook and a trained coder are read from their files, a topic model
from the folder it was saved in (JSON, NumPy, safetensors), and the embedder from the
installed model package, checked by hash, as on the local engine. A task run twice (a
worker was lost) writes the same file again, so no answer is lost or counted twice.

Example (a partition cleaned as the local engine cleans it)::

    summary = clean_part("work/read/part-00000.parquet", "work/clean/part-00000.parquet",
                         {"seed": 2017}, report_columns=["question", "group"])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from openends.distributed.partitions import read_part, write_part

ORIGINAL = "_original_redacted"
"""Column of a cleaned partition: the original answer as it may leave the tool."""
HEAD = 50
"""Per status, the first answers a cleaning summary takes its examples from."""


def cleaning_options(options: Mapping[str, Any]) -> Any:
    """A :class:`~openends.clean.CleaningOptions` from its fields as plain data."""
    from openends.clean import CleaningOptions

    return CleaningOptions(**{key: tuple(value) if isinstance(value, list) else value
                              for key, value in options.items()})


# -- clean ---------------------------------------------------------------------------------
def clean_part(source: str, target: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Clean one partition without looking for duplicates (they are found across all
    partitions afterwards); the redacted originals are kept beside, for export."""
    from dataclasses import replace

    from openends.clean import clean_responses
    from openends.clean.pipeline import redact_originals

    chosen = cleaning_options(options)
    answers = read_part(Path(source))
    cleaned, summary = clean_responses(answers, replace(chosen, find_duplicates=False))
    cleaned[ORIGINAL] = (redact_originals(cleaned, chosen) if chosen.redact
                         else cleaned["text"].astype(str).tolist())
    write_part(cleaned, Path(target))
    return {"rows": len(cleaned), "redactions": summary.redactions,
            "ner_status": summary.ner_status}


def duplicate_keys_part(path: str, options: Mapping[str, Any]) -> tuple[np.ndarray, Any]:
    """The positions of a cleaned partition's duplicate candidates (answers ``ok`` or in
    another language: duplicates are decided before language) and their keys."""
    from openends.clean.duplicates import duplicate_keys
    from openends.clean.pipeline import respondents

    chosen = cleaning_options(options)
    table = read_part(Path(path), ["response_id", "respondent_id", "clean_text", "status"]
                      if _has_column(Path(path), "respondent_id") else
                      ["response_id", "clean_text", "status"])
    positions = np.flatnonzero(table["status"].isin(["ok", "other_language"]).to_numpy())
    chosen_rows = table.iloc[positions]
    keys = duplicate_keys(chosen_rows["clean_text"].astype(str).tolist(),
                          respondents(chosen_rows), min_words=chosen.duplicate_min_words,
                          seed=chosen.seed)
    return positions, keys


def texts_at(path: str, positions: Sequence[int]) -> list[str]:
    """The clean texts of some rows of a cleaned partition."""
    table = read_part(Path(path), ["clean_text"])
    return table["clean_text"].astype(str).iloc[list(positions)].tolist()


def mark_duplicates(path: str, target: str, positions: Sequence[int]) -> int:
    """A cleaned partition with the rows at ``positions`` given the status ``duplicate``,
    written to ``target`` (the cleaned partition stays as it was, so running this again,
    or a late copy of the cleaning task, changes nothing)."""
    table = read_part(Path(path))
    status = table["status"].to_numpy(dtype=object).copy()
    status[list(positions)] = "duplicate"
    table["status"] = status
    write_part(table, Path(target))
    return len(positions)


def status_part(path: str) -> dict[str, Any]:
    """A cleaned partition's statuses and languages (per answer, as categories), the
    first answers of each status (for a summary's examples) and the values the run's
    steps decide on (questions asked, whether groups are named)."""
    table = read_part(Path(path))
    heads = {str(status): rows["redacted_text"].head(HEAD).astype(str).tolist()
             for status, rows in table.groupby("status", sort=False)}
    facts: dict[str, Any] = {}
    if "question" in table.columns:
        facts["questions"] = sorted({str(value) for value in table["question"].dropna()})
    if "group" in table.columns:
        facts["grouped"] = bool(table["group"].fillna("").astype(str).str.strip().ne("").any())
    return {"status": table["status"].astype("category"),
            "language": table["language"].astype("category"), "heads": heads, **facts}


def export_part(path: str, target: str, options: Mapping[str, Any]) -> int:
    """The partition as ``responses.parquet`` holds it: every text redacted."""
    from openends.clean import for_export

    table = read_part(Path(path))
    originals = table.pop(ORIGINAL).tolist()
    exported = for_export(table, cleaning_options(options), originals=originals)
    write_part(exported, Path(target))
    return len(exported)


# -- topics --------------------------------------------------------------------------------
MODELLED = ["response_id", "status", "redacted_text", "lemmas", "language", "question",
            "wave", "group"]


def modelled_rows(path: str, positions: Sequence[int] | None = None) -> pd.DataFrame:
    """The columns topic models read, of some rows (None: all) of a cleaned partition."""
    columns = [column for column in MODELLED if _has_column(Path(path), column)]
    table = read_part(Path(path), columns)
    return table if positions is None else table.iloc[list(positions)]


def assign_topics(path: str, model_dir: str, cache_dir: str) -> pd.DataFrame:
    """Topic assignments (``response_id, topic, probability``) of one partition by a
    saved topic model."""
    from openends.embed import EmbeddingCache
    from openends.topics import load_topic_model

    model = load_topic_model(Path(model_dir))
    model.cache = EmbeddingCache(Path(cache_dir))
    assigned: pd.DataFrame = model.transform(modelled_rows(path).reset_index(drop=True))
    return assigned


# -- code ----------------------------------------------------------------------------------
def similarities_part(path: str, codebook: str, embedder: str, cache_dir: str) -> np.ndarray:
    """Each ``ok`` answer's similarity to each theme (NaN out of scope), to calibrate the
    semantic coder on every answer."""
    from openends.coding.codebook import load_codebook
    from openends.coding.semantic import SemanticCoder
    from openends.embed import EmbeddingCache

    coder = SemanticCoder(load_codebook(Path(codebook)), embedder=embedder,
                          cache=EmbeddingCache(Path(cache_dir))).fit()
    return coder.similarities(read_part(Path(path))).to_numpy(dtype=np.float64)


def code_part(path: str, targets: Mapping[str, str], settings: Mapping[str, Any],
              cache_dir: str) -> dict[str, Any]:
    """Code one partition (rules, semantic with the thresholds calibrated on all answers,
    a trained coder) and write its long and wide codes (CSV) and its wide codes
    (Parquet, for the statistics)."""
    from openends.coding.codebook import load_codebook
    from openends.coding.combine import code_responses
    from openends.embed import EmbeddingCache

    model = None
    if settings.get("model"):
        from openends.coding.store import load_trained_coder

        model = load_trained_coder(Path(settings["model"]))
    codebook = load_codebook(Path(settings["codebook"])) if settings.get("codebook") else None
    coding = code_responses(
        read_part(Path(path)), codebook=codebook, model=model, semantic=settings["semantic"],
        embedder=settings["embedder"], min_precision=settings.get("min_precision"),
        cache=EmbeddingCache(Path(cache_dir)),
        semantic_thresholds=settings.get("thresholds"))
    long, wide = coding.long(), coding.wide()
    write_part(long, Path(targets["long"]))
    write_part(wide, Path(targets["wide"]))
    write_part(long[["response_id", "theme", "evidence"]], Path(targets["evidence"]))
    write_part(wide, Path(targets["wide_table"]))
    return {"rows": len(wide), "coded": coding.coded,
            "codes": int((coding.codes["theme"] != "").sum()),
            "answers_in_long": int(long["response_id"].nunique()),
            "themes": coding.themes, "coders": coding.coders}


def wide_rows(path: str, ids: Sequence[str]) -> pd.DataFrame:
    """The wide codes of the answers among ``ids`` in one partition."""
    table = read_part(Path(path))
    return table[table["response_id"].astype(str).isin(set(ids))]


# -- keywords and statistics ---------------------------------------------------------------
def keyness_part(path: str, questions: Sequence[str], compared: str,
                 within: Sequence[str]) -> Any:
    """The term counts of one partition behind the keyness of ``compared`` by scope."""
    from openends.keywords.scoped import scoped_term_counts

    columns = ["status", "redacted_text", *(["question"] if questions != [""] else []),
               compared, *within]
    table = read_part(Path(path), list(dict.fromkeys(columns)))
    return scoped_term_counts(table, list(questions), compared, list(within))


def keyphrase_counts_part(path: str, method: str) -> Any:
    """What the keyphrase ``method`` learns from one partition's answers (None: nothing),
    to be added up over all partitions."""
    from openends.keywords.per_answer import count_part

    return count_part(read_part(Path(path), ["response_id", "status", "redacted_text"]),
                      method)


def keyphrases_part(path: str, target: str, settings: Mapping[str, Any], counts: Any,
                    cache_dir: str) -> dict[str, int]:
    """One partition's keyphrases of each answer (the method fitted on all answers'
    ``counts``), written as CSV; returns the phrases and the answers they belong to."""
    from openends.embed import EmbeddingCache
    from openends.keywords.per_answer import answer_keyphrases

    table = read_part(Path(path), ["response_id", "status", "redacted_text"])
    found = answer_keyphrases(table, settings["method"], top=settings["per_answer"],
                              counts=counts, embedder=settings["embedder"],
                              cache=EmbeddingCache(Path(cache_dir)))
    write_part(found, Path(target))
    return {"phrases": len(found), "answers": int(found["response_id"].nunique())}


def report_part_task(path: str, wide: str, evidence: str, settings: Mapping[str, Any]) -> Any:
    """One partition's summary for the report (:func:`openends.report.parts.report_part`)."""
    from openends.coding.codebook import load_codebook
    from openends.report.parts import report_part

    codebook = load_codebook(Path(settings["codebook"])) if settings.get("codebook") else None
    responses = read_part(Path(path)).drop(columns=[ORIGINAL])
    return report_part(read_part(Path(wide)), responses, codebook=codebook,
                       evidence=read_part(Path(evidence)), wave=settings["wave"],
                       by=settings["by"], base=settings["base"])


def _has_column(path: Path, column: str) -> bool:
    import pyarrow.parquet as pq

    return column in pq.read_schema(path).names
