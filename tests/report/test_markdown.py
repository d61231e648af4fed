"""The Markdown report: GitHub tables, every share with its base, the significant
changes with raw and corrected p, quotes as blockquotes, nothing that breaks a table."""

from __future__ import annotations

import re
from dataclasses import replace

from openends.report.markdown import escape, render_markdown
from openends.report.model import Quote, Report


def sections(text: str) -> dict[str, str]:
    parts = re.split(r"^## ", text, flags=re.MULTILINE)
    return {part.splitlines()[0]: part for part in parts[1:]}


def test_sections_and_tables(small_report: Report) -> None:
    text = render_markdown(small_report)
    assert text.startswith("# Generated survey\n\n300 answers in: 291 substantive")
    parts = sections(text)
    assert list(parts)[:6] == ["What changed", "Themes", "Across waves", "Significant changes",
                              "Significant differences across groups", "Keywords"]
    themes = parts["Themes"]
    assert "| theme | base | n | k | % | 95% CI |  |" in themes
    assert "| `staff` | help answers | 57 | 30 | 52.6% | 39.9-65.0 |  |" in themes
    matrix = parts["Across waves"]
    assert "| region | theme | trend | 2017 | 2018 | 2019 | change pp | p adj. |" in matrix
    assert ("| north | `encryption` | ▂▅█ | 10.3% (39) | 30.8% (39) | 51.3% (39) | "
            "**+41.0 ▲** | **0.002** |") in matrix
    assert "| north | `staff` | ███ | 52.6% (19) n<30 |" in matrix
    assert "| south | `encryption` | ███ | 10.3% (39) |" in matrix


def test_every_table_row_has_as_many_cells_as_its_header(small_report: Report) -> None:
    text = render_markdown(small_report)
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line.startswith("| ")]
        if lines:
            cells = {len(re.split(r"(?<!\\)\|", line)) for line in lines}
            assert len(cells) == 1, block


def test_changes_show_raw_and_corrected_p_and_the_interval(small_report: Report) -> None:
    changes = sections(render_markdown(small_report))["Significant changes"]
    assert "p < 0.05 after Holm correction across 21 tests" in changes
    assert "| theme | region | waves | share (n) | diff pp (95% CI) | p | p adj. |  |" in changes
    assert ("| `encryption` | north | 2017 → 2019 | 10.3% (39) → 51.3% (39) | "
            "**+41.0** (20.9, 57.1) | <0.001 | **0.002** |  |") in changes
    assert "darknet" not in changes


def test_quotes_are_blockquotes_with_evidence_in_bold(small_report: Report) -> None:
    quotes = sections(render_markdown(small_report))["Quotes"]
    assert "### `encryption` (Encryption)" in quotes
    assert "> **Encryption** in all the chat apps. — north, 2019" in quotes
    assert quotes.count("\n> ") == sum(len(found) for found in small_report.quotes.values())


def test_text_from_answers_cannot_break_the_document(small_report: Report) -> None:
    tricky = Quote("x", "# not a heading | <script>alert(1)</script> *bold*", "bold",
                   "north, 2019")
    report = replace(small_report, quotes={"encryption": [tricky]}, title="A | B")
    text = render_markdown(report)
    assert "# A \\| B" in text
    assert ("> \\# not a heading \\| \\<script>alert(1)\\</script> \\***bold**\\* — "
            "north, 2019") in text
    assert not re.search(r"(?<!\\)<script>", text)


def test_escape() -> None:
    assert escape("live_streaming") == "live\\_streaming"
    assert escape("p < 0.001 -> 2019") == "p < 0.001 -> 2019"
    assert escape("1. first", line=True) == "\\1. first"
    assert escape("two\nlines") == "two lines"
