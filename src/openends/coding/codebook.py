"""Codebooks (YAML, SPEC section 3): themes with patterns, examples and a hierarchy.

A codebook has a ``name``, an optional ``version`` and ``themes``; each theme an
``id``, ``label``, ``description``, optional ``include`` and ``exclude`` patterns
(words, ``*`` wildcards, multi-word phrases, ``re:`` regular expressions; matched on
lemmas, case-insensitive), ``examples`` (answers that belong), ``parent`` (another
theme's id), ``question`` (code only answers to this question, when answers carry
one) and ``negated`` (``skip``, the default: a negated mention such as "we have not
seen any cryptocurrency" does not code the theme; ``count``: it does). A child code
implies its parent: :meth:`Codebook.with_parents` adds the parents to a coding.

Errors name the theme and the field:

Example:
    >>> codebook = Codebook.model_validate({"name": "Tech", "themes": [
    ...     {"id": "crypto", "label": "Crypto", "include": ["bitcoin*", "re:\\\\bbtc\\\\b"]},
    ...     {"id": "monero", "label": "Monero", "include": ["monero"], "parent": "crypto"}]})
    >>> codebook.ids, codebook.ancestors("monero")
    (['crypto', 'monero'], ['crypto'])
    >>> try:
    ...     parse_codebook({"name": "Tech", "themes": [{"id": "x", "label": "X",
    ...                                                 "include": ["re:["]}]})
    ... except ConfigError as error:
    ...     print(str(error)[:59])
    codebook: theme 'x', include: 're:[' is not a valid regular
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from openends.errors import ConfigError, InputFileError

ID_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"
REGEX_PREFIX = "re:"


class Theme(BaseModel):
    """One theme (code) of a codebook."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN, description="short stable id: letters, digits, _ . -")
    label: str = Field(min_length=1)
    description: str = ""
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)
    parent: str | None = None
    question: str | None = None
    negated: Literal["skip", "count"] = "skip"

    @field_validator("include", "exclude")
    @classmethod
    def _patterns_are_valid(cls, patterns: list[str]) -> list[str]:
        for position, pattern in enumerate(patterns):
            check_pattern(pattern, position)
        return patterns

    @field_validator("examples")
    @classmethod
    def _examples_have_text(cls, examples: list[str]) -> list[str]:
        for position, example in enumerate(examples):
            if not str(example).strip():
                raise ValueError(f"example {position} is empty")
        return examples


def check_pattern(pattern: str, position: int = 0) -> None:
    """Raise ValueError when ``pattern`` is empty or an invalid ``re:`` expression.

    Example:
        >>> check_pattern("encrypt*"), check_pattern("re:\\\\be2ee?\\\\b")
        (None, None)
    """
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValueError(f"pattern {position} is empty")
    if pattern.startswith(REGEX_PREFIX):
        try:
            re.compile(pattern[len(REGEX_PREFIX):])
        except re.error as error:
            raise ValueError(f"{pattern!r} is not a valid regular expression ({error})") from None
    elif pattern.strip("* ") == "":
        raise ValueError(f"{pattern!r} matches everything; give at least one letter")


class Codebook(BaseModel):
    """A validated codebook: unique ids, parents that exist, no cycles."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    version: str | None = None
    description: str = ""
    themes: list[Theme] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int | float) else value

    @model_validator(mode="after")
    def _hierarchy_is_sound(self) -> Codebook:
        seen: set[str] = set()
        for theme in self.themes:
            if theme.id in seen:
                raise ValueError(f"theme {theme.id!r} appears twice; ids must be unique")
            seen.add(theme.id)
        for theme in self.themes:
            if theme.parent is not None and theme.parent not in seen:
                raise ValueError(f"theme {theme.id!r}, parent: no theme has id {theme.parent!r}")
            if theme.id in self._ancestors(theme.id):
                raise ValueError(f"theme {theme.id!r}, parent: the hierarchy has a cycle")
        return self

    @property
    def ids(self) -> list[str]:
        """Theme ids in codebook order."""
        return [theme.id for theme in self.themes]

    def theme(self, theme_id: str) -> Theme:
        """The theme with ``theme_id``."""
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)

    def _ancestors(self, theme_id: str) -> list[str]:
        parents = {theme.id: theme.parent for theme in self.themes}
        chain: list[str] = []
        current = parents.get(theme_id)
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        return chain

    def ancestors(self, theme_id: str) -> list[str]:
        """The parent, its parent and so on, nearest first."""
        return self._ancestors(theme_id)

    def children(self, theme_id: str) -> list[str]:
        """The themes whose parent is ``theme_id``, in codebook order."""
        return [theme.id for theme in self.themes if theme.parent == theme_id]

    def with_parents(self, theme_ids: Iterable[str]) -> list[str]:
        """``theme_ids`` plus every ancestor, in codebook order.

        Example:
            >>> book = Codebook.model_validate({"name": "x", "themes": [
            ...     {"id": "a", "label": "A"}, {"id": "b", "label": "B", "parent": "a"}]})
            >>> book.with_parents(["b"])
            ['a', 'b']
        """
        wanted = set(theme_ids)
        for theme_id in list(wanted):
            wanted.update(self.ancestors(theme_id))
        return [theme_id for theme_id in self.ids if theme_id in wanted]


def parse_codebook(data: Mapping[str, Any], *, where: str = "codebook") -> Codebook:
    """Validate codebook data; a ConfigError names the theme (by id) and the field."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: a codebook is a mapping with 'name' and 'themes'")
    try:
        return Codebook.model_validate(dict(data))
    except ValidationError as error:
        raise ConfigError(f"{where}: {_describe(error, data)}") from None


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook YAML file."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "codebook not found; check the path")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path.name}: not valid YAML ({_first_line(error)})") from None
    return parse_codebook(data if data is not None else {}, where=path.name)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _describe(error: ValidationError, data: Mapping[str, Any]) -> str:
    """The first problem as ``theme 'id', field: message`` (or ``field: message``)."""
    problems = error.errors()
    first = problems[0]
    location = list(first["loc"])
    message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    message = message.removeprefix("Value error, ")
    where = ".".join(str(part) for part in location)
    if len(location) >= 2 and location[0] == "themes" and isinstance(location[1], int):
        themes = data.get("themes") or []
        entry = themes[location[1]] if location[1] < len(themes) else None
        name = (f"theme {entry['id']!r}" if isinstance(entry, Mapping) and entry.get("id")
                else f"theme {location[1] + 1}")
        field = ".".join(str(part) for part in location[2:])
        where = f"{name}, {field}" if field else name
    more = f" (and {len(problems) - 1} more problem{'s' * (len(problems) > 2)})"
    return (f"{where}: {message}" if where else message) + (more if len(problems) > 1 else "")
