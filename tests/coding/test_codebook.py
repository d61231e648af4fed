"""Codebooks: loading the sample, errors that name the theme and field, hierarchy, check."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from openends.cli import app
from openends.coding.codebook import load_codebook, parse_codebook
from openends.coding.summary import CodebookSummary
from openends.errors import ConfigError, InputFileError


def test_the_sample_codebook_loads_with_its_hierarchy(corpora: Path) -> None:
    book = load_codebook(corpora / "codebook.yml")
    assert len(book.themes) == 27 and book.ids[0] == "encryption"
    assert book.children("cooperation") == ["international_cooperation", "industry_cooperation"]
    assert book.ancestors("anger") == ["emotional_reaction"]
    assert book.with_parents(["anger", "denial"]) == ["denial", "emotional_reaction", "anger"]
    assert book.theme("encryption").question == "tech"
    assert book.theme("encryption").negated == "skip"


@pytest.mark.parametrize(("theme", "message"), [
    ({"id": "a", "label": "A", "colour": "red"}, "theme 'a', colour: unknown key"),
    ({"id": "a", "label": ""}, "theme 'a', label: String should have at least 1 character"),
    ({"id": "a b", "label": "A"}, "theme 'a b', id: String should match pattern"),
    ({"label": "A"}, "theme 2, id: Field required"),
    ({"id": "a", "label": "A", "include": ["re:(x"]}, "theme 'a', include: 're:(x' is not a valid"),
    ({"id": "a", "label": "A", "include": ["*"]}, "theme 'a', include: '*' matches everything"),
    ({"id": "a", "label": "A", "examples": [" "]}, "theme 'a', examples: example 0 is empty"),
    ({"id": "a", "label": "A", "parent": "zz"}, "theme 'a', parent: no theme has id 'zz'"),
    ({"id": "a", "label": "A", "negated": "maybe"}, "theme 'a', negated: Input should be"),
])
def test_errors_name_the_theme_and_the_field(theme: dict[str, object], message: str) -> None:
    data = {"name": "x", "themes": [{"id": "first", "label": "First"}, theme]}
    with pytest.raises(ConfigError, match="^" + re.escape("codebook: " + message)):
        parse_codebook(data)


def test_duplicate_ids_and_cycles_are_refused() -> None:
    with pytest.raises(ConfigError, match="'a' appears twice"):
        parse_codebook({"name": "x", "themes": [{"id": "a", "label": "A"},
                                                {"id": "a", "label": "B"}]})
    with pytest.raises(ConfigError, match="cycle"):
        parse_codebook({"name": "x", "themes": [{"id": "a", "label": "A", "parent": "b"},
                                                {"id": "b", "label": "B", "parent": "a"}]})


def test_files_that_are_missing_or_not_yaml_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="codebook not found"):
        load_codebook(tmp_path / "none.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yml: not valid YAML"):
        load_codebook(bad)
    empty = tmp_path / "empty.yml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"empty\.yml: name: Field required"):
        load_codebook(empty)


def test_summary_warns_about_likely_mistakes() -> None:
    book = parse_codebook({"name": "x", "themes": [
        {"id": "a", "label": "A", "include": ["tor", "vpn"], "exclude": ["vpn"]},
        {"id": "b", "label": "B", "include": ["Tor"]},
        {"id": "c", "label": "C"}]})
    warnings = CodebookSummary.of(book).warnings
    assert any("'c' has no include patterns" in line for line in warnings)
    assert any("'a' includes and excludes" in line for line in warnings)
    assert any("pattern 'tor' is in several themes: a, b" in line for line in warnings)


def test_codebook_check_command(corpora: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["codebook", "check", str(corpora / "codebook.yml"),
                                      "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["themes"][13]["parent"] == "cooperation" and summary["valid"]
    assert summary["patterns"] == sum(t["include"] + t["exclude"] for t in summary["themes"])
    shown = CliRunner().invoke(app, ["codebook", "check", str(corpora / "codebook.yml")])
    assert "27 themes (23 top-level)" in " ".join(shown.stdout.split())
    assert "   anger " in shown.stdout  # a child is indented under its parent
    broken = yaml.safe_load((corpora / "codebook.yml").read_text(encoding="utf-8"))
    broken["themes"][2]["parent"] = "nowhere"
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    failed = CliRunner().invoke(app, ["codebook", "check", str(path)])
    assert failed.exit_code == 2
    assert failed.stderr.strip() == ("error: broken.yml: theme 'darknet', parent: "
                                     "no theme has id 'nowhere'")
