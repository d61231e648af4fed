"""The report in parts: partitions summarised by ``report_part``, merged by
``combine_parts`` and reported by ``report_from_part`` give the report ``build_report``
gives on the whole table, identical in every table, headline, note, count and quote;
a part's size follows the variety of the answers, not their number.

The sample project is coded as the pipeline codes it (``code_project``), once for the
module: those tests are marked slow."""

from __future__ import annotations

import pickle
import random
from collections.abc import Callable
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from report_data import CODEBOOK, generated_survey, hand_cleaned

from openends.errors import ConfigError
from openends.report.build import Candidate, _spread, build_report, scoped_keyness
from openends.report.model import Quote, Report
from openends.report.parts import (
    WEIGHT,
    ReportPart,
    _best,
    combine_parts,
    report_from_part,
    report_part,
)
from openends.stats import cooccurrence, prevalence

CORPORA = Path(__file__).resolve().parents[2] / "corpora"
TABLES = ("themes", "prevalence", "changes", "trends", "differences", "cooccurrence",
          "keywords")


def assert_same_report(got: Report, expected: Report) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(got, name), getattr(expected, name), obj=name)
    assert got.headlines == expected.headlines
    assert got.notes == expected.notes
    assert list(got.counts.items()) == list(expected.counts.items())
    assert list(got.quotes) == list(expected.quotes) and got.quotes == expected.quotes
    for name in ("title", "base", "correction", "wave", "by", "quality", "alpha", "tests"):
        assert getattr(got, name) == getattr(expected, name), name


def summarised(codes: pd.DataFrame, blocks: list[pd.DataFrame], evidence: pd.DataFrame | None,
               **options: Any) -> ReportPart:
    """The parts of the blocks of rows (with their codes and evidence), combined."""
    parts = []
    for block in blocks:
        ids = set(block["response_id"])
        parts.append(report_part(
            codes[codes["response_id"].isin(ids)], block,
            evidence=None if evidence is None else evidence[evidence["response_id"].isin(ids)],
            **options))
    return combine_parts(parts)


# -- the sample project -----------------------------------------------------------------
@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Any]:
    """The sample project cleaned and coded: responses, wide codes, long codes, codebook."""
    from openends.clean import clean_responses
    from openends.coding.codebook import load_codebook
    from openends.config import load_project
    from openends.pipeline import cleaning_options, code_project, read_project

    project = load_project(CORPORA / "project.toml")
    cleaned, _ = clean_responses(read_project(project).responses, cleaning_options(project))
    coding = code_project(project, cleaned)
    assert project.coding.codebook is not None
    book = load_codebook(project.path(project.coding.codebook))
    return cleaned, coding.wide(), coding.long(), book


def blocks_of(cleaned: pd.DataFrame, count: int) -> list[pd.DataFrame]:
    """``count`` blocks of consecutive rows, cut between respondents: uneven, and with
    three of them the first holds exactly the first wave (police 2017)."""
    respondents = cleaned["respondent_id"].to_numpy()
    starts = [row for row in range(1, len(cleaned)) if respondents[row] != respondents[row - 1]]
    if count == 3:
        first_wave = int((cleaned["wave"].astype(str) == "2017").to_numpy().argmin())
        cuts = [first_wave, starts[int(len(starts) * 0.8)]]
    else:
        cuts = [starts[int(len(starts) * share)] for share in
                (0.01, 0.03, 0.2, 0.41, 0.45, 0.77, 0.95)][:count - 1]
    return cut(cleaned, cuts)


def cut(table: pd.DataFrame, cuts: list[int]) -> list[pd.DataFrame]:
    """The blocks of rows between the cuts."""
    return [table.iloc[start:end] for start, end in pairwise([0, *cuts, len(table)])]


@pytest.fixture(scope="module")
def whole(sample: tuple[Any, ...]) -> Callable[[str, tuple[str, ...]], Report]:
    cleaned, wide, long, book = sample

    @cache
    def report(base: str, by: tuple[str, ...]) -> Report:
        return build_report(wide, cleaned, codebook=book, evidence=long, by=list(by), base=base,
                            keywords=False, title="Sample")

    return report


@pytest.mark.slow
def test_the_sample_blocks_are_cut_between_respondents(sample: tuple[Any, ...]) -> None:
    cleaned = sample[0]
    for count in (3, 8):
        blocks = blocks_of(cleaned, count)
        assert len(blocks) == count and sum(map(len, blocks)) == len(cleaned)
        assert len({len(block) for block in blocks}) == count  # uneven
        owners = [set(block["respondent_id"]) for block in blocks]
        assert sum(map(len, owners)) == len(set().union(*owners))
    assert set(blocks_of(cleaned, 3)[0]["wave"].astype(str)) == {"2017"}


@pytest.mark.slow
@pytest.mark.parametrize("count", [1, 3, 8])
@pytest.mark.parametrize("by", [("group",), ()])
@pytest.mark.parametrize("base", ["answers", "all", "respondents"])
def test_the_sample_in_parts_reports_as_the_whole(
        sample: tuple[Any, ...], whole: Callable[[str, tuple[str, ...]], Report], base: str,
        by: tuple[str, ...], count: int) -> None:
    cleaned, wide, long, book = sample
    part = summarised(wide, blocks_of(cleaned, count), long, codebook=book, by=by, base=base)
    report = report_from_part(part, codebook=book, by=by, base=base, title="Sample")
    expected = whole(base, by)
    assert_same_report(report, expected)
    assert len(expected.quotes["encryption"]) == 3 and expected.trends["significant"].any()


@pytest.mark.slow
def test_keywords_counted_elsewhere_go_where_build_report_puts_them(
        sample: tuple[Any, ...]) -> None:
    cleaned, wide, long, book = sample
    part = summarised(wide, blocks_of(cleaned, 3), long, codebook=book, by=["group"])
    table, skipped = scoped_keyness(cleaned, [question for question in part.scopes if question],
                                    "wave", ["group"])
    report = report_from_part(part, codebook=book, by=["group"], keywords=table,
                              keyword_notes=skipped)
    expected = build_report(wide, cleaned, codebook=book, evidence=long, by=["group"])
    assert len(expected.keywords)
    assert_same_report(report, expected)


@pytest.mark.slow
def test_a_part_survives_pickling(sample: tuple[Any, ...],
                                  whole: Callable[[str, tuple[str, ...]], Report]) -> None:
    cleaned, wide, long, book = sample
    parts = [report_part(wide[wide["response_id"].isin(block["response_id"])], block,
                         codebook=book, by=["group"], base="respondents",
                         evidence=long[long["response_id"].isin(block["response_id"])])
             for block in blocks_of(cleaned, 3)]
    copied = [pickle.loads(pickle.dumps(part)) for part in parts]
    report = report_from_part(combine_parts(copied), codebook=book, by=["group"],
                              base="respondents", title="Sample")
    assert_same_report(report, whole("respondents", ("group",)))


# -- quotes: the best few per group and wave suffice -------------------------------------
def quote_survey() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Answers mentioning ``tor`` in two waves; the best of each wave has the same text
    (up to case), in two parts, so the wave visited second must pass it over."""
    texts = {"2018": ["Tor is on every phone we seize", "Tor hides the traffic of our suspects",
                      "Suspects use Tor for nearly all their trading",
                      "Tor browsers are installed on most of the laptops"],
             "2019": ["TOR is on every phone we seize", "Tor nodes run in the homes of suspects",
                      "tor is on every phone we seize",
                      "Onion sites through Tor are now the first place to look"]}
    rows = [(f"{wave}-{index}", wave, text, "ok", text)
            for wave in ("2018", "2019") for index, text in enumerate(texts[wave])]
    responses = pd.DataFrame(rows, columns=["response_id", "wave", "text", "status",
                                            "redacted_text"])
    codes = pd.DataFrame({"response_id": responses["response_id"], "tor": 1})
    return codes, responses


@pytest.mark.parametrize("per_theme", [1, 2, 3, 4, 6])
def test_a_text_quoted_in_one_wave_is_passed_over_in_the_other(per_theme: int) -> None:
    codes, responses = quote_survey()
    expected = build_report(codes, responses, keywords=False, quotes_per_theme=per_theme)
    if per_theme == 3:
        assert [quote.text for quote in expected.quotes["tor"]] == [
            "TOR is on every phone we seize", "Tor hides the traffic of our suspects",
            "Tor nodes run in the homes of suspects"]
    for cuts in ([2, 4, 6], [1, 5], [4], [3, 7]):
        part = summarised(codes, cut(responses, cuts), None, quotes_per_theme=per_theme)
        assert len(part.quotes["tor"]) <= 2 * per_theme
        assert_same_report(report_from_part(part, quotes_per_theme=per_theme), expected)


def test_per_theme_best_texts_of_each_group_give_the_spread_of_all() -> None:
    """The bound of ``_best`` checked against ``_spread`` of every candidate: random
    candidates (texts shared across groups and case), split into random parts, each part
    and then their merge cut to ``per_theme`` distinct texts per group."""
    rng = random.Random(7)
    for trial in range(3000):
        per_theme = rng.randint(1, 4)
        texts = [rng.choice(["Tor", "tor", "VPN", "vpn", "Onion", "I2P", "Proxy", "Mesh"])
                 for _ in range(rng.randint(0, 30))]
        candidates = [Candidate((rng.random(), index), rng.choice(["2018", "2019", "(blank)"]),
                                Quote(str(index), text)) for index, text in enumerate(texts)]
        parts = rng.randint(1, 4)
        cut = [_best(candidates[index::parts], per_theme) for index in range(parts)]
        merged = _best([candidate for kept in cut for candidate in kept], per_theme)
        latest_first = trial % 2 == 0
        assert (_spread(merged, per_theme, latest_first=latest_first)
                == _spread(candidates, per_theme, latest_first=latest_first))


def test_fewer_than_per_theme_texts_of_a_group_would_not_do() -> None:
    """2019 (visited first) quotes "Tor"; 2018 passes its own "Tor" over and quotes its
    second text, which keeping one text per group would have lost."""
    candidates = [Candidate((rank,), group, Quote(f"{group}-{rank}", text))
                  for rank, (group, text) in enumerate([("2019", "Tor"), ("2018", "tor"),
                                                        ("2018", "VPN"), ("2019", "Onion")])]
    full = _spread(candidates, 2, latest_first=True)
    assert [quote.text for quote in full] == ["Tor", "VPN"]
    assert _spread(_best(candidates, 2), 2, latest_first=True) == full
    assert _spread(_best(candidates, 1), 2, latest_first=True) != full


# -- generated survey: size, weights, options --------------------------------------------
def repeated(times: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The generated survey ``times`` over, each copy with its own answer ids."""
    responses, wide, evidence = generated_survey()
    cleaned = hand_cleaned(responses)

    def copies(table: pd.DataFrame) -> pd.DataFrame:
        return pd.concat([table.assign(response_id=table["response_id"] + f"/{copy}")
                          for copy in range(times)], ignore_index=True)

    return copies(cleaned), copies(wide), copies(evidence)


@pytest.mark.parametrize("base", ["answers", "all", "respondents"])
def test_a_part_does_not_grow_with_repeated_answers(base: str) -> None:
    options: dict[str, Any] = {"codebook": CODEBOOK, "by": ["region"], "base": base}
    once, ten = (report_part(codes, cleaned, evidence=evidence, **options)
                 for cleaned, codes, evidence in (repeated(1), repeated(10)))
    assert len(ten.answers.responses) == len(once.answers.responses) < 60
    assert ten.answers.responses[WEIGHT].sum() == 10 * once.answers.responses[WEIGHT].sum()
    if base == "respondents":
        assert once.respondents is not None and ten.respondents is not None
        assert len(ten.respondents.responses) == len(once.respondents.responses)
    assert {theme: len(listed) for theme, listed in ten.quotes.items()} == {
        theme: len(listed) for theme, listed in once.quotes.items()}
    assert len(pickle.dumps(ten)) < 1.05 * len(pickle.dumps(once))
    cleaned, codes, evidence = repeated(10)
    assert_same_report(report_from_part(ten, **options),
                       build_report(codes, cleaned, evidence=evidence, keywords=False, **options))


def test_weighted_rows_count_as_the_rows_they_stand_for() -> None:
    responses, wide, _ = generated_survey()
    cleaned = hand_cleaned(responses)
    part = report_part(wide, cleaned, codebook=CODEBOOK, by=["region"])
    rows = part.answers
    tech = rows.responses["question"] == "tech"
    weighted = prevalence(rows.codes, rows.responses[tech], themes=["encryption"],
                          by=["region", "wave"], weight=WEIGHT)
    plain = prevalence(wide, cleaned[cleaned["question"] == "tech"], themes=["encryption"],
                       by=["region", "wave"])
    pd.testing.assert_frame_equal(weighted, plain)
    substantive = (tech & (rows.responses["status"] == "ok")).to_numpy()
    both = rows.codes.loc[substantive, ["encryption", "darknet"]].assign(
        count=rows.responses.loc[substantive, WEIGHT])
    ok = set(cleaned.loc[(cleaned["status"] == "ok") & (cleaned["question"] == "tech"),
                         "response_id"])
    pd.testing.assert_frame_equal(
        cooccurrence(both, ["encryption", "darknet"], weight="count"),
        cooccurrence(wide[wide["response_id"].isin(ok)], ["encryption", "darknet"]))
    with pytest.raises(ConfigError, match="whole numbers"):
        prevalence(rows.codes, rows.responses.assign(**{WEIGHT: 0.5}), weight=WEIGHT)


def test_labels_that_sort_alike_keep_the_order_of_the_whole_table() -> None:
    """"North" and "north" are one place in the natural order: the whole table lists them
    as they first occur, and so do the parts, merged in table order."""
    responses, wide, evidence = generated_survey()
    cleaned = hand_cleaned(responses)
    cleaned = cleaned.assign(region=np.where(np.arange(len(cleaned)) % 7 == 0, "North",
                                             cleaned["region"]))
    for base in ("answers", "respondents"):
        expected = build_report(wide, cleaned, codebook=CODEBOOK, evidence=evidence,
                                by=["region"], base=base, keywords=False)
        blocks = cut(cleaned, list(range(70, len(cleaned), 70)))
        part = summarised(wide, blocks, evidence, codebook=CODEBOOK, by=["region"], base=base)
        assert_same_report(report_from_part(part, codebook=CODEBOOK, by=["region"], base=base),
                           expected)


def test_parts_made_with_other_options_are_refused() -> None:
    responses, wide, _ = generated_survey()
    cleaned = hand_cleaned(responses)
    answers = report_part(wide, cleaned, codebook=CODEBOOK)
    with pytest.raises(ConfigError, match="base"):
        combine_parts([answers, report_part(wide, cleaned, codebook=CODEBOOK, base="all")])
    with pytest.raises(ConfigError, match="base 'answers', not 'all'"):
        report_from_part(answers, codebook=CODEBOOK, base="all")
    with pytest.raises(ConfigError, match="by"):
        report_from_part(answers, codebook=CODEBOOK, by=["region"])
    with pytest.raises(ConfigError, match="quotes_per_theme=5"):
        report_from_part(answers, codebook=CODEBOOK, quotes_per_theme=5)
    with pytest.raises(ConfigError, match="no report parts"):
        combine_parts([])
    with pytest.raises(ConfigError, match="cannot split by 'response_id'"):
        report_part(wide, cleaned, by=["response_id"])
