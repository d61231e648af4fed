"""Project files (TOML), validated with pydantic; errors name the key at fault.

A project file names the waves of a survey, each with its own file and column
mapping (column names drift from year to year). Paths are relative to the file.

Example:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "project.toml").write_text('''
    ... name = "Staff survey"
    ... [[waves]]
    ... wave = "2024"
    ... file = "staff_2024.csv"
    ... text = { comments = "Q7" }
    ... ''')
    >>> project = load_project(folder / "project.toml")
    >>> project.waves[0].path.name, project.waves[0].text
    ('staff_2024.csv', {'comments': 'Q7'})
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from openends.errors import ConfigError, InputFileError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


PROJECT_COLUMNS = frozenset({"wave", "group", "lemmas"})
"""Columns a project run adds beside those of :data:`openends.io.responses.RESERVED_COLUMNS`."""


class WaveConfig(_Strict):
    """One data file of a survey project: a wave (year) of one group of respondents."""

    wave: str = Field(description="the wave's name, usually the year")
    file: str = Field(description="the data file, relative to the project file")
    text: dict[str, str] = Field(description="question name -> answer column")
    group: str | None = Field(default=None, description="respondent group, e.g. 'police'")
    id: str | None = Field(default=None, description="respondent id column")
    attrs: dict[str, str] = Field(default_factory=dict, description="attribute -> column")
    sheet: str | None = None
    base_dir: Path = Field(default=Path("."), exclude=True)

    @field_validator("wave", "group", mode="before")
    @classmethod
    def _as_string(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @field_validator("text")
    @classmethod
    def _at_least_one_question(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("name at least one answer column, e.g. text = { q1 = \"Q1\" }")
        return value

    @field_validator("attrs")
    @classmethod
    def _not_reserved(cls, value: dict[str, str]) -> dict[str, str]:
        from openends.io.responses import RESERVED_COLUMNS

        taken = sorted(set(value) & (RESERVED_COLUMNS | PROJECT_COLUMNS))
        if taken:
            raise ValueError(f"{taken[0]!r} is a column openends adds; call it something "
                             "else, e.g. " + f"{taken[0]}_answer = ...")
        return value

    @property
    def path(self) -> Path:
        return (self.base_dir / self.file).resolve()


class CleaningConfig(_Strict):
    """The ``[cleaning]`` table: options of :class:`openends.clean.CleaningOptions`.

    Keys left out keep the defaults of ``CleaningOptions`` (one place defines them).
    """

    expected_languages: list[str] | None = None
    languages: list[str] | None = None
    non_answers: list[str] | None = None
    redact: bool | None = None
    redact_terms: list[str] | None = None
    spacy_model: str | None = None
    duplicate_min_words: int | None = Field(default=None, ge=1)


class CodingConfig(_Strict):
    """The ``[coding]`` table: how answers are coded, and a reference to check against."""

    codebook: str | None = Field(default=None, description="codebook (.yml), relative path")
    model: str | None = Field(default=None, description="trained coder folder")
    reference: str | None = Field(default=None, description="hand-coded answers (wide CSV "
                                  "with response_id) to measure agreement against")
    semantic: bool = True
    embedder: str = "static"
    min_precision: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _precision_needs_a_model(self) -> CodingConfig:
        if self.min_precision is not None and self.model is None:
            raise ValueError("min_precision needs a trained coder (model = ...): it rests on "
                             "its cross-validated estimates")
        return self


class TopicsConfig(_Strict):
    """The ``[topics]`` table: the inductive topic model of ``openends run``."""

    enabled: bool = Field(default=True, description="false skips the topics step")
    method: Literal["bertopic", "nmf", "lda"] = "bertopic"
    embedder: str = "static"
    n_topics: int | Literal["auto"] = Field(default="auto", description="'auto' or a number")
    clustering: Literal["ward", "hdbscan"] = "ward"
    fit_sample: int = Field(default=20_000, ge=100, description="fit on at most this many "
                            "answers (sampled by wave and question), then assign every answer")

    @field_validator("n_topics")
    @classmethod
    def _positive(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value < 2:
            raise ValueError("ask for at least 2 topics, or 'auto'")
        return value


class KeywordsConfig(_Strict):
    """The ``[keywords]`` table: the terms that mark each value of ``by`` (keyness)
    within each group of respondents and question; and, with ``per_answer``, each
    answer's own keyphrases."""

    enabled: bool = True
    by: str = Field(default="wave", description="the column whose values are compared")
    top: int = Field(default=8, ge=1, description="terms per value")
    min_count: int = Field(default=5, ge=1)
    per_answer: int = Field(default=0, ge=0, description="keyphrases of each answer "
                            "written to keyphrases.csv (0: none)")
    method: Literal["statistical", "embedding", "yake"] = Field(
        default="statistical", description="how each answer's keyphrases are found")
    embedder: str = Field(default="static", description="the embedder of the embedding "
                          "method")


class ReportConfig(_Strict):
    """The ``[report]`` table: grouping, base, correction and formats of the report."""

    by: list[str] | None = Field(default=None, description="group columns; default: "
                                 "'group' when the project names groups")
    wave: str = "wave"
    base: Literal["answers", "all", "respondents"] = "answers"
    correction: Literal["holm", "bh", "none"] = "holm"
    formats: list[Literal["md", "html"]] = ["md", "html"]


class EngineConfig(_Strict):
    """The ``[engine]`` table: where ``openends run`` computes (``--engine`` and
    ``--scheduler`` on the command line take precedence)."""

    name: Literal["local", "dask"] = Field(default="local", description="local: this "
                                           "process; dask: partitions on a Dask cluster")
    scheduler: str | None = Field(default=None, description="a running Dask scheduler's "
                                  "address (e.g. tcp://10.0.0.5:8786); default: a local "
                                  "cluster sized to this machine")
    workers: int | None = Field(default=None, ge=1, description="local cluster: worker "
                                "processes (default: one per core)")
    memory_limit: str | None = Field(default=None, description="local cluster: memory per "
                                     "worker, e.g. '2GB' (default: the machine's memory "
                                     "shared between the workers)")
    partition_size: int = Field(default=10_000, ge=100, description="answers per partition")


class ProjectConfig(_Strict):
    """A survey project: its name, output folder, seed, waves and the settings of each step."""

    name: str
    output: str = "out"
    seed: StrictInt = Field(default=0, ge=0, le=2**32 - 1)
    waves: list[WaveConfig] = Field(min_length=1)
    cleaning: CleaningConfig = CleaningConfig()
    coding: CodingConfig = CodingConfig()
    topics: TopicsConfig = TopicsConfig()
    keywords: KeywordsConfig = KeywordsConfig()
    report: ReportConfig = ReportConfig()
    engine: EngineConfig = EngineConfig()
    base_dir: Path = Field(default=Path("."), exclude=True)
    project_file: Path | None = Field(default=None, exclude=True)

    @property
    def output_dir(self) -> Path:
        return (self.base_dir / Path(self.output).expanduser()).resolve()

    def path(self, relative: str) -> Path:
        """A path of the project file, relative to its folder."""
        return (self.base_dir / relative).resolve()


def load_project(path: str | Path) -> ProjectConfig:
    """Read and validate a project file; raises ConfigError naming the bad key."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "project file not found; check the path")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path.name}: not valid TOML ({error})") from None
    base = path.parent.resolve()
    for wave in data.get("waves", []) if isinstance(data.get("waves"), list) else []:
        if isinstance(wave, dict):
            wave["base_dir"] = base
    try:
        return ProjectConfig.model_validate({**data, "base_dir": base,
                                             "project_file": path.resolve()})
    except ValidationError as error:
        raise ConfigError(f"{path.name}: {describe_validation_error(error)}") from None


def describe_validation_error(error: ValidationError) -> str:
    """The first problem of a pydantic error as ``key.path: message``.

    Example:
        >>> try:
        ...     ProjectConfig.model_validate({"name": "x", "waves": [], "colour": 1})
        ... except ValidationError as error:
        ...     print(describe_validation_error(error))
        waves: List should have at least 1 item after validation, not 0 (and 1 more problem)
    """
    problems = error.errors()
    first = problems[0]
    where = ".".join(str(part) for part in first["loc"]) or "file"
    message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    more = f" (and {len(problems) - 1} more problem{'s' * (len(problems) > 2)})"
    return f"{where}: {message}" + (more if len(problems) > 1 else "")
