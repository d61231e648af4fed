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
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
from bench_common import Bar, machine_facts, new_table, read_nhs_csv, source_version
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "nhs_fft" / "v6framework_230831.csv"
TEXT_COLUMN = "FFT answer"
SERVICE_COLUMN = "Service type 1"
MIN_SENTENCE_WORDS = 3
SENTENCES_PER_ANSWER = (1, 2, 3)
SENTENCES_WEIGHTS = (0.08, 0.6, 0.32)
NON_ANSWER_SHARE = 0.05
COPY_SHARE = 0.02
NON_ANSWER_TEXTS = ("n/a", "N/A", "nothing", "Nothing.", "", "-", "none", "Did not answer",
                    "no comment")
WAVES = ("2021", "2022", "2023", "2024")
NEW_WAVE = "2025"
NEW_WAVE_SHARE = 0.10
# Column names per wave; the 2023 export renamed them (real drift between yearly exports).
USUAL_COLUMNS = {"id": "Comment ID", "text": "FFT answer", "service": "Service type 1"}
DRIFTED_COLUMNS = {"id": "CommentID", "text": "What was good or could be better?",
                   "service": "Service"}
DRIFTED_WAVE = "2023"
QUESTION = "comment"
GROUP = "patients"
STEPS = ("read", "clean", "topics", "code", "keywords", "stats", "report")
MEMORY_BAR_MB = 2_000.0   # SPEC 7: "under 2 GB"; MB = 10^6 bytes, the stricter reading
BAR_ANSWERS = 100_000
SAMPLE_SECONDS = 0.1
STEP_LINE = re.compile(r"^\[\d+/\d+\] (\w+): ")  # the line `openends run` writes as a step ends
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MARKER = ".openends-pipeline-bench"
PACKAGES = ("openends", "spacy", "spacy-lookups-data", "model2vec", "numpy", "pandas",
            "scikit-learn")

# NHS patient-experience themes (written as codebook.yml; patterns as in SPEC section 3).
THEMES: list[dict[str, Any]] = [
    {"id": "staff_attitude", "label": "Staff attitude",
     "description": "Staff were kind, caring, friendly and respectful, or rude and uncaring.",
     "include": ["kind*", "friendly", "caring", "polite", "courteous", "helpful",
                 "compassion*", "respect*", "rude*", "attitude*", "lovely", "pleasant",
                 "unfriendly", "uncaring"],
     "examples": ["The staff were so kind and caring.", "The receptionist was rude."]},
    {"id": "waiting_times", "label": "Waiting times",
     "description": "How long patients waited for care, a call back, transport or results.",
     "include": ["wait*", "delay*", "queue*", "late", "on time", "quick*", "prompt*",
                 r"re:\bhours?\b"],
     "examples": ["We waited four hours to be seen.", "The ambulance arrived quickly."]},
    {"id": "communication", "label": "Communication",
     "description": "Explaining, listening, keeping patients and families informed.",
     "include": ["explain*", "inform*", "listen*", "communicat*", "told", "update*",
                 "call back", "understand*"],
     "examples": ["Everything was explained clearly.", "Nobody told us what was happening."]},
    {"id": "cleanliness", "label": "Cleanliness",
     "description": "Clean, tidy and hygienic premises and vehicles, or dirty ones.",
     "include": ["clean*", "dirty", "hygien*", "tidy", "untidy", "smell*"],
     "examples": ["The ward was spotless.", "The toilets were dirty."]},
    {"id": "food", "label": "Food and drink", "description": "Meals, drinks and snacks.",
     "include": ["food", "meal*", "drink*", "menu", "hungry", "breakfast", "lunch", "dinner",
                 "snack*"],
     "examples": ["The food was cold.", "More choice of meals."]},
    {"id": "parking", "label": "Parking",
     "description": "Car parks, parking spaces and their cost.",
     "include": ["parking", "car park*", "park"],
     "examples": ["Parking was impossible.", "The car park is too expensive."]},
    {"id": "transport", "label": "Patient transport",
     "description": "Ambulances, transport drivers and crews, pick-ups and journeys.",
     "include": ["transport", "ambulance*", "driver*", "crew*", "journey*",
                 r"re:\bpick(ed|s)? (me |us )?up\b"],
     "examples": ["The driver was very careful.", "Transport picked me up on time."]},
    {"id": "appointments", "label": "Appointments",
     "description": "Booking, referrals, cancelled or rescheduled appointments.",
     "include": ["appointment*", "booking", "booked", "referral*", "referred", "cancel*",
                 "reschedul*"],
     "examples": ["My appointment was cancelled twice.", "Easy to book."]},
    {"id": "environment", "label": "Environment and facilities",
     "description": "Wards, rooms, beds, noise and comfort of the place.",
     "include": ["ward*", "room*", "nois*", "bed*", "comfortable", "uncomfortable",
                 "facilities", "environment"],
     "examples": ["The ward was very noisy at night.", "Comfortable waiting room."]},
    {"id": "medication", "label": "Medication",
     "description": "Medicines, prescriptions and pain relief.",
     "include": ["medication*", "medicine*", "prescri*", "tablet*", "pain relief",
                 "painkiller*"],
     "examples": ["I was given my medication on time.", "The prescription was wrong."]},
    {"id": "staffing_levels", "label": "Staffing levels",
     "description": "Too few staff, understaffing, more staff needed.",
     "include": ["understaffed", "short staffed", "short-staffed", "more staff", "staffing",
                 "staff shortage*", "overworked"],
     "examples": ["They need more staff.", "The nurses were overworked."]},
    {"id": "phone_service", "label": "Telephone and 111",
     "description": "Calls to 111 or the service, call handlers, getting through by phone.",
     "include": ["phone*", "telephone", "call handler*", r"re:\b111\b", "get through",
                 "got through"],
     "examples": ["The 111 call handler was very helpful.",
                  "Could not get through on the phone."]},
]


def codebook_yaml() -> str:
    import yaml

    book = {"name": "NHS Friends and Family Test (benchmark)", "version": "1.0",
            "themes": THEMES}
    return ("# Written by scripts/bench/pipeline.py: NHS themes for the pipeline benchmark.\n"
            + yaml.safe_dump(book, sort_keys=False, allow_unicode=True, width=96))


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


class BenchError(Exception):
    """A problem reported on one line with exit status 2 (missing command, data, options)."""


class RunFailed(Exception):
    """A measured run exited with an error (reported with its stderr, exit status 1)."""


# -- data ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SentencePool:
    """The substantive sentences of the source comments, with their comment and service."""

    path: Path
    rows: int
    comments: int
    sentences: list[str]
    comment: np.ndarray   # the index of each sentence's comment
    service: list[str]


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (a line break ends one too), spaces normalised, each ending in
    punctuation.

    Example:
        >>> split_sentences("Staff were  kind. Parking was awful!\\nok")
        ['Staff were kind.', 'Parking was awful!', 'ok.']
    """
    pieces = re.split(r"(?<=[.!?])\s+|\n+", text)
    sentences = [" ".join(piece.split()) for piece in pieces]
    return [s if s[-1] in ".!?" else s + "." for s in sentences if s]


def load_pool(path: Path) -> SentencePool:
    """Read the NHS FFT file and split its substantive comments into sentences."""
    from openends.clean.nonanswers import non_substantive

    table = read_nhs_csv(path, BenchError)
    for needed in (TEXT_COLUMN, SERVICE_COLUMN):
        if needed not in table.columns:
            raise BenchError(f"{path}: no {needed!r} column")
    texts = table[TEXT_COLUMN].tolist()
    services = [" ".join(s.replace("\xa0", " ").split()) or "Unknown"
                for s in table[SERVICE_COLUMN]]
    substantive = [bool(t.strip()) and not flag for t, flag in zip(
        texts, non_substantive(texts), strict=True)]
    sentences: list[str] = []
    comment: list[int] = []
    service: list[str] = []
    for row, (text, keep) in enumerate(zip(texts, substantive, strict=True)):
        if not keep:
            continue
        for sentence in split_sentences(text):
            if len(sentence.split()) >= MIN_SENTENCE_WORDS:
                sentences.append(sentence)
                comment.append(row)
                service.append(services[row])
    if len(set(comment)) < 2 * max(SENTENCES_PER_ANSWER):
        raise BenchError(f"{path}: only {len(set(comment))} comments with sentences of "
                         f"{MIN_SENTENCE_WORDS}+ words")
    return SentencePool(path, len(table), len(set(comment)), sentences,
                        np.asarray(comment), service)


def make_answers(pool: SentencePool, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` answers (``text``, ``service``) of 1-3 sentences of different comments each,
    about 5% non-answers and about 2% exact copies of another answer.

    One-sentence answers take the sentences in a shuffled order, so that they repeat only
    once every sentence has been used (plain draws would make thousands of copies).
    """
    counts = rng.choice(SENTENCES_PER_ANSWER, size=n, p=SENTENCES_WEIGHTS)
    size = len(pool.sentences)
    singles = iter(np.concatenate([rng.permutation(size) for _ in range(
        1 + int((counts == 1).sum()) // size)]))
    texts: list[str] = []
    services: list[str] = []
    for count in counts:
        chosen = [int(next(singles))] if count == 1 else []
        while len(chosen) < count:
            index = int(rng.integers(size))
            if all(pool.comment[index] != pool.comment[other] for other in chosen):
                chosen.append(index)
        texts.append(" ".join(pool.sentences[index] for index in chosen))
        services.append(pool.service[chosen[0]])
    kind = rng.random(n)
    for row in np.flatnonzero(kind < NON_ANSWER_SHARE):
        texts[row] = str(rng.choice(NON_ANSWER_TEXTS))
    copies = np.flatnonzero((kind >= NON_ANSWER_SHARE) & (kind < NON_ANSWER_SHARE + COPY_SHARE))
    for row, source in zip(copies, rng.integers(n, size=len(copies)), strict=True):
        texts[row] = texts[source]
        services[row] = services[source]
    return pd.DataFrame({"text": texts, "service": services})


@dataclass(frozen=True)
class WaveFile:
    """One generated wave: its file, its column names and its answers."""

    wave: str
    path: Path
    columns: dict[str, str]
    answers: int
    non_answers: int

    def toml(self) -> str:
        def quoted(value: str) -> str:
            return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML string

        return (f"[[waves]]\ngroup = {quoted(GROUP)}\nwave = {quoted(self.wave)}\n"
                f"file = {quoted(self.path.name)}\nid = {quoted(self.columns['id'])}\n"
                f"text = {{ {QUESTION} = {quoted(self.columns['text'])} }}\n"
                f"attrs = {{ service = {quoted(self.columns['service'])} }}\n")


def write_wave(folder: Path, wave: str, answers: pd.DataFrame) -> WaveFile:
    columns = DRIFTED_COLUMNS if wave == DRIFTED_WAVE else USUAL_COLUMNS
    table = pd.DataFrame({
        columns["id"]: [f"FFT-{wave}-{number:06d}" for number in range(1, len(answers) + 1)],
        columns["service"]: answers["service"].to_numpy(),
        columns["text"]: answers["text"].to_numpy()})
    path = folder / f"fft_{wave}.csv"
    table.to_csv(path, index=False)
    non_answers = answers["text"].str.strip().str.lower().isin(
        {text.lower() for text in NON_ANSWER_TEXTS})
    return WaveFile(wave, path, dict(columns), len(answers), int(non_answers.sum()))


def write_project(folder: Path, waves: Sequence[WaveFile], seed: int) -> Path:
    """``project.toml`` naming ``waves``, the codebook and a report by service."""
    text = (f"# Written by scripts/bench/pipeline.py: {sum(w.answers for w in waves):,} "
            f"generated answers in {len(waves)} waves.\n"
            f'name = "Pipeline benchmark: NHS FFT"\noutput = "out"\nseed = {seed}\n\n'
            + "\n".join(wave.toml() for wave in waves)
            + '\n[coding]\ncodebook = "codebook.yml"\n\n[report]\nby = ["service"]\n')
    path = folder / "project.toml"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass(frozen=True)
class Project:
    """The generated project: the four waves, the new wave and the files' folder."""

    folder: Path
    waves: list[WaveFile]
    new_wave: WaveFile
    distinct_share: float
    non_answer_share: float

    @property
    def answers(self) -> int:
        return sum(wave.answers for wave in self.waves)

    def write(self, *, with_new_wave: bool, seed: int) -> Path:
        return write_project(self.folder, [*self.waves, *([self.new_wave] if with_new_wave
                                                          else [])], seed)


def build_project(folder: Path, pool: SentencePool, answers: int, seed: int) -> Project:
    rng = np.random.default_rng(seed)
    table = make_answers(pool, answers, rng)
    extra = make_answers(pool, max(1, round(answers * NEW_WAVE_SHARE)), rng)
    parts = np.array_split(np.arange(answers), len(WAVES))
    waves = [write_wave(folder, wave, table.iloc[rows].reset_index(drop=True))
             for wave, rows in zip(WAVES, parts, strict=True)]
    new_wave = write_wave(folder, NEW_WAVE, extra)
    (folder / "codebook.yml").write_text(codebook_yaml(), encoding="utf-8")
    project = Project(folder, waves, new_wave, table["text"].nunique() / answers,
                      sum(w.non_answers for w in waves) / answers)
    project.write(with_new_wave=False, seed=seed)
    return project


# -- processes and memory ------------------------------------------------------------------
def tree_rss_bytes(root: int) -> int:
    """The summed resident set size of ``root`` and all its descendants, from ``/proc``."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_bytes()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields follow the last ")".
        fields = stat[stat.rindex(b")") + 2:].split()
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total * PAGE_SIZE


class TreeSampler(threading.Thread):
    """Samples :func:`tree_rss_bytes` of a process every ``SAMPLE_SECONDS`` until stopped,
    keeping (seconds since ``started``, MB) pairs."""

    def __init__(self, pid: int, started: float) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.started = started
        self.timeline: list[tuple[float, float]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                rss = tree_rss_bytes(self.pid)
            except OSError:
                rss = 0
            if rss:
                self.timeline.append((time.perf_counter() - self.started, rss / 1e6))
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


@dataclass(frozen=True)
class Measured:
    """One child process: wall time, exit status, output and peak memory."""

    command: list[str]
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    max_rss_mb: float    # wait4: the largest single process of the tree
    timeline: list[tuple[float, float]]  # sampled: (seconds, MB of the whole tree summed)
    stderr_lines: list[tuple[float, str]]  # (seconds, line) as they arrived

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

    def to_dict(self) -> dict[str, Any]:
        return {"seconds": self.seconds, "returncode": self.returncode,
                "peak_mb": self.peak_mb, "max_rss_mb": self.max_rss_mb,
                "tree_rss_mb": self.tree_rss_mb, "samples": len(self.timeline)}


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


def measure(command: list[str], env: dict[str, str], cwd: Path) -> Measured:
    """Run ``command`` and measure it.

    Why not ``getrusage(RUSAGE_CHILDREN)`` around the child: it is the largest peak of
    *all* children this process ever waited for, so a small run after a big one would
    report the big one. ``os.wait4`` returns the rusage of exactly this child (its
    ``ru_maxrss`` is the peak of its largest process, its waited-for descendants
    included), and the sampler adds the tree's concurrent total, which ``ru_maxrss``
    cannot see.
    """
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, cwd=cwd)
    assert process.stdout is not None and process.stderr is not None
    sampler = TreeSampler(process.pid, started)
    readers = [LineReader(process.stdout, started), LineReader(process.stderr, started)]
    for thread in (sampler, *readers):
        thread.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        seconds = time.perf_counter() - started
        sampler.stop()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    for reader in readers:
        reader.join(timeout=10)  # a grandchild still holding the pipe must not hang us
    process.stdout.close()
    process.stderr.close()
    # ru_maxrss is in KiB on Linux.
    return Measured(command, seconds, process.returncode, readers[0].text, readers[1].text,
                    usage.ru_maxrss * 1024 / 1e6, sampler.timeline, readers[1].lines)


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


def run_pipeline(scenario: str, command: list[str], project: Path, cache: Path) -> PipelineRun:
    measured = measure([*command, "run", str(project), "--json"], child_env(cache),
                       project.parent)
    if measured.returncode != 0:
        raise RunFailed(f"{scenario} run failed (exit status {measured.returncode}):\n"
                        + "\n".join(measured.stderr.strip().splitlines()[-20:]))
    try:
        summary = parse_summary(measured.stdout)
    except ValueError as error:
        raise RunFailed(f"{scenario} run: {error}; stdout began {measured.stdout[:300]!r}"
                        ) from None
    return PipelineRun(scenario, measured, summary)


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
        raise RunFailed("spaCy baseline failed:\n"
                        + "\n".join(measured.stderr.strip().splitlines()[-20:]))
    figures = json.loads(measured.stdout.strip().splitlines()[-1])
    return BaselineRun(measured, {key: float(value) for key, value in figures.items()})


# -- figures -------------------------------------------------------------------------------
def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


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
def say(console: Console, text: str) -> None:
    console.print(text, markup=False, highlight=False)


def seconds_text(value: float | None, digits: int = 2) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:,.{digits}f}"


def megabytes(value: float | None) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:,.0f}"


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


def prepare_workdir(path: Path | None) -> tuple[Path, tempfile.TemporaryDirectory[str] | None]:
    if path is None:
        temporary = tempfile.TemporaryDirectory(prefix="openends-pipeline-bench-")
        return Path(temporary.name), temporary
    path = path.resolve()
    if path.exists() and any(path.iterdir()) and not (path / MARKER).exists():
        raise BenchError(f"--workdir {path} is not empty and was not made by this script; "
                         "give an empty or new folder")
    path.mkdir(parents=True, exist_ok=True)
    (path / MARKER).touch()
    return path, None


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    console = Console(width=None if sys.stdout.isatty() else 140)
    temporary = None
    try:
        command = openends_command()
        if not args.baseline_only:
            check_run_built(command)
        pool = load_pool(args.data)
        workdir, temporary = prepare_workdir(args.workdir)
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
    if source_version() != version:
        say(console, f"WARNING: the source changed during the run ({version} -> "
                     f"{source_version()})")
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
