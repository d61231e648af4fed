"""Reading and coding a survey project: waves -> one responses table -> codes -> report.

Example (with the sample project)::

    from openends.config import load_project
    survey = read_project(load_project("corpora/project.toml"))
    survey.responses.groupby("wave").size()
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from openends.clean import CleaningOptions
from openends.config import ProjectConfig, WaveConfig
from openends.errors import (
    ConfigError,
    DuplicateIdError,
    MissingIdError,
    OpenendsError,
    SheetNotFoundError,
)
from openends.io import ReadInfo, read_responses

if TYPE_CHECKING:
    from openends.embed import EmbeddingCache


@dataclass(frozen=True)
class WaveRead:
    """One wave as read: its configuration and what the reader detected."""

    config: WaveConfig
    info: ReadInfo


@dataclass(frozen=True)
class Survey:
    """All waves of a project in one responses table (``wave`` and ``group`` columns added)."""

    project: ProjectConfig
    responses: pd.DataFrame
    waves: list[WaveRead]


def cleaning_options(project: ProjectConfig) -> CleaningOptions:
    """The project's ``[cleaning]`` table as cleaning options, seeded by the project."""
    chosen = project.cleaning.model_dump(exclude_none=True)
    return CleaningOptions(seed=project.seed, **{
        key: tuple(value) if isinstance(value, list) else value for key, value in chosen.items()
    })


def read_project(project: ProjectConfig) -> Survey:
    """Read every wave of a project into one responses table, in project order."""
    frames, waves = [], []
    for index, wave in enumerate(project.waves):
        try:
            responses, info = read_responses(wave.path, text=wave.text, id=wave.id,
                                             attrs=wave.attrs, sheet=wave.sheet)
        except OpenendsError as error:
            key = _wave_key(index, wave, error)
            raise ConfigError(f"waves.{index}{key}: {error}") from None
        responses.insert(2, "wave", wave.wave)
        responses.insert(3, "group", wave.group or "")
        frames.append(responses)
        waves.append(WaveRead(config=wave, info=info))
    combined = _unique_ids(pd.concat(frames, ignore_index=True))
    return Survey(project=project, responses=combined, waves=waves)


def _wave_key(index: int, wave: WaveConfig, error: Exception) -> str:
    """The key of wave ``index`` that names what ``error`` is about (e.g. ``.text.tech``)."""
    if isinstance(error, SheetNotFoundError) or "--sheet" in str(error):
        return ".sheet"
    if isinstance(error, (DuplicateIdError, MissingIdError)):
        return ".id"
    column = getattr(error, "column", None)
    for table in ("text", "attrs"):
        for name, value in getattr(wave, table).items():
            if value == column:
                return f".{table}.{name}"
    return ".id" if column == wave.id else ""


def _unique_ids(responses: pd.DataFrame) -> pd.DataFrame:
    """The table with unique response ids. When the same ids come back in several waves
    (a panel: each respondent keeps an id from year to year) every response id is
    prefixed with its wave (and group, where needed), e.g. ``2019/R17:tech``;
    ``respondent_id`` keeps the id itself. Ids repeated within one wave are an error."""
    if not responses["response_id"].duplicated().any():
        return responses
    for columns in (["wave"], ["group", "wave"]):
        prefix = responses[columns].astype(str).agg("/".join, axis=1)
        prefixed = prefix + "/" + responses["response_id"].astype(str)
        if not prefixed.duplicated().any():
            if "respondent_id" not in responses.columns:  # one question: the id itself
                responses = responses.assign(respondent_id=responses["response_id"])
            return responses.assign(response_id=prefixed)
    duplicated = responses["response_id"].duplicated(keep=False)
    clashes = responses.loc[duplicated].groupby("response_id", sort=False)["source"].apply(list)
    where = "; ".join(f"{rid!r} in {', '.join(files)}" for rid, files in clashes[:3].items())
    raise ConfigError(
        f"waves: {len(clashes)} response id(s) occur more than once within one wave "
        f"({where}); give each wave its own name, or name an id column (id = ...) that is "
        "unique within each file")


def code_project(project: ProjectConfig, cleaned: pd.DataFrame, *,
                 embedder: str | None = None, cache: EmbeddingCache | None = None) -> Any:
    """Code a project's cleaned answers as its ``[coding]`` table says (a CodingResult), or
    None when it names neither a codebook nor a model. Embeddings go through ``cache``
    (default: the user cache), so calibration and coding embed each answer once."""
    from openends.coding.codebook import load_codebook
    from openends.coding.combine import code_responses
    from openends.embed import EmbeddingCache, default_cache_dir

    settings = project.coding
    if settings.codebook is None and settings.model is None:
        return None
    model = None
    if settings.model is not None:
        from openends.coding.store import load_trained_coder

        model = load_trained_coder(project.path(settings.model))
    codebook = load_codebook(project.path(settings.codebook)) if settings.codebook else None
    return code_responses(cleaned, codebook=codebook, model=model, semantic=settings.semantic,
                          embedder=embedder or settings.embedder,
                          min_precision=settings.min_precision,
                          cache=cache or EmbeddingCache(default_cache_dir() / "embeddings"))


def reference_agreement(project: ProjectConfig, coding: Any) -> Any:
    """Agreement of a CodingResult with the project's hand-coded reference (an
    :class:`openends.agreement.Agreement`), or None when the project names none."""
    if project.coding.reference is None or coding is None:
        return None
    return agreement_with_reference(coding.wide(), coding.responses,
                                    project.path(project.coding.reference),
                                    themes=coding.themes, seed=project.seed)


def agreement_with_reference(wide: pd.DataFrame, responses: pd.DataFrame,
                             reference: str | Path, *, themes: Sequence[str] | None = None,
                             seed: int = 0) -> Any:
    """Agreement of automatic codes (wide: ``response_id`` and 0/1 theme columns) with
    hand codes of some of ``responses``, on the answers the hand codes cover.

    An answer of ``responses`` the tool did not code (empty, non-substantive, duplicate,
    other language: absent from ``wide``) counts as coded with no theme, so a theme the
    hand coders found there is a miss of the pipeline, not left out."""
    from openends.agreement import agree
    from openends.coding.codings import Coding
    from openends.coding.labels import read_labels

    answers = responses.reset_index(drop=True)
    labels = read_labels(reference, answers, themes=themes)
    ids = answers.loc[labels.index, "response_id"].astype(str).to_numpy()
    automatic = wide.assign(response_id=wide["response_id"].astype(str)).set_index(
        "response_id").reindex(ids, fill_value=0)[list(labels.columns)]
    return agree([Coding("openends", automatic), Coding("hand-coded", labels.set_axis(ids))],
                 seed=seed)


def project_report(config: ProjectConfig, cleaned: pd.DataFrame, coding: Any,
                   agreement: Any) -> Any:
    """The theme-prevalence report of a coded project as its ``[report]`` table says: by
    its group columns (default: survey group, when the project names groups) and wave,
    with the agreement with its hand codes as coding quality."""
    if coding is None:
        return None
    from openends.coding.codebook import load_codebook
    from openends.report.build import build_report, quality_from_agreement

    settings = config.coding
    book = load_codebook(config.path(settings.codebook)) if settings.codebook else None
    by = report_by(config, bool(cleaned["group"].fillna("").astype(str).str.strip().ne(
        "").any()))
    quality = (quality_from_agreement(agreement, against="hand-coded")
               if agreement is not None else None)
    return build_report(coding.wide(), cleaned, codebook=book, evidence=coding.long(),
                        wave=config.report.wave, by=by, base=config.report.base,
                        correction=config.report.correction, title=config.name,
                        quality=quality)


def report_by(config: ProjectConfig, grouped: bool) -> list[str]:
    """The columns a project's report splits by: its ``[report] by``, else the survey
    group when the answers name groups (``grouped``)."""
    if config.report.by is not None:
        return list(config.report.by)
    return ["group"] if grouped else []
