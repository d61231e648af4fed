"""Negation cues and scopes: the README's examples, pseudo-negations, clause boundaries."""

from __future__ import annotations

import pytest

from openends.coding.negation import (
    PRE_WINDOW,
    NegationCues,
    find_cues,
    is_negated,
    normalise,
)
from openends.nlp import load_nlp


def negated(text: str, mention: str) -> bool:
    """Whether ``mention`` (its first occurrence) is negated in ``text``, as spaCy tokenizes it."""
    doc = load_nlp().tokenizer(text)
    start = text.index(mention)
    span = doc.char_span(start, start + len(mention), alignment_mode="expand")
    assert span is not None
    return is_negated(doc, span.start, span.end)


@pytest.mark.parametrize(("text", "mention"), [
    # corpora/README.md, "Coding rules"
    ("We have not seen any use of cryptocurrency so far", "cryptocurrency"),
    ("Encryption is less of a problem than people think", "Encryption"),
    ("He did not deny anything", "deny"),
    ("Our filtering software did not pick anything up", "filtering"),
    # cues before the mention
    ("No cryptocurrency payments in our cases yet.", "cryptocurrency"),
    ("Offenders here don't bother with VPNs", "VPNs"),
    ("We never saw any bitcoin.", "bitcoin"),
    ("There is no evidence of cloud storage use.", "cloud storage"),
    ("Neither encryption nor bitcoin.", "bitcoin"),
    ("Hardly any live streaming.", "live streaming"),
    ("Terabytes rather than gigabytes.", "gigabytes"),
    ("He was not silent at all; he talked at length.", "silent"),
    # cues after the mention: a negated verb of which it is the subject ...
    ("Bitcoin has not played a role in any of my cases.", "Bitcoin"),
    ("Live streaming isn\u2019t something we have encountered.", "Live streaming"),
    ("The police were not involved in the discovery.", "police"),
    ("Our expensive monitoring system found nothing, of course.", "monitoring"),
    ("Encryption is no longer a problem.", "Encryption"),
    # ... or a dismissal later in the clause
    ("The platforms are actually responsive, so that is not an issue.", "platforms"),
    ("International cooperation already works well, that is not where the problem is.",
     "International cooperation"),
    ("Resources are not our problem this year.", "Resources"),
])
def test_negated_mentions(text: str, mention: str) -> None:
    assert negated(text, mention)


@pytest.mark.parametrize(("text", "mention"), [
    # corpora/README.md: a mention stating presence despite a negative word
    ("Not much change on the darknet side: it was big before and it is big now", "darknet"),
    # clause boundaries
    ("No VPNs, but Tor everywhere", "Tor"),
    ("We have not seen much change. Encryption is everywhere.", "Encryption"),
    ("No cryptocurrency; bitcoin is a thing of the past, though.", "bitcoin"),
    # a negated verb whose subject is someone else, or that starts a new phrase
    ("He resigned and did not come back to the office", "resigned"),
    ("Many offenders store files in encrypted containers that we cannot open.", "encrypted"),
    ("Pay-per-view live streaming, which we did not see a few years ago.", "live streaming"),
    # pseudo-negations
    ("Not only bitcoin but also Monero.", "bitcoin"),
    ("No doubt encryption is the biggest change.", "encryption"),
    ("Encryption is no longer just for experts.", "Encryption"),
    ("We cannot open encrypted phones.", "encrypted"),
    ("Terabytes rather than gigabytes.", "Terabytes"),
    # cues that are no cues: an interjection, a compound, part of the mention itself
    ("No, encryption is everywhere.", "encryption"),
    ("They use no-logs VPN services.", "VPN"),
    ("He insisted he had no idea how the files got there.", "no idea"),
    # too far from the cue
    ("We did not see it in the first few years of the bitcoin era.", "bitcoin"),
])
def test_mentions_that_are_not_negated(text: str, mention: str) -> None:
    assert not negated(text, mention)


def test_plain_token_lists_work_and_contractions_may_be_one_token() -> None:
    assert is_negated(["we", "didn't", "see", "any", "bitcoin"], 4, 5)
    assert is_negated(["bitcoin", "wasn't", "an", "issue"], 0, 1)
    assert not is_negated(["bitcoin", "is", "everywhere"], 0, 1)
    assert not is_negated([], 0, 0)


def test_the_pre_window_is_counted_in_words() -> None:
    near = ["not"] + ["very"] * PRE_WINDOW + ["bitcoin"]
    far = ["not"] + ["very"] * (PRE_WINDOW + 1) + ["bitcoin"]
    assert is_negated(near, len(near) - 1, len(near))
    assert not is_negated(far, len(far) - 1, len(far))
    with_commas = ["not", ",", "a", ",", "bitcoin"]
    assert not is_negated(with_commas, 4, 5)  # a comma right after the cue: "No, ..."
    assert is_negated(["not", "a", ",", "b", ",", "bitcoin"], 5, 6)  # lists are in scope


@pytest.mark.parametrize(("phrase", "kind"), [
    ("is not", "both"), ("wasn't", "both"), ("did n't", "both"), ("has never", "both"),
    ("is no longer", "both"), ("can not", "both"), ("cannot", "both"),
    ("found nothing", "both"), ("picked up nothing", "both"), ("came up with nothing", "both"),
    ("not", "pre"), ("no", "pre"), ("never", "pre"), ("without", "pre"), ("none of", "pre"),
    ("nothing", "pre"), ("neither", "pre"), ("nor", "pre"), ("nobody", "pre"),
    ("no one", "pre"), ("hardly any", "pre"), ("rarely", "pre"), ("no sign of", "pre"),
    ("no evidence of", "pre"), ("absence of", "pre"), ("instead of", "pre"),
    ("rather than", "pre"), ("not seen", "pre"),
    ("is less of a problem", "dismiss"), ("not an issue", "dismiss"),
    ("are not our problem", "dismiss"), ("is not where the problem is", "dismiss"),
    ("not relevant", "dismiss"), ("irrelevant", "dismiss"),
    ("not only", "pseudo"), ("is not just", "pseudo"), ("no doubt", "pseudo"),
    ("not much change", "pseudo"), ("nothing has changed", "pseudo"),
    ("no longer just", "pseudo"), ("can't open", "pseudo"), ("unable to access", "pseudo"),
    ("nothing but", "pseudo"), ("if not", "pseudo"),
])
def test_every_kind_of_cue_is_found_whole(phrase: str, kind: str) -> None:
    words = [normalise(token.text) for token in load_nlp().tokenizer(phrase)]
    assert [(cue.kind, cue.start, cue.end) for cue in find_cues(words)] == [
        (kind, 0, len(words))]


def test_clause_boundaries_are_listed_but_not_inside_cues() -> None:
    cues = find_cues(["Not", "yet", ";", "bitcoin", ",", "apart", "from", "that", ",", "but"])
    assert [(cue.kind, cue.text) for cue in cues] == [
        ("pre", "not yet"), ("stop", ";"), ("stop", "apart"), ("stop", "but")]


def test_cues_are_found_once_for_several_mentions() -> None:
    doc = load_nlp().tokenizer("No bitcoin here, but Monero and Tor everywhere.\n\nNo VPNs")
    cues = NegationCues(doc)
    assert [cue.kind for cue in cues.cues] == ["pre", "pre"]
    assert cues.negates(1, 2)  # bitcoin
    assert not cues.negates(5, 6) and not cues.negates(7, 8)  # Monero, Tor
    assert cues.negates(12, 13)  # VPNs, after the paragraph break
    assert cues.words[10] == "\u00b6"
