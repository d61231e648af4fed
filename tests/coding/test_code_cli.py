"""``code_responses`` and ``openends code``: every row accounted for, parents implied, evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from openends.cli import app
from openends.coding.codebook import load_codebook
from openends.coding.combine import code_responses
from openends.errors import ConfigError

EMPLOYER = ["employer_2018.csv", "--text", "discovered=discovered", "--text",
            "reaction=reaction", "--id", "ID"]


@pytest.fixture(scope="module")
def employer() -> pd.DataFrame:
    from openends.clean import clean_responses
    from openends.io import read_responses

    corpora = Path(__file__).resolve().parents[2] / "corpora"
    responses, _ = read_responses(corpora / "employer_2018.csv",
                                  text={"discovered": "discovered", "reaction": "reaction"},
                                  id="ID")
    cleaned: pd.DataFrame = clean_responses(responses)[0]
    return cleaned


def test_every_row_is_accounted_for_and_only_ok_answers_are_coded(
        employer: pd.DataFrame, corpora: Path) -> None:
    result = code_responses(employer, codebook=load_codebook(corpora / "codebook.yml"),
                            semantic=False)
    long = result.long()
    assert set(long["response_id"]) == set(employer["response_id"])
    not_ok = set(employer.loc[employer["status"] != "ok", "response_id"])
    assert (long.loc[long["response_id"].isin(not_ok), "theme"] == "").all()
    codes = long[long["theme"] != ""]
    assert (codes["evidence"].str.len() > 0).all() and codes["score"].between(0, 1).all()
    wide = result.wide()
    assert wide["response_id"].tolist() == employer["response_id"].tolist()
    assert list(wide.columns[2:]) == result.themes
    assert int(wide[result.themes].to_numpy().sum()) == len(codes)


def test_a_child_code_implies_its_parent(employer: pd.DataFrame, corpora: Path) -> None:
    result = code_responses(employer, codebook=load_codebook(corpora / "codebook.yml"),
                            semantic=False)
    wide = result.wide()
    children = wide[(wide["anger"] == 1) | (wide["self_harm_concern"] == 1)]
    assert len(children) > 0 and (children["emotional_reaction"] == 1).all()
    via = result.codes[result.codes["evidence"].str.startswith("via ")]
    assert set(via["theme"]) <= {"emotional_reaction", "cooperation"}


def test_themes_are_coded_only_on_their_own_question(employer: pd.DataFrame,
                                                     corpora: Path) -> None:
    book = load_codebook(corpora / "codebook.yml")
    codes = code_responses(employer, codebook=book, semantic=False).codes
    question = employer.set_index("response_id")["question"]
    asked = codes["response_id"].map(question)
    expected = codes["theme"].map({theme.id: theme.question for theme in book.themes})
    assert (asked == expected).all()


def test_min_precision_needs_a_trained_coder(employer: pd.DataFrame, corpora: Path) -> None:
    with pytest.raises(ConfigError, match="--min-precision needs --model"):
        code_responses(employer, codebook=load_codebook(corpora / "codebook.yml"),
                       min_precision=0.9)
    with pytest.raises(ConfigError, match="give a codebook"):
        code_responses(employer)


@pytest.mark.parametrize("wide", [False, True])
def test_code_command_writes_long_or_wide_codes(corpora: Path, tmp_path: Path,
                                                wide: bool) -> None:
    out = tmp_path / "codes.csv"
    arguments = ["code", str(corpora / EMPLOYER[0]), *EMPLOYER[1:], "--codebook",
                 str(corpora / "codebook.yml"), "--no-semantic", "-o", str(out), "--json"]
    result = CliRunner().invoke(app, arguments + (["--wide"] if wide else []))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["coded"] + sum(summary["not_coded"].values()) == summary["responses"] == 608
    table = pd.read_csv(out, keep_default_na=False)
    if wide:
        assert len(table) == 608 and "denial" in table.columns
    else:
        assert set(table.columns) >= {"response_id", "theme", "score", "source", "evidence",
                                      "status"}
        assert table["response_id"].nunique() == 608


def test_code_command_without_codebook_or_model_fails_in_one_line(corpora: Path,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "codes.csv"
    result = CliRunner().invoke(app, ["code", str(corpora / EMPLOYER[0]), *EMPLOYER[1:],
                                      "-o", str(out)])
    assert result.exit_code == 2 and "give a codebook" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()


def test_code_with_a_trained_coder_marks_auto_or_review(tmp_path: Path) -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    words = {"encryption": ["encrypted phones", "encryption"], "crypto": ["bitcoin", "monero"]}
    rows, codes = [], []
    for index in range(80):
        chosen = [theme for theme in words if rng.random() < 0.5]
        parts = [str(rng.choice(words[theme])) for theme in chosen] + ["we see", f"case {index}"]
        rows.append({"id": f"P{index:03d}", "answer": " and ".join(parts)})
        codes.append({"id": f"P{index:03d}", **{theme: int(theme in chosen) for theme in words}})
    survey, labels = tmp_path / "survey.csv", tmp_path / "labels.csv"
    pd.DataFrame(rows).to_csv(survey, index=False)
    pd.DataFrame(codes).to_csv(labels, index=False)
    model = tmp_path / "coder"
    trained = CliRunner().invoke(app, ["train", str(survey), "--text", "answer", "--id", "id",
                                       "--labels", str(labels), "--embedder", "none",
                                       "-o", str(model)])
    assert trained.exit_code == 0, trained.output
    decided = {}
    for precision in ("0.5", "1.0"):
        out = tmp_path / f"codes_{precision}.csv"
        result = CliRunner().invoke(app, ["code", str(survey), "--text", "answer", "--id", "id",
                                          "--model", str(model), "--min-precision", precision,
                                          "--wide", "-o", str(out), "--json"])
        assert result.exit_code == 0, result.output
        wide = pd.read_csv(out, keep_default_na=False)
        assert len(wide) == 80 and set(wide["decision"]) <= {"auto", "review"}
        decided[precision] = json.loads(result.stdout)["semi_automatic"]
    assert decided["1.0"]["auto"] == 0
    assert decided["0.5"]["auto"] >= decided["1.0"]["auto"]
    assert decided["0.5"]["auto"] + decided["0.5"]["review"] == 80


def test_a_trained_coder_and_a_codebook_combine() -> None:
    from openends.coding.codebook import parse_codebook
    from openends.coding.trained import TrainedCoder

    texts = [f"{words} {filler}" for words in ("encrypted phones", "bitcoin wallets")
             for filler in ("now", "again", "lately", "mostly", "always", "today", "often")]
    labels = pd.DataFrame({"encryption": [1] * 7 + [0] * 7, "crypto": [0] * 7 + [1] * 7})
    model = TrainedCoder(embedder=None, folds=3, min_examples=3).fit(texts, labels)
    book = parse_codebook({"name": "x", "themes": [
        {"id": "encryption", "label": "Encryption", "include": ["bitcoin"]},  # model decides
        {"id": "darknet", "label": "Darknet", "include": ["tor", "darknet"]}]})
    responses = pd.DataFrame({"response_id": ["a", "b"], "status": ["ok", "ok"],
                              "redacted_text": ["encrypted phones on tor", "bitcoin now"]})
    result = code_responses(responses, codebook=book, model=model, semantic=False)
    coded = {(row.response_id, row.theme): row.source for row in result.codes.itertuples()}
    assert coded[("a", "encryption")] == "model" and coded[("a", "darknet")] == "rule"
    assert ("b", "encryption") not in coded  # the model, not the codebook's rule, decides
    assert coded[("b", "crypto")] == "model"
    assert result.themes == ["encryption", "darknet", "crypto"]


def test_questions_the_codebook_never_names_give_a_note(employer: pd.DataFrame,
                                                         corpora: Path) -> None:
    renamed = employer.assign(question=employer["question"].map({"discovered": "d",
                                                                 "reaction": "r"}))
    result = code_responses(renamed, codebook=load_codebook(corpora / "codebook.yml"),
                            semantic=False)
    assert len(result.codes) == 0
    assert any("--text QUESTION=COLUMN" in note for note in result.notes)


def test_a_trained_coder_codes_a_table_without_substantive_answers() -> None:
    from openends.coding.trained import TrainedCoder

    texts = [f"{words} {filler}" for words in ("encrypted phones", "bitcoin wallets")
             for filler in ("now", "again", "lately", "mostly", "always", "today", "often")]
    labels = pd.DataFrame({"encryption": [1] * 7 + [0] * 7, "crypto": [0] * 7 + [1] * 7})
    model = TrainedCoder(embedder=None, folds=3, min_examples=3).fit(texts, labels)
    nothing = pd.DataFrame({"response_id": ["a", "b"], "status": ["empty", "non_substantive"],
                            "redacted_text": ["", "n/a"]})
    result = code_responses(nothing, model=model, min_precision=0.9)
    assert len(result.codes) == 0 and len(result.long()) == 2
    assert json.loads(json.dumps(result.to_dict()))["coded"] == 0
