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

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from openends import __version__
from openends.config import ProjectConfig, load_project
from openends.errors import ConfigError
from openends.project.cache import file_hash
from openends.project.manifest import output_entries, package_versions, write_manifest
from openends.project.publish import MANIFEST, staged_output
from openends.project.steps import STEP_NAMES, STEPS, RunState, needed

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
        written = Text(f"\nWrote {len(self.outputs)} file(s) to {self.output}: "
                       + ", ".join(self.outputs))
        notes = [Text(f"warning: {warning}", style="yellow") for warning in self.warnings]
        return Group(table, written, *notes)


Progress = Callable[[str, int, int, "StepRecord | None"], None]


def run_project(project: str | Path | ProjectConfig, *, only: str | None = None,
                output: str | Path | None = None, progress: Progress | None = None,
                cache_dir: Path | None = None) -> RunResult:
    """Run a project file (or a loaded project) and publish its output folder.

    ``only`` runs one step (its prerequisites come from the cache or are computed
    without being written) and keeps the other outputs of the previous run.
    ``output`` replaces the project's output folder. ``progress(step, index, total,
    record)`` is called as each step starts (``record`` None) and ends. Step results
    and embeddings are cached under ``cache_dir`` (default: the user cache,
    ``$OPENENDS_CACHE`` or ``~/.cache/openends``).
    """
    config = project if isinstance(project, ProjectConfig) else load_project(project)
    if only is not None and only not in STEP_NAMES:
        raise ConfigError(f"--only: no step {only!r}; choose one of: {', '.join(STEP_NAMES)}")
    check_inputs(config)
    target = Path(output).resolve() if output is not None else config.output_dir
    steps = needed(only)
    writes = {step.name for step in steps} if only is None else {only}
    keep = _carried_over(target, only)
    from openends.embed import default_cache_dir

    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    state = RunState.start(config, cache_dir)
    records: list[StepRecord] = []
    with staged_output(target, protected=_inputs(config), keep=keep,
                       locks=cache_dir / "locks") as staging:
        for index, step in enumerate(steps, start=1):
            if progress is not None:
                progress(step.name, index, len(steps), None)
            started = time.perf_counter()
            step.compute(state)
            if step.name in writes:
                step.write(state, staging)
            record = StepRecord(step.name, time.perf_counter() - started,
                                state.cached.get(step.name, False),
                                state.details.get(step.name, ""), step.name in writes)
            records.append(record)
            if progress is not None:
                progress(step.name, index, len(steps), record)
            release_memory()
        _reconcile(state, staging)
        warnings = _warnings(state)
        (staging / LOG).write_text(_log_text(config, state, warnings), encoding="utf-8")
        write_manifest(staging, _manifest(config, state, staging, records, only, keep))
        outputs = sorted({path.relative_to(staging).parts[0] for path in staging.rglob("*")})
    cleaned = state.cleaned
    statuses = ({} if cleaned is None else
                {str(k): int(v) for k, v in cleaned["status"].value_counts().items()})
    return RunResult(config.name, target, 0 if cleaned is None else len(cleaned), statuses,
                     records, outputs, warnings, state.report, state.agreement)


def release_memory() -> None:
    """Collect garbage and hand freed heap back to the system (glibc's ``malloc_trim``), so
    the peak of a run is that of its largest step, not the sum of what steps left behind."""
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def check_inputs(config: ProjectConfig) -> None:
    """Every file the project names exists, before any work starts; the error names the
    key of the project file that points at a missing one."""
    named = [(f"waves.{index}.file", wave.path) for index, wave in enumerate(config.waves)]
    named += [(f"coding.{role}", config.path(name)) for role in ("codebook", "model",
                                                                "reference")
              if (name := getattr(config.coding, role))]
    for key, path in named:
        if not path.exists():
            raise ConfigError(f"{key}: {path} not found (paths are relative to the project "
                              "file's folder)")


def _inputs(config: ProjectConfig) -> list[Path]:
    """The project file's folder's inputs a run must never overwrite."""
    paths = [config.project_file or config.base_dir, *(wave.path for wave in config.waves)]
    for name in (config.coding.codebook, config.coding.model, config.coding.reference):
        if name:
            paths.append(config.path(name))
    return paths


def _carried_over(output: Path, only: str | None) -> list[str]:
    """The previous outputs a run of one step keeps (all but that step's, log and
    manifest)."""
    if only is None or not output.is_dir():
        return []
    replaced = {name for step in STEPS if step.name == only for name in step.outputs}
    replaced |= {LOG, MANIFEST}
    return sorted(path.name for path in output.iterdir() if path.name not in replaced)


def _reconcile(state: RunState, staging: Path) -> None:
    """Every answer read is in every per-answer table; anything else is a bug."""
    if not state.waves or state.cleaned is None:
        return
    read = sum(wave.info.n_responses for wave in state.waves)
    tables = {"cleaned answers": len(state.cleaned)}
    if state.coding is not None:
        tables["coded answers"] = len(state.coding.responses)
    for name, count in tables.items():
        if count != read:
            raise RuntimeError(f"{read} answers were read but {count} are in the {name}")


def _warnings(state: RunState) -> list[str]:
    warnings = list(state.cleaning.warnings) if state.cleaning is not None else []
    if state.coding is not None:
        warnings += list(state.coding.notes)
    return warnings


def _log_text(config: ProjectConfig, state: RunState, warnings: list[str]) -> str:
    """What the run did, in words: counts and settings, never an answer's text."""
    lines = [f"openends {__version__} run of {config.name!r} (seed {config.seed})", *state.log]
    lines += [f"warning: {warning}" for warning in warnings]
    return "\n".join(lines) + "\n"


def _manifest(config: ProjectConfig, state: RunState, staging: Path,
              records: list[StepRecord], only: str | None, kept: list[str]) -> dict[str, Any]:
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
    counts: dict[str, Any] = {}
    if state.cleaned is not None:
        counts["answers"] = len(state.cleaned)
        counts["statuses"] = state.cleaning.statuses
    if state.coding is not None:
        counts["coded"] = state.coding.coded
        counts["codes"] = int((state.coding.codes["theme"] != "").sum())
    return {
        "openends": __version__,
        "project": config.name,
        "seed": config.seed,
        "config": config.model_dump(mode="json"),
        "inputs": inputs,
        "counts": counts,
        "steps_run": [record.name for record in records if record.written],
        "only": only,
        "carried_over": kept,
        "packages": package_versions(),
        "outputs": output_entries(staging),
        "timings": {"steps": [{"step": record.name, "seconds": round(record.seconds, 3),
                               "cached": record.cached} for record in records],
                    "total_seconds": round(sum(record.seconds for record in records), 3)},
    }


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()
