"""``find_keywords`` and ``openends keywords``: every answer accounted for, nothing leaked."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from openends.cli import app
from openends.keywords.find import find_keywords

PRIVATE = ["jane.doe@example.org", "+44 20 7946 0958"]


def leaky_survey(path: Path) -> Path:
    """20 answers per wave (4 empty or non-answers in all); 2019 talks about encryption, 2018
    about the darknet; two carry personal data; every answer ends with a reference."""
    waves = {
        "2018": ["Darknet forums", "Bitcoin payments, mail jane.doe@example.org", "n/a", "",
                 "Darknet markets", "Tor and the darknet", "Bitcoin"] * 2,
        "2019": ["Encryption on every phone", "Live streaming, call +44 20 7946 0958", "n/a",
                 "", "Encryption and live streaming", "Encrypted phones", "Encryption"] * 2,
    }
    rows = [(wave, f"{text} (ref {i})" if text not in {"", "n/a"} else text)
            for wave, texts in waves.items() for i, text in enumerate(texts)]
    pd.DataFrame({"id": [f"R{i:02d}" for i in range(len(rows))],
                  "wave": [wave for wave, _ in rows],
                  "answer": [text for _, text in rows]}).to_csv(path, index=False)
    return path


def test_every_answer_is_used_or_counted_as_left_out(sample_cleaned: pd.DataFrame) -> None:
    result = find_keywords(sample_cleaned, by="wave")
    statuses = sample_cleaned["status"].value_counts().to_dict()
    ok = statuses.pop("ok")
    assert result.used + result.excluded.get("no wave", 0) == ok
    assert {status: result.excluded[status] for status in statuses} == statuses
    assert sum(result.groups.values()) == result.used
    assert set(result.table["group"]) <= set(result.groups)


def test_per_response_rows_belong_to_substantive_answers(sample_cleaned: pd.DataFrame) -> None:
    result = find_keywords(sample_cleaned, per_response=True, top=3)
    ok_ids = set(sample_cleaned.loc[sample_cleaned["status"] == "ok", "response_id"])
    assert set(result.table["response_id"]) <= ok_ids
    assert len(set(result.table["response_id"])) > 0.95 * len(ok_ids)
    ranks = result.table.groupby("response_id")["rank"].apply(list)
    assert all(ranked == list(range(1, len(ranked) + 1)) and len(ranked) <= 3
               for ranked in ranks)
    assert list(result.table.columns) == ["response_id", "rank", "keyphrase", "score"]


@pytest.mark.parametrize("mode", [[], ["--per-response"], ["--by", "wave"]])
def test_cli_writes_tables_without_personal_data(tmp_path: Path, mode: list[str]) -> None:
    survey = leaky_survey(tmp_path / "survey.csv")
    out = tmp_path / "keywords.csv"
    result = CliRunner().invoke(app, ["keywords", str(survey), "--text", "answer", "--id", "id",
                                      "-o", str(out), "--min-count", "2", *mode])
    assert result.exit_code == 0, result.output
    written = out.read_text(encoding="utf-8")
    for secret in PRIVATE:
        assert secret not in written and secret not in result.stdout
    table = pd.read_csv(out)
    assert len(table) > 0
    assert "left out: 4 empty, 4 non_substantive" in " ".join(result.stdout.split())


def test_cli_by_group_json_summary_and_parquet(tmp_path: Path) -> None:
    survey = leaky_survey(tmp_path / "survey.csv")
    out = tmp_path / "keywords.parquet"
    result = CliRunner().invoke(app, ["keywords", str(survey), "--text", "answer", "--by", "wave",
                                      "--min-count", "2", "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["mode"] == "by" and summary["groups"] == {"2018": 10, "2019": 10}
    assert "encryption" in [term.lower() for term in summary["terms"]["2019"]]
    table = pd.read_parquet(out)
    assert {"group", "rank", "keyphrase", "score", "count", "share", "count_rest"} <= set(
        table.columns)
    assert summary["rows"] == len(table)


@pytest.mark.parametrize("arguments, message", [
    (["--per-response", "--by", "wave"], "--per-response or --by"),
    (["--method", "textrank"], "unknown keyword method 'textrank'"),
    (["--by", "region"], "region"),
    (["--top", "0"], "--top must be at least 1"),
])
def test_cli_bad_options_exit_2_with_one_line(tmp_path: Path, arguments: list[str],
                                              message: str) -> None:
    survey = leaky_survey(tmp_path / "survey.csv")
    out = tmp_path / "keywords.csv"
    result = CliRunner().invoke(app, ["keywords", str(survey), "--text", "answer", "-o", str(out),
                                      *arguments])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_blank_group_values_are_left_out_and_counted() -> None:
    table = pd.DataFrame({"response_id": [f"r{i}" for i in range(6)], "status": ["ok"] * 6,
                          "redacted_text": ["Encrypted phones", "encryption", "bitcoin",
                                            "more staff", "staff", "tor"],
                          "wave": ["2018", "2018", "", "2019", "2019", None]})
    result = find_keywords(table, by="wave", min_count=1)
    assert result.groups == {"2018": 2, "2019": 2} and result.excluded == {"no wave": 2}


def test_whole_number_group_values_read_as_text() -> None:
    table = pd.DataFrame({"response_id": [f"r{i}" for i in range(4)], "status": ["ok"] * 4,
                          "redacted_text": ["Encrypted phones", "encryption", "more staff",
                                            "staff"],
                          "year": [2018.0, 2018.0, 2019.0, float("nan")]})
    result = find_keywords(table, by="year", min_count=1)
    assert result.groups == {"2018": 2, "2019": 1} and result.excluded == {"no year": 1}
