"""Human codes read as 0/1 tables: wide or long, joined on ids or aligned by position."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from openends.coding.codebook import load_codebook
from openends.coding.labels import read_labels
from openends.errors import DuplicateIdError, LabelsError, OpenendsError, UnknownColumnError


@pytest.fixture
def responses() -> pd.DataFrame:
    return pd.DataFrame({"response_id": ["a", "b", "c", "d"],
                         "text": ["Bitcoin", "Tor", "Bitcoin over Tor", "Nothing"]},
                        index=[10, 11, 12, 13])


def test_wide_codes_join_on_ids_and_leave_out_answers_not_coded(
        responses: pd.DataFrame) -> None:
    wide = pd.DataFrame({"response_id": ["c", "a", "b"], "crypto": [1, 1, 0],
                         "tor": ["1", "", "1.0"]})
    labels = read_labels(wide, responses)
    assert labels.index.tolist() == [10, 11, 12]  # in the answers' order; 'd' was not coded
    assert labels.to_dict("list") == {"crypto": [1, 0, 1], "tor": [0, 1, 1]}
    assert (labels.dtypes == "int64").all()


def test_the_codebook_fixes_the_order_of_the_columns(responses: pd.DataFrame) -> None:
    wide = pd.DataFrame({"response_id": ["a"], "tor": [0], "crypto": [1]})
    labels = read_labels(wide, responses, themes=["crypto", "tor"])
    assert list(labels.columns) == ["crypto", "tor"]


def test_wide_codes_without_ids_align_by_row_position(responses: pd.DataFrame) -> None:
    wide = pd.DataFrame({"crypto": [1, 0, 1, 0], "tor": [False, True, True, False]})
    labels = read_labels(wide, responses)
    assert labels.index.tolist() == responses.index.tolist()
    assert labels["tor"].tolist() == [0, 1, 1, 0]
    with pytest.raises(LabelsError, match=re.escape(
            "codes: has 3 row(s) but there are 4 answers; codes without an id column")):
        read_labels(wide.iloc[:3], responses)


def test_long_codes_cover_the_answers_they_list(responses: pd.DataFrame) -> None:
    long = pd.DataFrame({"response_id": ["c", "c", "a", "b", "d"],
                         "theme": ["crypto", "tor", "crypto", "tor", ""],
                         "score": [1, 0.8, 1, 0, None], "source": "human"})
    labels = read_labels(long, responses, themes=["crypto", "tor", "cloud"])
    # a score of 0 codes nothing; an empty theme is an answer coded with none
    assert labels.index.tolist() == responses.index.tolist()
    assert labels.to_dict("list") == {"crypto": [1, 0, 1, 0], "tor": [0, 0, 1, 0],
                                      "cloud": [0, 0, 0, 0]}
    assert list(read_labels(long, responses).columns) == ["crypto", "tor"]
    assert read_labels(long.iloc[:4], responses).index.tolist() == [10, 11, 12]  # 'd' not coded


def test_blank_rows_of_wide_codes_are_answers_not_coded_yet(responses: pd.DataFrame) -> None:
    wide = pd.DataFrame({"response_id": ["a", "b", "c"], "crypto": [1, None, ""],
                         "tor": [None, 0, None]})
    labels = read_labels(wide, responses)
    assert labels.to_dict("list") == {"crypto": [1, 0], "tor": [0, 0]}
    assert labels.attrs["not_coded"] == 1


def test_an_id_column_of_another_name(responses: pd.DataFrame) -> None:
    wide = pd.DataFrame({"ID": ["b"], "tor": [1]})
    assert read_labels(wide, responses, id_column="ID").index.tolist() == [11]
    with pytest.raises(UnknownColumnError, match="no column 'Id'; did you mean 'ID'"):
        read_labels(wide, responses, id_column="Id")


@pytest.mark.parametrize(("codes", "message"), [
    (pd.DataFrame({"response_id": ["a", "b"], "crypto": [1, 2], "tor": 0}),
     "codes: column 'crypto' has '2' on data row 2; codes must be 0 or 1"),
    (pd.DataFrame({"response_id": ["a"], "crypto": ["yes please"], "tor": 0}),
     "column 'crypto' has 'yes please' on data row 1"),
    (pd.DataFrame({"response_id": ["a"], "theme": ["crypto"], "score": [1.7]}),
     "column 'score' has '1.7' on data row 1; a score is a number from 0"),
    (pd.DataFrame({"response_id": ["a", "zz", "yy"], "crypto": [1, 0, 1], "tor": 0}),
     "2 id(s) in column 'response_id' are not answers of the survey file (e.g. 'zz', 'yy')"),
    (pd.DataFrame({"response_id": ["a"], "theme": ["cryptp"]}),
     "theme(s) 'cryptp' are not in the codebook (did you mean 'crypto'?)"),
    (pd.DataFrame({"response_id": ["a"], "crypto": [1]}), "has no column for theme(s) 'tor'"),
    (pd.DataFrame({"response_id": ["a", ""], "crypto": [1, 0], "tor": 0}),
     "id column 'response_id' is empty on 1 row(s)"),
    (pd.DataFrame({"theme": ["crypto"]}), "long codes (a 'theme' column) need an id column"),
    (pd.DataFrame({"response_id": ["a"]}), "has no theme columns"),
])
def test_bad_codes_fail_with_one_clear_line(responses: pd.DataFrame, codes: pd.DataFrame,
                                            message: str) -> None:
    with pytest.raises(LabelsError, match=re.escape(message)) as raised:
        read_labels(codes, responses, themes=["crypto", "tor"])
    assert isinstance(raised.value, OpenendsError) and "\n" not in str(raised.value)


def test_repeated_ids_are_refused(responses: pd.DataFrame) -> None:
    with pytest.raises(DuplicateIdError, match="'a' on rows 1, 3"):
        read_labels(pd.DataFrame({"response_id": ["a", "b", "a"], "tor": [1, 0, 1]}),
                    responses)


def test_codes_files_are_read_in_any_format_and_named_in_errors(
        responses: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "codes.tsv"
    path.write_text("response_id\tcrypto\tn/a\nc\t1\t0\n", encoding="utf-8")
    assert read_labels(path, responses).to_dict("list") == {"crypto": [1], "n/a": [0]}
    path.write_text("response_id\tcrypto\nc\tx\n", encoding="utf-8")
    with pytest.raises(LabelsError, match=r"^codes\.tsv: column 'crypto' has 'x'"):
        read_labels(path, responses)


def test_the_sample_projects_hand_codes_join_its_answers(corpora: Path) -> None:
    from openends.config import load_project
    from openends.pipeline import read_project

    responses = read_project(load_project(corpora / "project.toml")).responses
    themes = load_codebook(corpora / "codebook.yml").ids
    labels = read_labels(corpora / "hand_coded.csv", responses, themes=themes)
    raw = pd.read_csv(corpora / "hand_coded.csv", dtype={"response_id": str})
    assert len(labels) == len(raw) == 400 and list(labels.columns) == themes
    assert labels.sum().to_dict() == raw[themes].sum().to_dict()
    ids = responses.loc[labels.index, "response_id"]
    assert set(ids) == set(raw["response_id"])
