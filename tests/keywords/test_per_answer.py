"""Each answer's keyphrases for a project: usable answers only, and the same phrases and
scores when the answers are split into parts whose counts are added up."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt
import pytest

from openends.keywords.per_answer import answer_keyphrases, count_part, usable_answers
from openends.keywords.statistical import merge_frequencies

TEXTS = ["Offenders use end-to-end encryption on their phones",
         "Encryption and encrypted apps make seized phones unreadable",
         "Payments in bitcoin and other cryptocurrency are hard to trace",
         "More staff and more training for digital forensics",
         "Darknet forums on Tor hide the offenders",
         "Live streaming of abuse paid for in cryptocurrency"]


def answers(count: int = 60) -> pd.DataFrame:
    """``count`` answers cycling through TEXTS (one in seven a non-answer)."""
    rows = [{"response_id": f"r{index}",
             "status": "empty" if index % 7 == 3 else "ok",
             "redacted_text": "" if index % 7 == 3 else
             f"{TEXTS[index % len(TEXTS)]} {TEXTS[(index * 5) % len(TEXTS)].lower()}"}
            for index in range(count)]
    return pd.DataFrame(rows)


def test_only_usable_answers_get_keyphrases() -> None:
    table = answers()
    found = answer_keyphrases(table, "statistical", top=3)
    ids, _ = usable_answers(table)
    assert set(found["response_id"]) == set(ids)
    assert not set(found["response_id"]) & set(table.loc[table["status"] != "ok",
                                                          "response_id"])
    assert found.groupby("response_id")["rank"].max().max() == 3


def test_parts_with_added_counts_give_the_whole_tables_keyphrases() -> None:
    table = answers()
    whole = answer_keyphrases(table, "statistical", top=4)
    parts = [table.iloc[start:start + 17] for start in range(0, len(table), 17)]
    counts = merge_frequencies(found for part in parts
                               if (found := count_part(part, "statistical")) is not None)
    assert counts.documents == len(usable_answers(table)[0])
    joined = pd.concat([answer_keyphrases(part, "statistical", top=4, counts=counts)
                        for part in parts], ignore_index=True)
    pdt.assert_frame_equal(joined, whole)
    # Each part fitted on its own answers scores them otherwise: the counts matter.
    alone = pd.concat([answer_keyphrases(part, "statistical", top=4) for part in parts],
                      ignore_index=True)
    assert not alone["score"].equals(whole["score"])


@pytest.mark.parametrize("method", ["yake", "embedding"])
def test_methods_that_learn_nothing_from_answers_count_nothing(method: str) -> None:
    assert count_part(answers(), method) is None
