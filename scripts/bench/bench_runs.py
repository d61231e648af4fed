"""Running ``openends`` (and other commands) as child processes, measured: wall time,
output lines as they arrived, and peak memory, per process of the child's tree.

Memory: ``os.wait4`` on the child gives the kernel's peak resident set size of the largest
process in its tree (its waited-for descendants included: exact, catches short spikes). A
thread also reads ``/proc`` every ``SAMPLE_SECONDS`` and keeps, for every process of the
tree (and of any other process given to watch), its peak RSS, parent and command line, and
the summed RSS of them all (shared pages count once per process, so the sum errs high).
Linux only.

Each child runs in a session of its own: when it exits (or is stopped after a timeout, or
the benchmark is interrupted) whatever it left running in its session is killed by process
id and counted, so that one run cannot weigh on the next.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from bench_common import BenchError, RunFailed, say
from rich.console import Console

STEPS = ("read", "clean", "topics", "code", "keywords", "stats", "report")
STEP_LINE = re.compile(r"^\[\d+/\d+\] (\w+): ")  # the line `openends run` writes as a step ends
MEMORY_BAR_MB = 2_000.0   # "under 2 GB" (SPEC 7, the scale issue): MB = 10^6 bytes, stricter
SAMPLE_SECONDS = 0.1
LEFT_BEHIND_GRACE = 5.0   # seconds a child's processes get to exit after it did
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


# -- processes and memory ------------------------------------------------------------------
@dataclass(frozen=True)
class ProcessStat:
    """What ``/proc/PID/stat`` says of one process."""

    parent: int
    session: int
    state: str
    rss_bytes: int


def process_table() -> dict[int, ProcessStat]:
    """Every process's parent, session, state and resident set size, from ``/proc``."""
    table: dict[int, ProcessStat] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_bytes()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields follow the last ")".
        fields = stat[stat.rindex(b")") + 2:].split()
        table[int(entry.name)] = ProcessStat(int(fields[1]), int(fields[3]),
                                             fields[0].decode(), int(fields[21]) * PAGE_SIZE)
    return table


def tree(roots: Sequence[int], table: Mapping[int, ProcessStat]) -> list[int]:
    """The live ``roots`` and all their descendants, each once."""
    children: dict[int, list[int]] = {}
    for pid, stat in table.items():
        children.setdefault(stat.parent, []).append(pid)
    found: list[int] = []
    todo = [pid for pid in roots if pid in table]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.append(pid)
            todo.extend(children.get(pid, []))
    return found


def command_line(pid: int) -> str:
    """The arguments of a process joined by spaces ("" once it has exited)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.rstrip(b"\0").replace(b"\0", b" ").decode("utf-8", errors="replace")


def stop_session(session: int, grace: float = 0.0) -> int:
    """Kill every live process of ``session`` (a child started in a session of its own has
    its process id as the session's id) still there after ``grace`` seconds (helpers such
    as multiprocessing's resource tracker exit a moment after their parent); how many."""
    deadline = time.perf_counter() + grace
    while True:
        members = [pid for pid, stat in process_table().items()
                   if stat.session == session and stat.state != "Z" and pid != os.getpid()]
        if not members or time.perf_counter() >= deadline:
            break
        time.sleep(SAMPLE_SECONDS)
    stopped = 0
    for pid in members:
        try:
            os.kill(pid, signal.SIGKILL)
            stopped += 1
        except ProcessLookupError:
            pass
    return stopped


@dataclass
class ProcessPeak:
    """One process seen in a measured tree: its largest sampled RSS and what it ran."""

    pid: int
    parent: int
    command: str
    peak_mb: float
    first_seen: float   # seconds since the measured child started
    last_seen: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class TreeSampler(threading.Thread):
    """Samples the process trees of ``roots`` every ``SAMPLE_SECONDS`` until stopped: the
    summed RSS as (seconds since ``started``, MB) pairs, and each process's peak."""

    def __init__(self, roots: Sequence[int], started: float) -> None:
        super().__init__(daemon=True)
        self.roots = list(roots)
        self.started = started
        self.timeline: list[tuple[float, float]] = []
        self.processes: dict[int, ProcessPeak] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            with contextlib.suppress(OSError):  # a process vanished while being read
                self.sample()
            self._stop_event.wait(SAMPLE_SECONDS)

    def sample(self) -> None:
        table = process_table()
        at = time.perf_counter() - self.started
        total = 0
        for pid in tree(self.roots, table):
            stat = table[pid]
            total += stat.rss_bytes
            # Read every time: a spawned child shows its parent's command until it execs.
            command = command_line(pid)
            seen = self.processes.get(pid)
            if seen is None:
                self.processes[pid] = ProcessPeak(pid, stat.parent, command,
                                                  stat.rss_bytes / 1e6, at, at)
                continue
            seen.command = command or seen.command
            seen.peak_mb = max(seen.peak_mb, stat.rss_bytes / 1e6)
            seen.last_seen = at
        if total:
            self.timeline.append((at, total / 1e6))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


@dataclass(frozen=True)
class Measured:
    """One child process: wall time, exit status, output and peak memory."""

    command: list[str]
    pid: int
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    max_rss_mb: float    # wait4: the largest single process of the tree
    timeline: list[tuple[float, float]]  # sampled: (seconds, MB of the whole tree summed)
    stderr_lines: list[tuple[float, str]]  # (seconds, line) as they arrived
    processes: list[ProcessPeak]  # sampled: every process of the tree, by first seen
    left_behind: int = 0  # its session's processes still running 5 s after it exited
    timed_out: bool = False

    @property
    def tree_rss_mb(self) -> float:
        return max((mb for _, mb in self.timeline), default=0.0)

    @property
    def peak_mb(self) -> float:
        return max(self.max_rss_mb, self.tree_rss_mb)

    def peak_between(self, start: float, end: float) -> float | None:
        """The largest sampled tree RSS from ``start`` to ``end`` seconds, if sampled."""
        inside = [mb for at, mb in self.timeline if start <= at <= end]
        return max(inside) if inside else None

    def failure(self) -> str | None:
        """How the process failed ("exit status 2", "killed by SIGKILL ..."), or None."""
        if self.returncode == 0:
            return None
        if self.timed_out:
            return f"stopped at the timeout, after {self.seconds:,.1f} s"
        if self.returncode < 0:
            try:
                name = signal.Signals(-self.returncode).name
            except ValueError:
                name = f"signal {-self.returncode}"
            return f"killed by {name}" + (" (out of memory?)"
                                          if -self.returncode == signal.SIGKILL else "")
        return f"exit status {self.returncode}"

    def stderr_tail(self, lines: int = 20) -> str:
        return "\n".join(self.stderr.strip().splitlines()[-lines:])

    def to_dict(self) -> dict[str, Any]:
        return {"pid": self.pid, "seconds": self.seconds, "returncode": self.returncode,
                "peak_mb": self.peak_mb, "max_rss_mb": self.max_rss_mb,
                "tree_rss_mb": self.tree_rss_mb, "samples": len(self.timeline),
                "left_behind": self.left_behind, "timed_out": self.timed_out,
                "processes": [process.to_dict() for process in self.processes]}


class LineReader(threading.Thread):
    """Reads a child's pipe to its end, noting when each line arrived."""

    def __init__(self, pipe: IO[bytes], started: float) -> None:
        super().__init__(daemon=True)
        self.pipe = pipe
        self.started = started
        self.lines: list[tuple[float, str]] = []

    def run(self) -> None:
        for line in self.pipe:
            self.lines.append((time.perf_counter() - self.started,
                               line.decode("utf-8", errors="replace")))

    @property
    def text(self) -> str:
        return "".join(line for _, line in self.lines)


def measure(command: list[str], env: dict[str, str], cwd: Path, *,
            watch: Sequence[int] = (), timeout: float | None = None) -> Measured:
    """Run ``command`` and measure it (and the trees of the processes ``watch``, e.g. a
    Dask cluster started apart); stop it after ``timeout`` seconds if given.

    Why not ``getrusage(RUSAGE_CHILDREN)`` around the child: it is the largest peak of
    *all* children this process ever waited for, so a small run after a big one would
    report the big one. ``os.wait4`` returns the rusage of exactly this child (its
    ``ru_maxrss`` is the peak of its largest process, its waited-for descendants
    included), and the sampler adds each process and the tree's concurrent total, which
    ``ru_maxrss`` cannot see.
    """
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, cwd=cwd, start_new_session=True)
    assert process.stdout is not None and process.stderr is not None
    sampler = TreeSampler([process.pid, *watch], started)
    readers = [LineReader(process.stdout, started), LineReader(process.stderr, started)]
    timed_out = threading.Event()

    def stop_on_timeout() -> None:
        timed_out.set()
        stop_session(process.pid)

    timer = threading.Timer(timeout, stop_on_timeout) if timeout else None
    for thread in (sampler, *readers, *([timer] if timer else [])):
        thread.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    except BaseException:  # e.g. Ctrl-C, which the child's own session does not receive
        stop_session(process.pid)
        os.wait4(process.pid, 0)
        raise
    finally:
        seconds = time.perf_counter() - started
        if timer:
            timer.cancel()
        sampler.stop()
    left_behind = stop_session(process.pid, grace=LEFT_BEHIND_GRACE)
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    for reader in readers:
        reader.join(timeout=10)  # a grandchild still holding the pipe must not hang us
    process.stdout.close()
    process.stderr.close()
    # ru_maxrss is in KiB on Linux.
    return Measured(command, process.pid, seconds, process.returncode, readers[0].text,
                    readers[1].text, usage.ru_maxrss * 1024 / 1e6, sampler.timeline,
                    readers[1].lines,
                    sorted(sampler.processes.values(), key=lambda p: p.first_seen),
                    left_behind, timed_out.is_set())


def openends_command() -> list[str]:
    """``python -m openends``, or the ``openends`` script beside this Python."""
    module = [sys.executable, "-m", "openends"]
    try:
        done = subprocess.run([*module, "--version"], capture_output=True, text=True,
                              check=False)
        if done.returncode == 0:
            return module
    except OSError:
        pass
    script = Path(sys.executable).with_name("openends")
    if script.is_file():
        return [str(script)]
    raise BenchError("cannot start openends: 'python -m openends --version' failed and there "
                     f"is no {script}")


def check_run_built(command: list[str]) -> None:
    """Fail with one line when ``openends run`` is missing or still a placeholder."""
    done = subprocess.run([*command, "run", "--help"], capture_output=True, text=True,
                          check=False)
    help_text = done.stdout + done.stderr
    if done.returncode != 0 or "not built yet" in help_text:
        raise BenchError("'openends run' is not built yet in this version; nothing to measure "
                         "(try --baseline-only)")


def check_codebook(command: list[str], path: Path) -> int:
    """The number of themes of the generated codebook, after ``openends codebook check``."""
    done = subprocess.run([*command, "codebook", "check", str(path), "--json"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise BenchError(f"the generated codebook does not check: "
                         f"{message[-1] if message else done.returncode}")
    summary = json.loads(done.stdout)
    themes = summary.get("themes", [])
    return len(themes) if isinstance(themes, list) else int(themes)


def built_static_model(command: list[str], workdir: Path, console: Console) -> Path:
    """A built static embedder to copy into each fresh cache (built once if none is found)."""
    from openends.embed.static import is_built, static_model_dir

    found = Path(static_model_dir())
    if is_built(found):
        return found
    target = workdir / "static-model"
    if not is_built(target):
        say(console, f"no built static embedder in {found}: building one in {target} "
                     "(once, not timed)")
        done = subprocess.run([*command, "models", "build", "--out", str(target)],
                              capture_output=True, text=True, check=False,
                              env={**os.environ, "HF_HUB_OFFLINE": "1",
                                   "TRANSFORMERS_OFFLINE": "1"})
        if done.returncode != 0:
            raise BenchError(f"'openends models build' failed: {done.stderr.strip()[-300:]}")
    return target


def fresh_cache(workdir: Path, name: str, model: Path) -> Path:
    """An empty cache folder holding only a copy of the built static embedder."""
    from openends.embed.static import STATIC_FOLDER

    cache = workdir / name
    shutil.rmtree(cache, ignore_errors=True)
    shutil.copytree(model, cache / "models" / STATIC_FOLDER)
    return cache


def child_env(cache: Path) -> dict[str, str]:
    return {**os.environ, "OPENENDS_CACHE": str(cache), "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1"}


def prepare_workdir(path: Path | None, name: str
                    ) -> tuple[Path, tempfile.TemporaryDirectory[str] | None]:
    """``path`` made ready (new, empty, or made by the ``name`` benchmark before), or a
    temporary folder (returned too, for its removal) when ``path`` is None."""
    if path is None:
        temporary = tempfile.TemporaryDirectory(prefix=f"openends-{name}-bench-")
        return Path(temporary.name), temporary
    marker = f".openends-{name}-bench"
    path = path.resolve()
    if path.exists() and any(path.iterdir()) and not (path / marker).exists():
        raise BenchError(f"--workdir {path} is not empty and was not made by this script; "
                         "give an empty or new folder")
    path.mkdir(parents=True, exist_ok=True)
    (path / marker).touch()
    return path, None


# -- the runs ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PipelineRun:
    """One ``openends run``: the measured process and its JSON summary."""

    scenario: str
    measured: Measured
    summary: dict[str, Any]

    @property
    def steps(self) -> dict[str, dict[str, Any]]:
        return {str(step["step"]): step for step in self.summary.get("steps", [])}

    @property
    def responses(self) -> int:
        return int(self.summary.get("responses", 0))

    def step_windows(self) -> dict[str, tuple[float, float]]:
        """When each step ran, in seconds since the process started, plus ``start-up``
        (before the first step) and ``finish`` (after the last: manifest, publishing the
        output folder, printing the summary, exit).

        ``openends run`` writes a line on stderr as each step ends ("[2/7] clean: ...");
        a step began its own duration before that. Without those lines the steps are
        placed back to back, ending when the process ended (then ``finish`` is 0 and
        start-up takes in the real finish, so boundaries may be off by a second or two).
        """
        durations = [(name, float(step["seconds"])) for name, step in self.steps.items()]
        ended: dict[str, float] = {}
        for at, line in self.measured.stderr_lines:
            found = STEP_LINE.match(line)
            if found and found.group(1) in self.steps:
                ended[found.group(1)] = at
        if set(ended) != {name for name, _ in durations}:
            at = self.measured.seconds
            for name, seconds in reversed(durations):
                ended[name] = at
                at -= seconds
        windows = {name: (ended[name] - seconds, ended[name]) for name, seconds in durations}
        first = min((start for start, _ in windows.values()), default=self.measured.seconds)
        last = max((end for _, end in windows.values()), default=self.measured.seconds)
        return {"start-up": (0.0, first), **windows, "finish": (last, self.measured.seconds)}

    def step_peaks(self) -> dict[str, float | None]:
        """The sampled peak RSS of the process tree in each window of :meth:`step_windows`."""
        return {name: self.measured.peak_between(start, end)
                for name, (start, end) in self.step_windows().items()}

    def to_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario, **self.measured.to_dict(),
                "step_peak_mb": self.step_peaks(), "summary": self.summary}

    @classmethod
    def of(cls, scenario: str, measured: Measured) -> PipelineRun:
        """The run with its summary; :class:`RunFailed` when it failed or printed none."""
        failure = measured.failure()
        if failure:
            raise RunFailed(f"{scenario} run failed ({failure}):\n{measured.stderr_tail()}")
        try:
            summary = parse_summary(measured.stdout)
        except ValueError as error:
            raise RunFailed(f"{scenario} run: {error}; stdout began "
                            f"{measured.stdout[:300]!r}") from None
        return cls(scenario, measured, summary)


def parse_summary(stdout: str) -> dict[str, Any]:
    """The run's JSON summary: the whole of stdout, or else its last JSON line."""
    candidates = [stdout, *reversed([line for line in stdout.splitlines()
                                     if line.lstrip().startswith("{")])]
    for candidate in candidates:
        try:
            found = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(found, dict) and "steps" in found:
            return found
    raise ValueError("no JSON summary with 'steps' on stdout")


def run_openends(command: list[str], project: Path, cache: Path, *,
                 options: Sequence[str] = (), watch: Sequence[int] = (),
                 timeout: float | None = None) -> Measured:
    """``openends run PROJECT --json [options]`` with ``cache`` as its cache, measured."""
    return measure([*command, "run", str(project), "--json", *options], child_env(cache),
                   project.parent, watch=watch, timeout=timeout)


def run_pipeline(scenario: str, command: list[str], project: Path, cache: Path) -> PipelineRun:
    return PipelineRun.of(scenario, run_openends(command, project, cache))
