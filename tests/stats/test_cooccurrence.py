"""Co-occurrence counted by hand; roll-up with the sample codebook's hierarchy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openends.coding.codebook import load_codebook
from openends.errors import ConfigError
from openends.stats import cooccurrence, roll_up


def test_counts_shares_and_lift_by_hand() -> None:
    # 8 answers: tor on 4, vpn on 2 (both with tor), cloud on 4 (one with tor).
    codes = pd.DataFrame({"tor": [1, 1, 1, 1, 0, 0, 0, 0], "vpn": [1, 1, 0, 0, 0, 0, 0, 0],
                          "cloud": [1, 0, 0, 0, 1, 1, 1, 0]})
    table = cooccurrence(codes).set_index(["theme_a", "theme_b"])
    assert len(table) == 6 and (table["n"] == 8).all()
    tor_vpn = table.loc[("tor", "vpn")]
    assert (tor_vpn["count_a"], tor_vpn["count_b"], tor_vpn["both"]) == (4, 2, 2)
    assert tor_vpn["share_of_a"] == 0.5 and table.loc[("vpn", "tor"), "share_of_a"] == 1.0
    assert tor_vpn["lift"] == pytest.approx((2 / 8) / ((4 / 8) * (2 / 8)))  # 2.0
    assert table.loc[("tor", "cloud"), "lift"] == pytest.approx((1 / 8) / (4 / 8 * 4 / 8))
    assert table.loc[("vpn", "cloud"), "lift"] == pytest.approx((1 / 8) / (2 / 8 * 4 / 8))


def test_only_substantive_answers_count_and_unused_themes_give_nan() -> None:
    codes = pd.DataFrame({"response_id": list("abcd"), "status": ["ok", "ok", "ok", "empty"],
                          "tor": [1, 1, 0, 0], "vpn": [0, 0, 0, 0]})
    table = cooccurrence(codes).set_index(["theme_a", "theme_b"])
    assert table.loc[("tor", "vpn"), "n"] == 3 and table.loc[("tor", "vpn"), "both"] == 0
    assert np.isnan(table.loc[("vpn", "tor"), "share_of_a"])
    assert np.isnan(table.loc[("tor", "vpn"), "lift"])
    with pytest.raises(ConfigError, match="'tor' has values other than 0 and 1"):
        cooccurrence(codes.assign(tor=[1, 2, 0, 0]))


def test_roll_up_codes_parents_of_the_sample_codebook(corpora: Path) -> None:
    codebook = load_codebook(corpora / "codebook.yml")
    hand = pd.read_csv(corpora / "hand_coded.csv")
    assert codebook.children("cooperation") == ["international_cooperation",
                                                "industry_cooperation"]
    # The hand codes already code a parent with each child: rolling up changes nothing.
    pd.testing.assert_frame_equal(roll_up(hand, codebook), hand)
    children = hand.drop(columns=["cooperation", "emotional_reaction"])
    rolled = roll_up(children, codebook)
    assert rolled.columns.tolist() == hand.columns.tolist()
    expected = (hand["international_cooperation"] | hand["industry_cooperation"])
    assert rolled["cooperation"].tolist() == expected.tolist()
    assert rolled["emotional_reaction"].tolist() == (
        hand["anger"] | hand["self_harm_concern"]).tolist()
    assert 0 < expected.sum() < hand["cooperation"].sum()  # "cooperation" also coded alone


def test_roll_up_adds_every_ancestor_in_order() -> None:
    from openends.coding.codebook import Codebook

    book = Codebook.model_validate({"name": "x", "themes": [
        {"id": "tech", "label": "Tech"}, {"id": "crypto", "label": "Crypto", "parent": "tech"},
        {"id": "monero", "label": "Monero", "parent": "crypto"}]})
    rolled = roll_up(pd.DataFrame({"response_id": ["a", "b"], "monero": [1, 0],
                                   "other": [0, 1]}), book)
    assert rolled.columns.tolist() == ["response_id", "tech", "crypto", "monero", "other"]
    assert rolled["tech"].tolist() == [1, 0] and rolled["crypto"].tolist() == [1, 0]
