"""Benchmark: ``openends run`` at 10,000, 100,000 and 1,000,000 answers, local engine vs Dask.

What it measures, for each size and engine: the seconds of each step (read, clean, topics,
code, keywords, stats, report) as the run's JSON summary gives them, with start-up (before
the first step) and finish (after the last); the process's wall time; answers per second,
overall and per step; how the cost grows with size (the time at one size over the time at
the size before it: with 10x the answers, 10x the time is linear growth); and the peak
memory of every process of the run, by kind:

- ``client``: the ``openends run`` process. With a Dask LocalCluster the scheduler and the
  nannies live in it too: they are objects in its event loop, not processes (seen on a
  ``distributed.LocalCluster(n_workers=2, processes=True)``: the workers are children of
  the process that made the cluster, ``-c from multiprocessing.spawn import spawn_main``,
  beside a ``multiprocessing.resource_tracker``);
- ``dask-worker``: a worker process, a multiprocessing child of the client or of a nanny
  host (or one titled ``dask worker [...]`` when ``setproctitle`` is installed);
- ``nanny``: a ``dask worker`` command (it hosts the nannies of its workers) and
- ``scheduler``: a ``dask scheduler`` command, both only with a cluster started apart
  (``--dask-args "--scheduler ADDRESS" --watch-pid PID``);
- ``other``: anything else (the resource tracker; under the local engine, any child).

Bar (the scale issue): 1,000,000 answers complete on Dask with no single process above
2 GB (2,000 MB of 10^6 bytes): the largest process, not the sum. With smaller sizes the
bar line says what was measured instead; without Dask runs it is held against the local
engine and says so.

Baselines: the local engine (every step in one process) against Dask on the same project;
each size against the size before it.

Runs: each a fresh ``python -m openends --debug run PROJECT --json --engine E`` process
(``--debug`` so that a failure's stderr ends in its traceback) with ``OPENENDS_CACHE``
pointed at a fresh cache folder (holding only a copy of the built static embedder, removed
after the run) and ``HF_HUB_OFFLINE=1``: cold, nothing cached, no previous output. Each
size's project is written once and run by every engine; sizes go smallest first, and each
repeat runs the engines in turn.

Data: generated at run time in a temporary folder (or ``--workdir``) by ``bench_project``
from the NHS Friends and Family Test development file, as for ``pipeline.py``: answers of
1-3 sentences of different comments, about 5% non-answers and 2% copies, in four yearly
waves with drifting column names, a 12-theme codebook and a report by service. At 100,000
answers and the same seed the files are those ``pipeline.py`` measures.

Memory: a thread reads ``/proc`` every 0.1 s and keeps the peak resident set size of every
process of the run's tree (and of ``--watch-pid`` processes and theirs) with its parent and
command line; ``os.wait4`` gives the kernel's exact peak of the largest process among the
client and the children it waited for. The largest single process is the larger of the
two, with the kind of the largest sampled process; the tree sum is the largest sampled
total (shared pages counted per process, so it errs high). Linux only. Whatever a run
leaves running in its session when it exits is killed and counted.

Repeats: ``--repeats K`` runs of each size and engine; times are medians, peaks the largest.
The default is 1: a cold run of 1,000,000 answers takes a long while. A run that fails (an
error, a kill by the out-of-memory killer, ``--timeout``) is reported with the tail of its
stderr and the other runs go on. The script exits 0 whether the bar passes or fails, 1
when a run failed, and 2 when ``openends run`` or an engine is not built yet, the data is
missing or malformed, or the options are bad.

Usage:
    python scripts/bench/scale.py --json /tmp/scale-bench.json
    python scripts/bench/scale.py --sizes 10000,100000 --engines dask --repeats 3
    python scripts/bench/scale.py --skip-local-above 100000 --timeout 7200
    python scripts/bench/scale.py --sizes 2000 --engines local --workdir /tmp/scale-work
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_common import (
    Bar,
    BenchError,
    RunFailed,
    machine_facts,
    median,
    megabytes,
    new_table,
    say,
    seconds_text,
    source_version,
    warn_if_source_changed,
)
from bench_project import (
    DEFAULT_DATA,
    MIN_SENTENCE_WORDS,
    Project,
    SentencePool,
    build_project,
    load_pool,
)
from bench_runs import (
    MEMORY_BAR_MB,
    SAMPLE_SECONDS,
    STEPS,
    Measured,
    PipelineRun,
    ProcessPeak,
    built_static_model,
    check_codebook,
    check_run_built,
    fresh_cache,
    openends_command,
    prepare_workdir,
    process_table,
    run_openends,
)
from rich.console import Console
from rich.table import Table

SIZES = (10_000, 100_000, 1_000_000)
ENGINES = ("local", "dask")
BAR_ANSWERS = 1_000_000
BAR_ENGINE = "dask"
KINDS = ("client", "dask-worker", "nanny", "scheduler", "other")
PACKAGES = ("openends", "dask", "distributed", "numpy", "pandas", "pyarrow", "scikit-learn",
            "spacy", "model2vec")
# What /proc/PID/cmdline shows of Dask's processes (python -m dask scheduler, dask-scheduler,
# distributed.cli.dask_scheduler; likewise for workers; titles when setproctitle is there).
SCHEDULER_COMMAND = re.compile(r"\bdask[- ]scheduler\b|distributed\.cli\.dask_scheduler")
WORKER_TITLE = re.compile(r"^dask worker \[")
NANNY_HOST_COMMAND = re.compile(r"\bdask[- ]worker\b|distributed\.cli\.dask_worker")
HELPER_COMMAND = re.compile(r"multiprocessing\.(resource_tracker|forkserver|semaphore_tracker)")
SPAWNED_COMMAND = re.compile(r"multiprocessing\.spawn|--multiprocessing-fork")
PROBE_FILE = "scale-probe-missing.toml"
TABLE_MIN_WIDTH = 96   # room for the captions of tables with few columns


# -- processes -----------------------------------------------------------------------------
def process_kind(process: ProcessPeak, processes: Mapping[int, ProcessPeak], client: int,
                 engine: str) -> str:
    """``client``, ``dask-worker``, ``nanny``, ``scheduler`` or ``other`` (see the module's
    docstring), from the process's command line and its parent's.

    Example:
        >>> spawned = ProcessPeak(11, 10, "python -c from multiprocessing.spawn import "
        ...                       "spawn_main; spawn_main(tracker_fd=23)", 600.0, 1.0, 9.0)
        >>> client = ProcessPeak(10, 1, "python -m openends run p.toml", 900.0, 0.0, 9.0)
        >>> process_kind(spawned, {10: client, 11: spawned}, 10, "dask")
        'dask-worker'
        >>> process_kind(spawned, {10: client, 11: spawned}, 10, "local")
        'other'
    """
    command = process.command
    if process.pid == client:
        return "client"
    if WORKER_TITLE.search(command):
        return "dask-worker"
    if SCHEDULER_COMMAND.search(command):
        return "scheduler"
    if NANNY_HOST_COMMAND.search(command):
        return "nanny"
    if engine != "dask" or HELPER_COMMAND.search(command):
        return "other"
    parent = processes.get(process.parent)
    forked = parent is not None and command == parent.command
    return "dask-worker" if SPAWNED_COMMAND.search(command) or forked else "other"


def check_engine(command: list[str], engine: str, options: Sequence[str], workdir: Path
                 ) -> None:
    """Fail with one line when ``openends run --engine ENGINE [options]`` is refused before
    it reads the project: the engine is not built yet, unknown, or an option is wrong.

    The probe names a project file that does not exist: an engine that is there gets as
    far as saying so.
    """
    probe = workdir / PROBE_FILE
    done = subprocess.run([*command, "run", str(probe), "--json", "--engine", engine,
                           *options], capture_output=True, text=True, check=False,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    said = (done.stderr + done.stdout).strip()
    shown = " ".join(["--engine", engine, *options])
    if "not built yet" in said:
        raise BenchError(f"'openends run {shown}' is not built yet in this version; nothing "
                         "to measure with it (leave it out of --engines)")
    if done.returncode != 0 and PROBE_FILE not in said:
        lines = [line.strip(" │╭╮╰╯─") for line in said.splitlines()]
        last = next((line for line in reversed(lines) if line), f"exit status "
                    f"{done.returncode}")
        raise BenchError(f"'openends run {shown}' refused the options: {last}")


# -- the runs ------------------------------------------------------------------------------
def short_count(n: int) -> str:
    """``n`` in a few characters.

    Example:
        >>> [short_count(n) for n in (500, 2000, 2500, 100_000, 1_000_000)]
        ['500', '2k', '2.5k', '100k', '1M']
    """
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if n >= size:
            return f"{n / size:g}{unit}"
    return str(n)


@dataclass(frozen=True)
class ScaleRun:
    """One cold ``openends run`` of one size with one engine: measured, and its summary
    (``run``) or why it failed (``failure``)."""

    size: int
    engine: str
    repeat: int
    measured: Measured
    run: PipelineRun | None
    failure: str | None

    @property
    def label(self) -> str:
        return f"{short_count(self.size)} {self.engine}"

    def kinds(self) -> list[tuple[ProcessPeak, str]]:
        """Each sampled process with its kind."""
        processes = {process.pid: process for process in self.measured.processes}
        return [(process, process_kind(process, processes, self.measured.pid, self.engine))
                for process in self.measured.processes]

    def stderr_end(self) -> str:
        """The error a run ended with, on one line: what its stderr has after the last
        traceback (rich's box or Python's indented lines), else its last line."""
        lines = self.measured.stderr.strip().splitlines()
        ends = [index for index, line in enumerate(lines) if line.startswith(("╰", " "))]
        message = lines[ends[-1] + 1:] if ends else []
        return " ".join(line.strip() for line in message or lines[-1:]) or "(no stderr)"

    def largest(self) -> tuple[float, str]:
        """The largest single process: its peak MB (wait4's when larger than every sampled
        peak, as it catches spikes between samples) and the kind of the largest sampled."""
        found = max(self.kinds(), key=lambda pair: pair[0].peak_mb, default=None)
        if found is None:
            return self.measured.max_rss_mb, "client"
        return max(found[0].peak_mb, self.measured.max_rss_mb), found[1]

    def to_dict(self) -> dict[str, Any]:
        measured = self.measured.to_dict()
        measured["processes"] = [{**process.to_dict(), "kind": kind}
                                 for process, kind in self.kinds()]
        largest, kind = self.largest()
        return {"size": self.size, "engine": self.engine, "repeat": self.repeat,
                "failure": self.failure, **measured, "largest_process_mb": largest,
                "largest_process_kind": kind,
                **({"step_peak_mb": self.run.step_peaks(), "summary": self.run.summary}
                   if self.run else {"stderr_tail": self.measured.stderr_tail(40)})}


def run_once(command: list[str], project: Project, engine: str, repeat: int,
             args: argparse.Namespace, model: Path, workdir: Path) -> ScaleRun:
    """One cold run: no previous output, a fresh cache (removed afterwards)."""
    shutil.rmtree(project.folder / "out", ignore_errors=True)
    cache = fresh_cache(workdir, f"cache-{short_count(project.answers)}-{engine}-{repeat}",
                        model)
    try:
        measured = run_openends(command, project.folder / "project.toml", cache,
                                options=["--engine", engine, *engine_options(args, engine)],
                                watch=args.watch_pid if engine == "dask" else (),
                                timeout=args.timeout)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    label = f"{short_count(project.answers)} {engine} #{repeat}"
    try:
        return ScaleRun(project.answers, engine, repeat, measured,
                        PipelineRun.of(label, measured), None)
    except RunFailed as error:
        if "not built yet" in measured.stderr:
            raise BenchError(f"'openends run --engine {engine}' is not built yet in this "
                             "version (leave it out of --engines)") from None
        return ScaleRun(project.answers, engine, repeat, measured, None,
                        measured.failure() or str(error))


def engine_options(args: argparse.Namespace, engine: str) -> list[str]:
    return shlex.split(args.dask_args) if engine == "dask" else []


def skipped(args: argparse.Namespace, engine: str, size: int) -> bool:
    return (engine == "local" and args.skip_local_above is not None
            and size > args.skip_local_above)


# -- figures -------------------------------------------------------------------------------
def step_names(runs: Sequence[ScaleRun]) -> list[str]:
    """The steps in the order the runs report them (the known steps if none did)."""
    names: list[str] = []
    for run in runs:
        if run.run is not None:
            names.extend(name for name in run.run.steps if name not in names)
    return names or list(STEPS)


def memory_figures(runs: Sequence[ScaleRun]) -> dict[str, Any]:
    """Peaks per kind of process (the largest, and how many processes of that kind a run
    had at most), the largest single process, wait4's figure and the tree sum; failed runs
    count too (their memory up to the failure)."""
    kinds: dict[str, dict[str, float]] = {}
    for run in runs:
        counts: dict[str, int] = {}
        for process, kind in run.kinds():
            counts[kind] = counts.get(kind, 0) + 1
            figures = kinds.setdefault(kind, {"peak_mb": 0.0, "processes": 0})
            figures["peak_mb"] = max(figures["peak_mb"], process.peak_mb)
        for kind, count in counts.items():
            kinds[kind]["processes"] = max(kinds[kind]["processes"], count)
    largest, kind = max((run.largest() for run in runs), default=(math.nan, "-"))
    return {"by_kind": {name: kinds[name] for name in KINDS if name in kinds},
            "largest_process_mb": largest, "largest_process_kind": kind,
            "max_rss_mb": max(run.measured.max_rss_mb for run in runs),
            "tree_rss_mb": max(run.measured.tree_rss_mb for run in runs),
            "left_behind": max(run.measured.left_behind for run in runs)}


def cell_figures(runs: Sequence[ScaleRun], names: Sequence[str]) -> dict[str, Any]:
    """One size with one engine over its repeats: medians of times, largest peaks."""
    done = [run.run for run in runs if run.run is not None]
    found: dict[str, Any] = {
        "runs": len(runs), "completed": len(done),
        "failures": [{"repeat": run.repeat, "failure": run.failure,
                      "stderr_end": run.stderr_end()} for run in runs if run.failure],
        "memory": memory_figures(runs)}
    if not done:
        return found
    responses = done[0].responses
    steps: dict[str, dict[str, Any]] = {}
    for name in names:
        seconds = median([float(run.steps[name]["seconds"]) for run in done
                          if name in run.steps])
        steps[name] = {"seconds": seconds, "answers_per_second": rate(responses, seconds),
                       "cached": any(bool(run.steps[name].get("cached")) for run in done
                                     if name in run.steps)}
    windows = [run.step_windows() for run in done]
    wall = median([run.measured.seconds for run in done])
    steps_total = median([sum(float(step["seconds"]) for step in run.steps.values())
                          for run in done])
    found.update({
        "responses": responses, "steps": steps,
        "startup_seconds": median([window["start-up"][1] for window in windows]),
        "finish_seconds": median([window["finish"][1] - window["finish"][0]
                                  for window in windows]),
        "steps_seconds": steps_total, "wall_seconds": wall,
        "steps_answers_per_second": rate(responses, steps_total),
        "answers_per_second": rate(responses, wall)})
    return found


def rate(answers: int, seconds: float) -> float | None:
    return answers / seconds if seconds > 0 and math.isfinite(seconds) else None


def growth(cells: Cells, sizes: Sequence[int], engines: Sequence[str],
           names: Sequence[str]) -> list[dict[str, Any]]:
    """For each engine and each size after the first: the times over those of the size
    before (per step, the sum of steps and the wall), and the exponent ``log(time ratio)
    / log(answers ratio)`` of the wall time (1 is linear)."""
    found: list[dict[str, Any]] = []
    for engine in engines:
        for smaller, larger in itertools.pairwise(sizes):
            before, after = cells[smaller].get(engine), cells[larger].get(engine)
            if not (before and after and "wall_seconds" in before and "wall_seconds" in after):
                continue
            ratios = {name: ratio(after["steps"].get(name, {}).get("seconds"),
                                  before["steps"].get(name, {}).get("seconds"))
                      for name in names}
            ratios["sum of steps"] = ratio(after["steps_seconds"], before["steps_seconds"])
            ratios["process wall"] = ratio(after["wall_seconds"], before["wall_seconds"])
            wall = ratios["process wall"]
            found.append({"engine": engine, "from": smaller, "to": larger,
                          "answers_ratio": larger / smaller, "time_ratios": ratios,
                          "wall_exponent": (math.log(wall) / math.log(larger / smaller)
                                            if wall and wall > 0 else None)})
    return found


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or not denominator > 0:
        return None
    value = numerator / denominator
    return value if math.isfinite(value) else None


# -- printing ------------------------------------------------------------------------------
Cells = Mapping[int, Mapping[str, dict[str, Any]]]   # size -> engine -> cell_figures(...)
Pick = Callable[[dict[str, Any]], Any]               # a cell -> one figure of it


def whole(value: float) -> str:
    return f"{value:,.0f}"


def cell_text(cell: dict[str, Any] | None, pick: Pick, show: Callable[[float], str]) -> str:
    """A figure of ``cell`` shown, or why there is none (skipped, failed, not reported)."""
    if cell is None:
        return "skipped"
    if not cell["completed"]:
        return "failed"
    value = pick(cell)
    return "-" if value is None or not math.isfinite(value) else show(value)


def step_figure(name: str, key: str) -> Pick:
    return lambda cell: cell["steps"].get(name, {}).get(key)


def runs_table(cells: Cells, sizes: Sequence[int], engines: Sequence[str], title: str,
               caption: str, rows: Sequence[tuple[str, Pick]], show: Callable[[float], str]
               ) -> Table:
    """Rows of figures (``rows``: label, figure of a cell) by size and engine."""
    pairs = [(size, engine) for size in sizes for engine in engines]
    table = new_table(title, ["", *(f"{short_count(size)} {engine}" for size, engine in pairs)],
                      caption=caption)
    table.min_width = TABLE_MIN_WIDTH
    for label, pick in rows:
        table.add_row(label, *(cell_text(cells[size].get(engine), pick, show)
                               for size, engine in pairs))
    return table


def steps_table(cells: Cells, sizes: Sequence[int], engines: Sequence[str],
                names: Sequence[str], repeats: int) -> Table:
    how = f"median of {repeats} runs" if repeats > 1 else "one run each"
    rows: list[tuple[str, Pick]] = [(name, step_figure(name, "seconds")) for name in names]
    rows += [("start-up", lambda cell: cell["startup_seconds"]),
             ("finish", lambda cell: cell["finish_seconds"]),
             ("sum of steps", lambda cell: cell["steps_seconds"]),
             ("process wall", lambda cell: cell["wall_seconds"])]
    return runs_table(
        cells, sizes, engines, f"openends run, cold: seconds per step ({how})",
        "Seconds of each step from the run's JSON summary. start-up: before the first step "
        "(imports, reading the project); finish: after the last (manifest, publishing, exit); "
        "both from when each step's line reached stderr. process wall: the whole process.",
        rows, seconds_text)


def rates_table(cells: Cells, sizes: Sequence[int], engines: Sequence[str],
                names: Sequence[str]) -> Table:
    rows: list[tuple[str, Pick]] = [(name, step_figure(name, "answers_per_second"))
                                    for name in names]
    rows += [("sum of steps", lambda cell: cell["steps_answers_per_second"]),
             ("process wall", lambda cell: cell["answers_per_second"])]
    return runs_table(
        cells, sizes, engines, "openends run, cold: answers per second",
        "Responses read / the step's seconds (sum of steps: / their total; process wall: / "
        "the whole process's).", rows, whole)


def growth_table(found: Sequence[dict[str, Any]], names: Sequence[str]) -> Table:
    answers = sorted({f"{g['answers_ratio']:g}x" for g in found})
    table = new_table(
        "How time grows with size: time at the larger size / time at the smaller",
        ["", *(f"{g['engine']} {short_count(g['from'])}→{short_count(g['to'])}"
               for g in found)],
        caption=f"The answers grow {' or '.join(answers)} between the sizes compared: the "
                "same ratio of times is linear growth, less is sub-linear (fixed costs "
                "weigh), more is super-linear. exponent: log(wall ratio) / log(answers "
                "ratio), 1 = linear.")
    table.min_width = TABLE_MIN_WIDTH
    for name in [*names, "sum of steps", "process wall"]:
        table.add_row(name, *(f"{value:.1f}x" if (value := g["time_ratios"].get(name))
                              else "-" for g in found))
    table.add_row("exponent (wall)", *(f"{g['wall_exponent']:.2f}"
                                       if g["wall_exponent"] is not None else "-"
                                       for g in found))
    return table


def kind_text(memory: dict[str, Any], kind: str) -> str:
    """The peak of the processes of ``kind``, with "(n)" when a run had n of them."""
    figures = memory["by_kind"].get(kind)
    if figures is None:
        return "-"
    many = f" ({figures['processes']:.0f})" if figures["processes"] > 1 else ""
    return f"{figures['peak_mb']:,.0f}{many}"


def memory_table(cells: Cells, sizes: Sequence[int], engines: Sequence[str]) -> Table:
    table = new_table(
        f"Peak memory per process (MB); bar: the largest < {MEMORY_BAR_MB:,.0f} MB",
        ("run", *KINDS, "largest process", "wait4", "tree sum", "bar"),
        caption="Per kind: the largest peak sampled (every 0.1 s, from /proc) of a process "
                "of that kind, (n) when a run had n of them; with a LocalCluster the "
                "scheduler and the nannies are inside the client process. largest process: "
                "the larger of the largest sampled peak and wait4 (ru_maxrss of the client "
                "and the children it waited for, exact), with the kind of the largest "
                "sampled. tree sum: the largest sampled total. A failed run counts up to its "
                "failure, and fails the bar.")
    for size in sizes:
        for engine in engines:
            cell = cells[size].get(engine)
            label = f"{short_count(size)} {engine}"
            if cell is None:
                table.add_row(label, "skipped")
                continue
            memory = cell["memory"]
            largest = memory["largest_process_mb"]
            passed = cell["completed"] == cell["runs"] and largest < MEMORY_BAR_MB
            table.add_row(label, *(kind_text(memory, kind) for kind in KINDS),
                          f"{largest:,.0f} {memory['largest_process_kind']}",
                          megabytes(memory["max_rss_mb"]), megabytes(memory["tree_rss_mb"]),
                          "PASS" if passed else "FAIL")
    return table


def scale_bar(cells: Cells, sizes: Sequence[int], engines: Sequence[str]) -> Bar | None:
    """The issue's bar on the largest size run with Dask (else with the local engine)."""
    engine = BAR_ENGINE if BAR_ENGINE in engines else engines[0]
    measured = [size for size in sizes if engine in cells[size]]
    if not measured:
        return None
    size = max(measured)
    cell = cells[size][engine]
    memory = cell["memory"]
    notes = []
    if size < BAR_ANSWERS:
        notes.append(f"measured on {size:,} answers, the bar is for {BAR_ANSWERS:,}")
    if engine != BAR_ENGINE:
        notes.append(f"with the {engine} engine, the bar is for {BAR_ENGINE}")
    completed = cell["completed"] == cell["runs"]
    largest = memory["largest_process_mb"]
    if completed:
        what = (f"largest process {largest:,.0f} MB ({memory['largest_process_kind']}), "
                f"tree sum {memory['tree_rss_mb']:,.0f} MB, wall "
                f"{cell['wall_seconds']:,.0f} s")
    else:
        first = cell["failures"][0]
        what = (f"{len(cell['failures'])} of {cell['runs']} runs failed, "
                f"{first['failure']}: {first['stderr_end']}")
    return Bar(f"{BAR_ANSWERS:,} answers complete on Dask, no process above "
               f"{MEMORY_BAR_MB:,.0f} MB", completed and largest < MEMORY_BAR_MB,
               "; ".join([what, *notes]))


# -- main ----------------------------------------------------------------------------------
def counts(text: str) -> list[int]:
    """Comma-separated answer counts (``1_000_000`` or ``1000000``), ascending, each once."""
    try:
        values = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not whole numbers: {text!r}") from None
    if not values or values[0] < 100:
        raise argparse.ArgumentTypeError("give sizes of at least 100 answers")
    return values


def engine_list(text: str) -> list[str]:
    values = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [value for value in values if value not in ENGINES]
    if not values or unknown:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(ENGINES)} "
                                         f"(got {text!r})")
    return list(dict.fromkeys(values))


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=counts, default=list(SIZES),
                        help="answers per project, comma-separated (default: "
                        f"{','.join(str(size) for size in SIZES)})")
    parser.add_argument("--engines", type=engine_list, default=list(ENGINES),
                        help=f"engines to run, comma-separated (default: {','.join(ENGINES)})")
    parser.add_argument("--repeats", type=int, default=1,
                        help="runs of each size and engine; medians of times and largest "
                        "peaks when > 1 (default 1: a cold run on 1,000,000 answers is long)")
    parser.add_argument("--skip-local-above", type=int, metavar="N",
                        help="no local-engine runs of more than N answers (default: local "
                        "at every size)")
    parser.add_argument("--dask-args", default="",
                        help="more options for 'openends run' with --engine dask, as one "
                        "string, e.g. \"--scheduler tcp://127.0.0.1:8786\"")
    parser.add_argument("--watch-pid", type=int, action="append", default=[], metavar="PID",
                        help="also measure this process and its children during each Dask "
                        "run (a cluster started apart, e.g. the 'dask scheduler' and 'dask "
                        "worker' commands); repeatable")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="stop a run after this many seconds and report it failed "
                        "(default: no limit)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="NHS FFT CSV (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated answers "
                        "and of the projects (default: %(default)s)")
    parser.add_argument("--workdir", type=Path,
                        help="build the projects here and keep them with the last run's "
                        "output (default: a temporary folder, removed afterwards)")
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.timeout is not None and args.timeout <= 0:
        parser.error("--timeout must be positive")
    if (args.dask_args or args.watch_pid) and "dask" not in args.engines:
        parser.error("--dask-args and --watch-pid are for Dask runs: add dask to --engines")
    try:
        shlex.split(args.dask_args)
    except ValueError as error:
        parser.error(f"--dask-args: {error}")
    if all(skipped(args, "local", size) for size in args.sizes) and args.engines == ["local"]:
        parser.error("--skip-local-above leaves nothing to run")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    console = Console(width=None if sys.stdout.isatty() else 140)
    temporary = None
    try:
        command = openends_command()
        check_run_built(command)
        missing = [pid for pid in args.watch_pid if pid not in process_table()]
        if missing:
            raise BenchError(f"--watch-pid: no process {', '.join(map(str, missing))}")
        workdir, temporary = prepare_workdir(args.workdir, "scale")
        for engine in args.engines:
            check_engine(command, engine, engine_options(args, engine), workdir)
        pool = load_pool(args.data)
        return bench(args, command, pool, workdir, console)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        if temporary is not None:
            temporary.cleanup()


def bench(args: argparse.Namespace, command: list[str], pool: SentencePool, workdir: Path,
          console: Console) -> int:
    started = time.perf_counter()
    version, machine = source_version(), machine_facts(PACKAGES)
    load = machine["load_average_at_start"]
    dask = f"; dask options {args.dask_args!r}" if args.dask_args else ""
    say(console, f"openends run at scale: {', '.join(f'{size:,}' for size in args.sizes)} "
                 f"answers x engines {', '.join(args.engines)}; source {version}; "
                 f"{machine['cpu_count']} CPUs, {megabytes(machine['memory_total_mb'])} MB; "
                 f"load {'/'.join(f'{v:.2f}' for v in load) if load else '?'}; seed "
                 f"{args.seed}, repeats {args.repeats}; command {' '.join(command)}{dask}")
    say(console, f"data {pool.path}: {pool.rows:,} rows, {pool.comments:,} substantive "
                 f"comments, {len(pool.sentences):,} sentences of {MIN_SENTENCE_WORDS}+ words")
    model = built_static_model(command, workdir, console)
    runs: list[ScaleRun] = []
    projects: dict[int, dict[str, Any]] = {}
    themes = None
    for size in args.sizes:
        folder = workdir / f"answers-{size}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        begun = time.perf_counter()
        project = build_project(folder, pool, size, args.seed)
        if themes is None:
            themes = check_codebook(command, folder / "codebook.yml")
        projects[size] = {"folder": str(folder), "answers": project.answers,
                          "distinct_share": project.distinct_share,
                          "non_answer_share": project.non_answer_share,
                          "waves": [{"wave": w.wave, "answers": w.answers} for w in
                                    project.waves]}
        say(console, f"project {folder / 'project.toml'}: {project.answers:,} answers in "
                     f"waves {', '.join(w.wave for w in project.waves)}; distinct texts "
                     f"{project.distinct_share:.1%}, non-answers "
                     f"{project.non_answer_share:.1%}; codebook {themes} themes (checked); "
                     f"written in {time.perf_counter() - begun:.1f} s")
        for repeat in range(1, args.repeats + 1):
            for engine in args.engines:
                if skipped(args, engine, size):
                    continue
                run = run_once([*command, "--debug"], project, engine, repeat, args, model,
                               workdir)
                runs.append(run)
                largest, kind = run.largest()
                outcome = (f"{run.run.responses:,} responses" if run.run
                           else f"FAILED ({run.measured.failure() or 'no summary'})")
                say(console, f"  {run.label} #{repeat}: {run.measured.seconds:,.1f} s, "
                             f"{outcome}; largest process {largest:,.0f} MB ({kind}), tree "
                             f"{run.measured.tree_rss_mb:,.0f} MB")

    names = step_names(runs)
    cells: dict[int, dict[str, dict[str, Any]]] = {
        size: {engine: cell_figures([run for run in runs if run.size == size
                                     and run.engine == engine], names)
               for engine in args.engines if not skipped(args, engine, size)}
        for size in args.sizes}
    grown = growth(cells, args.sizes, args.engines, names)
    console.print(steps_table(cells, args.sizes, args.engines, names, args.repeats))
    console.print(rates_table(cells, args.sizes, args.engines, names))
    if grown:
        console.print(growth_table(grown, names))
    console.print(memory_table(cells, args.sizes, args.engines))
    for line in notes(runs, cells):
        say(console, line)
    bar = scale_bar(cells, args.sizes, args.engines)
    console.rule("Bar")
    if bar is not None:
        say(console, bar.line)
    total = time.perf_counter() - started
    say(console, f"total benchmark time {total / 60:.1f} min ({total:.0f} s)"
                 + (f"; files kept in {workdir}" if args.workdir else ""))
    warn_if_source_changed(console, version)
    if args.json:
        report = {
            "arguments": {key: str(value) for key, value in vars(args).items()},
            "source": version, "machine": machine,
            "data": {"path": str(pool.path), "rows": pool.rows, "comments": pool.comments,
                     "sentences": len(pool.sentences)},
            "projects": projects, "themes": themes, "memory_bar_mb": MEMORY_BAR_MB,
            "bar_answers": BAR_ANSWERS, "sample_seconds": SAMPLE_SECONDS,
            "figures": {str(size): cells[size] for size in args.sizes},
            "growth": grown,
            "runs": [run.to_dict() for run in runs],
            "bars": ([{"name": bar.name, "passed": bar.passed, "figures": bar.figures}]
                     if bar else []),
            "total_seconds": total,
        }
        args.json.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
        say(console, f"wrote {args.json}")
    return 1 if any(run.failure for run in runs) else 0


def notes(runs: Sequence[ScaleRun], cells: Cells) -> list[str]:
    """What the tables do not show: failures with their stderr, steps a cold run took from
    a cache, processes left running."""
    lines: list[str] = []
    for run in runs:
        if run.failure:
            tail = run.measured.stderr_tail().splitlines() or ["(nothing)"]
            lines.append(f"FAILED {run.label} #{run.repeat} ({run.failure}); the end of its "
                         "stderr:" + "".join(f"\n  | {line}" for line in tail))
        if run.measured.left_behind:
            lines.append(f"WARNING {run.label} #{run.repeat}: {run.measured.left_behind} "
                         "processes still running after the run exited (killed)")
    for size, by_engine in cells.items():
        for engine, cell in by_engine.items():
            cached = [name for name, step in cell.get("steps", {}).items() if step["cached"]]
            if cached:
                lines.append(f"WARNING {short_count(size)} {engine}: steps from a cache in a "
                             f"cold run: {', '.join(cached)}")
    return lines


if __name__ == "__main__":
    sys.exit(main())
