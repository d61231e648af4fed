"""Candidate phrases: boundaries, lemma keys, surface forms, counts and collapsing."""

from __future__ import annotations

from openends.keywords.candidates import PhraseFinder, contains, select_distinct, shown_form


def keys(text: str, max_words: int = 4) -> set[str]:
    return {" ".join(key) for key in PhraseFinder(max_words=max_words)(text).phrases}


def test_stop_words_and_punctuation_end_a_phrase() -> None:
    found = keys("Offenders use encrypted apps, and the darknet.")
    assert "encrypt app" in found and "offender use encrypt app" in found
    assert "darknet" in found
    assert not any("and" in key.split() or "the" in key.split() for key in found)
    assert "app darknet" not in found  # the comma and stop words separate them


def test_phrases_are_capped_at_max_words() -> None:
    found = keys("secure encrypted chat application servers", max_words=2)
    assert max(len(key.split()) for key in found) == 2


def test_edges_need_letters_and_edge_verbs_or_adverbs_are_left_out() -> None:
    found = keys("In 2019 offenders increasingly used encrypted phones")
    assert "2019" not in found and not any(key.startswith("2019") for key in found)
    assert "increasingly" not in found and "offender increasingly" not in found
    assert "encrypt phone" in found


def test_contractions_are_stop_words_but_possessives_are_not() -> None:
    found = keys("We don't know. It's the officer's phone")
    assert "don't" not in found and "it's" not in found
    assert "officer phone" in found


def test_counts_include_occurrences_inside_longer_phrases() -> None:
    found = PhraseFinder()("Live streaming grows. Live streaming is paid; streaming is cheap.")
    assert found.phrases[("live", "stream")].count == 2
    assert found.phrases[("stream",)].count == 3
    assert found.phrases[("live", "stream")].first == 0


def test_surface_form_prefers_an_occurrence_that_does_not_start_a_sentence() -> None:
    found = PhraseFinder()("Encryption. Offenders rely on encryption.")
    assert found.phrases[("encryption",)].surface == "encryption"
    assert PhraseFinder()("Encryption.").phrases[("encryption",)].surface == "Encryption"


def test_empty_and_one_word_texts() -> None:
    assert PhraseFinder()("").phrases == {}
    assert PhraseFinder()("   ").n_tokens == 0
    only = PhraseFinder()("Bitcoin")
    assert list(only.phrases) == [("bitcoin",)] and only.words == {"bitcoin": 1}


def test_select_distinct_skips_parts_of_chosen_phrases() -> None:
    ranked = [("live", "stream"), ("live",), ("darknet", "forum"), ("darknet",),
              ("forum", "rule"), ("tor",)]
    assert select_distinct(ranked, 3) == [("live", "stream"), ("darknet", "forum"),
                                          ("forum", "rule")]
    assert contains(("a", "b", "c"), ("b", "c")) and not contains(("a", "b"), ("a", "c"))


def test_shown_form_folds_sentence_capitals_but_keeps_proper_names() -> None:
    from collections import Counter

    assert shown_form(Counter({"Darknet": 4, "darknet": 1})) == "darknet"
    assert shown_form(Counter({"Europol": 3})) == "Europol"


def test_redaction_placeholders_are_never_candidates() -> None:
    found = keys("Mail [EMAIL] or call [PHONE] about encryption [PERSON]")
    assert found == {"mail", "encryption"}
