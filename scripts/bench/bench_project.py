"""The generated survey project that the whole-pipeline benchmarks run on.

The comments of the NHS Friends and Family Test development file (``FFT answer``;
``Service type 1`` as the attribute ``service``) are split into sentences, non-answers and
sentences of fewer than three words left out; each answer joins 1, 2 or 3 sentences (8% /
60% / 32% of answers) of different comments and takes the service of its first sentence's
comment, so nearly all answers are distinct (plain resampling would repeat each comment ~13
times, and the pipeline skips exact duplicates). One-sentence answers go through the
sentences in a shuffled order, so they repeat only once all are used. About 5% of the
answers are non-answers ("n/a", "nothing", "", "-", ...) and about 2% exact copies of
another answer. The answers are split into four yearly waves 2021-2024, one CSV each (the
2023 file uses other column names, as real yearly exports do), plus a fifth wave of another
10% for runs that add a wave. The project has a 12-theme NHS codebook (rules + semantic),
the default topics and keywords, and a report by service. The same ``answers`` and
``seed`` give the same files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from bench_common import BenchError, read_nhs_csv

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
    return ("# Written by scripts/bench/bench_project.py: NHS themes for the benchmarks.\n"
            + yaml.safe_dump(book, sort_keys=False, allow_unicode=True, width=96))


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
    text = (f"# Written by scripts/bench/bench_project.py: {sum(w.answers for w in waves):,} "
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

