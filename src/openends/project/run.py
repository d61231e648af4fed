"""``run_project``: the whole pipeline of a survey project into one output folder.

read -> clean -> topics -> code -> keywords -> stats -> report (see
:mod:`openends.project.steps`). Outputs are built in a staging folder and swapped
in only when every step succeeded; the steps' results are cached by content, so
a re-run of an unchanged project does no heavy work and a new wave cleans and
embeds only its own answers. Two runs of the same project write the same bytes,
apart from the timings in ``manifest.json``.

Example (with the sample project)::

    result = run_project("corpora/project.toml")
    [(step.name, step.cached) for step in result.steps]
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from openends import __version__
from openends.config import ProjectConfig, load_project
from openends.distributed.steps import DASK_STEPS, WORK
from openends.errors import ConfigError, OpenendsError
from openends.project.cache import file_hash
from openends.project.manifest import output_entries, package_versions, write_manifest
from openends.project.publish import MANIFEST, check_output_folder, staged_output
from openends.project.steps import STEP_NAMES, STEPS, RunState, Step, needed

LOG = "run.log"


@dataclass(frozen=True)
class StepRecord:
    """How one step went: seconds taken, whether its result came from the cache, and a
    one-line summary."""

    name: str
    seconds: float
    cached: bool
    detail: str
    written: bool

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.name, "seconds": round(self.seconds, 3), "cached": self.cached,
                "detail": self.detail, "written": self.written}


@dataclass(frozen=True)
class RunResult:
    """A finished run: where it wrote, what each step did, the counts and the report."""

    project: str
    output: Path
    responses: int
    statuses: dict[str, int]
    steps: list[StepRecord]
    outputs: list[str]
    warnings: list[str] = field(default_factory=list)
    report: Any = None
    agreement: Any = None

    @property
    def seconds(self) -> float:
        return sum(step.seconds for step in self.steps)

    def to_dict(self) -> dict[str, Any]:
        return {"project": self.project, "output": str(self.output),
                "responses": self.responses, "statuses": self.statuses,
                "steps": [step.to_dict() for step in self.steps], "outputs": self.outputs,
                "warnings": self.warnings, "seconds": round(self.seconds, 3)}

    def __rich__(self) -> RenderableType:
        table = Table(title=f"{self.project}: {self.responses:,} answers", show_edge=False,
                      title_justify="left")
        for title in ("step", "seconds", "from cache", "result"):
            table.add_column(title, justify="right" if title == "seconds" else "left",
                             overflow="fold")
        for step in self.steps:
            table.add_row(step.name, f"{step.seconds:.1f}", "yes" if step.cached else "",
                          step.detail)
        written = Text(f"\nWrote {len(self.outputs)} outputs to {self.output}: "
                       + ", ".join(self.outputs))
        notes = [Text(f"warning: {warning}", style="yellow") for warning in self.warnings]
        return Group(table, written, *notes)


Progress = Callable[[str, int, int, "StepRecord | None"], None]


def run_project(project: str | Path | ProjectConfig, *, only: str | None = None,
                output: str | Path | None = None, progress: Progress | None = None,
                cache_dir: Path | None = None, engine: str | None = None,
                scheduler: str | None = None) -> RunResult:
    """Run a project file (or a loaded project) and publish its output folder.

    ``only`` runs one step (its prerequisites come from the cache or are computed
    without being written) and keeps the other outputs of the previous run.
    ``output`` replaces the project's output folder. ``progress(step, index, total,
    record)`` is called as each step starts (``record`` None) and ends. Step results
    and embeddings are cached under ``cache_dir`` (default: the user cache,
    ``$OPENENDS_CACHE`` or ``~/.cache/openends``). ``engine`` (default: the project's
    ``[engine] name``) is ``local`` or ``dask`` (:mod:`openends.distributed`: the
    answers in partitions on a Dask cluster, at ``scheduler`` or a local one).
    """
    config = project if isinstance(project, ProjectConfig) else load_project(project)
    engine = engine or config.engine.name
    if engine not in ENGINES:
        raise ConfigError(f"--engine: no engine {engine!r}; choose one of: "
                          f"{', '.join(ENGINES)}")
    if scheduler and engine != "dask":
        raise ConfigError("--scheduler: a Dask scheduler is for --engine dask (or [engine] "
                          "name = \"dask\")")
    if only is not None and only not in STEP_NAMES:
        raise ConfigError(f"--only: no step {only!r}; choose one of: {', '.join(STEP_NAMES)}")
    check_inputs(config)
    if engine == "dask":
        from openends.distributed.steps import check_settings

        check_settings(config)
    target = Path(output).resolve() if output is not None else config.output_dir
    steps = needed(only)
    writes = {step.name for step in steps} if only is None else {only}
    keep = _carried_over(target, only)
    from openends.embed import default_cache_dir

    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    protected = [*_inputs(config), cache_dir / "steps", cache_dir / "embeddings"]
    check_output_folder(target, protected)
    if only is not None:
        _check_unchanged_inputs(config, target)
    records: list[StepRecord] = []

    def run_step(state: Any, index: int, step: Step, staging: Path | None) -> None:
        if progress is not None:
            progress(step.name, index, len(steps), None)
        started = time.perf_counter()
        try:
            step.compute(state)
        except OpenendsError as error:
            raise ConfigError(with_table(step.name, str(error))) from None
        written = False
        if staging is not None and step.name in writes:
            step.write(state, staging)
            written = True
        record = StepRecord(step.name, time.perf_counter() - started,
                            state.cached.get(step.name, False),
                            state.details.get(step.name, ""), written)
        records.append(record)
        if progress is not None:
            progress(step.name, index, len(steps), record)
        release_memory()

    with _engine_state(engine, config, cache_dir, scheduler) as state:
        local = engine == "local"
        if local:
            run_step(state, 1, steps[0], None)  # read: a problem with the data stops here
        else:
            steps = [step for step in DASK_STEPS if step.name in {s.name for s in steps}]
        with staged_output(target, protected=protected, keep=keep) as staging:
            if not local:
                state.work = staging / WORK
            for index, step in enumerate(steps, start=1):
                if index > 1 or not local:
                    run_step(state, index, step, staging)
            if not local:
                shutil.rmtree(state.work)
            _reconcile(state, staging)
            warnings = _warnings(state)
            (staging / LOG).write_text(_log_text(config, state, warnings), encoding="utf-8")
            write_manifest(staging, _manifest(config, state, staging, records, only, keep,
                                              engine=getattr(state, "engine", None)))
            outputs = sorted({path.relative_to(staging).parts[0]
                              for path in staging.rglob("*")})
    answers = sum(wave.info.n_responses for wave in state.waves)  # read, cleaned or not
    return RunResult(config.name, target, answers, state.status_counts(), records, outputs,
                     warnings, state.report, state.agreement)


ENGINES = ("local", "dask")


@contextlib.contextmanager
def _engine_state(engine: str, config: ProjectConfig, cache_dir: Path,
                  scheduler: str | None) -> Iterator[Any]:
    """The state the steps of ``engine`` compute into; for Dask, with a client connected
    for the run (a local cluster is started and stopped with it)."""
    if engine == "local":
        yield RunState.start(config, cache_dir)
        return
    from openends.distributed.cluster import dask_client, describe
    from openends.distributed.steps import DaskState

    with dask_client(config.engine, scheduler) as client:
        state = DaskState(config=config, client=client, cache_dir=cache_dir)
        state.engine = {"name": "dask", **describe(client),
                        "partition_size": config.engine.partition_size}
        yield state


def release_memory() -> None:
    """Collect garbage and hand freed heap back to the system (glibc's ``malloc_trim``), so
    the peak of a run is that of its largest step, not the sum of what steps left behind."""
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


_TABLES = {"clean": "cleaning", "topics": "topics", "code": "coding", "keywords": "keywords",
           "stats": "report", "report": "report"}


def with_table(step: str, message: str) -> str:
    """A step's error, prefixed with the project-file table whose settings it ran with
    (unless it names a key already).

    Example:
        >>> with_table("clean", "spaCy model 'xx' is not installed")
        "cleaning: spaCy model 'xx' is not installed"
    """
    table = _TABLES.get(step)
    if table is None or message.startswith((f"{table}.", f"{table}:", "waves", "output")):
        return message
    return f"{table}: {message}"


def check_inputs(config: ProjectConfig) -> None:
    """Every file and model the project names is there and readable, before any work
    starts; the error names the key of the project file at fault."""
    from openends.project.steps import embedder_spec

    named = [(f"waves.{index}.file", wave.path, "file")
             for index, wave in enumerate(config.waves)]
    coding = config.coding
    named += [(f"coding.{role}", config.path(name), kind)
              for role, kind in (("codebook", "file"), ("model", "folder"),
                                 ("reference", "file"))
              if (name := getattr(coding, role))]
    embedders = []
    if config.topics.enabled and config.topics.method == "bertopic":
        embedders.append(("topics.embedder", config.topics.embedder))
    if coding.semantic and coding.codebook:
        embedders.append(("coding.embedder", coding.embedder))
    for key, name in embedders:
        spec = embedder_spec(config, name)
        if spec != name:
            named.append((key, Path(spec), "folder"))
    for key, path, kind in named:
        if not (path.is_file() if kind == "file" else path.is_dir()):
            raise ConfigError(f"{key}: {path} is not a {kind} (paths are relative to the "
                              "project file's folder)")
    if coding.codebook:
        from openends.coding.codebook import load_codebook

        try:
            load_codebook(config.path(coding.codebook))
        except OpenendsError as error:
            raise ConfigError(f"coding.codebook: {error}") from None


def _input_files(config: ProjectConfig) -> list[Path]:
    """The wave files, and the codebook, trained coder and reference the project names."""
    paths = [wave.path for wave in config.waves]
    for name in (config.coding.codebook, config.coding.model, config.coding.reference):
        if name:
            paths.append(config.path(name))
    return paths


def _inputs(config: ProjectConfig) -> list[Path]:
    """Everything a run must never overwrite: the project file and its inputs."""
    return [config.project_file or config.base_dir, *_input_files(config)]


def _carried_over(output: Path, only: str | None) -> list[str]:
    """The previous outputs a run of one step keeps (all but that step's, log and
    manifest)."""
    if only is None or not output.is_dir():
        return []
    replaced = {name for step in STEPS if step.name == only for name in step.outputs}
    replaced |= {LOG, MANIFEST}
    return sorted(path.name for path in output.iterdir() if path.name not in replaced)


def _reconcile(state: Any, staging: Path) -> None:
    """Every answer read is in every per-answer table and file written; anything else is a
    bug (exit status 1), and nothing is published."""
    if not state.waves:
        return
    read = sum(wave.info.n_responses for wave in state.waves)
    for name, count in state.answer_counts(staging).items():
        if count != read:
            raise RuntimeError(f"{read} answers were read but {count} are in {name}")


def _check_unchanged_inputs(config: ProjectConfig, output: Path) -> None:
    """``--only`` keeps the other outputs of the previous run, so it must see the inputs
    that run saw."""
    import json

    try:
        previous = json.loads((output / MANIFEST).read_text(encoding="utf-8"))["inputs"]
    except (OSError, ValueError, KeyError):
        raise ConfigError(f"--only: no earlier run in {output} to keep outputs of; run all "
                          "steps first") from None
    before = {entry["path"]: entry["sha256"] for entry in previous}
    now = {_relative(path, config.base_dir): file_hash(path) for path in _input_files(config)}
    changed = sorted(name for name in before.keys() | now.keys()
                     if before.get(name) != now.get(name))
    if changed:
        raise ConfigError(f"--only: the inputs changed since the last run "
                          f"({', '.join(changed[:3])}); run all steps")


def _warnings(state: Any) -> list[str]:
    warnings = list(state.cleaning.warnings) if state.cleaning is not None else []
    if state.coding is not None:
        warnings += list(state.coding.notes)
    return warnings


def _log_text(config: ProjectConfig, state: Any, warnings: list[str]) -> str:
    """What the run did, in words: counts and settings, never an answer's text."""
    lines = [f"openends {__version__} run of {config.name!r} (seed {config.seed})", *state.log]
    lines += [f"warning: {warning}" for warning in warnings]
    return "\n".join(lines) + "\n"


def _manifest(config: ProjectConfig, state: Any, staging: Path,
              records: list[StepRecord], only: str | None, kept: list[str], *,
              engine: dict[str, Any] | None = None) -> dict[str, Any]:
    base = config.base_dir

    def described(path: Path, role: str, **extra: Any) -> dict[str, Any]:
        return {"role": role, "path": _relative(path, base), "sha256": file_hash(path),
                "bytes": path.stat().st_size if path.is_file() else None, **extra}

    inputs = []
    for wave in state.waves:
        inputs.append(described(wave.info.path, "wave", wave=wave.config.wave,
                                group=wave.config.group, rows=wave.info.n_rows,
                                answers=wave.info.n_responses))
    for role in ("codebook", "model", "reference"):
        name = getattr(config.coding, role)
        if name:
            inputs.append(described(config.path(name), role))
    counts = state.manifest_counts()
    return {
        "openends": __version__,
        "project": config.name,
        "seed": config.seed,
        "engine": engine or {"name": "local"},
        "config": config.model_dump(mode="json"),
        "inputs": inputs,
        "counts": counts,
        "steps_run": [record.name for record in records],
        "steps_written": [record.name for record in records if record.written],
        "only": only,
        "carried_over": kept,
        "packages": package_versions(),
        "outputs": output_entries(staging),
        "timings": {"steps": [{"step": record.name, "seconds": round(record.seconds, 3),
                               "cached": record.cached} for record in records],
                    "total_seconds": round(sum(record.seconds for record in records), 3)},
    }


def _relative(path: Path, base: Path) -> str:
    """``path`` relative to the project file's folder (with ``..`` where needed), so the
    manifest does not change when the project folder moves."""
    return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
