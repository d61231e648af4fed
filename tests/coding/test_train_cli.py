"""``openends train``: learns from hand codes, saves a coder the library loads, prints its
cross-validated quality, and fails on bad codes with one line and exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from openends.cli import app
from openends.coding.codebook import load_codebook
from openends.coding.store import load_trained_coder

WORDS = {"encryption": ["encrypted phones", "encryption", "encrypted apps"],
         "crypto": ["bitcoin", "monero payments", "crypto wallets"]}
FILLERS = ["we see", "more and more", "lately", "in many cases", "every year", "as usual"]


@pytest.fixture
def survey(tmp_path: Path) -> tuple[Path, Path]:
    """A survey file (id, answer) and its wide hand codes keyed by the same ids."""
    rng = np.random.default_rng(7)
    rows, codes = [], []
    for index in range(60):
        chosen = [theme for theme in WORDS if rng.random() < 0.45]
        parts = [str(rng.choice(WORDS[theme])) for theme in chosen]
        parts += [str(word) for word in rng.choice(FILLERS, size=2, replace=False)]
        rng.shuffle(parts)
        rows.append({"id": f"P{index:03d}", "answer": " ".join(parts).capitalize()})
        codes.append({"id": f"P{index:03d}", **{theme: int(theme in chosen) for theme in WORDS}})
    survey_path, labels_path = tmp_path / "survey.csv", tmp_path / "labels.csv"
    pd.DataFrame(rows).to_csv(survey_path, index=False)
    pd.DataFrame(codes).to_csv(labels_path, index=False)
    return survey_path, labels_path


def train(*arguments: str) -> Result:
    return CliRunner().invoke(app, ["train", *arguments, "--embedder", "none"],
                              env={"COLUMNS": "160"})


def test_train_on_the_sample_project_writes_a_coder_and_prints_its_quality(
        corpora: Path, tmp_path: Path) -> None:
    hand = pd.read_csv(corpora / "hand_coded.csv", dtype={"response_id": str})
    police_2017 = hand[hand["response_id"].str.startswith("R_")]
    labels = tmp_path / "police_2017_codes.csv"
    police_2017.to_csv(labels, index=False)
    out = tmp_path / "coder"
    result = CliRunner().invoke(app, [
        "train", str(corpora / "police_2017.csv"), "--text", "tech=Q4", "--text", "help=Q5",
        "--id", "ResponseId", "--labels", str(labels), "--codebook",
        str(corpora / "codebook.yml"), "--embedder", "none", "-o", str(out)],
        env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    output = result.stdout
    assert f"of the {len(police_2017)} human-coded answers" in output
    assert "Cross-validated quality (5-fold" in output and "threshold" in output
    assert "Not modelled (no coded answers): it_security" in output  # employer themes
    assert "Macro F1" in output and "sample F1" in output
    assert "At --min-precision 0.95:" in output and f"Wrote the trained coder to {out}" in output
    coder = load_trained_coder(out)
    themes = load_codebook(corpora / "codebook.yml").ids
    assert set(coder.themes_) <= set(themes) and "more_resources" in coder.themes_
    assert set(coder.themes_) | set(coder.too_few_) == set(themes)
    assert coder.questions_ == ["help", "tech"]
    for item in coder.quality_.themes:
        assert item.theme in output and 0 < item.threshold < 1


def test_json_summary_and_ids_from_the_id_column(survey: tuple[Path, Path],
                                                 tmp_path: Path) -> None:
    survey_path, labels_path = survey
    out = tmp_path / "coder"
    result = train(str(survey_path), "--text", "answer", "--id", "id", "--labels",
                   str(labels_path), "-o", str(out), "--json", "--folds", "3")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout, parse_constant=pytest.fail)  # strict JSON: no NaN
    assert summary["trained_on"] == summary["labelled"] == 60
    assert summary["themes"] == ["encryption", "crypto"] and summary["too_few"] == {}
    assert summary["quality"]["folds"] == 3 and summary["quality"]["macro_f1"] > 0.9
    assert summary["output"] == str(out)
    loaded = load_trained_coder(out)
    assert loaded.predict(["Bitcoin and encrypted phones"]).tolist() == [[1, 1]]


def test_codes_without_ids_align_by_position(survey: tuple[Path, Path],
                                             tmp_path: Path) -> None:
    survey_path, labels_path = survey
    positional = tmp_path / "positional.csv"
    pd.read_csv(labels_path).drop(columns="id").to_csv(positional, index=False)
    result = train(str(survey_path), "--text", "answer", "--labels", str(positional),
                   "-o", str(tmp_path / "coder"))
    assert result.exit_code == 0, result.output
    short = tmp_path / "short.csv"
    pd.read_csv(positional).iloc[:50].to_csv(short, index=False)
    result = train(str(survey_path), "--text", "answer", "--labels", str(short),
                   "-o", str(tmp_path / "other"))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: short.csv: has 50 row(s) but there are 60 answers; codes without an id column "
        "('response_id') are matched to the answers by row position, so the counts must be "
        "equal. Add the answers' ids, or give the id column with --id")
    assert not (tmp_path / "other").exists()


@pytest.mark.parametrize(("edit", "message"), [
    (lambda codes: codes.assign(crypto=codes["crypto"].replace({1: 2})),
     "labels.csv: column 'crypto' has '2' on data row"),
    (lambda codes: codes.assign(id=codes["id"].str.replace("P00", "Q00")),
     "labels.csv: 10 id(s) in column 'id' are not answers of the survey file"),
    (lambda codes: codes.rename(columns={"crypto": "krypto"}),
     "labels.csv: theme(s) 'krypto' are not in the codebook"),
])
def test_bad_codes_exit_2_with_one_line(survey: tuple[Path, Path], tmp_path: Path,
                                        edit: object, message: str) -> None:
    survey_path, labels_path = survey
    edit(pd.read_csv(labels_path)).to_csv(labels_path, index=False)  # type: ignore[operator]
    codebook = tmp_path / "codebook.yml"
    codebook.write_text("name: Tech\nthemes:\n  - {id: encryption, label: Encryption}\n"
                        "  - {id: crypto, label: Crypto}\n", encoding="utf-8")
    out = tmp_path / "coder"
    result = train(str(survey_path), "--text", "answer", "--id", "id", "--labels",
                   str(labels_path), "--codebook", str(codebook), "-o", str(out))
    assert result.exit_code == 2
    stderr = result.stderr
    assert len(stderr.strip().splitlines()) == 1 and stderr.startswith(f"error: {message}")
    assert not out.exists()


def test_an_existing_folder_is_replaced_only_with_force(survey: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    survey_path, labels_path = survey
    out = tmp_path / "coder"
    arguments = (str(survey_path), "--text", "answer", "--id", "id", "--labels",
                 str(labels_path), "-o", str(out), "--folds", "3")
    assert train(*arguments).exit_code == 0
    refused = train(*arguments)
    assert refused.exit_code == 2
    assert "already exists; pass --force" in refused.stderr
    assert train(*arguments, "--force").exit_code == 0
    assert load_trained_coder(out).themes_ == ["encryption", "crypto"]
