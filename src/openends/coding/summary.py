"""``openends codebook check``: what a valid codebook holds, and what may need a look.

Example:
    >>> from openends.coding.codebook import parse_codebook
    >>> book = parse_codebook({"name": "Tech", "themes": [
    ...     {"id": "crypto", "label": "Crypto", "include": ["bitcoin*"], "examples": ["Bitcoin."]},
    ...     {"id": "monero", "label": "Monero", "parent": "crypto"}]})
    >>> summary = CodebookSummary.of(book)
    >>> summary.counts
    {'themes': 2, 'top_level': 1, 'patterns': 1, 'examples': 1}
    >>> summary.warnings[0][:40]
    "'monero' has no include patterns, no exa"
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from openends.coding.codebook import Codebook


@dataclass(frozen=True)
class CodebookSummary:
    """Counts, the theme table (hierarchy shown by indentation) and warnings."""

    codebook: Codebook
    counts: dict[str, int]
    warnings: list[str]

    @classmethod
    def of(cls, codebook: Codebook) -> CodebookSummary:
        themes = codebook.themes
        counts = {"themes": len(themes),
                  "top_level": sum(theme.parent is None for theme in themes),
                  "patterns": sum(len(theme.include) + len(theme.exclude) for theme in themes),
                  "examples": sum(len(theme.examples) for theme in themes)}
        return cls(codebook, counts, _warnings(codebook))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.codebook.name, "version": self.codebook.version,
                "valid": True, **self.counts, "warnings": self.warnings,
                "themes": [{"id": theme.id, "label": theme.label, "parent": theme.parent,
                            "question": theme.question, "include": len(theme.include),
                            "exclude": len(theme.exclude), "examples": len(theme.examples),
                            "negated": theme.negated} for theme in self.codebook.themes]}

    def __rich__(self) -> Group:
        book = self.codebook
        version = f" (version {book.version})" if book.version else ""
        head = Text(f"{book.name}{version}: valid; {self.counts['themes']} themes "
                    f"({self.counts['top_level']} top-level), {self.counts['patterns']} "
                    f"patterns, {self.counts['examples']} examples", style="bold")
        table = Table(show_edge=False)
        table.add_column("theme", no_wrap=True)
        table.add_column("label", min_width=10)
        table.add_column("question")
        table.add_column("in/out", justify="right")
        table.add_column("examples", justify="right")
        for theme in _in_tree_order(book):
            depth = len(book.ancestors(theme.id))
            table.add_row("  " * depth + theme.id, theme.label, theme.question or "",
                          f"{len(theme.include)}/{len(theme.exclude)}",
                          str(len(theme.examples)))
        parts: list[Any] = [head, table]
        if self.warnings:
            parts.append(Text("\n".join(f"warning: {line}" for line in self.warnings),
                              style="yellow"))
        return Group(*parts)


def _in_tree_order(codebook: Codebook) -> list[Any]:
    """Themes with each parent followed by its children (codebook order otherwise)."""
    ordered = []

    def visit(theme_id: str) -> None:
        ordered.append(codebook.theme(theme_id))
        for child in codebook.children(theme_id):
            visit(child)

    for theme in codebook.themes:
        if theme.parent is None:
            visit(theme.id)
    return ordered


def _warnings(codebook: Codebook) -> list[str]:
    """Things that are valid but likely mistakes."""
    found = []
    owners: dict[str, list[str]] = defaultdict(list)
    for theme in codebook.themes:
        if not theme.include and not theme.examples and not theme.description:
            found.append(f"{theme.id!r} has no include patterns, no examples and no "
                         "description: only its label can match it")
        for pattern in theme.include:
            owners[pattern.lower()].append(theme.id)
        if set(theme.include) & set(theme.exclude):
            found.append(f"{theme.id!r} includes and excludes the same pattern")
    for pattern, themes in owners.items():
        if len(themes) > 1:
            found.append(f"pattern {pattern!r} is in several themes: {', '.join(themes)}")
    return found
