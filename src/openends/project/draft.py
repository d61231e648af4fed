"""``draft_project``: a project file (TOML) drafted from survey data files.

Each file becomes a wave, read with the detection of ``openends inspect``: its likely
answer columns become questions, a filled and unique column named like an id becomes
the respondent id, and categorical columns become attributes. Wave and group come from
the file name (``police_2017.csv``: group "police", wave "2017"). The draft is a start
to review: comments in it say what could not be decided.

Example:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> rows = [f"R{i},{'North' if i % 2 else 'South'},Offenders use more encrypted apps {i}"
    ...         for i in range(12)]
    >>> _ = (folder / "staff_2024.csv").write_text("RespondentID,Region,Comments\\n"
    ...                                            + "\\n".join(rows), encoding="utf-8")
    >>> draft = draft_project([folder / "staff_2024.csv"], folder / "project.toml")
    >>> wave = draft.waves[0]
    >>> wave.group, wave.wave, wave.text, wave.id, wave.attrs
    ('staff', '2024', {'comments': 'Comments'}, 'RespondentID', {'region': 'Region'})
    >>> write_draft(draft, folder / "project.toml").name
    'project.toml'
"""

from __future__ import annotations

import os
import re
import shlex
import textwrap
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from openends.errors import ConfigError, InputFileError, OutputExistsError
from openends.io.info import ReadInfo
from openends.io.inspect import (
    MIN_ANSWER_DISTINCT,
    MIN_ANSWER_WORDS,
    ColumnProfile,
    profile_column,
)
from openends.io.responses import RESERVED_COLUMNS, as_text

DEFAULT_NAME = "Survey project"
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_SEPARATORS = "_-. "
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ID_WORDS = frozenset({"id", "uuid", "guid", "respid", "responseid", "respondentid",
                       "respondent", "participant", "participantid", "caseid", "serial"})
# Columns the pipeline adds to every answer: an attribute may not take their names.
_TAKEN_NAMES = RESERVED_COLUMNS | {"wave", "group"}
# Qualtrics bookkeeping: categorical, but not something to compare answers by.
_QUALTRICS_BOOKKEEPING = frozenset({"Status", "Finished", "DistributionChannel"})
_LABEL_WIDTH = 100
_COMMENT_WIDTH = 88

_OPTIONAL_TABLES = """\
# Optional settings: remove the "# " in front of a table and the keys you want.
# Values shown are the defaults, unless marked "e.g.".

# [cleaning]
# expected_languages = ["en"]          # the languages answers should be in
# languages = ["en", "sv", "de", "fr", "es"]   # what language detection chooses from
# non_answers = ["n/a", "nothing"]     # e.g.: more answers that say nothing
# redact = true                        # e-mails, phones, URLs... hidden in every output
# redact_terms = ["Springfield"]       # e.g.: more words to hide (places, names)
# spacy_model = "en_core_web_sm"       # e.g.: an installed spaCy model, to redact names
# duplicate_min_words = 8              # shorter identical answers are not duplicates

# [coding]
# codebook = "codebook.yml"            # e.g.: themes and their patterns (openends codebook)
# model = "models/coder"               # e.g.: or a coder trained with openends train
# reference = "hand_coded.csv"         # e.g.: hand codes to measure agreement against
# semantic = true                      # also match answers by meaning, not only patterns
# embedder = "static"                  # or "minilm", "tfidf", a model folder
# min_precision = 0.95                 # e.g.: answers below it are marked for review

# [topics]
# enabled = true                       # false skips the topics step
# method = "bertopic"                  # or "nmf", "lda"
# embedder = "static"                  # or "minilm", "tfidf", a model folder
# n_topics = "auto"                    # or a number, e.g. 20
# clustering = "ward"                  # or "hdbscan"

# [keywords]
# enabled = true
# by = "wave"                          # the column whose values are compared
# top = 8                              # terms per value
# min_count = 5
# per_answer = 0                       # e.g. 5: each answer's keyphrases, keyphrases.csv
# method = "statistical"               # or "embedding", "yake" (for per_answer)
# embedder = "static"                  # of the embedding method

# [report]
# by = ["group"]                       # e.g.: group columns (default: group, if named)
# wave = "wave"
# base = "answers"                     # or "all", "respondents"
# correction = "holm"                  # or "bh", "none"
# formats = ["md", "html"]
"""


@dataclass(frozen=True)
class WaveDraft:
    """What was detected in one data file, and the wave drafted from it."""

    path: Path
    file: str
    description: str
    n_rows: int
    wave: str
    text: dict[str, str]
    group: str | None = None
    id: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    id_problem: str | None = None
    names_differ: bool = False

    @property
    def notes(self) -> list[str]:
        """What the draft could not decide for this file, for the user to check."""
        notes = [f"{self.id_problem}; rows are numbered"] if self.id_problem else []
        if self.names_differ:
            where = repr(self.group) if self.group else "the project"
            notes.append(f"question names differ between the waves of {where}; give a question "
                         "asked in several waves the same name in each")
        return notes

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (column labels are question texts, not answers)."""
        return {
            "file": self.file, "path": str(self.path), "read_as": self.description,
            "rows": self.n_rows, "sheet": self.sheet, "group": self.group, "wave": self.wave,
            "questions": dict(self.text), "id": self.id, "attrs": dict(self.attrs),
            "notes": self.notes,
        }


@dataclass(frozen=True)
class ProjectDraft:
    """A drafted project file: its TOML text and what was detected in each data file."""

    out: Path
    name: str
    waves: tuple[WaveDraft, ...]
    toml: str

    @property
    def questions(self) -> list[str]:
        """Every question name, in order of first appearance."""
        return list(dict.fromkeys(name for wave in self.waves for name in wave.text))

    @property
    def next_step(self) -> str:
        return f"openends run {shlex.quote(str(self.out))}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: output path, name, waves, questions and each file's columns."""
        return {
            "output": str(self.out), "name": self.name,
            "waves": [{"group": wave.group, "wave": wave.wave} for wave in self.waves],
            "questions": self.questions,
            "files": [wave.to_dict() for wave in self.waves],
            "next": self.next_step,
        }

    def __rich__(self) -> RenderableType:
        n = len(self.waves)
        head = Text.assemble(
            ("Project file ", "bold"), (str(self.out), "bold"),
            f": {n} wave{'s' * (n != 1)}, {len(self.questions)} question name"
            f"{'s' * (len(self.questions) != 1)}\n",
        )
        table = Table(show_edge=False, pad_edge=False, expand=False)
        table.add_column("file", no_wrap=True)
        for title in ("group", "wave"):
            table.add_column(title, overflow="fold")
        table.add_column("rows", justify="right")
        for title in ("answers", "id", "attrs"):
            table.add_column(title, overflow="fold")
        for wave in self.waves:
            table.add_row(
                Text(wave.path.name), Text(wave.group or ""), Text(wave.wave),
                f"{wave.n_rows:,}",
                Text("\n".join(f"{name} = {column}" for name, column in wave.text.items())),
                Text(wave.id or "(none)", style="" if wave.id else "yellow"),
                Text("\n".join(wave.attrs) or "(none)"),
            )
        files_by_note: dict[str, list[str]] = {}
        for wave in self.waves:
            for note in wave.notes:
                files_by_note.setdefault(note, []).append(wave.path.name)
        notes = Text()
        for note, files in files_by_note.items():
            notes.append(f"\n{', '.join(files)}: ", style="yellow")
            notes.append(note)
        step = Text.assemble("\nNext: review the file, then run\n  ", (self.next_step, "bold"))
        return Group(head, table, notes, step) if notes else Group(head, table, step)


def draft_project(files: Sequence[str | Path], out: str | Path) -> ProjectDraft:
    """Draft a project file for ``files`` (one wave each, in order) to be written at ``out``.

    Nothing is written: see :func:`write_draft`. Raises :class:`InputFileError` for a
    file that is missing, unreadable, or has no column that looks like answers.
    """
    paths = [Path(file) for file in files]
    if not paths:
        raise ConfigError("give at least one data file to draft a project from")
    seen: dict[Path, Path] = {}
    for path in paths:
        earlier = seen.setdefault(path.resolve(), path)
        if earlier is not path:
            raise InputFileError(path, "is given twice; give each data file once")
    out = Path(out)
    folder = out.resolve().parent
    detected = [_detect(path) for path in paths]
    names = _column_names(detected)
    waves: list[WaveDraft] = []
    ids_seen: dict[str, str] = {}
    for found in detected:
        wave, group = wave_and_group(found.path.stem)
        id_column, id_problem = found.id_column, None
        if id_column is None:
            id_problem = "no column looks like a unique respondent id (filled and unique)"
        else:
            clash = next((ids_seen[value] for value in found.id_values if value in ids_seen),
                         None)
            if clash is not None:
                id_problem = (f"id column {id_column!r} not used: its values also appear in "
                              f"{clash}, and ids must be unique across waves")
                id_column = None
            else:
                ids_seen.update(dict.fromkeys(found.id_values, found.path.name))
        waves.append(WaveDraft(
            path=found.path.resolve(), file=_relative(found.path, folder),
            description=found.info.describe(), n_rows=found.info.n_rows, wave=wave,
            text={names[found.path, column]: column for column in found.answer_columns},
            group=group, id=id_column,
            attrs={names[found.path, column]: column for column in found.attr_columns},
            sheet=found.info.sheet if len(found.info.sheets) > 1 else None,
            labels=found.info.column_labels, id_problem=id_problem,
        ))
    waves = _note_drift(waves)
    name = project_name([wave.path.stem for wave in waves])
    return ProjectDraft(out=out, name=name, waves=tuple(waves),
                        toml=render_toml(name, waves,
                                         next_step=f"openends run {shlex.quote(out.name)}"))


def write_draft(draft: ProjectDraft, out: str | Path, force: bool = False) -> Path:
    """Write ``draft`` at ``out`` (in the folder it was drafted for), whole or not at all.

    The text is checked with :func:`openends.config.load_project` before it replaces
    anything; an existing file is kept unless ``force`` is true.
    """
    from openends.config import load_project
    from openends.io.write import atomic_file

    out = check_target(out, force=force)
    if out.resolve().parent != draft.out.resolve().parent:
        raise ConfigError(f"{out}: the draft's file paths are relative to "
                          f"{draft.out.resolve().parent}; draft again for this folder")
    with atomic_file(out) as temporary:
        temporary.write_text(draft.toml, encoding="utf-8", newline="\n")
        try:
            project = load_project(temporary)
        except ConfigError as error:
            raise RuntimeError(f"the drafted project file does not load ({error})") from None
        drafted = [wave.path for wave in draft.waves]
        if [wave.path for wave in project.waves] != drafted:
            raise RuntimeError("the drafted project file names other data files than drafted")
    return out


def check_target(out: str | Path, *, force: bool = False) -> Path:
    """``out`` as a path a project file may be written to, or an error saying why not.

    Example:
        >>> check_target("surveys/project.toml").name
        'project.toml'
        >>> check_target("surveys/project.yml")
        Traceback (most recent call last):
        ...
        openends.errors.InputFileError: project.yml: a project file is TOML; give -o a file ...
    """
    out = Path(out)
    if out.suffix.lower() != ".toml":
        raise InputFileError(out, "a project file is TOML; give -o a file name ending in .toml")
    if out.is_dir():
        raise InputFileError(out, "is a folder; give -o a file name ending in .toml")
    if out.exists() and not force:
        raise OutputExistsError(out)
    return out


# -- detection -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Detected:
    path: Path
    info: ReadInfo
    answer_columns: list[str]
    attr_columns: list[str]
    id_column: str | None
    id_values: tuple[str, ...]


def _detect(path: Path) -> _Detected:
    """Read ``path`` as ``openends inspect`` does; in a workbook whose first sheet holds
    no answers, the first sheet that does."""
    from openends.io.tables import read_table

    table, info = read_table(path)
    profiles = _profiles(table, info)
    for sheet in info.sheets[1:]:
        if _answer_columns(profiles):
            break
        table, info = read_table(path, sheet=sheet)
        profiles = _profiles(table, info)
    answers = _answer_columns(profiles)
    if not answers:
        where = f" in any sheet ({', '.join(info.sheets)})" if len(info.sheets) > 1 else ""
        raise InputFileError(
            path, f"no column looks like free-text answers{where} (at least "
            f"{MIN_ANSWER_WORDS:.0f} words on average, {MIN_ANSWER_DISTINCT:.0%} distinct); "
            f"run 'openends inspect {path.name}' to see its columns"
        )
    id_column = next((profile.name for profile in profiles
                      if profile.name not in answers and _looks_like_id(profile, info.n_rows)),
                     None)
    id_values = tuple(as_text(value) for value in table[id_column]) if id_column else ()
    attrs = [profile.name for profile in profiles
             if profile.kind == "category" and profile.n_distinct >= 2
             and profile.name not in {id_column, *answers}
             and not (info.qualtrics and profile.name in _QUALTRICS_BOOKKEEPING)]
    return _Detected(path=path, info=info, answer_columns=answers, attr_columns=attrs,
                     id_column=id_column, id_values=id_values)


def _profiles(table: Any, info: ReadInfo) -> list[ColumnProfile]:
    return [profile_column(table[column], info.column_labels.get(column))
            for column in table.columns]


def _answer_columns(profiles: Iterable[ColumnProfile]) -> list[str]:
    return [profile.name for profile in profiles if profile.looks_like_answers]


def _looks_like_id(profile: ColumnProfile, n_rows: int) -> bool:
    """Filled and unique on every row, and named like an id."""
    slug = column_name(profile.name)
    named = bool(_ID_WORDS & {*slug.split("_"), slug.replace("_", "")})
    return (named and profile.kind in {"id", "number"} and profile.fill_rate == 1.0
            and profile.n_distinct == n_rows)


def _column_names(detected: Sequence[_Detected]) -> dict[tuple[Path, str], str]:
    """A name for every answer and attribute column of every file, keyed by (file, column).

    A column gets :func:`column_name` of its name, so the same column name (or one that
    differs only in case or punctuation) gets the same name in every file; within a file,
    names are unique and never one of the columns the pipeline adds.
    """
    names: dict[tuple[Path, str], str] = {}
    chosen: dict[str, str] = {}
    for found in detected:
        taken = set(_TAKEN_NAMES)
        for position, column in enumerate([*found.answer_columns, *found.attr_columns]):
            name = chosen.get(column)
            if name is None or name in taken:
                base = name = column_name(column) or f"column_{position + 1}"
                n = 1
                while name in taken:
                    n += 1
                    name = f"{base}_{n}"
                chosen.setdefault(column, name)
            names[found.path, column] = name
            taken.add(name)
    return names


def _note_drift(waves: list[WaveDraft]) -> list[WaveDraft]:
    """Mark each wave of a group whose waves name their questions differently."""
    by_group: dict[str | None, set[frozenset[str]]] = {}
    for wave in waves:
        by_group.setdefault(wave.group, set()).add(frozenset(wave.text))
    return [replace(wave, names_differ=len(by_group[wave.group]) > 1) for wave in waves]


def _relative(path: Path, folder: Path) -> str:
    """``path`` relative to ``folder`` with ``/`` separators (absolute on another drive)."""
    try:
        return PurePath(os.path.relpath(path.resolve(), folder)).as_posix()
    except ValueError:  # Windows: another drive
        return path.resolve().as_posix()


# -- names -----------------------------------------------------------------------------------


def column_name(column: str) -> str:
    """A question or attribute name from a column name: lowercase ``[a-z0-9_]``, words of
    camelCase split, accents dropped; empty when nothing is left.

    Example:
        >>> column_name("TechChanges"), column_name("RespondentID"), column_name("Q4")
        ('tech_changes', 'respondent_id', 'q4')
        >>> column_name('Svar på "frågan" 2'), column_name("答え")
        ('svar_pa_fragan_2', '')
    """
    split = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", column)
    folded = unicodedata.normalize("NFKD", split).encode("ascii", "ignore").decode("ascii")
    return "_".join(re.findall(r"[a-z0-9]+", folded.lower()))


def wave_and_group(stem: str) -> tuple[str, str | None]:
    """Wave and group from a file name (without extension): the wave is a year (19xx or
    20xx) in the name, the group what is left around it. Without a year the name is the
    wave, and there is no group (the waves are of one group of respondents).

    Example:
        >>> wave_and_group("police_2017"), wave_and_group("2018-employers"), wave_and_group("2019")
        (('2017', 'police'), ('2018', 'employers'), ('2019', None))
        >>> wave_and_group("staff_2017_extra"), wave_and_group("autumn")
        (('2017', 'staff_extra'), ('autumn', None))
    """
    year = _YEAR.search(stem)
    if year is None:
        return stem, None
    left, right = stem[: year.start()].rstrip(_SEPARATORS), stem[year.end():].lstrip(_SEPARATORS)
    group = f"{left}_{right}" if left and right else left or right
    return year.group(), group or None


def project_name(stems: Sequence[str]) -> str:
    """The words the file names start with (years left out), or ``"Survey project"``.

    Example:
        >>> project_name(["police_2017", "police_2018"]), project_name(["a_2017", "b_2018"])
        ('Police', 'Survey project')
    """
    words = [re.findall(r"[^\s_.\-]+", _YEAR.sub(" ", stem)) for stem in stems]
    common: list[str] = []
    for position, word in enumerate(words[0] if words else []):
        if any(len(other) <= position or other[position].casefold() != word.casefold()
               for other in words):
            break
        common.append(word)
    name = " ".join(common)
    return name[:1].upper() + name[1:] if name else DEFAULT_NAME


# -- TOML ------------------------------------------------------------------------------------

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string, escaped per the TOML spec.

    Example:
        >>> print(toml_string('Say "hi"\\tnow\\\\ å\\x01'))
        "Say \\"hi\\"\\tnow\\\\ å\\u0001"
    """
    escaped = "".join(
        _ESCAPES.get(char) or (f"\\u{ord(char):04X}" if ord(char) < 0x20 or ord(char) == 0x7F
                               else char)
        for char in value
    )
    return f'"{escaped}"'


def toml_key(key: str) -> str:
    """``key`` bare when TOML allows it, else quoted.

    Example:
        >>> toml_key("unit_size"), toml_key("unit size")
        ('unit_size', '"unit size"')
    """
    return key if _BARE_KEY.match(key) else toml_string(key)


def toml_inline_table(mapping: Mapping[str, str]) -> str:
    """``{ key = "value", ... }`` on one line.

    Example:
        >>> toml_inline_table({"tech": "Q4", "unit size": "Größe"})
        '{ tech = "Q4", "unit size" = "Größe" }'
    """
    items = ", ".join(f"{toml_key(key)} = {toml_string(value)}" for key, value in mapping.items())
    return f"{{ {items} }}" if items else "{}"


def toml_comment(text: str) -> str:
    """``text`` as one comment line (characters TOML forbids in comments become spaces).

    Example:
        >>> toml_comment("two\\nlines")
        '# two lines'
    """
    flat = "".join(" " if (ord(char) < 0x20 and char != "\t") or ord(char) == 0x7F else char
                   for char in text)
    return f"# {flat}".rstrip()


def render_toml(name: str, waves: Sequence[WaveDraft], *, next_step: str) -> str:
    """The project file's text: name, output, seed, the waves and the optional tables."""
    n = len(waves)
    lines = [
        toml_comment(f"Survey project drafted by 'openends init' from {n} data file"
                     f"{'s' * (n != 1)}; paths are relative to this file."),
        toml_comment(f"Review it, then run: {next_step}"),
        f"name = {toml_string(name)}",
        f"output = {toml_string('out')}",
        "seed = 0  # fixed, so that every run gives the same results",
    ]
    for wave in waves:
        lines += ["", *_wave_lines(wave)]
    return "\n".join([*lines, "", _OPTIONAL_TABLES])


def _wave_lines(wave: WaveDraft) -> list[str]:
    lines = [toml_comment(f"{wave.path.name}: {wave.description}; {wave.n_rows:,} rows")]
    if wave.names_differ:
        name, column = next(iter(wave.text.items()))
        advice = (
            "Question names differ between the waves of this group: openends cannot tell "
            "which columns hold the same question. Give a question asked in several waves "
            f"the same name in each (e.g. keep {toml_key(name)} = {toml_string(column)} here "
            f"and call that question {toml_key(name)} in the other waves too), so that its "
            "answers are compared across waves. The same goes for attrs."
        )
        lines += [toml_comment(line) for line in textwrap.wrap(advice, width=_COMMENT_WIDTH)]
    lines.append("[[waves]]")
    if wave.group is not None:
        lines.append(f"group = {toml_string(wave.group)}")
    lines += [f"wave = {toml_string(wave.wave)}", f"file = {toml_string(wave.file)}"]
    if wave.sheet is not None:
        lines.append(f"sheet = {toml_string(wave.sheet)}")
    if wave.id is not None:
        lines.append(f"id = {toml_string(wave.id)}")
    else:
        lines += [toml_comment(f"id: {wave.id_problem};"),
                  toml_comment(f"rows are numbered instead ({wave.path.name}:1, ...). "
                               'Name an id column with id = "COLUMN".')]
    lines += _label_lines(wave.text, wave.labels)
    lines.append(f"text = {toml_inline_table(wave.text)}")
    lines += _label_lines(wave.attrs, wave.labels)
    if wave.attrs:
        lines.append(f"attrs = {toml_inline_table(wave.attrs)}")
    else:
        lines.append('# attrs: no categorical column found; e.g. attrs = { region = "COLUMN" }')
    return lines


def _label_lines(mapping: Mapping[str, str], labels: Mapping[str, str]) -> list[str]:
    """A comment with the question text of each column that has one (SPSS, Qualtrics)."""
    lines = []
    for name, column in mapping.items():
        label = labels.get(column, "").strip()
        if label and label != column:
            short = label if len(label) <= _LABEL_WIDTH else label[: _LABEL_WIDTH - 1] + "…"
            lines.append(toml_comment(f"{toml_key(name)} = {toml_string(column)}: {short}"))
    return lines
