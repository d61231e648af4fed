"""Benchmark: the whole pipeline (``openends run PROJECT.toml --json``) on 100,000 answers.

What it measures: wall time, the seconds of each step (read, clean, topics, code,
keywords, stats, report) with their ``cached`` flags as the run's JSON summary gives them,
and the peak memory of the ``openends run`` process tree, overall and while each step ran,
against the bar of SPEC section 7: peak memory for the whole pipeline on 100,000 answers
under 2 GB (2,000 MB of 10^6 bytes). Three runs per cycle, each a fresh
``python -m openends run PROJECT --json`` process with ``OPENENDS_CACHE`` pointed at a
fresh cache folder (holding only a copy of the built static embedder; embeddings and step
results are cached there) and ``HF_HUB_OFFLINE=1``:

- ``cold``: empty embeddings cache and no previous output;
- ``warm``: the same run again, nothing changed (cached steps should cost little);
- ``new wave``: a fifth wave file (another ``--answers / 10`` answers) added to the
  project file, re-run on the warm cache (only the new answers should be embedded).

Baseline, measured in the same run on the same answers (the four waves): plain spaCy in a
fresh process, ``spacy.blank("en")`` with the lookup lemmatizer of spacy-lookups-data,
``nlp.pipe(texts, batch_size=1000)`` over every answer text as read from the wave files:
tokenising and lemmatising is the least any spaCy-based pipeline does with the answers.

Data, generated at run time in a temporary folder (or ``--workdir``): the comments of the
NHS Friends and Family Test development file (``FFT answer``; ``Service type 1`` as the
attribute ``service``) are split into sentences, non-answers and sentences of fewer than
three words left out; each answer joins 1, 2 or 3 sentences (8% / 60% / 32% of answers) of
different comments and takes the service of its first sentence's comment, so nearly all
answers are distinct (plain resampling would repeat each comment ~13 times, and the
pipeline skips exact duplicates). One-sentence answers go through the sentences in a
shuffled order, so they repeat only once all are used. The answers are longer than the
source's substantive comments (about 130 characters on average against 90), which errs
towards more work. About 5% of the answers are non-answers ("n/a", "nothing", "", "-",
...) and about 2% exact copies of another answer.
The answers are split into four yearly waves 2021-2024, one CSV each; the 2023 file uses
other column names, as real yearly exports do. The project has a 12-theme NHS codebook
(rules + semantic), the default topics and keywords, and a report by service.

Peak memory: ``os.wait4`` on each child gives the kernel's peak resident set size of the
largest process in its tree (exact, catches short spikes); a thread also samples the
summed RSS of the whole tree (from ``/proc``, every 0.1 s), which counts worker processes
running side by side (shared pages count more than once, so it errs high). The figure
held against the bar is the larger of the two. Linux only. The peak of each step is the
largest sample while it ran: ``openends run`` writes a line on stderr as each step ends,
and the step began its own seconds before; "start-up" is what comes before the first step
(imports, reading the project file), "finish" what comes after the last (log, manifest,
publishing the output folder, exit).

Repeats: ``--repeats K`` cold/warm/new-wave cycles and baseline runs; times are medians,
peak memory the largest over the repeats. The default is 1 because a cold run on 100,000
answers takes minutes; every figure then comes from one run. The script exits 0 whether
the bar passes or fails, 1 when a run fails, and 2 when ``openends run`` is not built yet,
the data is missing or malformed, or the options are bad.

Usage:
    python scripts/bench/pipeline.py --json /tmp/pipeline-bench.json
    python scripts/bench/pipeline.py --answers 5000 --repeats 3 --workdir /tmp/pipeline-work
    python scripts/bench/pipeline.py --answers 2000 --baseline-only
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Sequence
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
    built_static_model,
    check_codebook,
    check_run_built,
    fresh_cache,
    measure,
    openends_command,
    prepare_workdir,
    run_pipeline,
)
from rich.console import Console
from rich.table import Table

BAR_ANSWERS = 100_000
PACKAGES = ("openends", "spacy", "spacy-lookups-data", "model2vec", "numpy", "pandas",
            "scikit-learn")


BASELINE_CODE = """
import json, sys, time
started = time.perf_counter()
import pandas as pd
import spacy
imported = time.perf_counter()
texts = []
for path, column in json.loads(sys.argv[1]):
    table = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=[column])
    texts.extend(table[column].tolist())
read = time.perf_counter()
nlp = spacy.blank("en")
nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
nlp.initialize()
ready = time.perf_counter()
tokens = 0
for doc in nlp.pipe(texts, batch_size=1000):
    tokens += len(doc)
done = time.perf_counter()
print(json.dumps({"texts": len(texts), "tokens": tokens, "import": imported - started,
                  "read": read - imported, "load": ready - read, "pipe": done - ready}))
"""


@dataclass
class Cycle:
    """Cold, warm and new-wave runs with one fresh cache."""

    cold: PipelineRun
    warm: PipelineRun
    new_wave: PipelineRun

    def runs(self) -> list[PipelineRun]:
        return [self.cold, self.warm, self.new_wave]


def run_cycle(number: int, command: list[str], project: Project, model: Path, seed: int,
              console: Console) -> Cycle:
    path = project.write(with_new_wave=False, seed=seed)
    shutil.rmtree(project.folder / "out", ignore_errors=True)
    cache = fresh_cache(project.folder.parent, f"cache-{number}", model)
    runs: list[PipelineRun] = []
    for scenario in ("cold", "warm", "new wave"):
        if scenario == "new wave":
            path = project.write(with_new_wave=True, seed=seed)
        run = run_pipeline(scenario, command, path, cache)
        say(console, f"  cycle {number}, {scenario}: {run.measured.seconds:.1f} s, "
                     f"{run.responses:,} responses, peak {run.measured.peak_mb:,.0f} MB")
        runs.append(run)
    project.write(with_new_wave=False, seed=seed)
    return Cycle(*runs)


@dataclass(frozen=True)
class BaselineRun:
    """One plain-spaCy baseline process and its own timings."""

    measured: Measured
    figures: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {**self.measured.to_dict(), **self.figures}


def run_baseline(project: Project) -> BaselineRun:
    files = [[str(wave.path), wave.columns["text"]] for wave in project.waves]
    measured = measure([sys.executable, "-c", BASELINE_CODE, json.dumps(files)],
                       {**os.environ, "HF_HUB_OFFLINE": "1"}, project.folder)
    if measured.returncode != 0:
        raise RunFailed(f"spaCy baseline failed ({measured.failure()}):\n"
                        f"{measured.stderr_tail()}")
    figures = json.loads(measured.stdout.strip().splitlines()[-1])
    return BaselineRun(measured, {key: float(value) for key, value in figures.items()})


# -- figures -------------------------------------------------------------------------------
def step_names(cycles: Sequence[Cycle]) -> list[str]:
    """The steps in the order the runs report them (known steps first if all missing)."""
    names: list[str] = []
    for cycle in cycles:
        for run in cycle.runs():
            names.extend(name for name in run.steps if name not in names)
    return names or list(STEPS)


def step_seconds(cycles: Sequence[Cycle], scenario: str, step: str) -> float:
    values = [float(run.steps[step]["seconds"]) for cycle in cycles for run in cycle.runs()
              if run.scenario == scenario and step in run.steps]
    return median(values)


def step_cached(cycles: Sequence[Cycle], scenario: str, step: str) -> str:
    flags = {bool(run.steps[step].get("cached")) for cycle in cycles for run in cycle.runs()
             if run.scenario == scenario and step in run.steps}
    return "/".join("yes" if flag else "no" for flag in sorted(flags, reverse=True))


def step_peak(cycles: Sequence[Cycle], scenario: str, step: str) -> float | None:
    peaks = [peak for cycle in cycles for run in cycle.runs() if run.scenario == scenario
             if (peak := run.step_peaks().get(step)) is not None]
    return max(peaks) if peaks else None


def scenario_runs(cycles: Sequence[Cycle], scenario: str) -> list[PipelineRun]:
    return [run for cycle in cycles for run in cycle.runs() if run.scenario == scenario]


SCENARIOS = ("cold", "warm", "new wave")


def figures(cycles: Sequence[Cycle], baselines: Sequence[BaselineRun]) -> dict[str, Any]:
    """Medians of times, largest peaks, per scenario and step."""
    names = step_names(cycles)
    result: dict[str, Any] = {"steps": {}, "runs": {}}
    cold_responses = scenario_runs(cycles, "cold")[0].responses
    for name in names:
        seconds = {scenario: step_seconds(cycles, scenario, name) for scenario in SCENARIOS}
        cold = seconds["cold"]
        result["steps"][name] = {
            **{f"{scenario.replace(' ', '_')}_seconds": value
               for scenario, value in seconds.items()},
            **{f"{scenario.replace(' ', '_')}_cached": step_cached(cycles, scenario, name)
               for scenario in SCENARIOS},
            **{f"{scenario.replace(' ', '_')}_peak_mb": step_peak(cycles, scenario, name)
               for scenario in SCENARIOS},
            "cold_answers_per_second": cold_responses / cold if cold > 0 else None}
    for scenario in SCENARIOS:
        runs = scenario_runs(cycles, scenario)
        result["runs"][scenario] = {
            "wall_seconds": median([run.measured.seconds for run in runs]),
            "steps_seconds": median([sum(float(step["seconds"]) for step in run.steps.values())
                                     for run in runs]),
            "peak_mb": max(run.measured.peak_mb for run in runs),
            "max_rss_mb": max(run.measured.max_rss_mb for run in runs),
            "tree_rss_mb": max(run.measured.tree_rss_mb for run in runs),
            "startup_seconds": median([run.step_windows()["start-up"][1] for run in runs]),
            "startup_peak_mb": step_peak(cycles, scenario, "start-up"),
            "finish_seconds": median([end - start for start, end in
                                      (run.step_windows()["finish"] for run in runs)]),
            "finish_peak_mb": step_peak(cycles, scenario, "finish"),
            "responses": runs[0].responses}
    if baselines:
        result["runs"]["baseline"] = {
            "wall_seconds": median([b.measured.seconds for b in baselines]),
            "pipe_seconds": median([b.figures["pipe"] for b in baselines]),
            "peak_mb": max(b.measured.peak_mb for b in baselines),
            "max_rss_mb": max(b.measured.max_rss_mb for b in baselines),
            "tree_rss_mb": max(b.measured.tree_rss_mb for b in baselines),
            "responses": int(baselines[0].figures["texts"])}
    return result


# -- printing ------------------------------------------------------------------------------
def steps_table(found: dict[str, Any], repeats: int) -> Table:
    runs = found["runs"]
    how = f"median of {repeats} runs" if repeats > 1 else "one run"
    table = new_table(
        f"openends run: seconds and peak memory per step ({how})",
        ("step", "cold s", "warm s", "new wave s", "cold answers/s", "cold MB", "warm MB",
         "new wave MB", "cached: warm", "cached: new wave"),
        caption=f"answers/s = {runs['cold']['responses']:,} responses / the step's cold "
                "seconds. MB: the largest sampled RSS of the process tree while the step ran "
                "(from the step's end line on stderr and its seconds). cached: the step's "
                "flag in the run summary. start-up: before the first step (imports, reading "
                "the project); finish: after the last (manifest, publishing, exit).")
    for name, step in found["steps"].items():
        rate = step["cold_answers_per_second"]
        table.add_row(name, seconds_text(step["cold_seconds"]),
                      seconds_text(step["warm_seconds"]), seconds_text(step["new_wave_seconds"]),
                      "-" if rate is None else f"{rate:,.0f}",
                      *(megabytes(step[f"{s.replace(' ', '_')}_peak_mb"]) for s in SCENARIOS),
                      step["warm_cached"], step["new_wave_cached"])
    for name in ("startup", "finish"):
        table.add_row(name.replace("startup", "start-up"),
                      *(seconds_text(runs[s][f"{name}_seconds"]) for s in SCENARIOS), "",
                      *(megabytes(runs[s][f"{name}_peak_mb"]) for s in SCENARIOS), "", "")
    table.add_row("sum of steps", *(seconds_text(runs[s]["steps_seconds"]) for s in SCENARIOS),
                  f"{runs['cold']['responses'] / runs['cold']['steps_seconds']:,.0f}",
                  "", "", "", "", "")
    table.add_row("process wall", *(seconds_text(runs[s]["wall_seconds"]) for s in SCENARIOS),
                  f"{runs['cold']['responses'] / runs['cold']['wall_seconds']:,.0f}",
                  *(megabytes(runs[s]["peak_mb"]) for s in SCENARIOS), "", "")
    return table


def memory_table(found: dict[str, Any]) -> Table:
    table = new_table(
        "Peak memory per run, against the 2 GB bar",
        ("run", "answers", "wall s", "answers/s", "largest process MB", "process tree MB",
         "peak MB", f"< {MEMORY_BAR_MB:,.0f} MB"),
        caption="largest process: ru_maxrss from os.wait4 (exact); process tree: summed RSS "
                f"sampled every {SAMPLE_SECONDS} s (shared pages counted per process); peak = "
                "the larger. Baseline: spaCy blank('en') + lookup lemmatizer, nlp.pipe over "
                "the same answers, in its own process.")
    labels = {"cold": "openends run, cold", "warm": "openends run, warm",
              "new wave": "openends run, new wave", "baseline": "baseline: spaCy"}
    for key, label in labels.items():
        if key not in found["runs"]:
            continue
        run = found["runs"][key]
        table.add_row(label, f"{run['responses']:,}", seconds_text(run["wall_seconds"]),
                      f"{run['responses'] / run['wall_seconds']:,.0f}",
                      f"{run['max_rss_mb']:,.0f}", f"{run['tree_rss_mb']:,.0f}",
                      f"{run['peak_mb']:,.0f}",
                      "PASS" if run["peak_mb"] < MEMORY_BAR_MB else "FAIL")
    return table


def memory_bar(found: dict[str, Any], answers: int) -> Bar:
    peak = max(found["runs"][s]["peak_mb"] for s in SCENARIOS)
    which = max(SCENARIOS, key=lambda s: found["runs"][s]["peak_mb"])
    at = ("" if answers >= BAR_ANSWERS
          else f"; measured on {answers:,} answers, the bar is for {BAR_ANSWERS:,}")
    baseline = found["runs"].get("baseline")
    versus = f"; spaCy baseline {baseline['peak_mb']:,.0f} MB" if baseline else ""
    return Bar(f"peak memory of the whole pipeline < {MEMORY_BAR_MB:,.0f} MB",
               peak < MEMORY_BAR_MB, f"{peak:,.0f} MB in the {which} run{versus}{at}")


# -- main ----------------------------------------------------------------------------------
def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="NHS FFT CSV (default: %(default)s)")
    parser.add_argument("--answers", type=int, default=BAR_ANSWERS,
                        help="answers in the four waves (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated answers "
                        "and of the project (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="cold/warm/new-wave cycles and baseline runs; medians when > 1 "
                        "(default 1: a cold run on 100,000 answers takes minutes)")
    parser.add_argument("--workdir", type=Path,
                        help="build the project and caches here and keep them (default: a "
                        "temporary folder, removed afterwards)")
    parser.add_argument("--baseline-only", action="store_true",
                        help="build the project and measure only the spaCy baseline")
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    args = parser.parse_args(argv)
    if args.answers < 100:
        parser.error("--answers must be at least 100")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args



def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    console = Console(width=None if sys.stdout.isatty() else 140)
    temporary = None
    try:
        command = openends_command()
        if not args.baseline_only:
            check_run_built(command)
        pool = load_pool(args.data)
        workdir, temporary = prepare_workdir(args.workdir, "pipeline")
        return bench(args, command, pool, workdir, console)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except RunFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if temporary is not None:
            temporary.cleanup()


def bench(args: argparse.Namespace, command: list[str], pool: SentencePool, workdir: Path,
          console: Console) -> int:
    started = time.perf_counter()
    version, machine = source_version(), machine_facts(PACKAGES)
    load = machine["load_average_at_start"]
    say(console, f"openends run (whole pipeline) vs plain spaCy; source {version}; "
                 f"{machine['cpu_count']} CPUs; load "
                 f"{'/'.join(f'{v:.2f}' for v in load) if load else '?'}; "
                 f"{args.answers:,} answers, seed {args.seed}, repeats {args.repeats}; "
                 f"command {' '.join(command)}")
    say(console, f"data {pool.path}: {pool.rows:,} rows, {pool.comments:,} substantive "
                 f"comments, {len(pool.sentences):,} sentences of {MIN_SENTENCE_WORDS}+ words")
    folder = workdir / "project"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    project = build_project(folder, pool, args.answers, args.seed)
    themes = check_codebook(command, folder / "codebook.yml")
    say(console, f"project {folder / 'project.toml'}: waves "
                 + ", ".join(f"{w.wave} ({w.answers:,})" for w in project.waves)
                 + f"; new wave {project.new_wave.wave} ({project.new_wave.answers:,}); "
                 f"distinct texts {project.distinct_share:.1%}, non-answers "
                 f"{project.non_answer_share:.1%}; codebook {themes} themes (checked)")

    baselines: list[BaselineRun] = []
    cycles: list[Cycle] = []
    model = None if args.baseline_only else built_static_model(command, workdir, console)
    for number in range(1, args.repeats + 1):
        if model is not None:
            cycles.append(run_cycle(number, command, project, model, args.seed, console))
        baseline = run_baseline(project)
        say(console, f"  baseline {number}: {baseline.measured.seconds:.1f} s (pipe "
                     f"{baseline.figures['pipe']:.1f} s), {int(baseline.figures['texts']):,} "
                     f"answers, peak {baseline.measured.peak_mb:,.0f} MB")
        baselines.append(baseline)

    found: dict[str, Any] = {}
    bars: list[Bar] = []
    if cycles:
        found = figures(cycles, baselines)
        console.print(steps_table(found, args.repeats))
        console.print(memory_table(found))
        cold, spacy = found["runs"]["cold"], found["runs"]["baseline"]
        say(console, "cold run vs spaCy baseline: "
                     f"{cold['wall_seconds'] / spacy['wall_seconds']:.1f}x the wall time, "
                     f"{cold['peak_mb'] / spacy['peak_mb']:.1f}x the peak memory")
        for cycle in cycles[:1]:
            for run in cycle.runs():
                warnings = run.summary.get("warnings") or []
                say(console, f"{run.scenario}: statuses {run.summary.get('statuses')}; "
                             f"{len(warnings)} warnings"
                             + "".join(f"\n  - {w}" for w in warnings[:5]))
        bars.append(memory_bar(found, args.answers))
        console.rule("Bars")
        for bar in bars:
            say(console, bar.line)
    else:
        baseline_figures = {
            "wall_seconds": median([b.measured.seconds for b in baselines]),
            "pipe_seconds": median([b.figures["pipe"] for b in baselines]),
            "peak_mb": max(b.measured.peak_mb for b in baselines)}
        found = {"runs": {"baseline": baseline_figures}}
        say(console, f"baseline only: {baseline_figures}")
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
            "project": {"answers": project.answers, "distinct_share": project.distinct_share,
                        "non_answer_share": project.non_answer_share, "themes": themes,
                        "waves": [{"wave": w.wave, "answers": w.answers, "columns": w.columns}
                                  for w in [*project.waves, project.new_wave]]},
            "memory_bar_mb": MEMORY_BAR_MB,
            "figures": found,
            "cycles": [[run.to_dict() for run in cycle.runs()] for cycle in cycles],
            "baseline_runs": [baseline.to_dict() for baseline in baselines],
            "bars": [{"name": bar.name, "passed": bar.passed, "figures": bar.figures}
                     for bar in bars],
            "total_seconds": total,
        }
        args.json.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
        say(console, f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
