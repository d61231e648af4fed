"""Draft a codebook from a topics folder, for a researcher to review and edit.

``openends topics`` writes ``topics.json`` into a folder. Each topic in it, outliers
and very small topics aside, becomes a theme: an id and a label from the topic's label,
a description from its words and phrases, ``include`` patterns and example answers.
The draft is a starting point; nothing in it has been checked by a person.

Example:
    >>> import json, tempfile
    >>> folder = Path(tempfile.mkdtemp()) / "nhs_topics"
    >>> folder.mkdir()
    >>> topics = [
    ...     {"topic": -1, "label": "outliers", "words": ["thing"], "size": 30},
    ...     {"topic": 0, "label": "staff friendly helpful", "size": 412, "share": 0.074,
    ...      "words": ["staff", "friendly", "helpful", "nurse"],
    ...      "phrases": ["staff friendly", "nursing staff"],
    ...      "examples": ["Staff were friendly and helpful.", ""]},
    ... ]
    >>> _ = (folder / "topics.json").write_text(json.dumps(topics), encoding="utf-8")
    >>> codebook = draft_codebook(folder)
    >>> codebook["name"], codebook["version"], len(codebook["themes"])
    ('Draft codebook from nhs_topics', 'draft', 1)
    >>> theme = codebook["themes"][0]
    >>> theme["id"], theme["label"]
    ('staff_friendly_helpful', 'Staff friendly helpful')
    >>> print(theme["description"])
    Answers about staff, friendly, helpful, nurse, nursing staff (topic 0: 412 answers, 7.4%)
    >>> theme["include"], theme["examples"]
    (['staff*', 'friendly*', 'helpful*', 'nurse*'], ['Staff were friendly and helpful.'])
    >>> write_codebook(codebook, folder / "codebook.yml").name
    'codebook.yml'
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from openends.errors import InputFileError, OutputExistsError, TopicsFolderError

__all__ = [
    "TopicRecord",
    "draft_codebook",
    "include_patterns",
    "read_topics",
    "skipped_topics",
    "slugify",
    "write_codebook",
]

TOPICS_FILE = "topics.json"
REQUIRED_FIELDS = ("topic", "label", "words", "size")
MAX_INCLUDE = 8
MAX_EXAMPLES = 3
MIN_WILDCARD_LETTERS = 4
MAX_ID_LENGTH = 40
DESCRIPTION_WORDS = 5
DESCRIPTION_PHRASES = 2
CODEBOOK_SUFFIXES = (".yml", ".yaml")
HEADER = """\
# DRAFT codebook, generated from topics by openends (openends codebook draft).
# Nobody has reviewed it yet. Before coding with it, read every theme: rename ids and
# labels, rewrite descriptions, prune or add include patterns (matched on lemmas;
# '*' wildcards, multi-word phrases, 're:' expressions), add exclude patterns and
# better examples, merge or split themes, then give it a version.
"""
_REWRITE = "fix it, or write the folder again with 'openends topics ... -o DIR'"


@dataclass(frozen=True)
class TopicRecord:
    """What a draft uses of one entry of ``topics.json``.

    Example:
        >>> TopicRecord(topic=-1, label="outliers", words=("thing",), size=30).is_outlier
        True
    """

    topic: int
    label: str
    words: tuple[str, ...]
    size: int
    phrases: tuple[str, ...] = ()
    share: float | None = None
    examples: tuple[str, ...] = ()

    @property
    def is_outlier(self) -> bool:
        """Topic -1 (any negative number) holds the answers no topic took."""
        return self.topic < 0


def read_topics(topics_dir: str | Path) -> list[TopicRecord]:
    """The topics of a folder written by ``openends topics``, checked and sorted by number.

    Raises :class:`~openends.errors.TopicsFolderError` naming the file (and the topic)
    when the folder or ``topics.json`` is missing or malformed.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "topics.json").write_text(
        ...     '[{"topic": 1, "label": "wait", "words": ["wait"], "size": 9},'
        ...     ' {"topic": 0, "label": "staff", "words": ["staff"], "size": 12}]')
        >>> [(topic.topic, topic.label) for topic in read_topics(folder)]
        [(0, 'staff'), (1, 'wait')]
    """
    folder = Path(topics_dir)
    if not folder.exists():
        raise TopicsFolderError(folder, "no such folder; pass the folder that "
                                "'openends topics FILE --text COL -o DIR' wrote")
    if not folder.is_dir():
        raise TopicsFolderError(folder, "is a file, not a topics folder; pass the folder that "
                                "'openends topics ... -o DIR' wrote")
    path = folder / TOPICS_FILE
    if not path.is_file():
        raise TopicsFolderError(path, f"not found in {str(folder)!r}; pass the folder that "
                                "'openends topics ... -o DIR' wrote")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise TopicsFolderError(path, f"is not UTF-8 text; {_REWRITE}") from None
    except json.JSONDecodeError as error:
        raise TopicsFolderError(path, f"is not valid JSON ({error.msg} at line {error.lineno}, "
                                f"column {error.colno}); {_REWRITE}") from None
    except OSError as error:
        raise TopicsFolderError(path, f"cannot be read ({error.strerror}); check that it is "
                                "a readable file") from None
    if not isinstance(data, list):
        raise TopicsFolderError(path, f"should hold a list of topics, not a JSON "
                                f"{_json_type(data)}; {_REWRITE}")
    topics = [_topic_record(entry, position, path) for position, entry in enumerate(data, 1)]
    numbers = [topic.topic for topic in topics]
    repeated = sorted({number for number in numbers if numbers.count(number) > 1})
    if repeated:
        raise TopicsFolderError(path, f"topic {repeated[0]} appears more than once; "
                                "each topic number must be unique; " + _REWRITE)
    return sorted(topics, key=lambda topic: topic.topic)


def skipped_topics(topics: Iterable[TopicRecord], *, min_size: int = 1) -> dict[str, list[int]]:
    """The topic numbers a draft leaves out: ``outliers``, and ``small`` (under ``min_size``).

    Example:
        >>> topics = [TopicRecord(-1, "outliers", (), 30), TopicRecord(0, "staff", (), 40),
        ...           TopicRecord(1, "parking", (), 3)]
        >>> skipped_topics(topics, min_size=5)
        {'outliers': [-1], 'small': [1]}
    """
    skipped: dict[str, list[int]] = {"outliers": [], "small": []}
    for topic in topics:
        if topic.is_outlier:
            skipped["outliers"].append(topic.topic)
        elif topic.size < min_size:
            skipped["small"].append(topic.topic)
    return skipped


def draft_codebook(topics_dir: Path, *, name: str | None = None,
                   min_size: int = 1) -> dict[str, Any]:
    """A draft codebook (as data) with one theme per topic of ``topics_dir``, in topic order.

    Outliers (topic -1) and topics with fewer than ``min_size`` answers are left out. The
    name defaults to ``"Draft codebook from <folder name>"``; the version is ``"draft"``.
    Each theme has ``id``, ``label``, ``description``, ``include`` and ``examples``.

    Example:
        >>> import json, tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> topics = [{"topic": 0, "label": "wait time", "words": ["wait", "time"], "size": 5},
        ...           {"topic": 1, "label": "wait time", "words": ["wait", "queue"], "size": 3}]
        >>> _ = (folder / "topics.json").write_text(json.dumps(topics))
        >>> [theme["id"] for theme in draft_codebook(folder, name="Waits")["themes"]]
        ['wait_time', 'wait_time_2']
        >>> [theme["id"] for theme in draft_codebook(folder, min_size=4)["themes"]]
        ['wait_time']
    """
    folder = Path(topics_dir)
    topics = read_topics(folder)
    left_out = {number for numbers in skipped_topics(topics, min_size=min_size).values()
                for number in numbers}
    kept = [topic for topic in topics if topic.topic not in left_out]
    if not kept:
        raise TopicsFolderError(folder / TOPICS_FILE, _nothing_to_draft(topics, min_size))
    total = sum(topic.size for topic in topics)
    taken: set[str] = set()
    themes = [_theme(topic, total, taken) for topic in kept]
    title = (name or "").strip() or f"Draft codebook from {folder.resolve().name}"
    return {"name": title, "version": "draft", "themes": themes}


def write_codebook(codebook: Mapping[str, Any], path: Path, *, force: bool = False) -> Path:
    """Write ``codebook`` as YAML under a header saying it is an unreviewed draft.

    The file is written whole or not at all (a temporary file, then renamed). An existing
    file is kept unless ``force`` is true.

    Example:
        >>> import tempfile
        >>> out = Path(tempfile.mkdtemp()) / "codebook.yml"
        >>> codebook = {"name": "Waits", "version": "draft", "themes": []}
        >>> write_codebook(codebook, out) == out
        True
        >>> print(out.read_text(encoding="utf-8").splitlines()[-3])
        name: Waits
        >>> write_codebook(codebook, out)
        Traceback (most recent call last):
        ...
        openends.errors.OutputExistsError: ...: already exists; pass --force to overwrite it, ...
    """
    path = Path(path)
    if path.suffix.lower() not in CODEBOOK_SUFFIXES:
        raise InputFileError(path, "a codebook is written as YAML; give -o a file name ending "
                             "in .yml or .yaml")
    if path.is_dir():
        raise InputFileError(path, "is a folder; give -o a file name ending in .yml")
    if path.exists() and not force:
        raise OutputExistsError(path)
    text = HEADER + yaml.safe_dump(dict(codebook), sort_keys=False, allow_unicode=True,
                                   width=100_000)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        # mkstemp makes the file private to its owner; a codebook is meant to be shared.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def include_patterns(words: Sequence[str], phrases: Sequence[str] = (), *,
                     limit: int = MAX_INCLUDE) -> list[str]:
    """Include patterns from a topic's words and phrases, best first, at most ``limit``.

    Words and phrases are taken in turn, by rank. A word of 4 or more letters becomes a
    ``word*`` wildcard; shorter words and phrases stay as they are. A pattern that another
    one already matches (``staff friendly`` under ``staff*``, ``helpful*`` under ``help*``)
    is dropped.

    Example:
        >>> include_patterns(["staff", "nhs", "helpful", "help"], ["staff friendly", "a e"])
        ['staff*', 'nhs', 'a e', 'help*']
    """
    candidates: list[str] = []
    for rank in range(max(len(words), len(phrases))):
        if rank < len(words):
            candidates.append(_word_pattern(words[rank]))
        if rank < len(phrases):
            candidates.append(_phrase_pattern(phrases[rank]))
    kept: list[str] = []
    for candidate in candidates:
        if len(kept) >= limit:
            break
        if not candidate or candidate in kept or any(_covers(old, candidate) for old in kept):
            continue
        # A broader pattern takes the place of the first one it makes redundant.
        position = next((index for index, old in enumerate(kept) if _covers(candidate, old)),
                        len(kept))
        kept = [*kept[:position], candidate,
                *(old for old in kept[position:] if not _covers(candidate, old))]
    return kept


def slugify(text: str, *, max_length: int = MAX_ID_LENGTH) -> str:
    """A snake_case id from ``text``: ASCII letters and digits, starting with a letter.

    A word already in the id is not repeated. Returns an empty string when ``text`` has
    no ASCII letters or digits.

    Example:
        >>> slugify("Staff: friendly & helpful!"), slugify("Förnekade"), slugify("24 hours")
        ('staff_friendly_helpful', 'fornekade', 'topic_24_hours')
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = ""
    for word in dict.fromkeys(re.findall(r"[a-z0-9]+", folded.lower())):
        longer = f"{slug}_{word}" if slug else word
        if slug and len(longer) > max_length:
            break
        slug = longer[:max_length]
    return (f"topic_{slug}" if slug[:1].isdigit() else slug)[:max_length].rstrip("_")


def _theme(topic: TopicRecord, total: int, taken: set[str]) -> dict[str, Any]:
    label = _label(topic)
    return {
        "id": _unique(slugify(label) or f"topic_{topic.topic}", taken),
        "label": label,
        "description": _description(topic, total),
        "include": include_patterns(topic.words, topic.phrases),
        "examples": _examples(topic.examples),
    }


def _label(topic: TopicRecord) -> str:
    text = " ".join(topic.label.replace("_", " ").split())
    if text.startswith("(") and text.endswith(")"):
        text = ""  # a placeholder such as "(no words)", not a name for a theme
    text = text or " ".join(topic.words[:3]) or f"topic {topic.topic}"
    return text[:1].upper() + text[1:]


def _unique(slug: str, taken: set[str]) -> str:
    unique, suffix = slug, 2
    while unique in taken:
        ending = f"_{suffix}"
        unique, suffix = f"{slug[:MAX_ID_LENGTH - len(ending)]}{ending}", suffix + 1
    taken.add(unique)
    return unique


def _description(topic: TopicRecord, total: int) -> str:
    words = list(dict.fromkeys(word for word in map(_normalise, topic.words) if word))
    shown = words[:DESCRIPTION_WORDS]
    new_phrases = [phrase for phrase in dict.fromkeys(map(_normalise, topic.phrases))
                   if len(phrase.split()) > 1 and not set(phrase.split()) <= set(shown)]
    terms = shown + new_phrases[:DESCRIPTION_PHRASES]
    more = len(words) > len(shown) or len(new_phrases) > DESCRIPTION_PHRASES
    share = topic.share if topic.share is not None else topic.size / total if total else 0.0
    answers = f"{topic.size:,} answer{'' if topic.size == 1 else 's'}"
    if not terms:
        return f"Answers in topic {topic.topic} ({answers}, {share:.1%})"
    about = ", ".join(terms) + (", ..." if more else "")
    return f"Answers about {about} (topic {topic.topic}: {answers}, {share:.1%})"


def _examples(examples: Iterable[str]) -> list[str]:
    kept = [text for text in dict.fromkeys(example.strip() for example in examples) if text]
    return kept[:MAX_EXAMPLES]


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def _usable(pattern: str) -> bool:
    """Topic terms are literal text; '*' or a leading 're:' would make them mean more."""
    return bool(pattern) and "*" not in pattern and not pattern.startswith("re:")


def _word_pattern(word: str) -> str:
    token = _normalise(word)
    if not _usable(token):
        return ""
    if token.isalpha() and len(token) >= MIN_WILDCARD_LETTERS:
        return f"{token}*"
    return token


def _phrase_pattern(phrase: str) -> str:
    text = _normalise(phrase)
    return text if _usable(text) else ""


def _covers(broad: str, narrow: str) -> bool:
    """Whether every answer that ``narrow`` matches is matched by ``broad`` too."""
    if broad == narrow:
        return False
    broad_tokens, narrow_tokens = broad.split(), narrow.split()
    if len(broad_tokens) == 1:
        token = broad_tokens[0]
        if token.endswith("*"):
            return any(other.rstrip("*").startswith(token[:-1]) for other in narrow_tokens)
        return token in narrow_tokens
    width = len(broad_tokens)
    return any(narrow_tokens[start:start + width] == broad_tokens
               for start in range(len(narrow_tokens) - width + 1))


def _nothing_to_draft(topics: Sequence[TopicRecord], min_size: int) -> str:
    regular = [topic for topic in topics if not topic.is_outlier]
    if not topics:
        return "holds no topics; run 'openends topics' again, e.g. on more answers"
    if not regular:
        return "holds only outliers (topic -1); run 'openends topics' again with fewer topics"
    largest = max(topic.size for topic in regular)
    return (f"no topic has {min_size} or more answers (the largest has {largest}); "
            f"lower --min-size")


def _topic_record(entry: object, position: int, path: Path) -> TopicRecord:
    if not isinstance(entry, dict):
        raise TopicsFolderError(path, f"entry {position} is a JSON {_json_type(entry)}, not a "
                                f"topic object; {_REWRITE}")
    if "topic" not in entry or not _is_int(entry["topic"]):
        found = "has no 'topic'" if "topic" not in entry else (
            f"has a {_json_type(entry['topic'])} as 'topic', not a whole number")
        raise TopicsFolderError(path, f"entry {position} {found}; {_REWRITE}")
    number: int = entry["topic"]
    where = f"topic {number}"
    missing = [field for field in REQUIRED_FIELDS if entry.get(field) is None]
    if missing:
        needed = ", ".join(repr(field) for field in REQUIRED_FIELDS)
        raise TopicsFolderError(path, f"{where} has no {missing[0]!r} (every topic needs "
                                f"{needed}); {_REWRITE}")
    label, size, share = entry["label"], entry["size"], entry.get("share")
    if not isinstance(label, str):
        raise TopicsFolderError(path, f"{where}: 'label' is a {_json_type(label)}, not a "
                                f"string; {_REWRITE}")
    if not _is_int(size) or size < 0:
        raise TopicsFolderError(path, f"{where}: 'size' must be a count of answers (a whole "
                                f"number, 0 or more); {_REWRITE}")
    if share is not None and (not _is_number(share) or not 0 <= share <= 1):
        raise TopicsFolderError(path, f"{where}: 'share' must be a number from 0 to 1; "
                                + _REWRITE)
    return TopicRecord(
        topic=number, label=label, size=size, share=None if share is None else float(share),
        words=_strings(entry, "words", where, path),
        phrases=_strings(entry, "phrases", where, path),
        examples=_strings(entry, "examples", where, path, nulls=True),
    )


def _strings(entry: dict[str, Any], field: str, where: str, path: Path, *,
             nulls: bool = False) -> tuple[str, ...]:
    """A list-of-strings field; a missing or null optional field is empty."""
    value = entry.get(field)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
            isinstance(item, str) or (nulls and item is None) for item in value):
        raise TopicsFolderError(path, f"{where}: {field!r} must be a list of strings; "
                                + _REWRITE)
    return tuple(item for item in value if item is not None)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _json_type(value: object) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    return "number"
