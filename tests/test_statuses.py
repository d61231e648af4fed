"""Answer-status rules: non-answers, duplicates, language."""

from __future__ import annotations

import pytest

from openends.clean.duplicates import find_duplicates
from openends.clean.language import detect_languages
from openends.clean.nonanswers import is_non_substantive, non_substantive
from openends.errors import ConfigError

# ---------------------------------------------------------------- non-answers

NON_ANSWERS = [
    # English, with punctuation and trailing filler
    "n/a", "N/A.", "NA", "None", "Nothing, thanks.", "Nothing really", "nothing to add",
    "Nil", "No comment", "No comments.", "No answer", "Did not answer", "Don't know",
    "dont know", "I do not know", "DK", "Not sure", "No idea!", "Not applicable",
    "Same as before", "Same as last year.", "See above", "as above", "-", ".", "?", "x",
    "...", "---", "42", "1 2 3", "No", "Nope.", "Not really", "No, nothing.",
    # Swedish
    "Vet ej", "vet inte.", "Inget", "Ingenting, tack", "Ingen kommentar", "Inga synpunkter",
    "Se ovan", "Samma som förra året",
    # German
    "Weiß nicht", "weiss nicht", "Keine Angabe", "k.A.", "Nichts.", "Keine Ahnung",
    "Kein Kommentar", "Siehe oben", "Nichts, danke",
    # French
    "Je ne sais pas", "ne sais pas", "Rien", "Rien à ajouter", "Aucun", "Aucune idée",
    "Sans commentaire", "Voir ci-dessus", "NSP",
    # Spanish
    "No sé", "no se", "Nada", "Nada, gracias", "Ninguno", "Ninguna", "Sin comentarios",
    "Ver arriba", "NS/NC",
]

CONTENT = [
    "Nothing works without more staff",
    "I don't know how they do it, but encryption is everywhere",
    "Encryption", "More staff", "No more paper forms", "None of the tools are secure",
    "Not sure the new VPN helps", "Vet inte hur, men krypteringen blev bättre",
    "Nichts funktioniert ohne Personal", "Rien ne marche sans formation",
    "No sé cómo, pero el cifrado mejoró", "x-ray machines", "Tor 2.0",
]


@pytest.mark.parametrize("text", NON_ANSWERS)
def test_non_answers_in_five_languages(text: str) -> None:
    assert is_non_substantive(text), text


@pytest.mark.parametrize("text", CONTENT)
def test_answers_with_content_are_kept(text: str) -> None:
    assert not is_non_substantive(text), text


def test_batch_matches_single_and_blank_is_not_flagged() -> None:
    texts = [*NON_ANSWERS[:5], *CONTENT[:5], "", "   "]
    assert non_substantive(texts) == [is_non_substantive(text) for text in texts]
    assert non_substantive(["", "   "]) == [False, False]  # status "empty", decided elsewhere


def test_user_phrases_match_whole_answers_only() -> None:
    extra = ["Ask HR", "siehe Fragebogen"]
    texts = ["ask hr.", "Siehe Fragebogen!", "Ask HR about encryption", "ask hr"]
    assert non_substantive(texts, extra=extra) == [True, True, False, True]
    assert non_substantive(texts) == [False, False, False, False]


def test_bare_no_can_be_turned_off() -> None:
    assert non_substantive(["No", "Nope", "Not really", "Nein"], bare_no=False) == [False] * 4
    assert non_substantive(["No, nothing", "n/a"], bare_no=False) == [True, True]


# ---------------------------------------------------------------- duplicates

PASTED = ("Our team moved every report to the encrypted cloud drive last spring and it "
          "has made sharing files with partners much slower than before")
LONG_ESSAY = (
    "Over the last two years the biggest change in our work has been the move to "
    "encrypted messaging for every contact with sources, which at first slowed us down "
    "a lot because nobody had been trained and the tools kept changing, but after the "
    "newsroom paid for proper training in the autumn most of us now use it without "
    "thinking and it has made sources more willing to talk to us about sensitive issues"
)


def test_long_copy_paste_across_respondents_points_at_first() -> None:
    texts = [PASTED, "Encryption", PASTED.lower(), f"  {PASTED.upper()}!! ", "More staff"]
    found = find_duplicates(texts, ["a", "b", "c", "d", "e"])
    assert found == [None, None, 0, 0, None]


def test_near_duplicate_with_one_word_changed() -> None:
    edited = LONG_ESSAY.replace("autumn", "spring")
    assert len(LONG_ESSAY.split()) >= 60  # where one changed word keeps Jaccard >= 0.9
    assert find_duplicates([LONG_ESSAY, "Tor", edited], ["a", "b", "c"]) == [None, None, 0]
    shorter = PASTED.replace("spring", "summer")  # 25 words: Jaccard 0.77
    assert find_duplicates([PASTED, shorter], ["a", "b"]) == [None, None]
    assert find_duplicates([PASTED, shorter], ["a", "b"], threshold=0.7) == [None, 0]


def test_short_identical_answers_from_different_people_are_not_duplicates() -> None:
    texts = ["Encryption"] * 5 + ["More staff", "more staff."]
    ids = ["r1", "r2", "r3", "r4", "r5", "r1", "r2"]
    assert find_duplicates(texts, ids) == [None] * 7
    assert find_duplicates(texts) == [None] * 7


def test_same_respondent_repeating_a_short_answer_is_a_duplicate() -> None:
    texts = ["Encryption", "Encryption", "More staff", "encryption!", "", ""]
    ids = ["r1", "r2", "r1", "r1", "r1", "r1"]
    assert find_duplicates(texts, ids) == [None, None, None, 0, None, None]


def test_unrelated_long_answers_are_not_duplicates() -> None:
    texts = [PASTED, LONG_ESSAY, "We need more staff and better training for the new tools now"]
    assert find_duplicates(texts, ["a", "b", "c"]) == [None, None, None]


def test_duplicates_are_deterministic() -> None:
    base = [f"answer number {i} talks about encryption tools and staff training in the newsroom"
            for i in range(200)]
    texts = base + [text.replace("newsroom", "office") for text in base[::3]] + base[::7]
    ids = [f"r{i}" for i in range(len(texts))]
    first = find_duplicates(texts, ids, threshold=0.6, seed=3)
    assert first == find_duplicates(texts, ids, threshold=0.6, seed=3)
    assert all(found is None or found < index for index, found in enumerate(first))
    assert first[200 + 67:] == list(range(0, 200, 7))  # exact copies point at their originals


def test_duplicates_check_their_options() -> None:
    with pytest.raises(ConfigError, match="respondent ids"):
        find_duplicates(["a", "b"], ["r1"])
    with pytest.raises(ConfigError, match="threshold"):
        find_duplicates(["a"], threshold=1.5)


# ---------------------------------------------------------------- language

SENTENCES = {
    "en": "We need more staff and better training on the new tools",
    "sv": "Vi behöver mer personal och bättre utbildning i de nya verktygen",
    "de": "Wir brauchen mehr Personal und bessere Schulungen für die neuen Werkzeuge",
    "fr": "Nous avons besoin de plus de personnel et de meilleures formations",
    "es": "Necesitamos más personal y mejor formación en las nuevas herramientas",
}


def test_five_languages_are_detected() -> None:
    assert detect_languages(list(SENTENCES.values())) == list(SENTENCES)


def test_low_accuracy_mode_detects_sentences() -> None:
    assert detect_languages(list(SENTENCES.values()), low_accuracy=True) == list(SENTENCES)


def test_short_texts_get_none() -> None:
    assert detect_languages(["ok", "Tor 2.0 !!!", "", "Encryption"]) == [None] * 4
    assert detect_languages(["Encryption"], min_chars=5, min_confidence=0.0) != [None]


def test_unknown_language_code_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="'xx'"):
        detect_languages(["Some text here that is long enough"], languages=["en", "xx"])
    with pytest.raises(ConfigError, match="at least two"):
        detect_languages(["Some text here that is long enough"], languages=["en"])
