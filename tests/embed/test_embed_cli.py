"""``openends models build`` through Typer's CliRunner, checked through the library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from openends.cli import models
from openends.embed import StaticEmbedder

runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    models.register(app)
    return app


def test_build_then_already_built(app: typer.Typer, tmp_path: Path,
                                  fake_distill: list[tuple[Path, int]]) -> None:
    target = tmp_path / "static"
    result = runner.invoke(app, ["models", "build", "--out", str(target)])
    assert result.exit_code == 0, result.stderr
    assert f"Built the static embedder in {target}" in result.stdout
    assert result.stderr == ""  # no progress output when stderr is not a terminal
    assert StaticEmbedder(target).dimensions == 8
    result = runner.invoke(app, ["models", "build", "--out", str(target)])
    assert result.exit_code == 0 and "already built and verified" in result.stdout
    assert len(fake_distill) == 1


def test_json_summary_and_force(app: typer.Typer, tmp_path: Path,
                                fake_distill: list[tuple[Path, int]]) -> None:
    target = tmp_path / "static"
    runner.invoke(app, ["models", "build", "--out", str(target)])
    result = runner.invoke(app, ["models", "build", "--out", str(target), "--force", "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["built"] is True and summary["path"] == str(target)
    assert len(fake_distill) == 2


def test_default_folder_is_in_the_cache(app: typer.Typer, private_cache: Path,
                                        fake_distill: list[tuple[Path, int]]) -> None:
    result = runner.invoke(app, ["models", "build", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["path"] == str(
        private_cache / "models" / "static-all-MiniLM-L6-v2")


@pytest.mark.parametrize("kind", ["file", "folder with other files"])
def test_a_bad_out_exits_2_with_one_line(app: typer.Typer, tmp_path: Path, kind: str) -> None:
    out = tmp_path / "out"
    if kind == "file":
        out.write_text("")
    else:
        out.mkdir()
        (out / "notes.txt").write_text("")
    result = runner.invoke(app, ["models", "build", "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {out} is ") and result.stderr.count("\n") == 1


@pytest.mark.slow
def test_the_session_model_is_already_built(app: typer.Typer, static_model: Path) -> None:
    result = runner.invoke(app, ["models", "build", "--out", str(static_model)])
    assert result.exit_code == 0, result.stderr
    assert "already built and verified" in result.stdout
